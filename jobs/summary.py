"""A walkthrough's result, shown to the learner as a short table, with the same numbers for the
tests beside it.

The integration tests check each walkthrough's exact results in the executed notebook. A line of
JSON printed for them would be noise in the lesson; so the numbers go out once, as one display
bundle: JupyterLab renders the richest type it knows (the HTML table), and the tests read the
same values from a MIME type that no renderer claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

MIME = "application/vnd.streamlab.summary+json"


def cell_text(value: Any) -> str:
    """A value as a table cell shows it: a mapping as `key value` pairs, sorted; a list as its
    items, each a pair such as ("kafka", 60) written `kafka 60`."""
    if isinstance(value, Mapping):
        return ", ".join(f"{key} {cell_text(item)}" for key, item in sorted(value.items()))
    if isinstance(value, tuple):
        return " ".join(cell_text(item) for item in value)
    if isinstance(value, list):
        return ", ".join(cell_text(item) for item in value)
    return str(value)


def bundle(title: str, values: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """The display bundle: `labels` name the rows the learner sees (a value without a label is
    for the tests only); every value goes to the tests."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{escape(label)}</th>"
        f"<td style='text-align:left'>{escape(cell_text(values[key]))}</td></tr>"
        for key, label in labels.items()
    )
    plain = "\n".join(f"{label}: {cell_text(values[key])}" for key, label in labels.items())
    return {
        "text/html": f"<table><caption>{escape(title)}</caption>{rows}</table>",
        "text/plain": f"{title}\n{plain}",
        MIME: dict(values),
    }


def show_result(title: str, values: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    """Displays the bundle in the running notebook."""
    from IPython.display import display

    display(bundle(title, values, labels), raw=True)
