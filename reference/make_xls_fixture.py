"""Writes crates/churnlens-ingest/tests/fixtures/orders.xls, a legacy Excel
(BIFF8) workbook that the Rust side cannot write itself, for the .xls reader
test. Run with xlwt from PyPI in a scratch virtual environment:

    python3 -m venv /tmp/xlsvenv && /tmp/xlsvenv/bin/pip install xlwt==1.3.0
    /tmp/xlsvenv/bin/python reference/make_xls_fixture.py

The workbook has a first sheet "说明" (notes) and a sheet "订单" with the
same two orders the other format tests use: O1/C1 at 2024-01-05 10:30 for
1234.5 (a real date cell) and O2/C2 on 2024-01-06 (text) for 88.
"""
import datetime
import pathlib

import xlwt

out = pathlib.Path(__file__).resolve().parent.parent / "crates/churnlens-ingest/tests/fixtures/orders.xls"
book = xlwt.Workbook(encoding="utf-8")
book.add_sheet("说明").write(0, 0, "not data")
sheet = book.add_sheet("订单")
for col, header in enumerate(["订单号", "客户编号", "下单时间", "实付金额"]):
    sheet.write(0, col, header)
date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
sheet.write(1, 0, "O1")
sheet.write(1, 1, "C1")
sheet.write(1, 2, datetime.datetime(2024, 1, 5, 10, 30), date_style)
sheet.write(1, 3, 1234.5)
sheet.write(2, 0, "O2")
sheet.write(2, 1, "C2")
sheet.write(2, 2, "2024-01-06")
sheet.write(2, 3, 88)
book.save(str(out))
print(out)
