"""Every notebook, as committed, runs top to bottom, headless, inside the jupyter container
against the running stack; the walkthrough's exact totals and its chart are checked in the
executed notebook."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
import requests
from testcontainers.compose import DockerCompose

from streamlab.config import ROOT
from streamlab.wait import wait_until
from tests.support.browser import BROWSER_MARKS, look
from tests.support.notebooks import (
    SECOND_WALKTHROUGH,
    TUTORIAL,
    WALKTHROUGH,
    check_kafka_sink,
    check_metrics_chart,
    check_running_totals,
    check_tutorial,
    check_walkthrough,
    check_windows,
    execute,
)
from tests.support.stack import compose

log = logging.getLogger(__name__)

# A log4j line (`26/11/25 19:50:55 WARN NativeCodeLoader: ...`) or the JDK's own warnings.
LOG_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR) |^WARNING: ")

# The English walkthroughs and their Chinese editions, as paths below notebooks/.
NOTEBOOKS = [
    str(n.relative_to(ROOT / "notebooks"))
    for n in sorted((ROOT / "notebooks").glob("*.ipynb"))
    + sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
]


@pytest.fixture(scope="module")
def executed(stack: DockerCompose) -> Callable[[str], dict]:
    """Each notebook, executed once (lazily) and kept for the tests of this module."""
    cache: dict[str, dict] = {}
    # The metrics profile's Prometheus, for the walkthrough's live chart of section 6b.
    compose("up", "-d", "--build", "--wait", "prometheus", timeout=900)

    def run(name: str) -> dict:
        if name not in cache:
            cache[name] = execute(name)
        return cache[name]

    return run


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(executed, notebook: str):
    nb = executed(notebook)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{notebook} has error outputs: {errors}"
    unexecuted = [c["id"] for c in code if not c["execution_count"]]
    assert not unexecuted, f"cells not executed: {unexecuted}"
    # The output is the lesson: no line of Spark's or the JVM's log between the cells' own.
    printed = [
        line
        for c in code
        for o in c["outputs"]
        if o["output_type"] == "stream"
        for line in "".join(o["text"]).splitlines()
    ]
    logged = [line for line in printed if LOG_LINE.search(line)]
    assert not logged, f"{notebook} printed log lines: {logged[:5]}"


@pytest.mark.parametrize("edition", [TUTORIAL, f"zh/{TUTORIAL}"])
def test_the_tutorial_as_written_counts_exactly_and_recovers(executed, edition: str):
    check_tutorial(executed(edition))


@pytest.mark.parametrize("edition", [WALKTHROUGH, f"zh/{WALKTHROUGH}"])
def test_walkthrough_totals_are_exact_and_the_chart_is_drawn(executed, edition: str):
    check_walkthrough(executed(edition))


@pytest.mark.parametrize("edition", [SECOND_WALKTHROUGH, f"zh/{SECOND_WALKTHROUGH}"])
def test_second_walkthrough_state_windows_and_sink_are_exact(executed, edition: str):
    """Running totals that survive a restart, windows counted by the watermark rule, and the
    Kafka sink's records read back with the replayed batch's duplicates."""
    nb = executed(edition)
    totals = check_running_totals(nb)
    check_windows(nb)
    check_kafka_sink(nb, totals["produced"])


def test_walkthrough_plots_rates_and_lag_from_prometheus(executed):
    check_metrics_chart(executed(WALKTHROUGH))


@pytest.mark.skipif(bool(BROWSER_MARKS), reason="Debian's chromium is not installed")
def test_history_server_shows_the_walkthrough_and_its_query_batches(executed, settings, tmp_path):
    """After the walkthrough has run (and stopped its session), the history service lists its
    application, and the Structured Streaming tab shows the query with its batches."""
    executed(WALKTHROUGH)
    history = f"http://127.0.0.1:{settings['STREAMLAB_HISTORY_PORT']}"

    def finished_app() -> dict | None:
        apps = requests.get(f"{history}/api/v1/applications", timeout=10).json()
        done = [
            a for a in apps if a["name"] == "streamlab-notebook" and a["attempts"][0]["completed"]
        ]
        return done[0] if done else None

    app = wait_until(finished_app, timeout=120, interval=2, what="the walkthrough in the history")
    listing = look(f"{history}/", tmp_path, "history", app["id"])
    assert "streamlab-notebook" in listing, "the history page does not name the walkthrough"
    queries = look(
        f"{history}/history/{app['id']}/StreamingQuery/", tmp_path, "history-queries", "wordcount"
    )
    link = re.search(r'href="([^"]*StreamingQuery/statistics/?\?id=[^"]+)"', queries)
    assert link, "the Structured Streaming tab links no query's statistics"
    target = link.group(1).replace("&amp;", "&")
    url = target if target.startswith("http") else f"{history}{target}"
    stats = look(url, tmp_path, "history-query-batches", "Batch Duration")
    text = " ".join(re.sub(r"<[^>]+>", " ", stats).split())
    batches = re.search(r"\(\s*(\d+)\s+completed batches\s*\)", text)
    assert batches, f"the query's page counts no batches: {text[:600]}"
    assert int(batches.group(1)) > 0, "the query's page shows no completed batch"
