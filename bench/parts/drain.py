"""The job reading a backlog as fast as it can, both methods."""

from __future__ import annotations

from bench.analysis import drain_rate
from bench.lab import Run, new_topic, send, submit, wait_read


def drain(lines: int, method: str, topic: str | None = None) -> dict:
    """The job reading a backlog, 250,000 lines a batch; the first batch (start-up) left out.
    `topic`: one already holding `lines` lines (a checkpoint belongs to one topic, so each
    method needs a topic of its own)."""
    if topic is None:
        topic = new_topic(f"drain-{method}")
        send(topic, lines)
    submit(topic, method=method, cap=250_000)
    records = wait_read(topic, lines, timeout=600)
    later = [r for r in records if r["batchId"] > 0 and r.get("numInputRows")]
    rate, rows = drain_rate(later or records)
    return {"method": method, "lines_s": round(rate), "rows": rows}


def measure(run: Run) -> None:
    # The lab's job on the very topic the ceilings read; the DataFrame variant for comparison.
    lines = run.args.lines
    run.result["drain"] = [drain(lines, "rdd", run.backlog_topic), drain(lines, "dataframe")]


def capacity(run: Run, method: str = "rdd") -> float:
    """The drain rate of `method`, where the keep-up searches start."""
    return next(d["lines_s"] for d in run.result["drain"] if d["method"] == method)
