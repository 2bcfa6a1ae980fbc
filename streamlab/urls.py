"""Prints where the running lab answers, from the same settings compose used."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from streamlab.config import load_settings

WALKTHROUGH = "notebooks/01-kafka-spark-wordcount.ipynb"


def jupyter_url(settings: Mapping[str, str], path: str = "lab") -> str:
    """A JupyterLab page, logged in by the token."""
    token = settings.get("STREAMLAB_JUPYTER_TOKEN", "")
    return f"http://127.0.0.1:{settings['STREAMLAB_JUPYTER_PORT']}/{path}?token={token}"


def walkthrough_url(settings: Mapping[str, str]) -> str:
    """Opens JupyterLab straight on the walkthrough."""
    return jupyter_url(settings, f"lab/tree/{WALKTHROUGH}")


def lab_urls(settings: Mapping[str, str]) -> list[tuple[str, str]]:
    return [
        ("JupyterLab", jupyter_url(settings)),
        ("Walkthrough", walkthrough_url(settings)),
        ("Spark master UI", f"http://127.0.0.1:{settings['STREAMLAB_SPARK_UI_PORT']}"),
        (
            "Spark app UI",
            f"http://127.0.0.1:{settings['STREAMLAB_APP_UI_PORT']} (while a session runs)",
        ),
        (
            "Kafka (host)",
            f"127.0.0.1:{settings['STREAMLAB_KAFKA_HOST_PORT']} (containers use kafka:9092)",
        ),
    ]


def main(argv: list[str]) -> None:
    if argv == ["notebook"]:
        print(walkthrough_url(load_settings()))
        return
    print()
    for name, url in lab_urls(load_settings()):
        print(f"  {name:<16} {url}")
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
