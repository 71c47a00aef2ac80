#!/usr/bin/env bash
# Makes the benchmark's own Python virtual environment from PyPI (once).
# Python is only for benchmarks and reference fixtures, never a runtime or
# test dependency of churnlens.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CHURNLENS_BENCH_VENV:-$HOME/.cache/churnlens/bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "$venv/bin/python"
