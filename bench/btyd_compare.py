"""Compares churnlens.json and lifetimes.json written by bench/run_btyd.sh: the speed-up of BG/NBD + Gamma-Gamma fit
and predict, and the largest relative difference of the fitted parameters and of the prediction sums (issue #5
acceptance: >= 20x faster at the same parameters to 1e-3), with the machine's load average. Prints Markdown tables for
BENCHMARKS.md; exits 1 when the acceptance is not met. The acceptance figure is fit and predict (the issue's words);
reading and writing CSV are timed and shown beside it."""

import json
import os
import sys
from pathlib import Path

directory = Path(sys.argv[1])
ours = json.loads((directory / "churnlens.json").read_text())
theirs = json.loads((directory / "lifetimes.json").read_text())
load = " ".join(f"{v:.2f}" for v in os.getloadavg())
print(f"customers: {ours['customers']:,}; {os.cpu_count()} cores; load average now (1, 5, 15 min): {load}\n")
print("| step | churnlens (s) | lifetimes 0.11.3 (s) | speed-up |")
print("|---|---:|---:|---:|")
steps = {
    "read": "read the customers (CSV)",
    "fit_bgnbd": "fit BG/NBD",
    "fit_gamma_gamma": "fit Gamma-Gamma",
    "predict": "predict (P(alive), 52 weeks, average value, 12-month CLV)",
    "total": "**fit and predict (the acceptance figure)**",
    "write": "write the predictions (CSV)",
    "end_to_end": "read, fit, predict and write",
}
for step, label in steps.items():
    a, b = ours["seconds"][step], theirs["seconds"][step]
    print(f"| {label} | {a:.2f} | {b:.2f} | {b / a:.1f}x |")
print("\n| figure | churnlens | lifetimes | relative difference |")
print("|---|---:|---:|---:|")
worst_parameter = 0.0
for model in ["bgnbd", "gamma_gamma"]:
    for name, a in ours[model].items():
        b = theirs[model][name]
        d = abs(a - b) / abs(b)
        worst_parameter = max(worst_parameter, d)
        print(f"| {model} {name} | {a:.6f} | {b:.6f} | {d:.1e} |")
for name, a in ours["sums"].items():
    b = theirs["sums"][name]
    print(f"| sum of {name} | {a:.4f} | {b:.4f} | {abs(a - b) / abs(b):.1e} |")
speedup = theirs["seconds"]["total"] / ours["seconds"]["total"]
ok = speedup >= 20 and worst_parameter <= 1e-3
print(f"\nspeed-up {speedup:.1f}x, largest parameter difference {worst_parameter:.1e}: {'meets' if ok else 'DOES NOT meet'} the acceptance (>= 20x, <= 1e-3)")
sys.exit(0 if ok else 1)
