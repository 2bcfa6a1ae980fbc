"""Executing the committed notebooks inside the jupyter container, against the running stack,
and what the walkthrough must show when it has run."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

from jobs.seed import HEADER
from jobs.summary import MIME
from streamlab.config import ROOT
from tests.support.stack import exec_in

ARTIFACTS = ROOT / "test-artifacts"
# The tutorial as written: its DStream program, offset ranges, a recovery, Structured Streaming.
TUTORIAL = "00-the-tutorial-as-written.ipynb"
WALKTHROUGH = "01-kafka-spark-wordcount.ipynb"
# Seed lines the walkthrough sends (5 words each): sections 4, 6, 6b and 8.
WALKTHROUGH_LINES = 30 + 30 + 100 + 20
# Windows, state and a Kafka sink.
SECOND_WALKTHROUGH = "02-windows-state-and-sinks.ipynb"

# Runs inside the container: executes a notebook with nbclient and prints the result.
# A cell that raises makes nbclient raise, hence a non-zero exit.
RUNNER = """
import sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.stdin, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": "/home/spark/work/notebooks"}}).execute()
sys.stdout.write(nbformat.writes(nb))
"""


def committed(name: str) -> str:
    """The notebook as committed: a learner's unsaved or saved edits never turn a test red."""
    return subprocess.run(
        ["git", "show", f"HEAD:notebooks/{name}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def execute(name: str, artifact_prefix: str = "executed") -> dict:
    """The committed notebook `name` (a path below notebooks/), executed top to bottom in the
    jupyter container; the executed copy is kept in test-artifacts/ for a reader."""
    out = exec_in("jupyter", "python", "-c", RUNNER, stdin=committed(name))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{artifact_prefix}-{name.replace('/', '-')}").write_text(out)
    return json.loads(out)


def tagged(nb: dict, tag: str) -> dict:
    cells = [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def shown_summary(nb: dict, tag: str) -> dict:
    """The values that the cell tagged `tag` showed (jobs.summary: the learner sees a table,
    the tests read every value from the same output)."""
    shown = [o["data"][MIME] for o in tagged(nb, tag)["outputs"] if MIME in o.get("data", {})]
    assert len(shown) == 1, f"the cell tagged {tag!r} showed {len(shown)} summaries"
    return shown[0]


def images(nb: dict, tag: str) -> list[dict]:
    """The PNG outputs of the cell tagged `tag`."""
    return [o for o in tagged(nb, tag)["outputs"] if "image/png" in o.get("data", {})]


def check_walkthrough(nb: dict) -> None:
    """The walkthrough's exact totals, its live chart and its concepts figure."""
    summary = shown_summary(nb, "final-totals")
    assert summary["produced"], "the notebook produced nothing"
    assert summary["counted"] == summary["produced"], f"totals differ: {summary}"
    assert summary["rewritten"], (
        f"batch {summary['replayed_batch']} lost its commit, yet its results file was not "
        "written again on the restart"
    )
    lines = WALKTHROUGH_LINES
    assert sum(summary["produced"].values()) == lines * 5, f"{lines} lines of 5 words were sent"
    assert images(nb, "chart"), "the chart cell produced no image"
    assert images(nb, "figure"), "the concepts figure was not drawn"


def check_metrics_chart(nb: dict) -> None:
    """With Prometheus up, section 6b drew input rate, processing rate and lag, each with data
    from Prometheus' HTTP API while the lines were produced."""
    summary = shown_summary(nb, "metrics-chart")
    assert summary["prometheus"], "the notebook found no Prometheus"
    empty = [name for name, count in summary["samples"].items() if not count]
    assert not empty, f"series without data from Prometheus: {empty} ({summary})"
    assert images(nb, "metrics-chart"), "the metrics chart was not drawn"


def check_running_totals(nb: dict) -> dict:
    """Section 3: after the restart the query's totals are everything produced, the lines from
    before the restart included, so they came from the state in the checkpoint (a query that
    lost it would report the words of the lines after the restart alone)."""
    summary = shown_summary(nb, "running-totals")
    produced = summary["produced"]
    assert produced, "the notebook produced nothing"
    assert summary["lines_after_restart"] > 0, "no lines were sent after the restart"
    assert summary["before_restart"] != produced, "nothing was produced after the restart"
    assert summary["after_restart"] == produced, f"totals after the restart: {summary}"
    assert images(nb, "chart"), "the running totals' chart was not drawn"
    return summary


def watermark_rule(
    steps: list, window_s: int, delay_s: int
) -> tuple[dict[str, int], list[int], list[str]]:
    """Structured Streaming's rule for a windowed count with a watermark, written apart from the
    notebook's own prediction: every line of a step meets the watermark of the step before (the
    newest event time so far, minus the delay); a line whose window ends at or before it is
    dropped. Returns the counts ("start|word"), the watermark after each step, and the lines
    that were late yet counted."""
    counts: Counter[str] = Counter()
    marks: list[int] = []
    late_counted: list[str] = []
    for _, step in steps:
        mark = marks[-1] if marks else None
        for second, line in step:
            window_end = (second // window_s + 1) * window_s
            if mark is not None and window_end <= mark:
                continue
            if mark is not None and second < mark:
                late_counted.append(line)
            counts.update(f"{window_end - window_s}|{word}" for word in line.split(","))
        newest = max(second for _, earlier in steps[: len(marks) + 1] for second, _ in earlier)
        marks.append(newest - delay_s)
    return dict(counts), marks, late_counted


def check_windows(nb: dict) -> None:
    """Section 4: Spark's counts per event-time window are the rule's, the run shows both fates
    of a late line (dropped, and late yet counted), and the watermark moved as the rule says."""
    summary = shown_summary(nb, "windows")
    steps = summary["steps"]
    counts, marks, late_counted = watermark_rule(steps, summary["window_s"], summary["delay_s"])
    sent = sum(len(line.split(",")) for _, step in steps for _, line in step)
    assert sum(counts.values()) < sent, "no line was dropped: the lesson needs one"
    assert late_counted, "no line behind the watermark was counted: the lesson needs one"
    assert summary["watermarks"] == marks, f"watermarks {summary['watermarks']}, rule {marks}"
    assert summary["counted"] == counts, f"Spark counted {summary['counted']}, rule {counts}"
    assert images(nb, "windows-chart"), "the windows' chart was not drawn"


def check_kafka_sink(nb: dict, totals_before: dict[str, int]) -> None:
    """Section 5: the sink topic holds the first batch's totals twice (the batch replayed after
    its commit was deleted: at-least-once), then the totals after 10 more lines, which are
    everything produced."""
    summary = shown_summary(nb, "kafka-sink")
    first_batch = [(word, total) for word, total in summary["first"]]
    assert len(first_batch) == len(totals_before), f"first batch: {first_batch}"
    assert dict(first_batch) == totals_before, f"first batch {first_batch}, {totals_before}"
    first = Counter(first_batch)
    produced = summary["produced"]
    assert produced != totals_before, "nothing was produced after the replay"
    records = Counter(tuple(r) for r in summary["records"])
    assert records == first + first + Counter(produced.items()), f"read back: {records}"


def check_tutorial(nb: dict) -> None:
    """The tutorial's program counted every word in the log's five blocks per batch; each batch
    of section 4 read one range per Kafka partition, up to Kafka's end offsets; getOrCreate
    recovered without setup() and the totals stayed exact; Structured Streaming agrees."""
    totals = shown_summary(nb, "tutorial-totals")
    assert totals["counted"] == totals["produced"], f"the tutorial's totals differ: {totals}"
    log = "".join(
        "".join(o.get("text", ""))
        for cell_id in ("produce", "wait")
        for o in next(c for c in nb["cells"] if c.get("id") == cell_id)["outputs"]
        if o["output_type"] == "stream"
    )
    times = HEADER.findall(log)
    per_batch = Counter(times)
    *whole, _last = sorted(per_batch)  # ssc.stop() may cut the last batch short
    assert whole, "no whole batch was printed"
    assert {per_batch[t] for t in whole} == {5}, f"blocks per batch: {per_batch}"
    assert "(None, 'hello,kafka,spark,streaming,kafka')" in log, "ks.pprint() printed no record"
    ranges = shown_summary(nb, "offset-ranges")
    assert ranges["read"] == ranges["ends"], f"the ranges stop short of Kafka's ends: {ranges}"
    assert ranges["records"] == 30
    assert len(ranges["ends"]) == 3, "one range per Kafka partition"
    recovery = shown_summary(nb, "recovery")
    assert recovery["setups"] == 1, "getOrCreate called setup() again instead of recovering"
    assert recovery["counted"] == recovery["produced"], f"after the recovery: {recovery}"
    structured = shown_summary(nb, "structured")
    assert structured["counted"] == structured["produced"] == recovery["produced"], structured
