"""Prints where the running lab answers, from the same settings compose used."""

from __future__ import annotations

from collections.abc import Mapping

from streamlab.config import load_settings


def lab_urls(settings: Mapping[str, str]) -> list[tuple[str, str]]:
    token = settings.get("STREAMLAB_JUPYTER_TOKEN", "")
    return [
        ("JupyterLab", f"http://127.0.0.1:{settings['STREAMLAB_JUPYTER_PORT']}/lab?token={token}"),
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


def main() -> None:
    print()
    for name, url in lab_urls(load_settings()):
        print(f"  {name:<16} {url}")
    print()


if __name__ == "__main__":
    main()
