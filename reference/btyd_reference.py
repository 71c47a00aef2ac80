"""Reference values of the buy-till-you-die models from lifetimes, for churnlens-models' parity tests (issue #5).

For FIXED parameters (the published CDNOW estimates, set directly on the fitters' ``params_``) it writes, for every
CDNOW customer, P(alive) and the conditional expected purchases in the next 10 and 52 weeks under BG/NBD, MBG/NBD and
Pareto/NBD, the Gamma-Gamma conditional expected average profit, the 12-month CLV (discount 0.01 a month, BG/NBD
and Pareto/NBD purchases), and the holdout purchases up to 1998-06-30 (calibration_and_holdout_data); and, per model, the total log-likelihood, the unconditional expected repeat purchases
E[X(t)] of one customer, and the parameters (and standard errors) lifetimes' own fit (penalizer 0, and 0.01 in the
column t of the penalised rows) finds on CDNOW.

Run from the repository root (Python 3.11):

    python3 -m venv $HOME/.cache/churnlens/ref-venv-btyd
    $HOME/.cache/churnlens/ref-venv-btyd/bin/pip install -r reference/requirements-btyd.txt
    $HOME/.cache/churnlens/ref-venv-btyd/bin/python reference/btyd_reference.py ../shared/data/cdnow

It writes crates/churnlens-models/tests/fixtures/cdnow_lifetimes.csv (one row per customer) and
crates/churnlens-models/tests/fixtures/cdnow_lifetimes_population.csv (model, quantity, t, value) and
crates/churnlens-models/tests/fixtures/cdnow_lifetimes_cumulative.csv (BG/NBD expected against actual cumulative repeat
purchases at the end of weeks 1-78 since the first CDNOW purchase, lifetimes' expected_cumulative_transactions).

Conventions: frequency, recency and T come from cdnow_customers_summary.csv (weeks, 2 decimals), the spend from
CDNOW_sample.txt through lifetimes' summary_data_from_transaction_data with freq='D' (days; recency and T are divided by
7 for the comparison columns), calibration end 1997-09-30. lifetimes' freq='W' would bucket calendar weeks, so it is
not used. MBG/NBD has no published CDNOW estimates; it is evaluated at the BG/NBD ones. Values are written with 17
significant digits.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from lifetimes.utils import calibration_and_holdout_data, expected_cumulative_transactions, summary_data_from_transaction_data

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARETO = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
CLV_MONTHS = 12
CLV_DISCOUNT = 0.01


def with_params(fitter, params):
    fitter.params_ = pd.Series(params)
    # fit() sets this alias; customer_lifetime_value calls it.
    if hasattr(fitter, "conditional_expected_number_of_purchases_up_to_time"):
        fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time
    return fitter


def main(data_dir: Path, out_dir: Path) -> None:
    # lifetimes' fits start from random points (0.1 * np.random.randn); a fixed seed makes the fixture reproducible.
    np.random.seed(0)
    summary = pd.read_csv(data_dir / "cdnow_customers_summary.csv").set_index("ID")
    tx = pd.read_csv(data_dir / "CDNOW_sample.txt", sep=r"\s+", header=None, names=["master", "id", "date", "cds", "dollars"])
    tx["date"] = pd.to_datetime(tx["date"].astype(str), format="%Y%m%d")
    days = summary_data_from_transaction_data(tx, "id", "date", monetary_value_col="dollars", observation_period_end="1997-09-30", freq="D")
    days = days.reindex(summary.index)
    assert (days["frequency"].values == summary["frequency"].values).all()

    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    bg = with_params(BetaGeoFitter(), BGNBD)
    mbg = with_params(ModifiedBetaGeoFitter(), BGNBD)
    pnbd = with_params(ParetoNBDFitter(), PARETO)
    gg = with_params(GammaGammaFitter(), GAMMA_GAMMA)

    out = pd.DataFrame(index=summary.index)
    out["frequency"] = x
    out["recency"] = t_x
    out["T"] = T
    out["lt_recency_days"] = days["recency"]
    out["lt_T_days"] = days["T"]
    out["lt_monetary_value"] = days["monetary_value"]
    for name, model in [("bgnbd", bg), ("mbgnbd", mbg), ("pareto", pnbd)]:
        out[f"{name}_p_alive"] = np.asarray(model.conditional_probability_alive(x, t_x, T), dtype=float)
        for t in (10, 52):
            out[f"{name}_expected_{t}"] = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T), dtype=float)
    out["gg_expected_average_profit"] = gg.conditional_expected_average_profit(x, days["monetary_value"])
    for name, model in [("bgnbd", bg), ("pareto", pnbd)]:
        clv = gg.customer_lifetime_value(model, x, t_x, T, days["monetary_value"], time=CLV_MONTHS, discount_rate=CLV_DISCOUNT, freq="W")
        out[f"{name}_clv"] = clv.values
    holdout = calibration_and_holdout_data(
        tx, "id", "date", calibration_period_end="1997-09-30", observation_period_end="1998-06-30", freq="D", monetary_value_col="dollars"
    ).reindex(summary.index)
    out["lt_frequency_holdout"] = holdout["frequency_holdout"]
    out["lt_duration_holdout_days"] = holdout["duration_holdout"]
    out.to_csv(out_dir / "cdnow_lifetimes.csv", float_format="%.17g")

    rows = []
    w = np.ones(len(x))
    rows.append(("bgnbd", "log_likelihood", 0, -len(x) * BetaGeoFitter._negative_log_likelihood(np.log(list(BGNBD.values())), x.values, t_x.values, T.values, w, 0.0)))
    rows.append(("mbgnbd", "log_likelihood", 0, -len(x) * ModifiedBetaGeoFitter._negative_log_likelihood(np.log(list(BGNBD.values())), x.values, t_x.values, T.values, w, 0.0)))
    # lifetimes' Pareto/NBD objective takes the parameters themselves (not their logs) and divides by the mean weight,
    # so with unit weights it is already a total.
    rows.append(("pareto", "log_likelihood", 0, -ParetoNBDFitter._negative_log_likelihood(np.array(list(PARETO.values())), x.values, t_x.values, T.values, w, 0.0)))
    for name, model in [("bgnbd", bg), ("mbgnbd", mbg), ("pareto", pnbd)]:
        for t in (1.0, 10.0, 39.0, 78.0):
            rows.append((name, "expected_purchases", t, float(model.expected_number_of_purchases_up_to_time(t))))
    # lifetimes' own maximum-likelihood fits (penalizer 0) on the CDNOW summary.
    fits = [
        ("bgnbd", BetaGeoFitter().fit(x, t_x, T)),
        ("mbgnbd", ModifiedBetaGeoFitter().fit(x, t_x, T)),
        ("pareto", ParetoNBDFitter().fit(x, t_x, T)),
    ]
    repeat = days["frequency"] > 0
    fits.append(("gamma_gamma", GammaGammaFitter().fit(days["frequency"][repeat], days["monetary_value"][repeat])))
    # The same with penalizer_coef 0.01, where lifetimes' penalty has the form churnlens documents (not Pareto/NBD's).
    penalised = [
        ("bgnbd", BetaGeoFitter(penalizer_coef=0.01).fit(x, t_x, T)),
        ("mbgnbd", ModifiedBetaGeoFitter(penalizer_coef=0.01).fit(x, t_x, T)),
        ("gamma_gamma", GammaGammaFitter(penalizer_coef=0.01).fit(days["frequency"][repeat], days["monetary_value"][repeat])),
    ]
    for name, fitter in penalised:
        for param, value in fitter.params_.items():
            rows.append((name, f"penalised_fitted_{param}", 0.01, float(value)))
    for name, fitter in fits:
        for param, value in fitter.params_.items():
            rows.append((name, f"fitted_{param}", 0, float(value)))
        # Standard errors from autograd's exact Hessian (BG/NBD, MBG/NBD, Gamma-Gamma; the Pareto/NBD fitter has none).
        if name != "pareto":
            for param, value in fitter.standard_errors_.items():
                rows.append((name, f"standard_error_{param}", 0, float(value)))
    pd.DataFrame(rows, columns=["model", "quantity", "t", "value"]).to_csv(out_dir / "cdnow_lifetimes_population.csv", index=False, float_format="%.17g")

    # Cohort tracking over 78 weeks from the first CDNOW purchase: daily periods counted in weeks (freq_multiplier=7).
    cumulative = expected_cumulative_transactions(bg, tx, "date", "id", 78 * 7, freq="D", freq_multiplier=7)
    cumulative.index = cumulative.index + 1
    cumulative.index.name = "week"
    cumulative.to_csv(out_dir / "cdnow_lifetimes_cumulative.csv", float_format="%.17g")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "../shared/data/cdnow", root / "crates/churnlens-models/tests/fixtures")
