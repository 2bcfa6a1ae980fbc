"""The query's progress, one JSON line per micro-batch, kept beside the results.

Spark's UI shows these numbers only while the job runs and only for recent batches; the file
keeps every batch's durations, row rates and Kafka offsets, so that a learner (or `make bench`)
can see afterwards whether the job kept up with its trigger.

    python -m jobs.progress --topic words     # the last batches, one line each
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from jobs.paths import progress_dir, progress_file


def append_progress(path: Path, progress_json: str) -> None:
    """One line per event (Spark's `json` is already compact), written in one call."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(progress_json.strip() + "\n")


def read_progress(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class ProgressJson:
    """What Spark calls, through Py4J, for each event of the queries: it hands on only the
    progress's own JSON, which crosses into Python in one call. pyspark's own wrapper first
    copies every field of the event into Python objects: 97 ms of calls into the JVM for each
    progress event of a stateful query here, against 0.6 ms for its JSON, on the driver that
    shares the machine's cores with the executors."""

    def __init__(self, deliver: Callable[[str], None]) -> None:
        self.deliver = deliver

    def onQueryStarted(self, jevent) -> None:
        pass

    def onQueryProgress(self, jevent) -> None:
        self.deliver(jevent.progress().json())

    def onQueryIdle(self, jevent) -> None:
        pass

    def onQueryTerminated(self, jevent) -> None:
        pass

    class Java:
        implements: ClassVar[list[str]] = [
            "org.apache.spark.sql.streaming.PythonStreamingQueryListener"
        ]


def make_listener(*sinks: Path | Callable[[str], None]):
    """A StreamingQueryListener (for spark.streams.addListener) that hands every progress
    event's JSON to each sink: a path gets it appended (the progress log), a function gets the
    text (jobs/lag.py). One listener for all of them: each listener costs its own calls."""
    from pyspark import SparkContext
    from pyspark.sql.streaming import StreamingQueryListener

    def deliver(progress_json: str) -> None:
        for sink in sinks:
            if isinstance(sink, Path):
                append_progress(sink, progress_json)
            else:
                sink(progress_json)

    class ProgressLog(StreamingQueryListener):
        """pyspark's listener type, so that addListener takes it; its Java side (which
        addListener registers) is a ProgressJson, and the methods below are not called."""

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
            if not hasattr(self, "_progress_json"):
                wrapper = SparkContext._jvm.PythonStreamingQueryListenerWrapper  # type: ignore[union-attr]
                self._progress_json = wrapper(ProgressJson(deliver))
            return self._progress_json

    return ProgressLog()


def describe(record: dict) -> str:
    durations = record.get("durationMs", {})
    return (
        f"batch {record['batchId']}: {record['numInputRows']} rows in "
        f"{durations.get('triggerExecution', 0)} ms "
        f"({record.get('processedRowsPerSecond', 0):.0f} rows/s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Show the job's progress, batch by batch.")
    parser.add_argument("--topic", default=os.environ.get("STREAMLAB_WORDCOUNT_TOPIC", "words"))
    parser.add_argument("--dir", default=str(progress_dir()), help="the job's progress folder")
    parser.add_argument("--last", type=int, default=10, help="batches to show (0: all)")
    args = parser.parse_args(argv)
    records = read_progress(progress_file(args.topic, folder=Path(args.dir)))
    for record in records[-args.last :] if args.last else records:
        print(describe(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
