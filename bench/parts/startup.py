"""From a stopped stack with the images built: `docker compose up` to all healthy, then
`make demo` to the first printed batch."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from bench.lab import Run, timed
from streamlab.compose import CORE_SERVICES, compose
from streamlab.config import ROOT


def startup() -> dict:
    """`docker compose up` to all healthy, then `make demo` to the first printed batch; both
    from a stopped stack with the images built."""
    compose("down", "--volumes", "--remove-orphans")
    healthy = timed(lambda: compose("up", "-d", "--wait", "--wait-timeout", "300", *CORE_SERVICES))
    compose("down", "--volumes", "--remove-orphans")
    demo = subprocess.Popen(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started = time.monotonic()
    printed = threading.Event()

    def follow() -> None:
        assert demo.stdout is not None  # opened with stdout=PIPE
        for line in demo.stdout:
            if line.startswith("Time: "):
                printed.set()

    threading.Thread(target=follow, daemon=True).start()
    try:
        if not printed.wait(timeout=300):
            raise RuntimeError("make demo printed no batch within 300 s")
        first = time.monotonic() - started
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=60)
    return {"healthy_s": round(healthy, 1), "first_batch_s": round(first, 1)}


def measure(run: Run) -> None:
    run.result["startup"] = startup()
