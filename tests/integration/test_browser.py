"""What a learner sees in a browser: JupyterLab (with the token) listing the walkthrough, the
Spark master UI with an ALIVE worker, and the worker's and the job's UIs through the master's.
Debian's chromium, headless, with a fresh profile; screenshots go to test-artifacts/ (not
committed)."""

from __future__ import annotations

import re

import requests
from testcontainers.compose import DockerCompose

from streamlab.compose import create_topic
from streamlab.wait import wait_until
from tests.support.browser import BROWSER_MARKS, look
from tests.support.wordcount import submit, unique_topic

pytestmark = BROWSER_MARKS


def test_jupyterlab_with_token_lists_the_walkthrough(stack: DockerCompose, settings, tmp_path):
    token = settings["STREAMLAB_JUPYTER_TOKEN"]
    port = stack.get_service_port("jupyter", 8888)
    url = f"http://127.0.0.1:{port}/lab/tree/notebooks?token={token}"
    look(url, tmp_path, "jupyterlab", "01-kafka-spark-wordcount.ipynb")


def proxied_links(dom: str) -> dict[str, str]:
    """The master UI's links to a worker's and an application's UI, by kind."""
    links = dict(re.findall(r'href="(?:https?://[^/"]+)?(/proxy/(worker|app)-[^"/]+)/?"', dom))
    return {kind: path for path, kind in links.items()}


def test_worker_and_job_uis_open_through_the_master_ui(stack: DockerCompose, settings, tmp_path):
    """spark.ui.reverseProxy: a browser on the host follows the master UI's links to a worker's
    page and to the running job's page, all through the master's published port."""
    topic = unique_topic("ui")
    create_topic(topic)
    submit(topic)
    port = settings["STREAMLAB_SPARK_UI_PORT"]
    master = f"http://127.0.0.1:{port}"

    def links() -> dict[str, str] | None:
        found = proxied_links(requests.get(f"{master}/", timeout=10).text)
        return found if {"worker", "app"} <= found.keys() else None

    found = wait_until(links, timeout=180, interval=2, what="worker and job links")
    assert all(path.startswith("/proxy/") for path in found.values()), found
    worker = look(f"{master}{found['worker']}/", tmp_path, "worker-via-master", "Executors")
    assert "Spark Worker at" in worker, "the worker's page did not open through the master"
    job = look(f"{master}{found['app']}/jobs/", tmp_path, "job-via-master", "Spark Jobs")
    assert "streamlab-wordcount" in job, "the job's page did not open through the master"


def test_spark_master_ui_shows_an_alive_worker(stack: DockerCompose, tmp_path):
    port = stack.get_service_port("spark-master", 8080)
    dom = look(f"http://127.0.0.1:{port}/", tmp_path, "spark-master", "Status:")
    text = " ".join(re.sub(r"<[^>]+>", " ", dom).split())
    alive = re.search(r"Workers: (\d+) Alive", text)
    assert alive, f"the master UI shows no worker count: {text[:500]}"
    assert int(alive.group(1)) >= 1, "the master UI counts no ALIVE worker"
    assert re.search(r"worker-\S+ \S+:\d+ ALIVE", text), "no worker row says ALIVE"
