"""Checks, before the job is submitted, that its topic exists: a typo gets a sentence now, not a
stack trace in a log twenty seconds later.

    python -m streamlab.topics check words
"""

from __future__ import annotations

import sys

from jobs.diagnose import missing_topic_sentence
from streamlab.compose import exec_in


def existing_topics() -> list[str]:
    out = exec_in("kafka", "kafka-topics", "--bootstrap-server", "kafka:9092", "--list", timeout=60)
    return [name for name in out.split() if not name.startswith("__")]


def check(topic: str) -> str | None:
    """None when the topic exists, else the sentence that says what to do."""
    try:
        topics = existing_topics()
    except RuntimeError:
        return "the lab's Kafka is not running: start the lab with `make up`, then submit again."
    if topic in topics:
        return None
    return missing_topic_sentence(topic, "kafka:9092", topics)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "check":
        print("usage: python -m streamlab.topics check TOPIC", file=sys.stderr)
        return 2
    problem = check(argv[1])
    if problem:
        print(f"streamlab: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
