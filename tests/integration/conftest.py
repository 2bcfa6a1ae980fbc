"""The real stack, started once per session through testcontainers' DockerCompose (after the
lifecycle tests, which run `make up` and `make down` themselves and so must not share it).

Every integration test runs in the compose project `streamlab-test`, on host ports of its own
(streamlab.isolation): a learner's lab, its containers, volumes and ports, is never touched,
and `make check` can run while it is up."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from testcontainers.compose import DockerCompose

from streamlab.config import load_settings
from streamlab.isolation import TESTS
from tests.support.browser import NOT_RUN
from tests.support.stack import start_stack, stop_stack

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/integration/ is in the integration tier (`make integration-test`),
    without a `pytestmark` of its own. Tests marked `lifecycle` run `make up` and `make down`
    themselves: they go first, before the shared stack below is started (a stable sort keeps
    the rest in file order)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)
    items.sort(key=lambda item: 0 if item.get_closest_marker("lifecycle") else 1)


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    """A browser test skipped for want of chromium is counted as "not run" in the summary line
    (`70 passed, 3 not run`), not among the skips that `-ra` lists and a reader passes over."""
    if report.skipped and NOT_RUN in str(report.longrepr):
        return "not run", "N", "NOT RUN"
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if terminalreporter.stats.get("not run"):
        terminalreporter.write_line(f"browser tests not run: {NOT_RUN}", yellow=True)


@pytest.fixture(scope="session", autouse=True)
def test_project() -> Iterator[dict[str, str]]:
    """Moves this process, and every compose and make it starts, into the tests' own project,
    with a Jupyter token of the session's own."""
    saved = dict(os.environ)
    values = TESTS.enter()
    os.environ["STREAMLAB_JUPYTER_TOKEN"] = secrets.token_hex(16)
    log.info("tests run in compose project %s, ports %s", TESTS.name, values)
    try:
        yield values
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def stack(test_project: dict[str, str]) -> Iterator[DockerCompose]:
    """Builds (from cache when nothing changed), starts and waits for every healthcheck."""
    log.info("starting the test stack")
    compose = start_stack()
    try:
        yield compose
    finally:
        log.info("stopping the test stack")
        stop_stack()


@pytest.fixture(scope="session")
def settings(test_project: dict[str, str]) -> dict[str, str]:
    return load_settings()
