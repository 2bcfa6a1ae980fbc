"""Options from a table, with defaults from the environment; booleans turn off with --no-x."""

from __future__ import annotations

import argparse

import pytest

from jobs import wordcount
from jobs.options import Option, add_options
from producer import producer

TABLE = (
    Option("--name", "words", "a string"),
    Option("--count", 3, "an int"),
    Option("--pause", 0.5, "a float"),
    Option("--loud", True, "a boolean that is on by default"),
    Option("--mode", "a", "a choice", choices=("a", "b")),
)


def parse(argv: list[str], environ: dict[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_options(parser, "TEST_", TABLE, environ=environ)
    return parser.parse_args(argv)


def test_defaults_then_environment_then_flags():
    assert vars(parse([], {})) == {
        "name": "words",
        "count": 3,
        "pause": 0.5,
        "loud": True,
        "mode": "a",
    }
    env = {"TEST_NAME": "lines", "TEST_COUNT": "7", "TEST_PAUSE": "2", "TEST_LOUD": "off"}
    assert vars(parse([], env)) == {
        "name": "lines",
        "count": 7,
        "pause": 2.0,
        "loud": False,
        "mode": "a",
    }
    assert parse(["--count", "9", "--loud"], env).count == 9
    assert parse(["--loud"], env).loud is True, "a flag beats the environment"
    assert parse(["--no-loud"], {}).loud is False, "--no-x turns a true default off"


@pytest.mark.parametrize("word", ["1", "true", "YES", "on"])
def test_true_words(word: str):
    assert parse([], {"TEST_LOUD": word}).loud is True


@pytest.mark.parametrize(
    ("variable", "value"), [("TEST_LOUD", "maybe"), ("TEST_COUNT", "many"), ("TEST_MODE", "c")]
)
def test_a_bad_environment_value_is_an_error_naming_the_variable(variable, value, capsys):
    with pytest.raises(SystemExit):
        parse([], {variable: value})
    assert f"{variable}={value!r}" in capsys.readouterr().err


def test_the_job_can_turn_skip_empty_off_and_running_totals_on(monkeypatch):
    assert wordcount.parse_args([]).skip_empty is True
    assert wordcount.parse_args(["--no-skip-empty"]).skip_empty is False
    monkeypatch.setenv("STREAMLAB_WORDCOUNT_SKIP_EMPTY", "0")
    assert wordcount.parse_args([]).skip_empty is False
    assert wordcount.parse_args(["--skip-empty"]).skip_empty is True
    assert wordcount.parse_args([]).running_totals is False
    monkeypatch.setenv("STREAMLAB_WORDCOUNT_RUNNING_TOTALS", "1")
    assert wordcount.parse_args([]).running_totals is True
    assert wordcount.parse_args(["--no-running-totals"]).running_totals is False


def test_the_producers_summary_flag_and_environment(monkeypatch):
    assert producer.parse_args([]).summary_json is False
    assert producer.parse_args(["--summary-json"]).summary_json is True
    monkeypatch.setenv("STREAMLAB_PRODUCER_SUMMARY_JSON", "true")
    assert producer.parse_args([]).summary_json is True
    assert producer.parse_args(["--no-summary-json"]).summary_json is False
    monkeypatch.setenv("STREAMLAB_PRODUCER_INTERVAL", "0.25")
    assert producer.parse_args([]).interval == 0.25
    assert producer.parse_args(["--rate", "2"]).interval == 0.5, "--rate beats the interval"


@pytest.mark.parametrize(
    ("parse_args", "shown"),
    [(wordcount.parse_args, "(default: 3 seconds)"), (producer.parse_args, "(default: 60)")],
)
def test_help_shows_defaults_but_never_an_empty_one(parse_args, shown, capsys):
    """--checkpoint and --results-dir default to "" (their help names the folder they fall
    back to); the help printed "(default: )" after it."""
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert shown in text
    assert "(default: )" not in text
    assert "(default: None)" not in text
