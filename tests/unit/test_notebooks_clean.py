"""Notebooks are committed without outputs: the tests execute them, learners start clean."""

import json

import pytest

from streamlab.config import ROOT

pytestmark = pytest.mark.unit

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_a_walkthrough():
    assert ROOT / "notebooks" / "01-kafka-spark-wordcount.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"] is not None)
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them before committing"
