"""Spark 2's `pyspark.streaming.kafka` on Spark 4: the Direct approach from Python.

PySpark removed this module in Spark 3.0, together with Kafka 0.8's consumer that it wrapped.
Spark still publishes the JVM Direct integration for Kafka 0.10 and later
(`spark-streaming-kafka-0-10`), and PySpark still ships DStreams (deprecated since Spark 3.4):
only the Python layer was gone. The lab (streamlab) provides it again, so that the tutorial's
`from pyspark.streaming.kafka import KafkaUtils` works as written. Its source lives in the
lab's repository as `images/spark/python/pyspark_streaming_kafka.py`, installed into the Spark
image as `pyspark/streaming/kafka.py`; its JVM half is `images/spark/kafka-direct/`
(`streamlab.direct.KafkaUtilsPythonHelper`), compiled when the image is built.

What stays as Spark 2 had it: `createDirectStream(ssc, topics, kafkaParams, fromOffsets,
keyDecoder, valueDecoder, messageHandler)` gives a DStream of `(key, value)`; Spark 2's
parameter names (`metadata.broker.list`, `auto.offset.reset` = `smallest`/`largest`) work;
`offsetRanges()` on a batch RDD in `foreachRDD` and `transform`; `createRDD` for exact offset
ranges; `OffsetRange` and `TopicAndPartition`. What changed: Kafka 0.10's consumer reads the
records, so a consumer group id is made when none is given and offsets can be committed back
to Kafka (`commitAsync`); `createStream`, the receiver-based approach, is gone for good.

New code should use Structured Streaming's Kafka source, as the lab's other walkthroughs do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyspark
from py4j.java_gateway import JavaClass, JavaObject
from pyspark import RDD, SparkContext
from pyspark.serializers import NoOpSerializer, PairDeserializer, Serializer
from pyspark.streaming import DStream, StreamingContext
from pyspark.streaming.dstream import TransformedDStream
from pyspark.streaming.util import TransformFunction

__all__ = [
    "KafkaMessageAndMetadata",
    "KafkaUtils",
    "KafkaUtilsError",
    "OffsetRange",
    "TopicAndPartition",
    "utf8_decoder",
]

HELPER = "streamlab.direct.KafkaUtilsPythonHelper"
BYTES = "org.apache.kafka.common.serialization.ByteArrayDeserializer"
# Kafka 0.8's words for where a new consumer starts, and Kafka 0.10's.
OFFSET_RESET = {"smallest": "earliest", "largest": "latest"}


class KafkaUtilsError(SystemExit):
    """A mistake that one sentence explains. A SystemExit, so that a script run with
    spark-submit prints the sentence alone and exits 1, and Jupyter shows it without a stack
    trace."""


def utf8_decoder(s: bytes | None) -> str | None:
    """Decodes UTF-8, as Spark 2's decoder did; a key or value that is not UTF-8 keeps its
    readable part with U+FFFD in place of the rest, so that one malformed message never fails
    the batch (Spark 2 raised there, and the job stopped)."""
    if s is None:
        return None
    return s.decode("utf-8", errors="replace")


def integration_package() -> str:
    """The Maven coordinates of the JVM integration that matches this PySpark."""
    return f"org.apache.spark:spark-streaming-kafka-0-10_2.13:{pyspark.__version__}"


class TopicAndPartition:
    """A Kafka topic's partition, as a key of `fromOffsets`."""

    def __init__(self, topic: str, partition: int) -> None:
        self._topic = topic
        self._partition = partition

    def _jTopicAndPartition(self, helper: JavaObject) -> JavaObject:
        return helper.topicPartition(self._topic, self._partition)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TopicAndPartition):
            return NotImplemented
        return (self._topic, self._partition) == (other._topic, other._partition)

    def __hash__(self) -> int:
        return hash((self._topic, self._partition))

    def __repr__(self) -> str:
        return f"TopicAndPartition(topic: {self._topic}, partition: {self._partition})"


class OffsetRange:
    """The records of one topic partition that one batch read: [fromOffset, untilOffset)."""

    def __init__(self, topic: str, partition: int, fromOffset: int, untilOffset: int) -> None:
        self.topic = topic
        self.partition = partition
        self.fromOffset = fromOffset
        self.untilOffset = untilOffset

    def count(self) -> int:
        return self.untilOffset - self.fromOffset

    def _jOffsetRange(self, helper: JavaObject) -> JavaObject:
        return helper.offsetRange(self.topic, self.partition, self.fromOffset, self.untilOffset)

    def _key(self) -> tuple[str, int, int, int]:
        return (self.topic, self.partition, self.fromOffset, self.untilOffset)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OffsetRange):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"OffsetRange(topic: {self.topic}, partition: {self.partition}, "
            f"range: [{self.fromOffset} -> {self.untilOffset}])"
        )


class KafkaMessageAndMetadata:
    """One record as a messageHandler sees it, with Spark 2's attribute names."""

    def __init__(self, topic: str, partition: int, offset: int, key: Any, message: Any) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.message = message

    def __repr__(self) -> str:
        return (
            f"KafkaMessageAndMetadata(topic: {self.topic}, partition: {self.partition}, "
            f"offset: {self.offset}, key: {self.key!r}, message: {self.message!r})"
        )


def kafka_params(kafkaParams: Mapping[str, Any]) -> dict[str, Any]:
    """Spark 2's parameters in Kafka 0.10's words, with what the Direct stream needs set."""
    params = {str(key): value for key, value in kafkaParams.items()}
    brokers = params.pop("metadata.broker.list", None)
    params.setdefault("bootstrap.servers", brokers)
    if not params["bootstrap.servers"]:
        raise KafkaUtilsError(
            "kafkaParams names no broker: give 'metadata.broker.list' (Spark 2's name) or "
            "'bootstrap.servers', for example {'metadata.broker.list': 'kafka:9092'} in the lab."
        )
    # Spark 2's Direct stream started at the end of each partition unless told otherwise.
    reset = str(params.get("auto.offset.reset", "largest"))
    params["auto.offset.reset"] = OFFSET_RESET.get(reset, reset)
    # Kafka 0.10's consumer needs a group; Spark 2's Direct stream had none, so make one.
    params.setdefault("group.id", f"spark-streaming-{uuid.uuid4().hex[:12]}")
    # The JVM side hands bytes to Python, and the offsets live in the checkpoint: Kafka must
    # not move them on its own.
    params["key.deserializer"] = BYTES
    params["value.deserializer"] = BYTES
    params["enable.auto.commit"] = "false"
    return params


def helper_of(sc: SparkContext) -> JavaObject:
    """The JVM helper; one sentence if it or Spark's integration is not on the classpath."""
    jvm = sc._jvm
    assert jvm is not None, "the SparkContext is stopped"
    helper = jvm.streamlab.direct.KafkaUtilsPythonHelper
    kafka010 = jvm.org.apache.spark.streaming.kafka010.KafkaUtils
    if not (isinstance(helper, JavaClass) and isinstance(kafka010, JavaClass)):
        missing = HELPER if isinstance(kafka010, JavaClass) else integration_package()
        raise KafkaUtilsError(
            f"Spark's Kafka Direct integration is not on the classpath ({missing} is missing): "
            f"add the package {integration_package()} and the lab's streamlab-kafka-direct.jar "
            "(spark-submit --packages ... --jars ...); the lab's Spark image has both built in."
        )
    return helper()


def _kafka_rdd(jrdd: JavaObject, ctx: SparkContext, ser: Serializer) -> KafkaRDD:
    return KafkaRDD(jrdd, ctx, ser)


def _offset_ranges(ctx: SparkContext, jrdd: JavaObject) -> list[OffsetRange]:
    ranges = helper_of(ctx).offsetRanges(jrdd.rdd())
    return [OffsetRange(o.topic(), o.partition(), o.fromOffset(), o.untilOffset()) for o in ranges]


class KafkaRDD(RDD):
    """A batch of the direct stream, or an RDD narrowly derived from one: it knows the offset
    ranges it read (one Spark partition per Kafka partition)."""

    def offsetRanges(self) -> list[OffsetRange]:
        return _offset_ranges(self.ctx, self._jrdd)


def _two_arguments(func: Callable) -> Callable:
    """DStream's convention: a function of (rdd) or of (time, rdd)."""
    if func.__code__.co_argcount == 1:
        one = func
        return lambda _time, rdd: one(rdd)
    assert func.__code__.co_argcount == 2, "func should take one or two arguments"
    return func


def _pickled(func: Callable) -> Callable:
    """A transformation's result as the JVM stream after it must hold it: pickled, as the
    stream's deserializer (the SparkContext's) reads it. A function that hands back the batch
    itself (`transform(lambda rdd: rdd)`) returns the JVM's raw frames otherwise, which the next
    stream would read as pickles. RDD._reserialize is PySpark's own way, private."""

    def transformed(time: Any, rdd: RDD) -> RDD | None:
        result = func(time, rdd)
        return None if result is None else result._reserialize()

    return transformed


def _returning_nothing(func: Callable) -> Callable:
    """An output operation's result is dropped: PySpark would take a value returned by the
    function (say, `lambda rdd: results.append(...)`'s) for an RDD, and fail the batch."""

    def output(time: Any, rdd: RDD) -> None:
        func(time, rdd)

    return output


class _StreamHandle:
    """What a KafkaDStream becomes when a closure that uses it is pickled into the checkpoint:
    the streaming graph's id of its input stream, enough to commit offsets after a recovery."""

    def __init__(self, input_id: int) -> None:
        self._input_id = input_id

    def commitAsync(self, offsetRanges: Iterable[OffsetRange]) -> None:
        _commit(self._input_id, offsetRanges)


def _commit(input_id: int, offsetRanges: Iterable[OffsetRange]) -> None:
    ssc = StreamingContext._activeContext
    if ssc is None:
        raise KafkaUtilsError("commitAsync needs a running StreamingContext: call ssc.start().")
    helper = helper_of(ssc._sc)
    helper.commitAsync(ssc._jssc, input_id, [o._jOffsetRange(helper) for o in offsetRanges])


class _KafkaStreamOps:
    """foreachRDD and transform as Spark 2's KafkaDStream had them: each batch RDD knows its
    offset ranges, and consecutive transformations fold into one Python pass."""

    _input_id: int

    def foreachRDD(self, func: Callable) -> None:
        stream: DStream = self  # type: ignore[assignment]
        jfunc = TransformFunction(
            stream._sc, _returning_nothing(_two_arguments(func)), stream._jrdd_deserializer
        ).rdd_wrapper(_kafka_rdd)
        assert stream._ssc._jvm is not None
        stream._ssc._jvm.PythonDStream.callForeachRDD(stream._jdstream, jfunc)

    def transform(self, func: Callable) -> KafkaTransformedDStream:
        return KafkaTransformedDStream(self, _two_arguments(func))  # type: ignore[arg-type]

    def commitAsync(self, offsetRanges: Iterable[OffsetRange]) -> None:
        """Commits these offsets to Kafka for the stream's consumer group (what Scala's
        `stream.asInstanceOf[CanCommitOffsets].commitAsync` does); the checkpoint keeps the
        stream's own offsets either way."""
        _commit(self._input_id, offsetRanges)

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return (_StreamHandle, (self._input_id,))


class KafkaTransformedDStream(_KafkaStreamOps, TransformedDStream):
    """A transformation of the direct stream (map, flatMap, reduceByKey... all go through
    transform), folded with the ones before it unless those are cached or checkpointed."""

    def __init__(self, prev: DStream, func: Callable) -> None:
        if isinstance(prev, KafkaTransformedDStream) and not (
            prev.is_cached or prev.is_checkpointed
        ):
            before: Callable = prev.func
            folded: Callable = lambda t, rdd: func(t, before(t, rdd))  # noqa: E731
            TransformedDStream.__init__(self, prev.prev, folded)
        else:
            TransformedDStream.__init__(self, prev, func)
        self._input_id = prev._input_id  # type: ignore[attr-defined]

    @property
    def _jdstream(self) -> JavaObject:
        if self._jdstream_val is not None:
            return self._jdstream_val
        jfunc = TransformFunction(
            self._sc, _pickled(self.func), self.prev._jrdd_deserializer
        ).rdd_wrapper(_kafka_rdd)
        assert self._sc._jvm is not None
        jstream = self._sc._jvm.PythonTransformedDStream(self.prev._jdstream.dstream(), jfunc)
        self._jdstream_val = jstream.asJavaDStream()
        return self._jdstream_val


class KafkaDStream(KafkaTransformedDStream):
    """The direct stream itself: the JVM's records, decoded by its serializer as Python reads
    them. Its DStream is the JVM's own (no Python pass of its own), and the transformations
    after it fold into one Python pass over the records."""

    def __init__(
        self, ssc: StreamingContext, jstream: JavaObject, ser: Serializer, input_id: int
    ) -> None:
        raw: DStream = DStream(jstream, ssc, ser)
        raw._input_id = input_id  # type: ignore[attr-defined]
        super().__init__(raw, lambda _time, rdd: rdd)
        self._jrdd_deserializer = ser

    @property
    def _jdstream(self) -> JavaObject:
        return self.prev._jdstream


# PySpark's private reader of one frame (FramedSerializer._read_with_length), if it has one.
FRAME_READER = "_read_with_length"


class KafkaRecords(Serializer):
    """Reads the JVM's records and decodes them as they come: (key, value) through the
    decoders, or, for a messageHandler, its result of a KafkaMessageAndMetadata. The JVM
    writes two frames a record (key, value) or four ((topic, "partition offset"), (key,
    value)); Spark 2 read them with PairDeserializer(NoOpSerializer(), NoOpSerializer()),
    whose batch of one and zip per record cost more than the reading itself. The frames are
    read with FramedSerializer._read_with_length, a private method of PySpark's; without it
    (a later PySpark) PairDeserializer serves, slower."""

    def __init__(
        self,
        keyDecoder: Callable,
        valueDecoder: Callable,
        messageHandler: Callable | None = None,
    ) -> None:
        self.keyDecoder = keyDecoder
        self.valueDecoder = valueDecoder
        self.messageHandler = messageHandler

    def _frames(self, stream: Any, width: int) -> Iterable[tuple]:
        """The records' raw frames, `width` (2 or 4) a record."""
        frame = getattr(NoOpSerializer(), FRAME_READER, None)
        if frame is None:
            raw = NoOpSerializer()
            pair = PairDeserializer(raw, raw)
            if width == 2:
                yield from pair.load_stream(stream)
                return
            for (topic, position), (key, value) in PairDeserializer(pair, pair).load_stream(stream):
                yield topic, position, key, value
            return
        while True:
            try:
                first = frame(stream)
            except EOFError:
                return
            if width == 2:
                yield first, frame(stream)
            else:
                yield first, frame(stream), frame(stream), frame(stream)

    def load_stream(self, stream: Any) -> Iterable[Any]:
        key_of, value_of, handler = self.keyDecoder, self.valueDecoder, self.messageHandler
        if handler is not None:
            for topic, position, key, value in self._frames(stream, 4):
                partition, offset = position.decode().split()
                yield handler(
                    KafkaMessageAndMetadata(
                        topic.decode(), int(partition), int(offset), key_of(key), value_of(value)
                    )
                )
            return
        if key_of is utf8_decoder:  # a record without a key needs no call for it
            for key, value in self._frames(stream, 2):
                yield (None if key is None else key_of(key)), value_of(value)
            return
        for key, value in self._frames(stream, 2):
            yield key_of(key), value_of(value)

    def _load_stream_without_unbatching(self, stream: Any) -> Iterable[list]:
        return ([record] for record in self.load_stream(stream))

    def __repr__(self) -> str:
        return "KafkaRecords()"


class KafkaUtils:
    """Spark 2's entry points, with its parameter names."""

    @staticmethod
    def createStream(*_args: Any, **_kwargs: Any) -> DStream:
        raise KafkaUtilsError(
            "KafkaUtils.createStream, the receiver-based approach through ZooKeeper, was "
            "removed in Spark 3.0 with Kafka 0.8's consumer: use the Direct approach, "
            "KafkaUtils.createDirectStream(ssc, [topic], {'metadata.broker.list': 'kafka:9092'})."
        )

    @staticmethod
    def createDirectStream(
        ssc: StreamingContext,
        topics: Iterable[str],
        kafkaParams: Mapping[str, Any],
        fromOffsets: Mapping[TopicAndPartition, int] | None = None,
        keyDecoder: Callable = utf8_decoder,
        valueDecoder: Callable = utf8_decoder,
        messageHandler: Callable | None = None,
    ) -> KafkaDStream:
        """A direct stream: no receiver, one Spark partition per Kafka partition, offsets in
        the checkpoint. With fromOffsets it reads those partitions from those offsets."""
        if isinstance(topics, str):
            topics = [topics]
        helper = helper_of(ssc._sc)
        offsets = {tp._jTopicAndPartition(helper): int(o) for tp, o in (fromOffsets or {}).items()}
        jinput = helper.createDirectStream(
            ssc._jssc, kafka_params(kafkaParams), list(topics), offsets
        )
        ser = KafkaRecords(keyDecoder, valueDecoder, messageHandler)
        jstream = (
            helper.keysAndValues(jinput) if messageHandler is None else helper.withMetadata(jinput)
        )
        return KafkaDStream(ssc, jstream, ser, helper.inputStreamId(jinput))

    @staticmethod
    def createRDD(
        sc: SparkContext,
        kafkaParams: Mapping[str, Any],
        offsetRanges: Iterable[OffsetRange],
        leaders: Mapping[TopicAndPartition, Any] | None = None,
        keyDecoder: Callable = utf8_decoder,
        valueDecoder: Callable = utf8_decoder,
        messageHandler: Callable | None = None,
    ) -> KafkaRDD:
        """Exactly these offset ranges as one RDD. `leaders` is accepted for Spark 2's
        signature and not needed: Kafka 0.10's consumer finds each partition's leader."""
        del leaders
        helper = helper_of(sc)
        ranges = [o._jOffsetRange(helper) for o in offsetRanges]
        jrdd = helper.createRDD(
            sc._jsc, kafka_params(kafkaParams), ranges, messageHandler is not None
        )
        return KafkaRDD(jrdd, sc, KafkaRecords(keyDecoder, valueDecoder, messageHandler))
