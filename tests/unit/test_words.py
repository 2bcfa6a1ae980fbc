"""Splitting rules of a record value, including the bad-input cases."""

import pytest

from jobs.words import INVALID_UTF8, split_line


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (b"hello,kafka,spark,streaming,kafka", ["hello", "kafka", "spark", "streaming", "kafka"]),
        (b" hello , kafka ,\tspark\r\n", ["hello", "kafka", "spark"]),
        (None, []),
        (b"", []),
        (b",,,,", []),
        (b"caf\xc3\xa9,na\xc3\xafve", ["café", "naïve"]),
        (b"\xff\xfe,kafka", [INVALID_UTF8]),
    ],
    ids=["seed", "whitespace", "null", "empty", "only-delimiters", "utf8", "not-utf8"],
)
def test_split_line(value, words):
    assert split_line(value, ",") == words


def test_other_delimiter_and_a_one_megabyte_line():
    assert split_line(b"a b  c", " ") == ["a", "b", "c"]
    big = ",".join(["kafka"] * 200_000).encode()
    assert len(big) > 1_000_000
    assert split_line(big, ",").count("kafka") == 200_000
