"""The job's results sink: one JSON file per micro-batch, named by its batch id.

Spark may run a batch again after a failure (same id, same offsets). Writing the file under its
batch id, atomically, makes that replay overwrite the earlier write instead of adding to it, so
readers that sum the files count every record exactly once.

    python -m jobs.results --topic words       # summed counts of /data/results/words as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path


def batch_path(results_dir: Path, batch_id: int) -> Path:
    return results_dir / f"batch-{batch_id:012d}.json"


def write_batch(
    results_dir: Path, batch_id: int, batch_time: datetime, counts: Iterable[tuple[str, int]]
) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "batch_id": batch_id,
        "batch_time": batch_time.isoformat(timespec="seconds"),
        "counts": [{"word": word, "count": count} for word, count in counts],
    }
    target = batch_path(results_dir, batch_id)
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(record, ensure_ascii=False))
    os.replace(partial, target)
    return target


def read_batches(results_dir: Path) -> list[dict]:
    """Every batch record, in batch order (one per id: the latest write)."""
    return [json.loads(path.read_text()) for path in sorted(results_dir.glob("batch-*.json"))]


def summed_counts(results_dir: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for record in read_batches(results_dir):
        for entry in record["counts"]:
            totals[entry["word"]] = totals.get(entry["word"], 0) + entry["count"]
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sum the word counts of the results sink.")
    parser.add_argument(
        "--topic",
        default=os.environ.get("STREAMLAB_WORDCOUNT_TOPIC", "words"),
        help="the topic whose results to read, from /data/results/TOPIC",
    )
    parser.add_argument("--dir", help="the job's results folder (overrides --topic)")
    args = parser.parse_args(argv)
    results = Path(args.dir or f"/data/results/{args.topic}")
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
