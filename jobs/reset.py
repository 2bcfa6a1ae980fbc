"""Starts a topic's exercise over: removes its checkpoint, results and progress log.

A checkpoint belongs to one topic as it was: when the topic is deleted and created again, its
offsets start from 0 and the checkpoint is ahead of them. `make reset TOPIC=words` runs this in
a container of the lab (the job stopped first), so the next `make submit` counts from scratch.

    python -m jobs.reset --topic words
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from jobs.paths import DATA, checkpoint_dir, progress_dir, progress_file, results_dir


def topic_data(data: Path, topic: str) -> list[Path]:
    """What the job keeps for one topic under its data folder (the defaults of its options)."""
    return [
        checkpoint_dir(topic, data=data),
        checkpoint_dir(topic, dstream=True, data=data),  # the DStream job's (API=dstream)
        results_dir(topic, data=data),
        progress_file(topic, folder=progress_dir(data)),
        progress_file(topic, dstream=True, folder=progress_dir(data)),
    ]


def reset(data: Path, topic: str) -> list[Path]:
    removed = []
    for path in topic_data(data, topic):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(path)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Remove a topic's checkpoint, results and progress."
    )
    parser.add_argument("--topic", required=True, help="the topic whose exercise starts over")
    parser.add_argument("--data", default=str(DATA), help="the job's data folder")
    args = parser.parse_args(argv)
    if any(c in args.topic for c in "/\\") or args.topic in ("", ".", ".."):
        parser.error(f"{args.topic!r} is not a Kafka topic name")
    removed = reset(Path(args.data), args.topic)
    what = ", ".join(str(p) for p in removed) or "nothing (no data for that topic)"
    print(f"reset {args.topic}: removed {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
