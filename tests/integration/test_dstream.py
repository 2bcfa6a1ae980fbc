"""The tutorial's DStream job (make submit API=dstream) on the real stack: exact totals in the
results that `make results` reads, the log's five blocks per batch, a progress line per batch
from its StreamingListener, exactly-once through a driver killed mid-stream and recovered with
StreamingContext.getOrCreate, and the Structured Streaming job's sentence for a missing topic."""

from __future__ import annotations

import json
import logging

from testcontainers.compose import DockerCompose

from jobs.seed import HEADER, SEED_LINE, SEED_TOTALS
from streamlab.compose import create_topic, exit_status
from streamlab.wait import wait_until
from tests.support.faults import through_fault
from tests.support.stack import compose, container_logs, exec_in
from tests.support.wordcount import DSTREAM, produce, resume, submit, unique_topic, wait_for_counts

log = logging.getLogger(__name__)


def test_seed_counts_exact_in_five_blocks_with_a_progress_line_per_batch(
    stack: DockerCompose, settings
):
    topic = unique_topic("dstream-seed")
    create_topic(topic)
    submit(topic, job=DSTREAM)
    produce(settings, topic, "--interval", "0")
    final = wait_for_counts(topic, SEED_TOTALS)
    log.info("dstream: %d batch(es) for the seed", final["batches"])
    logs = container_logs("wordcount")
    assert "with DStreams (KafkaUtils.createDirectStream" in logs, "the start line says which API"
    assert "FutureWarning" not in logs, "the deprecation is said once, in the start line"
    parts = HEADER.split(logs)
    blocks_per_time: dict[str, list[str]] = {}
    for time, body in zip(parts[1::2], parts[2::2], strict=True):
        blocks_per_time.setdefault(time, []).append(body)
    busy = [blocks for blocks in blocks_per_time.values() if SEED_LINE in blocks[0]]
    assert busy, "no batch printed the seed's records"
    ks, lines, words, pairs, counts = busy[0]
    assert f"(None, '{SEED_LINE}')" in ks
    assert f"\n{SEED_LINE}\n" in f"\n{lines}"
    assert "\nkafka\n" in f"\n{words}"
    assert "('kafka', 1)" in pairs
    assert "('kafka', " in counts

    def progress() -> list[dict] | None:
        out = exec_in("wordcount", "cat", f"/data/progress/{topic}.dstream.jsonl")
        records = [json.loads(line) for line in out.splitlines()]
        return records if sum(r["records"] for r in records) == 60 else None

    records = wait_until(progress, timeout=60, interval=1, what="the progress lines")
    assert all(r["processing_delay_ms"] is not None for r in records), records


def test_driver_killed_mid_stream_resumes_from_the_checkpoint_exactly(
    stack: DockerCompose, settings
):
    def fault(topic: str) -> None:
        compose("kill", "-s", "SIGKILL", "wordcount")
        resume(topic, job=DSTREAM)  # the same topic, hence the same DStream checkpoint

    final = through_fault(settings, "dstream-kill-driver", fault, job=DSTREAM)
    log.info("dstream through a SIGKILL: %d batches", final["batches"])


def test_a_missing_topic_is_one_sentence_and_a_non_zero_exit(stack: DockerCompose):
    topic = unique_topic("dstream-missing")
    submit(topic, job=DSTREAM)
    wait_until(lambda: exit_status("wordcount")[0] == "exited", timeout=120, what="the job to stop")
    code = exit_status("wordcount")[1]
    logs = container_logs("wordcount")
    assert code != 0
    assert f"dstream_wordcount: topic {topic} does not exist" in logs, logs[-2000:]
    assert f"make topic TOPIC={topic}" in logs
    assert "Traceback" not in logs
