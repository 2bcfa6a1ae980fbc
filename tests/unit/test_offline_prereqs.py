"""The offline script says what to provide when it has no Maven source, before touching anything."""

import os
import subprocess

from streamlab.config import ROOT


def test_missing_m2_and_no_override_names_both_ways_out(tmp_path):
    env = {
        **os.environ,
        "STREAMLAB_M2_DIR": str(tmp_path / "absent-m2"),
        "STREAMLAB_MAVEN_REPO_URL": "",
        "STREAMLAB_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        ["bash", "scripts/offline-prereqs.sh"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0, "the script must fail without a Maven source"
    assert "absent-m2 is absent" in result.stderr, result.stderr
    assert "STREAMLAB_M2_DIR=" in result.stderr
    assert "STREAMLAB_MAVEN_REPO_URL=" in result.stderr
    assert "Traceback" not in result.stderr
    assert "===>" not in result.stdout, "nothing may be installed before the check"
    assert not (tmp_path / "cache").exists(), "nothing may be written before the check"
