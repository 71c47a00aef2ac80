#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: builds churnlens in release, prepares the Python
# stack, generates the data sets and times both side by side in one run.
#   bench/run.sh                          # ingest and metrics, sizes 1m and 10m (default)
#   bench/run.sh --sizes 1m               # a quick run
#   bench/run.sh --bench metrics --sizes 10m
#   bench/run.sh --bench segment --sizes 10m   # RFM + 8 segments + drivers vs pandas + scipy
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/churnlens/target}"
cargo build --release --manifest-path "$root/Cargo.toml" -p churnlens
python="$("$root/bench/setup_venv.sh")"
exec "$python" "$root/bench/run.py" --churnlens "$CARGO_TARGET_DIR/release/churnlens" "$@"
