"""What the job says: by default the lesson alone (a start line, then the seed's layout), and
when it cannot start or has to stop, one sentence that names the cause and the fix, with a
non-zero exit and no counted line lost."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from testcontainers.compose import DockerCompose

from jobs.seed import SEED_TOTALS
from streamlab.compose import create_topic, exit_status
from streamlab.wait import wait_until
from tests.support.make import make_result
from tests.support.stack import compose, container_logs, exec_in
from tests.support.wordcount import (
    make_corpus,
    produce,
    results_of_stopped_job,
    resume,
    submit,
    unique_topic,
    wait_for_counts,
)

pytestmark = pytest.mark.fault
log = logging.getLogger(__name__)

LESSON = re.compile(
    r"-{43}|Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\('[^']*', \d+\)|\.\.\.|",
)


def stopped_job(timeout: float = 180) -> tuple[int, list[str]]:
    """Waits for the job's container to exit; its exit code and its output's lines."""
    wait_until(
        lambda: exit_status("wordcount")[0] == "exited", timeout=timeout, what="the job to stop"
    )
    return exit_status("wordcount")[1], container_logs("wordcount").strip().splitlines()


def one_sentence(lines: list[str]) -> str:
    """The job's last word: one line, no stack trace before it."""
    assert lines, "the job said nothing"
    assert not any("Traceback" in line or "\tat " in line for line in lines), "\n".join(lines)
    assert not any(line.startswith(("py4j", "Exception", "java.")) for line in lines), lines
    last = lines[-1]
    assert last.startswith("wordcount: "), f"the job's last line is no sentence: {last}"
    return last


def test_the_job_prints_only_the_lesson(stack: DockerCompose, settings):
    topic = unique_topic("lesson")
    produce(settings, topic, "--interval", "0")
    submit(topic)
    wait_for_counts(topic, SEED_TOTALS)
    lines = container_logs("wordcount").splitlines()
    starts = [line for line in lines if line.startswith("Counting the words of topic ")]
    assert len(starts) == 1, f"expected one start line, got {starts}"
    others = [line for line in lines if line not in starts and not LESSON.fullmatch(line)]
    assert not others, "the job printed more than the lesson:\n" + "\n".join(others[:20])
    assert any(line.startswith("Time: ") for line in lines), "no batch was printed"


def test_a_mistyped_topic_is_named_by_make_submit_and_by_the_job(stack: DockerCompose):
    typo = unique_topic("wrods")
    existing = unique_topic("words")
    create_topic(existing)
    refused = make_result("submit", f"TOPIC={typo}")
    assert refused.returncode != 0, "make submit must refuse a missing topic"
    assert f"topic {typo} does not exist" in refused.stderr, refused.stderr
    assert f"make topic TOPIC={typo}" in refused.stderr, "the message must name the fix"
    assert "Traceback" not in refused.stderr

    submit(typo)  # the job itself, submitted without make's check
    code, lines = stopped_job()
    sentence = one_sentence(lines)
    assert code != 0, "a job that cannot start must exit non-zero"
    assert f"topic {typo} does not exist" in sentence, sentence
    assert existing in sentence, f"the sentence must name the topics that exist: {sentence}"


def test_kafka_unreachable_at_start_is_one_sentence(stack: DockerCompose):
    topic = unique_topic("nokafka")
    env = {"STREAMLAB_TOPIC": topic, "STREAMLAB_KAFKA_BOOTSTRAP": "kafka:9999"}
    compose("up", "-d", "--force-recreate", "wordcount", env=env)
    code, lines = stopped_job()
    sentence = one_sentence(lines)
    assert code != 0
    assert "cannot reach Kafka at kafka:9999" in sentence, sentence
    assert "make up" in sentence, "the sentence must name the fix"


def delete_topic(topic: str) -> None:
    exec_in(
        "kafka", "kafka-topics", "--bootstrap-server", "kafka:9092", "--delete", "--topic", topic
    )


def feed(settings: dict[str, str], topic: str, corpus: str) -> None:
    produce(settings, topic, "--file", "-", "--count", "0", "--interval", "0", stdin=corpus)


def counted(settings: dict[str, str], name: str, lines: int, seed: int) -> tuple[str, Counter]:
    """A new topic, the job on it, and `lines` lines counted exactly: the state before a fault."""
    topic = unique_topic(name)
    corpus, expected = make_corpus(lines, seed=seed)
    create_topic(topic)
    submit(topic)
    feed(settings, topic, corpus)
    wait_for_counts(topic, dict(expected))
    return topic, expected


def test_topic_deleted_while_the_job_runs(stack: DockerCompose, settings):
    topic, expected = counted(settings, "deleted", 300, seed=3)
    delete_topic(topic)
    code, lines = stopped_job()
    sentence = one_sentence(lines)
    assert code != 0
    assert f"topic {topic} was deleted" in sentence, sentence
    assert f"make reset TOPIC={topic}" in sentence, sentence
    kept = results_of_stopped_job(topic)  # the counts so far are kept, exactly
    assert kept["counts"] == dict(expected), "the counts before the deletion were lost"


def test_checkpoint_ahead_of_a_recreated_topic_then_make_reset(stack: DockerCompose, settings):
    topic, _ = counted(settings, "recreated", 200, seed=4)
    compose("stop", "wordcount")
    delete_topic(topic)

    def made_anew() -> bool:
        create_topic(topic)  # refused while Kafka still deletes the old one
        return True

    wait_until(made_anew, timeout=60, what="the topic made anew")
    resume(topic)
    code, lines = stopped_job()
    sentence = one_sentence(lines)
    assert code != 0
    assert "is ahead of topic" in sentence, sentence
    assert f"make reset TOPIC={topic}" in sentence, sentence

    reset = make_result("reset", f"TOPIC={topic}")
    assert reset.returncode == 0, reset.stderr
    again, expected = make_corpus(100, seed=5)
    feed(settings, topic, again)
    submit(topic)
    wait_for_counts(topic, dict(expected))


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 16 MB tmpfs on the host, for the job's /data (mounting needs root, as CI has)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    folder = Path(tempfile.mkdtemp(prefix="streamlab-small-disk-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=1777", "tmpfs", str(folder)],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False, capture_output=True)
        folder.rmdir()


def fill(folder: Path) -> Path:
    """Writes a file until the disk is full; removing it frees the space again."""
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_stops_the_job_with_a_sentence_and_loses_nothing(
    stack: DockerCompose, settings, small_disk: Path
):
    topic = unique_topic("diskfull")
    warm, warm_expected = make_corpus(200, seed=6)
    more, more_expected = make_corpus(2_000, seed=7)
    create_topic(topic)
    env = {"STREAMLAB_TOPIC": topic, "STREAMLAB_WORDCOUNT_DATA": str(small_disk)}
    compose("up", "-d", "--force-recreate", "wordcount", env=env)
    try:
        feed(settings, topic, warm)
        wait_for_counts(topic, dict(warm_expected))
        filler = fill(small_disk)
        feed(settings, topic, more)
        code, lines = stopped_job()
        sentence = one_sentence(lines)
        assert code != 0
        assert "is full" in sentence, sentence
        assert "free some space" in sentence, "the sentence must name the fix"

        filler.unlink()
        compose("up", "-d", "wordcount", env=env)  # the same container, the same checkpoint
        wait_for_counts(topic, dict(warm_expected + more_expected), timeout=300)
    finally:
        compose("rm", "--stop", "--force", "wordcount")
