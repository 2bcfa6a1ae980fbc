"""`make up` and `make down` as a learner types them: twice in a row, the second `up` reusing
the images; and a port taken by another program stops `make up` with a sentence."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest

from jobs.seed import HEADER
from streamlab.config import ROOT
from streamlab.wait import wait_until
from tests.support.make import make_result
from tests.support.stack import compose_ps

pytestmark = pytest.mark.lifecycle
log = logging.getLogger(__name__)

BUILD_MARKERS = ("Building", "[+] Building", "exporting to image", "naming to")


def image_ids() -> dict[str, str]:
    ids = {}
    for record in compose_ps():
        image = record["Image"]
        out = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Id}}", image],
            check=True,
            capture_output=True,
            text=True,
        )
        ids[image] = out.stdout.strip()
    return ids


def test_up_down_twice_and_second_up_builds_nothing():
    first = make_result("up")
    assert first.returncode == 0, (
        f"first make up failed:\n{first.stdout[-3000:]}{first.stderr[-3000:]}"
    )
    assert "JupyterLab" in first.stdout, "make up must print the URLs"
    images_before = image_ids()
    assert len(images_before) == 2, f"expected the kafka and spark images, got {images_before}"
    down = make_result("down")
    assert down.returncode == 0, f"first make down failed: {down.stderr[-2000:]}"
    assert compose_ps() == [], "containers left after make down"

    second = make_result("up")
    assert second.returncode == 0, f"second make up failed:\n{second.stderr[-3000:]}"
    output = second.stdout + second.stderr
    rebuilt = [marker for marker in BUILD_MARKERS if marker in output]
    assert not rebuilt, f"the second make up rebuilt something ({rebuilt}):\n{output[-3000:]}"
    assert image_ids() == images_before, "the second make up changed the images"
    unhealthy = [r["Name"] for r in compose_ps() if r.get("Health") != "healthy"]
    assert not unhealthy, f"not healthy after the second make up: {unhealthy}"
    down = make_result("down")
    assert down.returncode == 0, f"second make down failed: {down.stderr[-2000:]}"
    assert compose_ps() == [], "containers left after the second make down"


def test_make_up_names_a_taken_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        port = other_program.getsockname()[1]
        result = make_result("up", env={"STREAMLAB_SPARK_UI_PORT": str(port)})
    assert result.returncode != 0, "make up must fail when a port is taken"
    assert f"port {port} on 127.0.0.1 (for spark-master) is taken" in result.stderr, result.stderr
    assert "STREAMLAB_SPARK_UI_PORT=<port>" in result.stderr, "the message must name the fix"
    assert "Traceback" not in result.stderr
    assert compose_ps() == [], "nothing may be started when a port is taken"


LAYOUT = re.compile(HEADER.pattern + r"\('\w+', \d+\)\n")


def test_make_demo_shows_seed_layout_counts():
    """`make demo` from a stopped stack: the job's output shows counts in the seed layout.
    How long that takes is reported (see bench/ for the targets), not asserted."""
    topic = f"demo-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    demo = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"TOPIC={topic}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    assert demo.stdout is not None  # opened with stdout=PIPE
    reader = threading.Thread(target=lambda: output.extend(demo.stdout or ()), daemon=True)
    reader.start()

    def counts_shown() -> bool:
        if LAYOUT.search("".join(output)):
            return True
        assert demo.poll() is None, f"make demo ended ({demo.returncode}):\n{''.join(output)}"
        return False

    try:
        wait_until(counts_shown, timeout=600, interval=1, what="seed layout")
        log.info("make demo showed counts after %.0f s", time.monotonic() - started)
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=60)
        cleaned = make_result("clean")
        assert cleaned.returncode == 0, f"make clean failed: {cleaned.stderr[-2000:]}"
    assert "Traceback" not in "".join(output), "".join(output)[-3000:]
