"""Samples `docker stats` in the background while a phase runs: each container's memory (for
the peaks) and CPU (to see where the two cores go) in the benchmark's project."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

from bench.analysis import parse_memory, service_of

LOAD_GENERATOR = "load generator"  # `compose run` containers: the benchmark's, not the lab's


class StatsSampler:
    """A thread that keeps sampling until stopped (state: the samples so far)."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.memory: list[dict[str, int]] = []  # lab containers only
        self.cpu: list[dict[str, float]] = []  # percent of one core, load generator included
        self.times: list[float] = []  # epoch seconds of each sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StatsSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            result = subprocess.run(
                ["docker", "stats", "--no-stream", "--format", "{{json .}}"],
                check=False,
                capture_output=True,
                text=True,
                timeout=60,
            )
            memory: dict[str, int] = {}
            cpu: dict[str, float] = {}
            for line in result.stdout.splitlines():
                stats = json.loads(line)
                name = stats["Name"]
                if not name.startswith(f"{self.project}-"):
                    continue
                service = LOAD_GENERATOR if "-run-" in name else service_of(name, self.project)
                cpu[service] = cpu.get(service, 0.0) + float(stats["CPUPerc"].rstrip("%") or 0)
                if service != LOAD_GENERATOR:
                    memory[service] = parse_memory(stats["MemUsage"])
            if memory:
                self.memory.append(memory)
                self.cpu.append(cpu)
                self.times.append(time.time())
            self._stop.wait(1)

    def cpu_between(self, start: float, end: float) -> list[dict[str, float]]:
        return [c for c, t in zip(self.cpu, self.times, strict=True) if start <= t <= end]


# Where the kernel keeps a container's CPU time: cgroup v1 (cgroupfs or systemd driver), v2.
CPU_COUNTERS = (
    "/sys/fs/cgroup/cpuacct/docker/{id}/cpuacct.usage",
    "/sys/fs/cgroup/cpuacct/system.slice/docker-{id}.scope/cpuacct.usage",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/cpu.stat",
    "/sys/fs/cgroup/docker/{id}/cpu.stat",
)


# Where it keeps a container's memory.stat, in the same four layouts.
MEMORY_STATS = (
    "/sys/fs/cgroup/memory/docker/{id}/memory.stat",
    "/sys/fs/cgroup/memory/system.slice/docker-{id}.scope/memory.stat",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.stat",
    "/sys/fs/cgroup/docker/{id}/memory.stat",
)


def cgroup_file(container_id: str, patterns: tuple[str, ...]) -> Path:
    """The first of a container's cgroup files that this host has, read from the host, so that
    nothing is started inside the container being measured."""
    for pattern in patterns:
        path = Path(pattern.format(id=container_id))
        if path.exists():
            return path
    name = Path(patterns[0]).name
    raise RuntimeError(f"no {name} for container {container_id[:12]} under /sys/fs/cgroup")


def cpu_seconds(container_id: str) -> float:
    """CPU time a container has used so far, its healthchecks' processes included (they run
    in its cgroup): exact, where docker stats samples would miss a short check."""
    path = cgroup_file(container_id, CPU_COUNTERS)
    text = path.read_text()
    if path.name == "cpuacct.usage":
        return int(text) / 1e9
    usage = dict(line.split() for line in text.splitlines())
    return int(usage["usage_usec"]) / 1e6


# Docker's own processes. A healthcheck is a `docker exec`: dockerd, containerd and the
# container's shim (with its runc, reaped into the shim's counters) work outside the
# container's cgroup for each one, a cost of the lab that its containers' counters miss.
ENGINE = ("dockerd", "containerd")
SHIM = "containerd-shim"  # containerd-shim-runc-v2, as /proc truncates it (15 characters)


def engine_cpu_seconds(proc: Path = Path("/proc")) -> dict[int, float]:
    """CPU time of each of Docker's engine processes so far, their reaped children included."""
    ticks = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone since the listing
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name in ENGINE or name.startswith(SHIM):
            fields = text[text.rindex(")") + 2 :].split()
            ticks[int(stat.parent.name)] = sum(int(f) for f in fields[11:15])  # u/s, children
    return {pid: value / os.sysconf("SC_CLK_TCK") for pid, value in ticks.items()}


def engine_used(before: dict[int, float], after: dict[int, float]) -> float:
    """Seconds the engine's processes used between two readings: those alive at the end (the
    shim of a container removed in between takes its total with it, which must not count as
    negative time), a new one from zero."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def machine_busy_seconds(stat: Path = Path("/proc/stat")) -> float:
    """CPU time the whole machine has spent on anything but idling, every core summed."""
    fields = stat.read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def loop_cpu_ms(rounds: int = 2_000_000) -> float:
    """CPU time of a fixed Python loop. The same idle stack costs more CPU while other work
    runs on a (virtual) machine, even with no steal time shown: its cores then do less per
    second of CPU, and this loop, timed before the stack comes up and beside each idle window,
    shows by how much."""
    started = time.process_time()
    total = 0
    for i in range(rounds):
        total += i * i % 7
    return round(1000 * (time.process_time() - started), 1)


def engine_baseline(seconds: float) -> float:
    """Docker's engine's own percent of one core over `seconds`, before the stack is up: its
    housekeeping, and the healthchecks of any other project running (the learner's lab, say),
    which idle_window then leaves out of the stack's share."""
    engine, started = engine_cpu_seconds(), time.monotonic()
    time.sleep(seconds)  # the measurement itself: the engine without our stack
    used = engine_used(engine, engine_cpu_seconds())
    return round(100 * used / (time.monotonic() - started), 2)


def idle_window(project: str, seconds: float) -> dict:
    """One idle window: each container's percent of one core, Docker's engine's (idle() takes
    its baseline away and counts the rest with the containers), the rest of the machine, and
    the loop's time before and after."""
    loops = [loop_cpu_ms()]
    engine, busy = engine_cpu_seconds(), machine_busy_seconds()
    started = time.monotonic()
    percent = idle_cpu(project, seconds)
    elapsed = time.monotonic() - started
    engine_percent = 100 * engine_used(engine, engine_cpu_seconds()) / elapsed
    machine_percent = 100 * (machine_busy_seconds() - busy) / elapsed
    rest_percent = max(0.0, machine_percent - sum(percent.values()) - engine_percent)
    loops.append(loop_cpu_ms())
    return {
        "percent": percent,
        "engine_percent": round(engine_percent, 2),
        "rest_percent": round(rest_percent, 2),
        "loop_ms": loops,
    }


def idle_cpu(project: str, seconds: float) -> dict[str, float]:
    """Percent of one core that each running container of `project` used over `seconds`."""
    ids = subprocess.run(
        [
            "docker",
            "ps",
            "-q",
            "--no-trunc",
            "--filter",
            f"label=com.docker.compose.project={project}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    names = {
        i: service_of(
            subprocess.run(
                ["docker", "inspect", "-f", "{{.Name}}", i],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .lstrip("/"),
            project,
        )
        for i in ids
    }
    before = {i: cpu_seconds(i) for i in ids}
    started = time.monotonic()
    time.sleep(seconds)  # the measurement itself: the stack left alone
    elapsed = time.monotonic() - started
    return {names[i]: round(100 * (cpu_seconds(i) - before[i]) / elapsed, 2) for i in ids}
