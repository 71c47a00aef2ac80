"""The pandas + scipy side of the segmentation benchmark: what
`churnlens segment rfm` and `churnlens segment drivers` compute, from the
Parquet files churnlens stored (orders and customers), in one process.

* RFM as crates/churnlens-models/src/segment/base.rs defines it: local days
  in Asia/Shanghai; as-of A = the day after the last order day; a purchase
  is a row with amount >= 0 or blank; R = days from the last purchase,
  F = distinct order ids of purchases, M = every row's amount rounded to
  the cent, summed (refunds netted); quintile scores by
  `qcut(rank(method="first"))`; the eight segments against the mean;
  churned = last purchase + 90 days <= A. Per segment: customers, churned,
  revenue.
* Drivers: every customers column except the id, identifier-like ones
  (name, phone) and the signup date, plus the per-customer mean of each
  non-canonical numeric orders column (配送天数); text columns as levels
  ("(blank)" for blanks, "(unknown)" for customers missing from the table),
  numeric ones in quintile bands (`qcut(duplicates="drop")`); per level the
  churn rate and its Wilson 95% interval; per attribute scipy's
  `chi2_contingency` (Yates on 2 × 2 tables) and Cramér's V; for numeric
  ones the churned and retained means and `mannwhitneyu`.

    python bench/pandas_segment.py WORKSPACE [OUT.json]

Writes the segment rows and the attribute statistics as JSON (to OUT.json
when given) so bench/run.py can check both sides agree.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pandas as pd
from scipy.stats import chi2_contingency, mannwhitneyu

W = 90
TZ = "Asia/Shanghai"
EIGHT = {  # (R high, F high, M high) -> label, as reference/diagnosis_reference.py
    (True, True, True): "important value",
    (True, False, True): "important development",
    (False, True, True): "important retain",
    (False, False, True): "important win-back",
    (True, True, False): "general value",
    (True, False, False): "general development",
    (False, True, False): "general retain",
    (False, False, False): "general win-back",
}
CANONICAL_ORDERS = {"order_id", "customer_id", "order_time", "amount", "quantity", "channel", "status", "refund", "discount", "margin", "cost"}
SKIP = {"customer_id", "name", "phone", "signup_date"}
EPOCH = 719163  # date(1970, 1, 1).toordinal()


def local_days(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()


def wilson(k: np.ndarray, n: np.ndarray, z: float = 1.959963984540054) -> tuple[np.ndarray, np.ndarray]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def main() -> None:
    workspace = Path(sys.argv[1])
    out = {}
    orders_dir = workspace / "tables" / "orders" / "v1"
    fields = pq.ParquetDataset(orders_dir).schema
    extra = [f.name for f in fields if f.name not in CANONICAL_ORDERS and pd.api.types.is_numeric_dtype(f.type.to_pandas_dtype())]
    orders = pd.read_parquet(orders_dir, columns=["customer_id", "order_id", "order_time", "amount", *extra])
    orders = orders[orders["customer_id"].notna() & orders["order_time"].notna()]
    orders["day"] = local_days(orders["order_time"])
    as_of = orders["day"].max() + pd.Timedelta(days=1)
    orders["cents"] = (orders["amount"].fillna(0.0) * 100).round()
    purchase = orders["amount"].isna() | (orders["amount"] >= 0)
    purchases = orders[purchase]
    per = purchases.groupby("customer_id").agg(last=("day", "max"), frequency=("order_id", "nunique"))
    per["monetary"] = orders.groupby("customer_id")["cents"].sum().reindex(per.index) / 100.0
    per["recency"] = (as_of - per["last"]).dt.days
    per["R"] = pd.qcut(per["recency"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1]).astype(int)
    per["F"] = pd.qcut(per["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    per["M"] = pd.qcut(per["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    high = zip(per["recency"] < per["recency"].mean(), per["frequency"] > per["frequency"].mean(), per["monetary"] > per["monetary"].mean())
    per["segment"] = [EIGHT[key] for key in high]
    per["churned"] = per["last"] + pd.Timedelta(days=W) <= as_of
    summary = per.groupby("segment").agg(customers=("churned", "size"), churned=("churned", "sum"), revenue=("monetary", "sum"))
    out["as_of"] = as_of.strftime("%Y-%m-%d")
    out["segments"] = {s: {"customers": int(r.customers), "churned": int(r.churned), "revenue": float(r.revenue)} for s, r in summary.iterrows()}

    churned = per["churned"]
    customers = pd.read_parquet(workspace / "tables" / "customers" / "v1").drop_duplicates("customer_id").set_index("customer_id")
    attributes = {}
    columns = {c: customers[c].reindex(per.index) for c in customers.columns if c not in SKIP}
    # Two decimals rounded half away from zero, as churnlens rounds the means (numpy's round is half to even).
    means = purchases.groupby("customer_id")[extra].mean()
    behaviour = (np.sign(means) * np.floor(means.abs() * 100.0 + 0.5) / 100.0).reindex(per.index)
    for c in extra:
        columns[f"{c} (mean per order)"] = behaviour[c]
    for name, values in columns.items():
        present = values.index.isin(customers.index) if name in customers.columns else np.ones(len(values), bool)
        if pd.api.types.is_numeric_dtype(values) or values.dtype == object and values.map(lambda v: hasattr(v, "toordinal")).any():
            # Dates as days since 1970-01-01, as churnlens reads them.
            numbers = values.map(lambda v: v.toordinal() - EPOCH if hasattr(v, "toordinal") else v).astype(float)
            levels = pd.qcut(numbers, 5, duplicates="drop").astype(str).where(numbers.notna(), "(blank)")
            x, y = numbers[churned & numbers.notna()], numbers[~churned & numbers.notna()]
            test = mannwhitneyu(x, y, method="asymptotic")
            extra_stats = {"mean_churned": float(x.mean()), "mean_retained": float(y.mean()), "mann_whitney_p": float(test.pvalue), "numeric": True}
        else:
            levels = values.fillna("(blank)").where(values.fillna("").str.strip() != "", "(blank)").where(present, "(unknown)")
            extra_stats = {"numeric": False}
        table = pd.crosstab(levels, churned).reindex(columns=[False, True], fill_value=0)
        n, k = table.sum(axis=1).to_numpy(), table[True].to_numpy()
        lower, upper = wilson(k, n)
        chi = chi2_contingency(table.to_numpy())
        plain = chi2_contingency(table.to_numpy(), correction=False)
        v = float(np.sqrt(plain.statistic / (table.to_numpy().sum() * (min(table.shape) - 1))))
        attributes[name] = {
            "levels": {str(level): {"customers": int(a), "churned": int(b), "rate": float(b / a), "lower": float(lo), "upper": float(up)}
                       for level, a, b, lo, up in zip(table.index, n, k, lower, upper)},
            "chi_square": float(chi.statistic), "dof": int(chi.dof), "p_value": float(chi.pvalue), "cramers_v": v, **extra_stats,
        }
    out["attributes"] = attributes
    text = json.dumps(out, ensure_ascii=False, indent=1)
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(text, encoding="utf-8")
    print(len(out["segments"]), len(attributes))


if __name__ == "__main__":
    main()
