"""The lab's job beside the JVM reference (images/spark/jvm, the bench's image), same topic,
same cluster, same trigger, cores and cap."""

from __future__ import annotations

import json
from collections import Counter

from bench.analysis import drain_rate, phases_ms, summarize_compare
from bench.lab import Run, log, new_topic, probe, send
from jobs.seed import SEED_LINE
from jobs.words import split_line
from streamlab.compose import compose
from streamlab.runs import JVM_JOB, LAB_JOB, run_to_the_end

# The lab's job and the JVM reference (images/spark/jvm) as a learner would submit them; the
# JVM's `read` method only counts the rows: the floor that reading Kafka alone sets.
RUNNERS = {
    "python dataframe": [*LAB_JOB, "--method", "dataframe"],
    "jvm dataframe": [*JVM_JOB, "--method", "dataframe"],
    "python rdd": [*LAB_JOB, "--method", "rdd"],
    "jvm rdd": [*JVM_JOB, "--method", "rdd"],
    "jvm read": [*JVM_JOB, "--method", "read"],
}


def run_once(name: str, topic: str, cap: int) -> dict:
    """One runner reading the whole topic from the start, in a fresh checkpoint, with its
    event log kept for the phases of its batches."""
    parts = run_to_the_end(
        [*RUNNERS[name], "--max-offsets-per-trigger", str(cap)],
        topic,
        "/data/compare",
        event_probe=probe("stages"),
    )
    records = [json.loads(line) for line in parts["progress"].splitlines() if line.strip()]
    # Full batches only: the first pays for the start (JIT, connections), and a last one of a
    # few leftover records is all overhead; either would blur the rate and the phases.
    measured = [r for r in records if r["batchId"] > 0 and r.get("numInputRows", 0) >= cap / 2]
    rate, rows = drain_rate(measured)
    return {
        "runner": name,
        "lines_s": round(rate),
        "rows": rows,
        "counts": json.loads(parts["results"])["counts"],
        "phases_ms": phases_ms(measured, json.loads(parts["events"])),
    }


def compare(lines: int, cap: int, trials: int = 5, runners: list[str] | None = None) -> dict:
    """The lab's two methods beside the JVM reference, same topic, same cluster, same trigger,
    cores and cap; runners interleaved within each trial, and each trial in the opposite
    order to the one before, so that neither drift nor going first favours a runner."""
    compose("rm", "--stop", "--force", "wordcount")  # no other application on the cores
    topic = new_topic("compare")
    send(topic, lines)
    runs: list[dict] = []
    names = runners or list(RUNNERS)
    run_once("jvm read", topic, cap)  # a warm-up, not counted: the first run is slower
    for trial in range(trials):
        for name in names if trial % 2 == 0 else reversed(names):
            run = run_once(name, topic, cap)
            log(f"compare trial {trial + 1}: {name} {run['lines_s']:,} lines/s")
            runs.append({**run, "trial": trial})
    expected = {w: n * lines for w, n in Counter(split_line(SEED_LINE.encode())).items()}
    return summarize_compare(runs, expected, lines)


def measure(run: Run) -> None:
    args = run.args
    run.result["compare"] = compare(args.compare_lines, args.compare_cap, args.trials, args.runners)
