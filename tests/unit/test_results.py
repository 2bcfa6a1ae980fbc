"""The results sink: a replayed batch overwrites its own file, so sums count it once."""

from datetime import datetime

from jobs.results import read_batches, summed_counts, write_batch


def test_replayed_batch_replaces_its_earlier_write(tmp_path):
    when = datetime(2018, 12, 11, 1, 2, 33)
    write_batch(tmp_path, 0, when, [("kafka", 4), ("hello", 2)])
    write_batch(tmp_path, 1, when, [("kafka", 2)])
    write_batch(tmp_path, 1, when, [("kafka", 2)])  # Spark ran batch 1 again
    assert summed_counts(tmp_path) == {"kafka": 6, "hello": 2}
    batches = read_batches(tmp_path)
    assert [b["batch_id"] for b in batches] == [0, 1]
    assert batches[0]["batch_time"] == "2018-12-11T01:02:33"
    assert list(tmp_path.glob("*.tmp")) == [], "no partial file may stay behind"


def test_running_totals_read_no_batch_file_and_keep_two_snapshots(tmp_path):
    """O(1) per batch: the totals come from the previous snapshot, not from the sink's files."""
    from jobs.results import TOTALS_DIR, RunningTotals

    totals = RunningTotals(tmp_path)
    for batch_id in range(5):
        latest = totals.add(batch_id, [("kafka", 2), ("hello", 1)])
    assert latest == {"kafka": 10, "hello": 5}
    snapshots = sorted(p.name for p in (tmp_path / TOTALS_DIR).iterdir())
    assert snapshots == ["totals-000000000003.json", "totals-000000000004.json"], snapshots
    restarted = RunningTotals(tmp_path)  # a new driver replays batch 4
    assert restarted.add(4, [("kafka", 2), ("hello", 1)]) == {"kafka": 10, "hello": 5}
    assert restarted.add(6, [("spark", 1)]) == {"kafka": 10, "hello": 5, "spark": 1}
