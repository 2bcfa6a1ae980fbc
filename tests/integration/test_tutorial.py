"""The tutorial as written (section 4.3), on the real stack: its import line in every Spark
container, its streaming program and its producer with the lab's marked changes and no others
(exact totals, the log's five blocks per batch), the Direct approach's offset ranges (one Spark
partition per Kafka partition, exactly the produced offsets), and createStream's sentence."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import uuid
from collections import Counter

import pytest
from testcontainers.compose import DockerCompose

from jobs.seed import HEADER, SEED_LINE, SEED_TOTALS, printed_batches, printed_totals
from streamlab.compose import COMPOSE, create_topic
from streamlab.config import ROOT
from streamlab.wait import wait_until
from tests.support.stack import exec_in
from tests.support.wordcount import produce, unique_topic

PROGRAM = "/opt/streamlab/jobs/tutorial/kafka_wordcount.py"
PRODUCER = ROOT / "producer" / "tutorial_producer.py"
IMPORT = "from pyspark.streaming.kafka import KafkaUtils; print(KafkaUtils.createDirectStream)"


class Background:
    """A command in a container of its own (`compose run`), its output read as it comes, and
    removed at the end whatever happened."""

    def __init__(self, *command: str) -> None:
        self.name = f"streamlab-test-{uuid.uuid4().hex[:8]}"
        run = ["run", "--rm", "--no-deps", "-T", "--name", self.name, "wordcount", *command]
        self.process = subprocess.Popen(
            [*COMPOSE, *run], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lines.extend, args=(stream,), daemon=True).start()

    def text(self) -> str:
        return "".join(self.out)

    def alive(self) -> None:
        err = "".join(self.err)[-3000:]
        assert self.process.poll() is None, (
            f"ended with {self.process.returncode}:\n{self.text()[-3000:]}{err}"
        )

    def stop(self) -> None:
        subprocess.run(["docker", "rm", "--force", self.name], capture_output=True, check=False)
        self.process.wait(timeout=120)


def run_tutorial_producer(settings: dict[str, str]) -> None:
    """The tutorial's producer.py, its text as the lab ships it, on the tests' port of the
    host listener (the lab's is localhost:9092) and with its 2 s pauses skipped (the 60 sends
    are the same)."""
    port = settings["STREAMLAB_KAFKA_HOST_PORT"]
    source = PRODUCER.read_text().replace("localhost:9092", f"localhost:{port}")
    fast = "import time\ntime.sleep = lambda _seconds: None\n"
    run = [sys.executable, "-c", fast + f"exec(compile({source!r}, 'producer.py', 'exec'))"]
    result = subprocess.run(run, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("service", ["jupyter", "spark-worker"])
def test_the_tutorials_import_line_works_in_the_lab(stack: DockerCompose, service):
    # The kernel's Python reads site-packages; spark-submit's drivers and every executor read
    # pyspark.zip: both have the module.
    plain = exec_in(service, "python", "-c", IMPORT)
    zipped = exec_in(
        service,
        "bash",
        "-c",
        f'PYTHONPATH="$SPARK_HOME/python/lib/pyspark.zip" python -c "{IMPORT}"',
    )
    for out in (plain, zipped):
        assert "KafkaUtils.createDirectStream" in out, out


def test_the_tutorials_import_line_works_in_the_jobs_container(stack: DockerCompose):
    # The job's container (the service `wordcount`, as `make submit` starts it), plain Python
    # and under spark-submit, whose driver imports PySpark from pyspark.zip.
    submit = "cat > /tmp/imports.py && exec spark-submit /tmp/imports.py"
    for command in (["python", "-c", IMPORT], ["sh", "-c", submit]):
        run = ["run", "--rm", "--no-deps", "-T", "wordcount", *command]
        result = subprocess.run(
            [*COMPOSE, *run], cwd=ROOT, input=IMPORT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "KafkaUtils.createDirectStream" in result.stdout, result.stdout


def test_create_stream_is_one_sentence_and_a_non_zero_exit(stack: DockerCompose):
    program = (
        "from pyspark.streaming.kafka import KafkaUtils\n"
        "KafkaUtils.createStream(None, 'zookeeper:2181', 'spark-streaming-consumer', {'t': 1})\n"
    )
    run = ["run", "--rm", "--no-deps", "-T", "wordcount", "python", "-c", program]
    result = subprocess.run([*COMPOSE, *run], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result
    assert "removed in Spark 3.0" in result.stderr
    assert "createDirectStream" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_the_tutorials_programs_count_exactly_in_the_logs_five_blocks(
    stack: DockerCompose, settings
):
    # The tutorial's topic, as `make topic TOPIC=topic_name` makes it (walkthrough 00 may have
    # made it already: the program reads only what is produced after it starts).
    create_topic("topic_name", if_not_exists=True)
    job = Background("spark-submit", PROGRAM)  # spark-submit xxx.py > a.log
    try:

        def started() -> bool:
            job.alive()
            return bool(HEADER.search(job.text()))

        # The first (empty) batch is printed once the stream has its starting offsets.
        wait_until(started, timeout=240, interval=1, what="the tutorial's first batch")
        run_tutorial_producer(settings)

        def totals() -> Counter | None:
            job.alive()
            counted = printed_totals(job.text())
            over = {w: n for w, n in counted.items() if n > SEED_TOTALS.get(w, 0)}
            assert not over, f"counted more than was produced: {over}"
            return counted if counted == SEED_TOTALS else None

        wait_until(totals, timeout=180, interval=1, what="the tutorial's exact totals")
    finally:
        job.stop()
    log = job.text()
    found = printed_batches(log)
    # Each batch prints the log's five blocks; the stop may have cut the last one short.
    *before, last = found.values()
    assert all(len(blocks) == 5 for blocks in before), "each batch prints the log's five blocks"
    whole = [*before, last] if len(last) == 5 else before
    busy = [blocks for blocks in whole if blocks[0]]
    assert busy, "no batch had records"
    for ks, lines, words, pairs, counts in busy:
        assert set(ks) <= {f"(None, '{SEED_LINE}')", "..."}, ks
        assert set(lines) <= {SEED_LINE, "..."}, lines
        assert set(words) <= {*SEED_LINE.split(","), "..."}, words
        assert set(pairs) <= {*(f"('{w}', 1)" for w in SEED_LINE.split(",")), "..."}, pairs
        assert counts, "a batch with records has counts"
    # Nothing else in the log: the blocks, and the deprecation warning once, at the start.
    rest = [line for line in HEADER.sub("", log).splitlines() if line]
    stray = [line for line in rest if "FutureWarning" not in line]
    for blocks in found.values():
        for block in blocks:
            for line in block:
                stray.remove(line)
    assert stray == [], stray
    assert sum("DStream is deprecated" in line for line in rest) <= 1


PROBE = """
import json, sys, time
from pyspark import SparkContext
from pyspark.streaming import StreamingContext
from pyspark.streaming.kafka import KafkaUtils, OffsetRange, TopicAndPartition

topic, expected = sys.argv[1], int(sys.argv[2])
sc = SparkContext("local[2]", "offset-ranges")
params = {"metadata.broker.list": "kafka:9092", "auto.offset.reset": "smallest",
          "group.id": "probe-" + topic}


def run(make, done):
    # A stream made by make(ssc, seen), until done(seen) says its batches have done their part.
    ssc = StreamingContext(sc, 1)
    seen = []
    make(ssc, seen)
    ssc.start()
    deadline = time.time() + 120
    while not done(seen) and time.time() < deadline:
        time.sleep(0.2)
    ssc.stop(stopSparkContext=False, stopGraceFully=False)
    return seen


def records(wanted):
    return lambda seen: sum(o.count() for o in seen) >= wanted


def committed_all(seen):
    # commitAsync queues the offsets; the stream commits them when it plans its next batch.
    from kafka import KafkaConsumer, TopicPartition
    if not records(expected)(seen):
        return False
    consumer = KafkaConsumer(bootstrap_servers="kafka:9092", group_id=params["group.id"],
                             enable_auto_commit=False)
    try:
        ends = {}
        for o in seen:
            ends[o.partition] = max(ends.get(o.partition, 0), o.untilOffset)
        return all(consumer.committed(TopicPartition(topic, p)) == end for p, end in ends.items())
    finally:
        consumer.close()


def subscribed(ssc, seen):
    stream = KafkaUtils.createDirectStream(ssc, [topic], params)

    def batch(rdd):
        ranges = rdd.offsetRanges()
        if rdd.count():
            seen.extend(ranges)
            print(json.dumps({"partitions": rdd.getNumPartitions(), "records": rdd.count(),
                              "ranges": [[o.partition, o.fromOffset, o.untilOffset]
                                         for o in ranges]}), flush=True)
            stream.commitAsync(ranges)

    stream.foreachRDD(batch)


seen = run(subscribed, committed_all)
merged = {}
for o in seen:
    low, high = merged.get(o.partition, (o.fromOffset, o.untilOffset))
    merged[o.partition] = (min(low, o.fromOffset), max(high, o.untilOffset))
again = [OffsetRange(topic, p, low, high) for p, (low, high) in merged.items()]
rdd = KafkaUtils.createRDD(sc, params, again, leaders={TopicAndPartition(topic, 0): "ignored"},
                           messageHandler=lambda m: (m.topic, m.partition, m.offset))
print(json.dumps({"createRDD": sorted(rdd.collect()), "partitions": rdd.getNumPartitions(),
                  "ranges": sorted([o.partition, o.fromOffset, o.untilOffset]
                                   for o in rdd.offsetRanges())}), flush=True)

# From given offsets (Spark 2's fromOffsets: those partitions, from there), through transform,
# with a messageHandler.
start = {TopicAndPartition(topic, p): high - 5 for p, (low, high) in merged.items()}
transformed = []


def from_offsets(ssc, seen):
    stream = KafkaUtils.createDirectStream(
        ssc, [topic], params, fromOffsets=start,
        messageHandler=lambda m: (m.partition, m.offset, m.message))

    def ranges_of(rdd):
        seen.extend(rdd.offsetRanges())
        return rdd

    stream.transform(ranges_of).foreachRDD(lambda rdd: transformed.extend(rdd.collect()))


# Until the output operation has the records: a transform runs when its batch is planned,
# before the batch's job, so its ranges come in before the records do.
ranges = run(from_offsets, lambda _seen: len(transformed) >= 5 * len(start))
print(json.dumps({"fromOffsets": sorted([p, o] for p, o, _ in transformed),
                  "messages": sorted({m for _, _, m in transformed}),
                  "starts": sorted([o.partition, o.fromOffset] for o in ranges if o.count())}),
      flush=True)
"""


def test_the_direct_api_of_spark_2_on_a_real_topic(stack: DockerCompose, settings):
    """Spark 2's KafkaStreamTests, on the lab: one Spark partition per Kafka partition, offset
    ranges that cover exactly the produced offsets, createRDD with a messageHandler (and the
    leaders that Kafka 0.10 no longer needs), fromOffsets through transform, commitAsync."""
    topic = unique_topic("tutorial-offsets")
    summary = produce(settings, topic, "--count", "90", "--interval", "0")  # 3 partitions
    per_partition = {int(p): n for p, n in summary["partitions"].items()}
    assert sum(per_partition.values()) == 90, summary
    out = exec_in("jupyter", "python", "-c", PROBE, topic, "90", timeout=400)
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    *streamed, again, offsets = records
    for batch in streamed:
        assert batch["partitions"] == 3, "one Spark partition per Kafka partition"
        assert batch["records"] == sum(high - low for _, low, high in batch["ranges"])
    read = Counter[int]()
    for batch in streamed:
        for partition, low, high in batch["ranges"]:
            read[partition] += high - low
    assert dict(read) == per_partition, "the ranges cover exactly the produced offsets"
    expected = sorted([topic, p, o] for p, n in per_partition.items() for o in range(n))
    assert again["createRDD"] == expected, "createRDD reads exactly the ranges it is given"
    assert again["partitions"] == 3
    assert again["ranges"] == sorted([p, 0, n] for p, n in per_partition.items())
    tails = sorted([p, o] for p, n in per_partition.items() for o in range(n - 5, n))
    assert offsets["fromOffsets"] == tails, "fromOffsets starts each partition where told"
    assert offsets["messages"] == [SEED_LINE], "the messageHandler saw the decoded values"
    assert offsets["starts"] == sorted([p, n - 5] for p, n in per_partition.items())
    committed = exec_in(
        "kafka",
        "kafka-consumer-groups",
        "--bootstrap-server",
        "kafka:9092",
        "--describe",
        "--group",
        f"probe-{topic}",
    )
    for partition, n in per_partition.items():
        row = rf"{re.escape(topic)}\s+{partition}\s+{n}\s"
        assert re.search(row, committed), f"commitAsync left partition {partition}:\n{committed}"
