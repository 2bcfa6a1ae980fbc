"""Executing the committed notebooks inside the jupyter container, against the running stack,
and what the walkthrough must show when it has run."""

from __future__ import annotations

import json
import subprocess

from streamlab.config import ROOT
from tests.support.stack import exec_in

ARTIFACTS = ROOT / "test-artifacts"
WALKTHROUGH = "01-kafka-spark-wordcount.ipynb"
# Seed lines the walkthrough sends (5 words each): sections 4, 6, 6b and 8.
WALKTHROUGH_LINES = 30 + 30 + 100 + 20

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


def printed_summary(nb: dict, tag: str) -> dict:
    """The JSON line that the cell tagged `tag` printed (its summary for the tests)."""
    text = "".join(
        "".join(o.get("text", ""))
        for o in tagged(nb, tag)["outputs"]
        if o["output_type"] == "stream"
    )
    return json.loads(next(line for line in text.splitlines() if line.startswith("{")))


def images(nb: dict, tag: str) -> list[dict]:
    """The PNG outputs of the cell tagged `tag`."""
    return [o for o in tagged(nb, tag)["outputs"] if "image/png" in o.get("data", {})]


def check_walkthrough(nb: dict) -> None:
    """The walkthrough's exact totals, its live chart and its concepts figure."""
    summary = printed_summary(nb, "final-totals")
    assert summary["produced"], "the notebook produced nothing"
    assert summary["counted"] == summary["produced"], f"totals differ: {summary}"
    lines = WALKTHROUGH_LINES
    assert sum(summary["produced"].values()) == lines * 5, f"{lines} lines of 5 words were sent"
    assert images(nb, "chart"), "the chart cell produced no image"
    assert images(nb, "figure"), "the concepts figure was not drawn"


def check_metrics_chart(nb: dict) -> None:
    """With Prometheus up, section 6b drew input rate, processing rate and lag, each with data
    from Prometheus' HTTP API while the lines were produced."""
    summary = printed_summary(nb, "metrics-chart")
    assert summary["prometheus"], "the notebook found no Prometheus"
    empty = [name for name, count in summary["samples"].items() if not count]
    assert not empty, f"series without data from Prometheus: {empty} ({summary})"
    assert images(nb, "metrics-chart"), "the metrics chart was not drawn"
