"""Samples `docker stats` in the background while a phase runs: each container's memory (for
the peaks) and CPU (to see where the two cores go) in the benchmark's project."""

from __future__ import annotations

import json
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


def cpu_seconds(container_id: str) -> float:
    """CPU time a container has used so far, its healthchecks' processes included (they run
    in its cgroup): exact, where docker stats samples would miss a short check."""
    for pattern in CPU_COUNTERS:
        path = Path(pattern.format(id=container_id))
        if not path.exists():
            continue
        text = path.read_text()
        if path.name == "cpuacct.usage":
            return int(text) / 1e9
        usage = dict(line.split() for line in text.splitlines())
        return int(usage["usage_usec"]) / 1e6
    raise RuntimeError(f"no CPU counter for container {container_id[:12]} under /sys/fs/cgroup")


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
