"""The lab's `pyspark.streaming.kafka` without Docker: Spark 2's parameters in Kafka 0.10's
words, the records as Python reads them from the JVM's frames, Spark 2's value classes, and
the one-sentence failures (createStream; a Spark without the Direct integration's jars)."""

from __future__ import annotations

import copy

import pytest

from tests.support.kafka_module import load

kafka = load()


def test_spark2_broker_list_and_offset_words_become_kafka_010s():
    params = kafka.kafka_params(
        {"metadata.broker.list": "kafka:9092", "auto.offset.reset": "smallest"}
    )
    assert params["bootstrap.servers"] == "kafka:9092"
    assert "metadata.broker.list" not in params
    assert params["auto.offset.reset"] == "earliest"
    assert (
        kafka.kafka_params({"bootstrap.servers": "b:1", "auto.offset.reset": "largest"})[
            "auto.offset.reset"
        ]
        == "latest"
    )


def test_like_spark2_a_new_stream_starts_at_the_end_and_the_offsets_stay_with_spark():
    params = kafka.kafka_params({"metadata.broker.list": "kafka:9092"})
    assert params["auto.offset.reset"] == "latest"
    assert params["enable.auto.commit"] == "false"
    bytes_class = "org.apache.kafka.common.serialization.ByteArrayDeserializer"
    assert params["key.deserializer"] == params["value.deserializer"] == bytes_class


def test_a_group_id_is_made_when_none_is_given_and_kept_when_given():
    made = kafka.kafka_params({"metadata.broker.list": "k:9092"})["group.id"]
    again = kafka.kafka_params({"metadata.broker.list": "k:9092"})["group.id"]
    assert made.startswith("spark-streaming-")
    assert made != again, "each stream a group of its own"
    given = kafka.kafka_params({"bootstrap.servers": "k:9092", "group.id": "mine"})
    assert given["group.id"] == "mine"


def test_no_broker_is_one_sentence_naming_both_spellings():
    with pytest.raises(SystemExit) as raised:
        kafka.kafka_params({"auto.offset.reset": "smallest"})
    message = str(raised.value)
    assert "'metadata.broker.list'" in message
    assert "'bootstrap.servers'" in message
    assert message.count("\n") == 0


def test_create_stream_is_gone_with_one_sentence_pointing_to_the_direct_approach():
    with pytest.raises(SystemExit) as raised:
        kafka.KafkaUtils.createStream(None, "localhost:2181", "group", {"topic_name": 1})
    message = str(raised.value)
    assert "removed in Spark 3.0" in message
    assert "createDirectStream" in message
    assert raised.value.code == message, "SystemExit's code is the sentence: exit status 1"


def test_utf8_decoder_keeps_none_and_never_fails_on_bad_bytes():
    assert kafka.utf8_decoder(None) is None
    assert kafka.utf8_decoder("héllo".encode()) == "héllo"
    assert kafka.utf8_decoder(b"ok\xff") == "ok\ufffd"


def read(serializer, records: list[tuple]) -> list:
    import io

    return list(serializer.load_stream(io.BytesIO(frames(records))))


def test_records_without_a_handler_are_decoded_key_value_pairs():
    records = [(None, b"hello,kafka"), (b"k", b"v"), (b"key", None), (None, b"ok\xff")]
    decoded = read(kafka.KafkaRecords(kafka.utf8_decoder, kafka.utf8_decoder), records)
    assert decoded == [(None, "hello,kafka"), ("k", "v"), ("key", None), (None, "ok\ufffd")]
    as_bytes = read(kafka.KafkaRecords(bytes, lambda v: v), [(b"k", b"v")])
    assert as_bytes == [(b"k", b"v")], "any decoder, as Spark 2 had them"


def test_a_message_handler_sees_topic_partition_offset_key_and_message():
    def handler(m):
        return (m.topic, m.partition, m.offset, m.key, m.message)

    serializer = kafka.KafkaRecords(kafka.utf8_decoder, kafka.utf8_decoder, handler)
    record = (b"words", b"2 41", None, b"hello")
    assert read(serializer, [record]) == [("words", 2, 41, None, "hello")]


def test_offset_range_and_topic_and_partition_compare_as_values():
    first = kafka.OffsetRange("words", 0, 10, 25)
    assert first == kafka.OffsetRange("words", 0, 10, 25)
    assert first != kafka.OffsetRange("words", 1, 10, 25)
    assert first.count() == 15
    assert repr(first) == "OffsetRange(topic: words, partition: 0, range: [10 -> 25])"
    offsets = {kafka.TopicAndPartition("words", 0): 10}
    assert offsets[kafka.TopicAndPartition("words", 0)] == 10
    assert kafka.TopicAndPartition("words", 0) != kafka.TopicAndPartition("words", 1)


def test_a_stream_pickled_into_a_checkpoint_keeps_only_its_input_streams_id():
    # A closure that commits through the stream is pickled with the DStream graph; the stream
    # (its SparkContext, its JVM objects) cannot be, its input stream's id can.
    stream = object.__new__(kafka.KafkaDStream)
    stream._input_id = 7
    handle = copy.deepcopy(stream)
    assert type(handle) is kafka._StreamHandle
    assert handle._input_id == 7


@pytest.fixture(scope="module")
def ssc():
    streaming = pytest.importorskip("pyspark.streaming")
    from pyspark import SparkConf, SparkContext

    conf = SparkConf().setMaster("local[2]").setAppName("kafka-direct-unit")
    sc = SparkContext(conf=conf.set("spark.ui.enabled", "false"))
    with pytest.warns(FutureWarning, match="DStream is deprecated"):
        context = streaming.StreamingContext(sc, 1)
    yield context
    sc.stop()


def test_without_the_jvm_integration_one_sentence_names_the_package(ssc):
    # The host's PySpark has no spark-streaming-kafka-0-10 jar and no lab helper.
    with pytest.raises(SystemExit) as raised:
        kafka.KafkaUtils.createDirectStream(ssc, ["t"], {"metadata.broker.list": "k:9092"})
    message = str(raised.value)
    assert "org.apache.spark:spark-streaming-kafka-0-10_2.13:" in message
    assert "is not on the classpath" in message


def frames(records: list[tuple]) -> bytes:
    """What PythonRDD writes for an RDD of byte-array pairs: two frames a record."""
    import struct

    from pyspark.serializers import SpecialLengths

    out = b""
    for pair in records:
        for part in pair:
            if part is None:
                out += struct.pack("!i", SpecialLengths.NULL)
            else:
                out += struct.pack("!i", len(part)) + part
    return out + struct.pack("!i", SpecialLengths.END_OF_DATA_SECTION)


def test_the_records_read_as_spark_2s_pair_deserializer_read_them():
    import io

    from pyspark.serializers import NoOpSerializer, PairDeserializer

    records = [(None, b"hello,kafka"), (b"k", b""), (b"key", None), (None, b"\xff")]
    spark2 = PairDeserializer(NoOpSerializer(), NoOpSerializer())
    assert list(spark2.load_stream(io.BytesIO(frames(records)))) == records
    assert read(kafka.KafkaRecords(lambda k: k, lambda v: v), records) == records


def test_the_private_framing_the_fast_reader_stands_on_is_still_there():
    # KafkaRecords falls back to PairDeserializer without it, slower: this test says so.
    from pyspark.serializers import NoOpSerializer

    assert callable(getattr(NoOpSerializer(), kafka.FRAME_READER, None)), (
        "pyspark.serializers.FramedSerializer._read_with_length is gone in this PySpark: "
        "pyspark_streaming_kafka.KafkaRecords now reads the records through PairDeserializer"
    )


def test_without_the_private_framing_the_records_still_read_right(monkeypatch):
    monkeypatch.setattr(kafka, "FRAME_READER", "_a_method_no_pyspark_has")
    records = [(None, b"a,b"), (b"k", None)]
    assert read(kafka.KafkaRecords(lambda k: k, lambda v: v), records) == records
    handler = kafka.KafkaRecords(kafka.utf8_decoder, kafka.utf8_decoder, lambda m: m.offset)
    assert read(handler, [(b"t", b"0 7", None, b"x")]) == [7]


def test_the_private_reserializing_a_transform_stands_on_is_still_there():
    from pyspark import RDD

    assert callable(getattr(RDD, "_reserialize", None)), (
        "pyspark.RDD._reserialize is gone in this PySpark: pyspark_streaming_kafka._pickled, "
        "which hands the JVM a transform's result as pickles, needs another way"
    )
