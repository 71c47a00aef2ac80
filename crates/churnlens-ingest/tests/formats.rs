//! Every reader and every encoding, on small files made here whose contents
//! are known, so each stored value can be checked.

mod common;

use std::sync::Arc;

use arrow::array::{Array, AsArray, Float64Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Float64Type, Schema, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;
use churnlens_core::Table;
use churnlens_ingest::{Delimiter, ReadOptions, Workspace, inspect_file};
use common::*;

/// 2024-01-05T10:30:00 as µs since the epoch: 19,727 days + 10.5 h.
const JAN5_1030: i64 = 19_727 * 86_400_000_000 + 37_800_000_000;

fn orders_check(ws: &Workspace) {
    let batch = concat(&read_table(ws, "orders"));
    assert_eq!(batch.num_rows(), 2);
    let ids = batch.column_by_name("order_id").unwrap().as_string::<i32>();
    assert_eq!((ids.value(0), ids.value(1)), ("O1", "O2"));
    let time = batch.column_by_name("order_time").unwrap().as_primitive::<TimestampMicrosecondType>();
    assert_eq!(time.value(0), JAN5_1030);
    let amount = batch.column_by_name("amount").unwrap().as_primitive::<Float64Type>();
    assert_eq!((amount.value(0), amount.value(1)), (1234.5, 88.0));
}

#[test]
fn gbk_csv_with_chinese_headers_imports_with_no_flags() {
    let dir = tempfile::tempdir().unwrap();
    let text = "客户编号,姓名,性别,注册时间,城市,会员等级\nC001,张三,男,2024/1/5 10:30,上海,金卡\nC002,李四,女,2024/2/29 08:00,北京,普通\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let path = write(dir.path(), "customers.csv", gbk);
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let report = import(&ws, &path, &options(Table::Customers)).unwrap();
    assert_eq!(report.encoding.as_deref(), Some("GB18030"));
    assert_eq!(report.rows_accepted, 2);
    let batch = concat(&read_table(&ws, "customers"));
    assert_eq!(batch.column_by_name("city").unwrap().as_string::<i32>().value(0), "上海");
    assert_eq!(batch.column_by_name("name").unwrap().as_string::<i32>().value(1), "李四");
    assert_eq!(batch.column_by_name("会员等级").unwrap().as_string::<i32>().value(0), "金卡");
    let signup = batch.column_by_name("signup_date").unwrap().as_primitive::<TimestampMicrosecondType>();
    assert_eq!(signup.value(0), JAN5_1030);
}

#[test]
fn utf8_with_bom_tsv_semicolon_pipe_and_quoted_newlines() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    for (name, text) in [
        ("bom.csv", "\u{feff}订单号,客户编号,下单时间,实付金额\nO1,C1,2024-01-05 10:30:00,\"¥1,234.50\"\nO2,C2,2024-01-06,88\n"),
        ("tab.tsv", "订单号\t客户编号\t下单时间\t实付金额\nO1\tC1\t2024-01-05 10:30\t1234.5\nO2\tC2\t2024-01-06\t88\n"),
        ("semi.csv", "order_id;customer_id;order_date;amount\nO1;C1;2024-01-05T10:30:00;1234,50元\nO2;C2;2024-01-06;88\n"),
        ("pipe.txt", "order_id|customer_id|order_date|amount\r\nO1|C1|2024-01-05 10:30|$1234.5\r\nO2|C2|2024-01-06|88.00\r\n"),
    ] {
        let path = write(dir.path(), name, text);
        let report = import(&ws, &path, &options(Table::Orders));
        // "1234,50元" is not an amount (a comma must group three digits): the
        // semicolon file must reject that row, not misread it.
        if name == "semi.csv" {
            let report = report.unwrap();
            assert_eq!(report.rows_rejected, 1, "{name}");
            assert_eq!(reason_count(&report, "unparsable_value"), 1);
            continue;
        }
        let report = report.unwrap();
        assert_eq!(report.rows_rejected, 0, "{name}: {:?}", report.rejects_preview);
        orders_check(&ws);
    }
    let path = write(
        dir.path(),
        "feedback.csv",
        "customer_id,feedback_time,text,rating\nC1,2024-01-05 10:30,\"line one\nline two, with \"\"quotes\"\"\",4\nC2,2024-01-06,ok,5\n",
    );
    let report = import(&ws, &path, &options(Table::Feedback)).unwrap();
    assert_eq!(report.rows_accepted, 2);
    let batch = concat(&read_table(&ws, "feedback"));
    assert_eq!(batch.column_by_name("text").unwrap().as_string::<i32>().value(0), "line one\nline two, with \"quotes\"");
}

#[test]
fn explicit_encoding_overrides_detection() {
    let dir = tempfile::tempdir().unwrap();
    let (big5, _, _) = encoding_rs::BIG5.encode("customer_id,signup_date,city\nC1,2024-01-05,臺北\n");
    let path = write(dir.path(), "big5.csv", big5);
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let mut opts = options(Table::Customers);
    opts.read.encoding = Some("big5".into());
    import(&ws, &path, &opts).unwrap();
    let batch = concat(&read_table(&ws, "customers"));
    assert_eq!(batch.column_by_name("city").unwrap().as_string::<i32>().value(0), "臺北");
}

#[test]
fn xlsx_sheets_are_selectable_and_date_cells_are_dates() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    let mut book = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let first = book.add_worksheet().set_name("readme").unwrap();
    first.write_string(0, 0, "not data").unwrap();
    let sheet = book.add_worksheet().set_name("订单").unwrap();
    for (c, h) in ["订单号", "客户编号", "下单时间", "实付金额"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "O1").unwrap();
    sheet.write_string(1, 1, "C1").unwrap();
    let dt = ExcelDateTime::parse_from_str("2024-01-05 10:30:00").unwrap();
    sheet.write_datetime_with_format(1, 2, &dt, &date_format).unwrap();
    sheet.write_number(1, 3, 1234.5).unwrap();
    sheet.write_string(2, 0, "O2").unwrap();
    sheet.write_string(2, 1, "C2").unwrap();
    sheet.write_string(2, 2, "2024-01-06").unwrap();
    sheet.write_number(2, 3, 88).unwrap();
    book.save(&path).unwrap();

    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let mut opts = options(Table::Orders);
    opts.read.sheet = Some("订单".into());
    let report = import(&ws, &path, &opts).unwrap();
    assert_eq!(report.part.as_deref(), Some("订单"));
    orders_check(&ws);

    opts.read.sheet = Some("nope".into());
    let err = import(&ws, &path, &opts).unwrap_err();
    assert!(err.to_string().contains("订单"), "{err}");
}

#[test]
fn legacy_xls_workbook() {
    // Made by reference/make_xls_fixture.py (xlwt): the same two orders.
    let path = common::manifest_dir().join("tests/fixtures/orders.xls");
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path()).unwrap();
    let mut opts = options(Table::Orders);
    opts.read.sheet = Some("订单".into());
    let report = import(&ws, &path, &opts).unwrap();
    assert_eq!(report.format, "excel");
    orders_check(&ws);
}

#[test]
fn parquet_jsonl_and_sqlite_sources() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();

    let schema = Arc::new(Schema::new(vec![
        Field::new("order_id", DataType::Utf8, false),
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("order_time", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["O1", "O2"])),
            Arc::new(StringArray::from(vec!["C1", "C2"])),
            Arc::new(StringArray::from(vec!["2024-01-05 10:30:00", "2024-01-06"])),
            Arc::new(Float64Array::from(vec![1234.5, 88.0])),
        ],
    )
    .unwrap();
    let path = dir.path().join("orders.parquet");
    let mut writer = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    assert_eq!(import(&ws, &path, &options(Table::Orders)).unwrap().format, "parquet");
    orders_check(&ws);

    let path = write(
        dir.path(),
        "orders.jsonl",
        "{\"order_id\":\"O1\",\"customer_id\":\"C1\",\"order_time\":\"2024-01-05T10:30:00\",\"amount\":1234.5}\n\
         {\"order_id\":\"O2\",\"customer_id\":\"C2\",\"order_time\":\"2024-01-06\",\"amount\":88,\"note\":{\"a\":1}}\n",
    );
    let report = import(&ws, &path, &options(Table::Orders)).unwrap();
    assert_eq!(report.format, "jsonl");
    orders_check(&ws);
    let batch = concat(&read_table(&ws, "orders"));
    // A key only some lines have is kept; nested values as JSON text.
    let note = batch.column_by_name("note").unwrap().as_string::<i32>();
    assert!(note.is_null(0));
    assert_eq!(note.value(1), "{\"a\":1}");

    let path = dir.path().join("crm.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (order_id TEXT, customer_id TEXT, order_time TEXT, amount REAL, qty INTEGER);
         INSERT INTO orders VALUES ('O1','C1','2024-01-05 10:30:00',1234.5,2), ('O2','C2','2024-01-06',88,NULL);
         CREATE TABLE other (x INTEGER);",
    )
    .unwrap();
    drop(conn);
    let err = import(&ws, &path, &options(Table::Orders)).unwrap_err();
    assert!(err.to_string().contains("--source-table"), "{err}");
    let mut opts = options(Table::Orders);
    opts.read.source_table = Some("orders".into());
    let report = import(&ws, &path, &opts).unwrap();
    assert_eq!(report.part.as_deref(), Some("orders"));
    orders_check(&ws);
    let batch = concat(&read_table(&ws, "orders"));
    let qty = batch.column_by_name("quantity").unwrap().as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(qty.value(0), 2);
    assert!(qty.is_null(1));
}

#[test]
fn malformed_json_lines_are_rejected_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let path = write(
        dir.path(),
        "events.jsonl",
        "{\"customer_id\":\"C1\",\"event_time\":\"2024-01-05T10:30:00+08:00\",\"event_type\":\"login\"}\n\
         {\"customer_id\":\"C1\",\"event_time\":\n\
         [1,2]\n",
    );
    let report = import(&ws, &path, &options(Table::Events)).unwrap();
    assert_eq!(report.rows_accepted, 1);
    assert_eq!(reason_count(&report, "malformed_row"), 2);
    assert_eq!(report.rejects_preview.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3]);
    // +08:00 is an instant: 10:30 in Beijing is 02:30 UTC.
    let batch = concat(&read_table(&ws, "events"));
    let t = batch.column_by_name("event_time").unwrap().as_primitive::<TimestampMicrosecondType>();
    assert_eq!(t.value(0), JAN5_1030 - 8 * 3_600_000_000);
}

#[test]
fn whitespace_text_without_header_through_options() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let path = write(dir.path(), "p.txt", " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n");
    let mut opts = options(Table::Orders);
    opts.read.delimiter = Some(Delimiter::Whitespace);
    opts.read.has_header = Some(false);
    opts.read.column_names = Some(vec!["m".into(), "customer_id".into(), "date".into(), "cds".into(), "amount".into()]);
    opts.columns.insert("order_time".into(), "date".into());
    let report = import(&ws, &path, &opts).unwrap();
    assert_eq!(report.rows_accepted, 2);
    // With no format given, 8-digit numbers in a date column read as YYYYMMDD.
    let batch = concat(&read_table(&ws, "orders"));
    let t = batch.column_by_name("order_time").unwrap().as_primitive::<TimestampMicrosecondType>();
    assert_eq!(t.value(1), (9_862 + 17) * 86_400_000_000);
}

#[test]
fn inspect_reports_encoding_delimiter_mapping_types_and_nulls() {
    let dir = tempfile::tempdir().unwrap();
    let text = "订单号;客户ID;下单时间;实付金额;配送天数\nO1;C1;2024年1月5日 10:30;￥12.50;3\nO2;C2;2024年1月6日;;\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let path = write(dir.path(), "o.csv", gbk);
    let report = inspect_file(&path, &ReadOptions::default(), None, &Default::default(), &Default::default(), 5).unwrap();
    assert_eq!(report.encoding.as_deref(), Some("GB18030"));
    assert_eq!(report.delimiter.as_deref(), Some(";"));
    assert_eq!(report.table.as_deref(), Some("orders"));
    assert_eq!(report.rows, 2);
    let col = |h: &str| report.columns.iter().find(|c| c.header == h).unwrap();
    assert_eq!(col("下单时间").maps_to.as_deref(), Some("order_time"));
    assert_eq!(col("下单时间").kind, "timestamp");
    assert_eq!(col("实付金额").nulls, 1);
    assert_eq!(col("配送天数").maps_to, None);
    assert_eq!(col("配送天数").kind, "integer");
    assert_eq!(report.sample.len(), 2);
    // Missing amount would reject the second row on import, but inspect only reports.
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
