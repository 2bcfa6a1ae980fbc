"""The lag exporter's arithmetic (jobs/lag.py): offsets read from a query's progress, and the
text Prometheus reads."""

from jobs.lag import LagState, exposition, processed_offsets

PROGRESS = {
    "name": "wordcount",
    "sources": [
        {
            "description": "KafkaV2[Subscribe[words]]",
            "startOffset": '{"words":{"0":10,"1":20}}',
            "endOffset": '{"words":{"0":15,"1":20,"2":7}}',
            "latestOffset": '{"words":{"0":15,"1":22,"2":7}}',
        },
        {"description": "RateStreamV2[...]", "endOffset": "42"},
    ],
}


def test_processed_offsets_are_the_kafka_sources_end_offsets():
    assert processed_offsets(PROGRESS) == {("words", 0): 15, ("words", 1): 20, ("words", 2): 7}
    assert processed_offsets({"sources": [{"description": "KafkaV2", "endOffset": None}]}) == {}


def test_exposition_gives_lag_per_partition_never_below_zero():
    text = exposition(
        {"wordcount": {("words", 0): 15, ("words", 1): 20}},
        {("words", 0): 19, ("words", 1): 18},
    )
    assert 'streamlab_kafka_lag_records{query="wordcount",topic="words",partition="0"} 4' in text
    assert 'streamlab_kafka_lag_records{query="wordcount",topic="words",partition="1"} 0' in text
    assert 'streamlab_kafka_latest_offset{query="wordcount",topic="words",partition="0"} 19' in text
    assert "# TYPE streamlab_kafka_lag_records gauge" in text


def test_a_partition_without_a_latest_offset_has_no_lag_line():
    text = exposition({"wordcount": {("words", 0): 15}}, {})
    assert "streamlab_kafka_lag_records{" not in text
    assert (
        'streamlab_kafka_processed_offset{query="wordcount",topic="words",partition="0"} 15' in text
    )


def test_state_keeps_the_last_offsets_of_each_query():
    state = LagState()
    state.update("wordcount", PROGRESS)
    later = {"sources": [{"description": "KafkaV2", "endOffset": '{"words":{"0":30}}'}]}
    state.update("wordcount", later)
    assert state.snapshot()["wordcount"][("words", 0)] == 30
    assert state.snapshot()["wordcount"][("words", 1)] == 20


def test_state_records_progress_as_spark_writes_it():
    import json

    state = LagState()
    state.record(json.dumps(PROGRESS))
    assert state.snapshot() == {"wordcount": processed_offsets(PROGRESS)}


def test_the_listener_hands_on_the_progress_json_that_spark_wrote():
    """Spark calls ProgressJson (through Py4J) with a Java event; what reaches the sinks is
    the progress's own JSON, read in one call, never pyspark's field-by-field copy."""
    from jobs.fast import ProgressJson

    class JavaProgress:
        def json(self) -> str:
            return '{"batchId": 7}'

    class JavaEvent:
        def progress(self) -> JavaProgress:
            return JavaProgress()

    received: list[str] = []
    listener = ProgressJson(received.append)
    listener.onQueryStarted(JavaEvent())
    listener.onQueryProgress(JavaEvent())
    listener.onQueryTerminated(JavaEvent())
    assert received == ['{"batchId": 7}']
    assert ProgressJson.Java.implements == [
        "org.apache.spark.sql.streaming.PythonStreamingQueryListener"
    ]


def test_the_seed_holds_until_the_first_progress_replaces_it():
    state = LagState()
    state.seed("wordcount", {("words", 0): 3, ("words", 1): 4})
    assert state.snapshot() == {"wordcount": {("words", 0): 3, ("words", 1): 4}}
    state.update("wordcount", PROGRESS)
    assert state.snapshot()["wordcount"] == {("words", 0): 15, ("words", 1): 20, ("words", 2): 7}
    state.seed("wordcount", {("words", 0): 0})
    assert state.snapshot()["wordcount"][("words", 0)] == 15, "a seed never goes back"
