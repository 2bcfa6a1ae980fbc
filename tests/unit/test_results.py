"""The results sink: a replayed batch overwrites its own file, so sums count it once."""

from datetime import datetime

import pytest

from jobs.results import read_batches, summed_counts, write_batch

pytestmark = pytest.mark.unit


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
