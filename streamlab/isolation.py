"""Compose projects for the project's own tools (the tests, the benchmarks), apart from the lab.

A learner's lab is the compose project `streamlab` with its volumes (topics, checkpoints,
results) and its host ports. A tool that ran there would stop it, wipe it, or find its ports
taken. So each tool has a project name of its own, hence its own containers, network and
volumes, its own image names (the compose files name the images after
STREAMLAB_IMAGE_NAMESPACE, so a tool's build never retags the lab's images and the lab's next
`up` recreates nothing), and host ports shifted by a fixed offset, still on 127.0.0.1:
`make check` and `make bench` can run while the lab is up, and never change it.

Every shifted port stays below 32768, where Linux's ephemeral ports begin (32768-60999 by
default; 49152 and up on macOS and Windows): a port in that range can be held, at the very
moment compose publishes it, by any outgoing connection on the host (a build fetching from the
wheelhouse on 127.0.0.1, say), and `up` then fails with "address already in use".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from streamlab.config import load_settings
from streamlab.preflight import HA_PORTS, METRICS_PORTS, PUBLISHED_PORTS

LAB_PROJECT = "streamlab"
# Every setting that names a port published on the host.
PORT_SETTINGS = (*PUBLISHED_PORTS, *HA_PORTS, *METRICS_PORTS)


@dataclass(frozen=True)
class ToolProject:
    """A compose project of one tool: its name, and how far its host ports sit from the lab's."""

    name: str
    port_offset: int

    def environment(self, settings: Mapping[str, str]) -> dict[str, str]:
        """The variables that move compose, make and our helpers into this project."""
        ports = {key: str(int(settings[key]) + self.port_offset) for key in PORT_SETTINGS}
        return {"COMPOSE_PROJECT_NAME": self.name, "STREAMLAB_IMAGE_NAMESPACE": self.name, **ports}

    def enter(self) -> dict[str, str]:
        """Sets environment() in this process, so every compose and make it runs lands here.
        The ports are shifted from the lab's own settings (.env, .env.local), never from a
        value already shifted."""
        lab = load_settings(environ={})
        values = self.environment(lab)
        os.environ.update(values)
        return values


TESTS = ToolProject("streamlab-test", 11000)
# The KRaft tests' own stack (Kafka 4), up beside the tests' ZooKeeper stack.
KRAFT_TESTS = ToolProject("streamlab-test-kraft", 12000)
# The test that runs the docs' commands without make, on a clone of its own (Windows' line
# endings): its stack is up beside the tests' own.
CLONE_TESTS = ToolProject("streamlab-test-clone", 13000)
BENCH = ToolProject("streamlab-bench", 14000)
# The lab built for linux/arm64 and run on it (`make arm64`, bench/parts/arm64.py): images of
# another platform need names of their own, as the engine keeps one image a name.
ARM64 = ToolProject("streamlab-arm64", 14500)
TOOLS = (TESTS, KRAFT_TESTS, CLONE_TESTS, BENCH, ARM64)
