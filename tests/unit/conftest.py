"""Every test under tests/unit/ is in the unit tier (`make test`: no Docker), marked here so
that a new test file needs no `pytestmark` of its own to run there."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.unit)
