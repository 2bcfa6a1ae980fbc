"""Compose commands against the lab's project from the host, as the Makefile runs them; for the
tests, the benchmarks and the Makefile's own checks (streamlab.topics). The project name comes
from .env, or from COMPOSE_PROJECT_NAME in the environment (the tools use projects of their
own, so they never touch the lab's volumes).

testcontainers' DockerCompose starts the tests' stack and waits for it (tests/support/stack.py),
and only that: it is a test dependency, and these helpers also serve `make submit` and the
bench, which do without it; its exec_in_container cannot pick the user nor feed stdin (the
jupyter service starts as root, its notebooks run as `spark`), and its get_logs reads
`docker compose logs`, prefixed, where a job's output must be read exactly as printed."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from streamlab.config import ROOT, env_file_args

# The `jobs`, `ha` and `metrics` profiles make the job services, the extra brokers and
# Prometheus known, so that ps, exec and down see them too (up starts only the services it is
# given).
# The lab's services that `make up` starts (the jobs and the other profiles' come on request).
CORE_SERVICES = ["zookeeper", "kafka", "spark-master", "spark-worker", "history", "jupyter"]
COMPOSE = [
    *("docker", "compose", "--profile", "jobs", "--profile", "ha", "--profile", "metrics"),
    *env_file_args(),
]


def run_compose(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """A compose command's result, whatever its exit status."""
    return subprocess.run(
        [*COMPOSE, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def compose(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Runs a compose command; raises RuntimeError with compose's own message if it fails."""
    result = run_compose(*args, env=env, stdin=stdin, timeout=timeout)
    if result.returncode != 0:  # an error, not an assertion: polls may retry it
        why = exited_servers() if "up" in args else ""
        raise RuntimeError(f"compose {args} failed: {result.stderr[-2000:]}{why}")
    return result


def exited_servers(lines: int = 40) -> str:
    """The last lines of every container of the project that exited with an error: when `up`
    fails because a server died, its own last words say why (compose says only that it
    exited), also in a CI log where nobody can look at the container afterwards."""
    told = []
    try:
        for record in compose_ps():
            if record.get("State") == "exited" and record.get("ExitCode", 0) != 0:
                log = container_logs(record["Service"]).splitlines()[-lines:]
                told += [f"\n--- {record['Service']} exited {record['ExitCode']}:", *log]
    except (RuntimeError, ValueError, subprocess.SubprocessError):
        pass  # the failure of `up` is the news; this is only its explanation
    return "\n".join(told)


def parse_ps(out: str) -> list[dict[str, Any]]:
    """`docker compose ps --format json` as records (one JSON object a line, or a list)."""
    records: list[dict[str, Any]] = []
    for line in out.splitlines():
        if line.strip():
            parsed = json.loads(line)
            records.extend(parsed if isinstance(parsed, list) else [parsed])
    return records


def compose_ps() -> list[dict[str, Any]]:
    return parse_ps(compose("ps", "--all", "--format", "json").stdout)


def create_topic(
    topic: str, partitions: int = 3, replication: int = 1, if_not_exists: bool = False
) -> None:
    """Creates a topic with the image's kafka-topics over the internal listener; replicated
    topics need all but one replica in sync, as `make topic HA=1` makes them."""
    replicas = ["--replication-factor", str(replication)]
    if if_not_exists:
        replicas.append("--if-not-exists")
    if replication > 1:
        replicas += ["--config", f"min.insync.replicas={replication - 1}"]
    exec_in(
        "kafka",
        "kafka-topics",
        "--bootstrap-server",
        "kafka:9092",
        "--create",
        "--topic",
        topic,
        "--partitions",
        str(partitions),
        *replicas,
    )


# Services that compose starts as root, and the user their commands run as: jupyter's
# entrypoint gives `spark` the notebooks' owner's uid, then drops root.
EXEC_USERS = {"jupyter": "spark"}


def exec_in(
    service: str,
    *command: str,
    stdin: str | None = None,
    timeout: float = 300,
    container: str | None = None,
) -> str:
    """Runs a command in a service's container, as its server's user, and returns its stdout;
    fails on non-zero exit. `container`: that container's id, where `compose exec` could pick
    another of the service (a one-off `compose run kafka ...`, as the bench's load runs)."""
    user = ["--user", EXEC_USERS[service]] if service in EXEC_USERS else []
    if container is None:
        result = run_compose("exec", "-T", *user, service, *command, stdin=stdin, timeout=timeout)
    else:
        interactive = ["-i"] if stdin is not None else []
        result = subprocess.run(
            ["docker", "exec", *interactive, *user, container, *command],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:  # an error, not an assertion: polls may retry it
        raise RuntimeError(
            f"{command} in {service} exited {result.returncode}: {result.stderr[-2000:]}"
        )
    return result.stdout


def container_id(service: str) -> str:
    """The id of a service's container, running or exited."""
    container = compose("ps", "--all", "-q", service).stdout.split()
    if not container:
        raise RuntimeError(f"{service} has no container")
    return container[0]


def container_logs(service: str) -> str:
    """A service's output exactly as printed (compose's own `logs` adds terminal escapes), of
    a running or an exited container."""
    result = subprocess.run(
        ["docker", "logs", container_id(service)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout + result.stderr


def exit_status(service: str) -> tuple[str, int]:
    """(state, exit code) of a service's container: ("running", 0), ("exited", 2)..."""
    result = subprocess.run(
        [
            "docker",
            "inspect",
            "--format",
            "{{.State.Status}} {{.State.ExitCode}}",
            container_id(service),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    state, code = result.stdout.split()
    return state, int(code)
