"""Why the job cannot start, or had to stop, in one sentence that names the cause and the fix.

A learner who mistypes a topic or fills a disk should read what happened and what to type
next, not a Java stack trace. So the job looks before it starts the query (is Kafka there, is
the topic there, does the checkpoint fit the topic?) and, when the query stops, it looks again
at what changed (a full disk, the topic gone or made anew). Nothing here loses a count: a batch
that failed was not committed, so the next start counts it again from the checkpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from jobs.options import LOG_LEVELS

DISK_FULL = "No space left on device"


class JobError(Exception):
    """A failure the learner can act on; its text is one sentence with the fix."""


class MissingTopic(JobError):
    """The topic is not on the brokers (mistyped, or deleted)."""


@dataclass(frozen=True)
class Where:
    """What the job reads and writes, for the sentences."""

    bootstrap: str
    topic: str
    checkpoint: str
    results_dir: str


def unreachable(where: Where) -> JobError:
    return JobError(
        f"cannot reach Kafka at {where.bootstrap}: start the lab with `make up` (inside the lab "
        "the broker is kafka:9092; from the host, localhost:9092), then submit the job again."
    )


def missing_topic_sentence(topic: str, bootstrap: str, existing: Iterable[str]) -> str:
    """Said by the job and, before it is submitted, by `make submit` (streamlab.topics)."""
    names = ", ".join(sorted(existing)) or "none"
    return (
        f"topic {topic} does not exist on {bootstrap} (topics there: {names}): create it "
        f"with `make topic TOPIC={topic}`, or submit the job for one of those (TOPIC=...)."
    )


def missing_topic(where: Where, existing: Iterable[str]) -> JobError:
    return MissingTopic(missing_topic_sentence(where.topic, where.bootstrap, existing))


def deleted_topic(where: Where) -> JobError:
    return JobError(
        f"topic {where.topic} was deleted while the job read it; the counts so far stay in "
        f"{where.results_dir}: to count it again, create it and start over with "
        f"`make reset TOPIC={where.topic}`, then `make submit TOPIC={where.topic}`."
    )


def checkpoint_ahead(where: Where, ahead: Mapping[int, tuple[int, int | None]]) -> JobError:
    detail = ", ".join(
        f"partition {p}: checkpoint at {mine}, topic "
        + ("has no such partition" if end is None else f"ends at {end}")
        for p, (mine, end) in sorted(ahead.items())
    )
    return JobError(
        f"the checkpoint {where.checkpoint} is ahead of topic {where.topic} ({detail}), so the "
        "topic was deleted and created again: start the exercise over with "
        f"`make reset TOPIC={where.topic}` (it removes that topic's checkpoint and results)."
    )


def disk_full(where: Where) -> JobError:
    return JobError(
        f"the disk that holds the checkpoint and the results ({where.checkpoint}, "
        f"{where.results_dir}) is full: free some space (`docker system df`, or "
        "`make reset TOPIC=...` for a topic you are done with), then `make submit` again; the "
        "batch that failed was not committed and is counted again, so no line is lost."
    )


def stopped(where: Where, message: str) -> JobError:
    first = next((line.strip() for line in message.splitlines() if line.strip()), "no message")
    return JobError(
        f"the query on topic {where.topic} stopped: {first[:300]}; run the job again with "
        "--log-level warn to see Spark's log, then `make submit`."
    )


def offset_files(checkpoint: Path) -> list[tuple[int, Path]]:
    """The checkpoint's offsets/<batch id> files, by batch id: Spark writes one before it runs
    a batch."""
    folder = checkpoint / "offsets"
    if not folder.is_dir():
        return []
    return sorted((int(p.name), p) for p in folder.iterdir() if p.name.isdigit())


def batch_offsets(offsets_file: Path, topic: str) -> dict[int, int]:
    """Where one planned batch ends in `topic`, by partition ({} if the file names no such
    source): a version line, a metadata line, then one JSON line per source,
    {topic: {partition: offset}}."""
    for line in offsets_file.read_text(encoding="utf-8").splitlines()[2:]:
        source = json.loads(line) if line.startswith("{") else {}
        if topic in source:
            return {int(p): int(offset) for p, offset in source[topic].items()}
    return {}


def checkpoint_offsets(checkpoint: Path, topic: str) -> dict[int, int]:
    """The end offsets of the newest batch the checkpoint planned, for `topic` ({} if none)."""
    batches = offset_files(checkpoint)
    return batch_offsets(batches[-1][1], topic) if batches else {}


def committed_offsets(checkpoint: Path, topic: str) -> dict[int, int]:
    """Where the newest batch that the checkpoint committed (commits/<batch id>, written once
    a batch has ended) ends in `topic`: where the query goes on. A batch planned but not
    committed runs again from the one before. {} for a new query."""
    folder = checkpoint / "commits"
    done = {int(p.name) for p in folder.iterdir() if p.name.isdigit()} if folder.is_dir() else set()
    batches = [(number, path) for number, path in offset_files(checkpoint) if number in done]
    return batch_offsets(batches[-1][1], topic) if batches else {}


def ahead_of(
    planned: Mapping[int, int], ends: Mapping[int, int]
) -> dict[int, tuple[int, int | None]]:
    """Partitions where the checkpoint is past the topic's end (or the partition is gone)."""
    return {
        p: (offset, ends.get(p))
        for p, offset in planned.items()
        if p not in ends or offset > ends[p]
    }


class KafkaView:
    """Topics and end offsets, asked of the brokers with kafka-python (the driver has it)."""

    def __init__(self, where: Where, timeout_s: float = 20) -> None:
        from kafka import KafkaConsumer
        from kafka.errors import KafkaError

        self.where = where
        try:
            self.consumer = KafkaConsumer(
                bootstrap_servers=where.bootstrap.split(","),
                request_timeout_ms=int(timeout_s * 1000),
                bootstrap_timeout_ms=int(timeout_s * 1000),
            )
        except KafkaError as error:
            raise unreachable(where) from error

    def topics(self) -> set[str]:
        return {name for name in self.consumer.topics() if not name.startswith("__")}

    def end_offsets(self) -> dict[int, int]:
        return self.offsets()

    def offsets(self, earliest: bool = False) -> dict[int, int]:
        """The topic's next offset in each partition, or (earliest) its first."""
        from kafka import TopicPartition

        ids = self.consumer.partitions_for_topic(self.where.topic) or set()
        partitions = [TopicPartition(self.where.topic, p) for p in ids]
        ask = self.consumer.beginning_offsets if earliest else self.consumer.end_offsets
        return {tp.partition: offset for tp, offset in ask(partitions).items()}

    def close(self) -> None:
        self.consumer.close()


@dataclass(frozen=True)
class TopicOffsets:
    """The topic's first and next offset in each partition, when the job starts: its
    partitions, and where a new query starts (startingOffsets earliest or latest)."""

    first: dict[int, int]
    ends: dict[int, int]


def check_before_start(where: Where) -> TopicOffsets:
    """Kafka answers, the topic exists, and the checkpoint is not ahead of it; else JobError.
    Returns the topic's offsets, for a job that needs its partitions or where it starts."""
    view = KafkaView(where)
    try:
        topics = view.topics()
        if where.topic not in topics:
            raise missing_topic(where, topics)
        planned = checkpoint_offsets(Path(where.checkpoint), where.topic)
        ends = view.end_offsets()
        ahead = ahead_of(planned, ends)
        if ahead:
            raise checkpoint_ahead(where, ahead)
        return TopicOffsets(first=view.offsets(earliest=True), ends=ends)
    finally:
        view.close()


def run_job(name: str, args: argparse.Namespace, run: Callable[[TopicOffsets], int]) -> int:
    """A job's main, given its parsed options: its log at the level asked, the checks before it
    starts, then `run` (given the topic's offsets); any failure ends in one sentence on
    stderr, prefixed with the job's name, and exit 2."""
    logging.basicConfig(
        level=LOG_LEVELS[args.log_level], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    where = Where(args.bootstrap_servers, args.topic, args.checkpoint, args.results_dir)
    try:
        return run(check_before_start(where))
    except JobError as error:
        print(f"{name}: {error}", file=sys.stderr, flush=True)
    except Exception as error:  # the job stopped: say why, in one sentence
        logging.getLogger(name).debug("the job stopped", exc_info=True)
        print(f"{name}: {explain(where, str(error))}", file=sys.stderr, flush=True)
    return 2


def explain(where: Where, message: str) -> JobError:
    """The sentence for a query that stopped with `message` (Spark's, with any Python error)."""
    if DISK_FULL in message:
        return disk_full(where)
    try:
        check_before_start(where)
    except MissingTopic:
        return deleted_topic(where)
    except JobError as found:
        return found
    except Exception:  # noqa: S110 (Kafka half-answers: Spark's own message says more)
        pass
    return stopped(where, message)
