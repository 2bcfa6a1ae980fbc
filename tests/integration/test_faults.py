"""Failures that learners cause, each in the middle of a stream: afterwards the summed results
equal the produced corpus exactly (no lost line, no double count)."""

from __future__ import annotations

import subprocess

import pytest
import requests
from testcontainers.compose import DockerCompose

from jobs.seed import seed_totals
from streamlab.compose import container_id, create_topic, run_compose
from streamlab.config import ROOT
from streamlab.health import docker_inspect, project_ids, wait_for_next_checks
from streamlab.wait import wait_until
from tests.support.faults import partition_leaders, through_fault
from tests.support.make import make
from tests.support.stack import COMPOSE, HA_BROKERS, compose, compose_ps
from tests.support.wordcount import (
    STRUCTURED,
    produce,
    results,
    resume,
    submit,
    unique_topic,
    wait_for_counts,
)

pytestmark = pytest.mark.fault


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


def master_apps(settings) -> list[str]:
    """The names of the applications that the master lists as active."""
    port = settings["STREAMLAB_SPARK_UI_PORT"]
    master = requests.get(f"http://127.0.0.1:{port}/json/", timeout=10).json()
    return [app["name"] for app in master["activeapps"]]


def test_spark_master_recreated_under_the_job(stack: DockerCompose, settings):
    """A new master container (a restart, a changed setting, a rebuilt image) reads back its
    workers and applications from its recovery folder (spark.deploy.recoveryMode=FILESYSTEM):
    the running job goes on, the new master lists it, and the totals are exact."""
    try:
        through_fault(
            settings,
            "recreate-master",
            lambda topic: compose("up", "-d", "--force-recreate", "--no-deps", "spark-master"),
        )
        assert "streamlab-wordcount" in master_apps(settings), "the new master lost the job"
    finally:
        # The worker's check asks the master: one that ran meanwhile is failed until the next.
        still = wait_for_next_checks(docker_inspect, project_ids())
        compose("up", "-d", "--wait", "spark-master", "spark-worker")
    assert still == [], f"unhealthy after their next check: {still}"


def test_spark_worker_recreated_under_the_job(stack: DockerCompose, settings):
    """The job's only worker, and with it the job's executor, replaced mid-stream: the master
    gives the job an executor on the new worker, and the totals are exact."""
    try:
        through_fault(
            settings,
            "recreate-worker",
            lambda topic: compose("up", "-d", "--force-recreate", "--no-deps", "spark-worker"),
        )
    finally:
        compose("up", "-d", "--wait", "spark-worker")


def job_health(stale_s: int) -> tuple[int, str]:
    """The job container's own health check, run now (Docker's runs once an interval), with
    `stale_s` as the age after which a batch no longer counts as recent."""
    done = run_compose(
        "exec", "-T", "-e", f"STREAMLAB_JOB_STALE_S={stale_s}", "wordcount", "streamlab-health"
    )
    return done.returncode, done.stdout.strip()


def test_the_job_is_unhealthy_while_lines_wait_uncounted(stack: DockerCompose, settings):
    """Healthy while it counts what waits for it; unhealthy, in one line saying why, while
    lines wait in Kafka and no batch ends (here its worker is stopped); healthy again once it
    has caught up, with exact totals."""
    topic = unique_topic("job-health")
    create_topic(topic)
    submit(topic)
    produce(settings, topic, "--count", "10", "--interval", "0")
    wait_until(lambda: results(topic)["batches"] > 0, timeout=180, what="a first batch")
    assert job_health(stale_s=90)[0] == 0, "a job that has just counted is healthy"
    compose("stop", "spark-worker")
    try:
        produce(settings, topic, "--count", "50", "--interval", "0")

        def unhealthy() -> str | None:
            code, said = job_health(stale_s=5)
            return said if code == 1 else None

        said = wait_until(unhealthy, timeout=60, what="the job's health check to see the lines")
        assert "records wait in Kafka" in said, said
    finally:
        compose("up", "-d", "--wait", "spark-worker")
    wait_for_counts(topic, seed_totals(60), timeout=300)
    code, after = job_health(stale_s=5)
    assert code == 0, f"caught up, the job must be healthy: {after}"


def test_a_job_whose_first_batch_never_ends_is_unhealthy_while_lines_wait(
    stack: DockerCompose, settings
):
    """Before its first batch too: the job's lag counts from where it starts, so a job that
    cannot end a first batch (no worker to run it) while lines wait is unhealthy, in one line
    saying why; with a worker back, it counts them exactly and is healthy."""
    topic = unique_topic("first-batch")
    create_topic(topic)
    compose("stop", "spark-worker")
    try:
        # Without its dependencies: `submit` would start the worker again.
        env = {"STREAMLAB_TOPIC": topic, "STREAMLAB_JOB": STRUCTURED}
        compose("up", "-d", "--force-recreate", "--no-deps", "wordcount", env=env)
        produce(settings, topic, "--count", "60", "--interval", "0")

        def waiting() -> str | None:  # once the driver serves its lag (it starts first)
            code, said = job_health(stale_s=5)
            return said if code == 1 and "records wait" in said else None

        said = wait_until(waiting, timeout=180, what="the job's health check to see the lines")
        assert said == "job not ready: no batch yet while 60 records wait in Kafka", said
    finally:
        compose("up", "-d", "--wait", "spark-worker")
    wait_for_counts(topic, seed_totals(60), timeout=300)
    code, after = job_health(stale_s=5)
    assert code == 0, f"caught up, the job must be healthy: {after}"


def inspect(container: str, field: str) -> str:
    """A field of `docker inspect` (a Go template's path) for a container."""
    out = subprocess.run(
        ["docker", "inspect", "--format", f"{{{{{field}}}}}", container],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def test_a_crashed_broker_comes_back_by_itself(stack: DockerCompose, settings):
    """The broker's JVM killed inside its container (a crash, not a stop): Docker starts the
    container again by its restart policy, as it starts the servers when it starts itself after
    a reboot; nobody types anything, and the totals are exact."""
    policy = ".HostConfig.RestartPolicy.Name"
    assert inspect(container_id("kafka"), policy) == "unless-stopped"
    assert inspect(container_id("wordcount"), policy) == "no", (
        "a job that failed must not say it in a loop"
    )

    def crash(topic: str) -> None:
        broker = container_id("kafka")
        compose("exec", "-T", "kafka", "sh", "-c", "kill -KILL $(pidof java)")
        wait_until(
            lambda: int(inspect(broker, ".RestartCount")) > 0,
            timeout=60,
            what="Docker to start the crashed broker again",
        )

    through_fault(settings, "crash-kafka", crash, timeout=60)
    compose("up", "-d", "--wait", "kafka")


def test_power_loss_then_make_up_and_submit(stack: DockerCompose, settings):
    """What a machine's or Docker Desktop's sudden end leaves: every container of the lab
    killed at once, nothing shut down cleanly, the job mid-stream. (Docker itself is not
    restarted here: the learner's lab runs on it.) `make up` starts the servers and `make
    submit` the job, which resumes from its checkpoint: the totals are exact."""

    def power_loss(topic: str) -> None:
        running = compose("ps", "-q").stdout.split()
        subprocess.run(["docker", "kill", *running], check=True, capture_output=True)
        make("up")
        make("submit", f"TOPIC={topic}")

    through_fault(settings, "power-loss", power_loss, timeout=120)


def test_kafka_broker_restarted(stack: DockerCompose, settings):
    through_fault(settings, "restart-kafka", lambda topic: compose("restart", "kafka"))
    compose("up", "-d", "--wait", "kafka")


def test_zookeeper_stopped_then_make_up(stack: DockerCompose, settings):
    """ZooKeeper away long enough for the broker's check to fail, then `make up`, as a learner
    types it: it starts ZooKeeper, waits for the broker's next check (compose alone would fail at
    once on the broker, unhealthy until then), and the job's totals are exact."""
    said: dict[str, str] = {}

    def away(topic: str) -> None:
        compose("stop", "zookeeper")
        wait_until(
            lambda: any(
                r["Service"] == "kafka" and r.get("Health") == "unhealthy" for r in compose_ps()
            ),
            timeout=int(settings["STREAMLAB_HEALTHCHECK_INTERVAL"].removesuffix("s")) + 30,
            interval=2,
            what="the broker's check to fail without ZooKeeper",
        )
        said["make up"] = make("up").stderr

    through_fault(settings, "stop-zookeeper", away, timeout=120)
    assert "the last health check of kafka ran while another server" in said["make up"]
    assert "kafka is healthy again" in said["make up"]


def test_replicated_broker_killed(stack: DockerCompose, settings):
    """Profile `ha`: three brokers, replication factor 3, min.insync.replicas=2, acks=all. A
    broker that leads a partition dies with SIGKILL mid-stream; the producer and the job go on."""
    compose("up", "-d", "--wait", *HA_BROKERS)
    published = [
        (r["Service"], p)
        for r in compose_ps()
        if r["Service"] in HA_BROKERS
        for p in r.get("Publishers") or []
        if p.get("PublishedPort")
    ]
    assert len(published) == 2, f"expected one host port per extra broker: {published}"
    assert all(p["URL"] == "127.0.0.1" for _, p in published), f"beyond 127.0.0.1: {published}"
    victim = HA_BROKERS[0]
    victim_id = 2  # KAFKA_CFG_BROKER_ID of kafka-2 in docker-compose.yml

    def fault(topic: str) -> None:
        leaders = partition_leaders(topic)
        assert victim_id in leaders.values(), f"{victim} leads no partition: {leaders}"
        compose("kill", "-s", "SIGKILL", victim)

    try:
        # The producer waits out the leader election (ZooKeeper's session timeout, 18 s).
        through_fault(settings, "kill-broker", fault, brokers=3, timeout=60)
        state = compose("ps", "--format", "{{.State}}", "wordcount").stdout.strip()
        assert state == "running", f"the job is {state} after losing a broker"
    finally:  # back to one broker: the other tests expect the plain lab
        compose("rm", "--force", "--stop", "--volumes", *HA_BROKERS)


# The init of a container started as root, and a health probe caught while it runs.
ROOT_ALLOWED = {"tini", "streamlab-healt"}


def test_security_defaults(stack: DockerCompose, settings):
    """No server runs as root, and no image layer holds a secret (the Jupyter token). Only
    jupyter starts as root, to take the notebooks' owner's uid: then its init (tini) and a
    health probe may show as root, never Jupyter, a kernel or a JVM; unless the notebooks'
    owner is root (a checkout used as root, as CI's is), whose uid Jupyter then keeps."""
    records = compose_ps()
    assert records, "no container is running"
    notebooks_owner = (ROOT / "notebooks").stat().st_uid
    for record in records:
        container = record["ID"]
        top = subprocess.run(
            ["docker", "top", container, "-o", "uid,pid,comm"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[1:]
        processes = [line.split(None, 2) for line in top if line.strip()]
        assert processes, f"container {container} shows no process"
        as_root = [comm for uid, _, comm in processes if uid == "0" and comm not in ROOT_ALLOWED]
        if record["Service"] == "jupyter" and notebooks_owner == 0:
            assert any(comm.startswith("jupyter") for comm in as_root), processes
            continue
        assert not as_root, f"container {container} runs {as_root} as root"
    token = settings["STREAMLAB_JUPYTER_TOKEN"]
    images = {record["Image"] for record in compose_ps()}
    for image in images:
        history = subprocess.run(
            ["docker", "history", "--no-trunc", image], check=True, capture_output=True, text=True
        ).stdout
        config = subprocess.run(
            ["docker", "image", "inspect", image], check=True, capture_output=True, text=True
        ).stdout
        for text, where in ((history, "history"), (config, "config")):
            assert token not in text, f"the Jupyter token is baked into {image}'s {where}"
            assert "JUPYTER_TOKEN=" not in text, f"{image}'s {where} sets a Jupyter token"


# The servers start side by side; a broker whose ZooKeeper, or a worker whose master, never
# answers gives up after STREAMLAB_WAIT_SECONDS (120 by default) with one sentence.
WAIT_3_S = ("-e", "STREAMLAB_WAIT_SECONDS=3")


@pytest.mark.parametrize(
    ("service", "setting", "sentence"),
    [
        (
            "kafka",
            "KAFKA_CFG_ZOOKEEPER_CONNECT=nowhere:2181",
            "kafka: ZooKeeper at nowhere:2181 did not answer within 3 s; start it first",
        ),
        (
            "spark-worker",
            "SPARK_MASTER_URL=spark://nowhere:7077",
            "spark-worker: the Spark master at nowhere:7077 did not answer within 3 s; "
            "start it first",
        ),
    ],
)
def test_a_server_whose_dependency_never_answers_says_so(
    stack: DockerCompose, service: str, setting: str, sentence: str
):
    result = subprocess.run(
        [*COMPOSE, "run", "--rm", "--no-deps", "-T", "-e", setting, *WAIT_3_S, service],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert sentence in result.stderr, result.stderr[-2000:]
    assert "Exception" not in result.stderr, result.stderr[-2000:]  # the sentence, no trace
