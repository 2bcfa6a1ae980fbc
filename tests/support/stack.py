"""Running commands against the lab's compose project, as the Makefile does."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from streamlab.config import ROOT, env_file_args

# The `jobs` and `ha` profiles make the job services and the extra brokers known, so that ps,
# exec and down see them too (up starts only the services it is given).
COMPOSE = ["docker", "compose", "--profile", "jobs", "--profile", "ha", *env_file_args()]
CORE_SERVICES = ["zookeeper", "kafka", "spark-master", "spark-worker", "jupyter"]
HA_BROKERS = ["kafka-2", "kafka-3"]
# Settings of the brokers' host ports (EXTERNAL listeners), broker 1 first.
BROKER_PORTS = ["STREAMLAB_KAFKA_HOST_PORT", "STREAMLAB_KAFKA_2_HOST_PORT",
                "STREAMLAB_KAFKA_3_HOST_PORT"]  # fmt: skip


def host_bootstrap(settings: dict[str, str], brokers: int = 1) -> str:
    """The first `brokers` brokers as the host reaches them (127.0.0.1, published ports)."""
    return ",".join(f"127.0.0.1:{settings[key]}" for key in BROKER_PORTS[:brokers])


def internal_bootstrap(brokers: int = 1) -> str:
    """The same brokers as the containers reach them."""
    return ",".join(["kafka:9092", *(f"{name}:9092" for name in HA_BROKERS)][:brokers])


def compose(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Runs a compose command (with the `jobs` profile, so the job services are known)."""
    result = subprocess.run(
        [*COMPOSE, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:  # an error, not an assertion: polls may retry it
        raise RuntimeError(f"compose {args} failed: {result.stderr[-2000:]}")
    return result


def compose_ps() -> list[dict[str, Any]]:
    """`docker compose ps` as records (compose prints one JSON object a line, or a list)."""
    out = compose("ps", "--all", "--format", "json").stdout
    records: list[dict[str, Any]] = []
    for line in out.splitlines():
        if line.strip():
            parsed = json.loads(line)
            records.extend(parsed if isinstance(parsed, list) else [parsed])
    return records


def exec_in(service: str, *command: str, stdin: str | None = None) -> str:
    """Runs a command in a service's container and returns its stdout; fails on non-zero exit."""
    result = subprocess.run(
        [*COMPOSE, "exec", "-T", service, *command],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )
    if result.returncode != 0:  # an error, not an assertion: polls may retry it
        raise RuntimeError(
            f"{command} in {service} exited {result.returncode}: {result.stderr[-2000:]}"
        )
    return result.stdout


def container_logs(service: str) -> str:
    """A service's output exactly as printed (compose's own `logs` adds terminal escapes)."""
    container = compose("ps", "-q", service).stdout.split()
    assert container, f"{service} has no container"
    result = subprocess.run(
        ["docker", "logs", container[0]], check=True, capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr
