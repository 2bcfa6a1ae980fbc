"""Samples `docker stats` in the background while a phase runs: the peak memory of each
container of the benchmark's project, and of all of them together."""

from __future__ import annotations

import json
import subprocess
import threading

from bench.analysis import parse_memory, service_of


class MemorySampler:
    """A thread that keeps sampling until stopped (state: the samples so far)."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.samples: list[dict[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            result = subprocess.run(
                ["docker", "stats", "--no-stream", "--format", "{{json .}}"],
                check=False, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            sample = {}
            for line in result.stdout.splitlines():
                stats = json.loads(line)
                name = stats["Name"]
                if name.startswith(f"{self.project}-"):
                    sample[service_of(name, self.project)] = parse_memory(stats["MemUsage"])
            if sample:
                self.samples.append(sample)
            self._stop.wait(1)
