"""The DStream job's own rules without Spark: its batch interval, its values, its blocks."""

from __future__ import annotations

from datetime import datetime

import pytest

from jobs import dstream_wordcount as job
from jobs.words import INVALID_UTF8, split_line, split_text


@pytest.mark.parametrize(
    ("trigger", "seconds"),
    [("3 seconds", 3.0), ("1 second", 1.0), ("500 milliseconds", 0.5), ("250ms", 0.25)],
)
def test_the_trigger_is_read_as_the_structured_jobs_words(trigger, seconds):
    assert job.batch_seconds(trigger) == seconds


@pytest.mark.parametrize("trigger", ["available-now", "0 seconds", "3 minutes", ""])
def test_a_trigger_a_dstream_cannot_have_is_refused(trigger):
    with pytest.raises(ValueError, match="--trigger"):
        job.batch_seconds(trigger)


def test_values_count_as_in_the_structured_job():
    for raw in [b"hello, kafka,,spark ", b"\xff\xfe", None, b""]:
        assert split_text(job.decode_value(raw)) == split_line(raw)
    assert job.decode_value(b"\xff") == INVALID_UTF8


def test_the_counts_block_has_pprints_layout():
    time = datetime(2018, 12, 11, 1, 2, 33)
    block = job.pprint_block(time, [("kafka", 4), ("hello", 2)], limit=1)
    rule = "-" * 43
    assert block == f"{rule}\nTime: 2018-12-11 01:02:33\n{rule}\n('kafka', 4)\n...\n"


def test_a_batch_is_named_by_its_time_so_a_replay_overwrites_its_file():
    time = datetime(2026, 12, 1, 9, 0, 3)
    assert job.batch_id(time) == job.batch_id(datetime(2026, 12, 1, 9, 0, 3))
    assert job.batch_id(time) - job.batch_id(datetime(2026, 12, 1, 9, 0, 0)) == 3000


def test_print_chooses_fewer_blocks_and_names_a_wrong_one(capsys):
    assert job.parse_args(["--print", "counts"]).blocks == ["counts"]
    assert job.parse_args([]).blocks == list(job.BLOCKS)
    with pytest.raises(SystemExit):
        job.parse_args(["--print", "counts,total"])
    assert "total is none of ks, lines, words, pairs, counts" in capsys.readouterr().err


def test_the_checkpoint_is_the_dstream_jobs_own_and_the_results_are_shared():
    args = job.parse_args(["--topic", "words"])
    assert args.checkpoint == "/data/checkpoints/words.dstream"
    assert args.results_dir == "/data/results/words"
