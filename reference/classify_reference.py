"""Reference values for churnlens's churn classifiers and their evaluation
(issue #6), computed with scikit-learn, scipy, numpy and pandas.

    python3.11 -m venv ~/.cache/churnlens/ref-venv-classify
    ~/.cache/churnlens/ref-venv-classify/bin/pip install -r reference/requirements-classify.txt
    ~/.cache/churnlens/ref-venv-classify/bin/python reference/classify_reference.py \
        ../shared/data crates/churnlens-models/tests/fixtures

Pinned versions (reference/requirements-classify.txt, Python 3.11):
scikit-learn 1.9.1, numpy 2.4.6, pandas 2.3.3, scipy 1.17.1.

Python is never a runtime or test dependency of churnlens: the outputs are
committed as fixtures.

classify_metrics.json: three (labels, scores) cases from
`np.random.default_rng(6)`: "ties" (400 scores rounded to one decimal, so
0.0 and 1.0 occur and most scores are tied), "continuous" (300 distinct
scores) and "edges" (scores on the calibration bin edges 0.1·k). For each:
`roc_auc_score`, `average_precision_score`, `log_loss` (its own clipping),
`brier_score_loss`; at thresholds 0.3 and 0.5 (positive when
score >= threshold) `confusion_matrix`, `accuracy_score`, `precision_score`,
`recall_score`, `f1_score` (zero_division=0); `calibration_curve` with
uniform bins (5 and 10); cumulative gains and lift by decile, computed with
numpy: rows ordered by descending score (stable, ties kept in row order),
row at rank r (0-based) of n in decile floor(10·r / n).

classify_logistic.json: `LogisticRegression(C, solver="newton-cholesky",
tol=1e-12, max_iter=1000)` (L2, intercept unpenalised) on
* "synthetic": 250 rows × 4 features of very different scales from
  `default_rng(11)`, fitted raw and after `StandardScaler`, with and
  without `class_weight="balanced"`;
* "telco": Telco-Customer-Churn.csv encoded as churnlens's library path
  does for linear models (snapshot rows, then prediction/encode.rs one-hot
  with imputation): customerID left out; label Churn == "Yes";
  Yes/No columns (Partner, Dependents, PhoneService, PaperlessBilling) 1/0,
  as the importer stores them as Booleans;
  SeniorCitizen, tenure, MonthlyCharges and TotalCharges numeric, the 11
  blank TotalCharges (tenure 0: nothing billed yet) as the median of the
  others plus a 0/1 "TotalCharges_missing" column; every other column
  one-hot with every level held by at least max(1 % of rows, 10 rows) —
  all of Telco's — most frequent first, ties by name, named
  "Column=level", then an all-zero "Column=other"; columns in file order;
  all features standardised (StandardScaler leaves constant columns at 0).
Coefficients on the scale the model was fitted on (standardised or raw),
intercept, and predict_proba of the first rows.

classify_svm.json: 120 training and 30 test rows × 3 features from
`default_rng(23)`; `SVC(kernel=..., C, gamma, tol=1e-10, shrinking=True)`
linear (C = 1), RBF with gamma="scale" (C = 2) and RBF with
class_weight="balanced" (C = 0.5, gamma = 0.3): decision_function of the
training and test rows, the intercept and the number of support vectors.
Platt scaling: the sigmoid 1 / (1 + exp(A·f + B)) fitted to given decision
values with Platt's smoothed targets ((N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2)) by
`scipy.optimize.minimize(method="BFGS", gtol=1e-12)` — a different
optimiser from libsvm's Newton method, so an independent check of it.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.optimize import minimize
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def floats(values):
    return [float(v) for v in values]


def gains(labels, scores):
    n = len(labels)
    order = np.argsort(-scores, kind="stable")
    decile = (10 * np.arange(n)) // n
    ordered = labels[order]
    total = ordered.sum()
    rate = total / n
    rows, positives, cumulative_gain, lift, cumulative_lift = [], [], [], [], []
    seen_rows, seen_pos = 0, 0
    for d in range(10):
        part = ordered[decile == d]
        seen_rows += len(part)
        seen_pos += part.sum()
        rows.append(int(len(part)))
        positives.append(int(part.sum()))
        cumulative_gain.append(float(seen_pos / total))
        lift.append(float(part.mean() / rate))
        cumulative_lift.append(float((seen_pos / seen_rows) / rate))
    return {"rows": rows, "positives": positives, "cumulative_gain": cumulative_gain, "lift": lift, "cumulative_lift": cumulative_lift}


def metric_case(labels, scores):
    case = {"labels": [bool(y) for y in labels], "scores": floats(scores)}
    case["roc_auc"] = float(roc_auc_score(labels, scores))
    case["average_precision"] = float(average_precision_score(labels, scores))
    case["log_loss"] = float(log_loss(labels, scores))
    case["brier"] = float(brier_score_loss(labels, scores))
    case["at_threshold"] = []
    for threshold in (0.3, 0.5):
        predicted = (scores >= threshold).astype(int)
        tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
        case["at_threshold"].append(
            {
                "threshold": threshold,
                "tn": int(tn),
                "fp": int(fp),
                "fn": int(fn),
                "tp": int(tp),
                "accuracy": float(accuracy_score(labels, predicted)),
                "precision": float(precision_score(labels, predicted, zero_division=0)),
                "recall": float(recall_score(labels, predicted, zero_division=0)),
                "f1": float(f1_score(labels, predicted, zero_division=0)),
            }
        )
    case["calibration"] = {}
    for bins in (5, 10):
        prob_true, prob_pred = calibration_curve(labels, scores, n_bins=bins, strategy="uniform")
        case["calibration"][str(bins)] = {"fraction_positive": floats(prob_true), "mean_predicted": floats(prob_pred)}
    case["gains"] = gains(labels, scores)
    return case


def metrics_fixture():
    rng = np.random.default_rng(6)
    cases = {}
    raw = rng.beta(2, 3, 400)
    labels = (rng.random(400) < raw).astype(int)
    cases["ties"] = metric_case(labels, np.round(raw, 1))
    raw = rng.beta(2, 5, 300)
    labels = (rng.random(300) < raw).astype(int)
    cases["continuous"] = metric_case(labels, raw)
    scores = np.array([0.1 * k for k in range(11)] + [0.3, 0.5, 0.7, 0.2, 0.6] * 4)
    labels = (rng.random(len(scores)) < np.clip(scores, 0.05, 0.95)).astype(int)
    cases["edges"] = metric_case(labels, scores)
    return cases


def logistic(x, y, c, standardize, balanced):
    if standardize:
        x = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=c, solver="newton-cholesky", tol=1e-12, max_iter=1000, class_weight="balanced" if balanced else None)
    model.fit(x, y)
    return {
        "c": c,
        "standardize": standardize,
        "balanced": balanced,
        "coefficients": floats(model.coef_[0]),
        "intercept": float(model.intercept_[0]),
        "proba_first_rows": floats(model.predict_proba(x[:10])[:, 1]),
        "iterations": int(model.n_iter_[0]),
    }


def telco_features(data):
    """Telco as churnlens's library path encodes it for logistic regression
    and the SVM (prediction/snapshot.rs rows, prediction/encode.rs one-hot
    with MissingValues::Impute and the default rare-level rule)."""
    df = pd.read_csv(Path(data) / "telco/Telco-Customer-Churn.csv", dtype=str, keep_default_na=False)
    labels = (df["Churn"] == "Yes").astype(int).to_numpy()
    numeric = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]
    n = len(df)
    names, columns = [], []
    for column in df.columns:
        if column in ("customerID", "Churn"):
            continue
        values = df[column].str.strip()
        if set(values.unique()) <= {"Yes", "No"}:
            # The importer stores a Yes/No column as Boolean; the snapshot rows read it as 0/1.
            names.append(column)
            columns.append((values == "Yes").astype(float).to_numpy())
        elif column in numeric:
            present = (values != "").to_numpy()
            x = pd.to_numeric(values.where(values != "", None), errors="raise").to_numpy(dtype=float)
            names.append(column)
            columns.append(np.where(present, x, np.median(x[present])))
            if not present.all():
                names.append(f"{column}_missing")
                columns.append((~present).astype(float))
        else:
            # Levels held by at least max(1 % of rows, 10 rows), most
            # frequent first, ties by name; then "other" for the rest.
            counts = values.value_counts()
            threshold = max(0.01 * n, 10)
            levels = sorted(((level, c) for level, c in counts.items() if c >= threshold), key=lambda lc: (-lc[1], lc[0]))
            kept = [level for level, _ in levels]
            for level in kept:
                names.append(f"{column}={level}")
                columns.append((values == level).astype(float).to_numpy())
            names.append(f"{column}=other")
            columns.append((~values.isin(kept)).astype(float).to_numpy())
    return names, np.column_stack(columns), labels


def logistic_fixture(data):
    rng = np.random.default_rng(11)
    n = 250
    x = np.column_stack([rng.normal(0, 1, n), rng.normal(50, 20, n), rng.exponential(1000, n), rng.integers(0, 2, n)])
    eta = -1.0 + 0.8 * x[:, 0] + 0.03 * (x[:, 1] - 50) - 0.0006 * x[:, 2] + 0.7 * x[:, 3]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    synthetic = {
        "columns": [floats(x[:, j]) for j in range(x.shape[1])],
        "labels": [bool(v) for v in y],
        "fits": [
            logistic(x, y, 1.0, False, False),
            logistic(x, y, 1.0, True, False),
            logistic(x, y, 0.05, True, True),
            logistic(x, y, 20.0, False, True),
        ],
    }
    names, tx, ty = telco_features(data)
    telco = {
        "names": names,
        "rows": int(tx.shape[0]),
        "positives": int(ty.sum()),
        "fits": [logistic(tx, ty, 1.0, True, False), logistic(tx, ty, 0.1, True, True)],
    }
    return {"synthetic": synthetic, "telco": telco}


def platt(decision, labels):
    positives = labels.sum()
    negatives = len(labels) - positives
    target = np.where(labels == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(ab):
        z = ab[0] * decision + ab[1]
        # −log P for P = 1/(1+e^z): t·log(1+e^z) + (1−t)·log(1+e^−z)
        return float(np.sum(target * np.logaddexp(0, z) + (1 - target) * np.logaddexp(0, -z)))

    result = minimize(loss, x0=[0.0, np.log((negatives + 1) / (positives + 1))], method="BFGS", options={"gtol": 1e-12})
    return {"decision": floats(decision), "labels": [bool(v) for v in labels], "a": float(result.x[0]), "b": float(result.x[1])}


def svm_fixture():
    rng = np.random.default_rng(23)
    n, m = 120, 30
    x = rng.normal(0, 1, (n + m, 3)) * np.array([1.0, 2.0, 0.5])
    eta = x[:, 0] ** 2 + 0.8 * x[:, 1] - 1.5 * x[:, 2] - 1.0
    y = (rng.random(n + m) < 1 / (1 + np.exp(-2 * eta))).astype(int)
    train, test = x[:n], x[n:]
    fits = []
    for kernel, c, gamma, balanced in (("linear", 1.0, "scale", False), ("rbf", 2.0, "scale", False), ("rbf", 0.5, 0.3, True)):
        model = SVC(kernel=kernel, C=c, gamma=gamma, tol=1e-10, class_weight="balanced" if balanced else None)
        model.fit(train, y[:n])
        fits.append(
            {
                "kernel": kernel,
                "c": c,
                "gamma": gamma if gamma != "scale" else None,
                "gamma_used": float(model._gamma),
                "balanced": balanced,
                "decision_train": floats(model.decision_function(train)),
                "decision_test": floats(model.decision_function(test)),
                "intercept": float(model.intercept_[0]),
                "support_vectors": int(model.n_support_.sum()),
            }
        )
    platt_rng = np.random.default_rng(5)
    decision = platt_rng.normal(0, 1.5, 200)
    labels = (platt_rng.random(200) < 1 / (1 + np.exp(-1.7 * decision + 0.4))).astype(int)
    return {
        "train_columns": [floats(train[:, j]) for j in range(3)],
        "train_labels": [bool(v) for v in y[:n]],
        "test_columns": [floats(test[:, j]) for j in range(3)],
        "fits": fits,
        "platt": platt(decision, labels),
    }


def main():
    data, out = sys.argv[1], Path(sys.argv[2])
    versions = {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__}
    for name, content in (
        ("classify_metrics.json", metrics_fixture()),
        ("classify_logistic.json", logistic_fixture(data)),
        ("classify_svm.json", svm_fixture()),
    ):
        content = {"source": "reference/classify_reference.py", "versions": versions, **content}
        (out / name).write_text(json.dumps(content, indent=1) + "\n")
        print("wrote", out / name)


if __name__ == "__main__":
    main()
