"""Polling instead of sleeping: readiness is observed, never assumed (tests and benchmarks)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None], timeout: float, interval: float = 0.5, what: str = "condition"
) -> T:
    """Calls `probe` until it returns a truthy value, and returns that value.

    Exceptions raised by the probe count as "not yet" (the last one is reported on timeout),
    except AssertionError: a probe asserts what must never happen, and that fails at once.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except AssertionError:
            raise
        except Exception as error:  # the system under test is not ready yet
            last_error = error
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not met within {timeout:.0f} s (last error: {last_error})")
        time.sleep(interval)
