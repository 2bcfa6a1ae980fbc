"""Running commands against the lab's compose project, as the Makefile does."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from streamlab.config import ROOT, env_files

COMPOSE = ["docker", "compose", *[arg for f in env_files() for arg in ("--env-file", f)]]


def compose(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMPOSE, *args], cwd=ROOT, check=check, capture_output=True, text=True, timeout=timeout
    )


def compose_ps() -> list[dict[str, Any]]:
    """`docker compose ps` as records (compose prints one JSON object a line, or a list)."""
    out = compose("ps", "--all", "--format", "json").stdout
    records: list[dict[str, Any]] = []
    for line in out.splitlines():
        if line.strip():
            parsed = json.loads(line)
            records.extend(parsed if isinstance(parsed, list) else [parsed])
    return records


def exec_in(service: str, *command: str, stdin: str | None = None) -> str:
    """Runs a command in a service's container and returns its stdout; fails on non-zero exit."""
    result = subprocess.run(
        [*COMPOSE, "exec", "-T", service, *command],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"{command} in {service} exited {result.returncode}: {result.stderr[-2000:]}"
    )
    return result.stdout
