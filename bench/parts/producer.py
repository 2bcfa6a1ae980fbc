"""The lab's producer beside Kafka's ProducerPerformance, in the same trials."""

from __future__ import annotations

import json
from statistics import median

from bench.analysis import spread
from bench.lab import Run, new_topic, send
from streamlab.compose import exec_in

PRODUCER_TRIALS = 3  # the producer beside ProducerPerformance, ratio per trial


def producer_rates(lines: int, trials: int = PRODUCER_TRIALS) -> dict:
    """The lab's kafka-python producer flat out (acks=all, batching), with one process and with
    two (--processes 2), and Kafka's ProducerPerformance, each sending `lines` lines in every
    trial: the same count, so that connecting weighs the same in both. A trial's ratio is
    taken within the trial: ProducerPerformance alone varies widely between trials on a
    shared machine."""
    runs = []
    for _ in range(trials):
        run = {"producer_perf": round(send(new_topic("producer-perf"), lines))}
        for processes in (1, 2):
            topic = new_topic(f"producer-{processes}p")
            command = ["python", "/opt/streamlab/producer/producer.py", "--topic", topic]
            command += ["--bootstrap-servers", "kafka:9092", "--rate", "0", "--count", str(lines)]
            command += ["--processes", str(processes), "--summary-json", "--progress", "never"]
            record = json.loads(exec_in("spark-worker", *command, timeout=900))
            run[f"{processes}p"] = round(record["lines"] / record["seconds"])
        runs.append(run)
    return {
        "kafka_python_lines_s": round(median(r["1p"] for r in runs)),
        "kafka_python_2p_lines_s": round(median(r["2p"] for r in runs)),
        "producer_perf_lines_s": round(median(r["producer_perf"] for r in runs)),
        "fraction_1p": spread([r["1p"] / r["producer_perf"] for r in runs]),
        "fraction_2p": spread([r["2p"] / r["producer_perf"] for r in runs]),
        "lines": lines,
        "trials": runs,
    }


def measure(run: Run) -> None:
    run.result["producer"] = producer_rates(run.args.lines)
