"""How a Kafka record's value becomes words; shared by the job's RDD path and its tests."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# What a value that is not valid UTF-8 counts as: one marker per such line, so it stays visible
# in the counts (and is logged) without guessing at its words.
INVALID_UTF8 = "<invalid-utf8>"
# Spark's trim() removes exactly these; the DataFrame path uses the same set.
WHITESPACE = " \t\r\n\f\v"


def split_line(value: bytes | bytearray | None, delimiter: str = ",") -> list[str]:
    """Words of one record value: a null value or an empty line has none; each word is stripped
    and empty words (from repeated or trailing delimiters) are dropped."""
    if value is None:
        return []
    try:
        text = bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        log.warning("a value of %d bytes is not UTF-8; counted as %s", len(value), INVALID_UTF8)
        return [INVALID_UTF8]
    return split_text(text, delimiter)


def split_text(text: str | None, delimiter: str = ",") -> list[str]:
    """The same rules for a value already decoded (the DStream job's lines)."""
    if text is None:
        return []
    # Two list comprehensions, no generator: this runs once per line, millions of times a batch.
    words = [part.strip(WHITESPACE) for part in text.split(delimiter)]
    return [word for word in words if word]
