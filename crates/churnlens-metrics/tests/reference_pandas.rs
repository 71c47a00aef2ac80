//! churnlens against pandas on the CDNOW sample and on the demo data (2,000
//! customers, seed 42, Beijing time): monthly churn and retention (W = 90),
//! the cohort matrix, lifecycle counts, the window sweep with its
//! recommendation and the engagement score distribution (orders only). The fixtures come from
//! `reference/metrics_reference.py` (pandas 2.3.3), which computes them
//! independently; counts must match exactly, rates to 1e-9 (the fixture
//! prints ten decimals).

use std::collections::HashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, Int32Type, UInt32Type, UInt64Type};
use churnlens_ingest::{ImportOptions, MappingFile, Workspace, import_file};
use churnlens_metrics::{Engine, Metrics, MetricsOptions, engagement};

#[path = "../../../tests/support/shared_data.rs"]
mod shared_data;
use shared_data::{manifest_dir, shared_data};

fn fixture(name: &str) -> Vec<HashMap<String, String>> {
    let path = manifest_dir().join("tests/fixtures").join(name);
    csv::Reader::from_path(&path).unwrap().deserialize().map(Result::unwrap).collect()
}

fn cdnow_metrics() -> Option<Metrics> {
    let data = shared_data()?;
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path()).unwrap();
    let root = manifest_dir().join("../..");
    let mapping = MappingFile::load(&root.join("examples/mappings/cdnow.toml")).unwrap();
    let options = ImportOptions::new(mapping.table().unwrap().unwrap()).with_mapping(&mapping).unwrap();
    import_file(&ws, &data.join("cdnow/CDNOW_sample.txt"), &options, &|_, _, _| {}).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let engine = Engine::open(&ws).await.unwrap();
        Some(Metrics::load(&engine, MetricsOptions::default()).await.unwrap())
    })
}

fn demo_metrics() -> Metrics {
    let dir = tempfile::tempdir().unwrap();
    let params = churnlens_demo::DemoParams { seed: 42, customers: 2000, ..churnlens_demo::DemoParams::default() };
    let demo = churnlens_demo::generate(&params, &dir.path().join("data"), &|_, _, _| {}).unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let orders = demo.files.iter().find(|f| f.table == churnlens_core::Table::Orders).unwrap();
    let mut options = ImportOptions::new(churnlens_core::Table::Orders);
    options.tz = chrono_tz::Asia::Shanghai;
    let report = import_file(&ws, &orders.path, &options, &|_, _, _| {}).unwrap();
    assert_eq!(report.rows_rejected, 4, "the planted bad rows");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let engine = Engine::open(&ws).await.unwrap();
        let options = MetricsOptions { calendar: churnlens_metrics::calendar::Calendar::in_zone(chrono_tz::Asia::Shanghai), ..MetricsOptions::default() };
        Metrics::load(&engine, options).await.unwrap()
    })
}

/// Cell (row, column) of a batch as text, the way the fixture prints it.
/// The monthly engagement distribution from orders alone (the test
/// workspaces hold no events), default weights and W = 90.
fn engagement(metrics: &Metrics, calendar: &churnlens_metrics::calendar::Calendar) -> RecordBatch {
    let activity = metrics.activity();
    let scoring = engagement::Scoring { window: 90, weights: engagement::Weights::default() };
    let (first, as_of) = (activity.first_day.unwrap(), activity.last_day.unwrap());
    engagement::engagement_batch(&engagement::engagement_rows(activity, None, scoring, calendar, churnlens_metrics::calendar::Period::Month, first, as_of))
}

fn cell(batch: &RecordBatch, row: usize, name: &str) -> Option<f64> {
    let column = batch.column_by_name(name).unwrap_or_else(|| panic!("no column {name}"));
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        arrow::datatypes::DataType::UInt64 => column.as_primitive::<UInt64Type>().value(row) as f64,
        arrow::datatypes::DataType::UInt32 => f64::from(column.as_primitive::<UInt32Type>().value(row)),
        arrow::datatypes::DataType::Float64 => column.as_primitive::<Float64Type>().value(row),
        arrow::datatypes::DataType::Int32 => f64::from(column.as_primitive::<Int32Type>().value(row)),
        arrow::datatypes::DataType::Boolean => f64::from(u8::from(column.as_boolean().value(row))),
        other => panic!("{name}: {other}"),
    })
}

fn assert_matches(batch: &RecordBatch, expected: &[HashMap<String, String>], key: &[&str], what: &str) {
    assert_eq!(batch.num_rows(), expected.len(), "{what}: row count");
    for (row, want) in expected.iter().enumerate() {
        for k in key {
            let got = batch.column_by_name(k).unwrap().as_string::<i32>().value(row);
            assert_eq!(got, want[*k], "{what} row {row} {k}");
        }
        for (name, value) in want {
            if key.contains(&name.as_str()) || name == "period" {
                continue;
            }
            let got = cell(batch, row, name);
            let want_value: Option<f64> = (!value.is_empty()).then(|| value.parse().unwrap());
            match (got, want_value) {
                (None, None) => {}
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                    "{what} {key:?}={:?} {name}: churnlens {g}, pandas {w}",
                    key.iter().map(|k| &want[*k]).collect::<Vec<_>>()
                ),
                (g, w) => panic!("{what} row {row} {name}: churnlens {g:?}, pandas {w:?}"),
            }
        }
    }
}

#[test]
fn cdnow_monthly_churn_cohorts_lifecycle_window_sweep_and_engagement_match_pandas() {
    let Some(metrics) = cdnow_metrics() else { return };
    assert_eq!(metrics.activity().len(), 2357);
    assert_matches(&metrics.periods(), &fixture("cdnow/periods.csv"), &["period"], "periods");
    assert_matches(&metrics.cohorts().unwrap(), &fixture("cdnow/cohorts.csv"), &["cohort", "period"], "cohorts");
    assert_matches(&metrics.lifecycle().counts_batch(), &fixture("cdnow/lifecycle.csv"), &["period"], "lifecycle");
    let sweep = metrics.window_sweep(&churnlens_metrics::window::DEFAULT_WINDOWS, 0.1).unwrap();
    assert_eq!(sweep.recommended, Some(303));
    assert_matches(&sweep.batch(), &fixture("cdnow/window.csv"), &[], "window");
    assert_matches(&engagement(&metrics, &churnlens_metrics::calendar::Calendar::default()), &fixture("cdnow/engagement.csv"), &["period"], "engagement");
}

#[test]
fn demo_monthly_churn_cohorts_lifecycle_window_sweep_and_engagement_match_pandas() {
    let metrics = demo_metrics();
    assert_matches(&metrics.periods(), &fixture("demo/periods.csv"), &["period"], "periods");
    assert_matches(&metrics.cohorts().unwrap(), &fixture("demo/cohorts.csv"), &["cohort", "period"], "cohorts");
    assert_matches(&metrics.lifecycle().counts_batch(), &fixture("demo/lifecycle.csv"), &["period"], "lifecycle");
    let sweep = metrics.window_sweep(&churnlens_metrics::window::DEFAULT_WINDOWS, 0.1).unwrap();
    let window = fixture("demo/window.csv");
    let pandas_recommended = window.iter().find(|r| r["recommended"] == "1").map(|r| r["window_days"].parse::<i64>().unwrap());
    assert_eq!(sweep.recommended.map(i64::from), pandas_recommended);
    assert_matches(&sweep.batch(), &window, &[], "window");
    let beijing = churnlens_metrics::calendar::Calendar::in_zone(chrono_tz::Asia::Shanghai);
    assert_matches(&engagement(&metrics, &beijing), &fixture("demo/engagement.csv"), &["period"], "engagement");
}
