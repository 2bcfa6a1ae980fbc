"""What the parts of the bench share: the bench's compose project, its log, one run's record,
and the lab's job, topics and load as the parts drive them."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.analysis import memory_peaks, offsets_sum, perf_rate
from jobs.paths import progress_file
from jobs.seed import SEED_LINE
from streamlab.compose import compose, create_topic, exec_in
from streamlab.config import ROOT
from streamlab.isolation import BENCH
from streamlab.runs import submit as submit_job
from streamlab.wait import wait_until

PROJECT = BENCH.name
PROBES = Path(__file__).parent / "probes"
TRIGGER_MS = 3000


@dataclass
class Run:
    """One bench run: its options, the lab's settings, the record the parts write into, and
    the memory samples that the loaded parts took (their peaks are the run's memory)."""

    args: argparse.Namespace
    settings: dict[str, str]
    result: dict
    memory: list[dict[str, int]] = field(default_factory=list)
    # A topic that already holds --lines seed lines (the ceilings' topic), for the drain.
    backlog_topic: str | None = None
    # What a part found wrong, a sentence each: the run is reported, then exits non-zero.
    failures: list[str] = field(default_factory=list)


def probe(name: str) -> str:
    """The source of a probe that runs inside a container (bench/probes/), fed on stdin."""
    return (PROBES / f"{name}.py").read_text()


def log(message: str) -> None:
    print(f"bench {datetime.now():%H:%M:%S} {message}", flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


DEMO = ["make", "--no-print-directory", "demo"]


def demo_to_first_batch(
    env: dict[str, str] | None = None,
    seen: Callable[[str, float], None] = lambda line, seconds: None,
    timeout: float = 300,
    command: list[str] = DEMO,
    until: Callable[[list[str]], bool] | None = None,
) -> tuple[float, list[str]]:
    """Runs `make demo` (`command`) until it prints its first batch (a `Time: ` line), or
    after that until `until` holds for the lines so far, then stops it: the seconds to the first
    batch, and every line it printed, each also handed to `seen` with the seconds since the
    start. `timeout` bounds the whole run; a demo that ends before that is reported at once."""
    demo = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started = time.monotonic()
    lines: list[str] = []
    first: list[float] = []
    reached = threading.Event()  # the first batch, and `until` after it
    over = threading.Event()  # reached, or the demo's output ended

    def follow() -> None:
        assert demo.stdout is not None  # opened with stdout=PIPE
        for line in demo.stdout:
            seconds = time.monotonic() - started
            lines.append(line.rstrip("\n"))
            seen(line, seconds)
            if line.startswith("Time: ") and not first:
                first.append(seconds)
            if first and (until is None or until(lines)):
                reached.set()
                break
        over.set()

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        ended = over.wait(timeout=timeout)
        if not reached.is_set():
            tail = "\n".join(lines[-30:])
            what = "no batch" if not first else "no batch that ended the wait"
            when = "before it ended" if ended else f"within {timeout:.0f} s"
            raise RuntimeError(f"make demo printed {what} {when}:\n{tail}")
    finally:
        with contextlib.suppress(ProcessLookupError):  # a demo that ended took its group along
            os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=60)
        reader.join(timeout=10)
    return first[0], lines


def header(settings: dict[str, str]) -> dict:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": {
            k.removeprefix("STREAMLAB_").removesuffix("_VERSION").lower(): v
            for k, v in settings.items()
            if k.endswith("_VERSION")
        },
    }


def memory_summary(memory: list[dict[str, int]]) -> dict:
    peaks, total = memory_peaks(memory)
    return {
        "peak_mb": {k: round(v / 1e6) for k, v in sorted(peaks.items())},
        "total_peak_mb": round(total / 1e6),
        "samples": len(memory),
    }


def new_topic(name: str) -> str:
    topic = f"bench-{name}-{uuid.uuid4().hex[:6]}"
    create_topic(topic)
    return topic


def send(topic: str, records: int, rate: float = -1, timeout: float = 900) -> float:
    """Seed lines at `rate` per second (-1: flat out) with Kafka's ProducerPerformance, acks=all,
    in a container of its own (so the broker's memory is the broker's). Returns the rate it
    achieved."""
    script = (
        'printf "%s\\n" "$1" > /tmp/seed-line.txt && exec kafka-producer-perf-test --topic "$2" '
        '--num-records "$3" --throughput "$4" --payload-file /tmp/seed-line.txt '
        "--producer-props bootstrap.servers=kafka:9092 acks=all"
    )
    out = compose(
        "run",
        "--rm",
        "--no-deps",
        "-T",
        "kafka",
        "sh",
        "-c",
        script,
        "-",
        SEED_LINE,
        topic,
        str(int(records)),
        str(int(rate)),
        timeout=timeout,
    ).stdout
    return perf_rate(out)


def submit(topic: str, trigger: str = "3 seconds", method: str = "rdd", cap: int = 0) -> None:
    """The lab's Structured Streaming job on `topic` (streamlab.runs.submit)."""
    submit_job(topic, method=method, trigger=trigger, cap=cap)


def progress(topic: str) -> list[dict]:
    out = exec_in("wordcount", "sh", "-c", f"cat {progress_file(topic)} 2>/dev/null || :")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def wait_read(topic: str, total: int, timeout: float = 300) -> list[dict]:
    """Waits until the job's batches have read `total` records; returns its progress records."""

    def probe() -> list[dict] | None:
        records = progress(topic)
        done = any(offsets_sum(r["sources"][0].get("endOffset")) >= total for r in records)
        return records if done else None

    return wait_until(probe, timeout=timeout, interval=1, what=f"the job reading {topic}")


@dataclass
class SteadyLoad:
    """Seed lines sent to one topic at chosen rates, with the running total that the job must
    have read before a trial's batches are judged. `read(topic, total)` waits for the job in
    use (its progress records are what it returns)."""

    topic: str
    read: Callable[[str, int], list[dict]]
    sent: int = 0

    def warm_up(self, lines: int, rate: float = -1) -> list[dict]:
        """Lines that are not counted: the job's start (its JIT, its Python workers) is in them."""
        send(self.topic, lines, rate)
        self.sent += lines
        return self.read(self.topic, self.sent)

    def trial(self, rate: float, seconds: float) -> tuple[float, float, float, list[dict]]:
        """`seconds` of lines at `rate`: (start, end, the rate achieved, the job's progress
        records once it has read them all)."""
        lines = int(rate * seconds)
        start = time.time()
        achieved = send(self.topic, lines, rate)
        end = time.time()
        self.sent += lines
        return start, end, achieved, self.read(self.topic, self.sent)


def latency_probe(topic: str, checkpoint: str, results: str) -> dict:
    """bench/probes/latency.py in the job's container: every record's produce time, and every
    batch's end offsets and results time (`checkpoint` "-": the DStream job's, from its
    progress instead)."""
    out = exec_in(
        "wordcount",
        *("python", "-", "kafka:9092", topic, checkpoint, results),
        stdin=probe("latency"),
        timeout=600,
    )
    return json.loads(out)
