"""The default stack's memory, one worker, with the demo's job: at idle once the demo's lines
are counted, then at its peak under the keep-up load. Each job in turn, the Structured
Streaming job and the tutorial's DStream job, on a stack of its own, as `docker stats` counts
memory (a container's usage without its inactive page cache: the pages of files it wrote or
read lately count, so a broker that writes a large topic counts its recent segments)."""

from __future__ import annotations

import time

from bench.analysis import memory_at_rest
from bench.jobs import JOBS
from bench.lab import PROJECT, Run, log, memory_summary, new_topic, send
from bench.stats import StatsSampler
from bench.targets import TARGETS
from streamlab.compose import CORE_SERVICES, compose

DEMO_LINES = 60  # what `make demo`'s producer sends
SETTLE_S = 30  # after the demo's lines are counted: the job's first batches' work is over
READ_TIMEOUT_S = 600


def memory(job: str, idle_seconds: float, load_seconds: float, rate: float) -> dict:
    """One job on a fresh default stack: the demo's lines, the stack left alone for
    `idle_seconds` (each container's median and the median of the totals), then `rate` lines
    a second for `load_seconds` and the catch-up (the peaks)."""
    runner = JOBS[job]
    compose("down", "--volumes", "--remove-orphans")
    compose("up", "-d", "--wait", *CORE_SERVICES)
    topic = new_topic(f"memory-{job.split()[0]}")
    runner.submit(topic)
    send(topic, DEMO_LINES, DEMO_LINES / 10)
    runner.read(topic, DEMO_LINES, READ_TIMEOUT_S)
    time.sleep(SETTLE_S)  # the measure's design: what an idle job holds, not its start-up
    with StatsSampler(PROJECT) as sampler:
        time.sleep(idle_seconds)  # the measurement itself: the job running, no lines coming
    at_rest = memory_at_rest(sampler.memory)
    lines = int(rate * load_seconds)
    with StatsSampler(PROJECT) as sampler:
        achieved = send(topic, lines, rate)
        runner.read(topic, DEMO_LINES + lines, READ_TIMEOUT_S)
    log(f"memory, {job}: idle {at_rest['total_mb']:,} MB, load at {achieved:,.0f} lines/s")
    return {
        "job": job,
        "idle": at_rest,
        "load": {"lines_s": round(achieved), "seconds": load_seconds}
        | memory_summary(sampler.memory),
    }


def measure(run: Run) -> None:
    # The load: the rate the lab's job is held to keep up with (bench/targets.py), so that the
    # figure means the same from one run to the next.
    rate = TARGETS["keep_up_lines_s"].threshold
    run.result["memory_default"] = [
        memory(job, run.args.idle_seconds, run.args.memory_seconds, rate) for job in JOBS
    ]
