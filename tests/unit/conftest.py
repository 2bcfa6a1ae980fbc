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


@pytest.fixture(scope="module")
def spark():
    """A local SparkSession for one test module (stopped after it, so that a module which
    makes its own SparkContext can)."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("streamlab-unit")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()
