"""A mirror that does not answer gets a sentence, both from `make build` and from inside the
image build (for people who run `docker compose build` directly)."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from streamlab.config import ROOT
from tests.support.stack import COMPOSE


@pytest.fixture
def silent_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_make_build_names_the_silent_mirror(silent_url: str):
    result = run(
        ["make", "--no-print-directory", "build"], {"STREAMLAB_MAVEN_REPO_URL": silent_url}
    )
    assert result.returncode != 0, "make build must fail with a silent mirror"
    assert f"the Maven repository at {silent_url}" in result.stderr, result.stderr
    assert "does not answer" in result.stderr
    assert "Traceback" not in result.stderr


def test_image_build_explains_an_unreachable_maven_mirror(silent_url: str):
    result = run([*COMPOSE, "build", "kafka"], {"STREAMLAB_MAVEN_REPO_URL": silent_url})
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the build must fail when the Maven mirror does not answer"
    assert "Ivy could not resolve org.apache.kafka:kafka_" in output, output[-3000:]
    assert f"from {silent_url}." in output, output[-3000:]
    assert "STREAMLAB_MAVEN_REPO_URL" in output, "the message must name the setting"


def test_image_build_explains_an_unreachable_wheelhouse(silent_url: str):
    result = run([*COMPOSE, "build", "spark-master"], {"STREAMLAB_PIP_FIND_LINKS": silent_url})
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the build must fail when the wheelhouse does not answer"
    assert f"the Python package mirror {silent_url} does not answer" in output, output[-3000:]
