"""Notebooks are committed without outputs (the tests execute them, learners start clean), and
each Chinese edition (notebooks/zh/) has exactly the English one's code cells, so the two
cannot drift: only the prose is translated."""

import json

import pytest

from streamlab.config import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHINESE = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))


def test_there_is_a_walkthrough():
    assert ROOT / "notebooks" / "01-kafka-spark-wordcount.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS + CHINESE, ids=lambda n: str(n.relative_to(ROOT)))
def test_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"] is not None)
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them before committing"


def code_cells(notebook) -> list[tuple[str, str, list[str]]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        (c.get("id", ""), "".join(c["source"]), c.get("metadata", {}).get("tags", []))
        for c in cells
        if c["cell_type"] == "code"
    ]


def test_every_walkthrough_has_a_chinese_edition():
    assert [n.name for n in CHINESE] == [n.name for n in NOTEBOOKS]


@pytest.mark.parametrize("chinese", CHINESE, ids=lambda n: n.name)
def test_chinese_edition_has_the_same_code_cells(chinese):
    english = ROOT / "notebooks" / chinese.name
    assert code_cells(chinese) == code_cells(english), (
        f"zh/{chinese.name} differs from {chinese.name} in its code cells; "
        "change the code in both, translate only the prose"
    )
    cells = [json.loads(n.read_text(encoding="utf-8"))["cells"] for n in (chinese, english)]
    kinds = [[c["cell_type"] for c in nb] for nb in cells]
    assert kinds[0] == kinds[1], "the two editions' cells are not in the same order"
    prose = [
        "".join(zh["source"])
        for zh, en in zip(*cells, strict=True)
        if zh["cell_type"] == "markdown" and zh["source"] == en["source"]
    ]
    assert not prose, f"untranslated markdown cells: {[p[:40] for p in prose]}"
