"""Reference values for churnlens's churn, retention, cohort and lifecycle
metrics, computed independently with pandas (vectorised per period, not the
day-sweep churnlens uses).

    python reference/metrics_reference.py cdnow ../shared/data/cdnow/CDNOW_sample.txt OUT_DIR
    python reference/metrics_reference.py demo  DEMO_DATA_DIR/orders.csv OUT_DIR

Writes OUT_DIR/{periods,cohorts,lifecycle,window,engagement}.csv. Definitions (the same as the
churnlens-metrics crate docs): W = 90 days; a purchase is an order row with
amount >= 0, several on one day are one; a gap of more than W days between
purchases ends a spell with churn date last + W; periods are calendar
months; only months ending on or before the last order day are reported.

Run with pandas 2.3.3 (bench/requirements.txt). Python is never a runtime
or test dependency of churnlens: the outputs are committed as fixtures.
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

W = 90


def load_cdnow(path: str) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "amount"], dtype={"customer": str})
    return pd.DataFrame({"customer": raw["customer"], "day": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"), "amount": raw["amount"].astype(float)})


def load_demo(path: str) -> pd.DataFrame:
    """The demo orders file, cleaned by the rules churnlens's import applies
    to it: rows with a missing field, an unparsable amount or time, or a
    repeated order id are rejected; ¥ signs are stripped. Times are Beijing
    wall-clock times and the metrics run in Asia/Shanghai, so the day is the
    date as written."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    columns = list(raw.columns)
    complete = (raw[columns] != "").all(axis=1)
    amount = pd.to_numeric(raw["实付金额"].str.replace("¥", "", regex=False), errors="coerce")
    time = pd.to_datetime(raw["下单时间"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    keep = complete & amount.notna() & time.notna()
    frame = pd.DataFrame({"order": raw["订单号"], "customer": raw["客户编号"], "day": time.dt.normalize(), "amount": amount})[keep]
    frame = frame[~frame["order"].duplicated(keep="first")]
    return frame[["customer", "day", "amount"]]


def month_spans(first: pd.Timestamp, last: pd.Timestamp) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    spans = []
    for period in pd.period_range(first.to_period("M"), last.to_period("M"), freq="M"):
        start, end = period.start_time.normalize(), period.end_time.normalize()
        if end <= last:
            spans.append((str(period), start, end))
    return spans


def spells_of(purchases: pd.DataFrame, w: int = W) -> pd.DataFrame:
    days = purchases[["customer", "day"]].drop_duplicates().sort_values(["customer", "day"])
    gap = days.groupby("customer")["day"].diff().dt.days
    days["spell"] = (gap.isna() | (gap > w)).cumsum()
    spells = days.groupby("spell").agg(customer=("customer", "first"), start=("day", "min"), last=("day", "max")).reset_index(drop=True)
    spells["churn"] = spells["last"] + pd.Timedelta(days=w)
    spells["first"] = ~spells["customer"].duplicated()
    return spells


def periods(orders: pd.DataFrame, spans, w: int = W) -> pd.DataFrame:
    spells = spells_of(orders[orders["amount"] >= 0], w)
    rows = []
    for label, start, end in spans:
        before = start - pd.Timedelta(days=1)
        base = (spells["start"] <= before) & (spells["churn"] > before)
        at_end = (spells["start"] <= end) & (spells["churn"] > end)
        churn_in = spells["churn"].between(start, end)
        start_in = spells["start"].between(start, end)
        new = int((start_in & spells["first"]).sum())
        back = int(spells.loc[start_in & ~spells["first"], "customer"].nunique())
        active_start, active_end, churned = int(base.sum()), int(at_end.sum()), int(churn_in.sum())
        retained = active_start - int((base & churn_in).sum())
        days = (end - start).days + 1
        rate = churned / active_start * 100 if active_start else np.nan
        avg = (active_start + active_end) / 2
        rows.append({
            "period": label, "active_start": active_start, "new": new, "reactivated": back, "churned": churned,
            "active_end": active_end, "retained": retained, "churn_rate_pct": rate,
            "churn_rate_avg_base_pct": churned / avg * 100 if avg else np.nan,
            "churn_rate_30d_pct": (1 - (1 - rate / 100) ** (30 / days)) * 100 if active_start and rate < 100 else np.nan,
            "retention_rate_pct": retained / active_start * 100 if active_start else np.nan,
        })
    return pd.DataFrame(rows)


def cohorts(orders: pd.DataFrame, spans) -> pd.DataFrame:
    last_label = spans[-1][0]
    purchases = orders[orders["amount"] >= 0]
    first = purchases.groupby("customer")["day"].min().dt.to_period("M").rename("cohort")
    frame = orders.join(first, on="customer").dropna(subset=["cohort"])
    frame["month"] = frame["day"].dt.to_period("M")
    frame = frame[(frame["month"] >= frame["cohort"]) & (frame["month"] <= pd.Period(last_label, "M"))]
    frame["offset"] = (frame["month"] - frame["cohort"]).apply(lambda x: x.n)
    active = frame[frame["amount"] >= 0].groupby(["cohort", "offset"])["customer"].nunique()
    revenue = frame.groupby(["cohort", "offset"])["amount"].sum()
    size = first[first <= pd.Period(last_label, "M")].value_counts().sort_index()
    rows = []
    for cohort, n in size.items():
        horizon = (pd.Period(last_label, "M") - cohort).n
        first_revenue = revenue.get((cohort, 0), 0.0)
        for k in range(horizon + 1):
            r = revenue.get((cohort, k), 0.0)
            rows.append({
                "cohort": str(cohort), "cohort_size": int(n), "period_offset": k, "period": str(cohort + k),
                "active": int(active.get((cohort, k), 0)), "retention_pct": active.get((cohort, k), 0) / n * 100,
                "revenue": r, "revenue_retention_pct": r / first_revenue * 100 if first_revenue != 0 else np.nan,
            })
    return pd.DataFrame(rows)


def lifecycle(orders: pd.DataFrame, spans) -> pd.DataFrame:
    days = orders.loc[orders["amount"] >= 0, ["customer", "day"]].drop_duplicates().sort_values(["customer", "day"])
    days["gap"] = days.groupby("customer")["day"].diff().dt.days
    spells = spells_of(orders[orders["amount"] >= 0])
    rows = []
    for label, start, end in spans:
        seen = days[days["day"] <= end]
        per = seen.groupby("customer").agg(last=("day", "max"))
        usual = seen.dropna(subset=["gap"]).groupby("customer")["gap"].median()
        per["usual"] = usual.reindex(per.index).fillna(W / 2)
        started = spells[spells["start"].between(start, end)]
        new = set(started.loc[started["first"], "customer"])
        back = set(started.loc[~started["first"], "customer"]) - new
        churn = per["last"] + pd.Timedelta(days=W)
        idle = (end - per["last"]).dt.days
        stage = np.select(
            [per.index.isin(list(new)), per.index.isin(list(back)), churn.between(start, end), churn > end],
            ["new", "reactivated", "churned", np.where(idle > per["usual"], "dormant", "retained")],
            default="lost",
        )
        counts = pd.Series(stage).value_counts()
        rows.append({"period": label, **{s: int(counts.get(s, 0)) for s in ["new", "retained", "reactivated", "dormant", "churned", "lost"]}})
    return pd.DataFrame(rows)


def window_sweep(orders: pd.DataFrame, spans, windows=(30, 60, 90, 120, 180, 270, 365), max_false_churn=0.1) -> pd.DataFrame:
    """The window sensitivity sweep: churn events by the last order day and
    how many of them bought again later, repeat gaps beyond W, the mean
    monthly churn rate, and the recommended W = the smallest W whose
    reversed churns are at most max_false_churn of its churns, found by
    building the spells for every W from 1 day up (churnlens counts instead)."""
    purchases = orders[orders["amount"] >= 0]
    as_of = orders["day"].max()
    days = purchases[["customer", "day"]].drop_duplicates().sort_values(["customer", "day"])
    gaps = days.groupby("customer")["day"].diff().dt.days.dropna().to_numpy()

    def churns(w):
        spells = spells_of(purchases, w)
        churned = spells["churn"] <= as_of
        return churned, churned & spells["customer"].duplicated(keep="last")

    recommended = int(gaps.max())
    for w in range(1, int(gaps.max()) + 1):
        churned, came_back = churns(w)
        if churned.sum() > 0 and came_back.sum() <= max_false_churn * churned.sum():
            recommended = w
            break
    rows = []
    for w in sorted(set(windows) | {recommended}):
        churned, came_back = churns(w)
        rates = periods(orders, spans, w)["churn_rate_pct"].dropna()
        rows.append({
            "window_days": w, "churned": int(churned.sum()), "came_back": int(came_back.sum()),
            "false_churn_pct": came_back.sum() / churned.sum() * 100 if churned.sum() else np.nan,
            "gaps_over_pct": (gaps > w).mean() * 100, "mean_churn_rate_pct": rates.mean(),
            "recommended": int(w == recommended),
        })
    return pd.DataFrame(rows)


def engagement(orders: pd.DataFrame, spans, w: int = W, weights=(0.35, 0.35)) -> pd.DataFrame:
    """The engagement score distribution at the end of every month, from
    orders alone (the recency and frequency components; with no events
    table their weights are rescaled to sum to 1). Each month's customers
    (those who bought by its last day E) are scored against the customers at
    the end of observation: a value's percentile is (values below + half the
    equal ones + 1/2) / n * 100 of that reference, clipped to 0-100, which
    for the reference's own values is pandas' rank(pct=True).
    Recency = -(days since the last purchase); frequency = purchase days in
    the last W days (E-W+1 .. E). Bands 0-20 ... 80-100 hold their lower bound."""
    purchases = orders.loc[orders["amount"] >= 0, ["customer", "day"]].drop_duplicates()
    as_of = orders["day"].max()

    def components(end):
        seen = purchases[purchases["day"] <= end]
        last = seen.groupby("customer")["day"].max()
        recent = seen[seen["day"] > end - pd.Timedelta(days=w)].groupby("customer").size()
        recency = -(end - last).dt.days.astype(float)
        frequency = recent.reindex(last.index, fill_value=0).astype(float)
        return recency.to_numpy(), frequency.to_numpy()

    def percentile(reference, values):
        below = np.searchsorted(reference, values, side="left")
        equal = np.searchsorted(reference, values, side="right") - below
        return np.clip((below + equal / 2 + 0.5) / len(reference) * 100, 0, 100)

    reference_r, reference_f = (np.sort(v) for v in components(as_of))
    rows = []
    for label, _start, end in spans:
        r, f = components(end)
        score = (weights[0] * percentile(reference_r, r) + weights[1] * percentile(reference_f, f)) / (weights[0] + weights[1])
        counts = np.bincount(np.minimum(np.floor(score / 20), 4).astype(int), minlength=5)
        rows.append({
            "period": label, "customers": len(score),
            **{name: int(counts[b]) for b, name in enumerate(["score_0_20", "score_20_40", "score_40_60", "score_60_80", "score_80_100"])},
            "mean_score": score.mean() if len(score) else np.nan, "median_score": np.median(score) if len(score) else np.nan,
        })
    return pd.DataFrame(rows)


def main() -> None:
    kind, source, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    orders = load_cdnow(source) if kind == "cdnow" else load_demo(source)
    spans = month_spans(orders["day"].min(), orders["day"].max())
    out.mkdir(parents=True, exist_ok=True)
    periods(orders, spans).to_csv(out / "periods.csv", index=False, float_format="%.10f")
    cohorts(orders, spans).to_csv(out / "cohorts.csv", index=False, float_format="%.10f")
    lifecycle(orders, spans).to_csv(out / "lifecycle.csv", index=False)
    window_sweep(orders, spans).to_csv(out / "window.csv", index=False, float_format="%.10f")
    engagement(orders, spans).to_csv(out / "engagement.csv", index=False, float_format="%.10f")


if __name__ == "__main__":
    main()
