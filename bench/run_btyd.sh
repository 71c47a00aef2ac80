#!/usr/bin/env bash
# The BTYD acceptance benchmark of issue #5 in one run: BG/NBD + Gamma-Gamma fit and predict on N synthetic customers
# (default 1,000,000), churnlens (release) against lifetimes 0.11.3 on the same data, then the comparison.
#   bench/run_btyd.sh            # 1M customers
#   bench/run_btyd.sh 100000     # a quick run
# lifetimes runs in the reference venv of reference/requirements-btyd.txt (CHURNLENS_BTYD_VENV to use another).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/churnlens/target}"
venv="${CHURNLENS_BTYD_VENV:-$HOME/.cache/churnlens/ref-venv-btyd}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cd "$root"
cargo build --release -p churnlens -p churnlens-bench-btyd
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$CARGO_TARGET_DIR/release/btyd_benchmark" "$n" "$dir" --only-bgnbd-gg
"$venv/bin/python" "$root/bench/btyd_lifetimes.py" "$dir" --only-bgnbd-gg
"$venv/bin/python" "$root/bench/btyd_compare.py" "$dir"
