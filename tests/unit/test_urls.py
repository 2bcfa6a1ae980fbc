"""The URLs `make up` and `make notebook` print."""

import pytest

from streamlab.config import ROOT
from streamlab.urls import WALKTHROUGHS, lab_urls, walkthrough_url

SETTINGS = {
    "STREAMLAB_JUPYTER_TOKEN": "t0k",
    "STREAMLAB_JUPYTER_PORT": "8899",
    "STREAMLAB_SPARK_UI_PORT": "8080",
    "STREAMLAB_APP_UI_PORT": "4040",
    "STREAMLAB_KAFKA_HOST_PORT": "9092",
    "STREAMLAB_KAFKA_HOST_NAME": "localhost",
    "STREAMLAB_HISTORY_PORT": "18099",
    "STREAMLAB_PROMETHEUS_PORT": "9099",
}


def test_walkthrough_url_opens_the_notebook_with_the_token():
    assert walkthrough_url(SETTINGS) == (
        "http://127.0.0.1:8899/lab/tree/notebooks/01-kafka-spark-wordcount.ipynb?token=t0k"
    )
    assert walkthrough_url(SETTINGS, "zh") == (
        "http://127.0.0.1:8899/lab/tree/notebooks/zh/01-kafka-spark-wordcount.ipynb?token=t0k"
    )
    assert walkthrough_url(SETTINGS, "zh", 2) == (
        "http://127.0.0.1:8899/lab/tree/notebooks/zh/02-windows-state-and-sinks.ipynb?token=t0k"
    )
    assert walkthrough_url(SETTINGS, "zh", 0) == (
        "http://127.0.0.1:8899/lab/tree/notebooks/zh/00-the-tutorial-as-written.ipynb?token=t0k"
    )
    with pytest.raises(SystemExit, match="choose one of en, zh"):
        walkthrough_url(SETTINGS, "fr")


def test_every_url_is_on_loopback_and_uses_the_configured_ports():
    urls = dict(lab_urls(SETTINGS))
    assert urls["JupyterLab"] == "http://127.0.0.1:8899/lab?token=t0k"
    assert urls["Kafka (host)"].startswith("localhost:9092")
    assert urls["Spark history"].startswith("http://127.0.0.1:18099")
    # localhost: the name the broker advertises to the host's clients (published on 127.0.0.1).
    assert all("127.0.0.1" in url or url.startswith("localhost:") for url in urls.values())


def test_every_walkthrough_is_a_committed_notebook():
    for number, name in WALKTHROUGHS.items():
        assert (ROOT / "notebooks" / name).is_file(), f"walkthrough {number}: {name} is missing"
