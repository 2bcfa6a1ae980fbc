"""The jobs' fast paths, apart from the lesson: where PySpark's public API costs a batch more than
the work itself, the work goes through PySpark's internals here, beside the public call that
does the same. When a PySpark upgrade breaks an internal, the job logs a warning once and takes
the public call from then on: the counts stay exact, only slower. tests/unit/test_fast.py calls
each internal path directly, so the upgrade that breaks one fails a test that names it.

- kafka_values: a batch's Kafka values as raw bytes (the JVM's Dataset[Array[Byte]] behind
  `_jdf`, framed by NoOpSerializer), where `batch_df.rdd` unpickles one Row object per record.
- progress_listener: the query listener's Java side (`_jlistener`) hands Python the progress's
  own JSON in one call, where pyspark's wrapper first copies every field of the event into
  Python objects, call by call into the JVM, on the driver that shares the cores with the
  executors.
- word_columns: the DataFrame method's column expressions, built once per delimiter (public
  API, cached: each function is a call into the JVM, and rebuilding them cost every trigger).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

from py4j.protocol import Py4JError

from jobs.words import INVALID_UTF8, WHITESPACE

log = logging.getLogger("wordcount.fast")
# What an internal path raises when PySpark changed under it.
BROKEN = (AttributeError, TypeError, Py4JError)
# The fast paths that failed in this process, and now take the public API.
FELL_BACK: set[str] = set()


def fall_back(name: str, error: Exception) -> None:
    if name not in FELL_BACK:
        FELL_BACK.add(name)
        log.warning(
            "jobs.fast.%s: PySpark's internals changed (%s); the public API serves instead, "
            "with the same counts, more slowly",
            name,
            error,
        )


# ---- kafka_values --------------------------------------------------------------------------


def kafka_values(batch_df):
    """The batch's Kafka values as an RDD of Python bytes (None for a null value)."""
    if "kafka_values" not in FELL_BACK:
        try:
            return kafka_values_internal(batch_df)
        except BROKEN as error:
            fall_back("kafka_values", error)
    return kafka_values_public(batch_df)


def kafka_values_internal(batch_df):
    """The values as the JVM holds them, framed as they are: the way `sc.textFile` hands
    Python its lines."""
    from pyspark import RDD
    from pyspark.serializers import NoOpSerializer

    spark = batch_df.sparkSession
    binary = spark._jvm.org.apache.spark.sql.Encoders.BINARY()
    values = getattr(batch_df.select("value")._jdf, "as")(binary)  # Dataset.as, a Python keyword
    return RDD(values.javaRDD(), spark.sparkContext, NoOpSerializer())


def kafka_values_public(batch_df):
    return batch_df.select("value").rdd.map(lambda row: None if row[0] is None else bytes(row[0]))


# ---- progress_listener ---------------------------------------------------------------------


class ProgressJson:
    """What Spark calls, through Py4J, for each event of the queries: it hands on only the
    progress's own JSON, which crosses into Python in one call."""

    def __init__(self, deliver: Callable[[str], None]) -> None:
        self.deliver = deliver

    def onQueryStarted(self, jevent) -> None:
        pass

    def onQueryProgress(self, jevent) -> None:
        if "progress_json" not in FELL_BACK:
            try:
                self.deliver(jevent.progress().json())
                return
            except BROKEN as error:
                fall_back("progress_json", error)
        from pyspark.sql.streaming.listener import QueryProgressEvent

        self.deliver(QueryProgressEvent.fromJObject(jevent).progress.json)

    def onQueryIdle(self, jevent) -> None:
        pass

    def onQueryTerminated(self, jevent) -> None:
        pass

    class Java:
        implements: ClassVar[list[str]] = [
            "org.apache.spark.sql.streaming.PythonStreamingQueryListener"
        ]


def progress_jlistener(deliver: Callable[[str], None]):
    """The Java side of the fast listener: Spark's wrapper around a ProgressJson."""
    from pyspark import SparkContext

    jvm = SparkContext._jvm
    wrapper = jvm.org.apache.spark.sql.streaming.PythonStreamingQueryListenerWrapper  # type: ignore[union-attr]
    return wrapper(ProgressJson(deliver))


def progress_listener(deliver: Callable[[str], None]):
    """A StreamingQueryListener (for spark.streams.addListener) that hands each progress
    event's JSON to `deliver`."""
    from pyspark.sql.streaming import StreamingQueryListener

    class ProgressListener(StreamingQueryListener):
        """pyspark's listener type, so that addListener takes it. Its Java side is a
        ProgressJson; the methods below run only when that cannot be had, through pyspark's
        own Java side (the public API)."""

        def onQueryStarted(self, event) -> None:
            pass

        def onQueryProgress(self, event) -> None:
            deliver(event.progress.json)

        def onQueryIdle(self, event) -> None:
            pass

        def onQueryTerminated(self, event) -> None:
            pass

        @property
        def _jlistener(self):
            if not hasattr(self, "_fast_jlistener"):
                try:
                    self._fast_jlistener = progress_jlistener(deliver)
                except BROKEN as error:
                    fall_back("progress_listener", error)
                    self._fast_jlistener = super()._jlistener
            return self._fast_jlistener

    return ProgressListener()


# ---- word_columns --------------------------------------------------------------------------


@lru_cache(maxsize=8)
def word_columns(delimiter: str):
    """The columns that split a Kafka value into words by the lab's rules (jobs/words.py):
    explode the split value, trim each word, keep the non-empty ones."""
    from pyspark.sql import functions as F

    value = F.col("value")
    text = F.when(F.expr("is_valid_utf8(CAST(value AS STRING))"), value.cast("string"))
    words = F.when(value.isNull(), F.array()).otherwise(
        F.when(text.isNull(), F.array(F.lit(INVALID_UTF8))).otherwise(
            F.split(text, _regex_quote(delimiter), -1)
        )
    )
    return (
        F.explode(words).alias("word"),
        F.trim(F.col("word"), F.lit(WHITESPACE)).alias("word"),
        F.col("word") != "",
    )


def _regex_quote(text: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in text)
