"""Produce-to-results latency of the live job at a 3 s and a 500 ms trigger."""

from __future__ import annotations

import argparse
import time

from bench.analysis import Batch, latencies_ms, summary
from bench.lab import PROJECT, Run, SteadyLoad, latency_probe, new_topic, submit, wait_read
from bench.stats import StatsSampler
from jobs.paths import checkpoint_dir, results_dir

LATENCY_RUNS = 3  # at the 500 ms trigger, whose target is the median of the runs


def latency(trigger: str, rate: float, seconds: float) -> dict:
    topic = new_topic("latency")
    submit(topic, trigger=trigger)
    load = SteadyLoad(topic, wait_read)
    load.warm_up(100)
    start_ms = time.time() * 1000
    load.trial(rate, seconds)
    raw = latency_probe(topic, str(checkpoint_dir(topic)), str(results_dir(topic)))
    batches = [Batch(b, {int(p): n for p, n in ends.items()}, ms) for b, ends, ms in raw["batches"]]
    records = [(p, o, ts) for p, o, ts in raw["records"] if ts >= start_ms]
    values = latencies_ms(records, batches)
    return {"trigger": trigger, "rate": rate, **{k: round(v) for k, v in summary(values).items()}}


def latency_runs(args: argparse.Namespace) -> list[dict]:
    """The 500 ms trigger's runs, whose median is held to the target."""
    return [
        latency("500 milliseconds", args.latency_rate, args.seconds) for _ in range(LATENCY_RUNS)
    ]


def measure(run: Run) -> None:
    args = run.args
    with StatsSampler(PROJECT) as sampler:
        run.result["latency"] = [
            latency("3 seconds", args.latency_rate, args.seconds),
            *latency_runs(args),
        ]
        run.memory += sampler.memory
