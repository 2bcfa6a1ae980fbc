"""`make up`'s wait for the next health check of a server left unhealthy by a restart."""

from __future__ import annotations

from typing import Any

from streamlab.health import check_time, stale, wait_for_next_checks

T0 = check_time("2026-12-02T18:00:00Z")
INTERVAL_S, TIMEOUT_S = 60, 10


def stamp(seconds: float) -> str:
    """A time stamp `seconds` after T0, with Docker's nanoseconds."""
    whole, fraction = divmod(seconds, 1)
    minutes, rest = divmod(int(whole), 60)
    return f"2026-12-02T18:{minutes:02d}:{rest:02d}.{round(fraction * 1e9):09d}Z"


def container(
    cid: str,
    service: str,
    status: str = "healthy",
    checks: tuple[float, ...] = (),
    started: float = 0,
    running: bool = True,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A record as `docker inspect` gives it: each check took one second."""
    return {
        "Id": cid,
        "Name": f"/lab-{service}-1",
        "State": {
            "Running": running,
            "StartedAt": stamp(started),
            "Health": {
                "Status": status,
                "Log": [{"Start": stamp(t - 1), "End": stamp(t)} for t in checks],
            },
        },
        "Config": {
            "Healthcheck": {"Interval": INTERVAL_S * 10**9, "Timeout": TIMEOUT_S * 10**9},
            "Labels": {
                "com.docker.compose.service": service,
                "com.docker.compose.oneoff": "False",
                "com.docker.compose.container-number": "1",
                **(labels or {}),
            },
        },
    }


def zookeeper(started: float) -> dict[str, Any]:
    return container("zk", "zookeeper", checks=(started + 1,), started=started)


def test_docker_time_stamps_are_read_with_their_offset():
    assert check_time(stamp(61.5)) - T0 == 61.5
    assert check_time("2026-12-02T19:00:00.000000001+01:00") == T0, "the engine's local offset"


def test_only_servers_failed_by_a_check_that_began_before_another_started_are_waited_for():
    failed = container("k", "kafka", "unhealthy", checks=(30,))
    now = T0 + 40
    found = stale([failed, zookeeper(35)], now)
    assert list(found) == ["k"]
    assert found["k"].name == "kafka"
    assert found["k"].deadline == T0 + 30 + INTERVAL_S + TIMEOUT_S + 5, "one check, and slack"
    assert stale([failed, zookeeper(20)], now) == {}, (
        "nothing restarted after the failed check began: its own failure, for compose to say"
    )
    others = [
        container(
            "r", "kafka", "unhealthy", (30,), labels={"com.docker.compose.oneoff": "True"}
        ),  # run
        container("w", "wordcount", "unhealthy", (30,)),  # the jobs profile's
        container("h", "history", "unhealthy", (30,), running=False),
        container("j", "jupyter", "starting"),
    ]
    assert stale([*others, zookeeper(35)], now) == {}
    scaled = container(
        "w2",
        "spark-worker",
        "unhealthy",
        (30,),
        labels={"com.docker.compose.container-number": "2"},
    )
    assert stale([scaled, zookeeper(35)], now)["w2"].name == "spark-worker-2"


def test_the_engines_clock_cannot_make_the_wait_longer_than_one_check():
    failed = container("k", "kafka", "unhealthy", checks=(30,))
    ahead = stale([failed, zookeeper(35)], T0 - 3600)  # this machine's clock an hour behind
    assert ahead["k"].deadline == T0 - 3600 + INTERVAL_S + TIMEOUT_S + 5
    behind = stale([failed, zookeeper(35)], T0 + 3600)
    assert behind["k"].deadline == T0 + 3600 + 5, "an overdue check: a few seconds, not none"


class Engine:
    """A fake engine: the lab's containers from each fake second on, and the clock."""

    def __init__(self, timeline: dict[float, list[dict[str, Any]]]):
        self.timeline = timeline
        self.clock = T0 + 40
        self.asked = 0

    def inspect(self, ids):
        self.asked += 1
        moment = max(t for t in self.timeline if T0 + t <= self.clock)
        return [c for c in self.timeline[moment] if c["Id"] in ids]

    def sleep(self, seconds: float) -> None:
        self.clock += seconds


def wait(engine: Engine) -> list[str]:
    return wait_for_next_checks(
        engine.inspect, ["k", "zk"], now=lambda: engine.clock, sleep=engine.sleep
    )


def test_a_server_healthy_at_its_next_check_is_waited_for_and_no_longer(capsys):
    engine = Engine(
        {
            0: [container("k", "kafka", "unhealthy", (30,)), zookeeper(35)],
            90: [container("k", "kafka", "healthy", (30, 90)), zookeeper(35)],
        }
    )
    assert wait(engine) == []
    assert engine.clock == T0 + 90, "until its next check, and not a second more"
    err = capsys.readouterr().err
    assert "the last health check of kafka ran while another server of the lab was" in err
    assert "waiting for the next one, up to 65 s" in err
    assert "kafka is healthy again" in err


def test_a_next_check_that_fails_too_or_never_comes_is_said_and_left_to_compose(capsys):
    failed_again = Engine(
        {
            0: [container("k", "kafka", "unhealthy", (30,)), zookeeper(35)],
            90: [container("k", "kafka", "unhealthy", (30, 90)), zookeeper(35)],
        }
    )
    assert wait(failed_again) == ["kafka"]
    assert failed_again.clock == T0 + 90, "one check later, not at the deadline"
    assert "the next health check of kafka failed too" in capsys.readouterr().err
    stuck = Engine({0: [container("k", "kafka", "unhealthy", (30,)), zookeeper(35)]})
    assert wait(stuck) == ["kafka"]
    assert stuck.clock == T0 + 30 + INTERVAL_S + TIMEOUT_S + 5 + 1, "given up once overdue"
    assert "the next health check of kafka has not come" in capsys.readouterr().err


def test_a_server_stopped_or_removed_meanwhile_ends_its_wait_and_a_healthy_lab_has_none(capsys):
    for after in ([container("k", "kafka", "unhealthy", (30,), running=False)], []):
        engine = Engine(
            {0: [container("k", "kafka", "unhealthy", (30,)), zookeeper(35)], 50: after}
        )
        assert wait(engine) == []
        assert engine.clock == T0 + 50
    capsys.readouterr()
    calm = Engine({0: [container("k", "kafka", "healthy", (30,)), zookeeper(35)]})
    assert wait(calm) == []
    assert calm.asked == 1
    assert capsys.readouterr().err == "", "a healthy lab: not a word"
