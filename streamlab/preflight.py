"""Checks run before compose, so that common mistakes get a sentence instead of a stack trace.

python -m streamlab.preflight engine    # Docker does not answer, or its engine is too old
python -m streamlab.preflight ports     # a published port is taken by another program
python -m streamlab.preflight mirrors   # a configured mirror does not answer
python -m streamlab.preflight ha-ports  # the same for the replicated profile's extra brokers
python -m streamlab.preflight health    # a server left unhealthy by a restart: its next check
                                        # (after `up -d`, before `up --wait`: streamlab.health)
"""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from streamlab import health
from streamlab.compose import parse_ps
from streamlab.config import env_file_args, load_settings

# Settings that name a host port, and the service that publishes it.
PUBLISHED_PORTS = {
    "STREAMLAB_KAFKA_HOST_PORT": "kafka",
    "STREAMLAB_SPARK_UI_PORT": "spark-master",
    "STREAMLAB_JUPYTER_PORT": "jupyter",
    "STREAMLAB_APP_UI_PORT": "jupyter",
    "STREAMLAB_JOB_UI_PORT": "wordcount",
    "STREAMLAB_HISTORY_PORT": "history",
}
# Published only with the metrics profile (`make up METRICS=1`).
METRICS_PORTS = {"STREAMLAB_PROMETHEUS_PORT": "prometheus"}
# Published only with the replicated profile (`make up HA=1`).
HA_PORTS = {
    "STREAMLAB_KAFKA_2_HOST_PORT": "kafka-2",
    "STREAMLAB_KAFKA_3_HOST_PORT": "kafka-3",
}
MIRRORS = {
    "STREAMLAB_PIP_FIND_LINKS": "the Python wheelhouse",
    "STREAMLAB_PIP_INDEX_URL": "the Python package index",
    "STREAMLAB_MAVEN_REPO_URL": "the Maven repository",
}


@dataclass(frozen=True)
class Problem:
    """One thing that stops the lab from starting, and what to do about it."""

    setting: str
    message: str


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen there now. SO_REUSEADDR, as servers (and Docker's port
    proxy) set it: connections in TIME_WAIT after a stack stopped do not count as taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def ports_in_use_by_stack(compose: Iterable[str] = ("docker", "compose")) -> set[int]:
    """Host ports that this project's own running containers publish (they may stay taken)."""
    try:
        result = subprocess.run(
            [*compose, *env_file_args(), "ps", "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {
        int(publisher["PublishedPort"])
        for entry in parse_ps(result.stdout)
        for publisher in entry.get("Publishers") or []
        if publisher.get("PublishedPort")
    }


def check_ports(
    settings: Mapping[str, str],
    own_ports: set[int],
    published: Mapping[str, str] = PUBLISHED_PORTS,
) -> list[Problem]:
    problems = []
    for setting, service in published.items():
        port = int(settings[setting])
        if port in own_ports or port_is_free(port):
            continue
        problems.append(
            Problem(
                setting,
                f"port {port} on 127.0.0.1 (for {service}) is taken by another program. "
                f"Stop that program, or choose another port: {setting}=<port> in .env.local.",
            )
        )
    return problems


# The health checks probe every second while a server starts (healthcheck.start_interval),
# which Docker Engine 25 (API 1.44) introduced; Compose refuses the file on older engines.
MIN_ENGINE = 25


def engine_version() -> str | None:
    """The Docker engine's version, or None when no engine answers."""
    try:
        done = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and version else None


def check_engine(version: str | None) -> list[Problem]:
    if version is None:
        return [
            Problem(
                "docker",
                "Docker does not answer: start Docker Desktop, or the Docker engine "
                "(on Debian bookworm: sudo bash scripts/offline-prereqs.sh), then try again.",
            )
        ]
    major = version.split(".")[0]
    if major.isdigit() and int(major) < MIN_ENGINE:
        return [
            Problem(
                "docker",
                f"Docker Engine {version} is older than {MIN_ENGINE}, which the lab's health "
                "checks need (start_interval): upgrade Docker (Docker Desktop 4.27 or later; "
                "on Debian bookworm, sudo bash scripts/offline-prereqs.sh installs Debian "
                "trixie's engine).",
            )
        ]
    return []


def url_answers(url: str, timeout: float = 5.0) -> str | None:
    """None when the URL answers (any HTTP status counts), else the reason it does not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, OSError, ValueError) as error:
        return str(getattr(error, "reason", error))


def check_mirrors(settings: Mapping[str, str]) -> list[Problem]:
    problems = []
    for setting, what in MIRRORS.items():
        url = settings.get(setting, "")
        if not url.startswith(("http://", "https://")):
            continue
        reason = url_answers(url)
        if reason is not None:
            problems.append(
                Problem(
                    setting,
                    f"{what} at {url} ({setting}) does not answer: {reason}. "
                    "Start it (scripts/offline-prereqs.sh serves the lab's mirrors), "
                    f"or remove {setting} from .env.local to use the tool's default source.",
                )
            )
    return problems


def main(argv: list[str]) -> int:
    checks = argv or ["ports", "mirrors"]
    settings = load_settings()
    problems: list[Problem] = []
    if "engine" in checks:
        problems += check_engine(engine_version())
        if problems:  # without an engine the other checks mean nothing
            print(f"streamlab: {problems[0].message}", file=sys.stderr)
            return 1
    if "mirrors" in checks:
        problems += check_mirrors(settings)
    published = {
        **(PUBLISHED_PORTS if "ports" in checks else {}),
        **(HA_PORTS if "ha-ports" in checks else {}),
        **(METRICS_PORTS if "metrics-ports" in checks else {}),
    }
    if published:
        problems += check_ports(settings, ports_in_use_by_stack(), published)
    for problem in problems:
        print(f"streamlab: {problem.message}", file=sys.stderr)
    if "health" in checks and not problems:
        health.wait_for_next_checks(health.docker_inspect, health.project_ids())
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
