#!/usr/bin/env bash
# Makes a Debian bookworm amd64 host (run as root) build and run the lab's images for
# linux/arm64, the platform of Apple Silicon's Docker Desktop, under emulation: what
# `make arm64` needs (a learner on an arm64 machine needs none of it: Docker builds the images
# for that machine by itself). Idempotent, like offline-prereqs.sh, which runs first on a
# machine without registry access. It:
#   1. installs Debian's qemu-user-static and binfmt-support and registers qemu's aarch64
#      emulator with the kernel (binfmt_misc), with the F flag: the kernel holds the emulator
#      open, so it runs arm64 programs inside containers too; the registration goes at a reboot,
#      and this script makes it again;
#   2. offline (offline-prereqs.sh gave .env.local a base image): an arm64 Debian bookworm base
#      image, streamlab/debian:bookworm-arm64 (debootstrap, docker import), and aarch64 wheels
#      in the wheelhouse that offline-prereqs.sh serves; online, the builds pull both;
#   3. writes STREAMLAB_ARM64_BASE_IMAGE to .env.local (offline only) and runs `uname -m` in
#      an arm64 container, which must say aarch64.
set -eo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=/dev/null
source <(grep -E '^STREAMLAB_(SPARK|PYTHON)_VERSION=' .env)
cache=${STREAMLAB_CACHE_DIR:-$HOME/.cache/streamlab}
base=streamlab/debian:bookworm-arm64
binfmt=/proc/sys/fs/binfmt_misc

# shellcheck source=scripts/prereqs-lib.sh
source scripts/prereqs-lib.sh

[ "$(id -u)" = 0 ] || die "run this script as root: it installs Debian packages and registers qemu with the kernel."
docker info >/dev/null 2>&1 \
  || die "no Docker engine answers: start it (sudo bash scripts/offline-prereqs.sh starts one), then run this script again."
mkdir -p "$cache"

# --- 1. emulation ---------------------------------------------------------------------------
step "arm64 emulation"
if [ "$(uname -m)" = aarch64 ]; then
  echo "     this machine is arm64: nothing to emulate"
else
  dpkg -s qemu-user-static binfmt-support >/dev/null 2>&1 \
    || apt_install --no-install-recommends qemu-user-static binfmt-support
  # The packages register the emulator themselves, except where systemd does not run (a
  # container, this kind of CI machine): then by hand.
  mountpoint -q "$binfmt" || mount -t binfmt_misc binfmt_misc "$binfmt" \
    || die "cannot mount $binfmt: the kernel's binfmt_misc is needed to run arm64 programs here"
  [ -e "$binfmt/qemu-aarch64" ] || update-binfmts --import qemu-aarch64
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  if ! grep -q '^enabled' "$binfmt/qemu-aarch64" || ! grep -q '^flags:.*F' "$binfmt/qemu-aarch64"; then
    die "qemu's aarch64 emulator is not registered with the F flag ($binfmt/qemu-aarch64); containers cannot run arm64 programs"
  fi
  echo "     $(sed -n 's/^interpreter //p' "$binfmt/qemu-aarch64"), flags $(sed -n 's/^flags: //p' "$binfmt/qemu-aarch64")"
fi

# --- 2. offline: an arm64 base image and aarch64 wheels -------------------------------------
if [ -n "$(local_setting STREAMLAB_BASE_IMAGE)" ]; then
  step "base image $base"
  base_image "$base" arm64
  set_local STREAMLAB_ARM64_BASE_IMAGE "$base"
  step "aarch64 wheels in the wheelhouse"
  fill_wheelhouse aarch64
  probe=$base
else
  echo "     online: the builds pull debian:bookworm-slim and the wheels for linux/arm64"
  probe=
fi

# --- 3. the proof ---------------------------------------------------------------------------
step "an arm64 container"
if [ -n "$probe" ]; then
  machine=$(docker run --rm --platform linux/arm64 --network none "$probe" uname -m) \
    || die "an arm64 container did not start from $probe"
  [ "$machine" = aarch64 ] || die "an arm64 container says it runs on $machine, not aarch64"
  echo "     uname -m in $probe: $machine"
else
  echo "     (make arm64 starts the first, from the pulled base image)"
fi
step "ready: make arm64 builds the images for linux/arm64 and counts the tutorial's seed on them"
