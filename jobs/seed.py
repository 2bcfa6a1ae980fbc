"""The tutorial's exercise as constants, written once: the seed's line, how many the producer
sends by default, the totals they make, and the rule that `pprint` prints around each batch's
time, with the reading of a log by that rule. The jobs print with them, the producer sends with
them, and the tests and the bench check against them, so that a change to the lesson is a
change in one place."""

from __future__ import annotations

import ast
import re
from collections import Counter

SEED_LINE = "hello,kafka,spark,streaming,kafka"
SEED_COUNT = 60
SEED_INTERVAL = 2.0
# DStream.pprint's rule, above and below each batch's "Time: ..." line.
RULE = "-" * 43
# A batch's header as `pprint` prints it; its group is the batch's time.
HEADER = re.compile(rf"{RULE}\nTime: (\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d)\n{RULE}\n")


def seed_totals(lines: int = SEED_COUNT) -> dict[str, int]:
    """What `lines` seed lines count to, split as the tutorial splits them (`split(",")`),
    not by the lab's rules (jobs/words.py), which the counts are checked against."""
    once = Counter(SEED_LINE.split(","))
    return {word: count * lines for word, count in sorted(once.items())}


SEED_TOTALS = seed_totals()


def printed_batches(log: str) -> dict[str, list[list[str]]]:
    """The `pprint` blocks of a job's log, by batch time: each block's lines, in order (the
    tutorial's program prints five a batch: ks, lines, words, pairs, counts)."""
    parts = HEADER.split(log)
    found: dict[str, list[list[str]]] = {}
    for time, body in zip(parts[1::2], parts[2::2], strict=True):
        found.setdefault(time, []).append([line for line in body.splitlines() if line])
    return found


def printed_totals(log: str) -> Counter[str]:
    """The counts of every batch that printed all five blocks, summed: what a reader adds up
    from the log's last block of each batch (a batch cut short by the log's end is left out)."""
    totals: Counter[str] = Counter()
    for blocks in printed_batches(log).values():
        if len(blocks) == 5:
            totals.update(dict(ast.literal_eval(line) for line in blocks[4]))
    return totals
