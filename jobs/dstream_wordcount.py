"""The tutorial's word count on DStreams: KafkaUtils.createDirectStream, as section 4.3 of the
tutorial wrote it, submitted to the lab's cluster (`make submit API=dstream`).

The chain is the tutorial's: `ks.map(lambda x: x[1])`, `flatMap` into words (by the job's word
rules, jobs/words.py, so that this job and the Structured Streaming one count alike), `map` to
(word, 1), `reduceByKey`. Each batch prints the tutorial's log: the five blocks of
`ks.pprint()`, `lines.pprint()`, `words.pprint()`, `pairs.pprint()` and `counts.pprint()`
(--print chooses fewer), and writes its counts to the results folder, one file per batch time.

The offsets live in the DStream checkpoint: `StreamingContext.getOrCreate` rebuilds the stream
from it after a restart, and a batch that was planned but not finished runs again with the
same offset ranges and rewrites its own results file, so the summed results stay exact (the
tutorial's "精确一次", exactly once). The graph comes back from the checkpoint as it was: to
change the batch interval or --print, start over with `make reset`.

Usage (inside the lab; `make submit API=dstream` does this):
    spark-submit /opt/streamlab/jobs/dstream_wordcount.py --topic words --trigger "3 seconds"
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import sys
import warnings
from datetime import datetime
from pathlib import Path

from jobs.diagnose import run_job
from jobs.options import LOG_LEVELS, DefaultsHelpFormatter, Option, add_options
from jobs.paths import (
    announce_progress,
    checkpoint_dir,
    progress_dir,
    progress_file,
    results_dir,
)
from jobs.results import write_batch
from jobs.seed import RULE
from jobs.words import INVALID_UTF8, split_text

log = logging.getLogger("dstream_wordcount")

BLOCKS = ("ks", "lines", "words", "pairs", "counts")
DEPRECATED = "DStream is deprecated"
ENV_PREFIX = "STREAMLAB_WORDCOUNT_"
OPTIONS = (
    Option("--bootstrap-servers", "kafka:9092", "Kafka brokers, host:port[,host:port]"),
    Option("--topic", "words", "topic to read"),
    Option("--trigger", "3 seconds", "batch interval: N seconds or N milliseconds"),
    Option("--delimiter", ",", "word separator within a line"),
    Option(
        "--starting-offsets",
        "earliest",
        "where a new stream starts (Kafka's auto.offset.reset)",
        choices=("earliest", "latest"),
    ),
    Option(
        "--max-offsets-per-trigger",
        0,
        "cap on records per batch (0: no cap), as Spark's maxRatePerPartition over the topic's "
        "partitions",
    ),
    Option(
        "--fetch-max-wait-ms",
        50,
        "Kafka consumer's fetch.max.wait.ms for the executors (as the Structured Streaming job)",
    ),
    Option(
        "--checkpoint",
        "",
        "DStream checkpoint: the offsets and the graph; a restart resumes from here "
        f"(default: {checkpoint_dir('TOPIC', dstream=True)})",
    ),
    Option(
        "--results-dir",
        "",
        f"results sink, one JSON file per batch time (default: {results_dir('TOPIC')})",
    ),
    Option(
        "--progress-dir",
        str(progress_dir()),
        "where each batch's progress (records, delays) goes, as TOPIC.dstream.jsonl; "
        "empty: nowhere",
    ),
    Option(
        "--print",
        "",
        "the tutorial's pprint blocks to print per batch, some of "
        + ", ".join(BLOCKS)
        + " (default: all five)",
    ),
    Option("--print-limit", 10, "records per block (pprint's default)"),
    Option(
        "--log-level",
        "off",
        "Spark's and Python's log on stderr; off: the output is the start line and the blocks",
        choices=tuple(LOG_LEVELS),
    ),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Per-batch word counts of a Kafka topic on DStreams (the tutorial's API).",
        epilog=f"Every option can also be set with {ENV_PREFIX}<OPTION>.",
        formatter_class=DefaultsHelpFormatter,
    )
    add_options(parser, ENV_PREFIX, OPTIONS)
    args = parser.parse_args(argv)
    args.checkpoint = args.checkpoint or str(checkpoint_dir(args.topic, dstream=True))
    args.results_dir = args.results_dir or str(results_dir(args.topic))
    args.blocks = [block.strip() for block in args.print.split(",") if block.strip()]
    args.blocks = args.blocks or list(BLOCKS)
    unknown = sorted(set(args.blocks) - set(BLOCKS))
    if unknown:
        parser.error(f"--print {args.print!r}: {', '.join(unknown)} is none of {', '.join(BLOCKS)}")
    try:
        args.seconds = batch_seconds(args.trigger)
    except ValueError as error:
        parser.error(str(error))
    return args


def batch_seconds(trigger: str) -> float:
    """--trigger in the Structured Streaming job's words ("3 seconds", "500 milliseconds"), as
    StreamingContext's batch duration in seconds."""
    found = re.fullmatch(
        r"\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|ms|millis|milliseconds?)\s*", trigger
    )
    if not found:
        raise ValueError(f"--trigger {trigger!r}: give N seconds or N milliseconds")
    value, unit = float(found.group(1)), found.group(2)
    seconds = value / 1000 if unit.startswith("m") else value
    if seconds <= 0:
        raise ValueError(f"--trigger {trigger!r}: the batch interval must be above zero")
    return seconds


def decode_value(value: bytes | None) -> str | None:
    """A record's value as text, and a value that is not UTF-8 as the job's marker, so that
    it counts once as <invalid-utf8>, as in the Structured Streaming job."""
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return INVALID_UTF8


def pprint_block(time: datetime, records: list, limit: int) -> str:
    """DStream.pprint()'s layout, for the counts block, which the job also writes out."""
    lines = [RULE, f"Time: {time}", RULE, *(str(record) for record in records[:limit])]
    if len(records) > limit:
        lines.append("...")
    return "\n".join(lines) + "\n"


def batch_id(time: datetime) -> int:
    """A batch's results file is named by its batch time: a batch that runs again after a
    recovery has the same time, and overwrites its own file."""
    return round(time.timestamp() * 1000)


# Each batch's end offset per partition, by batch time: from the direct stream's RDD to the
# progress listener, both on the driver. Module-level, so that the function that fills it is
# pickled into the checkpoint by reference and still fills this dict after a recovery.
BATCH_OFFSETS: dict[int, dict[int, int]] = {}


def remember_offsets(time: datetime, rdd) -> None:
    """An output operation that runs no job: it reads the batch's offset ranges."""
    BATCH_OFFSETS[batch_id(time)] = {o.partition: o.untilOffset for o in rdd.offsetRanges()}


def counts_writer(args: argparse.Namespace):
    """The counts block's output operation: collect, print, write (the driver, per batch)."""
    results = Path(args.results_dir)
    show = "counts" in args.blocks
    limit = args.print_limit

    def write(time: datetime, rdd) -> None:
        counts = sorted(rdd.collect(), key=lambda pair: (-pair[1], pair[0]))
        if show:
            print(pprint_block(time, counts, limit), flush=True)
        if counts:
            write_batch(results, batch_id(time), time, counts)

    return write


def build(ssc, args: argparse.Namespace) -> None:
    """The tutorial's program, on the job's options."""
    from pyspark.streaming.kafka import KafkaUtils

    params = {
        "metadata.broker.list": args.bootstrap_servers,
        "auto.offset.reset": args.starting_offsets,
        "fetch.max.wait.ms": args.fetch_max_wait_ms,
    }
    delimiter = args.delimiter
    ks = KafkaUtils.createDirectStream(ssc, [args.topic], params, valueDecoder=decode_value)
    ks.foreachRDD(remember_offsets)
    lines = ks.map(lambda x: x[1])
    words = lines.flatMap(lambda line: split_text(line, delimiter))
    pairs = words.map(lambda word: (word, 1))
    # Into one partition, as the Structured Streaming job's reduceByKey: each Kafka partition's
    # words are combined before the shuffle, so the reduce side holds a few pairs per word.
    counts = pairs.reduceByKey(lambda x, y: x + y, numPartitions=1)
    printed = {"ks": ks, "lines": lines, "words": words, "pairs": pairs}
    for name in BLOCKS[:-1]:
        if name in args.blocks:
            printed[name].pprint(args.print_limit)
    counts.foreachRDD(counts_writer(args))


def progress_listener(path: Path):
    """A StreamingListener that appends one JSON line per completed batch: its records and
    how long it waited and ran, as the Structured Streaming job's progress log does."""
    from pyspark.streaming.listener import StreamingListener

    def millis(value: int) -> int | None:  # Java's BatchInfo says -1 for "not yet"
        return value if value >= 0 else None

    class BatchProgress(StreamingListener):
        def onBatchCompleted(self, batchCompleted) -> None:
            info = batchCompleted.batchInfo()
            batch_time = info.batchTime().milliseconds()
            record = {
                "batch_time": batch_time,
                "records": info.numRecords(),
                "scheduling_delay_ms": millis(info.schedulingDelay()),
                "processing_delay_ms": millis(info.processingDelay()),
                "total_delay_ms": millis(info.totalDelay()),
                "end_offsets": BATCH_OFFSETS.pop(batch_time, None),
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a") as out:
                out.write(json.dumps(record) + "\n")

    return BatchProgress()


def max_rate(args: argparse.Namespace, partitions: int) -> int:
    """--max-offsets-per-trigger as Spark's cap per partition and second (DStreams cap the
    rate of each partition, not the batch)."""
    per_partition = args.max_offsets_per_trigger / max(1, partitions)
    return max(1, math.ceil(per_partition / args.seconds))


def start_line(args: argparse.Namespace) -> str:
    return (
        f"Counting the words of topic {args.topic} on {args.bootstrap_servers} every "
        f"{args.trigger} with DStreams (KafkaUtils.createDirectStream; deprecated since Spark "
        f"3.4, still shipped); checkpoint {args.checkpoint}, results {args.results_dir}"
    )


def run(args: argparse.Namespace, partitions: int) -> int:
    from pyspark import SparkConf, SparkContext
    from pyspark.streaming import StreamingContext

    # Said once in the start line instead of a FutureWarning in the middle of the output.
    warnings.filterwarnings("ignore", DEPRECATED, FutureWarning)

    conf = SparkConf().setAppName("streamlab-dstream-wordcount")
    if args.max_offsets_per_trigger > 0:
        conf.set("spark.streaming.kafka.maxRatePerPartition", str(max_rate(args, partitions)))

    def setup() -> StreamingContext:
        sc = SparkContext(conf=conf)
        sc.setLogLevel(args.log_level.upper())
        ssc = StreamingContext(sc, args.seconds)
        build(ssc, args)
        return ssc

    print(start_line(args), flush=True)
    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    ssc.sparkContext.setLogLevel(args.log_level.upper())
    if args.progress_dir:
        path = progress_file(args.topic, dstream=True, folder=Path(args.progress_dir))
        announce_progress(path)
        ssc.addStreamingListener(progress_listener(path))
    ssc.start()
    try:
        ssc.awaitTermination()
    except KeyboardInterrupt:
        log.info("stopping; the stream resumes from %s next time", args.checkpoint)
        ssc.stop(stopSparkContext=True, stopGraceFully=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_job(
        "dstream_wordcount", args, lambda offsets: run(args, partitions=len(offsets.ends))
    )


if __name__ == "__main__":
    # From the package, not __main__: the functions of the stream are then pickled into the
    # checkpoint by reference, and a recovered stream calls this very module.
    from jobs.dstream_wordcount import main as package_main

    sys.exit(package_main())
