"""The arm64 part's decisions, without Docker: whether arm64 programs can run here, which base
image the build takes, the project it runs in, how it reads the JVM's flags and the log's
counts, and its report."""

import pytest

from bench.lab import demo_to_first_batch
from bench.parts import arm64
from bench.report import arm64_rows
from jobs.seed import RULE, SEED_TOTALS, printed_totals
from streamlab.config import load_settings
from streamlab.isolation import ARM64, LAB_PROJECT

REGISTERED = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POCF\n"


def test_arm64_machines_run_natively_and_others_need_qemu_registered_with_the_f_flag():
    assert arm64.emulated("aarch64", None) is False
    assert arm64.emulated("arm64", None) is False  # macOS' name for it
    assert arm64.emulated("x86_64", REGISTERED) is True
    for entry in (None, REGISTERED.replace("enabled", "disabled"), "enabled\nflags: OC\n"):
        with pytest.raises(RuntimeError, match="sudo make arm64-prereqs") as told:
            arm64.emulated("x86_64", entry)
        assert "\n" not in str(told.value), "one sentence"


def test_the_base_image_is_the_local_arm64_one_offline_and_debians_online():
    offline = {"STREAMLAB_BASE_IMAGE": "streamlab/debian:bookworm"}
    arm64_base = {**offline, "STREAMLAB_ARM64_BASE_IMAGE": "streamlab/debian:bookworm-arm64"}
    assert arm64.base_image(arm64_base) == "streamlab/debian:bookworm-arm64"
    assert arm64.base_image({"STREAMLAB_BASE_IMAGE": ""}) == "debian:bookworm-slim"
    with pytest.raises(RuntimeError, match="no arm64 base image"):
        arm64.base_image(offline)  # the amd64 base image would be refused for arm64


def test_the_part_runs_in_a_project_of_its_own_for_arm64_with_the_tutorials_api():
    lab = load_settings(environ={})
    env = arm64.environment(lab, "debian:bookworm-slim")
    assert env["COMPOSE_PROJECT_NAME"] == env["STREAMLAB_IMAGE_NAMESPACE"] == ARM64.name
    assert ARM64.name != LAB_PROJECT
    assert env["STREAMLAB_KAFKA_HOST_PORT"] != lab["STREAMLAB_KAFKA_HOST_PORT"]
    assert env["DOCKER_DEFAULT_PLATFORM"] == "linux/arm64"
    assert env["API"] == "dstream"
    names = arm64.images(lab)
    assert all(name.startswith(f"{ARM64.name}/") for name in names.values())


def test_a_flag_is_read_from_print_flags_final():
    flags = (
        "[Global flags]\n"
        "     uint UseSVE                                   = 0                  "
        "{ARCH product} {command line}\n"
        "     bool UseSerialGC                              := true              {product}\n"
    )
    assert arm64.vm_flag(flags, "UseSVE") == "0"
    assert arm64.vm_flag(flags, "UseSerialGC") == "true"
    assert arm64.vm_flag(flags, "UseSHA") is None


def batch(time: str, counts: list[tuple[str, int]], blocks: int = 5) -> str:
    body = [f"{RULE}\nTime: {time}\n{RULE}\n(None, 'x')\n\n"] * (blocks - 1)
    last = f"{RULE}\nTime: {time}\n{RULE}\n" + "".join(f"{c!r}\n" for c in counts) + "\n"
    return "".join(body) + (last if blocks else "")


def test_the_logs_counts_are_summed_over_batches_that_printed_all_five_blocks():
    log = (
        "compose's lines\n"
        + batch("2026-12-01 10:00:00", [("kafka", 4), ("hello", 2)])
        + batch("2026-12-01 10:00:03", [("kafka", 2)])
        + batch("2026-12-01 10:00:06", [("kafka", 9)], blocks=3)  # cut short by the log's end
    )
    assert printed_totals(log) == {"kafka": 6, "hello": 2}
    assert printed_totals("no batch yet\n") == {}


def test_the_report_says_how_it_ran_what_runs_in_the_images_and_whether_totals_are_exact():
    part = {
        "platform": "linux/arm64",
        "emulated": True,
        "base_image": "streamlab/debian:bookworm-arm64",
        "build_s": 1500.0,
        "stages_s": {"spark-master spark-runtime": 900.0, "kafka jdk": 0.2},
        "images": {
            "spark": {"architecture": "arm64", "mb": "1100", "uname_m": "aarch64", "use_sve": "0"}
        },
        "healthy_s": 120.0,
        "first_batch_s": 300.0,
        "totals_exact": True,
        "totals": SEED_TOTALS,
    }
    rows = "\n".join(" | ".join(row) for row in arm64_rows(part))
    assert "linux/arm64 under emulation" in rows
    assert "25 min; stages (s, side by side): spark-master spark-runtime 900 |" in rows
    assert "spark: arm64, `uname -m` aarch64, UseSVE=0, 1,100 MB" in rows
    assert "the first batch after 300 s; the seed's totals exact" in rows
    wrong = arm64_rows({**part, "emulated": False, "totals_exact": False, "totals": {"kafka": 1}})
    assert "natively" in wrong[0][0]
    assert "**not exact**: {'kafka': 1}" in wrong[2][1]
    assert arm64_rows(None) == []


def test_the_demo_is_followed_past_its_first_batch_until_the_wait_is_over():
    import time

    script = "echo 'Time: 1'; echo one; echo two; echo three; exec sleep 60"
    started = time.monotonic()
    first, lines = demo_to_first_batch(
        command=["sh", "-c", script], until=lambda lines: lines[-1] == "two", timeout=30
    )
    assert time.monotonic() - started < 30, "stopped once `until` held"
    assert lines[:3] == ["Time: 1", "one", "two"], "followed past the first batch"
    assert 0 <= first < 30
    with pytest.raises(RuntimeError, match="no batch that ended the wait within 1 s"):
        demo_to_first_batch(command=["sh", "-c", script], until=lambda lines: False, timeout=1)


def test_what_is_wrong_is_one_sentence_each():
    good = {"architecture": "arm64", "mb": "1100", "uname_m": "aarch64", "use_sve": "0"}
    part = {"images": {"spark": good}, "totals_exact": True, "totals": SEED_TOTALS}
    assert arm64.failures(part) == []
    wrong = {
        "images": {
            "kafka": {**good, "architecture": "amd64", "uname_m": "x86_64", "use_sve": None}
        },
        "totals_exact": False,
        "totals": {"kafka": 3},
    }
    said = arm64.failures(wrong)
    assert len(said) == 3, said
    assert "the kafka image is amd64" in said[0]
    assert "UseSVE=None, not 0" in said[1]
    assert "were {'kafka': 3}, not the seed's totals" in said[2]
    assert all("\n" not in sentence for sentence in said)


def test_a_demo_that_ends_early_is_reported_at_once_with_its_last_lines():
    import time

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="no batch before it ended:\nthe stack is unhealthy"):
        demo_to_first_batch(command=["sh", "-c", "echo the stack is unhealthy; exit 2"], timeout=60)
    assert time.monotonic() - started < 30, "not waiting out the timeout"
