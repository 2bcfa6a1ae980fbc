"""The exercise without make, as a learner on Windows types it: the commands of
docs/without-make.md, read from the page so that page and test cannot drift apart, run one by
one (no shell: they must work in PowerShell and cmd as well) on a clone made the way Windows
makes one, with git's `core.autocrlf=true`.

A clone like that converts every text file to CRLF unless `.gitattributes` says otherwise, and
an entrypoint with CRLF fails in the container (`/usr/bin/env: 'bash\\r'`). So the clone is
checked for CRLF files, then the images are built from it and the stack started from it: the
build must come from the same files as the checkout's.

The clone has its own compose project (streamlab-test-clone, its own ports): its bind mounts
point at the clone, and the tests' own stack stays as it is. The clone is of HEAD: commit first.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import requests

from jobs.seed import SEED_TOTALS
from streamlab.config import ROOT, load_settings
from streamlab.isolation import CLONE_TESTS
from streamlab.wait import wait_until
from tests.support.docs import runnable_commands

# What the learner's machine gives the build: the mirrors that the prerequisites set up (none
# for a learner with internet), nothing else of the checkout's .env.local.
MACHINE_SETTINGS = (
    "STREAMLAB_BASE_IMAGE",
    "STREAMLAB_PIP_FIND_LINKS",
    "STREAMLAB_PIP_INDEX_URL",
    "STREAMLAB_MAVEN_REPO_URL",
)
TOKEN_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]{32})\b")


def windows_clone(into: Path) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "-c", "core.autocrlf=true", str(ROOT), str(into)], check=True
    )
    return into


def crlf_files(clone: Path) -> list[str]:
    """The files that git checked out with CRLF (`git ls-files --eol`: w/crlf)."""
    listing = subprocess.run(
        ["git", "ls-files", "--eol"], cwd=clone, check=True, capture_output=True, text=True
    ).stdout
    return [line.split("\t")[-1] for line in listing.splitlines() if "w/crlf" in line]


def exact_totals(results_json: str) -> bool:
    """The summed counts are the tutorial's: not yet while the last batch is uncounted, and a
    failure at once when more was counted than was sent."""
    counts = json.loads(results_json)["counts"]
    over = {w: c for w, c in counts.items() if c > SEED_TOTALS.get(w, 0)}
    assert not over, f"counted more than was produced: {over}"
    return counts == SEED_TOTALS


@pytest.fixture
def clone_env(settings: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLAB_")}
    env.update(CLONE_TESTS.environment(load_settings(environ={})))
    env.update({key: settings[key] for key in MACHINE_SETTINGS if settings.get(key)})
    return env


def test_the_exercise_without_make_on_a_windows_clone(tmp_path: Path, clone_env: dict[str, str]):
    clone = windows_clone(tmp_path / "streamlab")
    assert not crlf_files(clone), (
        f"a clone with core.autocrlf=true has CRLF files: {crlf_files(clone)}; "
        ".gitattributes must keep LF for them"
    )
    commands = runnable_commands((clone / "docs" / "without-make.md").read_text(encoding="utf-8"))
    assert commands[0] == "docker compose up -d --wait", "the page starts the lab first"
    assert commands[-1].endswith(" down"), "the page ends by stopping the lab"

    def run(command: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            shlex.split(command),
            cwd=clone,
            env=clone_env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=900,
        )
        failed = f"`{command}` failed ({done.returncode}):\n{done.stderr[-3000:]}"
        assert done.returncode == 0, failed
        return done

    try:
        # The stack is built from the clone's files (from the build cache when they are the
        # checkout's), not from images some other test built.
        run("docker compose build")
        checked = set()
        for command in commands:
            if "jobs.results" in command:

                def totals_reached(asked: str = command) -> bool:
                    return exact_totals(run(asked).stdout)

                wait_until(
                    totals_reached,
                    timeout=60,
                    interval=1,
                    what="the tutorial's totals from the page's results command",
                )
                checked.add("results")
                continue
            out = run(command).stdout
            if command.endswith("logs --no-log-prefix wordcount"):
                assert "Time: " in out, f"the job printed no batch:\n{out[-2000:]}"
                assert "('kafka', " in out, f"the job's output shows no count:\n{out[-2000:]}"
                checked.add("job output")
            elif command.endswith("logs --no-log-prefix jupyter"):
                login = TOKEN_URL.search(out)
                assert login, f"Jupyter's log shows no login URL:\n{out[-2000:]}"
                port, token = login.groups()
                assert port == clone_env["STREAMLAB_JUPYTER_PORT"], "the URL names another port"
                api = f"http://127.0.0.1:{port}/api/status"
                opened = requests.get(api, headers={"Authorization": f"token {token}"}, timeout=10)
                assert opened.status_code == 200, "the logged token must open Jupyter"
                checked.add("jupyter")
        assert checked == {"results", "job output", "jupyter"}, f"the page lost a step: {checked}"
        left = run("docker compose --profile jobs ps --all --quiet").stdout.split()
        assert not left, f"the page's last command left containers: {left}"
    finally:
        subprocess.run(
            ["docker", "compose", "--profile", "jobs", "down", "--volumes", "--remove-orphans"],
            cwd=clone,
            env=clone_env,
            capture_output=True,
        )
