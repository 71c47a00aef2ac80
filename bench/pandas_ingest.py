"""The pandas side of the ingest benchmark: read the orders CSV, write Parquet.

pandas is given the same help a user would give it: the timestamp column is
parsed as dates. Amounts with a currency sign stay text in pandas (churnlens
parses them), so pandas does less work than churnlens here, not more.
"""
import sys

import pandas as pd


def main() -> None:
    source, target, engine = sys.argv[1], sys.argv[2], sys.argv[3]
    # Rows with too many or too few fields are skipped (the planted ragged row).
    frame = pd.read_csv(source, engine=engine, parse_dates=["下单时间"], on_bad_lines="skip")
    frame.to_parquet(target, engine="pyarrow", compression="zstd", index=False)
    print(len(frame))


if __name__ == "__main__":
    main()
