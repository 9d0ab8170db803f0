#!/usr/bin/env bash
# Validate procmap's SARIF with Microsoft's SARIF multitool (`sarif-multitool
# validate`: no error and no warning) on the examples, file
# names that need percent-encoding, standard input with --stdin-filename and a
# clean run. Installs the multitool (a self-contained .NET build shipped in its
# npm package; no .NET install needed) from tests/outside/sarif/package-lock.json,
# then runs tests/test_sarif.py with the multitool required, so the check
# cannot skip here. Exit status: 0 when the multitool reports nothing.
#
#   bash tests/outside/sarif.sh          # from anywhere; uses .venv of the checkout
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PROCMAP_PYTHON:-$root/.venv/bin/python}"

if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "sarif.sh: npm is needed (Debian: apt-get install nodejs npm)" >&2
    exit 2
  fi
fi
if [ ! -x "$python" ]; then
  echo "sarif.sh: no $python; create the venv first (see README: Quick start)" >&2
  exit 2
fi

npm ci --prefix "$here/sarif" --no-audit --no-fund --loglevel=error
PROCMAP_REQUIRE_SARIF_MULTITOOL=1 "$python" -m pytest -q -p no:cacheprovider "$root/tests/test_sarif.py"
