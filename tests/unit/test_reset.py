"""make reset: one topic's checkpoint, results and progress go, the other topics' stay."""

import pytest

from jobs import reset


def test_reset_removes_one_topics_data_only(tmp_path):
    for topic in ("words", "other"):
        (tmp_path / "checkpoints" / topic / "offsets").mkdir(parents=True)
        (tmp_path / "results" / topic).mkdir(parents=True)
        (tmp_path / "results" / topic / "batch-000000000000.json").write_text("{}")
        (tmp_path / "progress").mkdir(exist_ok=True)
        (tmp_path / "progress" / f"{topic}.jsonl").write_text("{}\n")
    assert len(reset.reset(tmp_path, "words")) == 3
    assert not (tmp_path / "checkpoints" / "words").exists()
    assert not (tmp_path / "results" / "words").exists()
    assert not (tmp_path / "progress" / "words.jsonl").exists()
    assert (tmp_path / "results" / "other" / "batch-000000000000.json").exists()
    assert reset.reset(tmp_path, "words") == [], "a second reset finds nothing"


def test_reset_refuses_a_path_for_a_topic():
    with pytest.raises(SystemExit):
        reset.main(["--topic", "../results"])
