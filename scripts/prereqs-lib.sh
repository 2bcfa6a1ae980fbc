# What the two prerequisites scripts share (offline-prereqs.sh, arm64-prereqs.sh), sourced by
# both after they have set $cache (their cache folder) and moved to the checkout's root.
# shellcheck shell=bash
: "${cache:?the script that sources prereqs-lib.sh sets cache first}"

step() { echo "===> $*"; }
die() { echo "ERROR: $*" >&2; exit 1; }

# Sets KEY=VALUE in .env.local, replacing an earlier value.
set_local() {
  touch .env.local
  grep -v "^$1=" .env.local >.env.local.tmp || true
  echo "$1=$2" >>.env.local.tmp
  mv .env.local.tmp .env.local
}

# local_setting KEY: KEY's value in .env.local, empty when it has none.
local_setting() { [ -f .env.local ] && sed -n "s/^$1=//p" .env.local | tail -n 1; }

# True when URL $1 answers an HTTP GET.
answers() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null; }

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# base_image IMAGE [ARCH]: a minimal Debian bookworm as the local image IMAGE, made with
# debootstrap and docker import, for dpkg's architecture ARCH (arm64, say; default: this
# machine's, which a foreign one runs under emulation), unless the engine has IMAGE already.
base_image() {
  local image=$1 arch=${2:-} rootfs
  docker image inspect "$image" >/dev/null 2>&1 && return
  command -v debootstrap >/dev/null || apt_install debootstrap
  rootfs=$(mktemp -d)
  debootstrap ${arch:+--arch="$arch"} --variant=minbase bookworm "$rootfs" >"$cache/debootstrap.log" 2>&1 \
    || { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (see $cache/debootstrap.log)"; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import ${arch:+--platform "linux/$arch"} -c 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
}

# fill_wheelhouse MACHINE: the Spark image's Python packages into $cache/wheelhouse, as binary
# wheels for the image's Python on this machine (MACHINE "native") or on another (uname -m's
# name: aarch64), for the images of a foreign platform. The image runs Debian bookworm's
# Python, whose patch release can be older than the host's; PySpark ships as source, so its
# wheel is built here (pure Python: one for every platform).
quiet_pip() { python3 -m pip "$@" -q --progress-bar off 2>&1 | { grep -v '^WARNING: Location' || true; }; }
fill_wheelhouse() {
  local image_python platform=()
  if [ "$1" != native ]; then
    # bookworm's glibc is 2.36: every manylinux tag up to it, and pure-Python wheels.
    for glibc in $(seq 36 -1 17); do platform+=(--platform "manylinux_2_${glibc}_$1"); done
    platform+=(--platform "manylinux2014_$1" --platform any --implementation cp
               --abi "cp${STREAMLAB_PYTHON_VERSION//./}" --abi abi3 --abi none)
  fi
  mkdir -p "$cache/wheelhouse"
  image_python=$(apt-cache show --no-all-versions python3.11-minimal 2>/dev/null | sed -n 's/^Version: \([0-9.]*\).*/\1/p')
  image_python=${image_python:-${STREAMLAB_PYTHON_VERSION}}
  compgen -G "$cache/wheelhouse/pyspark-${STREAMLAB_SPARK_VERSION}-*.whl" >/dev/null \
    || quiet_pip wheel --no-deps -w "$cache/wheelhouse" "pyspark==${STREAMLAB_SPARK_VERSION}"
  quiet_pip download --only-binary=:all: --python-version "$image_python" "${platform[@]}" \
    --find-links "$cache/wheelhouse" -d "$cache/wheelhouse" \
    -r images/spark/requirements.txt "pyspark==${STREAMLAB_SPARK_VERSION}"
  [ -n "$(compgen -G "$cache/wheelhouse/pyspark-${STREAMLAB_SPARK_VERSION}-*.whl")" ] \
    || die "the wheelhouse has no pyspark ${STREAMLAB_SPARK_VERSION} wheel; is the package index reachable from this host?"
}
