"""Preflight turns a taken port or a silent mirror into one clear sentence."""

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from streamlab import preflight


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program (this socket) is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def port_settings(port: int, others: int) -> dict[str, str]:
    settings = dict.fromkeys(preflight.PUBLISHED_PORTS, str(others))
    settings["STREAMLAB_JUPYTER_PORT"] = str(port)
    return settings


def test_taken_port_is_named_with_its_setting(held_port: int, free_port: int):
    problems = preflight.check_ports(port_settings(held_port, free_port), own_ports=set())
    assert len(problems) == 1, f"expected one problem, got {problems}"
    assert problems[0].setting == "STREAMLAB_JUPYTER_PORT"
    assert f"port {held_port}" in problems[0].message
    assert "STREAMLAB_JUPYTER_PORT=<port>" in problems[0].message, "the fix must be named"


def test_port_held_by_our_own_stack_is_fine(held_port: int, free_port: int):
    problems = preflight.check_ports(port_settings(held_port, free_port), own_ports={held_port})
    assert problems == [], "a second `make up` must not trip over the stack's own ports"


def test_free_ports_pass(free_port: int):
    assert preflight.check_ports(port_settings(free_port, free_port), own_ports=set()) == []


def test_silent_mirror_is_reported(free_port: int):
    url = f"http://127.0.0.1:{free_port}/"
    problems = preflight.check_mirrors({"STREAMLAB_MAVEN_REPO_URL": url})
    assert [p.setting for p in problems] == ["STREAMLAB_MAVEN_REPO_URL"]
    assert url in problems[0].message
    assert "does not answer" in problems[0].message


def test_answering_mirror_and_unset_mirrors_pass(http_url: str):
    settings = {"STREAMLAB_PIP_FIND_LINKS": http_url, "STREAMLAB_MAVEN_REPO_URL": ""}
    assert preflight.check_mirrors(settings) == []


def test_http_error_still_counts_as_answering(http_url: str):
    assert preflight.url_answers(http_url + "no-such-file") is None, "a 404 is an answer"


def test_replicated_profile_ports_are_checked_on_their_own(held_port: int, free_port: int):
    settings = dict.fromkeys(preflight.HA_PORTS, str(free_port))
    settings["STREAMLAB_KAFKA_3_HOST_PORT"] = str(held_port)
    problems = preflight.check_ports(settings, own_ports=set(), published=preflight.HA_PORTS)
    assert [problem.setting for problem in problems] == ["STREAMLAB_KAFKA_3_HOST_PORT"]
    assert "kafka-3" in problems[0].message


@pytest.mark.parametrize(
    ("version", "says"),
    [
        (None, "Docker does not answer"),
        ("20.10.24+dfsg1", "Docker Engine 20.10.24+dfsg1 is older than 25"),
        ("24.0.7", "older than 25"),
    ],
)
def test_a_missing_or_old_engine_is_one_sentence_with_the_fix(version, says):
    (problem,) = preflight.check_engine(version)
    assert says in problem.message
    assert "offline-prereqs.sh" in problem.message


@pytest.mark.parametrize("version", ["25.0.0", "26.1.5+dfsg1", "28.3.2"])
def test_engines_from_25_on_pass(version):
    assert preflight.check_engine(version) == []


def test_make_up_waits_for_stale_checks_only_when_nothing_else_stops_it(
    monkeypatch, held_port: int, free_port: int
):
    waited: list[list[str]] = []

    def wait(inspect, ids: list[str]) -> list[str]:
        waited.append(ids)
        return []

    monkeypatch.setattr(preflight.health, "project_ids", lambda: ["kafka-id"])
    monkeypatch.setattr(preflight.health, "wait_for_next_checks", wait)
    monkeypatch.setattr(preflight, "load_settings", lambda: port_settings(free_port, free_port))
    monkeypatch.setattr(preflight, "ports_in_use_by_stack", set)
    assert preflight.main(["ports", "health"]) == 0
    assert waited == [["kafka-id"]]
    monkeypatch.setattr(preflight, "load_settings", lambda: port_settings(held_port, free_port))
    assert preflight.main(["ports", "health"]) == 1
    assert waited == [["kafka-id"]], "a taken port is said at once, with no wait before it"
