"""The highest rate that the live job keeps up with, by workers and method, with the CPU of
each container meanwhile."""

from __future__ import annotations

from bench.analysis import cpu_means, ladder, steady_run
from bench.lab import (
    PROJECT,
    TRIGGER_MS,
    Run,
    SteadyLoad,
    log,
    new_topic,
    submit,
    wait_read,
)
from bench.parts.drain import capacity
from bench.stats import StatsSampler
from streamlab.compose import compose


def throughput(
    workers: int,
    capacity: float,
    seconds: float,
    sampler: StatsSampler,
    refine: int = 2,
    method: str = "rdd",
) -> dict:
    """The highest rate at which the job keeps up (trigger 3 s): from the drain rate, up a
    ladder while rates keep up (or down it until one does), then `refine` bisections between
    the best that kept up and the lowest that did not.
    CPU per container is sampled meanwhile, to show where the cores go."""
    compose("up", "-d", "--wait", "--scale", f"spark-worker={workers}", "spark-worker")
    topic = new_topic(f"steady-{workers}w-{method}")
    submit(topic, method=method)
    # A warm-up, not counted: 10 s at half the drain rate. A job that has just started (its
    # JIT, its Python workers) missed a rate in its first trial that it kept up with later,
    # and the search then only went down from there.
    load = SteadyLoad(topic, lambda topic, total: wait_read(topic, total, timeout=600))
    load.warm_up(int(capacity / 2 * 10), capacity / 2)
    trials: list[dict] = []

    def trial(rate: float) -> bool:
        start, end, achieved, records = load.trial(rate, seconds)
        run = steady_run(records, achieved, start, end, load.sent, TRIGGER_MS)
        catch_up = "never" if run.catch_up_s is None else f"{run.catch_up_s:.1f} s"
        log(
            f"{workers} worker(s), {achieved:.0f} lines/s: keeps up {run.keeps_up} "
            f"(p90 batch {run.duration_p90_ms:.0f} ms, catch-up {catch_up})"
        )
        samples = sampler.cpu_between(start, end)
        cpu = {k: round(v) for k, v in cpu_means(samples).items()} if samples else {}
        trials.append({**run.__dict__, "target": round(rate), "cpu_percent": cpu})
        return run.keeps_up

    ladder(trial, capacity, refine)
    best = max((t for t in trials if t["keeps_up"]), key=lambda t: t["rate"], default=None)
    return {
        "workers": workers,
        "method": method,
        "lines_s": round(best["rate"]) if best else 0,
        "cpu_percent": best["cpu_percent"] if best else {},
        "breakdown_ms": {k: round(v) for k, v in best["breakdown_ms"].items()} if best else {},
        "trials": trials,
    }


def measure(run: Run) -> None:
    seconds = run.args.seconds
    with StatsSampler(PROJECT) as sampler:
        runs = [throughput(w, capacity(run), seconds, sampler) for w in (1, 2)]
        # The same search for --method dataframe, from its own drain rate, one worker: what a
        # learner who needs the speed would run (the seed's reduceByKey chain stays the default).
        # throughput() scales the workers itself, back to the one the latency runs use.
        runs.append(throughput(1, capacity(run, "dataframe"), seconds, sampler, method="dataframe"))
        run.memory += sampler.memory
    run.result["throughput"] = runs
