"""What reading the topic costs without Spark: Kafka's ConsumerPerformance and a kafka-python
consumer, the ceilings that the job's rates are set against."""

from __future__ import annotations

import json
from statistics import median

from bench.analysis import consumer_perf
from bench.lab import Run, new_topic, probe, send
from streamlab.compose import exec_in


def ceilings(topic: str, lines: int, runs: int = 3) -> dict:
    """Plain consumers reading the whole topic from the beginning; the median of `runs` runs
    each, since one run of a second or two is at the mercy of the other containers."""
    perf = [
        consumer_perf(
            exec_in(
                "kafka",
                "kafka-consumer-perf-test",
                "--bootstrap-server",
                "kafka:9092",
                "--topic",
                topic,
                "--messages",
                str(lines),
                timeout=600,
            )
        )
        for _ in range(runs)
    ]
    plain = [
        json.loads(
            exec_in(
                "spark-worker",
                "python",
                "-",
                "kafka:9092",
                topic,
                str(lines),
                stdin=probe("consume"),
                timeout=600,
            )
        )
        for _ in range(runs)
    ]
    return {
        "consumer_perf_lines_s": round(median(r["fetch.nMsg.sec"] for r in perf)),
        "consumer_perf_with_join_lines_s": round(median(r["nMsg.sec"] for r in perf)),
        "kafka_python_lines_s": round(median(r["rate"] for r in plain)),
        "runs": runs,
    }


def measure(run: Run) -> None:
    topic = new_topic("ceiling")
    send(topic, run.args.lines)
    run.result["ceiling"] = ceilings(topic, run.args.lines)
    run.backlog_topic = topic  # the drain reads this very backlog
