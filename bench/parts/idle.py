"""The stack up and left alone: what a learner's laptop pays to keep the lab running."""

from __future__ import annotations

import time

from bench.analysis import spread
from bench.lab import PROJECT, Run
from bench.stats import engine_baseline, idle_window, loop_cpu_ms
from streamlab.compose import CORE_SERVICES, compose

IDLE_WINDOWS = 3  # of --idle-seconds each, whose median is held to the target


def idle(seconds: float, windows: int = IDLE_WINDOWS, settle: float = 15) -> dict:
    """CPU of the stack left alone after it came up healthy (`settle` s later, when start-up
    work such as JIT and Jupyter's first scan is over): what a learner's laptop pays to keep
    the lab running. Several windows in a row: the same idle stack varies from one minute to
    the next on a shared machine, so one window says little; beside each,
    what else the machine did and how fast its cores were (idle_window). The stack's share of
    Docker's engine (what it used beyond its own baseline, measured before the stack came up)
    counts with the containers. A fixed loop's CPU time, taken before the stack came up and
    beside each window, says how fast the cores were meanwhile."""
    compose("down", "--volumes", "--remove-orphans")
    base = engine_baseline(seconds / 2)
    quiet = [loop_cpu_ms() for _ in range(3)]  # the cores' speed without the stack
    compose("up", "-d", "--wait", *CORE_SERVICES)
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
        "quiet_loop_ms": min(quiet),
        "each_window": [
            {key: run[key] for key in ("engine_percent", "rest_percent", "loop_ms")}
            | {"total_percent": total}
            for run, total in zip(runs, totals, strict=True)
        ],
    }


def measure(run: Run) -> None:
    run.result["idle"] = idle(run.args.idle_seconds)
