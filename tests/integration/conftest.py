"""The real stack, started once per module through testcontainers' DockerCompose."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from testcontainers.compose import DockerCompose

from streamlab.config import ROOT, env_files, load_settings

log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def stack() -> Iterator[DockerCompose]:
    """Builds (from cache when nothing changed), starts and waits for every healthcheck."""
    assert "STREAMLAB_JUPYTER_TOKEN" in load_settings(), "run `make token` (make does it for you)"
    compose = DockerCompose(context=ROOT, env_file=env_files(), build=True, wait=True)
    log.info("starting the stack")
    compose.start()
    try:
        yield compose
    finally:
        log.info("stopping the stack")
        compose.stop()


@pytest.fixture(scope="module")
def settings() -> dict[str, str]:
    return load_settings()
