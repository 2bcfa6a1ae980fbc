"""Counts the words of each micro-batch read from a Kafka topic, as the Spark 2 "Direct
approach" tutorials did with KafkaUtils.createDirectStream, on Structured Streaming's Kafka source.

Each Kafka partition is one Spark partition of the batch, there is no receiver, and the offsets
live in the query's checkpoint, so a restarted job goes on exactly where it stopped. Per batch,
the lines are split, mapped to (word, 1) and reduced with reduceByKey (or, with
--method dataframe, exploded and grouped), printed in the tutorial's layout, and written to a
results folder, one file per batch id, so that a replayed batch overwrites its own file. Each
batch's progress (durations, rows per second, offsets) goes to a JSON-lines file as well.

Usage (inside the lab; `make submit` does this):
    spark-submit /opt/streamlab/jobs/wordcount.py --topic words --trigger "3 seconds"
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable
from datetime import datetime
from operator import add
from pathlib import Path

from jobs.diagnose import TopicOffsets, committed_offsets, run_job
from jobs.fast import kafka_values, word_columns
from jobs.lag import LagState, Partition, serve_lag
from jobs.options import LOG_LEVELS, DefaultsHelpFormatter, Option, add_options
from jobs.paths import (
    announce_progress,
    checkpoint_dir,
    progress_dir,
    progress_file,
    results_dir,
)
from jobs.progress import make_listener
from jobs.results import RunningTotals, write_batch
from jobs.seed import RULE
from jobs.words import INVALID_UTF8, split_line

log = logging.getLogger("wordcount")
# The query's name, in its progress and in the lag it serves.
QUERY = "wordcount"


def format_batch(batch_time: datetime, counts: Iterable[tuple[str, int]], limit: int = 20) -> str:
    """The layout of DStream.pprint(): a rule, the batch time, a rule, one tuple per line."""
    counts = list(counts)
    lines = [RULE, f"Time: {batch_time:%Y-%m-%d %H:%M:%S}", RULE]
    lines += [repr(pair) for pair in counts[:limit]]
    if len(counts) > limit:
        lines.append("...")
    return "\n".join(lines) + "\n"


def count_rdd(batch_df, delimiter: str) -> list[tuple[str, int]]:
    """The tutorial's way: flatMap to words, map to (word, 1), reduceByKey. The values come as
    raw bytes (jobs.fast.kafka_values), as the tutorial's stream handed them on.

    Into one partition: each Kafka partition's words are combined before the shuffle, so a
    batch's reduce side holds a few pairs per distinct word, and each reduce task costs a round
    trip to a Python worker. By default there were as many as Kafka partitions, which on a
    laptop's few cores run in waves; one reduce task made short-trigger batches faster
    (make bench, the latency part)."""
    return (
        kafka_values(batch_df)
        .flatMap(lambda value: split_line(value, delimiter))
        .map(lambda word: (word, 1))
        .reduceByKey(add, numPartitions=1)
        .collect()
    )


def count_dataframe(batch_df, delimiter: str) -> list[tuple[str, int]]:
    """The same counts with DataFrame functions only (no Python per row): explode + groupBy."""
    return [
        (row.word, row["count"])
        for row in split_words(batch_df, delimiter).groupBy("word").count().collect()
    ]


def split_words(df, delimiter: str = ",", *keep: str):
    """The words of a Kafka DataFrame's values, one row each (column `word`, plus the columns
    named in `keep`), split by the job's rules: for a batch here, and for the streaming
    aggregations of the second walkthrough, which must count exactly as the job does."""
    explode_words, trim_word, not_empty = word_columns(delimiter)
    return df.select(explode_words, *keep).select(trim_word, *keep).where(not_empty)


COUNTERS = {"rdd": count_rdd, "dataframe": count_dataframe}


def make_batch_handler(args: argparse.Namespace):
    """The foreachBatch function: count, print, write. Runs on the driver, once per batch."""
    counter = COUNTERS[args.method]
    results = Path(args.results_dir)
    totals = RunningTotals(results)

    def handle(batch_df, batch_id: int) -> None:
        batch_time = datetime.now()
        counts = sorted(counter(batch_df, args.delimiter), key=lambda pair: (-pair[1], pair[0]))
        if not counts and args.skip_empty:
            return
        if args.show_batches:
            print(format_batch(batch_time, counts, args.print_limit), flush=True)
        write_batch(results, batch_id, batch_time, counts)
        invalid = dict(counts).get(INVALID_UTF8)
        if invalid:
            log.warning(
                "batch %d: %d value(s) were not UTF-8, counted as %s",
                batch_id,
                invalid,
                INVALID_UTF8,
            )
        if args.running_totals:
            # Kept per batch id beside the sink: a restart or a replayed batch leaves them exact.
            top = sorted(totals.add(batch_id, counts).items(), key=lambda pair: (-pair[1], pair[0]))
            print(f"Running totals after batch {batch_id}: {top[: args.print_limit]}", flush=True)

    return handle


ENV_PREFIX = "STREAMLAB_WORDCOUNT_"
AVAILABLE_NOW = "available-now"
OPTIONS = (
    Option("--bootstrap-servers", "kafka:9092", "Kafka brokers, host:port[,host:port]"),
    Option("--topic", "words", "topic to subscribe to"),
    Option(
        "--trigger",
        "3 seconds",
        f"processing-time trigger interval, or {AVAILABLE_NOW}: count what the topic holds "
        "now, in batches of --max-offsets-per-trigger, then stop",
    ),
    Option("--delimiter", ",", "word separator within a line"),
    Option(
        "--starting-offsets",
        "earliest",
        "where a new query starts: earliest, latest, or Kafka's JSON offsets",
    ),
    Option("--max-offsets-per-trigger", 0, "cap on records per batch (0: no cap)"),
    Option(
        "--fetch-max-wait-ms",
        50,
        "Kafka consumer's fetch.max.wait.ms for the batch's tasks: with Kafka's default, 500, "
        "each task waits up to half a second at the end of its offset range, which small "
        "batches feel",
    ),
    Option(
        "--checkpoint",
        "",
        "checkpoint folder: offsets and commits; a restart resumes from here "
        f"(default: {checkpoint_dir('TOPIC')})",
    ),
    Option(
        "--results-dir",
        "",
        f"results sink, one JSON file per batch id (default: {results_dir('TOPIC')})",
    ),
    Option(
        "--progress-dir",
        str(progress_dir()),
        "where each batch's progress (durations, rows, offsets) goes, as TOPIC.jsonl; "
        "empty: nowhere",
    ),
    Option(
        "--metrics-port",
        0,
        "serve the query's Kafka lag per partition for Prometheus on this port, at /metrics "
        "(0: not at all; the lab's job uses 9464)",
    ),
    Option(
        "--method",
        "rdd",
        "rdd: reduceByKey as in the tutorial; dataframe: explode + groupBy",
        choices=tuple(sorted(COUNTERS)),
    ),
    Option("--running-totals", False, "also print the totals across batches"),
    Option("--print-limit", 20, "tuples printed per batch"),
    Option("--skip-empty", True, "print nothing for batches without words"),
    Option(
        "--show-batches",
        True,
        "print each batch in the tutorial's layout (a notebook that shows the batches in a "
        "table of its own turns this off; the results are written either way)",
    ),
    Option(
        "--log-level",
        "off",
        "Python's and Spark's log on stderr; off: the output is the start line and the "
        "batches alone",
        choices=tuple(LOG_LEVELS),
    ),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Per-micro-batch word counts of a Kafka topic (Structured Streaming).",
        epilog=f"Every option can also be set with {ENV_PREFIX}<OPTION> "
        f"(e.g. {ENV_PREFIX}TOPIC, {ENV_PREFIX}SKIP_EMPTY=0).",
        formatter_class=DefaultsHelpFormatter,
    )
    add_options(parser, ENV_PREFIX, OPTIONS)
    args = parser.parse_args(argv)
    # One checkpoint and one results folder per topic: a checkpoint belongs to one query.
    args.checkpoint = args.checkpoint or str(checkpoint_dir(args.topic))
    args.results_dir = args.results_dir or str(results_dir(args.topic))
    return args


def build_query(spark, args: argparse.Namespace):
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", args.bootstrap_servers)
        .option("subscribe", args.topic)
        .option("startingOffsets", args.starting_offsets)
        .option("failOnDataLoss", "true")
        .option("kafka.fetch.max.wait.ms", str(args.fetch_max_wait_ms))
    )
    if args.max_offsets_per_trigger > 0:
        reader = reader.option("maxOffsetsPerTrigger", args.max_offsets_per_trigger)
    return (
        reader.load()
        .select("value")
        .writeStream.queryName(QUERY)
        .foreachBatch(make_batch_handler(args))
        .option("checkpointLocation", args.checkpoint)
        .trigger(**trigger_of(args.trigger))
    )


def trigger_of(trigger: str) -> dict:
    """DataStreamWriter.trigger's keyword for --trigger."""
    if trigger == AVAILABLE_NOW:
        return {"availableNow": True}
    return {"processingTime": trigger}


def start_line(args: argparse.Namespace) -> str:
    return (
        f"Counting the words of topic {args.topic} on {args.bootstrap_servers} every "
        f"{args.trigger} ({args.method}); checkpoint {args.checkpoint}, results {args.results_dir}"
    )


def resume_position(args: argparse.Namespace, offsets: TopicOffsets) -> dict[Partition, int]:
    """Where the query goes on (its checkpoint's last committed batch) or starts, for the lag
    it serves before its first batch."""
    checkpoint = Path(args.checkpoint.removeprefix("file:"))
    at = committed_offsets(checkpoint, args.topic) or start_position(args, offsets)
    return {(args.topic, partition): offset for partition, offset in at.items()}


def start_position(args: argparse.Namespace, offsets: TopicOffsets) -> dict[int, int]:
    """Where a new query starts by --starting-offsets: the topic's first or next offsets at
    the job's start (earliest, latest), or Kafka's JSON offsets (Spark's -2 and -1 in it left
    out)."""
    starting = args.starting_offsets.strip()
    if starting.startswith("{"):
        given = json.loads(starting).get(args.topic, {})
        return {int(p): int(offset) for p, offset in given.items() if int(offset) >= 0}
    return dict(offsets.ends if starting == "latest" else offsets.first)


def run(args: argparse.Namespace, offsets: TopicOffsets) -> int:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("streamlab-wordcount").getOrCreate()
    spark.sparkContext.setLogLevel(args.log_level.upper())
    print(start_line(args), flush=True)
    sinks: list = []
    if args.progress_dir:
        sinks.append(progress_file(args.topic, folder=Path(args.progress_dir)))
        announce_progress(sinks[0])
    if args.metrics_port:
        lag = LagState()
        lag.seed(QUERY, resume_position(args, offsets))
        sinks.append(lag.record)
        serve_lag(spark, args.bootstrap_servers, args.metrics_port, state=lag)
    if sinks:  # one listener for the progress log and the lag
        spark.streams.addListener(make_listener(*sinks))
    query = build_query(spark, args).start()
    try:
        query.awaitTermination()
    except KeyboardInterrupt:
        log.info("stopping the query; it resumes from %s next time", args.checkpoint)
        query.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_job("wordcount", args, lambda offsets: run(args, offsets))


if __name__ == "__main__":
    sys.exit(main())
