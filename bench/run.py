"""`make bench`: the lab's own numbers, through the real compose stack, each part beside what a
user would pick instead, in the same run.

Runs in a compose project of its own (streamlab-bench) on host ports and image names of its
own, so the lab's containers, images, topics, checkpoints and results are never touched, and
it may run beside the lab (though the lab then shares the cores, and the numbers suffer).
Writes a JSON record and a markdown table to bench/results/ (latest.json, latest.md, and a
dated copy; a run of some parts only, only-<time>.json and .md).

    python -m bench                      # every part (tens of minutes; see the results)
    python -m bench --skip-build         # without the build from nothing
    python -m bench --only idle,latency  # some parts (and what they need), in table order
    python -m bench --only soak          # each job for an hour (--soak-minutes, --soak-jobs)
    python -m bench --only arm64         # the images for linux/arm64 and the tutorial's counts
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.jobs import JOBS
from bench.lab import Run, header, log, memory_summary
from bench.parts import (
    arm64,
    build,
    ceiling,
    compare,
    drain,
    dstream,
    fresh,
    idle,
    latency,
    memory,
    metrics,
    producer,
    soak,
    startup,
    throughput,
)
from bench.report import markdown
from streamlab.compose import CORE_SERVICES, compose
from streamlab.config import ROOT, load_settings
from streamlab.isolation import BENCH


@dataclass(frozen=True)
class Part:
    measure: Callable[[Run], None]
    what: str
    # Parts measured first when this one runs alone (their records feed it).
    needs: tuple[str, ...] = ()
    # False: the part brings the stack up (or down) itself; True: it runs on the core stack.
    on_stack: bool = True
    # False: only when --only names it (an hour or more).
    by_default: bool = True


# Every part, in the order of a whole run.
PARTS: dict[str, Part] = {
    "build": Part(
        build.measure, "both images from nothing (not with --skip-build), their sizes", (), False
    ),
    "startup": Part(startup.measure, "`compose up` to healthy, `make demo` to counts", (), False),
    "fresh": Part(
        fresh.measure,
        "`make demo` on an engine of the bench's own, with no image and no build cache (root)",
        (),
        False,
    ),
    "idle": Part(idle.measure, "the idle stack's CPU, Docker's engine included", (), False),
    "producer": Part(producer.measure, "the lab's producer beside ProducerPerformance"),
    "ceiling": Part(ceiling.measure, "ConsumerPerformance and kafka-python reading a backlog"),
    "drain": Part(drain.measure, "the job draining a backlog, both methods", ("ceiling",)),
    "dstream": Part(dstream.measure, "the DStream job beside the Structured Streaming job"),
    "compare": Part(compare.measure, "the lab's job beside the JVM reference"),
    "throughput": Part(
        throughput.measure, "the keep-up searches, with CPU per container", ("drain",)
    ),
    "latency": Part(latency.measure, "produce-to-results latency at 3 s and 500 ms triggers"),
    "memory": Part(
        memory.measure, "the default stack's memory with each job, idle and under load", (), False
    ),
    "metrics": Part(metrics.measure, "memory with Prometheus scraping, under load", ("drain",)),
    "soak": Part(
        soak.measure,
        "each job for --soak-minutes at half its keep-up rate (only with --only)",
        (),
        False,
        False,
    ),
    "arm64": Part(
        arm64.measure,
        "both images built for linux/arm64 (emulated on other machines) and the tutorial's "
        "counts on them (only with --only; make arm64)",
        (),
        False,
        False,
    ),
}


def part_names(text: str) -> list[str]:
    """--only's value: known part names."""
    names = [name for name in text.split(",") if name]
    unknown = [name for name in names if name not in PARTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"no part {', '.join(unknown) or '(none given)'}; choose from {', '.join(PARTS)}"
        )
    return names


def soak_jobs(text: str) -> list[str]:
    """--soak-jobs' value: known jobs."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in JOBS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"no job {', '.join(unknown) or '(none given)'}; choose from {', '.join(JOBS)}"
        )
    return names


def plan(only: list[str]) -> list[str]:
    """The parts to measure, in table order: those asked for (by default all but those that
    run for hours) and those they need."""
    wanted = set(only or (name for name, part in PARTS.items() if part.by_default))
    todo = list(wanted)
    while todo:
        for need in PARTS[todo.pop()].needs:
            if need not in wanted:
                wanted.add(need)
                todo.append(need)
    return [name for name in PARTS if name in wanted]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parts = "; ".join(f"{name}: {part.what}" for name, part in PARTS.items())
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=f"The parts: {parts}."
    )
    parser.add_argument(
        "--only",
        type=part_names,
        default=[],
        help=f"only these parts (comma-separated, of: {', '.join(PARTS)}) and what they need; "
        "writes only-<time>.md and .json, not latest.*",
    )
    parser.add_argument("--skip-build", action="store_true", help="leave out the build")
    parser.add_argument("--lines", type=int, default=1_000_000, help="backlog for the ceilings")
    parser.add_argument("--seconds", type=float, default=20, help="length of each steady load")
    parser.add_argument("--latency-rate", type=float, default=1000, help="lines/s for latency")
    parser.add_argument(
        "--idle-seconds", type=float, default=60, help="idle CPU window; idle memory window"
    )
    parser.add_argument(
        "--memory-seconds", type=float, default=60, help="memory: the keep-up load's length"
    )
    parser.add_argument(
        "--compare-lines", type=int, default=3_000_000, help="compare: the topic each runner reads"
    )
    parser.add_argument(
        "--compare-cap", type=int, default=1_000_000, help="compare: maxOffsetsPerTrigger"
    )
    parser.add_argument("--trials", type=int, default=5, help="compare: trials")
    parser.add_argument(
        "--runners",
        type=lambda text: text.split(","),
        help=f"compare: some of {', '.join(compare.RUNNERS)} (comma-separated; default: all)",
    )
    parser.add_argument(
        "--soak-minutes", type=float, default=60, help="soak: how long each job runs"
    )
    parser.add_argument(
        "--soak-jobs",
        type=soak_jobs,
        default=list(JOBS),
        help=f"soak: some of {', '.join(JOBS)} (comma-separated; default: both, in turn)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, settings: dict[str, str]) -> dict:
    run = Run(args, settings, {**header(settings), **({"only": args.only} if args.only else {})})
    for name in plan(args.only):
        part = PARTS[name]
        log(f"{name}: {part.what}")
        if part.on_stack:
            compose("up", "-d", "--wait", *CORE_SERVICES)
        part.measure(run)
    if run.memory:
        run.result["memory"] = memory_summary(run.memory)
    if run.failures:
        run.result["failures"] = run.failures
    return run.result


def write(result: dict, out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    table = markdown(result)
    stamp = result["when"].replace(":", "").replace("+0000", "Z")
    for name in [f"only-{stamp}"] if result.get("only") else ["latest", stamp]:
        (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / f"{name}.md").write_text(table)
    return table


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    BENCH.enter()  # before anything runs compose: the bench's own project, ports and images
    settings = load_settings()
    started = time.monotonic()
    try:
        result = measure(args, settings)
        result["seconds"] = round(time.monotonic() - started)
    except RuntimeError as error:  # a part's sentence: what failed and how to mend it
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        compose("down", "--volumes", "--remove-orphans")
    print(write(result, args.out))
    for sentence in result.get("failures", []):
        print(f"bench: {sentence}", file=sys.stderr)
    return 1 if result.get("failures") else 0


if __name__ == "__main__":
    sys.exit(main())
