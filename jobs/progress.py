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

from jobs.fast import progress_listener
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


def make_listener(*sinks: Path | Callable[[str], None]):
    """A StreamingQueryListener (for spark.streams.addListener) that hands every progress
    event's JSON to each sink: a path gets it appended (the progress log), a function gets the
    text (jobs/lag.py). One listener for all of them: each listener costs its own calls."""

    def deliver(progress_json: str) -> None:
        for sink in sinks:
            if isinstance(sink, Path):
                append_progress(sink, progress_json)
            else:
                sink(progress_json)

    return progress_listener(deliver)


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
