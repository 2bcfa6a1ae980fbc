"""The lab's two jobs as the bench's parts drive them (the memory and the soak parts run each
in turn): how to start one on a topic, wait until it has read n lines, read its batches, and
where its checkpoint and results live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import lab
from bench.analysis import progress_time
from bench.parts import dstream
from jobs.paths import DSTREAM, checkpoint_dir, results_dir

Batch = tuple[float, float, dict[str, float]]


@dataclass(frozen=True)
class Job:
    submit: Callable[[str], None]
    # (topic, lines, timeout): waits until the job has read that many lines of the topic.
    read: Callable[[str, int, float], list[dict]]
    # (start time, duration in ms, {phase: ms}) of each batch that read lines.
    batches: Callable[[str], list[Batch]]
    checkpoint: Callable[[str], Path]
    results: Callable[[str], Path]


def structured_batches(topic: str) -> list[Batch]:
    """Each batch's phases are its durationMs, the whole (triggerExecution) apart."""
    return [
        (
            progress_time(r),
            r["durationMs"]["triggerExecution"],
            {k: v for k, v in r["durationMs"].items() if k != "triggerExecution"},
        )
        for r in lab.progress(topic)
        if r.get("numInputRows")
    ]


def dstream_batches(topic: str) -> list[Batch]:
    """A DStream batch's listener tells no phases inside its processing, only how long the
    batch waited for the one before it (scheduling delay)."""
    return [
        (
            r["batch_time"] / 1000,
            r["processing_delay_ms"],
            {"scheduling delay": r["scheduling_delay_ms"] or 0},
        )
        for r in dstream.progress(topic)
        if r["records"]
    ]


JOBS = {
    "structured streaming": Job(
        submit=lab.submit,
        read=lab.wait_read,
        batches=structured_batches,
        checkpoint=checkpoint_dir,
        results=results_dir,
    ),
    "dstream": Job(
        submit=dstream.submit,
        read=dstream.wait_read,
        batches=dstream_batches,
        checkpoint=lambda topic: checkpoint_dir(topic, dstream=True),
        results=lambda topic: results_dir(topic + DSTREAM),
    ),
}
