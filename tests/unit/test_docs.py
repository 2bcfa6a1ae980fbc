"""The docs in both languages: the same pages with the same commands, and no link that leads
nowhere (a file that is not there, or an anchor that no heading of that file makes)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from streamlab.config import ROOT
from tests.support.docs import code_blocks, commands, headings, links

DOCS = ROOT / "docs"
ZH = DOCS / "zh"
# Every Markdown page a learner or a contributor reads, and the walkthroughs.
PAGES = sorted(
    [
        *ROOT.glob("*.md"),
        *DOCS.rglob("*.md"),
        ROOT / "bench" / "results" / "README.md",
        *(ROOT / "notebooks").rglob("*.ipynb"),
    ]
)


@cache
def text_of(page: Path) -> str:
    """A page's Markdown: a notebook's is that of its Markdown cells."""
    if page.suffix != ".ipynb":
        return page.read_text(encoding="utf-8")
    cells = json.loads(page.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


@cache
def anchors_of(page: Path) -> frozenset[str]:
    """A page's heading anchors, parsed once however many links point into it."""
    return frozenset(headings(text_of(page)))


def names(folder: Path) -> set[str]:
    return {page.name for page in folder.glob("*.md")}


def test_both_languages_have_the_same_pages():
    assert names(DOCS), "docs/ has no pages"
    assert names(ZH) == names(DOCS), (
        f"only in English: {sorted(names(DOCS) - names(ZH))}; "
        f"only in Chinese: {sorted(names(ZH) - names(DOCS))}"
    )


@pytest.mark.parametrize("name", sorted(names(DOCS)))
def test_each_page_has_the_same_commands_and_links_to_its_translation(name: str):
    english = (DOCS / name).read_text(encoding="utf-8")
    chinese = (ZH / name).read_text(encoding="utf-8")

    def blocks(text: str) -> list[list[str]]:
        return [commands(block) for block in code_blocks(text)]

    assert blocks(chinese) == blocks(english), f"docs/zh/{name} has other commands than docs/{name}"
    assert f"zh/{name}" in links(english), f"docs/{name} does not link its Chinese page"
    assert f"../{name}" in links(chinese), f"docs/zh/{name} does not link its English page"
    assert len(headings(chinese)) == len(headings(english)), f"docs/zh/{name} has other sections"


def test_both_readmes_link_the_same_docs_pages():
    def docs_pages(readme: str, folder: str) -> set[str]:
        texts = (ROOT / readme).read_text(encoding="utf-8")
        return {
            link.split("#")[0].removeprefix(folder)
            for link in links(texts)
            if link.startswith(folder) and "/" not in link.removeprefix(folder)
        }

    english = docs_pages("README.md", "docs/")
    assert english == names(DOCS), f"README.md's table of pages: {sorted(english ^ names(DOCS))}"
    assert docs_pages("README.zh-CN.md", "docs/zh/") == english


def relative_targets(page: Path) -> list[tuple[str, Path, str]]:
    """(the link as written, the file it names, its anchor) for every relative link."""
    found = []
    for link in links(text_of(page)):
        parts = urlsplit(link)
        if parts.scheme or link.startswith("//"):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        found.append((link, target, unquote(parts.fragment)))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_and_anchor_leads_somewhere(page: Path):
    broken = []
    for link, target, anchor in relative_targets(page):
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix in (".md", ".ipynb") and anchor not in anchors_of(target):
            broken.append(f"{link}: {target.name} has no heading with the anchor #{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)
