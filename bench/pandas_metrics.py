"""The pandas side of the metrics benchmark: monthly churn and retention,
the cohort matrix, lifecycle counts and the engagement score distribution
(W = 90 days, Asia/Shanghai days)
from the orders table churnlens stored, so both sides start from the same
Parquet files.

The computations are the ones in reference/metrics_reference.py, which the
tests use as the independent reference, so the two sides compute the same
numbers.
"""
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
import metrics_reference as ref  # noqa: E402


def main() -> None:
    table_dir = Path(sys.argv[1])
    frame = pd.read_parquet(table_dir, columns=["customer_id", "order_time", "amount"])
    orders = pd.DataFrame({
        "customer": frame["customer_id"],
        "day": frame["order_time"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).dt.normalize(),
        "amount": frame["amount"].fillna(0.0),
    })
    spans = ref.month_spans(orders["day"].min(), orders["day"].max())
    periods = ref.periods(orders, spans)
    cohorts = ref.cohorts(orders, spans)
    lifecycle = ref.lifecycle(orders, spans)
    engagement = ref.engagement(orders, spans)
    print(len(periods), len(cohorts), len(lifecycle), len(engagement))


if __name__ == "__main__":
    main()
