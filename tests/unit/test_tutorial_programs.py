"""The tutorial's programs in the lab: each of its editions differs from the text as written
(jobs/tutorial/as-written/) by the changes its header gives, and the walkthrough pastes them
into its cells with only the changes its prose gives, so the three cannot drift apart."""

from __future__ import annotations

import difflib
import json

import pytest

from streamlab.config import ROOT

AS_WRITTEN = ROOT / "jobs" / "tutorial" / "as-written"
STREAMING = ROOT / "jobs" / "tutorial" / "kafka_wordcount.py"
PRODUCER = ROOT / "producer" / "tutorial_producer.py"
WALKTHROUGHS = [
    ROOT / "notebooks" / "00-the-tutorial-as-written.ipynb",
    ROOT / "notebooks" / "zh" / "00-the-tutorial-as-written.ipynb",
]


def without_header(text: str) -> list[str]:
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return lines


def changes(before: list[str], after: list[str]) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def cell(notebook, cell_id: str) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c["source"] for c in cells if c.get("id") == cell_id)).splitlines()


def test_the_streaming_programs_changes_are_the_broker_and_two_pprints():
    written = (AS_WRITTEN / "kafka_wordcount.py").read_text().splitlines()
    stream = 'ks = KafkaUtils.createDirectStream(ssc,[topic],{"metadata.broker.list":"%s"})'
    assert changes(written, without_header(STREAMING.read_text())) == [
        "-" + stream % "localhost:9092",
        "+" + stream % "kafka:9092",
        "-#words.pprint()",
        "+words.pprint()",
        "-#pairs.pprint()",
        "+pairs.pprint()",
    ]


def test_the_producers_one_change_is_bytes_for_the_value():
    written = (AS_WRITTEN / "producer.py").read_text().splitlines()
    assert changes(written, without_header(PRODUCER.read_text())) == [
        """-        producer.send('topic_name',"hello,kafka,spark,streaming,kafka")""",
        """+        producer.send('topic_name',"hello,kafka,spark,streaming,kafka".encode())""",
    ]


@pytest.mark.parametrize("notebook", WALKTHROUGHS, ids=lambda n: str(n.relative_to(ROOT)))
def test_the_walkthrough_pastes_the_programs_with_its_stated_changes(notebook):
    streaming = without_header(STREAMING.read_text())
    assert streaming[-3:] == ["ssc.start()", "#等待计算结束", "ssc.awaitTermination()"]
    assert cell(notebook, "tutorial") == "\n".join(streaming[:-3]).rstrip("\n").splitlines()
    assert cell(notebook, "start")[:2] == streaming[-3:-1], "ssc.start() as the tutorial has it"
    producer = "\n".join(without_header(PRODUCER.read_text()))
    pasted = producer.replace("localhost:9092", "kafka:9092").replace("sleep(2)", "sleep(0.1)")
    assert cell(notebook, "produce") == [*pasted.splitlines(), "producer.flush()"]
