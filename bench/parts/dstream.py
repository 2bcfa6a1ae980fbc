"""The bench's DStream part: the tutorial's API (jobs/dstream_wordcount.py, `make submit
API=dstream`) beside the Structured Streaming job's rdd method, in the same run, on the same
stack: its drain rate as a ratio to the Structured Streaming job's, the highest rate it keeps
up with at 3 s batches on one worker, and its produce-to-results latency at 1 s batches.

The DStream job writes one progress line per batch from its StreamingListener (records,
scheduling and processing delay, end offsets) instead of Structured Streaming's progress
JSON; this module reads those and hands the shared analysis what it needs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from statistics import median

from bench.analysis import Batch, ladder, latencies_ms, percentile, spread, summary
from bench.lab import Run, SteadyLoad, latency_probe, log, new_topic, send
from bench.parts.drain import drain as drain_structured
from jobs.paths import DSTREAM, progress_file, results_dir
from streamlab.compose import compose, exec_in
from streamlab.runs import submit as submit_job
from streamlab.wait import wait_until

JOB = "dstream_wordcount"
DRAIN_CAP = 250_000  # records a batch, as the Structured Streaming drain reads its backlog
BATCH_MS = 3000


def submit(topic: str, trigger: str = "3 seconds", cap: int = 0) -> None:
    """The DStream job on `topic`, with a results folder of its own (the Structured Streaming
    job may have counted the same topic)."""
    submit_job(
        topic,
        job=JOB,
        trigger=trigger,
        cap=cap,
        STREAMLAB_WORDCOUNT_RESULTS_DIR=str(results_dir(topic + DSTREAM)),
        STREAMLAB_WORDCOUNT_PRINT="counts",
    )


def progress(topic: str) -> list[dict]:
    path = progress_file(topic, dstream=True)
    out = exec_in("wordcount", "sh", "-c", f"cat {path} 2>/dev/null || :")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def read_all(records: Sequence[Mapping]) -> int:
    return sum(r["records"] for r in records)


def wait_read(topic: str, total: int, timeout: float = 600) -> list[dict]:
    """Until the job's batches have read `total` records; its progress lines."""

    def probe() -> list[dict] | None:
        records = progress(topic)
        return records if read_all(records) >= total else None

    return wait_until(probe, timeout=timeout, interval=1, what=f"the DStream job reading {topic}")


def drain_rate(records: Sequence[Mapping]) -> tuple[float, int]:
    """Records per second of processing over the batches that read a backlog, the first one
    (start-up) left out: the Structured Streaming drain's measure, rows over durations."""
    busy = [r for r in records if r["records"] and r["processing_delay_ms"]][1:]
    rows = sum(r["records"] for r in busy)
    seconds = sum(r["processing_delay_ms"] for r in busy) / 1000
    return (rows / seconds if seconds else 0.0), rows


def keeps_up(
    records: Sequence[Mapping], start: float, end: float, total: int, batch_ms: float
) -> dict:
    """Kept up: the batches of the load (after two batches of warm-up) each processed within
    the batch interval (p90), and the batch holding the last line finished within two batch
    intervals (plus a second) of the load's end, so that the delay did not grow."""
    warm_ms, end_ms = (start * 1000) + 2 * batch_ms, end * 1000
    window = [r for r in records if r["records"] and warm_ms <= r["batch_time"] <= end_ms]
    durations = [r["processing_delay_ms"] or 0 for r in window] or [float("inf")]
    done, last = 0, None
    for r in sorted(records, key=lambda r: r["batch_time"]):
        done += r["records"]
        if done >= total:
            last = r
            break
    finished = None if last is None else (last["batch_time"] + (last["total_delay_ms"] or 0))
    catch_up = None if finished is None else max(0.0, (finished - end_ms) / 1000)
    p90 = percentile(durations, 90)
    ok = bool(window) and p90 <= batch_ms and catch_up is not None
    return {
        "batches": len(window),
        "processing_p50_ms": percentile(durations, 50),
        "processing_p90_ms": p90,
        "catch_up_s": catch_up,
        "keeps_up": ok and catch_up is not None and catch_up <= 2 * batch_ms / 1000 + 1,
    }


def drain(topic: str, lines: int) -> dict:
    """The DStream job reading the backlog of `topic` (`lines` lines), DRAIN_CAP a batch."""
    submit(topic, cap=DRAIN_CAP)
    rate, rows = drain_rate(wait_read(topic, lines))
    return {"lines_s": round(rate), "rows": rows}


def keep_up(capacity: float, seconds: float) -> dict:
    """The highest rate the DStream job keeps up with at 3 s batches on one worker: from its
    drain rate, up a quarter at a time while it keeps up (or down until it does), then two
    bisections."""
    compose("up", "-d", "--wait", "--scale", "spark-worker=1", "spark-worker")
    topic = new_topic("dstream-steady")
    submit(topic)
    load = SteadyLoad(topic, wait_read)
    load.warm_up(int(capacity / 2 * 10), capacity / 2)  # 10 s at half the drain rate
    trials: list[dict] = []

    def trial(rate: float) -> bool:
        start, end, achieved, records = load.trial(rate, seconds)
        run = keeps_up(records, start, end, load.sent, BATCH_MS)
        trials.append({"target": round(rate), "rate": round(achieved), **run})
        print(
            f"bench dstream keep-up: {achieved:,.0f} lines/s, keeps up {run['keeps_up']} "
            f"(p90 batch {run['processing_p90_ms']:.0f} ms, catch-up {run['catch_up_s']})",
            flush=True,
        )
        return bool(run["keeps_up"])

    ladder(trial, capacity)
    best = max((t for t in trials if t["keeps_up"]), key=lambda t: t["rate"], default=None)
    return {"lines_s": best["rate"] if best else 0, "trials": trials}


def latency(rate: float, seconds: float) -> dict:
    """Produce-to-results latency at 1 s batches: each record's produce timestamp to the write
    of the results file of the first batch whose end offset passes it (the progress line says
    where each batch ended, the file's time when its counts appeared)."""
    topic = new_topic("dstream-latency")
    submit(topic, trigger="1 second")
    load = SteadyLoad(topic, wait_read)
    load.warm_up(100)
    start_ms = time.time() * 1000
    *_, records_read = load.trial(rate, seconds)
    raw = latency_probe(topic, "-", str(results_dir(topic + DSTREAM)))
    written = {int(ms): at for ms, at in raw["written"].items()}
    batches = [
        Batch(
            r["batch_time"],
            {int(p): n for p, n in r["end_offsets"].items()},
            written[r["batch_time"]],
        )
        for r in records_read
        if r.get("end_offsets") and r["batch_time"] in written
    ]
    values = latencies_ms([tuple(r) for r in raw["records"] if r[2] >= start_ms], batches)
    return {
        "trigger": "1 second",
        "rate": rate,
        **{k: round(v) for k, v in summary(values).items()},
    }


def latency_runs(rate: float, seconds: float, runs: int = 3) -> dict:
    each = [latency(rate, seconds) for _ in range(runs)]
    return {"runs": each, "p50_ms": spread([r["p50"] for r in each])}


def measure(run: Run, trials: int = 3) -> None:
    """The tutorial's API, the DStream job, beside the Structured Streaming rdd job in the same
    run: both drain the same backlog in each trial, in alternate order from trial to trial (a
    fresh topic each, since a checkpoint belongs to one topic); then the DStream job's keep-up
    rate and its latency at 1 s batches."""
    args = run.args
    drains = []
    for trial in range(trials):
        topic = new_topic("dstream-drain")
        send(topic, args.lines)
        order = ["structured", "dstream"] if trial % 2 == 0 else ["dstream", "structured"]
        rates = {}
        for which in order:
            if which == "structured":
                rates[which] = drain_structured(args.lines, "rdd", topic)["lines_s"]
            else:
                rates[which] = drain(topic, args.lines)["lines_s"]
        log(f"dstream drain trial {trial + 1}: {rates}")
        drains.append(rates)
    capacity = median(d["dstream"] for d in drains)
    if not capacity:
        raise RuntimeError(
            f"the DStream job's drain gave no rate: --lines {args.lines} is less than two "
            f"batches of {DRAIN_CAP:,} after the first; give --lines at least {3 * DRAIN_CAP:,}"
        )
    keep = keep_up(capacity, args.seconds)
    latency_1s = latency_runs(args.latency_rate, args.seconds)
    run.result["dstream"] = {
        "drain_trials": drains,
        "drain_lines_s": spread([d["dstream"] for d in drains]),
        "structured_drain_lines_s": spread([d["structured"] for d in drains]),
        "drain_ratio": spread([d["dstream"] / d["structured"] for d in drains]),
        "keep_up_lines_s": keep["lines_s"],
        "keep_up": keep,
        "latency": latency_1s,
    }
