"""The lab stack as a learner meets it: healthy services, two Kafka listeners, a cluster whose
Spark reads Kafka with the connector built in, and a token-protected Jupyter."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
import requests
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient
from testcontainers.compose import DockerCompose

from streamlab.compose import create_topic
from streamlab.wait import wait_until
from tests.support.stack import CORE_SERVICES, compose, compose_ps, exec_in, host_bootstrap

log = logging.getLogger(__name__)

SERVICES = set(CORE_SERVICES)


def master_json(stack: DockerCompose) -> dict:
    port = stack.get_service_port("spark-master", 8080)
    response = requests.get(f"http://127.0.0.1:{port}/json/", timeout=5)
    response.raise_for_status()
    return response.json()


def alive_workers(stack: DockerCompose) -> int:
    return sum(1 for w in master_json(stack)["workers"] if w["state"] == "ALIVE")


def test_every_service_is_running_and_healthy(stack: DockerCompose):
    # Only the lab's own services: job containers (profile `jobs`) come and go with the tests.
    records = [r for r in compose_ps() if r["Service"] in SERVICES]
    services = {r["Service"] for r in records}
    assert services == SERVICES, f"expected services {SERVICES}, compose shows {services}"
    unhealthy = {
        r["Name"]: (r["State"], r.get("Health")) for r in records if r.get("Health") != "healthy"
    }
    assert not unhealthy, f"containers not healthy: {unhealthy}"


def test_master_lists_alive_workers_and_scales_to_two(stack: DockerCompose):
    assert master_json(stack)["status"] == "ALIVE", "the master is not ALIVE"
    assert alive_workers(stack) >= 1, "no ALIVE worker registered with the master"
    compose("up", "-d", "--wait", "--no-recreate", "--scale", "spark-worker=2", "spark-worker")
    try:
        wait_until(lambda: alive_workers(stack) == 2, timeout=120, what="two ALIVE workers")
    finally:
        compose("up", "-d", "--wait", "--no-recreate", "--scale", "spark-worker=1", "spark-worker")
    wait_until(lambda: alive_workers(stack) == 1, timeout=120, what="back to one ALIVE worker")


@pytest.fixture(scope="module")
def topic(stack: DockerCompose) -> str:
    """A fresh 3-partition topic, made by the image's kafka-topics over the internal listener."""
    name = f"lab-{uuid.uuid4().hex[:8]}"
    create_topic(name)
    return name


def test_topic_has_three_partitions_seen_from_the_host(topic: str, settings: dict[str, str]):
    admin = KafkaAdminClient(bootstrap_servers=host_bootstrap(settings), request_timeout_ms=10000)
    try:
        described = admin.describe_topics([topic])
    finally:
        admin.close()
    partitions = described[0]["partitions"]
    assert len(partitions) == 3, f"{topic} has {len(partitions)} partitions, expected 3"


def test_host_to_container_over_internal_listener(topic: str, settings: dict[str, str]):
    lines = [f"host-line-{i}" for i in range(20)]
    producer = KafkaProducer(bootstrap_servers=host_bootstrap(settings), acks="all")
    try:
        for line in lines:
            producer.send(topic, line.encode()).get(timeout=30)
    finally:
        producer.close()
    consumed = exec_in(
        "jupyter",
        "python",
        "-c",
        "import sys; from kafka import KafkaConsumer\n"
        "c = KafkaConsumer(sys.argv[1], bootstrap_servers='kafka:9092',"
        " auto_offset_reset='earliest', consumer_timeout_ms=10000)\n"
        "[print(m.value.decode()) for m in c]",
        topic,
    )
    got = {line for line in consumed.splitlines() if line.startswith("host-line-")}
    assert got == set(lines), f"the container read {len(got)} of {len(lines)} lines from the host"


def test_container_to_host_over_external_listener(stack: DockerCompose, settings: dict[str, str]):
    topic = f"lab-{uuid.uuid4().hex[:8]}"
    create_topic(topic)
    lines = [f"container-line-{i}" for i in range(20)]
    exec_in(
        "kafka",
        "kafka-console-producer",
        "--bootstrap-server",
        "kafka:9092",
        "--topic",
        topic,
        "--producer-property",
        "acks=all",
        stdin="\n".join(lines) + "\n",
    )
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=host_bootstrap(settings),
        auto_offset_reset="earliest",
        consumer_timeout_ms=15000,
    )
    try:
        got = {m.value.decode() for m in consumer}
    finally:
        consumer.close()
    assert got == set(lines), f"the host read {len(got)} of {len(lines)} lines from a container"


def test_jupyter_api_requires_the_token(stack: DockerCompose, settings: dict[str, str]):
    url = f"http://127.0.0.1:{stack.get_service_port('jupyter', 8888)}/api/status"
    without = requests.get(url, timeout=10)
    assert without.status_code == 403, f"no token: expected 403, got {without.status_code}"
    wrong = requests.get(url, headers={"Authorization": "token wrong"}, timeout=10)
    assert wrong.status_code == 403, f"wrong token: expected 403, got {wrong.status_code}"
    token = settings["STREAMLAB_JUPYTER_TOKEN"]
    right = requests.get(url, headers={"Authorization": f"token {token}"}, timeout=10)
    assert right.status_code == 200, f"with the token: expected 200, got {right.status_code}"


def test_every_published_port_is_on_loopback(stack: DockerCompose):
    published = [
        (r["Service"], p)
        for r in compose_ps()
        for p in r.get("Publishers") or []
        if p["PublishedPort"]
    ]
    assert published, "the stack publishes no port at all"
    wide = [(service, p) for service, p in published if p["URL"] != "127.0.0.1"]
    assert not wide, f"ports published beyond 127.0.0.1: {wide}"


SPARK_PROBE = """
import json, sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("streamlab-probe").getOrCreate()
conf = spark.sparkContext.getConf()
rows = (spark.read.format("kafka").option("kafka.bootstrap.servers", "kafka:9092")
        .option("subscribe", sys.argv[1]).option("startingOffsets", "earliest").load()
        .selectExpr("CAST(value AS STRING) AS v").collect())
executor_pythons = (spark.sparkContext.parallelize(range(4), 4)
                    .map(lambda _: __import__("sys").version).distinct().collect())
print("RESULT " + json.dumps({
    "master": spark.sparkContext.master,
    "packages": conf.get("spark.jars.packages", ""),
    "values": sorted(r.v for r in rows),
    "driver_python": sys.version,
    "executor_pythons": executor_pythons,
}))
spark.stop()
"""


def test_spark_in_jupyter_reads_kafka_with_the_builtin_connector(stack: DockerCompose, topic: str):
    out = exec_in("jupyter", "python", "-c", SPARK_PROBE, topic)
    result = json.loads(next(line[7:] for line in out.splitlines() if line.startswith("RESULT ")))
    assert result["master"] == "spark://spark-master:7077", f"ran on {result['master']}"
    assert result["packages"] == "", "the connector must come from the image, not --packages"
    expected = sorted(f"host-line-{i}" for i in range(20))
    assert result["values"] == expected, f"Spark read {len(result['values'])} rows, expected 20"
    assert result["executor_pythons"] == [result["driver_python"]], (
        f"executors run {result['executor_pythons']}, the driver {result['driver_python']}"
    )
    ivy_cache = exec_in("jupyter", "bash", "-c", "ls /tmp/ivy2 2>/dev/null | wc -l").strip()
    assert ivy_cache == "0", "a Spark session downloaded packages at run time"
