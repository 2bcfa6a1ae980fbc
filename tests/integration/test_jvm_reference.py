"""The bench's JVM reference job (images/spark/jvm) counts exactly as the lab's job does: the
same topic, with the seed, a corpus and every kind of malformed record, read to its end with
the trigger AvailableNow by the lab's two methods and the JVM's two shapes, gives one set of
totals, the one that the lab's own rules (jobs/words.py) give."""

from __future__ import annotations

import json
from collections import Counter

from testcontainers.compose import DockerCompose

from jobs.words import split_line
from streamlab.runs import JVM_JOB, LAB_JOB, run_to_the_end
from tests.support.wordcount import make_corpus, produce, unique_topic

MALFORMED = [None, b"", b"\xff\xfe\xfd", b",,,,", b" hello ,, spark ", b"caf\xc3\xa9,\tkafka\x0b"]


def count_to_the_end(job: list[str], topic: str, method: str) -> dict[str, int]:
    """One run of a job over everything the topic holds (2 batches' worth at least), in
    folders of its own; returns its summed results."""
    parts = run_to_the_end(
        [*job, "--method", method, "--max-offsets-per-trigger", "400"], topic, "/data/reference"
    )
    return json.loads(parts["results"])["counts"]


def test_the_jvm_reference_counts_what_the_lab_counts(stack: DockerCompose, settings):
    from kafka import KafkaProducer

    topic = unique_topic("reference")
    corpus, expected = make_corpus(700)
    produce(settings, topic, "--file", "-", "--count", "0", "--interval", "0", stdin=corpus)
    producer = KafkaProducer(
        bootstrap_servers=f"127.0.0.1:{settings['STREAMLAB_KAFKA_HOST_PORT']}", acks="all"
    )
    try:
        for value in MALFORMED:  # a null value needs a key (a tombstone)
            producer.send(topic, key=b"malformed", value=value).get(timeout=30)
    finally:
        producer.close()
    for value in MALFORMED:
        expected.update(split_line(value))
    assert expected["<invalid-utf8>"] == 1, "one marker for the line that is not UTF-8"
    assert expected["café"] == 1, "a word decoded from UTF-8"

    runs = {
        (name, method): count_to_the_end(job, topic, method)
        for name, job in (("lab", LAB_JOB), ("jvm", JVM_JOB))
        for method in ("rdd", "dataframe")
    }
    wrong = {
        run: {"surplus": Counter(counts) - expected, "missing": expected - Counter(counts)}
        for run, counts in runs.items()
        if counts != expected
    }
    assert not wrong, f"runs that differ from the lab's rules: {wrong}"
