"""`make up` (and `make submit`, `make produce`): a server that a restart left "unhealthy" is
given its next health check before compose is asked to wait for it.

A server's check that ran while a server it needs was away (the broker's while ZooKeeper
restarted, the worker's while the master was recreated) leaves it unhealthy until its next
check, up to an interval later, though it serves again. Compose fails at once on an unhealthy
container instead of waiting for that check (docker/compose#9092), so `make up` just after
such a restart would fail on a server that is fine. So this waits, per container, until its
next check has answered, and no longer; and only where another container of the lab started
after the failed check began (else nothing explains the failure, and compose reports it at
once). It never fails by itself: compose, run next, says what is wrong.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from streamlab.config import load_settings

SLACK_S = 5  # the engine starts a check a little after its interval
NS = 1e9
DEFAULT_S = 30  # Docker's interval and timeout where a check names neither
# The jobs profile's services: `make up` neither starts nor waits for them, `make submit`
# recreates the job, and the producer's run ends.
JOB_SERVICES = frozenset({"wordcount", "producer"})

Inspect = Callable[[Sequence[str]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Stale:
    """A container whose last check failed after another container started."""

    name: str  # the service, and its number when scaled (spark-worker-2)
    checked: float  # when the failed check ended, on the engine's clock
    deadline: float  # when its next check is overdue, on this machine's clock


def check_time(stamp: str) -> float:
    """Epoch seconds of one of Docker's time stamps (RFC 3339, nanoseconds)."""
    return datetime.fromisoformat(stamp).timestamp()


def container_name(container: Mapping[str, Any]) -> str:
    labels = container["Config"].get("Labels") or {}
    service = labels.get("com.docker.compose.service", container["Name"].lstrip("/"))
    number = labels.get("com.docker.compose.container-number", "1")
    return service if number == "1" else f"{service}-{number}"


def stale(inspected: Sequence[Mapping[str, Any]], now: float) -> dict[str, Stale]:
    """The running servers whose last check failed, where another container started after that
    check began: id -> Stale. The next check's time comes from the engine's time stamps, but is
    kept within one interval and timeout from `now`, so that two clocks that disagree (a VM's)
    cannot make the wait longer than one check."""
    running = [c for c in inspected if c["State"].get("Running")]
    started = {c["Id"]: check_time(c["State"]["StartedAt"]) for c in running}
    out = {}
    for container in running:
        labels = container["Config"].get("Labels") or {}
        health = container["State"].get("Health") or {}
        if (
            labels.get("com.docker.compose.oneoff") == "True"  # `compose run` of a server's image
            or labels.get("com.docker.compose.service") in JOB_SERVICES
            or health.get("Status") != "unhealthy"
            or not health.get("Log")
        ):
            continue
        last = health["Log"][-1]
        began = check_time(last["Start"])
        if not any(t > began for other, t in started.items() if other != container["Id"]):
            continue
        check = container["Config"].get("Healthcheck") or {}
        one_check = sum((check.get(key) or DEFAULT_S * NS) / NS for key in ("Interval", "Timeout"))
        ended = check_time(last["End"])
        remaining = min(max(ended + one_check - now, 0.0), one_check)
        out[container["Id"]] = Stale(container_name(container), ended, now + remaining + SLACK_S)
    return out


def say(message: str) -> None:
    print(f"streamlab: {message}", file=sys.stderr)


def wait_for_next_checks(
    inspect: Inspect,
    ids: Sequence[str],
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Waits until every stale container among `ids` is healthy, stopped, or its next check has
    failed too or is overdue; the names of those still unhealthy, for compose to report."""
    waiting = stale(inspect(ids), now())
    if waiting:
        names = ", ".join(sorted(s.name for s in waiting.values()))
        longest = max(s.deadline for s in waiting.values()) - now()
        say(
            f"the last health check of {names} ran while another server of the lab was "
            f"restarting: waiting for the next one, up to {longest:.0f} s."
        )
    still: list[str] = []
    while waiting:
        current = {c["Id"]: c for c in inspect(list(waiting))}
        for container, known in list(waiting.items()):
            state = current.get(container, {}).get("State") or {}
            health = state.get("Health") or {}
            log = health.get("Log") or []
            if not state.get("Running"):  # removed or stopped meanwhile: nothing to wait for
                del waiting[container]
            elif health.get("Status") == "healthy":
                say(f"{known.name} is healthy again.")
                del waiting[container]
            elif log and check_time(log[-1]["End"]) > known.checked:
                say(f"the next health check of {known.name} failed too.")
                still.append(known.name)
                del waiting[container]
            elif now() > known.deadline:
                say(f"the next health check of {known.name} has not come.")
                still.append(known.name)
                del waiting[container]
        if waiting:
            sleep(1)
    return sorted(still)


def docker_inspect(ids: Sequence[str]) -> list[dict[str, Any]]:
    """The containers' records; those removed meanwhile are left out (inspect exits 1 and
    prints the others), and an engine that does not answer gives none."""
    if not ids:
        return []
    try:
        result = subprocess.run(
            ["docker", "inspect", *ids], capture_output=True, text=True, check=False, timeout=60
        )
        return list(json.loads(result.stdout or "[]"))
    except (OSError, subprocess.SubprocessError, json.JSONDecodeError):
        return []


def project_ids() -> list[str]:
    """The ids of the lab's running containers, whatever profile or compose file started them
    (by compose's project label: `compose ps` lists only the services of the files it reads)."""
    label = f"label=com.docker.compose.project={load_settings()['COMPOSE_PROJECT_NAME']}"
    try:
        result = subprocess.run(
            ["docker", "ps", "-q", "--filter", label],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return result.stdout.split()
