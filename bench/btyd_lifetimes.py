"""Times lifetimes 0.11.3 on the synthetic customers written by the btyd_benchmark binary (bench/btyd) (issue #5).

    cargo run --release -p churnlens-bench-btyd -- 1000000 /tmp/btyd
    $HOME/.cache/churnlens/ref-venv-btyd/bin/python bench/btyd_lifetimes.py /tmp/btyd

(the venv is the one of reference/btyd_reference.py, reference/requirements-btyd.txt). Prints the wall time and the
parameters of each fit and of P(alive) plus the next 52 weeks' purchases for every customer, like the Rust example.
With --only-bgnbd-gg it runs the acceptance benchmark only (read the customers; BG/NBD + Gamma-Gamma fit; P(alive), 52
weeks' purchases, expected average value and 12-month CLV for every customer; write those four columns as
lifetimes_predictions.csv), timing each step, and writes its figures to lifetimes.json beside the data;
bench/run_btyd.sh runs both sides and compares them.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter


def bgnbd_gamma_gamma(directory: Path) -> None:
    end_to_end_started = time.perf_counter()
    data = pd.read_csv(directory / "bgnbd_customers.csv")
    f, r, t, m = data["frequency"], data["recency"], data["T"], data["monetary_value"]
    read = time.perf_counter() - end_to_end_started
    print(f"read {len(data)} customers: {read:.2f}s")
    total_started = time.perf_counter()
    started = time.perf_counter()
    bgf = BetaGeoFitter().fit(f, r, t)
    fit_bgnbd = time.perf_counter() - started
    print(f"fit BG/NBD: {fit_bgnbd:.2f}s {dict(bgf.params_)}")
    started = time.perf_counter()
    repeat = f > 0
    ggf = GammaGammaFitter().fit(f[repeat], m[repeat])
    fit_gg = time.perf_counter() - started
    print(f"fit Gamma-Gamma: {fit_gg:.2f}s {dict(ggf.params_)}")
    started = time.perf_counter()
    p_alive = bgf.conditional_probability_alive(f, r, t)
    purchases = bgf.conditional_expected_number_of_purchases_up_to_time(52, f, r, t)
    value = ggf.conditional_expected_average_profit(f, m)
    clv = ggf.customer_lifetime_value(bgf, f, r, t, m, time=12, discount_rate=0.01, freq="W")
    predict = time.perf_counter() - started
    total = time.perf_counter() - total_started
    sums = {"p_alive": float(np.sum(p_alive)), "purchases_52": float(np.sum(purchases)), "average_value": float(np.sum(value)), "clv_12": float(np.sum(clv))}
    print(f"predict BG/NBD + Gamma-Gamma (p_alive, 52 weeks, average value, 12-month CLV): {predict:.2f}s sums {sums}")
    print(f"total BG/NBD + Gamma-Gamma fit and predict: {total:.2f}s")
    started = time.perf_counter()
    predictions = pd.DataFrame({"p_alive": np.asarray(p_alive), "purchases_52": np.asarray(purchases), "average_value": np.asarray(value), "clv_12": np.asarray(clv)})
    predictions.to_csv(directory / "lifetimes_predictions.csv", index=False)
    write = time.perf_counter() - started
    end_to_end = time.perf_counter() - end_to_end_started
    print(f"write predictions: {write:.2f}s; read, fit, predict and write: {end_to_end:.2f}s")
    figures = {
        "customers": len(data),
        "seconds": {"read": read, "fit_bgnbd": fit_bgnbd, "fit_gamma_gamma": fit_gg, "predict": predict, "total": total, "write": write, "end_to_end": end_to_end},
        "bgnbd": {k: float(v) for k, v in bgf.params_.items()},
        "gamma_gamma": {k: float(v) for k, v in ggf.params_.items()},
        "sums": sums,
    }
    (directory / "lifetimes.json").write_text(json.dumps(figures, indent=2))


def main(directory: Path) -> None:
    np.random.seed(0)
    bg = pd.read_csv(directory / "bgnbd_customers.csv")
    pareto = pd.read_csv(directory / "pareto_customers.csv")
    for name, fitter, data in [("BG/NBD", BetaGeoFitter(), bg), ("MBG/NBD", ModifiedBetaGeoFitter(), bg), ("Pareto/NBD", ParetoNBDFitter(), pareto)]:
        started = time.perf_counter()
        fitter.fit(data["frequency"], data["recency"], data["T"])
        print(f"fit {name}: {time.perf_counter() - started:.2f}s {dict(fitter.params_)}")
        started = time.perf_counter()
        p = fitter.conditional_probability_alive(data["frequency"], data["recency"], data["T"])
        e = fitter.conditional_expected_number_of_purchases_up_to_time(52, data["frequency"], data["recency"], data["T"])
        print(f"predict {name} (p_alive + 52 weeks): {time.perf_counter() - started:.2f}s (checksum {np.sum(p) + np.sum(e):.6f})")


if __name__ == "__main__":
    if "--only-bgnbd-gg" in sys.argv:
        bgnbd_gamma_gamma(Path([a for a in sys.argv[1:] if not a.startswith("--")][0]))
    else:
        main(Path(sys.argv[1]))
