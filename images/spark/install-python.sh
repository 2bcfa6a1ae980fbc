#!/usr/bin/env bash
# Installs Python packages into /opt/venv: install-python.sh PIP-INSTALL-ARGS...
# pip_find_links (a wheelhouse) installs from it alone; pip_index_url replaces the index;
# with neither, pip's default index serves.
set -eo pipefail
source=()
where="pip's default index"
if [ -n "${pip_find_links:-}" ]; then
  source=(--no-index --find-links "$pip_find_links"); where="the wheelhouse $pip_find_links"
elif [ -n "${pip_index_url:-}" ]; then
  source=(--index-url "$pip_index_url"); where="the index $pip_index_url"
fi
probe=${pip_find_links:-$pip_index_url}
if [[ "$probe" == http* ]] && ! python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' "$probe" 2>/dev/null; then
  echo "ERROR: the Python package mirror $probe does not answer." >&2
  echo "       Start it (scripts/offline-prereqs.sh serves one on 127.0.0.1) or unset" >&2
  echo "       STREAMLAB_PIP_FIND_LINKS / STREAMLAB_PIP_INDEX_URL to use pip's default index." >&2
  exit 1
fi
echo "===> installing Python packages from $where"
python3 -m venv /opt/venv
/opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --progress-bar off "${source[@]}" "$@" || {
  echo "ERROR: pip could not install $* from $where." >&2
  exit 1
}
