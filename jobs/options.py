"""Command-line options declared as a table, each with its default from the environment.

The job and the producer take their defaults from STREAMLAB_WORDCOUNT_<OPTION> and
STREAMLAB_PRODUCER_<OPTION>, so that compose can set them; a flag on the command line wins.
A boolean takes --x and --no-x, so a default of true can be turned off too. Shared by both
(the producer's containers mount `jobs/` beside it).
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# --log-level of both jobs, for Python's logging and for Spark's (log4j); `off` keeps a job's
# output to the lesson: the start line and the batches.
LOG_LEVELS = {
    "off": logging.CRITICAL + 1,
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Option:
    """One option: its flag, its default when the environment says nothing, its help. The
    default's type is the option's type (None: a string that may be absent)."""

    flag: str
    default: Value
    help: str
    choices: tuple[str, ...] | None = None

    def variable(self, prefix: str) -> str:
        return prefix + self.flag.removeprefix("--").upper().replace("-", "_")


def parse_value(option: Option, raw: str) -> Value:
    """The environment's text as the option's type; ValueError names what was expected."""
    if isinstance(option.default, bool):
        word = raw.strip().lower()
        if word in TRUE | FALSE:
            return word in TRUE
        raise ValueError("expected one of 1/true/yes/on or 0/false/no/off")
    if isinstance(option.default, int):
        return int(raw)
    if isinstance(option.default, float):
        return float(raw)
    if option.choices and raw not in option.choices:
        raise ValueError(f"expected one of {', '.join(option.choices)}")
    return raw


def env_default(
    parser: argparse.ArgumentParser,
    prefix: str,
    option: Option,
    environ: Mapping[str, str] | None = None,
) -> Value:
    environ = os.environ if environ is None else environ
    name = option.variable(prefix)
    if name not in environ:
        return option.default
    try:
        return parse_value(option, environ[name])
    except ValueError as error:
        parser.error(f"{name}={environ[name]!r} is not valid for {option.flag}: {error}")
        raise  # parser.error exits; this line is for the type checker


def add_options(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    prefix: str,
    options: Iterable[Option],
    environ: Mapping[str, str] | None = None,
    errors: argparse.ArgumentParser | None = None,
) -> None:
    """add_argument for each option, its default read from `prefix` + its name."""
    owner = errors or parser
    assert isinstance(owner, argparse.ArgumentParser), "pass the parser for a group's errors"
    for option in options:
        default = env_default(owner, prefix, option, environ)
        if isinstance(option.default, bool):
            parser.add_argument(
                option.flag,
                action=argparse.BooleanOptionalAction,
                default=default,
                help=option.help,
            )
            continue
        kind = type(option.default) if option.default is not None else str
        parser.add_argument(
            option.flag, type=kind, default=default, choices=option.choices, help=option.help
        )


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default at the end of its help, except an empty one: such an option's
    help says itself what it falls back to (`--checkpoint`: /data/checkpoints/TOPIC), where
    "(default: )" or "(default: None)" said nothing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in ("", None):
            return action.help
        return super()._get_help_string(action)
