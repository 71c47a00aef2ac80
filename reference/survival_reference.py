"""Reference values for churnlens's survival analysis (issue #7), computed
with lifelines on the IBM Telco customer churn data.

    python3 -m venv ~/.cache/churnlens/ref-venv-survival
    ~/.cache/churnlens/ref-venv-survival/bin/pip install -r reference/requirements-survival.txt
    ~/.cache/churnlens/ref-venv-survival/bin/python reference/survival_reference.py \
        ../shared/data/telco/Telco-Customer-Churn.csv \
        crates/churnlens-models/tests/fixtures/survival_telco.json

Pinned versions: lifelines 0.30.3, pandas 2.3.3, numpy 2.4.6, scipy 1.17.1
(reference/requirements-survival.txt), Python 3.11.

Data: duration = `tenure` in months, event = `Churn == "Yes"`. All 7,043
customers are kept, including the 11 with tenure 0 (none of them churned):
lifelines keeps them as censored at time 0, where they are in no risk set of
an event time, so they change no estimate; churnlens keeps them too.

Cox model (lifelines CoxPHFitter defaults: Efron ties, no penalizer) on the
covariates below, which converges cleanly in a few Newton steps:
MonthlyCharges, SeniorCitizen (0/1), Contract (baseline Month-to-month),
PaperlessBilling (baseline No), InternetService (baseline DSL). Dummy
columns are named `Column[level]`. The proportional-hazards test is
lifelines `proportional_hazard_test(cph, df, time_transform="rank")`. The
same model is also fitted with `penalizer=0.1` (an L2 penalty, l1_ratio 0).

Writes one JSON file; Python is never a runtime or test dependency of
churnlens: the output is committed as a fixture. Infinite medians (curves that
never reach 0.5) are written as null.
"""
import json
import math
import sys

import lifelines
import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter, NelsonAalenFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test, proportional_hazard_test

TIMES = [12.0, 24.0, 36.0, 48.0, 60.0, 72.0]
DUMMIES = {"Contract": "Month-to-month", "PaperlessBilling": "No", "InternetService": "DSL"}


def finite(x: float):
    x = float(x)
    return x if math.isfinite(x) else None


def kaplan_meier(durations: pd.Series, events: pd.Series) -> dict:
    kmf = KaplanMeierFitter().fit(durations, events)
    ci = kmf.confidence_interval_survival_function_
    # The step function at the chosen times: the last timeline point at or before t.
    ci_at = ci.reindex(TIMES, method="ffill")
    return {
        "n": int(len(durations)),
        "events": int(events.sum()),
        "median": finite(kmf.median_survival_time_),
        "survival": [float(v) for v in kmf.survival_function_at_times(TIMES).values],
        "lower": [float(v) for v in ci_at.iloc[:, 0].values],
        "upper": [float(v) for v in ci_at.iloc[:, 1].values],
    }


def main(csv_path: str, out_path: str) -> None:
    raw = pd.read_csv(csv_path)
    durations = raw["tenure"].astype(float)
    events = (raw["Churn"] == "Yes").astype(int)

    out = {
        "source": "reference/survival_reference.py",
        "versions": {"lifelines": lifelines.__version__, "pandas": pd.__version__, "numpy": np.__version__},
        "times": TIMES,
    }

    out["kaplan_meier"] = {"all": kaplan_meier(durations, events)}
    for level in sorted(raw["Contract"].unique()):
        mask = raw["Contract"] == level
        out["kaplan_meier"]["Contract=" + level] = kaplan_meier(durations[mask], events[mask])

    naf = NelsonAalenFitter().fit(durations, events)
    out["nelson_aalen"] = {
        "cumulative_hazard": [float(v) for v in naf.cumulative_hazard_at_times(TIMES).values],
    }

    k = multivariate_logrank_test(durations, raw["Contract"], events)
    out["logrank_contract"] = {"statistic": float(k.test_statistic), "df": int(k.degrees_of_freedom), "p_value": float(k.p_value)}
    yes = raw["PaperlessBilling"] == "Yes"
    two = logrank_test(durations[yes], durations[~yes], events[yes], events[~yes])
    out["logrank_paperless"] = {"statistic": float(two.test_statistic), "df": int(two.degrees_of_freedom), "p_value": float(two.p_value)}

    df = pd.DataFrame({"tenure": durations, "churn": events, "MonthlyCharges": raw["MonthlyCharges"].astype(float), "SeniorCitizen": raw["SeniorCitizen"].astype(float)})
    for column, baseline in DUMMIES.items():
        for level in sorted(raw[column].unique()):
            if level != baseline:
                df[f"{column}[{level}]"] = (raw[column] == level).astype(float)
    cph = CoxPHFitter().fit(df, duration_col="tenure", event_col="churn")
    s = cph.summary
    covariates = list(s.index)
    out["cox"] = {
        "covariates": covariates,
        "coef": [float(v) for v in s["coef"]],
        "hazard_ratio": [float(v) for v in s["exp(coef)"]],
        "se": [float(v) for v in s["se(coef)"]],
        "z": [float(v) for v in s["z"]],
        "p_value": [float(v) for v in s["p"]],
        "coef_lower": [float(v) for v in s["coef lower 95%"]],
        "coef_upper": [float(v) for v in s["coef upper 95%"]],
        "hazard_ratio_lower": [float(v) for v in s["exp(coef) lower 95%"]],
        "hazard_ratio_upper": [float(v) for v in s["exp(coef) upper 95%"]],
        "log_partial_likelihood": float(cph.log_likelihood_),
        "concordance": float(cph.concordance_index_),
    }
    ph = proportional_hazard_test(cph, df, time_transform="rank")
    ph_summary = ph.summary.loc[covariates]
    out["cox"]["ph_test"] = {
        "time_transform": "rank",
        "statistic": [float(v) for v in ph_summary["test_statistic"]],
        "p_value": [float(v) for v in ph_summary["p"]],
    }

    # The L2 penalty lifelines applies (l1_ratio 0): n * penalizer * ||beta||^2 / 2 on the standardised coefficients.
    penalized = CoxPHFitter(penalizer=0.1).fit(df, duration_col="tenure", event_col="churn")
    out["cox_penalized"] = {
        "penalizer": 0.1,
        "coef": [float(v) for v in penalized.params_[covariates]],
        "se": [float(v) for v in penalized.standard_errors_[covariates]],
        "log_partial_likelihood": float(penalized.log_likelihood_),
    }

    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
