"""Failures that learners cause, each in the middle of a stream: afterwards the summed results
equal the produced corpus exactly (no lost line, no double count)."""

from __future__ import annotations

import logging
import subprocess
import zlib
from collections.abc import Callable

import pytest
from testcontainers.compose import DockerCompose

from tests.support.stack import compose, compose_ps, container_logs
from tests.support.wait import wait_until
from tests.support.wordcount import (
    finish,
    make_corpus,
    new_topic,
    results,
    resume,
    stream,
    submit,
    wait_for_counts,
)

pytestmark = [pytest.mark.integration, pytest.mark.fault]
log = logging.getLogger(__name__)

WARM_UP = 200  # lines counted before the fault, proving the job runs
LINES = 4_000
INTERVAL = 0.004  # about 16 s of producing, so the fault lands mid-stream


def through_fault(settings, name: str, fault: Callable[[str], None]) -> dict:
    """Job running and counting, a stream of lines, the fault mid-stream, then exact totals."""
    topic = new_topic(name)
    compose(
        "exec", "-T", "kafka", "kafka-topics", "--bootstrap-server", "kafka:9092",
        "--create", "--topic", topic, "--partitions", "3", "--replication-factor", "1",
    )  # fmt: skip
    warm_up, warm_expected = make_corpus(WARM_UP, seed=1)
    corpus, expected = make_corpus(LINES, seed=zlib.crc32(name.encode()))
    submit(topic)
    try:
        finish(stream(settings, topic, warm_up, 0))
        wait_until(lambda: results(topic)["batches"] > 0, timeout=180, what="a first batch")
        streamer = stream(settings, topic, corpus, INTERVAL)
        wait_until(lambda: results(topic)["batches"] > 1, timeout=60, what="a streamed batch")
        assert streamer.poll() is None, "the corpus was sent before the fault; raise LINES"
        log.info("%s: fault", name)
        fault(topic)
        summary = finish(streamer)
        assert summary["lines"] == LINES, f"the producer acknowledged {summary['lines']} lines"
        final = wait_for_counts(topic, dict(warm_expected + expected), timeout=300)
    except BaseException:
        log.error(
            "%s failed; the job's log ends with:\n%s", name, container_logs("wordcount")[-4000:]
        )
        raise
    log.info("%s: exact after %d batches", name, final["batches"])
    return final


def test_driver_killed_with_sigkill_then_resubmitted(stack: DockerCompose, settings):
    def fault(topic: str) -> None:
        compose("kill", "-s", "SIGKILL", "wordcount")
        resume(topic)  # the same topic, hence the same checkpoint

    through_fault(settings, "kill-driver", fault)


def test_one_of_two_workers_killed(stack: DockerCompose, settings):
    first: list[str] = []

    def fault(topic: str) -> None:
        # The job's executor runs on the first worker; a second joins, then the first dies.
        first.extend(compose("ps", "-q", "spark-worker").stdout.split())
        compose("up", "-d", "--wait", "--no-recreate", "--scale", "spark-worker=2", "spark-worker")
        workers = compose("ps", "-q", "spark-worker").stdout.split()
        assert len(workers) == 2, f"expected 2 workers, found {workers}"
        subprocess.run(["docker", "kill", *first], check=True, capture_output=True)

    try:
        through_fault(settings, "kill-worker", fault)
        state = compose("ps", "--format", "{{.State}}", "wordcount").stdout.strip()
        assert state == "running", f"the job is {state} after losing a worker"
    finally:  # back to one healthy worker, without the dead container
        if first:
            subprocess.run(["docker", "rm", "-f", *first], check=True, capture_output=True)
        compose("up", "-d", "--wait", "--scale", "spark-worker=1", "spark-worker")


def test_kafka_broker_restarted(stack: DockerCompose, settings):
    through_fault(settings, "restart-kafka", lambda topic: compose("restart", "kafka"))
    compose("up", "-d", "--wait", "kafka")


def test_zookeeper_restarted(stack: DockerCompose, settings):
    through_fault(settings, "restart-zookeeper", lambda topic: compose("restart", "zookeeper"))
    compose("up", "-d", "--wait", "zookeeper", "kafka")


def test_security_defaults(stack: DockerCompose, settings):
    """No container runs as root, and no image layer holds a secret (the Jupyter token)."""
    containers = compose("ps", "-q").stdout.split()
    assert containers, "no container is running"
    for container in containers:
        uid = subprocess.run(["docker", "exec", container, "id", "-u"],
                             check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
        assert uid != "0", f"container {container} runs as root"
    token = settings["STREAMLAB_JUPYTER_TOKEN"]
    images = {record["Image"] for record in compose_ps()}
    for image in images:
        history = subprocess.run(["docker", "history", "--no-trunc", image],
                                 check=True, capture_output=True, text=True).stdout  # fmt: skip
        config = subprocess.run(["docker", "image", "inspect", image],
                                check=True, capture_output=True, text=True).stdout  # fmt: skip
        for text, where in ((history, "history"), (config, "config")):
            assert token not in text, f"the Jupyter token is baked into {image}'s {where}"
            assert "JUPYTER_TOKEN=" not in text, f"{image}'s {where} sets a Jupyter token"
