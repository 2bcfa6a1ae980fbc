"""The job names its progress log for its container's health check, in the image only."""

from jobs.paths import announce_progress, progress_file


def test_the_progress_log_is_named_where_the_health_check_reads_it(tmp_path):
    log = progress_file("words", dstream=True, folder=tmp_path / "progress")
    announce_progress(log, run_dir=tmp_path)
    assert (tmp_path / "progress-log").read_text() == f"{tmp_path}/progress/words.dstream.jsonl\n"
    announce_progress(log, run_dir=tmp_path / "not in the image")
    assert not (tmp_path / "not in the image").exists()
