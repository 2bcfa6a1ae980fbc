"""From a stopped stack with the images built: `docker compose up` to all healthy, then
`make demo` to the first printed batch."""

from __future__ import annotations

from bench.lab import Run, demo_to_first_batch, timed
from streamlab.compose import CORE_SERVICES, compose


def startup() -> dict:
    """`docker compose up` to all healthy, then `make demo` to the first printed batch; both
    from a stopped stack with the images built."""
    compose("down", "--volumes", "--remove-orphans")
    healthy = timed(lambda: compose("up", "-d", "--wait", "--wait-timeout", "300", *CORE_SERVICES))
    compose("down", "--volumes", "--remove-orphans")
    first, _ = demo_to_first_batch()
    return {"healthy_s": round(healthy, 1), "first_batch_s": round(first, 1)}


def measure(run: Run) -> None:
    run.result["startup"] = startup()
