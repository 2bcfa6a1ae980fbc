"""Prints where the running lab answers, from the same settings compose used."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from streamlab.compose import exec_in
from streamlab.config import load_settings

# The walkthroughs, in the order a learner takes them.
# The walkthroughs by their number: 0 is the tutorial as written (DStreams), 1 and 2 its
# successor, Structured Streaming.
WALKTHROUGHS = {
    0: "00-the-tutorial-as-written.ipynb",
    1: "01-kafka-spark-wordcount.ipynb",
    2: "02-windows-state-and-sinks.ipynb",
}
# Editions of the walkthroughs other than the English one, each a folder below notebooks/.
EDITIONS = {"en": "notebooks", "zh": "notebooks/zh"}
# Where the jupyter container keeps the token it runs with (images/spark/bin/streamlab-entrypoint).
TOKEN_FILE = "/opt/streamlab/run/jupyter-token"  # noqa: S105 (a path, not a secret)


def jupyter_url(settings: Mapping[str, str], path: str = "lab") -> str:
    """A JupyterLab page, logged in by the token."""
    token = settings.get("STREAMLAB_JUPYTER_TOKEN", "")
    return f"http://127.0.0.1:{settings['STREAMLAB_JUPYTER_PORT']}/{path}?token={token}"


def walkthrough_url(settings: Mapping[str, str], edition: str = "en", number: int = 1) -> str:
    """Opens JupyterLab straight on walkthrough `number`, in English or in Chinese (`zh`)."""
    if edition not in EDITIONS:
        raise SystemExit(f"no walkthrough edition {edition!r}: choose one of {', '.join(EDITIONS)}")
    return jupyter_url(settings, f"lab/tree/{EDITIONS[edition]}/{WALKTHROUGHS[number]}")


def lab_urls(settings: Mapping[str, str]) -> list[tuple[str, str]]:
    return [
        ("JupyterLab", jupyter_url(settings)),
        ("Walkthrough 0", walkthrough_url(settings, number=0) + " (the tutorial as written)"),
        ("Walkthrough 1", walkthrough_url(settings)),
        ("Walkthrough 2", walkthrough_url(settings, number=2)),
        ("Spark master UI", f"http://127.0.0.1:{settings['STREAMLAB_SPARK_UI_PORT']}"),
        (
            "Spark app UIs",
            f"http://127.0.0.1:{settings['STREAMLAB_SPARK_UI_PORT']}/proxy/<app id>/ (the "
            "master UI links each running application, and each worker)",
        ),
        (
            "Spark history",
            f"http://127.0.0.1:{settings['STREAMLAB_HISTORY_PORT']} (every application's UI, "
            "finished ones too)",
        ),
        (
            "Prometheus",
            f"http://127.0.0.1:{settings['STREAMLAB_PROMETHEUS_PORT']} (with make up METRICS=1)",
        ),
        (
            "Kafka (host)",
            f"{settings['STREAMLAB_KAFKA_HOST_NAME']}:{settings['STREAMLAB_KAFKA_HOST_PORT']} "
            "(containers use kafka:9092)",
        ),
    ]


def settings_with_token() -> dict[str, str]:
    """The settings, with the running Jupyter's token when none is set: a lab started by plain
    `docker compose up` has the one its entrypoint made."""
    settings = load_settings()
    if not settings.get("STREAMLAB_JUPYTER_TOKEN"):
        try:
            token = exec_in("jupyter", "cat", TOKEN_FILE, timeout=30).strip()
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            token = "<see: docker compose logs jupyter>"  # noqa: S105 (a hint, not a secret)
        settings["STREAMLAB_JUPYTER_TOKEN"] = token
    return settings


def main(argv: list[str]) -> None:
    settings = settings_with_token()
    if argv[:1] == ["notebook"]:
        edition = (argv[1:2] or ["en"])[0]
        for number, name in WALKTHROUGHS.items():
            print(f"  {number}. {name.removesuffix('.ipynb')[3:]:<28} ", end="")
            print(walkthrough_url(settings, edition, number))
        return
    print()
    for name, url in lab_urls(settings):
        print(f"  {name:<16} {url}")
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
