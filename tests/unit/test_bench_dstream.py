"""The bench's DStream part without Docker: its drain rate, its keep-up rule, its report rows."""

from __future__ import annotations

import pytest

from bench.parts.dstream import drain_rate, keeps_up
from bench.report import dstream_rows


def batch(time_ms: int, records: int, processing: int | None, total: int | None = None) -> dict:
    return {
        "batch_time": time_ms,
        "records": records,
        "processing_delay_ms": processing,
        "total_delay_ms": total if total is not None else processing,
    }


def test_the_drain_rate_leaves_out_the_first_batch_and_the_empty_ones():
    records = [
        batch(0, 250, 5000),
        batch(3000, 250, 1000),
        batch(6000, 0, 10),
        batch(9000, 500, 1000),
    ]
    rate, rows = drain_rate(records)
    assert rows == 750
    assert rate == pytest.approx(375.0)


def test_a_job_keeps_up_when_its_batches_fit_the_interval_and_the_last_line_lands_soon():
    start, end = 0.0, 30.0  # seconds; batches every 3 s, each done in 1 s
    records = [batch(t, 100, 1000) for t in range(0, 33_000, 3000)]
    run = keeps_up(records, start, end, total=sum(r["records"] for r in records), batch_ms=3000)
    assert run["keeps_up"]
    assert run["processing_p90_ms"] == 1000


def test_a_job_whose_batches_outgrow_the_interval_does_not_keep_up():
    records = [batch(t, 100, 4000, total=4000 + t // 3) for t in range(0, 33_000, 3000)]
    run = keeps_up(records, 0.0, 30.0, total=1100, batch_ms=3000)
    assert not run["keeps_up"]


def test_a_job_that_never_reads_the_last_line_does_not_keep_up():
    records = [batch(t, 100, 500) for t in range(0, 33_000, 3000)]
    run = keeps_up(records, 0.0, 30.0, total=10_000, batch_ms=3000)
    assert run["catch_up_s"] is None
    assert not run["keeps_up"]


def test_the_report_gives_each_dstream_measure_beside_its_target():
    part = {
        "drain_trials": [{"dstream": 90, "structured": 100}] * 3,
        "drain_ratio": {"median": 0.85, "min": 0.8, "max": 0.9},
        "drain_lines_s": {"median": 90, "min": 80, "max": 95},
        "structured_drain_lines_s": {"median": 100, "min": 99, "max": 101},
        "keep_up_lines_s": 160_000,
        "latency": {"runs": [{}] * 3, "p50_ms": {"median": 1200, "min": 1100, "max": 1700}},
    }
    rows = {label: (result, target) for label, result, target in dstream_rows(part)}
    drain = next(v for k, v in rows.items() if "drain" in k)
    assert drain[1] == "≥ 0.9x: **missed**"
    keep = next(v for k, v in rows.items() if "keeps up" in k)
    assert keep == ("160,000 lines/s", "≥ 150,000 lines/s: met")
    latency = next(v for k, v in rows.items() if "latency" in k)
    assert latency == ("1.20 (1.10 to 1.70) s", "≤ 1.5 s: met")
    assert dstream_rows(None) == []


def test_the_ladder_climbs_while_rates_keep_up_then_bisects():
    from bench.analysis import ladder

    tried: list[float] = []

    def trial(rate: float) -> bool:
        tried.append(rate)
        return rate <= 1_400

    ladder(trial, 1_000)
    assert tried[:3] == [1_000, 1_250, 1_562.5], "up a quarter at a time from the drain rate"
    assert tried[3:] == [1_406.25, 1_328.125], "then two bisections between kept and missed"


def test_the_ladder_steps_down_until_a_rate_keeps_up():
    from bench.analysis import ladder

    tried: list[float] = []

    def trial(rate: float) -> bool:
        tried.append(rate)
        return rate <= 600

    ladder(trial, 1_000, refine=0)
    assert tried == [1_000, 750, 562.5]
