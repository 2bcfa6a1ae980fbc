"""The word count on the real cluster: exact sums over batches for the seed and for a large
corpus, the Direct approach's one Spark partition per Kafka partition, and a restart from the
checkpoint that neither loses nor double-counts a line."""

from __future__ import annotations

import logging

import pytest
import requests
from testcontainers.compose import DockerCompose

from jobs.seed import HEADER, SEED_TOTALS
from streamlab.wait import wait_until
from tests.support.stack import compose, container_logs
from tests.support.wordcount import (
    finish,
    make_corpus,
    produce,
    results,
    stream,
    submit,
    unique_topic,
    wait_for_counts,
)

log = logging.getLogger(__name__)


@pytest.mark.parametrize("method", ["rdd", "dataframe"])
def test_seed_counts_summed_over_batches_are_exact(stack: DockerCompose, settings, method):
    topic = unique_topic(f"seed-{method}")
    summary = produce(settings, topic, "--interval", "0")  # creates the 3-partition topic
    acknowledged = {"lines": summary["lines"], "words": summary["words"]}
    assert acknowledged == {"lines": 60, "words": SEED_TOTALS}, f"producer acknowledged {summary}"
    assert summary["seconds"] > 0, "the producer reports how long it took"
    submit(topic, method)
    final = wait_for_counts(topic, SEED_TOTALS)
    log.info("%s: %d batch(es) for the seed", method, final["batches"])
    logs = container_logs("wordcount")
    assert HEADER.search(logs), "the job did not print the seed layout"
    assert "('kafka', " in logs, "the job printed no tuple"


def test_large_corpus_counts_are_exact_and_one_task_per_partition(stack: DockerCompose, settings):
    topic = unique_topic("corpus")
    corpus, expected = make_corpus(100_000)
    submit(topic)
    summary = produce(
        settings, topic, "--file", "-", "--count", "0", "--interval", "0", stdin=corpus
    )
    assert summary["lines"] == 100_000, f"producer acknowledged {summary['lines']} lines"
    assert summary["words"] == dict(expected), "the producer's summary disagrees with the corpus"
    final = wait_for_counts(topic, dict(expected), timeout=300)
    log.info("corpus: %d batches for 100,000 lines", final["batches"])

    # Direct approach: each Kafka partition is one Spark partition, so the stage that reads
    # the topic and maps the words has exactly 3 tasks.
    ui = f"http://127.0.0.1:{settings['STREAMLAB_JOB_UI_PORT']}/api/v1/applications"
    app_id = requests.get(ui, timeout=10).json()[0]["id"]
    stages = requests.get(f"{ui}/{app_id}/stages?status=complete", timeout=10).json()
    read_stages = [s for s in stages if s["inputRecords"] > 0]
    assert read_stages, f"no completed stage read Kafka records: {stages}"
    tasks = {s["numTasks"] for s in read_stages}
    assert tasks == {3}, f"stages that read the 3-partition topic ran {tasks} tasks"


def test_restart_from_checkpoint_loses_and_repeats_nothing(stack: DockerCompose, settings):
    topic = unique_topic("restart")
    first, second = make_corpus(3_000, seed=1), make_corpus(3_000, seed=2)
    submit(topic)
    produce(settings, topic, "--file", "-", "--count", "0", "--interval", "0", stdin=first[0])
    wait_until(lambda: results(topic)["batches"] > 0, timeout=120, what="a first counted batch")

    # Stop the driver while lines keep coming, then start it again from its checkpoint.
    streamer = stream(settings, topic, second[0], interval=0.003)
    compose("stop", "wordcount")
    compose("start", "wordcount")
    finish(streamer)
    expected = dict(first[1] + second[1])
    final = wait_for_counts(topic, expected, timeout=300)
    log.info("restart: %d batches, exact", final["batches"])


def test_malformed_records_are_counted_as_documented_and_the_job_goes_on(
    stack: DockerCompose, settings
):
    from kafka import KafkaProducer

    topic = unique_topic("bad")
    produce(settings, topic, "--count", "1", "--interval", "0")  # creates the topic
    submit(topic)
    large = b"kafka," * 166_666
    assert len(large) > 990_000, "the large line must be about 1 MB"
    bad = [None, b"", b"\xff\xfe\xfd", b",,,,", large, b" hello ,, spark "]
    producer = KafkaProducer(
        bootstrap_servers=f"127.0.0.1:{settings['STREAMLAB_KAFKA_HOST_PORT']}",
        acks="all",
        max_request_size=2_000_000,
    )
    try:
        for value in bad:
            # kafka-python sends a null value only with a key (a tombstone, in Kafka's terms)
            producer.send(topic, key=b"bad-input", value=value).get(timeout=30)
    finally:
        producer.close()
    produce(settings, topic, "--count", "1", "--interval", "0")  # a good line after the bad
    expected = {
        "hello": 3,
        "kafka": 4 + 166_666,
        "spark": 3,
        "streaming": 2,
        "<invalid-utf8>": 1,
    }
    wait_for_counts(topic, expected)
    state = compose("ps", "--format", "{{.State}}", "wordcount").stdout.strip()
    assert state == "running", f"the job is {state} after malformed records"
