"""`make` as a learner types it, from the tests: in the checkout (or a copy of it), in the
tests' own compose project (the environment the integration conftest set)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from streamlab.config import ROOT


def make_result(
    *targets: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Runs make; the caller checks the result (some tests expect it to fail)."""
    return subprocess.run(
        ["make", "--no-print-directory", *targets],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )


def make(
    *targets: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Runs make, which must succeed."""
    result = make_result(*targets, env=env, cwd=cwd)
    output = result.stdout[-2000:] + result.stderr[-2000:]
    assert result.returncode == 0, f"make {' '.join(targets)} failed:\n{output}"
    return result
