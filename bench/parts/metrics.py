"""Memory with the metrics profile up (Prometheus scraping), under a steady, kept-up load."""

from __future__ import annotations

from bench.lab import PROJECT, Run, memory_summary, new_topic, send, submit, wait_read
from bench.parts.drain import capacity
from bench.stats import StatsSampler
from streamlab.compose import compose


def measure(run: Run) -> None:
    compose("up", "-d", "--build", "--wait", "prometheus", timeout=900)
    rate = capacity(run) / 2  # half the drain rate: a steady, kept-up load
    with StatsSampler(PROJECT) as sampler:
        topic = new_topic("metrics")
        submit(topic)
        lines = int(rate * run.args.seconds)
        send(topic, lines, rate)
        wait_read(topic, lines, timeout=600)
        run.result["memory_metrics"] = memory_summary(sampler.memory)
