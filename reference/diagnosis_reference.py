"""Reference values for churnlens's segmentation and churn diagnosis
(issue #4), computed with scipy, statsmodels, scikit-learn, mlxtend and
pandas.

    python3.11 -m venv ~/.cache/churnlens/ref-venv-diagnosis
    ~/.cache/churnlens/ref-venv-diagnosis/bin/pip install -r reference/requirements-diagnosis.txt
    ~/.cache/churnlens/ref-venv-diagnosis/bin/python reference/diagnosis_reference.py \
        ../shared/data crates/churnlens-models/tests/fixtures

Pinned versions (reference/requirements-diagnosis.txt, Python 3.11): pandas
2.3.3, numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0, scikit-learn 1.9.1,
mlxtend 0.25.0.

Writes four JSON files; Python is never a runtime or test dependency of
churnlens: the outputs are committed as fixtures.

diagnosis_telco.json (Telco-Customer-Churn.csv, 7,043 customers, churned =
`Churn == "Yes"`):
* churn rate per level of Contract, InternetService, PaymentMethod and a
  tenure band with bins (−1, 12], (12, 24], (24, 48], (48, 72] months
  (labels 0-12, 13-24, 25-48, 49-72; `pd.cut`, right-closed), the rate also
  rounded to 4 decimals; the Wilson 95% interval from statsmodels
  `proportion_confint(method="wilson")`;
* `scipy.stats.chi2_contingency` of the levels (rows, sorted) × [No, Yes]
  (columns) table with its default correction (Yates on 2 × 2 only) and with
  `correction=False`, for the four attributes above and the 2 × 2
  PaperlessBilling and gender; Cramér's V from
  `scipy.stats.contingency.association(method="cramer")`;
* `scipy.stats.mannwhitneyu(churned, retained, method="asymptotic")` (two
  sided, continuity correction) of MonthlyCharges and tenure, with the
  groups' means and medians.

diagnosis_kmeans.json: tenure, MonthlyCharges and TotalCharges, where the
11 blank TotalCharges (all customers with tenure 0, billed nothing yet) are
taken as 0; standardised with `StandardScaler`. For k = 3 and 4: initial
centres from `kmeans_plusplus(X, k, random_state=k)`, then
`KMeans(n_clusters=k, init=centres, n_init=1, algorithm="lloyd")` (default
tol 1e-4, max_iter 300): inertia, labels, centres, iterations; and
`silhouette_score(X[idx], labels[idx])` on 1,000 rows
`idx = np.random.default_rng(7).choice(n, 1000, replace=False)`. Also the
inertia of scikit-learn's own k-means++ with 10 restarts
(`KMeans(n_clusters=k, n_init=10, random_state=0)`), the bar churnlens's
seeding must reach with its own random numbers. Cluster profiles of the
raw (unstandardised) features per fitted cluster: size, means, and the
difference from the population mean in population standard deviations.

diagnosis_fpgrowth.json: 300 synthetic baskets over 15 items from
`np.random.default_rng(2024)` (independent items plus two bundles, below);
mlxtend `fpgrowth(min_support=0.05)` and
`association_rules(metric="confidence", min_threshold=0.3)` with every
metric; an infinite conviction is written as null.

diagnosis_rfm.json (CDNOW_sample.txt: id_in_master, customer_id,
YYYYMMDD, cds, dollars; each line one order): as-of = the day after the
last order; R = days since the customer's last order, F = number of lines,
M = sum of dollars (summed in whole cents so that equal totals are equal
floats). Customers in ascending customer_id (pandas groupby order), which
is the tie-break of `rank(method="first")`. Scores:
`pd.qcut(x.rank(method="first"), 5, labels=...)` with labels 5..1 for R and
1..5 for F and M; eight segments with R high = recency below the mean
(median), F and M high = above the mean (median); eleven segments from the
R score and FM = ceil((F + M)/2) on the grid documented in
crates/churnlens-models/src/stats/rfm.rs, written out independently here.

The demo mode (issue #4 acceptance on the demo data) reads the files of
`churnlens demo --no-import --customers 2000 --seed 42 --data-dir DIR` (the
demo the tests generate) and writes two more fixtures; its environment is
reference/requirements-seg.txt (the versions above plus pyarrow 22.0.0):

    ~/.cache/churnlens/ref-venv-seg/bin/python reference/diagnosis_reference.py demo DIR \
        crates/churnlens-models/tests/fixtures

diagnosis_rfm_demo.json: RFM of DIR/orders.csv as churnlens computes it on
a workspace (segment/base.rs): the import's cleaning, as-of = the day after
the last order day, a purchase = amount >= 0, F = distinct order ids of
purchases, M = all amounts (refunds netted) in whole cents; scores and
segments as for CDNOW.

diagnosis_fpgrowth_demo.json: one basket per order id of
DIR/order_items.parquet, the set of its categories; mlxtend
`fpgrowth(min_support=0.02)` and `association_rules(metric="confidence",
min_threshold=0.1)`, items named by category; and per itemset the
churned and retained customers (W = 90 days at the as-of day above) who
bought it in one order (any order row of orders.csv after cleaning, refunds
included, whose id has items), with `chi2_contingency` (Yates) of that 2 × 2
table.
"""
import json
import math
import sys
from pathlib import Path

import mlxtend
import numpy as np
import pandas as pd
import scipy
import sklearn
import statsmodels
from mlxtend.frequent_patterns import association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder
from scipy.stats import chi2_contingency, mannwhitneyu
from scipy.stats.contingency import association
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from statsmodels.stats.proportion import proportion_confint

VERSIONS = {
    "pandas": pd.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "statsmodels": statsmodels.__version__,
    "scikit-learn": sklearn.__version__,
    "mlxtend": mlxtend.__version__,
}
TENURE_BINS = [-1, 12, 24, 48, 72]
TENURE_LABELS = ["0-12", "13-24", "25-48", "49-72"]


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def chi_square(table: np.ndarray) -> dict:
    default = chi2_contingency(table)
    plain = chi2_contingency(table, correction=False)
    return {
        "table": table.tolist(),
        "dof": int(default.dof),
        "statistic": float(default.statistic),
        "p_value": float(default.pvalue),
        "statistic_uncorrected": float(plain.statistic),
        "p_value_uncorrected": float(plain.pvalue),
        "expected": default.expected_freq.tolist(),
        "cramers_v": float(association(table, method="cramer")),
    }


def telco(data: Path) -> dict:
    raw = pd.read_csv(data / "telco/Telco-Customer-Churn.csv")
    raw["TenureBand"] = pd.cut(raw["tenure"], bins=TENURE_BINS, labels=TENURE_LABELS).astype(str)
    churned = raw["Churn"] == "Yes"
    out = {"source": "reference/diagnosis_reference.py", "versions": VERSIONS, "tenure_bins": TENURE_BINS, "tenure_labels": TENURE_LABELS}
    attributes = {}
    for column in ["Contract", "InternetService", "PaymentMethod", "TenureBand", "PaperlessBilling", "gender"]:
        levels = sorted(raw[column].unique())
        rates = []
        for level in levels:
            mask = raw[column] == level
            n, k = int(mask.sum()), int((churned & mask).sum())
            lower, upper = proportion_confint(k, n, alpha=0.05, method="wilson")
            rates.append({"level": level, "n": n, "churned": k, "rate": k / n, "rate_4dp": round(k / n, 4), "wilson_lower": float(lower), "wilson_upper": float(upper)})
        table = pd.crosstab(raw[column], raw["Churn"]).loc[levels, ["No", "Yes"]].to_numpy()
        attributes[column] = {"levels": levels, "rates": rates, "chi_square": chi_square(table)}
    out["attributes"] = attributes
    tests = {}
    for column in ["MonthlyCharges", "tenure"]:
        x, y = raw.loc[churned, column].astype(float), raw.loc[~churned, column].astype(float)
        result = mannwhitneyu(x, y, method="asymptotic")
        tests[column] = {
            "u": float(result.statistic),
            "p_value": float(result.pvalue),
            "churned": {"n": int(len(x)), "mean": float(x.mean()), "median": float(x.median())},
            "retained": {"n": int(len(y)), "mean": float(y.mean()), "median": float(y.median())},
        }
    out["mann_whitney"] = tests
    return out


def profiles(features: np.ndarray, labels: np.ndarray) -> list:
    """Per cluster: size, raw feature means, and (mean − population mean) /
    population std (ddof=0), by pandas."""
    frame = pd.DataFrame(features)
    population_mean, population_std = frame.mean(), frame.std(ddof=0)
    out = []
    for cluster, group in frame.groupby(labels):
        standardised = (group.mean() - population_mean) / population_std
        out.append({
            "cluster": int(cluster),
            "size": int(len(group)),
            "cluster_mean": group.mean().tolist(),
            "population_mean": population_mean.tolist(),
            "standardised_difference": standardised.tolist(),
            "distinguishing": np.argsort(-standardised.abs().to_numpy(), kind="stable").tolist(),
        })
    return out


def kmeans(data: Path) -> dict:
    raw = pd.read_csv(data / "telco/Telco-Customer-Churn.csv")
    total = pd.to_numeric(raw["TotalCharges"].str.strip().replace("", "0"))
    features = np.column_stack([raw["tenure"].astype(float), raw["MonthlyCharges"].astype(float), total.astype(float)])
    scaler = StandardScaler().fit(features)
    x = scaler.transform(features)
    sample = np.random.default_rng(7).choice(len(x), 1000, replace=False)
    out = {
        "source": "reference/diagnosis_reference.py",
        "versions": VERSIONS,
        "features": ["tenure", "MonthlyCharges", "TotalCharges"],
        "blank_total_charges": int((raw["TotalCharges"].str.strip() == "").sum()),
        "scaler_mean": scaler.mean_.tolist(),
        "scaler_scale": scaler.scale_.tolist(),
        "silhouette_sample": sample.tolist(),
        "fits": [],
    }
    for k in [3, 4]:
        centres, _ = kmeans_plusplus(x, k, random_state=k)
        model = KMeans(n_clusters=k, init=centres, n_init=1, algorithm="lloyd").fit(x)
        out["fits"].append({
            "k": k,
            "initial_centres": centres.tolist(),
            "inertia": float(model.inertia_),
            "n_iter": int(model.n_iter_),
            "centres": model.cluster_centers_.tolist(),
            "labels": model.labels_.tolist(),
            "silhouette_on_sample": float(silhouette_score(x[sample], model.labels_[sample])),
            "kmeanspp_n_init_10_inertia": float(KMeans(n_clusters=k, n_init=10, random_state=0, algorithm="lloyd").fit(x).inertia_),
            "profiles": profiles(features, model.labels_),
        })
    return out


def baskets() -> list:
    rng = np.random.default_rng(2024)
    base = np.linspace(0.35, 0.04, 15)
    transactions = []
    for _ in range(300):
        basket = set(np.flatnonzero(rng.random(15) < base).tolist())
        # Bundle 1: buyers of item 0 often take item 3; bundle 2: items 5, 7 and 11 travel together.
        if 0 in basket and rng.random() < 0.6:
            basket.add(3)
        if rng.random() < 0.15:
            basket.update([5, 7, 11] if rng.random() < 0.7 else [5, 7])
        transactions.append(sorted(basket))
    return transactions


def fp(min_support: float = 0.05, min_confidence: float = 0.3) -> dict:
    transactions = baskets()
    encoder = TransactionEncoder()
    frame = pd.DataFrame(encoder.fit(transactions).transform(transactions), columns=encoder.columns_)
    frame = frame.reindex(columns=list(range(15)), fill_value=False)
    frequent = fpgrowth(frame, min_support=min_support, use_colnames=True)
    rules = association_rules(frequent, num_itemsets=len(transactions), metric="confidence", min_threshold=min_confidence)
    metrics = ["antecedent support", "consequent support", "support", "confidence", "lift", "leverage", "conviction", "zhangs_metric", "jaccard", "certainty", "kulczynski"]
    return {
        "source": "reference/diagnosis_reference.py",
        "versions": VERSIONS,
        "min_support": min_support,
        "min_confidence": min_confidence,
        "transactions": transactions,
        "itemsets": [{"items": sorted(int(i) for i in row.itemsets), "support": float(row.support)} for row in frequent.itertuples()],
        "rules": [
            {"antecedent": sorted(int(i) for i in r["antecedents"]), "consequent": sorted(int(i) for i in r["consequents"]), **{m: finite_or_none(r[m]) for m in metrics}}
            for _, r in rules.iterrows()
        ],
    }


ELEVEN = {  # R score -> the segment for FM = 1..5 (see src/stats/rfm.rs)
    5: ["New", "Potential loyalist", "Loyal", "Champions", "Champions"],
    4: ["Promising", "Potential loyalist", "Loyal", "Champions", "Champions"],
    3: ["About to sleep", "Need attention", "Need attention", "Loyal", "Loyal"],
    2: ["Hibernating", "Hibernating", "At risk", "At risk", "Can't lose"],
    1: ["Lost", "Lost", "At risk", "Can't lose", "Can't lose"],
}
EIGHT = {  # (R high, F high, M high) -> label
    (True, True, True): "important value",
    (True, False, True): "important development",
    (False, True, True): "important retain",
    (False, False, True): "important win-back",
    (True, True, False): "general value",
    (True, False, False): "general development",
    (False, True, False): "general retain",
    (False, False, False): "general win-back",
}


def scored(per: pd.DataFrame) -> pd.DataFrame:
    """Quintile scores and the segments of customers with `recency`,
    `frequency` and `monetary` columns, in ascending customer_id order."""
    per["R"] = pd.qcut(per["recency"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1]).astype(int)
    per["F"] = pd.qcut(per["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    per["M"] = pd.qcut(per["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    for name, centre in [("mean", lambda s: s.mean()), ("median", lambda s: s.median())]:
        r_high = per["recency"] < centre(per["recency"])
        f_high = per["frequency"] > centre(per["frequency"])
        m_high = per["monetary"] > centre(per["monetary"])
        per["segment_" + name] = [EIGHT[key] for key in zip(r_high, f_high, m_high)]
    fm = np.ceil((per["F"] + per["M"]) / 2).astype(int)
    per["eleven"] = [ELEVEN[r][f - 1] for r, f in zip(per["R"], fm)]
    return per


def rfm_payload(per: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    return {
        "source": "reference/diagnosis_reference.py",
        "versions": VERSIONS,
        "as_of": as_of.strftime("%Y-%m-%d"),
        "customers": [
            {"customer_id": cid, "recency": int(row.recency), "frequency": int(row.frequency), "monetary": float(row.monetary), "r": int(row.R), "f": int(row.F), "m": int(row.M),
             "segment_mean": row.segment_mean, "segment_median": row.segment_median, "eleven": row.eleven}
            for cid, row in per.iterrows()
        ],
    }


def rfm(data: Path) -> dict:
    orders = pd.read_csv(data / "cdnow/CDNOW_sample.txt", sep=r"\s+", header=None, names=["id_in_master", "customer_id", "date", "cds", "dollars"], dtype={"customer_id": str, "date": str})
    orders["date"] = pd.to_datetime(orders["date"], format="%Y%m%d")
    orders["cents"] = (orders["dollars"] * 100).round().astype(np.int64)
    as_of = orders["date"].max() + pd.Timedelta(days=1)
    per = orders.groupby("customer_id").agg(last=("date", "max"), frequency=("date", "size"), cents=("cents", "sum"))
    per["recency"] = (as_of - per["last"]).dt.days
    per["monetary"] = per["cents"] / 100.0
    return rfm_payload(scored(per), as_of)


def load_demo_orders(path: Path) -> pd.DataFrame:
    """The demo orders file, cleaned by the rules churnlens's import applies
    to it (as reference/metrics_reference.py `load_demo`): rows with a
    missing field, an unparsable amount or time, or a repeated order id are
    rejected; ¥ signs are stripped. Times are Beijing wall-clock times read
    in Asia/Shanghai, so the local day is the date as written."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    complete = (raw[list(raw.columns)] != "").all(axis=1)
    amount = pd.to_numeric(raw["实付金额"].str.replace("¥", "", regex=False), errors="coerce")
    time = pd.to_datetime(raw["下单时间"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    keep = complete & amount.notna() & time.notna()
    frame = pd.DataFrame({"order_id": raw["订单号"], "customer_id": raw["客户编号"], "day": time.dt.normalize(), "amount": amount})[keep]
    return frame[~frame["order_id"].duplicated(keep="first")]


def rfm_demo(demo: Path) -> dict:
    """RFM of the demo orders as churnlens defines it on a workspace
    (crates/churnlens-models/src/segment/base.rs): as-of = the day after the
    last order day (refunds included); a purchase is a row with amount >= 0;
    R = days from the last purchase day, F = distinct order ids of
    purchases, M = every row's amount (refunds netted) rounded to the cent
    and summed in whole cents; only customers with a purchase."""
    orders = load_demo_orders(demo / "orders.csv")
    as_of = orders["day"].max() + pd.Timedelta(days=1)
    orders["cents"] = (orders["amount"] * 100).round().astype(np.int64)
    purchases = orders[orders["amount"] >= 0]
    per = purchases.groupby("customer_id").agg(last=("day", "max"), frequency=("order_id", "nunique"))
    per["cents"] = orders.groupby("customer_id")["cents"].sum().reindex(per.index)
    per["recency"] = (as_of - per["last"]).dt.days
    per["monetary"] = per["cents"] / 100.0
    return rfm_payload(scored(per), as_of)


def demo_baskets(demo: Path) -> list:
    """One basket per order id of order_items.parquet: the set of its
    categories (an order with two lines of one category holds it once)."""
    items = pd.read_parquet(demo / "order_items.parquet", columns=["order_id", "category"]).dropna()
    return [sorted(set(group)) for _, group in items.groupby("order_id")["category"]]


def contrasts(demo: Path, itemsets: list) -> list:
    """Per itemset: churned and retained customers (window rule, W = 90 days,
    at the RFM as-of day) who bought all its items in one order, and
    scipy's chi2_contingency (Yates) of bought / not × churned / retained."""
    orders = load_demo_orders(demo / "orders.csv")
    as_of = orders["day"].max() + pd.Timedelta(days=1)
    last = orders[orders["amount"] >= 0].groupby("customer_id")["day"].max()
    churned = (last + pd.Timedelta(days=90) <= as_of)
    items = pd.read_parquet(demo / "order_items.parquet", columns=["order_id", "category"]).dropna()
    baskets = items.groupby("order_id")["category"].agg(frozenset)
    per_order = orders[["order_id", "customer_id"]].join(baskets.rename("basket"), on="order_id", how="inner")
    per_order = per_order[per_order["customer_id"].isin(churned.index)]
    out = []
    for itemset in itemsets:
        wanted = frozenset(itemset)
        buyers = set(per_order.loc[per_order["basket"].map(wanted.issubset), "customer_id"])
        bought = churned.index.isin(list(buyers))
        cb, rb = int((bought & churned).sum()), int((bought & ~churned).sum())
        c, r = int(churned.sum()), int((~churned).sum())
        test = chi2_contingency([[cb, c - cb], [rb, r - rb]])
        out.append({"items": sorted(itemset), "churned_buyers": cb, "churned": c, "retained_buyers": rb, "retained": r,
                    "chi_square": float(test.statistic), "p_value": float(test.pvalue)})
    return out


def fp_demo(demo: Path, min_support: float = 0.02, min_confidence: float = 0.1) -> dict:
    """mlxtend FP-growth and association rules over the demo's order
    baskets of categories; itemsets and rules named by category, rules
    sorted by (antecedent, consequent) so the file does not depend on set
    hashing; and the churned-vs-retained contrast of every itemset."""
    transactions = demo_baskets(demo)
    encoder = TransactionEncoder()
    frame = pd.DataFrame(encoder.fit(transactions).transform(transactions), columns=encoder.columns_)
    frequent = fpgrowth(frame, min_support=min_support, use_colnames=True)
    rules = association_rules(frequent, num_itemsets=len(transactions), metric="confidence", min_threshold=min_confidence)
    metrics = ["antecedent support", "consequent support", "support", "confidence", "lift", "leverage", "conviction"]
    return {
        "source": "reference/diagnosis_reference.py",
        "versions": VERSIONS,
        "min_support": min_support,
        "min_confidence": min_confidence,
        "transactions": len(transactions),
        "itemsets": [{"items": sorted(row.itemsets), "support": float(row.support)} for row in frequent.itertuples()],
        "rules": [
            {"antecedent": sorted(r["antecedents"]), "consequent": sorted(r["consequents"]), **{m: finite_or_none(r[m]) for m in metrics}}
            for _, r in sorted(rules.iterrows(), key=lambda ir: (sorted(ir[1]["antecedents"]), sorted(ir[1]["consequents"])))
        ],
        "contrasts": contrasts(demo, [sorted(row.itemsets) for row in frequent.itertuples()]),
    }


def dump(payload: dict) -> str:
    """One top-level key a line; a list of lists or objects, or an object of
    objects, one element a line."""
    compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    lines = []
    for key, value in payload.items():
        if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
            lines.append(f" {compact(key)}: [\n" + ",\n".join("  " + compact(v) for v in value) + "\n ]")
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            lines.append(f" {compact(key)}: {{\n" + ",\n".join(f"  {compact(k)}: {compact(v)}" for k, v in value.items()) + "\n }")
        else:
            lines.append(f" {compact(key)}: {compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(data: str, out_dir: str) -> None:
    data, out = Path(data), Path(out_dir)
    for name, payload in [("diagnosis_telco.json", telco(data)), ("diagnosis_kmeans.json", kmeans(data)), ("diagnosis_fpgrowth.json", fp()), ("diagnosis_rfm.json", rfm(data))]:
        (out / name).write_text(dump(payload))
        print("wrote", out / name)


def main_demo(demo: str, out_dir: str) -> None:
    demo, out = Path(demo), Path(out_dir)
    for name, payload in [("diagnosis_rfm_demo.json", rfm_demo(demo)), ("diagnosis_fpgrowth_demo.json", fp_demo(demo))]:
        (out / name).write_text(dump(payload))
        print("wrote", out / name)


if __name__ == "__main__":
    if sys.argv[1] == "demo":
        main_demo(*sys.argv[2:])
    else:
        main(*sys.argv[1:])
