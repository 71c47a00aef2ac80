//! Every validation class: what is rejected, why, where it is reported, and
//! that nothing is lost silently. Also the workspace's atomicity.

mod common;

use arrow::array::AsArray;
use arrow::datatypes::{Date32Type, Float64Type, TimestampMicrosecondType};
use churnlens_core::Table;
use churnlens_ingest::{IngestError, UnknownCustomers, Workspace};
use common::*;

#[test]
fn every_rejected_row_is_counted_reported_and_written_out() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let path = write(
        dir.path(),
        "orders.csv",
        "订单号,客户编号,下单时间,实付金额,数量\n\
         O1,C1,2024-01-05 10:30:00,100,1\n\
         O2,C1,2024-13-45 10:00:00,50,1\n\
         O3,C2,2024-01-07 09:00:00,N/A金额,1\n\
         O4,C2,2024-01-08 09:00:00\n\
         O1,C3,2024-01-09 09:00:00,70,1\n\
         O5,,2024-01-10 09:00:00,70,1\n\
         O6,C3,2031-01-01 09:00:00,70,1\n\
         O7,C3,2024-01-11 09:00:00,-30,1\n\
         O8,C4,2024-01-12 09:00:00,\"1,000\",x\n",
    );
    let report = import(&ws, &path, &options(Table::Orders)).unwrap();
    assert_eq!(report.rows_read, 9);
    assert_eq!(report.rows_accepted, 2, "{:?}", report.rejects_preview);
    assert_eq!(report.rows_rejected, 7);
    for (code, n) in [
        ("unparsable_value", 3), // bad date (line 3), bad amount (line 4), quantity "x" (line 10)
        ("ragged_row", 1),       // line 5
        ("duplicate_id", 1),     // O1 again on line 6
        ("missing_value", 1),    // blank customer on line 7
        ("future_date", 1),      // 2031 on line 8
    ] {
        assert_eq!(reason_count(&report, code), n, "{code}: {:?}", report.rejected_by_reason);
    }
    // Refunds are kept and counted, not rejected.
    assert_eq!(report.negative_amounts, 1);
    let lines: Vec<u64> = report.rejects_preview.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 10]);
    let dup = report.rejects_preview.iter().find(|r| r.reason == "duplicate_id").unwrap();
    assert!(dup.message.contains("line 2"), "{}", dup.message);
    let bad_amount = &report.rejects_preview[1];
    assert_eq!((bad_amount.column.as_str(), bad_amount.value.as_str()), ("实付金额", "N/A金额"));

    let rejects = std::fs::read_to_string(report.rejects_file.as_ref().unwrap()).unwrap();
    let mut rows = rejects.lines();
    assert_eq!(rows.next(), Some("_line,_column,_value,_reason,订单号,客户编号,下单时间,实付金额,数量"));
    assert_eq!(rows.count(), 7);
    assert!(rejects.contains("4,实付金额,N/A金额,not a valid amount,O3,C2,2024-01-07 09:00:00,N/A金额,1"), "{rejects}");

    let batch = concat(&read_table(&ws, "orders"));
    let ids = batch.column_by_name("order_id").unwrap().as_string::<i32>();
    assert_eq!((ids.value(0), ids.value(1)), ("O1", "O7"));
    assert_eq!(batch.column_by_name("amount").unwrap().as_primitive::<Float64Type>().value(1), -30.0);
}

#[test]
fn strict_mode_stops_at_the_first_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let path = write(dir.path(), "o.csv", "order_id,customer_id,order_time,amount\nO1,C1,2024-01-05,1\nO2,C1,2024-01-06,abc\nO3,C1,2024-01-07,\n");
    let mut opts = options(Table::Orders);
    opts.strict = true;
    let err = import(&ws, &path, &opts).unwrap_err();
    match &err {
        IngestError::Strict { line, column, value, .. } => assert_eq!((*line, column.as_str(), value.as_str()), (3, "amount", "abc")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_user_error());
    assert!(ws.dataset("orders").unwrap().is_none());
}

#[test]
fn missing_required_columns_stop_the_import_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let path = write(dir.path(), "o.csv", "客户编号,付款时刻,金额\nC1,2024-01-05,1\n");
    let err = import(&ws, &path, &options(Table::Orders)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("order_time") && text.contains("付款时刻") && text.contains("--column"), "{text}");
    let mut opts = options(Table::Orders);
    opts.columns.insert("order_time".into(), "付款时刻".into());
    assert_eq!(import(&ws, &path, &opts).unwrap().rows_accepted, 1);
}

#[test]
fn unknown_customers_are_kept_and_counted_or_rejected_by_policy() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let customers = write(dir.path(), "c.csv", "customer_id,signup_date\nC1,2023-01-01\nC2,2023-02-01\n");
    import(&ws, &customers, &options(Table::Customers)).unwrap();
    let orders = write(dir.path(), "o.csv", "order_id,customer_id,order_time,amount\nO1,C1,2024-01-05,1\nO2,C9,2024-01-06,2\nO3,C9,2024-01-07,3\n");
    let report = import(&ws, &orders, &options(Table::Orders)).unwrap();
    assert_eq!((report.rows_accepted, report.unknown_customers), (3, Some(2)));
    assert_eq!(report.unknown_customer_examples, vec!["C9"]);
    let mut opts = options(Table::Orders);
    opts.unknown_customers = UnknownCustomers::Reject;
    let report = import(&ws, &orders, &opts).unwrap();
    assert_eq!(report.rows_accepted, 1);
    assert_eq!(reason_count(&report, "unknown_customer"), 2);
}

#[test]
fn ranges_negative_amounts_outside_orders_and_booleans() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let surveys = write(dir.path(), "s.csv", "客户编号,调查时间,推荐意愿\nC1,2024-01-05,10\nC2,2024-01-05,11\nC3,2024-01-05,0\n");
    let report = import(&ws, &surveys, &options(Table::Surveys)).unwrap();
    assert_eq!((report.rows_accepted, reason_count(&report, "out_of_range")), (2, 1));
    let spend = write(dir.path(), "m.csv", "月份,渠道,花费\n2024-01,抖音,\"¥10,000\"\n2024-02,抖音,-5\n");
    let report = import(&ws, &spend, &options(Table::MarketingSpend)).unwrap();
    assert_eq!((report.rows_accepted, reason_count(&report, "negative_amount")), (1, 1));
    let batch = concat(&read_table(&ws, "marketing_spend"));
    // "2024-01" is the month's first day: 2024-01-01 = 19,723 days after 1970-01-01.
    assert_eq!(batch.column_by_name("period").unwrap().as_primitive::<Date32Type>().value(0), 19_723);
    assert_eq!(batch.column_by_name("amount").unwrap().as_primitive::<Float64Type>().value(0), 10_000.0);
    let snapshot = write(dir.path(), "t.csv", "客户编号,是否流失\nA,是\nB,否\nC,Y\nD,0\nE,maybe\n");
    let report = import(&ws, &snapshot, &options(Table::Snapshot)).unwrap();
    assert_eq!((report.rows_accepted, reason_count(&report, "unparsable_value")), (4, 1));
    let batch = concat(&read_table(&ws, "snapshot"));
    let churn = batch.column_by_name("churn").unwrap().as_boolean();
    assert_eq!((0..4).map(|i| churn.value(i)).collect::<Vec<_>>(), vec![true, false, true, false]);
}

#[test]
fn a_failed_import_leaves_the_previous_table_intact() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let good = write(dir.path(), "good.csv", "order_id,customer_id,order_time,amount\nO1,C1,2024-01-05,1\nO2,C1,2024-01-06,2\n");
    import(&ws, &good, &options(Table::Orders)).unwrap();
    let before = ws.dataset("orders").unwrap().unwrap();
    // Ambiguous day/month: the import must stop before touching the table.
    let bad = write(dir.path(), "bad.csv", "order_id,customer_id,order_time,amount\nO9,C1,01/02/2024,1\n");
    let err = import(&ws, &bad, &options(Table::Orders)).unwrap_err();
    assert!(err.to_string().contains("--date-format"), "{err}");
    let after = ws.dataset("orders").unwrap().unwrap();
    assert_eq!(before, after);
    assert_eq!(concat(&read_table(&ws, "orders")).num_rows(), 2);
    // A staging directory left by a crash does not disturb the next import.
    std::fs::create_dir_all(ws.root().join("tables/orders/v7")).unwrap();
    let report = import(&ws, &good, &options(Table::Orders)).unwrap();
    assert_eq!(report.table_rows, 2);
    assert_eq!(concat(&read_table(&ws, "orders")).num_rows(), 2);
}

#[test]
fn replace_and_append_versions() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let first = write(dir.path(), "a.csv", "order_id,customer_id,order_time,amount,note\nO1,C1,2024-01-05,1,1\n");
    let second = write(dir.path(), "b.csv", "order_id,customer_id,order_time,amount,note\nO2,C1,2024-01-06,2,2.5\nO1,C1,2024-01-06,2,3\n");
    let r1 = import(&ws, &first, &options(Table::Orders)).unwrap();
    let mut append = options(Table::Orders);
    append.append = true;
    let r2 = import(&ws, &second, &append).unwrap();
    assert_eq!(r2.version, r1.version + 1);
    assert_eq!((r2.rows_accepted, r2.table_rows), (1, 2));
    // O1 is already in the table: rejected as a duplicate of the stored row.
    assert_eq!(reason_count(&r2, "duplicate_id"), 1);
    let batch = concat(&read_table(&ws, "orders"));
    assert_eq!(batch.num_rows(), 2);
    // "note" was integer in the table and float in the new file: widened to float.
    assert_eq!(batch.column_by_name("note").unwrap().as_primitive::<Float64Type>().iter().flatten().sum::<f64>(), 3.5);
    let r3 = import(&ws, &second, &options(Table::Orders)).unwrap();
    assert_eq!(r3.table_rows, 2);
    assert_eq!(ws.imports().unwrap().len(), 3);
    // Old versions are removed once a new one is current.
    let versions: Vec<String> =
        std::fs::read_dir(ws.root().join("tables/orders")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    assert_eq!(versions, vec![format!("v{}", r3.version)]);
}

#[test]
fn time_zone_applies_to_wall_clock_times_only() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let path = write(dir.path(), "e.csv", "customer_id,event_time,event_type\nC1,2024-01-05 00:30:00,login\nC1,2024-01-05T00:30:00Z,login\n");
    let mut opts = options(Table::Events);
    opts.tz = churnlens_ingest::parse_tz("Asia/Shanghai").unwrap();
    import(&ws, &path, &opts).unwrap();
    let batch = concat(&read_table(&ws, "events"));
    let t = batch.column_by_name("event_time").unwrap().as_primitive::<TimestampMicrosecondType>();
    // 00:30 in Shanghai is 16:30 UTC the day before; the Z time is taken as given.
    let jan5 = 19_727 * 86_400_000_000i64;
    assert_eq!(t.value(0), jan5 + 1_800_000_000 - 8 * 3_600_000_000);
    assert_eq!(t.value(1), jan5 + 1_800_000_000);
    assert!(churnlens_ingest::parse_tz("Mars/Base").is_err());
}
