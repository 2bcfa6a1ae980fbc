"""The producer's options, and its clear failure when no broker answers."""

import argparse
import socket
import subprocess
import sys
import time

import pytest

from producer import producer
from streamlab.config import ROOT


def test_seed_defaults():
    args = producer.parse_args([])
    assert (args.count, args.interval, args.message) == (60, 2.0, producer.SEED_LINE)
    assert list(producer.lines_to_send(args)) == [producer.SEED_LINE] * 60


def test_rate_sets_the_interval():
    assert producer.parse_args(["--rate", "4"]).interval == 0.25
    assert producer.parse_args(["--rate", "0"]).interval == 0.0


def test_replication_factor_defaults_to_one_and_must_be_positive(capsys):
    assert producer.parse_args([]).replication_factor == 1
    assert producer.parse_args(["--replication-factor", "3"]).replication_factor == 3
    with pytest.raises(SystemExit):
        producer.parse_args(["--replication-factor", "0"])
    assert "--replication-factor must be at least 1" in capsys.readouterr().err


def test_file_lines_with_a_cap(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a,b\nc\n\nd\n")
    args = producer.parse_args(["--file", str(corpus), "--count", "3"])
    assert list(producer.lines_to_send(args)) == ["a,b", "c", ""]


def test_processes_share_the_lines_every_one_exactly_once(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"line {n}\n" for n in range(10)))
    args = producer.parse_args(
        ["--file", str(corpus), "--count", "8", "--interval", "0", "--processes", "3"]
    )
    shares = [
        list(producer.lines_to_send(argparse.Namespace(**{**vars(args), "process_index": i})))
        for i in range(3)
    ]
    assert shares[0] == ["line 0", "line 3", "line 6"]
    assert sorted(line for share in shares for line in share) == [f"line {n}" for n in range(8)]


@pytest.mark.parametrize(
    "argv",
    [["--processes", "2"], ["--processes", "2", "--interval", "0", "--file", "-"]],
)
def test_processes_need_flat_out_and_a_file_each_can_read(argv, capsys):
    with pytest.raises(SystemExit):
        producer.parse_args(argv)
    assert "--processes above 1 needs --interval 0" in capsys.readouterr().err


def test_unreachable_broker_fails_clearly_and_in_bounded_time():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "producer/producer.py",
            "--bootstrap-servers",
            f"127.0.0.1:{port}",
            "--timeout",
            "3",
            "--count",
            "1",
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 2, f"expected exit 2, got {result.returncode}: {result.stderr}"
    assert f"cannot reach Kafka at 127.0.0.1:{port}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 20, f"the producer took {elapsed:.0f} s to give up (--timeout 3)"


def test_event_times_are_epoch_milliseconds_or_iso_8601_with_a_zone():
    assert producer.split_event_time("1764064803000\thello,spark", 1) == (
        1764064803000,
        "hello,spark",
    )
    assert producer.split_event_time("2025-11-25T10:00:03Z\thello", 1) == (1764064803000, "hello")
    assert producer.split_event_time("2025-11-25T11:00:03+01:00\t", 1) == (1764064803000, "")


@pytest.mark.parametrize(
    "line", ["hello,spark", "yesterday\thello", "2025-11-25T10:00:03\thello", "\thello"]
)
def test_a_line_without_its_event_time_is_named_in_one_sentence(line):
    with pytest.raises(producer.ProducerError, match=r"line 7 is not EVENT_TIME<TAB>LINE"):
        producer.split_event_time(line, 7)
