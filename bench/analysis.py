"""Turning raw observations (progress records, record timestamps, docker stats) into the numbers
the report shows. Pure functions, so that the arithmetic is unit-tested apart from the stack."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

MEMORY_UNITS = {
    "b": 1,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): always one of the observed values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def parse_memory(text: str) -> int:
    """Bytes in one of docker stats' sizes ('512MiB', '1.2GiB', '0B'); the used part of
    'used / limit' when given both."""
    used = text.split("/")[0].strip()
    match = re.fullmatch(r"([\d.]+)\s*([A-Za-z]+)", used)
    if not match or match.group(2).lower() not in MEMORY_UNITS:
        raise ValueError(f"not a docker stats size: {text!r}")
    return round(float(match.group(1)) * MEMORY_UNITS[match.group(2).lower()])


def service_of(container: str, project: str) -> str:
    """'streamlab-bench-spark-worker-2' -> 'spark-worker-2' (numbered only when scaled)."""
    name = container.removeprefix(f"{project}-")
    return name[:-2] if name.endswith("-1") else name


def memory_peaks(samples: Iterable[Mapping[str, int]]) -> tuple[dict[str, int], int]:
    """Each container's peak, and the peak of the sum over containers at one sample."""
    peaks: dict[str, int] = {}
    total = 0
    for sample in samples:
        for name, used in sample.items():
            peaks[name] = max(peaks.get(name, 0), used)
        total = max(total, sum(sample.values()))
    return peaks, total


def offsets_sum(offsets: Mapping | None) -> int:
    """Sum over partitions of a progress record's {"topic": {"0": n, ...}} offsets."""
    if not offsets:
        return 0
    return sum(int(n) for partitions in offsets.values() for n in partitions.values())


def progress_time(record: Mapping) -> float:
    """Epoch seconds at which the batch (trigger) started."""
    return datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).timestamp()


def batch_end_time(record: Mapping) -> float:
    return progress_time(record) + record["durationMs"].get("triggerExecution", 0) / 1000


@dataclass(frozen=True)
class SteadyRun:
    """How the job did while lines arrived at a steady rate."""

    rate: float  # lines per second that the load generator achieved
    batches: int  # data batches inside the window
    duration_p50_ms: float
    duration_p90_ms: float
    duration_max_ms: float
    catch_up_s: float | None  # from the end of the load to the batch that read its last line
    breakdown_ms: dict[str, float]  # mean durationMs per phase inside the window
    keeps_up: bool


def steady_run(
    records: Sequence[Mapping],
    rate: float,
    start: float,
    end: float,
    total: int,
    trigger_ms: float,
) -> SteadyRun:
    """The job keeps up when its batches inside [start + 2 triggers, end] take at most the
    trigger (p90), and the batch holding the last line ends within two triggers (plus a second
    of slack) of the load's end: then the lag did not grow. `total`: offsets once all is read."""
    warm = start + 2 * trigger_ms / 1000
    window = [r for r in records if r.get("numInputRows") and warm <= progress_time(r) <= end]
    durations = [r["durationMs"]["triggerExecution"] for r in window] or [math.inf]
    last = next(
        (
            r
            for r in sorted(records, key=progress_time)
            if offsets_sum(r["sources"][0].get("endOffset")) >= total
        ),
        None,
    )
    catch_up = None if last is None else max(0.0, batch_end_time(last) - end)
    phases = sorted({k for r in window for k in r["durationMs"]})
    breakdown = {k: sum(r["durationMs"].get(k, 0) for r in window) / len(window) for k in phases}
    p90 = percentile(durations, 90)
    keeps_up = (
        bool(window)
        and p90 <= trigger_ms
        and catch_up is not None
        and catch_up <= 2 * trigger_ms / 1000 + 1
    )
    return SteadyRun(
        rate=rate,
        batches=len(window),
        duration_p50_ms=percentile(durations, 50),
        duration_p90_ms=p90,
        duration_max_ms=max(durations),
        catch_up_s=catch_up,
        breakdown_ms=breakdown,
        keeps_up=keeps_up,
    )


def drain_rate(records: Sequence[Mapping]) -> tuple[float, int]:
    """Rows per second over the batches that read a backlog: rows / their summed durations."""
    batches = [r for r in records if r.get("numInputRows")]
    rows = sum(r["numInputRows"] for r in batches)
    seconds = sum(r["durationMs"]["triggerExecution"] for r in batches) / 1000
    return (rows / seconds if seconds else 0.0), rows


@dataclass(frozen=True)
class Batch:
    """One finished batch of the job: its end offsets per partition and when its counts were
    written to the results sink (epoch milliseconds)."""

    batch_id: int
    end_offsets: dict[int, int]
    written_ms: float


def latencies_ms(
    records: Iterable[tuple[int, int, float]], batches: Sequence[Batch]
) -> list[float]:
    """For each record (partition, offset, produce timestamp in ms): the time from its
    timestamp to the write of the first batch whose end offset passes it. Records that no
    finished batch holds yet are left out."""
    ordered = sorted(batches, key=lambda b: b.batch_id)
    ends: dict[int, list[int]] = {}
    written: dict[int, list[float]] = {}
    for batch in ordered:
        for partition, end in batch.end_offsets.items():
            ends.setdefault(partition, []).append(end)
            written.setdefault(partition, []).append(batch.written_ms)
    out = []
    for partition, offset, timestamp in records:
        index = bisect.bisect_right(ends.get(partition, []), offset)
        if index < len(ends.get(partition, [])):
            out.append(written[partition][index] - timestamp)
    return out


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
    }


def perf_rate(output: str) -> float:
    """Records per second from the final line of Kafka's ProducerPerformance."""
    rates = re.findall(r"records sent, ([\d.]+) records/sec", output)
    if not rates:
        raise ValueError(f"no ProducerPerformance summary in: {output[-500:]}")
    return float(rates[-1])


def consumer_perf(output: str) -> dict[str, float]:
    """ConsumerPerformance's CSV (header line, then values) as a dict of its numeric columns."""
    lines = [line for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if line.startswith("start.time"):
            names = [n.strip() for n in line.split(",")]
            values = [v.strip() for v in lines[index + 1].split(",")]
            return {
                n: float(v)
                for n, v in zip(names, values, strict=True)
                if n not in ("start.time", "end.time")
            }
    raise ValueError(f"no ConsumerPerformance result in: {output[-500:]}")


def cpu_means(samples: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each container's mean CPU (percent of one core) over the samples, absent counting 0."""
    names = {name for sample in samples for name in sample}
    return {name: sum(s.get(name, 0.0) for s in samples) / len(samples) for name in sorted(names)}
