//! The shared reference data sets (found by tests/support/shared_data.rs)
//! and readers of the CDNOW files. Each test binary uses a part of it.
#![allow(dead_code)]

#[path = "../../../../tests/support/shared_data.rs"]
mod location;
#[allow(unused_imports)] // each test binary uses a part of this module
pub use location::{manifest_dir, shared_data};

pub use churnlens_core::values::days_from_civil;

/// CDNOW_sample.txt as (customer id, day, dollars) columns.
pub struct Transactions {
    pub customer: Vec<usize>,
    pub day: Vec<i64>,
    pub amount: Vec<f64>,
}

pub fn cdnow_transactions(data: &std::path::Path) -> Transactions {
    let text = std::fs::read_to_string(data.join("cdnow/CDNOW_sample.txt")).expect("CDNOW_sample.txt");
    let mut t = Transactions { customer: Vec::new(), day: Vec::new(), amount: Vec::new() };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 5, "line {line:?}");
        let date: i64 = f[2].parse().expect("YYYYMMDD");
        t.customer.push(f[1].parse().expect("customer id"));
        t.day.push(days_from_civil((date / 10_000) as i32, (date / 100 % 100) as u32, (date % 100) as u32));
        t.amount.push(f[4].parse().expect("dollars"));
    }
    t
}

/// cdnow_customers_summary.csv as (id, frequency, recency, T) rows.
pub fn cdnow_summary(data: &std::path::Path) -> Vec<(usize, f64, f64, f64)> {
    let mut reader = csv::Reader::from_path(data.join("cdnow/cdnow_customers_summary.csv")).expect("summary csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[0].parse().expect("id"), r[1].parse().expect("frequency"), r[2].parse().expect("recency"), r[3].parse().expect("T"))
        })
        .collect()
}

/// Telco-Customer-Churn.csv through the library path: imported as the
/// `snapshot` table of a scratch workspace (as `churnlens import --as
/// snapshot` does), then read back by `prediction::snapshot` — customer id
/// left out, `churn` the label, every other column a raw feature. Read once
/// per test binary.
pub fn telco_frame(data: &std::path::Path) -> churnlens_models::prediction::frame::RawFrame {
    static FRAME: std::sync::OnceLock<churnlens_models::prediction::frame::RawFrame> = std::sync::OnceLock::new();
    FRAME
        .get_or_init(|| {
            use churnlens_models::prediction::snapshot::{SnapshotOptions, snapshot_frame};
            let dir = tempfile::tempdir().expect("a scratch directory");
            let ws = churnlens_ingest::Workspace::open_or_create(dir.path()).expect("a scratch workspace");
            let options = churnlens_ingest::ImportOptions::new(churnlens_core::Table::Snapshot);
            churnlens_ingest::import_file(&ws, &data.join("telco/Telco-Customer-Churn.csv"), &options, &|_, _, _| {}).expect("telco imports");
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                let engine = churnlens_metrics::Engine::open(&ws).await.expect("the workspace opens");
                snapshot_frame(&engine, &SnapshotOptions::default()).await.expect("the snapshot rows")
            })
        })
        .clone()
}
