"""A walkthrough's result: a short table for the learner, every number for the tests."""

from html.parser import HTMLParser

from jobs.summary import MIME, bundle


class Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []

    def handle_data(self, data: str) -> None:
        self.cells.append(data)


def test_the_learner_sees_the_labelled_rows_and_the_tests_get_every_value():
    values = {"produced": {"kafka": 4, "hello": 2}, "counted": {"hello": 2, "kafka": 4}, "n": 7}
    shown = bundle("Totals", values, {"produced": "words sent", "counted": "words counted"})
    assert shown[MIME] == values, "the tests get every value, the unlabelled one too"
    table = Cells()
    table.feed(shown["text/html"])
    assert table.cells == [
        "Totals",
        "words sent",
        "hello 2, kafka 4",
        "words counted",
        "hello 2, kafka 4",
    ]
    assert "7" not in shown["text/plain"], "a value without a label is for the tests only"


def test_html_in_a_value_is_shown_as_text():
    shown = bundle("<b>", {"word": "<script>"}, {"word": "a word"})
    assert "<script>" not in shown["text/html"]
    assert "&lt;script&gt;" in shown["text/html"]


def test_a_list_of_pairs_reads_as_pairs():
    shown = bundle("Sink", {"records": [("hello", 30), ("kafka", 60)]}, {"records": "records"})
    assert "hello 30, kafka 60" in shown["text/html"]
