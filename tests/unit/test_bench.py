"""The benchmark's arithmetic, apart from the stack: percentiles, docker stats sizes, the
keeps-up verdict, latencies from offsets and batches, and the report's verdicts."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from bench.analysis import (
    Batch,
    batch_durations,
    cgroup_memory,
    consumer_perf,
    cpu_means,
    drain_rate,
    growth_per_hour,
    latencies_ms,
    memory_at_rest,
    memory_growth,
    memory_peaks,
    own_memory_growth,
    parse_memory,
    percentile,
    perf_rate,
    phases_ms,
    samples_between,
    service_of,
    split_markers,
    steady_run,
    summarize_compare,
)
from bench.report import markdown
from bench.stats import engine_cpu_seconds, engine_used, machine_busy_seconds

T0 = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


def progress(batch_id: int, at: float, rows: int, duration_ms: int, end: int) -> dict:
    """A progress record as the job's listener writes it (only the fields the bench reads)."""
    return {
        "batchId": batch_id,
        "timestamp": (T0 + timedelta(seconds=at)).isoformat().replace("+00:00", "Z"),
        "numInputRows": rows,
        "durationMs": {"triggerExecution": duration_ms, "addBatch": duration_ms - 100},
        "sources": [{"endOffset": {"t": {"0": end // 2, "1": end - end // 2}}}],
    }


def judged(records: list[dict], total: int = 33_000):
    """A 30 s load of 1,000 lines/s from T0, at a 3 s trigger, judged on `records`."""
    start = T0.timestamp()
    return steady_run(records, rate=1000, start=start, end=start + 30, total=total, trigger_ms=3000)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_docker_stats_sizes():
    assert parse_memory("512MiB / 23.47GiB") == 512 * 2**20
    assert parse_memory("1.5GiB") == round(1.5 * 2**30)
    assert parse_memory("0B / 0B") == 0
    assert parse_memory("12kB") == 12_000
    with pytest.raises(ValueError, match="not a docker stats size"):
        parse_memory("lots")


def test_memory_peaks_per_container_and_in_total():
    samples = [{"kafka": 500, "jupyter": 100}, {"kafka": 300, "jupyter": 400}]
    peaks, total = memory_peaks(samples)
    assert peaks == {"kafka": 500, "jupyter": 400}
    assert total == 700, "the total is the largest sum at one sample, not the sum of peaks"


def test_memory_at_rest_is_each_containers_median_and_the_median_total():
    mb = 10**6
    samples = [
        {"kafka": 300 * mb, "wordcount": 500 * mb},
        {"kafka": 900 * mb, "wordcount": 400 * mb},  # a collection caught mid-way
        {"kafka": 310 * mb, "wordcount": 450 * mb},
    ]
    rest = memory_at_rest(samples)
    assert rest == {"mb": {"kafka": 310, "wordcount": 450}, "total_mb": 800, "samples": 3}
    with pytest.raises(ValueError, match="no memory samples"):
        memory_at_rest([])


def test_cpu_means_count_a_missing_container_as_idle():
    assert cpu_means([{"kafka": 50.0, "load generator": 30.0}, {"kafka": 70.0}]) == {
        "kafka": 60.0,
        "load generator": 15.0,
    }


def test_service_names():
    assert service_of("streamlab-bench-kafka-1", "streamlab-bench") == "kafka"
    assert service_of("streamlab-bench-spark-worker-2", "streamlab-bench") == "spark-worker-2"


def steady(duration_ms: int, last_end_at: float) -> list[dict]:
    """Batches every 3 s from t=0 to t=30 of 3,000 rows, then one that reads the last line."""
    records = [progress(i, 3 * i, 3000, duration_ms, 3000 * (i + 1)) for i in range(10)]
    records.append(progress(10, last_end_at, 3000, duration_ms, 33_000))
    return records


def test_a_job_that_keeps_up():
    run = judged(steady(1200, 31))
    assert run.keeps_up
    assert run.duration_p90_ms == 1200
    assert run.catch_up_s == pytest.approx(2.2)
    assert run.batches == 8, "batches at 6 s to 27 s: the first two triggers are warm-up"
    assert run.breakdown_ms["addBatch"] == 1100


def test_slow_batches_do_not_keep_up():
    run = judged(steady(3500, 31))
    assert not run.keeps_up


def test_a_growing_lag_does_not_keep_up():
    """Batches within the trigger, but the last line is read long after the load ended."""
    run = judged(steady(1200, 45))
    assert not run.keeps_up
    assert run.catch_up_s == pytest.approx(16.2)


def test_unread_lines_do_not_keep_up():
    run = judged(steady(1200, 31), total=40_000)
    assert run.catch_up_s is None
    assert not run.keeps_up


def test_drain_rate_counts_rows_over_batch_time():
    records = [
        progress(1, 0, 250_000, 2000, 0),
        progress(2, 3, 250_000, 3000, 0),
        progress(3, 6, 0, 50, 0),
    ]
    assert drain_rate(records) == (100_000.0, 500_000)


def test_latency_pairs_each_record_with_the_batch_that_read_it():
    batches = [
        Batch(1, {0: 2, 1: 1}, written_ms=5000),  # partition 0 offsets 0-1, partition 1 offset 0
        Batch(2, {0: 4, 1: 1}, written_ms=8000),  # partition 0 offsets 2-3
    ]
    records = [(0, 0, 1000), (0, 1, 1500), (1, 0, 2000), (0, 3, 7000), (0, 4, 7500)]
    assert latencies_ms(records, batches) == [4000, 3500, 3000, 1000], (
        "offset 4 of partition 0 is in no finished batch yet and must be left out"
    )


def test_parsers_of_kafkas_tools():
    producer = (
        "500 records sent, 99.8 records/sec (0.00 MB/sec)\n"
        "1000 records sent, 186428.038777 records/sec (5.87 MB/sec), 105.73 ms avg "
        "latency, 480.00 ms max latency, 94 ms 50th.\n"
    )
    assert perf_rate(producer) == pytest.approx(186428.038777)
    consumer = (
        "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
        "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n"
        "2026-11-24 12:00:00:000, 2026-11-24 12:00:04:000, 31.4, 7.9, 1000000, 250000.0, "
        "3000, 1000, 31.4, 1000000.0\n"
    )
    assert consumer_perf(consumer)["fetch.nMsg.sec"] == 1_000_000.0
    with pytest.raises(ValueError, match="no ProducerPerformance summary"):
        perf_rate("WARNING: nothing")
    with pytest.raises(ValueError, match="no ConsumerPerformance result"):
        consumer_perf("")


REPORT_INPUT: dict = {
    "when": "2026-11-24T12:00:00+00:00",
    "machine": {"cpus": 2, "platform": "Linux"},
    "images": {"mb": {"kafka": 484, "spark": 1360}},
    "startup": {"healthy_s": 12.0, "first_batch_s": 95.0},
    "producer": {"kafka_python_lines_s": 40_000, "producer_perf_lines_s": 200_000},
    "ceiling": {
        "consumer_perf_lines_s": 1_000_000,
        "kafka_python_lines_s": 100_000,
        "consumer_perf_with_join_lines_s": 500_000,
    },
    "drain": [{"method": "rdd", "lines_s": 90_000, "rows": 1}],
    "throughput": [
        {
            "workers": 1,
            "lines_s": 60_000,
            "trials": [],
            "cpu_percent": {"kafka": 40, "spark-worker": 95},
            "breakdown_ms": {"addBatch": 1800, "walCommit": 45},
        }
    ],
    "latency": [
        {
            "trigger": "500 milliseconds",
            "rate": 1000,
            "p50": 900,
            "p95": 1400,
            "p99": 1600,
            "max": 2000,
            "count": 1,
        }
    ],
    "memory": {"peak_mb": {"kafka": 700}, "total_peak_mb": 2500, "samples": 3},
    "memory_default": [
        {
            "job": "dstream",
            "idle": {"mb": {"kafka": 300, "wordcount": 1300}, "total_mb": 1600, "samples": 50},
            "load": {
                "lines_s": 150000,
                "seconds": 60,
                "peak_mb": {"kafka": 900},
                "total_peak_mb": 2900,
                "samples": 70,
            },
        }
    ],
}


def test_report_marks_missed_targets():
    table = markdown(REPORT_INPUT)
    assert "60,000 lines/s: 6% of ConsumerPerformance, 60% of kafka-python" in table
    assert "≥ 150,000 lines/s: **missed**; ≥ 50% of the ceiling: **missed**" in table
    assert "p50 ≤ 1.0 s: met" in table
    assert "≤ 15 s: met" in table
    assert "≤ 90 s: **missed**" in table
    assert (
        "| memory, the default stack with the demo's job (dstream), idle (medians of 50 samples)"
        " | 1,600 MB (kafka 300, wordcount 1,300) | ≤ 1.5 GB: **missed** |"
    ) in table
    assert "for 60 s and the catch-up | 2,900 MB (kafka 900) | ≤ 3 GB: met |" in table
    assert "2,500 MB (kafka 700) |  |" in table, "the searches' peak (2 workers): no target"
    assert "build not run" in table
    assert "| spark-worker 95, kafka 40 |" in table, "the busiest container first"
    assert "addBatch 1,800, walCommit 45" in table


def test_report_adds_the_build_and_make_demo_without_a_target():
    """The bench's build without cache plus make demo's start to its first batch: shown; the
    target is the fresh engine's."""
    rows = markdown(
        {
            **REPORT_INPUT,
            "build": {"seconds": 70.0},
            "startup": {"healthy_s": 12.0, "first_batch_s": 45.0},
        }
    )
    row = "| the build without cache, then `make demo` to the first counted batch | 115 s |  |"
    assert row in rows


def test_make_demo_on_a_fresh_engine_is_held_to_the_target_with_its_stages():
    fresh = {
        "base_image": "streamlab/debian:bookworm",
        "first_batch_s": 130.4,
        "build_s": 95.0,
        "start_s": 20.0,
        "to_batch_s": 15.4,
        "stages_s": {"spark-master spark-runtime": 80.0, "kafka jdk": 30.0, "kafka": 0.1},
    }
    rows = markdown({**REPORT_INPUT, "fresh": fresh})
    assert (
        "| 130 s: the build 95 s, the stack's start 20 s, then the first batch 15 s "
        "| ≤ 120 s: **missed** |"
    ) in rows
    assert "spark-master spark-runtime 80, kafka jdk 30 |" in rows, "stages under 0.5 s left out"
    skipped = markdown({**REPORT_INPUT, "fresh": {"skipped": "needs root"}})
    assert "| not measured: needs root |  |" in skipped


def test_the_demo_is_followed_to_its_first_batch_then_stopped():
    import time

    from bench.lab import demo_to_first_batch

    seen: list[str] = []
    started = time.monotonic()
    script = "echo building; echo 'Time: 2026-12-01 12:00:00'; echo more; exec sleep 60"
    first, lines = demo_to_first_batch(
        seen=lambda line, seconds: seen.append(line.strip()), command=["sh", "-c", script]
    )
    assert time.monotonic() - started < 30, "the demo must be stopped once it printed a batch"
    assert lines[:2] == ["building", "Time: 2026-12-01 12:00:00"]
    assert seen[:2] == lines[:2]
    assert 0 <= first < 30
    with pytest.raises(RuntimeError, match="printed no batch within 1 s:\nbuilding"):
        demo_to_first_batch(timeout=1, command=["sh", "-c", "echo building; exec sleep 60"])


def test_build_stages_are_summed_from_buildkits_plain_progress():
    from bench.parts.fresh import stage_seconds

    progress = """#1 [internal] load build definition from Dockerfile
#1 DONE 0.1s
#2 [kafka internal] load .dockerignore
#2 DONE 0.2s
#7 [kafka jdk 2/3] RUN apt-get update
#7 DONE 30.5s
#9 [spark-master spark-runtime 2/5] RUN apt-get install python3
#9 DONE 40.0s
#10 [spark-master spark-runtime 3/5] RUN pip install
#10 ...
#10 DONE 25.5s
#11 [kafka kafka 3/4] COPY --from=jdk /opt/java /opt/java
#11 CACHED
#12 exporting to image
#12 DONE 2.0s
#13 [spark-master] exporting to image
#13 DONE 3.7s
"""
    assert stage_seconds(progress) == {"spark-master spark-runtime": 65.5, "kafka jdk": 30.5}


def test_probe_output_is_cut_at_its_markers():
    out = 'noise\n@@progress\n{}\n{}\n@@results\n{"counts": {}}\n@@stages\n'
    assert split_markers(out) == {"progress": "{}\n{}", "results": '{"counts": {}}', "stages": ""}


def test_phases_of_a_batch_add_up_to_its_duration():
    records = [
        {"batchId": 1, "durationMs": {"triggerExecution": 1000, "addBatch": 900}},
        {"batchId": 2, "durationMs": {"triggerExecution": 1200, "addBatch": 1000}},
    ]
    stages = {
        "1": {"jobs_ms": 800, "map_ms": 600, "result_ms": 150, "shuffle_write_ms": 20},
        "2": {"jobs_ms": 900, "map_ms": 700, "result_ms": 160, "shuffle_write_ms": 40},
    }
    phases = phases_ms(records, stages)
    assert phases == {
        "spark offsets and commit": 150,
        "map stages: read Kafka, count rows, shuffle write": 650,
        "result stages: shuffle read, merge, collect": 155,
        "driver: planning, printing, sink": 100,
        "shuffle write, task time": 30,
    }
    outside_jobs = phases["spark offsets and commit"] + phases["driver: planning, printing, sink"]
    assert outside_jobs + (800 + 900) / 2 == (1000 + 1200) / 2
    assert phases_ms([], stages) == {}


def compare_run(runner: str, trial: int, rate: int, counts: dict) -> dict:
    return {"runner": runner, "trial": trial, "lines_s": rate, "counts": counts, "phases_ms": {}}


def test_compare_gives_ratios_per_trial_with_their_range_and_checks_counts():
    good = {"kafka": 2, "hello": 1}
    runs = [
        compare_run("python rdd", 0, 100, good),
        compare_run("jvm rdd", 0, 400, good),
        compare_run("python rdd", 1, 150, good),
        compare_run("jvm rdd", 1, 300, good),
        compare_run("python rdd", 2, 120, good),
        compare_run("jvm rdd", 2, 400, good),
        compare_run("jvm read", 0, 900, {}),  # counts nothing, by design
    ]
    summary = summarize_compare(runs, good, 1)
    assert summary["ratios"]["rdd"] == {"median": 0.3, "min": 0.25, "max": 0.5}
    assert "dataframe" not in summary["ratios"], "no ratio without both runners"
    assert summary["runners"]["python rdd"]["lines_s"] == {"median": 120, "min": 100, "max": 150}
    assert summary["counts_exact"]
    runs.append(compare_run("jvm dataframe", 0, 500, {"kafka": 2}))
    summary = summarize_compare(runs, good, 1)
    assert not summary["counts_exact"]
    assert summary["counts_wrong"] == ["jvm dataframe"]


def test_report_shows_the_ratios_against_their_targets_and_the_idle_cost():
    compare = {
        "lines": 2_000_000,
        "trials": 3,
        "ratios": {
            "dataframe": {"median": 0.97, "min": 0.9, "max": 1.01},
            "rdd": {"median": 0.42, "min": 0.4, "max": 0.45},
        },
        "runners": {
            "python rdd": {
                "lines_s": {"median": 150_000, "min": 140_000, "max": 160_000},
                "phases_ms": {"map stages": 900},
            }
        },
        "counts_exact": True,
        "counts_wrong": [],
    }
    idle = {"seconds": 60, "percent": {"kafka": 1.0, "jupyter": 0.25}, "total_percent": 1.25}
    table = markdown({**REPORT_INPUT, "compare": compare, "idle": idle})
    assert "| 0.97x (0.90x to 1.01x) | ≥ 0.95x: met |" in table
    assert "| 0.42x (0.40x to 0.45x) | ≥ 0.5x: **missed** |" in table
    assert "150,000 (140,000 to 160,000) lines/s: 15% of ConsumerPerformance" in table
    assert "map stages 900" in table
    assert "every run exact" in table
    assert "| 1.2%; the median window: kafka 1.0, jupyter 0.2 | ≤ 1.5%: met |" in table


def test_idle_windows_give_the_median_with_its_range():
    idle = {
        "seconds": 60,
        "windows": 3,
        "percent": {"kafka": 1.6, "zookeeper": 0.5},
        "total_percent": 2.1,
        "total_spread": {"median": 2.1, "min": 1.9, "max": 3.4},
    }
    table = markdown({**REPORT_INPUT, "idle": idle})
    assert "median of 3 windows of 60 s (range) (% of one core)" in table
    assert (
        "| 2.1% (1.9% to 3.4%); the median window: kafka 1.6, zookeeper 0.5 | ≤ 1.5%: **missed** |"
        in table
    )


def test_idle_shows_the_engine_the_rest_of_the_machine_and_the_loop():
    idle = {
        "seconds": 60,
        "windows": 3,
        "percent": {"kafka": 1.6},
        "total_percent": 1.6,
        "total_spread": {"median": 1.6, "min": 1.5, "max": 1.9},
        "engine_percent": 2.42,
        "engine_base_percent": 0.25,
        "rest_percent": 7.25,
        "loop_ms": [93.0, 96.5, 181.2, 92.4, 95.0, 99.9],
        "quiet_loop_ms": 91.6,
    }
    table = markdown({**REPORT_INPUT, "idle": idle})
    assert "Docker's engine 2.4% (without the stack 0.2%), the rest of the machine 7.2%" in table
    assert "the loop 92 to 181 ms | the loop before the stack came up: 92 ms |" in table


def test_every_target_reads_as_its_threshold():
    """The target column comes from the number checked: a changed threshold changes its label."""
    from dataclasses import replace

    from bench.targets import TARGETS

    keep = TARGETS["keep_up_lines_s"]
    assert keep.check(160_000) == "≥ 150,000 lines/s: met"
    assert replace(keep, threshold=200_000).check(160_000) == "≥ 200,000 lines/s: **missed**"
    assert TARGETS["latency_p50_ms"].label == "p50 ≤ 1.0 s"
    assert TARGETS["memory_mb"].label == "≤ 3 GB"
    assert not TARGETS["memory_mb"].met(3001)
    assert TARGETS["ceiling_fraction"].check(0.49) == "≥ 50% of the ceiling: **missed**"


def test_latency_runs_of_one_trigger_give_medians_and_ranges():
    run = REPORT_INPUT["latency"][0]
    runs = [{**run, "p50": p50} for p50 in (800, 1200, 1100)]
    table = markdown({**REPORT_INPUT, "latency": runs})
    assert "median of 3 runs (range)" in table
    assert "p50 1.10 (0.80 to 1.20) s" in table
    assert "p50 ≤ 1.0 s: **missed**" in table


def test_report_puts_the_best_producer_against_its_target():
    producer = {
        "kafka_python_lines_s": 80_000,
        "kafka_python_2p_lines_s": 120_000,
        "producer_perf_lines_s": 400_000,
    }
    table = markdown({**REPORT_INPUT, "producer": producer})
    assert "| 80,000 lines/s: 20% of ProducerPerformance |  |" in table
    assert (
        "120,000 lines/s: 30% of ProducerPerformance | ≥ 25% of ProducerPerformance: met" in table
    )


def test_producer_trials_judge_the_median_fraction_and_show_its_range():
    producer = {
        "kafka_python_lines_s": 70_000,
        "kafka_python_2p_lines_s": 130_000,
        "producer_perf_lines_s": 540_000,
        "fraction_1p": {"median": 0.13, "min": 0.12, "max": 0.14},
        "fraction_2p": {"median": 0.249, "min": 0.23, "max": 0.27},
        "trials": [{}, {}, {}],
    }
    table = markdown({**REPORT_INPUT, "producer": producer})
    assert (
        "2 processes, median of 3 trials (range) | 130,000 lines/s: 24.9% (23.0% to 27.0%)" in table
    )
    assert "≥ 25% of ProducerPerformance: **missed**" in table


def test_a_run_of_some_parts_reports_those_rows_alone():
    only = {
        "when": REPORT_INPUT["when"],
        "machine": REPORT_INPUT["machine"],
        "only": ["idle", "latency"],
        "idle": {"seconds": 60, "percent": {"kafka": 1.2}, "total_percent": 2.5},
        "latency": [{**REPORT_INPUT["latency"][0], "trigger": "500 milliseconds", "p50": 900}],
    }
    table = markdown(only)
    assert "these parts only: idle, latency." in table
    assert "| 2.5%; the median window: kafka 1.2 | ≤ 1.5%: **missed** |" in table
    assert "p50 ≤ 1.0 s: met" in table
    assert "ConsumerPerformance" not in table
    assert "healthy" not in table


def test_only_takes_known_parts_and_refuses_others(capsys):
    from bench.run import parse_args

    assert parse_args(["--only", "idle,producer"]).only == ["idle", "producer"]
    with pytest.raises(SystemExit):
        parse_args(["--only", "idle,speed"])
    said = capsys.readouterr().err
    assert "no part speed; choose from build, startup, fresh, idle, producer," in said


def test_a_part_run_alone_brings_what_it_needs_in_table_order():
    from bench.run import PARTS, plan

    assert plan(["throughput"]) == ["ceiling", "drain", "throughput"]
    assert plan(["metrics", "idle"]) == ["idle", "ceiling", "drain", "metrics"]
    assert plan([]) == [name for name in PARTS if name not in ("soak", "arm64")], (
        "no --only: every part, the build included, but not the hours of the soak and arm64"
    )
    assert plan(["soak"]) == ["soak"]


def test_soak_jobs_are_known_jobs(capsys):
    from bench.run import parse_args

    assert parse_args([]).soak_jobs == ["structured streaming", "dstream"]
    assert parse_args(["--soak-jobs", "dstream"]).soak_jobs == ["dstream"]
    with pytest.raises(SystemExit):
        parse_args(["--soak-jobs", "dstreams"])
    assert "no job dstreams; choose from structured streaming, dstream" in capsys.readouterr().err


def test_soak_arithmetic_windows_growth_and_batches():
    samples = [{"kafka": 100}, {"kafka": 200}, {"kafka": 300}]
    assert samples_between(samples, [10.0, 20.0, 30.0], 15, 30) == samples[1:]
    assert memory_growth({"kafka": 200, "gone": 0}, {"kafka": 230}) == {"kafka": 0.15}
    sizes = [(0.0, {"results": 0}), (1800.0, {"results": 5_000_000})]
    assert growth_per_hour(sizes) == {"results": 10_000_000}
    with pytest.raises(ValueError, match="one reading"):
        growth_per_hour(sizes[:1])
    batches = [
        (float(t), float(ms), {"addBatch": ms - 10.0, "walCommit": 10.0})
        for t, ms in [(0, 100), (1, 300), (2, 200), (100, 900)]
    ]
    durations = batch_durations(batches, (0, 10), (50, 60))
    assert durations["start"] == {
        "batches": 3,
        "p50": 200.0,
        "p90": 300.0,
        "phases": {"addBatch": 190, "walCommit": 10},
    }
    assert durations["end"] == {"batches": 0}, "no batch in the last window: said, not invented"


SOAK = {
    "job": "dstream",
    "minutes": 60,
    "from_minute": 10,
    "lines_s": 75000,
    "memory": {
        "start": {"mb": {"kafka": 300}, "total_mb": 1400, "samples": 40},
        "middle": {"mb": {"kafka": 320}, "total_mb": 1420, "samples": 40},
        "end": {"mb": {"kafka": 360}, "total_mb": 1460, "samples": 40},
    },
    "memory_growth": {"kafka": 0.2, "wordcount": 0.01},
    "cgroup_mb": [
        {"minute": 10.0, "kafka": {"anon": 200, "active_file": 100, "inactive_file": 100}},
        {"minute": 60.0, "kafka": {"anon": 204, "active_file": 156, "inactive_file": 150}},
    ],
    "own_memory_growth": {"kafka": 0.02},
    "sizes": [
        {"minute": 60.0, "kafka topic": 9e9, "checkpoint": 2e6, "event logs": 64e6, "results": 1}
    ],
    "sizes_per_hour": {"results": 4_000_000, "results files": 1200},
    "batches_ms": {
        "start": {"batches": 40, "p50": 900, "p90": 1200},
        "end": {"batches": 40, "p50": 950, "p90": 1300},
    },
    "totals_exact": False,
    "totals_wrong": {"hello": [99, 100]},
}


def test_the_soak_report_names_the_container_that_grew_most_and_wrong_totals():
    table = markdown({**REPORT_INPUT, "soak": [SOAK]})
    assert "60 min at 75,000 lines/s: memory at minute 10, the middle, the end" in table
    assert "start 1,400 MB; middle 1,420 MB; end 1,460 MB; kafka +20%, wordcount +1%" in table
    assert "| ≤ 10%: **missed** (kafka +20.0%) |" in table, "every container past the target"
    assert "p50 +5.6%: ≤ 10%: met |" in table, "the batches' slow-down has a verdict"
    start = {"batches": 40, "p50": 900, "p90": 1200}
    slower = {**SOAK, "batches_ms": {"start": start, "end": {**start, "p50": 1000}}}
    assert "p50 +11.1%: ≤ 10%: **missed** |" in markdown({**REPORT_INPUT, "soak": [slower]})
    steady = {**SOAK, "memory_growth": {"kafka": 0.04, "wordcount": 0.01}}
    assert "| ≤ 10%: met |" in markdown({**REPORT_INPUT, "soak": [steady]})
    assert "results +4.0 MB, results files +1,200 (kafka topic 9.00 GB" in table
    assert "end p50 950 ms, p90 1,300 ms (40); totals **wrong**" in table
    assert "own memory kafka +2%; page cache kafka 156 MB" in table
    unread = {**SOAK, "cgroup_unread": {"jupyter": "no such file"}}
    assert "cgroup memory.stat not read | jupyter: no such file" in markdown(
        {**REPORT_INPUT, "soak": [unread]}
    )
    older = {key: value for key, value in SOAK.items() if key != "own_memory_growth"}
    assert "own memory" not in markdown({**REPORT_INPUT, "soak": [older]}), (
        "results from before the bench read cgroups: no row"
    )


def test_cgroup_memory_parts_and_own_growth_from_the_settled_minute():
    stat = "anon 209715200\nfile 800000000\nactive_file 400000000\ninactive_file 390000000\n"
    parts = cgroup_memory(stat)
    assert parts == {"anon": 209715200, "active_file": 400000000, "inactive_file": 390000000}
    v1 = "cache 300\nrss 100\nactive_file 200\ninactive_file 50\n"
    assert cgroup_memory(v1) == {"anon": 100, "active_file": 200, "inactive_file": 50}, (
        "cgroup v1 calls the processes' own memory rss"
    )
    with pytest.raises(ValueError, match="no anon, active_file, inactive_file"):
        cgroup_memory("usage 100\n")
    readings = [
        (0.0, {"kafka": {"anon": 100}}),
        (600.0, {"kafka": {"anon": 200}}),
        (3600.0, {"kafka": {"anon": 230}}),
    ]
    assert own_memory_growth(readings, 600) == {"kafka": 0.15}, "from the tenth minute, not 0"
    with pytest.raises(ValueError, match="no cgroup reading after 4000 s"):
        own_memory_growth(readings, 4000)


def fake_proc(root, processes: dict[int, tuple[str, list[int]]]) -> None:
    """/proc/<pid>/stat files: (name, [utime, stime, cutime, cstime]) each."""
    for pid, (name, times) in processes.items():
        (root / str(pid)).mkdir()
        before = " ".join(["S", "1", *(["0"] * 9)])  # state .. majflt (fields 3-12)
        after = " ".join(["20", "0", "1", "0", "100"])
        (root / str(pid) / "stat").write_text(
            f"{pid} ({name}) {before} {' '.join(map(str, times))} {after}\n"
        )


def test_engine_time_sums_docker_processes_and_their_reaped_children(tmp_path):
    ticks = os.sysconf("SC_CLK_TCK")
    fake_proc(
        tmp_path,
        {
            10: ("dockerd", [ticks, ticks, 0, 0]),
            11: ("containerd", [ticks, 0, 0, 0]),
            12: ("containerd-shim", [0, 0, ticks, ticks]),  # runc, reaped
            13: ("java", [50 * ticks, 0, 0, 0]),  # a container's server: counted there
            14: ("my (odd) name", [9 * ticks, 0, 0, 0]),
        },
    )
    assert engine_cpu_seconds(tmp_path) == pytest.approx({10: 2.0, 11: 1.0, 12: 2.0})


def test_engine_time_between_readings_ignores_processes_that_left():
    before = {10: 2.0, 12: 30.0}  # 12: the shim of a container removed in between
    after = {10: 2.5, 13: 0.25}  # 13: a new shim
    assert engine_used(before, after) == pytest.approx(0.75)


def test_machine_busy_time_leaves_out_idle_and_io_wait(tmp_path):
    ticks = os.sysconf("SC_CLK_TCK")
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice
    values = [t * ticks for t in (10, 1, 5, 900, 7, 1, 2, 3, 0, 0)]
    stat.write_text("cpu  " + " ".join(map(str, values)) + "\ncpu0 1 2 3\n")
    assert machine_busy_seconds(stat) == pytest.approx(22.0)
