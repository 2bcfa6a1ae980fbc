"""The docs' pages as the tests read them: their commands and their links."""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

RUNNABLE = "bash"


def code_blocks(markdown: str, language: str | None = None) -> list[str]:
    """The fenced code blocks of a page, in order (only those of `language`, when given)."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        token.content
        for token in tokens
        if token.type == "fence" and (language is None or token.info.split()[0:1] == [language])
    ]


def commands(block: str) -> list[str]:
    """A block's command lines, without comments or blank lines."""
    lines = (line.split(" #")[0].strip() for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def runnable_commands(markdown: str) -> list[str]:
    """Every command of the page's `bash` blocks, in the page's order."""
    return [line for block in code_blocks(markdown, RUNNABLE) for line in commands(block)]


def _parser() -> MarkdownIt:
    """CommonMark with GFM tables, and GitHub's heading anchors (lowercase, spaces to dashes,
    punctuation dropped, -1, -2 ... for repeats)."""
    return MarkdownIt("commonmark").enable("table").use(anchors_plugin, max_level=6)


def headings(markdown: str) -> list[str]:
    """The anchors of a page's headings, in order."""
    return [
        str(token.attrGet("id"))
        for token in _parser().parse(markdown)
        if token.type == "heading_open"
    ]


def links(markdown: str) -> list[str]:
    """Every link and image target of a page, as written."""
    found = []
    for token in _parser().parse(markdown):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href")))
            elif child.type == "image":
                found.append(str(child.attrGet("src")))
    return found
