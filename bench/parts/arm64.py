"""The lab on linux/arm64, the platform of Apple Silicon's Docker Desktop: both images built
for it from the same Dockerfiles, without cache, and the tutorial's counts on them. `make
arm64` runs this part alone. On an arm64 machine it runs natively; elsewhere under emulation
(qemu, which the kernel's binfmt_misc starts for every arm64 program, in containers too:
scripts/arm64-prereqs.sh sets it up), where every instruction costs many times what it does
natively, so the times say what emulation costs here, not what a Mac takes.

In a compose project of its own, streamlab-arm64 (its image names, ports and volumes), so that
neither the lab's images nor the bench's amd64 ones are retagged. It records each build stage's
time, checks that the images are arm64 and that their JVMs start without SVE (images/Dockerfile
says why), then runs `make demo API=dstream`, the tutorial's DStream job, until the counts that
its log prints add up to the seed's totals exactly, or says what it saw instead."""

from __future__ import annotations

import platform
import re
import subprocess
from pathlib import Path

from bench.lab import Run, demo_to_first_batch, log, timed
from bench.parts.fresh import stage_seconds
from jobs.seed import SEED_TOTALS, printed_totals
from streamlab.compose import compose, run_compose
from streamlab.config import load_settings
from streamlab.isolation import ARM64

PLATFORM = "linux/arm64"
BINFMT = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64")
DEFAULT_BASE_IMAGE = "debian:bookworm-slim"
BUILD_TIMEOUT_S = 7200
DEMO_TIMEOUT_S = 3600
NO_EMULATION = (
    "this machine cannot run arm64 programs: register qemu's emulator with "
    "`sudo make arm64-prereqs`, then run `make arm64` again"
)
NO_BASE_IMAGE = (
    "the offline build has no arm64 base image (STREAMLAB_ARM64_BASE_IMAGE is empty while "
    "STREAMLAB_BASE_IMAGE is set): `sudo make arm64-prereqs` makes one"
)


def emulated(machine: str, binfmt: str | None) -> bool:
    """Whether arm64 programs run here under emulation (False: natively), from this machine's
    name and its qemu-aarch64 binfmt entry (None: there is none). Raises NO_EMULATION when they
    cannot run at all: the entry must be enabled, with the F flag, which lets the kernel start
    the emulator inside containers."""
    if machine in ("aarch64", "arm64"):
        return False
    if (
        binfmt is None
        or not binfmt.startswith("enabled")
        or not re.search(r"^flags:.*F", binfmt, re.MULTILINE)
    ):
        raise RuntimeError(NO_EMULATION)
    return True


def base_image(settings: dict[str, str]) -> str:
    """The arm64 build's base image: the local one that arm64-prereqs.sh made, or, online
    (no local base image at all), Debian's from the default registry."""
    if settings.get("STREAMLAB_ARM64_BASE_IMAGE"):
        return settings["STREAMLAB_ARM64_BASE_IMAGE"]
    if settings.get("STREAMLAB_BASE_IMAGE"):
        raise RuntimeError(NO_BASE_IMAGE)
    return DEFAULT_BASE_IMAGE


def environment(lab: dict[str, str], base: str) -> dict[str, str]:
    """The variables that put compose and make in the arm64 project, on linux/arm64 (compose
    builds and runs every service for DOCKER_DEFAULT_PLATFORM), with the tutorial's API."""
    return {
        **ARM64.environment(lab),
        "DOCKER_DEFAULT_PLATFORM": PLATFORM,
        "STREAMLAB_BASE_IMAGE": base,
        "API": "dstream",
        "BUILDKIT_PROGRESS": "plain",
        # Every instruction emulated: the servers take minutes to start, not seconds, and a
        # check's answer can take seconds while the other JVMs start beside it.
        "STREAMLAB_HEALTHCHECK_START_PERIOD": "900s",
        "STREAMLAB_UP_TIMEOUT": "1800",
        "STREAMLAB_HEALTHCHECK_TIMEOUT": "120s",
        "STREAMLAB_HEALTH_WAIT_S": "50",
        "STREAMLAB_HEALTHCHECK_RETRIES": "3",
    }


def images(settings: dict[str, str]) -> dict[str, str]:
    tag = settings["STREAMLAB_IMAGE_TAG"]
    return {
        "kafka": f"{ARM64.name}/kafka:{settings['STREAMLAB_KAFKA_VERSION']}-{tag}",
        "spark": f"{ARM64.name}/spark:{settings['STREAMLAB_SPARK_VERSION']}-{tag}",
    }


def docker(*args: str) -> str:
    return subprocess.run(
        ["docker", *args], check=True, capture_output=True, text=True, timeout=600
    ).stdout


def vm_flag(flags: str, name: str) -> str | None:
    """A flag's value in `java -XX:+PrintFlagsFinal`'s table (`uint UseSVE = 0 {product} ...`)."""
    found = re.search(rf"^\s*\S+\s+{name}\s+:?=\s+(\S+)", flags, re.MULTILINE)
    return found.group(1) if found else None


def what_runs(image: str) -> dict[str, str | None]:
    """The image's architecture and size, what `uname -m` says in it, and its JVM's UseSVE:
    one container for both (each start is emulated)."""
    machine, _, flags = docker(
        *("run", "--rm", "--network", "none", "--platform", PLATFORM, "--entrypoint", "sh"),
        *(image, "-c", "uname -m && java -XX:+PrintFlagsFinal -version"),
    ).partition("\n")
    architecture, size = docker(
        "image", "inspect", "--format", "{{.Architecture}} {{.Size}}", image
    ).split()
    return {
        "architecture": architecture,
        "mb": str(round(int(size) / 1e6)),
        "uname_m": machine.strip(),
        "use_sve": vm_flag(flags, "UseSVE"),
    }


def demo_to_totals(env: dict[str, str]) -> dict:
    """`make demo API=dstream` on the built images until its log's counts add up to the seed's
    totals: when the stack was healthy (make up's URLs), the first batch, the exact totals."""
    marks: dict[str, float] = {}

    def seen(line: str, seconds: float) -> None:
        if line.lstrip().startswith("JupyterLab "):
            marks.setdefault("healthy", seconds)

    def counted(lines: list[str]) -> bool:  # the seed's totals, or more: no use waiting
        if lines[-1]:  # a block ends with an empty line: read the log then, not at every line
            return False
        totals = printed_totals("\n".join(lines) + "\n")
        return totals == SEED_TOTALS or any(n > SEED_TOTALS.get(w, 0) for w, n in totals.items())

    first, lines = demo_to_first_batch(env, seen, timeout=DEMO_TIMEOUT_S, until=counted)
    totals = printed_totals("\n".join(lines) + "\n")
    return {
        "healthy_s": round(marks.get("healthy", 0.0), 1),
        "first_batch_s": round(first, 1),
        "totals_exact": totals == SEED_TOTALS,
        "totals": dict(sorted(totals.items())),
    }


def measure(run: Run) -> None:
    binfmt = BINFMT.read_text() if BINFMT.exists() else None
    under_emulation = emulated(platform.machine(), binfmt)
    base = base_image(run.settings)
    # The lab's own ports, shifted by the arm64 project's offset (run.settings holds the
    # bench's, already shifted).
    env = environment(load_settings(environ={}), base)
    names = images(run.settings)
    compose("down", "--volumes", "--remove-orphans", env=env)
    for image in names.values():  # from nothing: the project's own images, never the lab's
        subprocess.run(["docker", "image", "rm", image], check=False, capture_output=True)
    how = "under emulation" if under_emulation else "natively"
    log(f"arm64: building both images for {PLATFORM} {how}, without cache, from {base}")
    output: list[str] = []

    def build() -> None:
        built = compose(
            *("build", "--no-cache", "kafka", "spark-master"), env=env, timeout=BUILD_TIMEOUT_S
        )
        output.append(built.stderr + built.stdout)

    seconds = timed(build)
    checked = {name: what_runs(image) for name, image in names.items()}
    log(f"arm64: built in {seconds / 60:.0f} min; make demo API=dstream until the seed's totals")
    try:
        demo = demo_to_totals(env)
    finally:
        run_compose("down", "--volumes", "--remove-orphans", env=env)
    run.result["arm64"] = {
        "platform": PLATFORM,
        "emulated": under_emulation,
        "base_image": base,
        "build_s": round(seconds, 1),
        "stages_s": stage_seconds("\n".join(output)),
        "images": checked,
        **demo,
    }
    run.failures += failures(run.result["arm64"])


def failures(part: dict) -> list[str]:
    """What the part found wrong, a sentence each (make arm64 then exits non-zero)."""
    found = []
    for name, image in part["images"].items():
        if image["architecture"] != "arm64" or image["uname_m"] != "aarch64":
            found.append(
                f"arm64: the {name} image is {image['architecture']}, and `uname -m` says "
                f"{image['uname_m']} in it: it was not built for {PLATFORM}"
            )
        if image["use_sve"] != "0":
            found.append(
                f"arm64: the {name} image's JVM runs with UseSVE={image['use_sve']}, not 0: "
                "its Java runtime lacks jlink's --add-options (images/Dockerfile, stage jdk)"
            )
    if not part["totals_exact"]:
        found.append(
            f"arm64: the tutorial's counts on {PLATFORM} were {part['totals']}, not the seed's "
            f"totals {SEED_TOTALS}"
        )
    return found
