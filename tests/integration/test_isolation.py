"""The learner's lab is theirs: a lab that is up, with a topic, a checkpoint and results in it,
keeps running, keeps its data, its images and its containers while the test stack is built,
started and torn down, and its next `make up` recreates nothing; plain
`docker compose up` works on a fresh clone, with a token that Jupyter makes itself; and the
learner's notebooks are saved as their own files, and kept across `make down` and `make up`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from streamlab.compose import parse_ps
from streamlab.config import ROOT, load_settings
from streamlab.isolation import LAB_PROJECT, TESTS, TOOLS, ToolProject
from streamlab.wait import wait_until
from tests.support.make import make
from tests.support.stack import compose, start_stack, stop_stack

pytestmark = pytest.mark.lifecycle

# A stand-in for a learner's lab: started with `make up` as a learner starts theirs, in a
# project and on ports that no learner's lab uses, so this test never touches a real one's
# containers or data. It runs the lab's own images where this machine has them all (a
# learner's machine), and images of its own where it has not (CI's), so that the tests never
# build the lab's images: a learner's next `make up` would take those as its own.
LEARNER = ToolProject("streamlab-learner", 10500)
LAB_IMAGES = {"STREAMLAB_IMAGE_NAMESPACE": LAB_PROJECT}


def image_ids(env: dict[str, str]) -> dict[str, str | None]:
    """The id of every image that the project's services name (None: not built)."""
    names = compose("config", "--images", env=env).stdout.split()
    ids: dict[str, str | None] = {}
    for name in sorted(set(names)):
        inspect = ["docker", "image", "inspect", "--format", "{{.Id}}", name]
        found = subprocess.run(inspect, check=False, capture_output=True, text=True)
        ids[name] = found.stdout.strip() if found.returncode == 0 else None
    return ids


def in_lab_namespace() -> dict[str, str]:
    """Every image named in the lab's namespace (`streamlab/...`), with its id: whatever the
    stand-in runs, a tool that builds or tags under the lab's names changes this."""
    listing = [
        "docker",
        "images",
        "--format",
        "{{.Repository}}:{{.Tag}} {{.ID}}",
        f"{LAB_PROJECT}/*",
    ]
    out = subprocess.run(listing, check=True, capture_output=True, text=True).stdout
    return dict(line.split() for line in out.splitlines() if line.strip())


def learner_environment() -> dict[str, str]:
    """The stand-in's variables: the lab's images when every one of them is here already."""
    own = LEARNER.environment(load_settings(environ={}))
    lab = {**own, **LAB_IMAGES}
    return lab if all(image_ids(lab).values()) else own


TOPIC = "isolation"


def lab_state(env: dict[str, str]) -> dict:
    """What a learner would miss: the running containers, the topic's offsets, and every file
    of the topic's checkpoint and results (by checksum)."""
    containers = sorted(
        (record["Service"], record["ID"], record["State"])
        for record in parse_ps(compose("ps", "--format", "json", env=env).stdout)
    )
    get_offsets = ["kafka-get-offsets", "--bootstrap-server", "kafka:9092", "--topic", TOPIC]
    offsets = compose("exec", "-T", "kafka", *get_offsets, env=env).stdout
    folders = f"checkpoints/{TOPIC} results/{TOPIC}"
    listing = f"cd /data && find {folders} -type f | sort | xargs sha256sum"
    files = compose("exec", "-T", "wordcount", "sh", "-c", listing, env=env).stdout
    return {"containers": containers, "offsets": offsets, "files": files}


def test_the_test_stack_leaves_a_running_lab_and_its_data_alone():
    assert LAB_PROJECT not in (TESTS.name, LEARNER.name), "a tool project must not be the lab's"
    lab = learner_environment()
    lab_names = in_lab_namespace()
    try:
        make("up", env=lab)
        make("topic", f"TOPIC={TOPIC}", env=lab)
        make("submit", f"TOPIC={TOPIC}", env=lab)
        make("produce", f"TOPIC={TOPIC}", "ARGS=--count 20 --interval 0", env=lab)

        def counted() -> bool:
            out = make("results", f"TOPIC={TOPIC}", env=lab).stdout
            return json.loads(out.splitlines()[-1])["counts"].get("kafka") == 40

        wait_until(counted, timeout=180, interval=2, what="the lab's counts")
        before = lab_state(lab)
        images = image_ids(lab)
        assert "results/" in before["files"], f"the lab has no results: {before['files']}"
        assert "commits/" in before["files"], f"the lab has no checkpoint: {before['files']}"

        # The tests' own stack, built, started and torn down as the suite does; then `make
        # clean`. Its images have names of their own.
        start_stack()
        running = {record["Image"] for record in parse_ps(compose("ps", "--format", "json").stdout)}
        assert running, "the test stack runs no container"
        assert running.isdisjoint(images), f"the tests run the lab's images: {running}"
        stop_stack()
        make("clean", env={})

        after = lab_state(lab)
        assert image_ids(lab) == images, "the test stack's build retagged the lab's images"
        assert in_lab_namespace() == lab_names, "the tests built or tagged images as the lab's"
        assert after["containers"] == before["containers"], "the lab's containers changed"
        assert after["offsets"] == before["offsets"], "the lab's topic changed"
        assert after["files"] == before["files"], "the lab's checkpoint or results changed"
        # The learner's next `make up` finds every container as it wants it.
        make("up", env=lab)
        assert lab_state(lab)["containers"] == before["containers"], "make up recreated the lab"
    finally:
        make("clean", env=lab)


@pytest.mark.parametrize(
    "files", ["docker-compose.yml", "docker-compose.yml:docker-compose.kraft.yml"]
)
@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_every_tool_names_images_of_its_own_in_both_modes(tool: ToolProject, files: str):
    """What a tool builds never carries the lab's image names, in ZooKeeper mode and in KRaft
    mode alike (the KRaft profile's Kafka 4 image included), so no tool retags a lab's image."""
    env = {**tool.environment(load_settings(environ={})), "COMPOSE_FILE": files}
    names = set(compose("config", "--images", env=env).stdout.split())
    assert names, "compose named no image"
    lab_names = {name for name in names if not name.startswith(f"{tool.name}/")}
    assert not lab_names, f"{tool.name} would build or run {lab_names}"


def fresh_clone(into: Path) -> Path:
    """The checkout's tracked files as they are now, without .env.local or anything ignored."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return into


def test_plain_compose_up_on_a_fresh_clone_protects_jupyter_with_its_own_token(tmp_path):
    clone = fresh_clone(tmp_path / "streamlab")
    assert not (clone / ".env.local").exists()
    # Nothing set but the tests' own project and ports (the images are built already).
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLAB_")}
    env.update(TESTS.environment(load_settings(environ={})))

    def plain(*args: str) -> subprocess.CompletedProcess:
        command = ["docker", "compose", *args]
        return subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)

    try:
        up = plain("up", "-d", "--wait", "--wait-timeout", "300")
        assert up.returncode == 0, f"docker compose up failed on a fresh clone:\n{up.stderr}"
        logs = plain("logs", "--no-log-prefix", "jupyter").stdout
        login = re.search(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]{32})\b", logs)
        assert login, f"Jupyter's log shows no login URL:\n{logs[-2000:]}"
        port, token = login.groups()
        assert port == env["STREAMLAB_JUPYTER_PORT"], "the URL must name the host's port"
        api = f"http://127.0.0.1:{port}/api/status"
        assert requests.get(api, timeout=10).status_code == 403, "no token must be refused"
        authorized = requests.get(api, headers={"Authorization": f"token {token}"}, timeout=10)
        assert authorized.status_code == 200, "the logged token must open the API"
    finally:
        plain("down", "--volumes", "--remove-orphans")


def learner_copy(into: Path, owner: str = "learner") -> tuple[Path, int]:
    """A fresh clone owned as a learner's would be: by the runner's own uid, or, when the
    tests run as root (as CI does), by uid 1000, a typical first user on Linux; or, with
    owner="root", by root, as on a course VM or a cloud machine used as root."""
    clone = fresh_clone(into)
    if owner == "root":
        if os.getuid() != 0:
            pytest.skip("a checkout owned by root needs the tests to run as root (CI does)")
        return clone, 0
    uid = os.getuid() or 1000
    if os.getuid() == 0:
        subprocess.run(["chown", "-R", f"{uid}:{uid}", str(clone)], check=True)
    return clone, uid


@pytest.mark.parametrize("owner", ["learner", "root"])
def test_a_learners_notebooks_are_saved_as_their_own_and_survive_down_and_up(tmp_path, owner):
    clone, uid = learner_copy(tmp_path / "streamlab", owner)
    token = os.environ["STREAMLAB_JUPYTER_TOKEN"]
    port = os.environ["STREAMLAB_JUPYTER_PORT"]
    api = f"http://127.0.0.1:{port}/api/contents"
    headers = {"Authorization": f"token {token}"}
    walkthrough = f"{api}/notebooks/01-kafka-spark-wordcount.ipynb"

    try:
        make("up", cwd=clone)
        model = requests.get(walkthrough, headers=headers, timeout=30).json()
        assert model["writable"], "Jupyter shows the walkthrough as read-only"
        note = {"cell_type": "markdown", "metadata": {}, "source": "A learner's note."}
        model["content"]["cells"].append(note)
        saved = {"type": "notebook", "format": "json", "content": model["content"]}
        put = requests.put(walkthrough, json=saved, headers=headers, timeout=30)
        assert put.status_code == 200, f"saving the walkthrough failed: {put.text[:500]}"
        mine = {"type": "notebook", "format": "json", "content": model["content"]}
        put = requests.put(f"{api}/mine.ipynb", json=mine, headers=headers, timeout=30)
        assert put.status_code in (200, 201), f"saving a new notebook failed: {put.text[:500]}"

        on_host = clone / "notebooks" / "01-kafka-spark-wordcount.ipynb"
        assert "A learner's note." in on_host.read_text(), "the edit did not reach the host"
        written = clone / "notebooks"  # what Jupyter writes: the notebooks, their checkpoints
        strangers = [str(p) for p in written.rglob("*") if p.lstat().st_uid != uid]
        assert not strangers, f"Jupyter wrote files owned by another uid: {strangers[:5]}"

        make("down", cwd=clone)
        make("up", cwd=clone)
        kept = requests.get(f"{api}/mine.ipynb", headers=headers, timeout=30)
        assert kept.status_code == 200, "a notebook made in Jupyter was lost by make down/up"
        assert "A learner's note." in on_host.read_text(), "the walkthrough's edit was lost"
    finally:
        make("clean", cwd=clone)
