"""`make demo` from nothing, as a new user meets it: a Docker engine with no lab image and no
build cache (the prerequisites done: the base image loaded, the mirrors served), from typing
`make demo` to the first counted batch, and where the time goes (each image's build stages,
the stack's start, the first batch).

A clean engine without touching the learner's: the bench starts a Docker engine of its own
(`dockerd` with its own data root, socket and exec root, a default bridge of its own and its
networks in a pool of their own, 10.213.0.0/16) and removes it afterwards. It leaves the
learner's engine's iptables chains to that engine: one rule in DOCKER-USER (the chain Docker
keeps for its users) lets the fresh engine's containers reach each other, and goes with it.
Starting an engine takes root; without it the part says so."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bench.lab import Run, demo_to_first_batch, log
from streamlab.compose import compose
from streamlab.config import ROOT
from streamlab.wait import wait_until

ENGINE_ROOT = Path("/var/lib/streamlab-bench-engine")
EXEC_ROOT = Path("/run/streamlab-bench-engine")
SOCKET = "/run/streamlab-bench-engine.sock"
DOCKER_HOST = f"unix://{SOCKET}"
# Its default bridge (never docker0, the learner's: an engine started with no bridge of its own
# removes docker0) and the pool its networks come from.
BRIDGE, BRIDGE_ADDRESS = "streamlab-b0", "10.213.255.1/24"
POOL = "10.213.0.0/16"
ALLOW = ["DOCKER-USER", "-s", POOL, "-d", POOL, "-j", "ACCEPT"]
FIRST_BATCH_TIMEOUT_S = 900
NEEDS_ROOT = (
    "the part starts a Docker engine of its own, which needs root: "
    'sudo make bench ARGS="--only fresh"'
)


@contextlib.contextmanager
def fresh_engine() -> Iterator[dict[str, str]]:
    """A Docker engine of the bench's own, empty; yields the environment that points the
    docker CLI (and compose, and make) at it."""
    if os.geteuid() != 0:
        raise RuntimeError(NEEDS_ROOT)
    shutil.rmtree(ENGINE_ROOT, ignore_errors=True)
    run("ip", "link", "add", "name", BRIDGE, "type", "bridge")
    run("ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE)
    run("ip", "link", "set", BRIDGE, "up")
    # Bridged traffic passes the host's FORWARD chain, whose policy Docker sets to DROP.
    allowed = run("iptables", "-I", *ALLOW).returncode == 0
    engine = subprocess.Popen(
        [
            "dockerd",
            *("--data-root", str(ENGINE_ROOT), "--exec-root", str(EXEC_ROOT)),
            *("--host", DOCKER_HOST, "--pidfile", f"{EXEC_ROOT}.pid"),
            *("--bridge", BRIDGE, "--default-address-pool", f"base={POOL},size=24"),
            *("--iptables=false", "--ip6tables=false"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    env = {"DOCKER_HOST": DOCKER_HOST}
    try:
        wait_until(
            lambda: docker_ok(env), timeout=60, interval=0.5, what="the bench's own Docker engine"
        )
        yield env
    finally:
        os.killpg(engine.pid, signal.SIGTERM)
        engine.wait(timeout=60)
        if allowed:
            run("iptables", "-D", *ALLOW)
        for bridge in [BRIDGE, *bridges_in_pool()]:
            run("ip", "link", "delete", bridge)
        for folder in (ENGINE_ROOT, EXEC_ROOT):
            shutil.rmtree(folder, ignore_errors=True)


def bridges_in_pool() -> list[str]:
    """The network interfaces the fresh engine's networks left (it stopped before `make
    down` removed them): those with an address in its pool."""
    out = subprocess.run(
        ["ip", "-o", "-4", "addr", "show"], check=False, capture_output=True, text=True
    ).stdout
    pool = ipaddress.ip_network(POOL)
    return [
        fields[1]
        for fields in (line.split() for line in out.splitlines())
        if len(fields) > 3 and ipaddress.ip_interface(fields[3]).ip in pool
    ]


def run(*command: str) -> subprocess.CompletedProcess:
    """A host command whose failure the caller reads (an interface already gone, say)."""
    return subprocess.run(command, check=False, capture_output=True)


def docker_ok(env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["docker", "version"], env={**os.environ, **env}, capture_output=True, check=False
    )
    return done.returncode == 0


def load_base_image(env: dict[str, str], image: str) -> str:
    """The base image the prerequisites gave the learner's engine (STREAMLAB_BASE_IMAGE),
    copied into the fresh one (the default base image is pulled by the build itself when a
    registry answers)."""
    if not image:
        return "(pulled by the build)"
    saved = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
    subprocess.run(
        ["docker", "load", "-q"],
        stdin=saved.stdout,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    if saved.wait() != 0:
        raise RuntimeError(f"docker save {image} failed: is it loaded (make prereqs)?")
    return image


STEP = re.compile(r"^#(\d+) \[(?P<name>[^\]]+)\] ")
DONE = re.compile(r"^#(\d+) DONE (\d+(?:\.\d+)?)s$")
STEP_NUMBER = re.compile(r"\s*\d+/\d+$")


def stage_seconds(progress: str) -> dict[str, float]:
    """BuildKit's plain progress (`#12 [spark-master spark-runtime 3/7] RUN ...`, then
    `#12 DONE 41.3s`): seconds per build stage, its steps summed (stages run side by side, so
    they add up to more than the build's wall time). BuildKit's own steps are left out: the
    build definition and the context (`[kafka internal]`), and the export, which compose names
    by its service alone (`[kafka] exporting to image`)."""
    names: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for line in progress.splitlines():
        if step := STEP.match(line):
            words = step.group("name").split()
            if len(words) > 1 and words[-1] != "internal":
                names.setdefault(step.group(1), STEP_NUMBER.sub("", step.group("name")))
        elif (done := DONE.match(line)) and done.group(1) in names:
            stage = names.pop(done.group(1))
            seconds[stage] = round(seconds.get(stage, 0.0) + float(done.group(2)), 1)
    return dict(sorted(seconds.items(), key=lambda kv: -kv[1]))


def demo_from_nothing(env: dict[str, str]) -> dict:
    """`make demo` on the fresh engine: the moments at which the build ended, the stack was
    healthy (make up's URLs) and the first batch was printed."""
    marks: dict[str, float] = {}

    def seen(line: str, seconds: float) -> None:
        if "naming to" in line or "exporting to image" in line:
            marks["built"] = seconds
        elif line.lstrip().startswith("JupyterLab "):  # make up's URLs: all healthy
            marks.setdefault("healthy", seconds)

    first, lines = demo_to_first_batch(
        {**env, "BUILDKIT_PROGRESS": "plain"}, seen, timeout=FIRST_BATCH_TIMEOUT_S
    )
    built = marks.get("built", 0.0)
    healthy = marks.get("healthy", built)
    return {
        "first_batch_s": round(first, 1),
        "build_s": round(built, 1),
        "start_s": round(healthy - built, 1),
        "to_batch_s": round(first - healthy, 1),
        "stages_s": stage_seconds("\n".join(lines)),
    }


def measure(run: Run) -> None:
    if os.geteuid() != 0:  # a full run by a user goes on without this part, and says why
        run.result["fresh"] = {"skipped": NEEDS_ROOT}
        log(f"fresh: skipped: {NEEDS_ROOT}")
        return
    # The bench's stack on the learner's engine holds the bench's ports: down first.
    compose("down", "--volumes", "--remove-orphans")
    with fresh_engine() as env:
        base = load_base_image(env, run.settings.get("STREAMLAB_BASE_IMAGE", ""))
        log(f"fresh: a Docker engine of the bench's own, base image {base}; make demo")
        result = demo_from_nothing(env)
        subprocess.run(
            ["make", "--no-print-directory", "down"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=False,
            capture_output=True,
        )
    run.result["fresh"] = {"base_image": base, **result}
