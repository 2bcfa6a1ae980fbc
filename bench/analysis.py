"""Turning raw observations (progress records, record timestamps, docker stats) into the numbers
the report shows. Pure functions, so that the arithmetic is unit-tested apart from the stack."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from streamlab.runs import split_markers

__all__ = ["split_markers"]  # re-exported: the bench's probes use the same markers

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


def memory_at_rest(samples: Sequence[Mapping[str, int]]) -> dict:
    """A stack left alone: each container's median over the samples and the median of the
    samples' totals, in MB (a median, since a sample may catch a collection or a checkpoint)."""
    if not samples:
        raise ValueError("no memory samples")
    names = sorted({name for sample in samples for name in sample})
    return {
        "mb": {name: round(median(s.get(name, 0) for s in samples) / 1e6) for name in names},
        "total_mb": round(median(sum(s.values()) for s in samples) / 1e6),
        "samples": len(samples),
    }


def samples_between(
    samples: Sequence[Mapping[str, int]], times: Sequence[float], start: float, end: float
) -> list[Mapping[str, int]]:
    """The samples taken within [start, end] (epoch seconds)."""
    return [s for s, t in zip(samples, times, strict=True) if start <= t <= end]


def memory_growth(start: Mapping[str, int], end: Mapping[str, int]) -> dict[str, float]:
    """Each container's change from `start` to `end` as a fraction of its start (MB in both)."""
    return {name: round(end.get(name, 0) / mb - 1, 3) for name, mb in start.items() if mb}


CGROUP_MEMORY = ("anon", "active_file", "inactive_file")


def cgroup_memory(stat: str) -> dict[str, int]:
    """Bytes in the parts of a container's memory that `docker stats` sums into one figure, from
    its cgroup's memory.stat: the processes' own memory (anon; cgroup v1 calls it rss), and the
    page cache they used recently (active_file, which docker stats counts) or not
    (inactive_file, which it leaves out). Apart, they tell memory that leaks from a cache that
    fills up to a limit."""
    fields = dict(line.split(maxsplit=1) for line in stat.splitlines() if line.strip())
    if "anon" not in fields and "rss" in fields:  # cgroup v1
        fields["anon"] = fields["rss"]
    missing = [name for name in CGROUP_MEMORY if name not in fields]
    if missing:
        raise ValueError(f"not a cgroup memory.stat: no {', '.join(missing)}")
    return {name: int(fields[name]) for name in CGROUP_MEMORY}


def own_memory_growth(
    readings: Sequence[tuple[float, Mapping[str, Mapping[str, int]]]], from_s: float
) -> dict[str, float]:
    """Each container's own memory (anon) from the first reading at or after `from_s`
    (seconds since the start) to the last, as a fraction of the first: single readings, not
    the medians over a window that memory_growth is given from docker stats."""
    after = [reading for seconds, reading in readings if seconds >= from_s]
    if not after:
        raise ValueError(f"no cgroup reading after {from_s:.0f} s")
    first, last = after[0], after[-1]
    both = first.keys() & last.keys()  # a container not read at one end has no growth
    return memory_growth(
        {name: first[name]["anon"] for name in both},
        {name: last[name]["anon"] for name in both},
    )


def jvm_growth(
    readings: Sequence[tuple[float, Mapping[str, Mapping[str, int]]]], from_s: float
) -> dict[str, dict[str, list[int]]]:
    """Each JVM's parts (bench.jvm) at its first reading at or after `from_s` and at its last,
    [first, last] in MB, with the rest of its RssAnon that none of the parts holds (thread
    stacks, malloc, direct buffers; an estimate: a committed heap page is not always resident).
    Each JVM's own first and last: a container not read once does not lose its growth."""
    after = [reading for seconds, reading in readings if seconds >= from_s]
    first: dict[str, Mapping[str, int]] = {}
    last: dict[str, Mapping[str, int]] = {}
    for reading in after:
        for name, parts in reading.items():
            first.setdefault(name, parts)
            last[name] = parts

    def with_rest(parts: Mapping[str, int]) -> dict[str, int]:
        held = parts["heap committed"] + parts["metaspace"] + parts["code cache"]
        return {**parts, "rest": parts["rss anon"] - held}

    out = {}
    for name in first:
        start, end = with_rest(first[name]), with_rest(last[name])
        out[name] = {part: [round(start[part] / 1e6), round(end[part] / 1e6)] for part in start}
    return dict(sorted(out.items()))


def growth_per_hour(sizes: Sequence[tuple[float, Mapping[str, int]]]) -> dict[str, int]:
    """Bytes an hour that each measured folder grew by, from the first reading to the last
    (seconds since the start, sizes)."""
    (t0, first), (t1, last) = sizes[0], sizes[-1]
    hours = (t1 - t0) / 3600
    if hours <= 0:
        raise ValueError("one reading gives no growth")
    return {name: round((last[name] - first[name]) / hours) for name in first}


def batch_durations(
    batches: Sequence[tuple[float, float, Mapping[str, float]]],
    first: tuple[float, float],
    last: tuple[float, float],
) -> dict[str, dict]:
    """The p50 and p90 of the durations (ms) of the batches that started in each window, and
    the mean ms of each of their phases: where a slow-down went. `batches`: (start time,
    duration, {phase: ms}) of each batch that read lines."""

    def of(window: tuple[float, float]) -> dict:
        inside = [(ms, phases) for t, ms, phases in batches if window[0] <= t <= window[1]]
        if not inside:
            return {"batches": 0}
        values = [ms for ms, _ in inside]
        names = sorted({name for _, phases in inside for name in phases})
        return {
            "batches": len(values),
            "p50": percentile(values, 50),
            "p90": percentile(values, 90),
            "phases": {
                name: round(sum(p.get(name, 0) for _, p in inside) / len(inside)) for name in names
            },
        }

    return {"start": of(first), "end": of(last)}


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


def phases_ms(records: Sequence[Mapping], stages: Mapping[str, Mapping[str, float]]) -> dict:
    """Mean per batch of where its time went: Spark's own steps around the batch (offsets, the
    write-ahead log, the commit), the shuffle-map stages (reading Kafka, the per-row work, the
    map-side combine and the shuffle write), the result stages (shuffle read, merge, collect),
    and the driver's share of foreachBatch outside the jobs (planning, printing, the sink)."""
    if not records:
        return {}
    sums: dict[str, float] = {}

    def add(name: str, value: float) -> None:
        sums[name] = sums.get(name, 0.0) + value

    for record in records:
        durations = record["durationMs"]
        batch = stages.get(str(record["batchId"]), {})
        add("spark offsets and commit", durations["triggerExecution"] - durations["addBatch"])
        add("map stages: read Kafka, count rows, shuffle write", batch.get("map_ms", 0))
        add("result stages: shuffle read, merge, collect", batch.get("result_ms", 0))
        add("driver: planning, printing, sink", durations["addBatch"] - batch.get("jobs_ms", 0))
        add("shuffle write, task time", batch.get("shuffle_write_ms", 0))
    return {name: round(total / len(records)) for name, total in sums.items()}


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median and range: few trials, so the range says more than a deviation would."""
    return {"median": median(values), "min": min(values), "max": max(values)}


# Each ratio of the report: the lab's method over the JVM's shape of it.
PAIRS = {"dataframe": ("python dataframe", "jvm dataframe"), "rdd": ("python rdd", "jvm rdd")}


def summarize_compare(runs: Sequence[Mapping], expected: Mapping[str, int], lines: int) -> dict:
    """Rates per runner and lab/JVM ratios per trial (median and range over trials), mean
    phases per runner, and whether every counting run found exactly `expected`."""
    by_runner: dict[str, list[Mapping]] = {}
    for run in runs:
        by_runner.setdefault(run["runner"], []).append(run)
    wrong = sorted(
        {r["runner"] for r in runs if r["runner"] != "jvm read" and r["counts"] != expected}
    )
    trials = sorted({r["trial"] for r in runs})
    rate = {(r["runner"], r["trial"]): r["lines_s"] for r in runs}
    ratios = {}
    for method, (lab, jvm) in PAIRS.items():
        per_trial = [
            rate[(lab, t)] / rate[(jvm, t)]
            for t in trials
            if rate.get((jvm, t)) and (lab, t) in rate
        ]
        if per_trial:
            ratios[method] = {k: round(v, 2) for k, v in spread(per_trial).items()}
    runners = {}
    for name, group in by_runner.items():
        phase_names = [k for k in group[0]["phases_ms"]]
        runners[name] = {
            "lines_s": {k: round(v) for k, v in spread([r["lines_s"] for r in group]).items()},
            "phases_ms": {
                k: round(sum(r["phases_ms"].get(k, 0) for r in group) / len(group))
                for k in phase_names
            },
        }
    return {
        "lines": lines,
        "trials": len(trials),
        "runners": runners,
        "ratios": ratios,
        "counts_exact": not wrong,
        "counts_wrong": wrong,
    }


def ladder(trial: Callable[[float], bool], capacity: float, refine: int = 2) -> None:
    """The keep-up searches' rates: from `capacity` (a drain rate) up a quarter at a time while
    trial(rate) keeps up, to four times it at most (or down a quarter at a time until one does,
    to 100 lines/s), then `refine` bisections between the best that kept up and the lowest
    that did not. The trials record their own results."""
    kept, missed = 0.0, 0.0  # 0: none found yet
    rate = capacity
    if trial(rate):
        kept = rate
        while not missed and rate < 4 * capacity:
            rate *= 1.25
            if trial(rate):
                kept = rate
            else:
                missed = rate
    else:
        missed, rate = rate, rate * 0.75
        while rate >= 100:
            if trial(rate):
                kept = rate
                break
            missed, rate = rate, rate * 0.75
    for _ in range(refine if kept and missed else 0):
        middle = (kept + missed) / 2
        if trial(middle):
            kept = middle
        else:
            missed = middle
