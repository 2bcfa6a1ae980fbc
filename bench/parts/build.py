"""The images built from nothing (no build cache; the local base image and the mirrors stay),
and their sizes."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.lab import Run, timed
from streamlab.compose import compose
from streamlab.config import ROOT, env_file_args


def build_from_nothing() -> dict:
    """Both images without any build cache (the local base image and the mirrors stay)."""
    subprocess.run([sys.executable, "-m", "streamlab.preflight", "mirrors"], cwd=ROOT, check=True)
    command = ["docker", "compose", *env_file_args(), "build", "--no-cache"]
    seconds = timed(lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True))
    return {"seconds": round(seconds, 1)}


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


def measure(run: Run) -> None:
    if run.args.skip_build:
        # The bench's own images, from the build cache (not timed): the sizes need them.
        compose("build", timeout=1800)
    else:
        run.result["build"] = build_from_nothing()
    run.result["images"] = image_sizes(run.settings)
