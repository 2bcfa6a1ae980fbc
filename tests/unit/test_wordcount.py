"""The job's batch function on a local SparkSession: exact counts, both methods, the seed layout."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from jobs import wordcount
from jobs.results import read_batches, summed_counts
from jobs.words import INVALID_UTF8, split_line

SEED = b"hello,kafka,spark,streaming,kafka"
BAD_INPUTS = [
    None,
    b"",
    b"\xff\xfe\xfd",
    b",,,;,,",
    ",".join(["big"] * 200_000).encode(),
    b" spaced , words ",
]


def batch(spark, values):
    from pyspark.sql.types import BinaryType, StructField, StructType

    schema = StructType([StructField("value", BinaryType(), True)])
    return spark.createDataFrame([(v,) for v in values], schema)


def expected(values, delimiter=","):
    return Counter(word for v in values for word in split_line(v, delimiter))


@pytest.mark.parametrize("method", ["rdd", "dataframe"])
def test_seed_batch_counts(spark, method):
    counts = dict(wordcount.COUNTERS[method](batch(spark, [SEED, SEED]), ","))
    assert counts == {"hello": 2, "kafka": 4, "spark": 2, "streaming": 2}


@pytest.mark.parametrize("method", ["rdd", "dataframe"])
def test_bad_inputs_are_counted_as_documented(spark, method):
    counts = dict(wordcount.COUNTERS[method](batch(spark, [SEED, *BAD_INPUTS]), ","))
    assert counts == {
        "hello": 1,
        "kafka": 2,
        "spark": 1,
        "streaming": 1,
        INVALID_UTF8: 1,
        ";": 1,
        "big": 200_000,
        "spaced": 1,
        "words": 1,
    }


@pytest.mark.parametrize("delimiter", [",", " ", "|", "."])
def test_both_methods_agree_on_generated_lines(spark, delimiter):
    vocabulary = ["alpha", "beta", "gamma", "δέλτα", "e.f", "g|h"]
    values = [
        delimiter.join(vocabulary[(i * 7 + j) % len(vocabulary)] for j in range(i % 5)).encode()
        for i in range(500)
    ]
    df = batch(spark, values)
    by_rdd = dict(wordcount.count_rdd(df, delimiter))
    by_dataframe = dict(wordcount.count_dataframe(df, delimiter))
    assert by_rdd == by_dataframe, f"rdd and dataframe disagree with delimiter {delimiter!r}"
    assert by_rdd == dict(expected(values, delimiter)), "counts differ from split_line's"


def test_handler_prints_seed_layout_and_writes_results(spark, tmp_path, capsys):
    args = wordcount.parse_args(["--results-dir", str(tmp_path), "--method", "rdd"])
    handle = wordcount.make_batch_handler(args)
    handle(batch(spark, [SEED, SEED]), 0)
    handle(batch(spark, []), 1)  # an empty batch prints and writes nothing
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"-{43}\nTime: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n-{43}\n"
        r"\('kafka', 4\)\n\('hello', 2\)\n\('spark', 2\)\n\('streaming', 2\)\n\n",
        out,
    ), f"unexpected layout:\n{out}"
    records = read_batches(tmp_path)
    assert [r["batch_id"] for r in records] == [0]
    assert {e["word"]: e["count"] for e in records[0]["counts"]} == {
        "kafka": 4,
        "hello": 2,
        "spark": 2,
        "streaming": 2,
    }


def test_a_handler_that_does_not_show_batches_still_writes_them(spark, tmp_path, capsys):
    """The walkthrough shows the batches in a table of its own: the job's printout would be
    the same numbers again, in the output of whichever cell runs."""
    argv = ["--results-dir", str(tmp_path), "--no-show-batches"]
    handle = wordcount.make_batch_handler(wordcount.parse_args(argv))
    handle(batch(spark, [SEED, SEED]), 0)
    assert capsys.readouterr().out == ""
    assert summed_counts(tmp_path) == {"kafka": 4, "hello": 2, "spark": 2, "streaming": 2}


def test_format_batch_truncates_like_pprint():
    from datetime import datetime

    text = wordcount.format_batch(datetime(2018, 12, 11, 1, 2, 33), [("w", 1)] * 3, limit=2)
    assert text.splitlines() == [
        "-" * 43,
        "Time: 2018-12-11 01:02:33",
        "-" * 43,
        "('w', 1)",
        "('w', 1)",
        "...",
    ]


def test_options_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("STREAMLAB_WORDCOUNT_TOPIC", "lines")
    monkeypatch.setenv("STREAMLAB_WORDCOUNT_TRIGGER", "500 milliseconds")
    args = wordcount.parse_args([])
    assert (args.topic, args.trigger) == ("lines", "500 milliseconds")
    assert wordcount.parse_args(["--topic", "cli"]).topic == "cli", "a flag beats the environment"


def test_running_totals_survive_a_restart_and_a_replay(spark, tmp_path, capsys):
    args = wordcount.parse_args(["--results-dir", str(tmp_path), "--running-totals"])
    wordcount.make_batch_handler(args)(batch(spark, [SEED]), 0)
    restarted = wordcount.make_batch_handler(args)  # a new driver, same results folder
    restarted(batch(spark, [SEED]), 1)
    restarted(batch(spark, [SEED]), 1)  # batch 1 replayed after a failure
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == (
        "Running totals after batch 1: [('kafka', 4), ('hello', 2), ('spark', 2), ('streaming', 2)]"
    ), last


def test_progress_log_records_each_batch(spark, tmp_path):
    """The listener that the job installs writes one JSON line per batch, with its row count."""
    from jobs.progress import describe, make_listener, read_progress
    from streamlab.wait import wait_until

    source = tmp_path / "in"
    source.mkdir()
    (source / "part-0.txt").write_text("a,b\nc\n" * 50)
    log_path = tmp_path / "progress" / "t.jsonl"
    listener = make_listener(log_path)
    spark.streams.addListener(listener)
    try:
        query = (
            spark.readStream.text(str(source))
            .writeStream.foreachBatch(lambda df, batch_id: df.count())
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination(120)
        records = wait_until(
            lambda: [r for r in read_progress(log_path) if r["numInputRows"]] or None,
            timeout=30,
            what="a progress record",
        )
    finally:
        spark.streams.removeListener(listener)
    assert sum(r["numInputRows"] for r in records) == 100
    assert records[0]["durationMs"]["triggerExecution"] >= 0
    assert describe(records[0]).startswith(f"batch {records[0]['batchId']}: 100 rows in ")
    # The records came through the fast Java side (jobs.fast), not pyspark's own.
    from jobs import fast

    assert not fast.FELL_BACK & {"progress_listener", "progress_json"}, fast.FELL_BACK


def test_the_lag_starts_from_the_checkpoint_else_from_the_starting_offsets(tmp_path):
    """What the job's lag counts from before its first batch (jobs/lag.py says why)."""
    from jobs.diagnose import TopicOffsets

    offsets = TopicOffsets(first={0: 2, 1: 0}, ends={0: 30, 1: 40})
    given = '{"words": {"0": 7, "1": -2}}'

    def position(checkpoint: str, starting: str) -> dict:
        argv = ["--checkpoint", checkpoint, "--starting-offsets", starting, "--topic", "words"]
        return wordcount.resume_position(wordcount.parse_args(argv), offsets)

    new = str(tmp_path / "new")
    assert position(new, given) == {("words", 0): 7}, "Spark's -2 (earliest) left out"
    assert position(new, "latest") == {("words", 0): 30, ("words", 1): 40}
    assert position(new, "earliest") == {("words", 0): 2, ("words", 1): 0}
    (tmp_path / "cp" / "offsets").mkdir(parents=True)
    (tmp_path / "cp" / "commits").mkdir()
    (tmp_path / "cp" / "offsets" / "4").write_text('v1\n{}\n{"words":{"0":12}}\n')
    (tmp_path / "cp" / "commits" / "4").write_text("v1\n{}\n")
    (tmp_path / "cp" / "offsets" / "5").write_text('v1\n{}\n{"words":{"0":19}}\n')
    assert position(f"file:{tmp_path / 'cp'}", "latest") == {("words", 0): 12}, (
        "the checkpoint's last committed batch wins; batch 5, planned only, runs again"
    )
