"""make reads the settings as compose does (shell over .env.local over .env), through
streamlab.config, and its targets work on a fresh clone before .env.local exists."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from streamlab.config import ROOT


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The Makefile, .env and the settings' reader, without .env.local."""
    for name in ("Makefile", ".env"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "streamlab", tmp_path / "streamlab")
    return tmp_path


def dry_run(checkout: Path, *args: str, **env: str) -> str:
    """`make -n`: the commands make would run, with the settings it resolved."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLAB_")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=checkout,
        env={**clean, **env},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def test_topic_comes_from_env_then_local_file_then_shell_then_command_line(checkout: Path):
    assert "streamlab.topics check words" in dry_run(checkout, "submit")
    (checkout / ".env.local").write_text("STREAMLAB_TOPIC=local\n")
    assert "streamlab.topics check local" in dry_run(checkout, "submit")
    assert "check shell" in dry_run(checkout, "submit", STREAMLAB_TOPIC="shell")
    assert "check cli" in dry_run(checkout, "submit", "TOPIC=cli", STREAMLAB_TOPIC="shell")


@pytest.mark.parametrize("target", ["down", "ps", "logs", "clean", "topics", "results"])
def test_targets_work_before_env_local_exists(checkout: Path, target: str):
    commands = dry_run(checkout, target)
    assert "docker compose" in commands, commands
    assert ".env.local" not in commands, f"make {target} names a missing .env.local: {commands}"
    assert not (checkout / ".env.local").exists(), f"make {target} needs no token"


def test_compose_reads_env_local_once_it_exists(checkout: Path):
    (checkout / ".env.local").write_text("STREAMLAB_TOPIC=local\n")
    assert f"--env-file {checkout / '.env.local'}" in dry_run(checkout, "ps")
