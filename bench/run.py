"""`make bench`: the lab's own numbers on this machine, through the real compose stack.

Runs in a compose project of its own (streamlab-bench) on host ports of its own, so the lab's
containers, topics, checkpoints and results are never touched, and it may run beside the lab
(though the lab then shares the two cores, and the numbers suffer). Writes a
JSON record and a markdown table to bench/results/ (latest.json, latest.md, and dated copies).

    python -m bench                      # everything (tens of minutes: bench/results/latest.md)
    python -m bench --skip-build         # without the build from nothing
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from bench import dstream
from bench.analysis import (
    Batch,
    consumer_perf,
    cpu_means,
    drain_rate,
    ladder,
    latencies_ms,
    memory_peaks,
    offsets_sum,
    perf_rate,
    phases_ms,
    spread,
    steady_run,
    summarize_compare,
    summary,
)
from bench.report import markdown
from bench.stats import StatsSampler, engine_baseline, idle_window
from jobs.paths import checkpoint_dir, progress_file, results_dir
from jobs.seed import SEED_LINE
from jobs.words import split_line
from streamlab.compose import CORE_SERVICES as CORE
from streamlab.compose import compose, create_topic, exec_in
from streamlab.config import ROOT, env_file_args, load_settings
from streamlab.isolation import BENCH
from streamlab.runs import JVM_JOB, LAB_JOB, run_to_the_end
from streamlab.runs import submit as submit_job
from streamlab.wait import wait_until

PROJECT = BENCH.name
PROBES = Path(__file__).parent / "probes"
TRIGGER_MS = 3000
LATENCY_RUNS = 3  # at the 500 ms trigger, whose target is the median of the runs
IDLE_WINDOWS = 3  # of --idle-seconds each, whose median is held to the target
PRODUCER_TRIALS = 3  # the producer beside ProducerPerformance, ratio per trial


def log(message: str) -> None:
    print(f"bench {datetime.now():%H:%M:%S} {message}", flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def new_topic(name: str) -> str:
    topic = f"bench-{name}-{uuid.uuid4().hex[:6]}"
    create_topic(topic)
    return topic


def send(topic: str, records: int, rate: float = -1) -> float:
    """Seed lines at `rate` per second (-1: flat out) with Kafka's ProducerPerformance, acks=all,
    in a container of its own (so the broker's memory is the broker's). Returns the rate it
    achieved."""
    script = (
        'printf "%s\\n" "$1" > /tmp/seed-line.txt && exec kafka-producer-perf-test --topic "$2" '
        '--num-records "$3" --throughput "$4" --payload-file /tmp/seed-line.txt '
        "--producer-props bootstrap.servers=kafka:9092 acks=all"
    )
    out = compose(
        "run",
        "--rm",
        "--no-deps",
        "-T",
        "kafka",
        "sh",
        "-c",
        script,
        "-",
        SEED_LINE,
        topic,
        str(int(records)),
        str(int(rate)),
        timeout=900,
    ).stdout
    return perf_rate(out)


def submit(topic: str, trigger: str = "3 seconds", method: str = "rdd", cap: int = 0) -> None:
    """The lab's Structured Streaming job on `topic` (streamlab.runs.submit)."""
    submit_job(topic, method=method, trigger=trigger, cap=cap)


def progress(topic: str) -> list[dict]:
    out = exec_in("wordcount", "sh", "-c", f"cat {progress_file(topic)} 2>/dev/null || :")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def wait_read(topic: str, total: int, timeout: float = 300) -> list[dict]:
    """Waits until the job's batches have read `total` records; returns its progress records."""

    def probe() -> list[dict] | None:
        records = progress(topic)
        done = any(offsets_sum(r["sources"][0].get("endOffset")) >= total for r in records)
        return records if done else None

    return wait_until(probe, timeout=timeout, interval=1, what=f"the job reading {topic}")


# ---- the phases ---------------------------------------------------------------------------


def build_from_nothing() -> dict:
    """Both images without any build cache (the local base image and the mirrors stay)."""
    subprocess.run([sys.executable, "-m", "streamlab.preflight", "mirrors"], cwd=ROOT, check=True)
    command = ["docker", "compose", *env_file_args(), "build", "--no-cache"]
    seconds = timed(lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True))
    return {"seconds": round(seconds, 1)}


def startup() -> dict:
    """`docker compose up` to all healthy, then `make demo` to the first printed batch; both
    from a stopped stack with the images built."""
    compose("down", "--volumes", "--remove-orphans")
    healthy = timed(lambda: compose("up", "-d", "--wait", "--wait-timeout", "300", *CORE))
    compose("down", "--volumes", "--remove-orphans")
    demo = subprocess.Popen(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started = time.monotonic()
    printed = threading.Event()

    def follow() -> None:
        assert demo.stdout is not None  # opened with stdout=PIPE
        for line in demo.stdout:
            if line.startswith("Time: "):
                printed.set()

    threading.Thread(target=follow, daemon=True).start()
    try:
        if not printed.wait(timeout=300):
            raise RuntimeError("make demo printed no batch within 300 s")
        first = time.monotonic() - started
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=60)
    return {"healthy_s": round(healthy, 1), "first_batch_s": round(first, 1)}


def idle(seconds: float, windows: int = IDLE_WINDOWS, settle: float = 15) -> dict:
    """CPU of the stack left alone after it came up healthy (`settle` s later, when start-up
    work such as JIT and Jupyter's first scan is over): what a learner's laptop pays to keep
    the lab running. Several windows in a row: the same idle stack measured 2.9% to 4.4% of a
    core from one minute to the next on this machine, so one window says little; beside each,
    what else the machine did and how fast its cores were (idle_window). The stack's share of
    Docker's engine (what it used beyond its own baseline, measured before the stack came up)
    counts with the containers."""
    compose("down", "--volumes", "--remove-orphans")
    base = engine_baseline(seconds / 2)
    compose("up", "-d", "--wait", *CORE)
    time.sleep(settle)
    runs = [idle_window(PROJECT, seconds) for _ in range(windows)]
    for run in runs:  # the engine's work for the stack counts: a healthcheck's exec is there
        run["percent"]["docker engine"] = round(max(0.0, run["engine_percent"] - base), 2)
    runs.sort(key=lambda run: sum(run["percent"].values()))
    totals = [round(sum(run["percent"].values()), 2) for run in runs]
    middle = runs[(len(runs) - 1) // 2]  # the median window (the lower one of an even count)
    return {
        "seconds": seconds,
        "windows": windows,
        "percent": dict(sorted(middle["percent"].items(), key=lambda kv: -kv[1])),
        "total_percent": round(sum(middle["percent"].values()), 2),
        "total_spread": spread(totals),
        "engine_percent": middle["engine_percent"],
        "engine_base_percent": base,
        "rest_percent": middle["rest_percent"],
        "loop_ms": [ms for run in runs for ms in run["loop_ms"]],
        "each_window": [
            {key: run[key] for key in ("engine_percent", "rest_percent", "loop_ms")}
            | {"total_percent": total}
            for run, total in zip(runs, totals, strict=True)
        ],
    }


def image_sizes(settings: dict[str, str]) -> dict:
    tag = settings["STREAMLAB_IMAGE_TAG"]
    namespace = os.environ.get("STREAMLAB_IMAGE_NAMESPACE", "streamlab")
    images = {
        "kafka": f"{namespace}/kafka:{settings['STREAMLAB_KAFKA_VERSION']}-{tag}",
        "spark": f"{namespace}/spark:{settings['STREAMLAB_SPARK_VERSION']}-{tag}",
    }
    sizes = {}
    for name, image in images.items():
        out = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", image],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        sizes[name] = round(int(out) / 1e6)
    return {"mb": sizes}


def producer_rates(lines: int, trials: int = PRODUCER_TRIALS) -> dict:
    """The lab's kafka-python producer flat out (acks=all, batching), with one process and with
    two (--processes 2), and Kafka's ProducerPerformance, each sending `lines` lines in every
    trial: the same count, so that connecting weighs the same in both. A trial's ratio is
    taken within the trial; ProducerPerformance alone ranged from 278,000 to 589,000 lines/s
    between trials on this machine."""
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
                stdin=(PROBES / "consume.py").read_text(),
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


def drain(lines: int, method: str, topic: str | None = None) -> dict:
    """The job reading a backlog, 250,000 lines a batch; the first batch (start-up) left out.
    `topic`: one already holding `lines` lines (a checkpoint belongs to one topic, so each
    method needs a topic of its own)."""
    if topic is None:
        topic = new_topic(f"drain-{method}")
        send(topic, lines)
    submit(topic, method=method, cap=250_000)
    records = wait_read(topic, lines, timeout=600)
    later = [r for r in records if r["batchId"] > 0 and r.get("numInputRows")]
    rate, rows = drain_rate(later or records)
    return {"method": method, "lines_s": round(rate), "rows": rows}


# The lab's job and the JVM reference (images/spark/jvm) as a learner would submit them; the
# JVM's `read` method only counts the rows: the floor that reading Kafka alone sets.
RUNNERS = {
    "python dataframe": [*LAB_JOB, "--method", "dataframe"],
    "jvm dataframe": [*JVM_JOB, "--method", "dataframe"],
    "python rdd": [*LAB_JOB, "--method", "rdd"],
    "jvm rdd": [*JVM_JOB, "--method", "rdd"],
    "jvm read": [*JVM_JOB, "--method", "read"],
}


def run_once(name: str, topic: str, cap: int) -> dict:
    """One runner reading the whole topic from the start, in a fresh checkpoint, with its
    event log kept for the phases of its batches."""
    parts = run_to_the_end(
        [*RUNNERS[name], "--max-offsets-per-trigger", str(cap)],
        topic,
        "/data/compare",
        event_probe=(PROBES / "stages.py").read_text(),
    )
    records = [json.loads(line) for line in parts["progress"].splitlines() if line.strip()]
    # Full batches only: the first pays for the start (JIT, connections), and a last one of a
    # few leftover records is all overhead; either would blur the rate and the phases.
    measured = [r for r in records if r["batchId"] > 0 and r.get("numInputRows", 0) >= cap / 2]
    rate, rows = drain_rate(measured)
    return {
        "runner": name,
        "lines_s": round(rate),
        "rows": rows,
        "counts": json.loads(parts["results"])["counts"],
        "phases_ms": phases_ms(measured, json.loads(parts["events"])),
    }


def compare(lines: int, cap: int, trials: int = 5, runners: list[str] | None = None) -> dict:
    """The lab's two methods beside the JVM reference, same topic, same cluster, same trigger,
    cores and cap; runners interleaved within each trial, and each trial in the opposite
    order to the one before, so that neither drift nor going first favours a runner."""
    compose("rm", "--stop", "--force", "wordcount")  # no other application on the cores
    topic = new_topic("compare")
    send(topic, lines)
    runs: list[dict] = []
    names = runners or list(RUNNERS)
    run_once("jvm read", topic, cap)  # a warm-up, not counted: the first run is slower
    for trial in range(trials):
        for name in names if trial % 2 == 0 else reversed(names):
            run = run_once(name, topic, cap)
            log(f"compare trial {trial + 1}: {name} {run['lines_s']:,} lines/s")
            runs.append({**run, "trial": trial})
    expected = {w: n * lines for w, n in Counter(split_line(SEED_LINE.encode())).items()}
    return summarize_compare(runs, expected, lines)


def throughput(
    workers: int,
    capacity: float,
    seconds: float,
    sampler: StatsSampler,
    refine: int = 2,
    method: str = "rdd",
) -> dict:
    """The highest rate at which the job keeps up (trigger 3 s): from the drain rate, up a
    ladder while rates keep up (or down it until one does), then `refine` bisections between
    the best that kept up and the lowest that did not.
    CPU per container is sampled meanwhile, to show where the cores go."""
    compose("up", "-d", "--wait", "--scale", f"spark-worker={workers}", "spark-worker")
    topic = new_topic(f"steady-{workers}w-{method}")
    submit(topic, method=method)
    # A warm-up, not counted: 10 s at half the drain rate. A job that has just started (its
    # JIT, its Python workers) missed a rate in its first trial that it kept up with later,
    # and the search then only went down (make bench on 500a53c: 101,000 lines/s, one worker).
    total = int(capacity / 2 * 10)
    send(topic, total, capacity / 2)
    wait_read(topic, total, timeout=300)
    trials: list[dict] = []

    def trial(rate: float) -> bool:
        nonlocal total
        start = time.time()
        achieved = send(topic, int(rate * seconds), rate)
        end = time.time()
        total += int(rate * seconds)
        run = steady_run(
            wait_read(topic, total, timeout=600), achieved, start, end, total, TRIGGER_MS
        )
        catch_up = "never" if run.catch_up_s is None else f"{run.catch_up_s:.1f} s"
        log(
            f"{workers} worker(s), {achieved:.0f} lines/s: keeps up {run.keeps_up} "
            f"(p90 batch {run.duration_p90_ms:.0f} ms, catch-up {catch_up})"
        )
        samples = sampler.cpu_between(start, end)
        cpu = {k: round(v) for k, v in cpu_means(samples).items()} if samples else {}
        trials.append({**run.__dict__, "target": round(rate), "cpu_percent": cpu})
        return run.keeps_up

    ladder(trial, capacity, refine)
    best = max((t for t in trials if t["keeps_up"]), key=lambda t: t["rate"], default=None)
    return {
        "workers": workers,
        "method": method,
        "lines_s": round(best["rate"]) if best else 0,
        "cpu_percent": best["cpu_percent"] if best else {},
        "breakdown_ms": {k: round(v) for k, v in best["breakdown_ms"].items()} if best else {},
        "trials": trials,
    }


def latency(trigger: str, rate: float, seconds: float) -> dict:
    topic = new_topic("latency")
    submit(topic, trigger=trigger)
    send(topic, 100)
    wait_read(topic, 100, timeout=300)
    start_ms = time.time() * 1000
    send(topic, int(rate * seconds), rate)
    wait_read(topic, 100 + int(rate * seconds))
    raw = json.loads(
        exec_in(
            "wordcount",
            "python",
            "-",
            "kafka:9092",
            topic,
            str(checkpoint_dir(topic)),
            str(results_dir(topic)),
            stdin=(PROBES / "latency.py").read_text(),
            timeout=600,
        )
    )
    batches = [Batch(b, {int(p): n for p, n in ends.items()}, ms) for b, ends, ms in raw["batches"]]
    records = [(p, o, ts) for p, o, ts in raw["records"] if ts >= start_ms]
    values = latencies_ms(records, batches)
    return {"trigger": trigger, "rate": rate, **{k: round(v) for k, v in summary(values).items()}}


def dstream_part(args: argparse.Namespace, trials: int = 3) -> dict:
    """The tutorial's API, the DStream job, beside the Structured Streaming rdd job in the same
    run: both drain the same backlog in each trial, in alternate order from trial to trial (a
    fresh topic each, since a checkpoint belongs to one topic); then the DStream job's keep-up
    rate and its latency at 1 s batches."""
    drains = []
    for trial in range(trials):
        topic = new_topic("dstream-drain")
        send(topic, args.lines)
        order = ["structured", "dstream"] if trial % 2 == 0 else ["dstream", "structured"]
        rates = {}
        for which in order:
            if which == "structured":
                rates[which] = drain(args.lines, "rdd", topic)["lines_s"]
            else:
                rates[which] = dstream.drain(topic, args.lines)["lines_s"]
        log(f"dstream drain trial {trial + 1}: {rates}")
        drains.append(rates)
    capacity = median(d["dstream"] for d in drains)
    keep = dstream.keep_up(send, new_topic, capacity, args.seconds)
    probe = (PROBES / "latency.py").read_text()
    latency_1s = dstream.latency_runs(send, new_topic, probe, args.latency_rate, args.seconds)
    return {
        "drain_trials": drains,
        "drain_lines_s": spread([d["dstream"] for d in drains]),
        "structured_drain_lines_s": spread([d["structured"] for d in drains]),
        "drain_ratio": spread([d["dstream"] / d["structured"] for d in drains]),
        "keep_up_lines_s": keep["lines_s"],
        "keep_up": keep,
        "latency": latency_1s,
    }


# ---- the run ------------------------------------------------------------------------------


def parts(text: str) -> list[str]:
    """--only's value: known part names, in the order given."""
    names = [name for name in text.split(",") if name]
    unknown = [name for name in names if name not in PARTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"no part {', '.join(unknown) or '(none given)'}; choose from {', '.join(PARTS)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="leave out the build")
    parser.add_argument("--lines", type=int, default=1_000_000, help="backlog for the ceilings")
    parser.add_argument("--seconds", type=float, default=20, help="length of each steady load")
    parser.add_argument("--latency-rate", type=float, default=1000, help="lines/s for latency")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--compare-lines", type=int, default=3_000_000, help="topic read by each runner"
    )
    parser.add_argument(
        "--compare-cap", type=int, default=1_000_000, help="maxOffsetsPerTrigger of the runners"
    )
    parser.add_argument("--idle-seconds", type=float, default=60, help="idle CPU window")
    parser.add_argument("--trials", type=int, default=5, help="trials of the comparison")
    parser.add_argument(
        "--runners",
        type=lambda text: text.split(","),
        help=f"with --only-compare, some of: {', '.join(RUNNERS)} (comma-separated)",
    )
    parser.add_argument(
        "--only",
        type=parts,
        default=[],
        help=f"only these parts, comma-separated, of: {', '.join(PARTS)}; writes "
        "only-<time>.md and .json, not latest.*",
    )
    parser.add_argument(
        "--only-compare",
        action="store_true",
        help="only the lab beside the JVM reference; writes compare.json, not latest.*",
    )
    return parser.parse_args(argv)


def header(settings: dict[str, str]) -> dict:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": {
            k.removeprefix("STREAMLAB_").removesuffix("_VERSION").lower(): v
            for k, v in settings.items()
            if k.endswith("_VERSION")
        },
    }


def latency_runs(args: argparse.Namespace) -> list[dict]:
    """The 500 ms trigger's runs, whose median is held to the target."""
    return [
        latency("500 milliseconds", args.latency_rate, args.seconds) for _ in range(LATENCY_RUNS)
    ]


# Parts that `--only` can run alone (images built). startup and idle bring the stack up from
# nothing themselves; the others run on the core stack as they find it.
PARTS: dict[str, Callable[[argparse.Namespace], tuple[str, object]]] = {
    "startup": lambda args: ("startup", startup()),
    "idle": lambda args: ("idle", idle(args.idle_seconds)),
    "producer": lambda args: ("producer", producer_rates(args.lines)),
    "latency": lambda args: ("latency", latency_runs(args)),
    "dstream": lambda args: ("dstream", dstream_part(args)),
}
FROM_NOTHING = {"startup", "idle"}


def measure_parts(args: argparse.Namespace, settings: dict[str, str]) -> dict:
    """Some parts of the bench alone, to check a change against its targets in minutes rather
    than the whole run's 40."""
    result = {**header(settings), "only": args.only}
    for part in args.only:
        log(part)
        if part not in FROM_NOTHING:
            compose("up", "-d", "--wait", *CORE)
        key, value = PARTS[part](args)
        result[key] = value
    return result


def measure(args: argparse.Namespace, settings: dict[str, str]) -> dict:
    result: dict = header(settings)
    if not args.skip_build:
        log("building both images from nothing")
        result["build"] = build_from_nothing()
    result["images"] = image_sizes(settings)
    log("start-up: compose up, then make demo")
    result["startup"] = startup()
    log("idle: the stack up with nothing to do")
    result["idle"] = idle(args.idle_seconds)
    log("producer rates")
    result["producer"] = producer_rates(args.lines)
    topic = new_topic("ceiling")
    send(topic, args.lines)
    log("ceilings: ConsumerPerformance and kafka-python")
    result["ceiling"] = ceilings(topic, args.lines)
    log("the job draining a backlog")
    # The lab's job on the very topic the ceilings read; the DataFrame variant for comparison.
    result["drain"] = [drain(args.lines, "rdd", topic), drain(args.lines, "dataframe")]
    log("the DStream job beside the Structured Streaming job")
    result["dstream"] = dstream_part(args)
    log("the lab's job beside the JVM reference")
    result["compare"] = compare(args.compare_lines, args.compare_cap, args.trials)
    capacity = result["drain"][0]["lines_s"]
    memory: list[dict[str, int]] = []
    with StatsSampler(PROJECT) as sampler:
        result["throughput"] = [throughput(w, capacity, args.seconds, sampler) for w in (1, 2)]
        # The same search for --method dataframe, from its own drain rate, one worker: what a
        # learner who needs the speed would run (the seed's reduceByKey chain stays the default).
        # throughput() scales the workers itself, back to the one the latency runs use.
        dataframe_capacity = result["drain"][1]["lines_s"]
        result["throughput"].append(
            throughput(1, dataframe_capacity, args.seconds, sampler, method="dataframe")
        )
        log("latency at 3 s and 500 ms triggers")
        result["latency"] = [
            latency("3 seconds", args.latency_rate, args.seconds),
            *latency_runs(args),
        ]
        memory = sampler.memory
    result["memory"] = memory_summary(memory)
    log("the metrics profile: memory with Prometheus scraping, under a steady load")
    compose("up", "-d", "--build", "--wait", "prometheus", timeout=900)
    with StatsSampler(PROJECT) as sampler:
        topic = new_topic("metrics")
        submit(topic)
        lines = int(capacity / 2 * args.seconds)  # half the drain rate: a steady, kept-up load
        send(topic, lines, capacity / 2)
        wait_read(topic, lines, timeout=600)
        result["memory_metrics"] = memory_summary(sampler.memory)
    return result


def memory_summary(memory: list[dict[str, int]]) -> dict:
    peaks, total = memory_peaks(memory)
    return {
        "peak_mb": {k: round(v / 1e6) for k, v in sorted(peaks.items())},
        "total_peak_mb": round(total / 1e6),
        "samples": len(memory),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    BENCH.enter()  # before anything runs compose: the bench's own project and ports
    settings = load_settings()
    if args.only_compare:
        try:
            compose("up", "-d", "--wait", *CORE)
            result = compare(args.compare_lines, args.compare_cap, args.trials, args.runners)
        finally:
            compose("down", "--volumes", "--remove-orphans")
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compare.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        return 0
    started = time.monotonic()
    try:
        result = measure_parts(args, settings) if args.only else measure(args, settings)
        result["seconds"] = round(time.monotonic() - started)
    finally:
        compose("down", "--volumes", "--remove-orphans")
    args.out.mkdir(parents=True, exist_ok=True)
    table = markdown(result)
    stamp = result["when"].replace(":", "").replace("+0000", "Z")
    for name in [f"only-{stamp}"] if args.only else ["latest", stamp]:
        (args.out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        (args.out / f"{name}.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
