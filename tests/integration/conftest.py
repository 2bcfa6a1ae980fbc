"""The real stack, started once per session through testcontainers' DockerCompose (after the
lifecycle tests, which run `make up` and `make down` themselves and so must not share it)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from testcontainers.compose import DockerCompose

from streamlab.config import ROOT, env_files, load_settings
from tests.support.stack import CORE_SERVICES
from tests.support.stack import compose as stack_compose

log = logging.getLogger(__name__)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `lifecycle` run `make up` and `make down` themselves: they go first, before
    the shared stack below is started (a stable sort keeps the rest in file order)."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("lifecycle") else 1)


@pytest.fixture(scope="session")
def stack() -> Iterator[DockerCompose]:
    """Builds (from cache when nothing changed), starts and waits for every healthcheck."""
    assert "STREAMLAB_JUPYTER_TOKEN" in load_settings(), "run `make token` (make does it for you)"
    compose = DockerCompose(
        context=ROOT,
        env_file=env_files(),
        build=True,
        wait=True,
        profiles=["jobs"],
        services=CORE_SERVICES,  # start the lab itself; the tests submit the jobs
    )
    log.info("starting the stack")
    compose.start()
    try:
        yield compose
    finally:
        log.info("stopping the stack")
        # All services, the job containers included, and the volumes (DockerCompose.stop would
        # pass only CORE_SERVICES to `down`).
        stack_compose("down", "--volumes", "--remove-orphans")


@pytest.fixture(scope="session")
def settings() -> dict[str, str]:
    return load_settings()
