"""Before `make up`: a running server whose last health check failed is given its next check.

A server's check that ran while a server it needs was away (the broker's while ZooKeeper
restarted, the worker's while the master was recreated) leaves it "unhealthy" until its next
check, up to an interval later, though it serves again. `compose up --wait` fails at once on
an unhealthy container instead of waiting for that check (docker/compose#9092), so `make up`
just after such a restart would fail on a server that is fine. This waits, per container, until
its next check has answered (and no longer): a server that is really broken is still reported,
by compose, one check later. It never fails by itself: a changed setting may recreate the
container, which only `up` does.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from streamlab.config import env_file_args

SLACK_S = 5  # the engine starts a check a little after its interval
NS = 1e9

Inspect = Callable[[Sequence[str]], list[dict[str, Any]]]


def check_time(stamp: str) -> float:
    """Epoch seconds of a health log's time stamp (Docker writes nanoseconds, Python reads
    microseconds)."""
    return datetime.fromisoformat(
        re.sub(r"(\.\d{6})\d+", r"\1", stamp).replace("Z", "+00:00")
    ).timestamp()


def unhealthy(inspected: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, float, float]]:
    """The running containers whose last check failed: id -> (service, when that check ended,
    when the next one will have answered)."""
    out = {}
    for container in inspected:
        health = container["State"].get("Health") or {}
        labels = container["Config"].get("Labels") or {}
        if labels.get("com.docker.compose.oneoff") == "True":
            continue  # `compose run` of a server's image (a producer): its check means nothing
        if not container["State"].get("Running") or health.get("Status") != "unhealthy":
            continue
        check = container["Config"].get("Healthcheck") or {}
        last = check_time(health["Log"][-1]["End"]) if health.get("Log") else time.time()
        answered = last + (check.get("Interval", 0) + check.get("Timeout", 0)) / NS + SLACK_S
        service = labels.get("com.docker.compose.service", container["Id"])
        out[container["Id"]] = (service, last, answered)
    return out


def wait_for_next_checks(
    inspect: Inspect,
    ids: Sequence[str],
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Waits until every unhealthy container among `ids` is healthy, or its next check has
    failed too, or that check is overdue; the services still unhealthy."""
    waiting = unhealthy(inspect(ids))
    if waiting:
        names = ", ".join(sorted(service for service, _, _ in waiting.values()))
        longest = max(answered for _, _, answered in waiting.values()) - now()
        print(
            f"streamlab: the last health check of {names} failed (a server it needs may have "
            f"restarted): waiting for the next one, up to {max(longest, 0):.0f} s.",
            file=sys.stderr,
        )
    still: list[str] = []
    while waiting:
        current = {c["Id"]: c for c in inspect(list(waiting))}
        for container, (service, last, answered) in list(waiting.items()):
            health = (current.get(container, {}).get("State") or {}).get("Health") or {}
            log = health.get("Log") or []
            checked_again = bool(log) and check_time(log[-1]["End"]) > last
            if health.get("Status") == "healthy" or not current.get(container):
                if current.get(container):
                    print(f"streamlab: {service} is healthy again.", file=sys.stderr)
                del waiting[container]
            elif checked_again or now() > answered:
                still.append(service)
                del waiting[container]
        if waiting:
            sleep(1)
    return sorted(still)


def docker_inspect(ids: Sequence[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    result = subprocess.run(
        ["docker", "inspect", *ids], capture_output=True, text=True, check=False, timeout=60
    )
    # A container removed meanwhile makes inspect exit 1 with the others still printed.
    return json.loads(result.stdout or "[]")


def running_ids(compose: Sequence[str] = ("docker", "compose")) -> list[str]:
    """The ids of this project's running containers (none where compose cannot tell)."""
    try:
        result = subprocess.run(
            [*compose, *env_file_args(), "ps", "-q"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return result.stdout.split()
