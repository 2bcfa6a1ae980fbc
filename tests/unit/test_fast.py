"""Each fast path's PySpark internals still work, called directly (an upgrade that breaks one
fails here, by name), give what the public API gives, and hand over to it when they break."""

from __future__ import annotations

import pytest

from jobs import fast

VALUES = [b"hello,kafka", None, b"", b"\xff\xfe", "café".encode()]


@pytest.fixture
def values_df(spark):
    from pyspark.sql.types import BinaryType, StructField, StructType

    schema = StructType([StructField("value", BinaryType(), True)])
    return spark.createDataFrame([(v,) for v in VALUES], schema)


@pytest.fixture(autouse=True)
def no_fallback_yet():
    fast.FELL_BACK.clear()
    yield
    fast.FELL_BACK.clear()


def test_kafka_values_internal_still_works(values_df):
    try:
        internal = fast.kafka_values_internal(values_df).collect()
    except fast.BROKEN as error:
        pytest.fail(f"jobs.fast.kafka_values_internal: PySpark's internals changed: {error}")
    assert internal == VALUES
    assert fast.kafka_values_public(values_df).collect() == VALUES


def test_kafka_values_falls_back_to_the_public_api(values_df, monkeypatch):
    def broken(_df):
        raise AttributeError("'DataFrame' object has no attribute '_jdf'")

    monkeypatch.setattr(fast, "kafka_values_internal", broken)
    assert fast.kafka_values(values_df).collect() == VALUES
    assert fast.FELL_BACK == {"kafka_values"}


def test_progress_jlistener_internal_still_works(spark):
    try:
        jlistener = fast.progress_jlistener(lambda _json: None)
    except fast.BROKEN as error:
        pytest.fail(f"jobs.fast.progress_jlistener: PySpark's internals changed: {error}")
    assert "PythonStreamingQueryListenerWrapper" in jlistener.getClass().getName()


def test_progress_listener_takes_pyspark_own_side_when_the_fast_one_breaks(spark, monkeypatch):
    def broken(_deliver):
        raise AttributeError("no PythonStreamingQueryListenerWrapper")

    monkeypatch.setattr(fast, "progress_jlistener", broken)
    listener = fast.progress_listener(lambda _json: None)
    spark.streams.addListener(listener)  # which asks for its Java side
    spark.streams.removeListener(listener)
    assert fast.FELL_BACK == {"progress_listener"}
