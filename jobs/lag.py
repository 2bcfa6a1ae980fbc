"""Consumer lag of the running streaming queries, per Kafka partition, for Prometheus.

Structured Streaming's Kafka source keeps its offsets in the query's checkpoint, not in a Kafka
consumer group, so Kafka's own lag tools (`kafka-consumer-groups`) see nothing of it. Here the
lag of a partition is its latest offset, asked of Kafka at each scrape, minus the offset up to
which the query has processed it (its last batch's end offset, from the query's progress): so
it stays right when the job falls behind or stops making progress, not only at batch ends.
Before the query's first batch, the processed offsets are where it resumes (its checkpoint's
last committed batch) or starts (startingOffsets): a job that never ends a first batch while
lines arrive shows them as waiting, so its health check can say so.

    from jobs.lag import serve_lag
    serve_lag(spark, "kafka:9092", port=9464)  # in a driver: the job, or a notebook
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger(__name__)

Partition = tuple[str, int]  # (topic, partition)


def processed_offsets(progress: Mapping) -> dict[Partition, int]:
    """The end offsets of a progress record's Kafka sources: where the query has read up to.
    Spark writes each source's offsets as a JSON text, {"topic": {"0": 42, ...}}."""
    offsets: dict[Partition, int] = {}
    for source in progress.get("sources", []):
        end = source.get("endOffset")
        if not end or not source.get("description", "").startswith("Kafka"):
            continue
        parsed = json.loads(end) if isinstance(end, str) else end
        for topic, partitions in parsed.items():
            for partition, offset in partitions.items():
                offsets[(topic, int(partition))] = int(offset)
    return offsets


def exposition(
    processed: Mapping[str, Mapping[Partition, int]], latest: Mapping[Partition, int]
) -> str:
    """Prometheus' text format: per query and partition, the processed offset, the latest
    offset and their difference (never below zero: a batch may end past a stale reading)."""
    lines = [
        "# HELP streamlab_kafka_lag_records Records in Kafka that the query has not processed.",
        "# TYPE streamlab_kafka_lag_records gauge",
    ]
    values = []
    for query, partitions in sorted(processed.items()):
        for (topic, partition), done in sorted(partitions.items()):
            labels = f'query="{query}",topic="{topic}",partition="{partition}"'
            end = latest.get((topic, partition))
            values.append(f"streamlab_kafka_processed_offset{{{labels}}} {done}")
            if end is not None:
                lines.append(f"streamlab_kafka_lag_records{{{labels}}} {max(end - done, 0)}")
                values.append(f"streamlab_kafka_latest_offset{{{labels}}} {end}")
    lines += [
        "# TYPE streamlab_kafka_processed_offset gauge",
        *(v for v in values if v.startswith("streamlab_kafka_processed")),
        "# TYPE streamlab_kafka_latest_offset gauge",
        *(v for v in values if v.startswith("streamlab_kafka_latest")),
    ]
    return "\n".join(lines) + "\n"


class LagState:
    """The last processed offsets of each query, fed by the listener, read by the server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processed: dict[str, dict[Partition, int]] = {}

    def seed(self, query: str, offsets: Mapping[Partition, int]) -> None:
        """Where `query` resumes or starts, until its first progress says where it is."""
        with self._lock:
            self._processed.setdefault(query, dict(offsets))

    def update(self, query: str, progress: Mapping) -> None:
        offsets = processed_offsets(progress)
        if offsets:
            with self._lock:
                self._processed.setdefault(query, {}).update(offsets)

    def record(self, progress_json: str) -> None:
        """A progress event as Spark writes it (a sink of jobs.progress.make_listener)."""
        progress = json.loads(progress_json)
        self.update(progress.get("name") or progress["id"], progress)

    def snapshot(self) -> dict[str, dict[Partition, int]]:
        with self._lock:
            return {query: dict(offsets) for query, offsets in self._processed.items()}


def kafka_latest(bootstrap: str) -> Callable[[list[Partition]], dict[Partition, int]]:
    """A function that asks Kafka for the latest offsets of some partitions (one consumer,
    kept, not in any group)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = None
    lock = threading.Lock()

    def latest(partitions: list[Partition]) -> dict[Partition, int]:
        nonlocal consumer
        with lock:
            if consumer is None:
                consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
            ends = consumer.end_offsets([TopicPartition(t, p) for t, p in partitions])
        return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}

    return latest


def make_handler(state: LagState, latest: Callable[[list[Partition]], dict[Partition, int]]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/metrics":
                self.send_error(404, "try /metrics")
                return
            processed = state.snapshot()
            partitions = sorted({p for offsets in processed.values() for p in offsets})
            try:
                ends = latest(partitions) if partitions else {}
            except Exception as error:  # Kafka unreachable: the processed offsets still count
                log.warning("lag: no latest offsets from Kafka (%s)", error)
                ends = {}
            body = exposition(processed, ends).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            log.debug(format, *args)

    return Handler


def serve_lag(
    spark, bootstrap: str, port: int = 9464, state: LagState | None = None
) -> ThreadingHTTPServer:
    """Serves the lag of this session's queries on http://<driver>:port/metrics (a daemon
    thread: it ends with the driver). Without `state`, a listener of its own feeds one; the
    job passes the state that its one progress listener already feeds."""
    if state is None:
        from jobs.progress import make_listener

        state = LagState()
        spark.streams.addListener(make_listener(state.record))
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(state, kafka_latest(bootstrap)))  # noqa: S104
    threading.Thread(target=server.serve_forever, name="lag-metrics", daemon=True).start()
    log.info("lag metrics on port %d", port)
    return server
