"""The bench's targets, as data: each with its threshold, how it compares, and how its threshold
reads, so that the report's target column is built from the very number that is checked."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

COMPARE: dict[str, Callable[[float, float], bool]] = {
    "≥": operator.ge,
    "≤": operator.le,
    "<": operator.lt,
}


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


@dataclass(frozen=True)
class Target:
    threshold: float
    op: str
    # How the threshold reads: a format for threshold * scale ("{:,.0f} lines/s").
    shown: str
    scale: float = 1
    # What is compared, when the row's result holds several figures ("p50 ").
    subject: str = ""

    @property
    def label(self) -> str:
        return f"{self.subject}{self.op} {self.shown.format(self.threshold * self.scale)}"

    def met(self, value: float) -> bool:
        return COMPARE[self.op](value, self.threshold)

    def check(self, value: float) -> str:
        """The target column: the target, and whether `value` meets it."""
        return f"{self.label}: {verdict(self.met(value))}"


TARGETS = {
    # The live job at a 3 s trigger: lines a second it keeps up with, and that rate's share of
    # the plain-consumer ceiling (ConsumerPerformance).
    "keep_up_lines_s": Target(150_000, "≥", "{:,.0f} lines/s"),
    "ceiling_fraction": Target(0.5, "≥", "{:.0%} of the ceiling"),
    # With a 500 ms trigger, the median of the runs' p50.
    "latency_p50_ms": Target(1000, "≤", "{:.1f} s", scale=0.001, subject="p50 "),
    # `make up` to every service healthy, images built (issue 22: a laptop's lab, ready in seconds).
    "healthy_s": Target(15, "≤", "{:g} s"),
    "first_batch_s": Target(90, "≤", "{:g} s"),
    # make demo with no images: the build, then the first batch.
    "from_nothing_s": Target(120, "≤", "{:g} s"),
    # The default stack's peak (one worker, the job) under the keep-up load, as `docker stats`
    # counts it (recently used page cache included): inside Docker Desktop's default VM on an
    # 8 GB laptop.
    "memory_mb": Target(3000, "≤", "{:g} GB", scale=0.001),
    # The default stack (one worker) with the demo's job, left alone once the demo's lines are
    # counted, the same way counted.
    "memory_idle_mb": Target(1500, "≤", "{:g} GB", scale=0.001),
    # The soak: no container's memory grows by more than this from the tenth minute to the end.
    "soak_memory_growth": Target(0.10, "≤", "{:.0%}"),
    # The soak: no slow-down, the batches' p50 at the end over the tenth minute's, less one.
    "soak_slowdown": Target(0.10, "≤", "{:.0%}"),
    # Of one core, the whole stack up and idle, Docker's engine included.
    "idle_percent": Target(1.5, "≤", "{:g}%"),
    # The lab's producer against ProducerPerformance, acks=all, the best of its process counts.
    "producer_fraction": Target(0.25, "≥", "{:.0%} of ProducerPerformance"),
    # The lab's methods over the same counting on the JVM, same run.
    "jvm_ratio_dataframe": Target(0.95, "≥", "{:g}x"),
    "jvm_ratio_rdd": Target(0.5, "≥", "{:g}x"),
    # The DStream job (the tutorial's API), same run: its keep-up rate at 3 s batches on one
    # worker, its drain rate over the Structured Streaming rdd job's, its p50 at 1 s batches.
    "dstream_keep_up_lines_s": Target(150_000, "≥", "{:,.0f} lines/s"),
    "dstream_drain_ratio": Target(0.9, "≥", "{:g}x"),
    "dstream_latency_p50_s": Target(1.5, "≤", "{:g} s"),
}
