"""The metrics profile: Prometheus scrapes Spark's own endpoints (the master, the workers, the
job's driver with its streaming query's rates), the broker and ZooKeeper through the JMX
exporter agent, and the job's Kafka lag per partition (jobs/lag.py); during a run each of those
series has data, and the lag falls to zero once the job has caught up."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests
from testcontainers.compose import DockerCompose

from streamlab.compose import create_topic
from streamlab.wait import wait_until
from tests.support.stack import compose
from tests.support.wordcount import (
    finish,
    make_corpus,
    stream,
    submit,
    unique_topic,
    wait_for_counts,
)

log = logging.getLogger(__name__)

JOB = 'job="spark-driver",instance="wordcount:4040"'


@pytest.fixture(scope="module")
def prometheus(stack: DockerCompose, settings) -> Iterator[str]:
    compose("up", "-d", "--build", "--wait", "prometheus", timeout=900)
    try:
        yield f"http://127.0.0.1:{settings['STREAMLAB_PROMETHEUS_PORT']}"
    finally:
        compose("rm", "--stop", "--force", "prometheus")


def series(prometheus: str, promql: str) -> list[dict]:
    answer = requests.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=10)
    answer.raise_for_status()
    body = answer.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def test_prometheus_has_rates_lag_and_servers_during_a_run(prometheus, settings):
    topic = unique_topic("metrics")
    create_topic(topic)
    submit(topic)
    corpus, expected = make_corpus(6_000)
    streamer = stream(settings, topic, corpus, interval=0.004)  # about 25 s of lines
    wanted = {
        "input rate": f'{{__name__=~".*wordcount_inputRate_total.*",{JOB}}} > 0',
        "processing rate": f'{{__name__=~".*wordcount_processingRate_total.*",{JOB}}} > 0',
        "lag per partition": f'count(streamlab_kafka_lag_records{{topic="{topic}"}}) == 3',
        "executors": 'up{job="spark-executors",instance="wordcount:4040"} == 1',
        "spark master": 'up{job="spark-master"} == 1',
        "spark workers": 'up{job="spark-workers"} == 1',
        "kafka broker": '{__name__=~"kafka_server_brokertopicmetrics_.*",job="kafka"}',
        "zookeeper": 'up{job="zookeeper"} == 1',
    }
    seen: set[str] = set()

    def all_seen() -> bool | None:
        seen.update(name for name, promql in wanted.items() if series(prometheus, promql))
        if seen == set(wanted):
            return True
        raise LookupError(f"no data yet for {sorted(set(wanted) - seen)}")  # told on timeout

    try:
        wait_until(all_seen, timeout=120, interval=2, what="every series in Prometheus")
    finally:
        summary = finish(streamer)
    assert summary["lines"] == 6_000
    wait_for_counts(topic, dict(expected), timeout=300)

    def caught_up() -> list[dict] | None:
        lags = series(prometheus, f'streamlab_kafka_lag_records{{topic="{topic}"}}')
        return lags if len(lags) == 3 and all(float(s["value"][1]) == 0 for s in lags) else None

    lags = wait_until(caught_up, timeout=60, interval=2, what="zero lag after the last batch")
    log.info("lag per partition after catching up: %s", [s["value"][1] for s in lags])
