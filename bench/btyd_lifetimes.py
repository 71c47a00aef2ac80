"""Times lifetimes 0.11.3 on the synthetic customers written by churnlens-models' btyd_benchmark example (issue #5).

    cargo run --release -p churnlens-models --example btyd_benchmark -- 1000000 /tmp/btyd
    $HOME/.cache/churnlens/ref-venv-btyd/bin/python bench/btyd_lifetimes.py /tmp/btyd

(the venv is the one of reference/btyd_reference.py, reference/requirements-btyd.txt). Prints the wall time and the
parameters of each fit and of P(alive) plus the next 52 weeks' purchases for every customer, like the Rust example.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter


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
    main(Path(sys.argv[1]))
