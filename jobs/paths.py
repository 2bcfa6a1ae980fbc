"""Where the jobs keep their data, named once: the jobs, `make reset`, `make results`, the bench
and the tests all find a topic's checkpoint, results and progress through these functions.

    /data/checkpoints/<topic>           Structured Streaming's checkpoint
    /data/checkpoints/<topic>.dstream   the DStream job's (make submit API=dstream)
    /data/results/<topic>/batch-<id>.json   one file per batch (id: batch id, or batch time)
    /data/progress/<topic>.jsonl        each batch's progress; <topic>.dstream.jsonl for DStreams
"""

from __future__ import annotations

from pathlib import Path

DATA = Path("/data")
# The DStream job's suffix on its checkpoint and progress: both jobs may count one topic.
DSTREAM = ".dstream"
BATCH_GLOB = "batch-*.json"


def checkpoint_dir(topic: str, dstream: bool = False, data: Path = DATA) -> Path:
    return data / "checkpoints" / f"{topic}{DSTREAM if dstream else ''}"


def results_dir(topic: str, data: Path = DATA) -> Path:
    return data / "results" / topic


def progress_dir(data: Path = DATA) -> Path:
    return data / "progress"


def progress_file(topic: str, dstream: bool = False, folder: Path | None = None) -> Path:
    """The progress log of `topic` in `folder` (default: the job's progress folder)."""
    return (folder or progress_dir()) / f"{topic}{DSTREAM if dstream else ''}.jsonl"


# What the Spark image's containers keep for their health check (images/spark/bin).
RUN_DIR = Path("/opt/streamlab/run")


def announce_progress(path: Path, run_dir: Path = RUN_DIR) -> None:
    """Names this job's progress log for its container's health check, which reads the path
    from run_dir/progress-log (bash alone: it cannot ask this module); nothing outside the
    image, which has no run_dir."""
    if run_dir.is_dir():
        (run_dir / "progress-log").write_text(f"{path}\n")


def batch_file(results: Path, batch_id: int) -> Path:
    return results / f"batch-{batch_id:012d}.json"


def batch_id(path: Path) -> int:
    """The batch id (or batch time, for DStreams) that a results file is named after."""
    return int(path.stem.removeprefix("batch-"))
