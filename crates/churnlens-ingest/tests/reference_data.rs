//! The two reference files of ../shared: Telco (a snapshot with a dirty
//! column) and the CDNOW sample (headerless whitespace text via a mapping
//! file). Expected figures come from ../shared/README.md and from counting
//! the files with awk (commands in the comments).

mod common;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType};
use churnlens_core::Table;
use churnlens_ingest::{ImportOptions, MappingFile, Workspace};
use common::*;

#[test]
fn telco_imports_7043_rows_and_reports_11_blank_total_charges_by_customer() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path()).unwrap();
    let report = import(&ws, &data.join("telco/Telco-Customer-Churn.csv"), &options(Table::Snapshot)).unwrap();
    assert_eq!(report.rows_read, 7043);
    assert_eq!(report.rows_accepted, 7043);
    assert_eq!(report.rows_rejected, 0);
    let total = report.columns.iter().find(|c| c.column.name == "TotalCharges").unwrap();
    assert_eq!(total.column.kind.name(), "float");
    assert_eq!(total.nulls, 11);
    // awk -F, 'NR>1 && $20==" " {print $1}' Telco-Customer-Churn.csv
    assert_eq!(
        total.null_examples,
        vec![
            "4472-LVYGI",
            "3115-CZMZD",
            "5709-LVOEQ",
            "4367-NUYAO",
            "1371-DWPAZ",
            "7644-OMVMY",
            "3213-VVOLG",
            "2520-SGTTA",
            "2923-ARZLG",
            "4075-WKNIU",
            "2775-SEFEE"
        ]
    );
    let batch = concat(&read_table(&ws, "snapshot"));
    assert_eq!(batch.num_rows(), 7043);
    // Churn is the canonical boolean label: 1,869 Yes (../shared/README.md).
    let churn = batch.column_by_name("churn").unwrap().as_boolean();
    assert_eq!(churn.true_count(), 1869);
    assert_eq!(batch.column_by_name("customer_id").unwrap().as_string::<i32>().value(0), "7590-VHVEG");
    // Attributes keep their names and get inferred types (0/1 stays integer, like pandas).
    assert_eq!(batch.column_by_name("SeniorCitizen").unwrap().data_type(), &DataType::Int64);
    assert_eq!(batch.column_by_name("tenure").unwrap().as_primitive::<Int64Type>().value(0), 1);
    assert_eq!(batch.column_by_name("MonthlyCharges").unwrap().as_primitive::<Float64Type>().value(0), 29.85);
    assert_eq!(batch.column_by_name("Contract").unwrap().as_string::<i32>().value(0), "Month-to-month");
    assert_eq!(batch.num_columns(), 21);
}

#[test]
fn cdnow_sample_through_the_shipped_mapping_file() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path()).unwrap();
    let mapping = MappingFile::load(&repo_root().join("examples/mappings/cdnow.toml")).unwrap();
    let mut opts = ImportOptions::new(mapping.table().unwrap().unwrap()).with_mapping(&mapping).unwrap();
    opts.now_micros = Some(TEST_NOW_MICROS);
    let report = import(&ws, &data.join("cdnow/CDNOW_sample.txt"), &opts).unwrap();
    // wc -l CDNOW_sample.txt → 6919; awk '{print $2}' | sort -u | wc -l → 2357
    assert_eq!(report.rows_read, 6919);
    assert_eq!(report.rows_accepted, 6919);
    assert_eq!(report.delimiter.as_deref(), Some("whitespace"));
    let batch = concat(&read_table(&ws, "orders"));
    let customers = batch.column_by_name("customer_id").unwrap().as_string::<i32>();
    let distinct: std::collections::HashSet<&str> = (0..customers.len()).map(|i| customers.value(i)).collect();
    assert_eq!(distinct.len(), 2357);
    // Ids keep their leading zeros: " 00004 0001 19970101  2   29.33" is customer "0001".
    assert_eq!(customers.value(0), "0001");
    let time = batch.column_by_name("order_time").unwrap();
    assert_eq!(time.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
    // 1997-01-01 = 9,862 days after 1970-01-01.
    assert_eq!(time.as_primitive::<TimestampMicrosecondType>().value(0), 9_862 * 86_400_000_000);
    // awk '{s+=$5} END {printf "%.2f", s}' → 244091.94
    let amount: f64 = batch.column_by_name("amount").unwrap().as_primitive::<Float64Type>().iter().flatten().sum();
    assert!((amount - 244_091.94).abs() < 1e-6, "{amount}");
    // No order id in the file: ids are file:line, unique.
    let ids = batch.column_by_name("order_id").unwrap().as_string::<i32>();
    assert_eq!(ids.value(0), "CDNOW_sample.txt:1");
    assert!(report.notes.iter().any(|n| n.contains("order id")));
}
