"""The job's sentences: what it reads in a checkpoint, when a checkpoint is ahead of its topic,
and how a stopped query is explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs import diagnose
from jobs.diagnose import Where

WHERE = Where("kafka:9092", "words", "/data/checkpoints/words", "/data/results/words")


def write_offsets(checkpoint: Path, batch: int, offsets: str) -> None:
    folder = checkpoint / "offsets"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(batch)).write_text(f'v1\n{{"batchWatermarkMs":0}}\n{offsets}\n')


def test_checkpoint_offsets_are_the_newest_batch_of_the_topic(tmp_path: Path):
    assert diagnose.checkpoint_offsets(tmp_path, "words") == {}, "no checkpoint yet: nothing"
    write_offsets(tmp_path, 2, '{"words":{"0":5,"1":7}}')
    write_offsets(tmp_path, 10, '{"words":{"0":50,"1":70}}')
    (tmp_path / "offsets" / ".10.crc").write_text("checksum")
    assert diagnose.checkpoint_offsets(tmp_path, "words") == {0: 50, 1: 70}
    assert diagnose.checkpoint_offsets(tmp_path, "other") == {}


def test_ahead_of_names_partitions_past_the_end_or_gone():
    assert diagnose.ahead_of({0: 5, 1: 7}, {0: 5, 1: 9}) == {}
    assert diagnose.ahead_of({0: 5, 1: 7, 2: 1}, {0: 0, 1: 9}) == {0: (5, 0), 2: (1, None)}


@pytest.mark.parametrize(
    "error",
    [
        diagnose.unreachable(WHERE),
        diagnose.missing_topic(WHERE, ["lines", "words2"]),
        diagnose.deleted_topic(WHERE),
        diagnose.checkpoint_ahead(WHERE, {0: (5, 0)}),
        diagnose.disk_full(WHERE),
        diagnose.stopped(WHERE, "java.lang.IllegalStateException: boom\n\tat a.b(C.java:1)"),
    ],
)
def test_every_sentence_is_one_line_that_names_a_fix(error: diagnose.JobError):
    text = str(error)
    assert "\n" not in text, text
    assert "`make " in text or "--log-level" in text, f"no fix named: {text}"


def test_missing_topic_lists_the_topics_that_exist():
    text = str(diagnose.missing_topic(WHERE, ["lines", "words2"]))
    assert "topics there: lines, words2" in text, text


def test_a_full_disk_is_recognised_from_the_query_message():
    message = "StreamingQueryException: ... java.io.IOException: No space left on device"
    assert "is full" in str(diagnose.explain(WHERE, message))


def test_committed_offsets_are_the_newest_committed_batch_of_the_topic(tmp_path: Path):
    assert diagnose.committed_offsets(tmp_path, "words") == {}, "a new query"
    (tmp_path / "offsets").mkdir()
    (tmp_path / "commits").mkdir()
    for batch, offsets in ((0, '{"words":{"0":0}}'), (1, '{"words":{"0":5,"1":3}}')):
        (tmp_path / "offsets" / str(batch)).write_text(f"v1\n{{}}\n{offsets}\n")
        (tmp_path / "commits" / str(batch)).write_text("v1\n{}\n")
    (tmp_path / "offsets" / "2").write_text('v1\n{}\n{"words":{"0":9,"1":8}}\n')
    assert diagnose.committed_offsets(tmp_path, "words") == {0: 5, 1: 3}
    assert diagnose.committed_offsets(tmp_path, "other") == {}
