"""The job's results sink: one JSON file per micro-batch, named by its batch id.

Spark may run a batch again after a failure (same id, same offsets). Writing the file under its
batch id, atomically, makes that replay overwrite the earlier write instead of adding to it, so
readers that sum the files count every record exactly once.

    python -m jobs.results --topic words       # summed counts of the topic's results as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from jobs.paths import BATCH_GLOB, batch_file, results_dir

# Running totals live beside the batch files, in a folder of their own (see RunningTotals).
TOTALS_DIR = "running-totals"


def write_batch(
    results_dir: Path, batch_id: int, batch_time: datetime, counts: Iterable[tuple[str, int]]
) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "batch_id": batch_id,
        "batch_time": batch_time.isoformat(timespec="seconds"),
        "counts": [{"word": word, "count": count} for word, count in counts],
    }
    return write_atomically(batch_file(results_dir, batch_id), record)


def write_atomically(target: Path, record: dict) -> Path:
    """A reader (make results, a restarted driver) sees the whole file or none of it."""
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(record, ensure_ascii=False))
    os.replace(partial, target)
    return target


def read_batches(results_dir: Path) -> list[dict]:
    """Every batch record, in batch order (one per id: the latest write)."""
    return [json.loads(path.read_text()) for path in sorted(results_dir.glob(BATCH_GLOB))]


def summed_counts(results_dir: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for record in read_batches(results_dir):
        for entry in record["counts"]:
            totals[entry["word"]] = totals.get(entry["word"], 0) + entry["count"]
    return totals


class RunningTotals:
    """Totals across batches, kept per batch in O(vocabulary), never summed again from every
    results file (that slowed a long run down batch after batch).

    After each batch the totals are written under its id, atomically. A batch adds its counts
    to the totals of the latest earlier batch, so a batch that Spark replays after a restart
    (same id) starts from the same base and overwrites its own snapshot: exact, as the sink is.
    The last KEEP snapshots are kept, enough for a replay of the last batch.
    """

    KEEP = 2

    def __init__(self, results_dir: Path) -> None:
        self.folder = results_dir / TOTALS_DIR
        self.last: tuple[int, dict[str, int]] | None = None  # (batch id, totals) in memory

    def _base(self, batch_id: int) -> dict[str, int]:
        if self.last is not None and self.last[0] < batch_id:
            return self.last[1]
        # A new driver (or a replay): the newest snapshot of an earlier batch.
        earlier = [p for p in self._snapshots() if _snapshot_id(p) < batch_id]
        if earlier:
            return json.loads(earlier[-1].read_text())["totals"]
        return {}

    def _snapshots(self) -> list[Path]:
        return sorted(self.folder.glob("totals-*.json")) if self.folder.exists() else []

    def add(self, batch_id: int, counts: Iterable[tuple[str, int]]) -> dict[str, int]:
        totals = dict(self._base(batch_id))
        for word, count in counts:
            totals[word] = totals.get(word, 0) + count
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"totals-{batch_id:012d}.json"
        write_atomically(target, {"batch_id": batch_id, "totals": totals})
        for old in self._snapshots()[: -self.KEEP]:
            old.unlink(missing_ok=True)
        self.last = (batch_id, totals)
        return totals


def _snapshot_id(path: Path) -> int:
    return int(path.stem.removeprefix("totals-"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sum the word counts of the results sink.")
    parser.add_argument(
        "--topic",
        default=os.environ.get("STREAMLAB_WORDCOUNT_TOPIC", "words"),
        help=f"the topic whose results to read, from {results_dir('TOPIC')}",
    )
    parser.add_argument("--dir", help="the job's results folder (overrides --topic)")
    args = parser.parse_args(argv)
    results = Path(args.dir) if args.dir else results_dir(args.topic)
    print(
        json.dumps(
            {"batches": len(read_batches(results)), "counts": summed_counts(results)},
            ensure_ascii=False,
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
