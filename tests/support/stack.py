"""The lab's services as the tests see them; compose helpers live in streamlab.compose."""

from __future__ import annotations

from testcontainers.compose import DockerCompose

from streamlab.compose import (
    COMPOSE,
    CORE_SERVICES,
    compose,
    compose_ps,
    container_logs,
    exec_in,
)
from streamlab.config import ROOT, env_files

__all__ = ["COMPOSE", "CORE_SERVICES", "compose", "compose_ps", "container_logs", "exec_in"]

HA_BROKERS = ["kafka-2", "kafka-3"]
# Settings of the brokers' host ports (EXTERNAL listeners), broker 1 first.
BROKER_PORTS = [
    "STREAMLAB_KAFKA_HOST_PORT",
    "STREAMLAB_KAFKA_2_HOST_PORT",
    "STREAMLAB_KAFKA_3_HOST_PORT",
]


def start_stack() -> DockerCompose:
    """The lab's core services in the current compose project (COMPOSE_PROJECT_NAME), built
    from cache when nothing changed, each healthy; the tests submit the jobs themselves."""
    stack = DockerCompose(
        context=ROOT,
        env_file=env_files(),
        build=True,
        wait=True,
        profiles=["jobs"],
        services=CORE_SERVICES,
    )
    stack.start()
    return stack


def stop_stack() -> None:
    """All services of the current project, the job containers included, and its volumes
    (DockerCompose.stop would pass only CORE_SERVICES to `down`)."""
    compose("down", "--volumes", "--remove-orphans")


def host_bootstrap(settings: dict[str, str], brokers: int = 1) -> str:
    """The first `brokers` brokers as the host reaches them (127.0.0.1, published ports)."""
    return ",".join(f"127.0.0.1:{settings[key]}" for key in BROKER_PORTS[:brokers])


def internal_bootstrap(brokers: int = 1) -> str:
    """The same brokers as the containers reach them."""
    return ",".join(["kafka:9092", *(f"{name}:9092" for name in HA_BROKERS)][:brokers])
