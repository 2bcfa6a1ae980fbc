"""Hours, not minutes: the job at half its keep-up rate for the whole run (--soak-minutes
each; `make bench ARGS="--only soak"`; never part of a full run). Each job in turn, the
Structured Streaming job and the tutorial's DStream job, on a fresh default stack: every
container's memory at the start (after the first ten minutes), the middle and the end, and what
it is made of (its own memory apart from the page cache that docker stats counts with it, and
each JVM's heap, class metadata and compiled code, bench.jvm); the volumes' sizes over time; the
batches' durations and their phases at the start and at the end; and the totals, which must be
exact."""

from __future__ import annotations

import json
import subprocess
import threading
import time

from bench import jvm
from bench.analysis import (
    batch_durations,
    cgroup_memory,
    growth_per_hour,
    jvm_growth,
    memory_at_rest,
    memory_growth,
    own_memory_growth,
    samples_between,
)
from bench.jobs import JOBS
from bench.lab import PROJECT, Run, log, new_topic, send
from bench.stats import MEMORY_STATS, StatsSampler, cgroup_file
from bench.targets import TARGETS
from jobs.paths import progress_dir
from jobs.seed import seed_totals
from streamlab.compose import CORE_SERVICES, compose, container_id, exec_in

SETTLED_S = 600  # memory is compared from the tenth minute on: start-up and JIT are over
WINDOW_S = 120  # each memory point, and each end of the batches' durations: this long
WARM_UP_LINES = 1000
READ_TIMEOUT_S = 1800


def folder_sizes(topic: str, job: str, broker: str) -> dict[str, int]:
    """Bytes in each volume's part that the soak watches: the topic's log in Kafka (`broker`:
    the broker's container id), the job's checkpoint, its results, the progress logs and the
    event logs."""
    runner = JOBS[job]
    folders = {
        "checkpoint": str(runner.checkpoint(topic)),
        "results": str(runner.results(topic)),
        "progress": str(progress_dir()),
        "event logs": "/spark-events",
    }
    # One exec for the job's volumes: the sizes, then the count of results files.
    script = 'du -sb "$@" && ls "$2" | wc -l'
    *lines, files = exec_in("wordcount", "sh", "-c", script, "-", *folders.values()).splitlines()
    by_path = {path: int(size) for size, path in (line.split("\t") for line in lines)}
    sizes = {name: by_path[path] for name, path in folders.items()}
    sizes["results files"] = int(files)
    script = f"du -scb /var/lib/kafka/data/{topic}-* | tail -1"
    kafka = exec_in("kafka", "sh", "-c", script, container=broker)
    sizes["kafka topic"] = int(kafka.split()[0])
    return sizes


def mb_parts(parts: dict[str, int]) -> dict[str, int]:
    return {name: round(value / 1e6) for name, value in parts.items()}


def cgroups(ids: dict[str, str], unread: dict[str, str]) -> dict[str, dict[str, int]]:
    """Each container's own memory and page cache (analysis.cgroup_memory), from its cgroup's
    memory.stat on the host (`ids`: service to container id). A container that cannot be read
    is left out, and why goes to `unread` (the report says it), so that an hour's soak does not
    end on a reading it could do without."""
    readings = {}
    for service, container in ids.items():
        try:
            stat = cgroup_file(container, MEMORY_STATS).read_text()
            readings[service] = cgroup_memory(stat)
        except (OSError, RuntimeError, ValueError) as error:
            unread.setdefault(service, str(error)[-300:])
    return readings


def jvms(ids: dict[str, str], unread: dict[str, str]) -> dict[str, dict[str, int]]:
    """Every JVM's memory parts (bench.jvm), as "service (main class)"; like cgroups(), a
    container that cannot be read is left out and said in `unread`."""
    readings = {}
    for service, container in ids.items():
        try:
            for name, parts in jvm.read(service, container).items():
                readings[f"{service} ({name})"] = parts
        except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as error:
            unread.setdefault(service, str(error)[-300:])
    return readings


def soak(job: str, minutes: float, rate: float, every_s: float) -> dict:
    """One job for `minutes` at `rate` lines a second on a fresh default stack. A short
    trial run (a few minutes) compares from a sixth of the way in instead of the tenth minute."""
    runner = JOBS[job]
    settled = min(SETTLED_S, minutes * 10)
    window = min(WINDOW_S, minutes * 10)
    compose("down", "--volumes", "--remove-orphans")
    compose("up", "-d", "--wait", *CORE_SERVICES)
    topic = new_topic(f"soak-{job.split()[0]}")
    runner.submit(topic)
    send(topic, WARM_UP_LINES)
    runner.read(topic, WARM_UP_LINES, READ_TIMEOUT_S)
    lines = int(rate * minutes * 60)
    sizes: list[tuple[float, dict[str, int]]] = []
    memory_parts: list[tuple[float, dict[str, dict[str, int]]]] = []
    jvm_parts: list[tuple[float, dict[str, dict[str, int]]]] = []
    unread: dict[str, str] = {}
    jvm_unread: dict[str, str] = {}
    ids = {service: container_id(service) for service in [*CORE_SERVICES, "wordcount"]}
    sent: dict[str, float] = {}
    started = time.time()
    seconds = minutes * 60

    def load() -> None:
        sent["rate"] = send(topic, lines, rate, timeout=seconds + 900)

    sender = threading.Thread(target=load)
    with StatsSampler(PROJECT) as sampler:
        sender.start()
        while sender.is_alive():
            sizes.append((time.time() - started, folder_sizes(topic, job, ids["kafka"])))
            memory_parts.append((time.time() - started, cgroups(ids, unread)))
            jvm_parts.append((time.time() - started, jvms(ids, jvm_unread)))
            log(f"soak, {job}: {(time.time() - started) / 60:.0f} of {minutes:.0f} min")
            sender.join(timeout=every_s)
        ended = time.time()
        memory_parts.append((ended - started, cgroups(ids, unread)))
        jvm_parts.append((ended - started, jvms(ids, jvm_unread)))
        runner.read(topic, WARM_UP_LINES + lines, READ_TIMEOUT_S)
        sizes.append((time.time() - started, folder_sizes(topic, job, ids["kafka"])))
    if "rate" not in sent:
        raise RuntimeError(f"soak, {job}: the load generator stopped before sending {lines:,}")
    totals = json.loads(
        exec_in("wordcount", "python", "-m", "jobs.results", "--dir", str(runner.results(topic)))
    )["counts"]
    expected = seed_totals(WARM_UP_LINES + lines)
    points = {
        "start": (started + settled, started + settled + window),
        "middle": ((started + ended - window) / 2, (started + ended + window) / 2),
        "end": (ended - window, ended),
    }
    memory = {
        name: memory_at_rest(samples_between(sampler.memory, sampler.times, *span))
        for name, span in points.items()
    }
    batches = runner.batches(topic)
    return {
        "job": job,
        "minutes": minutes,
        "from_minute": round(settled / 60, 1),
        "lines_s": round(sent["rate"]),
        "memory": memory,
        "memory_growth": memory_growth(memory["start"]["mb"], memory["end"]["mb"]),
        # The same containers' own memory and page cache, every reading, in MB.
        "cgroup_mb": [
            {"minute": round(t / 60, 1), **{n: mb_parts(p) for n, p in reading.items()}}
            for t, reading in memory_parts
        ],
        "own_memory_growth": own_memory_growth(memory_parts, settled),
        "cgroup_unread": unread,
        # Each JVM's parts (bench.jvm) at every reading, in MB, and from the settled minute on.
        "jvm_mb": [
            {"minute": round(t / 60, 1), **{n: mb_parts(p) for n, p in reading.items()}}
            for t, reading in jvm_parts
        ],
        "jvm_growth_mb": jvm_growth(jvm_parts, settled),
        "jvm_unread": jvm_unread,
        "sizes": [{"minute": round(t / 60, 1), **s} for t, s in sizes],
        "sizes_per_hour": growth_per_hour(sizes),
        "batches_ms": batch_durations(batches, points["start"], points["end"]),
        "totals_exact": totals == expected,
        "totals_wrong": {
            word: [totals.get(word, 0), count]
            for word, count in expected.items()
            if totals.get(word, 0) != count
        },
    }


def measure(run: Run) -> None:
    # Half the rate each job kept up with in this run (the throughput and dstream parts), or
    # half the rate the lab holds them to.
    target = TARGETS["keep_up_lines_s"].threshold
    structured = [t["lines_s"] for t in run.result.get("throughput", []) if t["workers"] == 1]
    keep_up = {
        "structured streaming": (structured or [target])[0],
        "dstream": run.result.get("dstream", {}).get("keep_up_lines_s") or target,
    }
    every_s = min(300.0, run.args.soak_minutes * 6)  # ten points at least, five minutes apart
    run.result["soak"] = [
        soak(job, run.args.soak_minutes, keep_up[job] / 2, every_s) for job in run.args.soak_jobs
    ]
