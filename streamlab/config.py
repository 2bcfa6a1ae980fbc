"""The lab's settings, read the way compose reads them, so tests and scripts agree with it.

Order of precedence (last wins): .env, .env.local, the process environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "STREAMLAB_"


def parse_env_file(text: str) -> dict[str, str]:
    """Parses KEY=VALUE lines; comments and blank lines are skipped, quotes are dropped."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(root: Path = ROOT, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Returns the merged settings of the checkout at `root`."""
    settings: dict[str, str] = {}
    for name in (".env", ".env.local"):
        path = root / name
        if path.exists():
            settings.update(parse_env_file(path.read_text()))
    env = os.environ if environ is None else environ
    # As compose does: the environment wins; our own variables count even when no file has them
    # (the Jupyter token on a fresh clone, a tool's project name).
    settings.update(
        {key: value for key, value in env.items() if key in settings or key.startswith(PREFIX)}
    )
    return settings


def env_files(root: Path = ROOT) -> list[str]:
    """The env files to hand to `docker compose --env-file`, in order."""
    return [str(root / name) for name in (".env", ".env.local") if (root / name).exists()]


def env_file_args(root: Path = ROOT) -> list[str]:
    """`--env-file F` for each of env_files(), as the Makefile passes them to compose."""
    return [arg for path in env_files(root) for arg in ("--env-file", path)]


def main(argv: list[str]) -> int:
    """For the Makefile, so that make and compose read the settings one way:
    `python -m streamlab.config KEY...` prints each merged value on a line of its own;
    `python -m streamlab.config --env-file-args` prints compose's --env-file arguments."""
    if argv == ["--env-file-args"]:
        print(" ".join(env_file_args()))
        return 0
    settings = load_settings()
    missing = [key for key in argv if key not in settings]
    if missing:
        print(f"streamlab: no setting {', '.join(missing)} in .env", file=sys.stderr)
        return 1
    for key in argv:
        print(settings[key])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
