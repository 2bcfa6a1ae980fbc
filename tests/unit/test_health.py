"""`make up`'s wait for the next health check of a server left unhealthy by a restart."""

from __future__ import annotations

from typing import Any

from streamlab.health import check_time, unhealthy, wait_for_next_checks

T0 = check_time("2026-12-02T18:00:00.000000000Z")


def stamp(seconds: float) -> str:
    """A health log's time stamp `seconds` after T0, with Docker's nanoseconds."""
    whole, fraction = divmod(seconds, 1)
    return f"2026-12-02T18:{int(whole) // 60:02d}:{int(whole) % 60:02d}.{int(fraction * 1e9):09d}Z"


def container(
    cid: str, service: str, status: str, checked: list[float], running: bool = True, run=False
):
    return {
        "Id": cid,
        "State": {
            "Running": running,
            "Health": {"Status": status, "Log": [{"End": stamp(t)} for t in checked]},
        },
        "Config": {
            "Healthcheck": {"Interval": 60_000_000_000, "Timeout": 10_000_000_000},
            "Labels": {
                "com.docker.compose.service": service,
                "com.docker.compose.oneoff": str(run),
            },
        },
    }


def test_docker_time_stamps_are_read_to_the_microsecond():
    assert check_time(stamp(61.5)) - T0 == 61.5


def test_only_running_containers_whose_last_check_failed_are_waited_for():
    found = unhealthy(
        [
            container("a", "kafka", "unhealthy", [0, 30]),
            container("b", "spark-master", "healthy", [30]),
            container("c", "history", "unhealthy", [30], running=False),
            container("d", "jupyter", "starting", []),
            container("e", "kafka", "unhealthy", [30], run=True),  # a `compose run` producer
        ]
    )
    assert found == {"a": ("kafka", T0 + 30, T0 + 30 + 60 + 10 + 5)}, "interval + timeout + slack"


class Engine:
    """A fake engine: each container's state at each fake second, and the clock."""

    def __init__(self, timeline: dict[float, list[dict[str, Any]]]):
        self.timeline = timeline
        self.clock = T0 + 30
        self.asked = 0

    def inspect(self, ids):
        self.asked += 1
        moment = max(t for t in self.timeline if T0 + t <= self.clock)
        return [c for c in self.timeline[moment] if c["Id"] in ids]

    def sleep(self, seconds: float) -> None:
        self.clock += seconds


def wait(engine: Engine) -> list[str]:
    return wait_for_next_checks(
        engine.inspect, ["a", "b"], now=lambda: engine.clock, sleep=engine.sleep
    )


def test_a_server_healthy_at_its_next_check_is_waited_for_and_no_longer(capsys):
    engine = Engine(
        {
            0: [container("a", "kafka", "unhealthy", [30]), container("b", "x", "healthy", [1])],
            90: [container("a", "kafka", "healthy", [30, 90])],
        }
    )
    assert wait(engine) == []
    assert engine.clock == T0 + 90, "until its next check, and not a second more"
    err = capsys.readouterr().err
    assert "the last health check of kafka failed" in err
    assert "waiting for the next one, up to 75 s" in err
    assert "kafka is healthy again" in err


def test_a_server_whose_next_check_fails_too_is_left_to_compose():
    engine = Engine(
        {
            0: [container("a", "kafka", "unhealthy", [30])],
            90: [container("a", "kafka", "unhealthy", [30, 90])],
        }
    )
    assert wait(engine) == ["kafka"]
    assert engine.clock == T0 + 90, "one check later, not at the deadline"


def test_an_overdue_check_ends_the_wait_and_a_healthy_stack_is_not_waited_for(capsys):
    stuck = Engine({0: [container("a", "kafka", "unhealthy", [30])]})
    assert wait(stuck) == ["kafka"]
    assert stuck.clock == T0 + 30 + 76, "given up just past interval + timeout + slack"
    capsys.readouterr()
    calm = Engine({0: [container("a", "kafka", "healthy", [30])]})
    assert wait(calm) == []
    assert calm.asked == 1
    assert capsys.readouterr().err == "", "a healthy stack: not a word"
