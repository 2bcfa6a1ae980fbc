#!/usr/bin/env bash
# Makes a machine without registry access able to build and run the lab (Debian bookworm host,
# run as root). CI runs it; users behind a firewall can too. Idempotent: it does only what is
# missing. It:
#   1. installs and starts a Docker engine of version 25 or later (the lab's health checks use
#      start_interval), Debian trixie's docker.io over bookworm's containerd and runc (bookworm's
#      own docker.io is 20.10), and the Compose v2 plugin binary from trixie's docker-compose
#      package (bookworm has no Compose v2);
#   2. makes a local Debian bookworm base image with debootstrap + docker import;
#   3. builds a wheelhouse on the host (pip, as configured here) and serves it on 127.0.0.1;
#   4. serves a Maven repository folder on 127.0.0.1 (default: ../shared/m2 beside the checkout),
#      unless STREAMLAB_MAVEN_REPO_URL already names a reachable one; what the Spark image needs
#      and the folder lacks, Maven on this host resolves from its default repositories (or the
#      mirror its settings.xml names) into a folder of its own, served with the first as one;
#   5. installs Debian's chromium, with which the browser tests look at the lab's pages;
#   6. writes the resulting overrides to .env.local, which the Makefile and the tests read.
# Knobs: STREAMLAB_M2_DIR, STREAMLAB_MAVEN_REPO_URL, STREAMLAB_CACHE_DIR,
#        STREAMLAB_WHEELHOUSE_PORT (18480), STREAMLAB_M2_PORT (18481); not 18080, the history server's.
set -eo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=/dev/null
source <(grep -E '^STREAMLAB_(SPARK|PYTHON|SCALA_BINARY|MAVEN_DEPENDENCY_PLUGIN)_VERSION=' .env)
cache=${STREAMLAB_CACHE_DIR:-$HOME/.cache/streamlab}
m2_dir=${STREAMLAB_M2_DIR:-$root/../shared/m2}
wheel_port=${STREAMLAB_WHEELHOUSE_PORT:-18480}
m2_port=${STREAMLAB_M2_PORT:-18481}
base=streamlab/debian:bookworm

# shellcheck source=scripts/prereqs-lib.sh
source scripts/prereqs-lib.sh

# Serves folder $1 on 127.0.0.1:$2 in the background, for the builds (which use the host network).
# A server that an earlier run started for another folder gives way to the new one.
serve() {
  local dir=$1 port=$2 pidfile="$cache/http-$2.pid"
  if answers "http://127.0.0.1:$port/"; then
    if [ -f "$pidfile" ] && [ "$(sed -n 2p "$pidfile")" != "$dir" ]; then
      kill "$(sed -n 1p "$pidfile")" 2>/dev/null || true
      for _ in $(seq 50); do answers "http://127.0.0.1:$port/" || break; sleep 0.2; done
    else
      echo "     http://127.0.0.1:$port/ already answers"
      return
    fi
  fi
  mkdir -p "$cache"
  setsid nohup python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" \
    >"$cache/http-$port.log" 2>&1 </dev/null &
  printf '%s\n%s\n' "$!" "$dir" >"$pidfile"
  for _ in $(seq 50); do answers "http://127.0.0.1:$port/" && return; sleep 0.2; done
  die "could not serve $dir on 127.0.0.1:$port (see $cache/http-$port.log; is the port taken?)"
}

# --- 0. the Maven source, checked first so that a missing one fails before any install ------
maven_url=${STREAMLAB_MAVEN_REPO_URL:-}
if [ -z "$maven_url" ] && [ ! -d "$m2_dir" ]; then
  die "no Maven repository for the connector and the Kafka jars: $m2_dir is absent and
       STREAMLAB_MAVEN_REPO_URL is not set. Provide one of:
         STREAMLAB_M2_DIR=/path/to/m2          a folder in Maven repository layout, served here
         STREAMLAB_MAVEN_REPO_URL=http://...   a Maven mirror the build can reach
       (with internet access you need neither: run 'make up' without this script)."
fi
[ "$(id -u)" = 0 ] || die "run this script as root: it installs Debian packages and starts dockerd."
mkdir -p "$cache"

# --- 1. Docker engine and Compose v2 -------------------------------------------------------
# The archive that serves this machine's bookworm packages serves trixie too: trixie_download
# PACKAGE... fetches trixie's .deb files into the folder $trixie, without adding trixie to apt's
# sources (nothing else of this machine moves to trixie).
trixie=
trixie_download() {
  if [ -z "$trixie" ]; then
    local mirror
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
    [ -n "$mirror" ] || die "cannot find this machine's Debian archive in its apt sources"
    trixie=$(mktemp -d)
    mkdir -p "$trixie/lists/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$trixie/sources.list"
    trixie_opts=(-o "Dir::Etc::SourceList=$trixie/sources.list" -o Dir::Etc::SourceParts=/dev/null
                 -o "Dir::State::Lists=$trixie/lists" -o APT::Sandbox::User=root)
    apt-get -qq "${trixie_opts[@]}" update
  fi
  (cd "$trixie" && apt-get -qq "${trixie_opts[@]}" download "$@")
}

# major VERSION: the major number of a version such as 26.1.5+dfsg1.
major() { echo "${1%%.*}"; }
min_engine=25

step "Docker engine"
if docker info >/dev/null 2>&1; then
  running=$(docker version --format '{{.Server.Version}}')
  [ "$(major "$running")" -ge "$min_engine" ] \
    || die "Docker Engine $running is running; the lab needs $min_engine or later (its health checks use start_interval): stop dockerd (its containers stop with it) and run this script again, and it installs Debian trixie's engine"
else
  # A fresh machine may have Docker's client and no engine: no dockerd is no version, not an error.
  installed=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([^,]*\),.*/\1/p' || true)
  if [ -z "$installed" ] || [ "$(major "$installed")" -lt "$min_engine" ]; then
    # trixie's engine (docker.io) and its CLI (docker-cli, a package of its own since 26) run on
    # bookworm's libc with bookworm's containerd, runc and tini, which apt takes from bookworm
    # as their dependencies.
    trixie_download docker.io docker-cli
    apt_install --no-install-recommends "$trixie"/docker.io_*.deb "$trixie"/docker-cli_*.deb
  fi
  setsid nohup dockerd >/var/log/streamlab-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || die "dockerd did not start; see /var/log/streamlab-dockerd.log"
fi
echo "     engine $(docker version --format '{{.Server.Version}}')"

step "Compose v2 plugin"
if ! docker compose version >/dev/null 2>&1; then
  trixie_download docker-compose
  mkdir -p /usr/local/lib/docker/cli-plugins
  dpkg-deb --fsys-tarfile "$trixie"/docker-compose_*.deb \
    | tar -xO ./usr/libexec/docker/cli-plugins/docker-compose >/usr/local/lib/docker/cli-plugins/docker-compose
  chmod 755 /usr/local/lib/docker/cli-plugins/docker-compose
fi
[ -z "$trixie" ] || rm -rf "$trixie"
echo "     $(docker compose version)"

# --- 2. the base image ----------------------------------------------------------------------
step "base image $base"
base_image "$base"
set_local STREAMLAB_BASE_IMAGE "$base"

# --- 3. the wheelhouse ----------------------------------------------------------------------
step "wheelhouse for the Spark image"
fill_wheelhouse native
serve "$cache/wheelhouse" "$wheel_port"
set_local STREAMLAB_PIP_FIND_LINKS "http://127.0.0.1:$wheel_port/"

# --- 4. the Maven mirror --------------------------------------------------------------------
step "Maven mirror"
# The Maven roots that the Spark image resolves (images/Dockerfile, spark-kafka-jars); the Kafka image's
# come from the folder alone.
spark_roots=(
  "org.apache.spark:spark-sql-kafka-0-10_${STREAMLAB_SCALA_BINARY_VERSION}:${STREAMLAB_SPARK_VERSION}"
  "org.apache.spark:spark-streaming-kafka-0-10_${STREAMLAB_SCALA_BINARY_VERSION}:${STREAMLAB_SPARK_VERSION}"
)
pom_path() { local g a v; IFS=: read -r g a v <<<"$1"; echo "${g//.//}/$a/$v/$a-$v.pom"; }
if [ -n "$maven_url" ]; then
  answers "$maven_url" || die "STREAMLAB_MAVEN_REPO_URL=$maven_url does not answer"
  for root in "${spark_roots[@]}"; do
    answers "${maven_url%/}/$(pom_path "$root")" || die "the Maven mirror $maven_url has no $root:
       add it there, or unset STREAMLAB_MAVEN_REPO_URL to serve $m2_dir with what it lacks resolved here."
  done
else
  m2_dir=$(cd "$m2_dir" && pwd)
  host_m2="$cache/m2-host"
  for root in "${spark_roots[@]}"; do
    [ -f "$m2_dir/$(pom_path "$root")" ] || [ -f "$host_m2/$(pom_path "$root")" ] && continue
    echo "     $m2_dir has no $root: resolving it with Maven on this host"
    command -v mvn >/dev/null || die "$m2_dir lacks $root and this host has no Maven (mvn) to
       resolve it: install Maven (apt-get install maven), or add the artifact to the folder."
    mvn -q -B "org.apache.maven.plugins:maven-dependency-plugin:${STREAMLAB_MAVEN_DEPENDENCY_PLUGIN_VERSION}:get" \
      -Dartifact="$root" -Dmaven.repo.local="$host_m2" >"$cache/mvn.log" 2>&1 \
      || { tail -n 20 "$cache/mvn.log" >&2; die "Maven could not resolve $root on this host (see $cache/mvn.log)"; }
  done
  # One tree of links, the folder's files first, then what Maven added: one URL for the builds.
  served="$cache/m2-served"
  rm -rf "$served" && mkdir -p "$served"
  cp -rs "$m2_dir/." "$served/"
  [ ! -d "$host_m2" ] || cp -rsn "$host_m2/." "$served/"
  serve "$served" "$m2_port"
  maven_url="http://127.0.0.1:$m2_port"
  for root in "${spark_roots[@]}"; do
    answers "$maven_url/$(pom_path "$root")" || die "$maven_url does not serve $root: another
       program serves that port; stop it or set STREAMLAB_M2_PORT to a free port."
  done
fi
set_local STREAMLAB_MAVEN_REPO_URL "$maven_url"

# --- 5. chromium, for the browser tests (make check counts them as not run without it) -----
step "chromium for the browser tests"
command -v chromium >/dev/null || apt_install chromium
echo "     $(chromium --version 2>/dev/null || echo 'chromium did not answer')"

step "ready: overrides written to .env.local"
grep -E '^STREAMLAB_(BASE_IMAGE|PIP_FIND_LINKS|MAVEN_REPO_URL)=' .env.local | sed 's/^/     /'
