"""Faults in the middle of a stream, and what the tests need to aim them: afterwards the
summed results equal the produced corpus exactly (no lost line, no double count)."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable

from streamlab.compose import create_topic
from streamlab.wait import wait_until
from tests.support.stack import compose, container_logs
from tests.support.wordcount import (
    STRUCTURED,
    finish,
    make_corpus,
    results,
    stream,
    submit,
    unique_topic,
    wait_for_counts,
)

log = logging.getLogger(__name__)

WARM_UP = 200  # lines counted before the fault, proving the job runs
LINES = 4_000
INTERVAL = 0.004  # about 16 s of producing, so the fault lands mid-stream


def through_fault(
    settings,
    name: str,
    fault: Callable[[str], object],
    brokers: int = 1,
    timeout: float = 30,
    job: str = STRUCTURED,
) -> dict:
    """Job running and counting, a stream of lines, the fault mid-stream, then exact totals.
    `brokers`: how many brokers the topic is replicated on and the clients know; `job`: which
    job the service runs."""
    topic = unique_topic(name)
    create_topic(topic, replication=brokers)
    warm_up, warm_expected = make_corpus(WARM_UP, seed=1)
    corpus, expected = make_corpus(LINES, seed=zlib.crc32(name.encode()))
    submit(topic, brokers=brokers, job=job)
    try:
        finish(stream(settings, topic, warm_up, 0, brokers=brokers))
        wait_until(lambda: results(topic)["batches"] > 0, timeout=180, what="a first batch")
        streamer = stream(
            settings, topic, corpus, INTERVAL, "--timeout", str(timeout), brokers=brokers
        )
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


def partition_leaders(topic: str) -> dict[int, int]:
    """Partition -> leader broker id, from `kafka-topics --describe`."""
    out = compose(
        "exec",
        "-T",
        "kafka",
        "kafka-topics",
        "--bootstrap-server",
        "kafka:9092",
        "--describe",
        "--topic",
        topic,
    ).stdout
    leaders = {}
    for line in out.splitlines():
        fields = dict(re.findall(r"(\w+): (\S+)", line))
        if "Partition" in fields and "Leader" in fields:
            leaders[int(fields["Partition"])] = int(fields["Leader"])
    return leaders
