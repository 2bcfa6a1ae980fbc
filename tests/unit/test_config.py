"""Settings are read as compose reads them, and every version is pinned in .env only."""

import re
from pathlib import Path

import pytest

from streamlab.config import ROOT, load_settings, parse_env_file


def test_parse_env_file_skips_comments_and_strips_quotes():
    text = "# a comment\n\nA=1\nB='two words'\nC=\"x=y\"\nnot a setting\nD=\n"
    assert parse_env_file(text) == {"A": "1", "B": "two words", "C": "x=y", "D": ""}


def test_local_file_and_environment_override_in_compose_order(tmp_path: Path):
    (tmp_path / ".env").write_text("PORT=1\nTOKEN=a\nOTHER=o\n")
    (tmp_path / ".env.local").write_text("PORT=2\nTOKEN=b\n")
    settings = load_settings(tmp_path, environ={"TOKEN": "c", "UNRELATED": "u"})
    assert settings == {"PORT": "2", "TOKEN": "c", "OTHER": "o"}, (
        "precedence is .env < .local < env"
    )


VERSION_KEYS = ("STREAMLAB_SPARK_VERSION", "STREAMLAB_KAFKA_VERSION")


@pytest.mark.parametrize("key", VERSION_KEYS)
def test_versions_are_pinned_in_env_only(key: str):
    version = load_settings(ROOT, environ={})[key]
    pattern = re.compile(rf"(?<![\d.]){re.escape(version)}(?![\d.])")
    offenders = []
    for sub in ("docker-compose.yml", "Makefile", "images", "scripts", "streamlab", "tests"):
        for path in [ROOT / sub] if (ROOT / sub).is_file() else (ROOT / sub).rglob("*"):
            if path.is_file() and path.suffix not in {".pyc"} and pattern.search(path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"{key}={version} is written out in {offenders}; read it from .env"


def test_requirements_are_pinned_exactly():
    for name in ("images/spark/requirements.txt", "requirements-dev.txt"):
        lines = [
            line.strip()
            for line in (ROOT / name).read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        loose = [line for line in lines if "==" not in line]
        assert lines, f"{name} lists no package"
        assert not loose, f"{name} has unpinned packages: {loose}"
