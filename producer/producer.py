"""Sends lines to a Kafka topic for the word count, with the seed tutorial's defaults:
60 messages, one every 2 seconds, the line `hello,kafka,spark,streaming,kafka`.

Every send is acknowledged by all in-sync replicas (acks=all) and checked; the summary counts
only acknowledged lines, and --summary-json adds their words, split as the job splits them.

    python producer/producer.py --topic words --partitions 3
    python producer/producer.py --file corpus.txt --interval 0 --summary-json
    python producer/producer.py --file events.tsv --event-times   # EVENT_TIME<TAB>LINE
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from datetime import datetime

from jobs.options import DefaultsHelpFormatter, Option, add_options
from jobs.seed import SEED_COUNT, SEED_INTERVAL, SEED_LINE
from jobs.words import split_line

# Flat out (--interval 0), up to this many sends are in flight before the oldest is checked:
# the sender thread keeps filling batches while acknowledgements come back in order.
IN_FLIGHT = 20_000


class ProducerError(Exception):
    """A failure the user can act on; main() prints it as one sentence."""


ENV_PREFIX = "STREAMLAB_PRODUCER_"


def options() -> tuple[Option, ...]:
    """The table of options; the brokers default to the lab's (STREAMLAB_KAFKA_BOOTSTRAP)."""
    lab_bootstrap = os.environ.get("STREAMLAB_KAFKA_BOOTSTRAP", "localhost:9092")
    return (
        Option(
            "--bootstrap-servers",
            lab_bootstrap,
            "Kafka brokers: kafka:9092 inside the lab, localhost:9092 from the host",
        ),
        Option("--topic", "words", "topic to send to"),
        Option(
            "--count",
            SEED_COUNT,
            "messages to send (with --file: at most this many lines; 0 = all)",
        ),
        Option("--message", SEED_LINE, "the line to send"),
        Option("--file", None, "send each line of this file instead ('-' for stdin)"),
        Option("--partitions", 0, "create the topic with this many partitions if it is missing"),
        Option(
            "--replication-factor",
            1,
            "replicas of a topic that --partitions creates; above 1, min.insync.replicas is "
            "one less, so acks=all survives the loss of one broker",
        ),
        Option("--key", None, "message key (default: none, round-robin)"),
        Option(
            "--processes",
            1,
            "flat out only: send with this many processes, each its own producer, taking every "
            "Nth line (kafka-python's Python per send caps one process: bench/results/latest.md)",
        ),
        Option(
            "--event-times",
            False,
            "each line is EVENT_TIME<TAB>LINE (epoch milliseconds or ISO 8601): LINE is sent "
            "with EVENT_TIME as its Kafka timestamp, for event-time windows",
        ),
        Option("--delimiter", ",", "word separator, for the summary"),
        Option("--summary-json", False, "print the acknowledged counts as JSON"),
        Option("--timeout", 30.0, "seconds to wait for the broker or an acknowledgement"),
        Option(
            "--progress",
            "auto",
            "progress bar on stderr (auto: when it is a terminal)",
            choices=("auto", "always", "never"),
        ),
    )


# The pace: --interval (from the environment too) or --rate, one of them at most.
INTERVAL = Option("--interval", SEED_INTERVAL, "seconds between messages; 0: as fast as possible")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Send lines to a Kafka topic (acks=all, every send checked).",
        epilog=f"Options also come from {ENV_PREFIX}<OPTION>, e.g. {ENV_PREFIX}TOPIC.",
        formatter_class=DefaultsHelpFormatter,
    )
    add_options(parser, ENV_PREFIX, options())
    pace = parser.add_mutually_exclusive_group()
    add_options(pace, ENV_PREFIX, [INTERVAL], errors=parser)
    pace.add_argument("--rate", type=float, help="messages per second (0 = as fast as possible)")
    args = parser.parse_args(argv)
    if args.rate is not None:
        args.interval = 0.0 if args.rate <= 0 else 1.0 / args.rate
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.processes > 1 and (args.interval > 0 or args.file == "-"):
        parser.error(
            "--processes above 1 needs --interval 0 (flat out) and lines that every "
            "process can read: --message or --file PATH, not stdin"
        )
    args.process_index = 0  # which of the processes' shares of the lines this one sends
    if args.count < 0 or args.interval < 0:
        parser.error("--count and --interval must not be negative")
    if args.replication_factor < 1:
        parser.error("--replication-factor must be at least 1")
    return args


def lines_to_send(args: argparse.Namespace) -> Iterator[str]:
    """The lines, or with --processes N the share of process `args.process_index`: every Nth
    line, counted over all of them (so --count caps the total)."""
    for number, line in enumerate(all_lines(args)):
        if number % args.processes == args.process_index:
            yield line


def all_lines(args: argparse.Namespace) -> Iterator[str]:
    if args.file is None:
        for _ in range(args.count):
            yield args.message
        return
    stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
    with stream:
        for sent, line in enumerate(stream):
            if args.count and sent >= args.count:
                return
            yield line.rstrip("\n")


def split_event_time(line: str, number: int) -> tuple[int, str]:
    """`EVENT_TIME<TAB>LINE` as (epoch milliseconds, LINE): the time when the line's event
    happened, which a record carries as its Kafka timestamp (CreateTime), apart from when it
    is sent, so that lines can arrive late."""
    stamp, tab, text = line.partition("\t")
    try:
        if not tab:
            raise ValueError("no tab")
        if stamp.strip().isdigit():
            return int(stamp), text
        when = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise ValueError("no time zone")
        return int(when.timestamp() * 1000), text
    except ValueError:
        raise ProducerError(
            f"line {number} is not EVENT_TIME<TAB>LINE ({line[:40]!r}); with --event-times each "
            "line starts with epoch milliseconds or an ISO 8601 time with its zone, then a tab"
        ) from None


def progress_bar(done: int, total: int | None, width: int = 30) -> str:
    if not total:
        return f"\r{done} sent"
    filled = width * done // total
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def connect(args: argparse.Namespace):
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    timeout_ms = int(args.timeout * 1000)
    try:
        return KafkaProducer(
            bootstrap_servers=args.bootstrap_servers.split(","),
            acks="all",
            # Flat out, larger batches that wait a little for company; one line at a time, none.
            linger_ms=20 if args.interval == 0 else 0,
            batch_size=256 * 1024,
            max_block_ms=timeout_ms,
            request_timeout_ms=timeout_ms,
            delivery_timeout_ms=2 * timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
            # Retries (unbounded, within delivery_timeout_ms) cannot duplicate a line: the
            # idempotent producer lets the broker drop a retried batch it already has.
            enable_idempotence=True,
        )
    except KafkaError as error:
        raise unreachable(args, error) from error


def unreachable(args: argparse.Namespace, error: Exception) -> ProducerError:
    return ProducerError(
        f"cannot reach Kafka at {args.bootstrap_servers} ({type(error).__name__}). "
        "From the host use localhost:9092; inside the lab, kafka:9092. Is the stack up?"
    )


def ensure_topic(args: argparse.Namespace, producer) -> int:
    """The topic's partition count; creates the topic first when --partitions asks for it."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=args.bootstrap_servers.split(","),
            request_timeout_ms=int(args.timeout * 1000),
            bootstrap_timeout_ms=int(args.timeout * 1000),
        )
    except KafkaError as error:
        raise unreachable(args, error) from error
    try:
        if args.topic not in admin.list_topics():
            if args.partitions <= 0:
                raise ProducerError(
                    f"topic {args.topic} does not exist on {args.bootstrap_servers}. "
                    "Create it: add --partitions 3 (or `make topic`)."
                )
            configs = {}
            if args.replication_factor > 1:
                configs["min.insync.replicas"] = str(args.replication_factor - 1)
            rf = args.replication_factor
            admin.create_topics([NewTopic(args.topic, args.partitions, rf, topic_configs=configs)])
    except TopicAlreadyExistsError:
        pass  # created meanwhile by someone else: fine
    except KafkaError as error:
        raise ProducerError(f"cannot create topic {args.topic}: {error}") from error
    finally:
        admin.close()
    try:
        return len(producer.partitions_for(args.topic))
    except KafkaTimeoutError as error:
        raise unreachable(args, error) from error


def produce(args: argparse.Namespace) -> tuple[int, Counter[str], dict[int, int]]:
    """Sends the lines; returns what was acknowledged: lines, words, lines per partition."""
    from kafka.errors import KafkaError

    producer = connect(args)
    words: Counter[str] = Counter()
    per_partition: Counter[int] = Counter()
    acked = 0
    pending: deque = deque()  # (future, line), oldest first
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    total = args.count if args.file is None or args.count else None
    key = args.key.encode() if args.key is not None else None

    # Acknowledged lines are counted as lines, split into words once at the end: lines repeat
    # (the seed's always does), and splitting or counting words per send slowed the sends.
    acked_lines: Counter[str] = Counter()

    def settle(future, line: str) -> None:
        nonlocal acked
        metadata = future.get(timeout=args.timeout)
        acked += 1
        per_partition[metadata.partition] += 1
        acked_lines[line] += 1

    try:
        partitions = ensure_topic(args, producer)
        for number, line in enumerate(lines_to_send(args), start=1):
            timestamp_ms = None
            if args.event_times:
                try:
                    timestamp_ms, line = split_event_time(line, number)
                except ProducerError as error:
                    producer.flush(timeout=args.timeout)  # what went before still counts
                    while pending:
                        settle(*pending.popleft())
                    raise ProducerError(f"{error} ({acked} lines before it acknowledged)") from None
            # Lines without a key go round the partitions, named here: kafka-python's own
            # partitioner (a random pick among available partitions, per record) cost a fifth
            # of the time of a send, flat out. A key picks its partition by hash, as Kafka does.
            partition = None if key is not None else number % partitions
            future = producer.send(
                args.topic,
                value=line.encode("utf-8"),
                key=key,
                partition=partition,
                timestamp_ms=timestamp_ms,
            )
            if args.interval > 0:
                settle(future, line)
                if show:
                    print(progress_bar(number, total), end="", file=sys.stderr, flush=True)
                time.sleep(args.interval)
            else:
                pending.append((future, line))
                # Check acknowledgements as they arrive, in order; wait only when too many
                # are out (never a flush that drains the pipeline).
                while pending and (len(pending) > IN_FLIGHT or pending[0][0].is_done):
                    settle(*pending.popleft())
                if show and number % 10_000 == 0:
                    print(progress_bar(acked, total), end="", file=sys.stderr, flush=True)
        producer.flush(timeout=args.timeout)
        while pending:
            settle(*pending.popleft())
    except KafkaError as error:
        raise ProducerError(
            f"a send to {args.topic} failed after {acked} acknowledged lines: "
            f"{type(error).__name__}: {error}"
        ) from error
    finally:
        if show:
            print(progress_bar(acked, total), file=sys.stderr)
        producer.close(timeout=args.timeout)
    for line, times in acked_lines.items():
        for word in split_line(line.encode("utf-8"), args.delimiter):
            words[word] += times
    return acked, words, dict(per_partition)


def produce_in_processes(args: argparse.Namespace) -> tuple[int, Counter[str], dict[int, int]]:
    """produce() in args.processes processes, each with its share of the lines and its own
    producer (acks=all, every send checked); their acknowledgements added up."""
    from concurrent.futures import ProcessPoolExecutor

    shares = [
        argparse.Namespace(**{**vars(args), "process_index": i, "progress": "never"})
        for i in range(args.processes)
    ]
    acked, words, per_partition = 0, Counter[str](), Counter[int]()
    with ProcessPoolExecutor(args.processes) as pool:
        for lines, share_words, share_partitions in pool.map(produce, shares):
            acked += lines
            words.update(share_words)
            per_partition.update(share_partitions)
    return acked, words, dict(per_partition)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        started = time.monotonic()  # connecting included: a fraction of a second
        send = produce_in_processes if args.processes > 1 else produce
        acked, words, per_partition = send(args)
        seconds = time.monotonic() - started
    except ProducerError as error:
        print(f"producer: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("producer: interrupted", file=sys.stderr)
        return 130
    spread = ", ".join(f"{p}: {n}" for p, n in sorted(per_partition.items()))
    rate = acked / seconds if seconds > 0 else 0.0
    print(
        f"acknowledged {acked} lines to {args.topic} in {seconds:.1f} s ({rate:.0f} lines/s; "
        f"per partition {{{spread}}})",
        file=sys.stderr,
    )
    if args.summary_json:
        words_json = dict(sorted(words.items()))
        partitions = {str(p): n for p, n in sorted(per_partition.items())}
        record = {"lines": acked, "seconds": round(seconds, 3), "words": words_json}
        print(json.dumps({**record, "partitions": partitions}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
