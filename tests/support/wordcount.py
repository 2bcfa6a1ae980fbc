"""Driving the word-count job and the producer from the tests, and reading its results."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import uuid
from collections import Counter

from streamlab.config import ROOT
from streamlab.runs import submit as submit_job
from streamlab.wait import wait_until
from tests.support.stack import compose, exec_in, host_bootstrap, internal_bootstrap


def producer_command(
    settings: dict[str, str], topic: str, *args: str, brokers: int = 1
) -> list[str]:
    """The project's producer, run from the host over the external listeners."""
    return [
        sys.executable,
        "producer/producer.py",
        "--bootstrap-servers",
        host_bootstrap(settings, brokers),
        "--topic",
        topic,
        "--partitions",
        "3",
        "--progress",
        "never",
        *args,
    ]


def stream(
    settings: dict[str, str], topic: str, text: str, interval: float, *args: str, brokers: int = 1
) -> subprocess.Popen:
    """Starts producing `text`, one line every `interval` seconds, in the background (from a
    file, so that starting never waits for the producer to read)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as corpus:
        corpus.write(text)
    return subprocess.Popen(
        producer_command(
            settings,
            topic,
            "--file",
            corpus.name,
            "--count",
            "0",
            "--interval",
            str(interval),
            "--summary-json",
            *args,
            brokers=brokers,
        ),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(streamer: subprocess.Popen, timeout: float = 600) -> dict:
    """Waits for a background producer; returns its --summary-json record."""
    out, err = streamer.communicate(timeout=timeout)
    assert streamer.returncode == 0, f"the producer failed: {err[-2000:]}"
    return json.loads(out)


def unique_topic(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# The jobs that the service `wordcount` runs (make submit API=...): jobs/<name>.py.
STRUCTURED = "wordcount"
DSTREAM = "dstream_wordcount"


def submit(topic: str, method: str = "rdd", brokers: int = 1, job: str = STRUCTURED) -> None:
    """(Re)starts the job on `topic` (streamlab.runs.submit), reaching `brokers` brokers."""
    submit_job(topic, job=job, method=method, bootstrap=internal_bootstrap(brokers))


def resume(topic: str, method: str = "rdd", job: str = STRUCTURED) -> None:
    """Starts the job again where it stopped (its container, its checkpoint)."""
    env = {"STREAMLAB_TOPIC": topic, "STREAMLAB_METHOD": method, "STREAMLAB_JOB": job}
    compose("up", "-d", "wordcount", env=env)


def produce(settings: dict[str, str], topic: str, *args: str, stdin: str | None = None) -> dict:
    """Runs the project's producer from the host; returns its --summary-json record."""
    result = subprocess.run(
        producer_command(settings, topic, "--summary-json", *args),
        cwd=ROOT,
        input=stdin,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"the producer failed: {result.stderr[-2000:]}"
    return json.loads(result.stdout)


def results(topic: str) -> dict:
    out = exec_in("wordcount", "python", "-m", "jobs.results", "--topic", topic)
    return json.loads(out)


def results_of_stopped_job(topic: str) -> dict:
    """The results sink when the job's container has stopped: read in a container of its own
    on the same volume."""
    command = ["python", "-m", "jobs.results", "--topic", topic]
    return json.loads(compose("run", "--rm", "--no-deps", "-T", "wordcount", *command).stdout)


def wait_for_counts(topic: str, expected: dict[str, int], timeout: float = 180) -> dict:
    """Waits until the summed counts equal `expected`; fails at once if they overshoot."""

    def probe() -> dict | None:
        current = results(topic)
        counts = current["counts"]
        over = {w: c for w, c in counts.items() if c > expected.get(w, 0)}
        assert not over, f"counted more than was produced: {over}"
        return current if counts == expected else None

    return wait_until(probe, timeout=timeout, interval=1, what=f"exact counts on {topic}")


def make_corpus(lines: int, seed: int = 20181211) -> tuple[str, Counter]:
    """Lines of 1 to 8 words from a fixed vocabulary, and the counts they must give."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    vocabulary = [f"w{n:03d}" for n in range(500)] + ["hello", "kafka", "spark", "streaming"]
    expected: Counter = Counter()
    text = []
    for _ in range(lines):
        words = rng.choices(vocabulary, k=rng.randint(1, 8))
        expected.update(words)
        text.append(",".join(words))
    return "\n".join(text) + "\n", expected
