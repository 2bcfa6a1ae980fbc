"""What a learner sees in a browser: Debian's chromium, headless, with a fresh profile each
time; screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from streamlab.config import ROOT
from streamlab.wait import wait_until

CHROMIUM = shutil.which("chromium")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--virtual-time-budget=15000",
]

# Marks for a test module that opens pages. The prerequisites script installs chromium, and CI
# must run them; elsewhere they are skipped, and `make check`'s summary line counts them as
# "not run" (tests/integration/conftest.py), so that a green run cannot hide them.
NOT_RUN = "Debian's chromium is not installed (sudo bash scripts/offline-prereqs.sh installs it)"
BROWSER_MARKS: list[pytest.MarkDecorator] = []
if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("chromium is not installed, and CI must run the browser tests")
    BROWSER_MARKS.append(pytest.mark.skip(reason=NOT_RUN))


def chromium(url: str, profile: Path, *extra: str) -> str:
    assert CHROMIUM is not None, "the module is skipped without chromium"
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"chromium failed on {url}: {result.stderr[-2000:]}"
    return result.stdout


def look(url: str, tmp_path: Path, name: str, expect: str) -> str:
    """The page's DOM once it shows `expect` (the app may still be loading), and a screenshot."""
    attempts = iter(range(1, 100))

    def dom() -> str | None:
        text = chromium(url, tmp_path / f"profile-{name}-{next(attempts)}", "--dump-dom")
        return text if expect in text else None

    text = wait_until(dom, timeout=180, interval=2, what=f"{expect!r} on {name}")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    chromium(url, tmp_path / f"profile-{name}-shot", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000, f"the screenshot of {name} looks empty"
    return text
