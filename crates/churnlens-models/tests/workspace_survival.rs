//! The workspace path of the survival analysis (issue #7): the IBM Telco
//! file imported as a `snapshot` table, read back through the query engine
//! by `survival_analysis`, gives lifelines' numbers — the fixture
//! tests/fixtures/survival_telco.json of tests/survival.rs, written by
//! reference/survival_reference.py (lifelines 0.30.3). Tolerance 1e-4,
//! absolute up to magnitude 1 and relative above; p-values relative.

mod shared_data;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, UInt64Type};
use churnlens_core::{Lang, Table};
use churnlens_ingest::{ImportOptions, Workspace, import_file};
use churnlens_metrics::Engine;
use churnlens_models::survival_analysis::{self, SurvivalData};
use serde_json::Value;

const TOLERANCE: f64 = 1e-4;

/// The fixture's Cox covariates, in its order; the text ones with
/// lifelines' baselines (PaperlessBilling imports as a Boolean, so it is the
/// 0/1 column the fixture calls PaperlessBilling[Yes]).
const COX: [&str; 5] = ["MonthlyCharges", "SeniorCitizen", "Contract", "PaperlessBilling", "InternetService"];

fn telco(attributes: &[&str]) -> Option<SurvivalData> {
    let path = shared_data::shared_data()?.join("telco/Telco-Customer-Churn.csv");
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_or_create(dir.path()).unwrap();
    let report = import_file(&ws, &path, &ImportOptions::new(Table::Snapshot), &|_, _, _| {}).unwrap();
    assert_eq!(report.rows_accepted, 7043);
    let attributes: Vec<String> = attributes.iter().map(|a| a.to_string()).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    Some(runtime.block_on(async {
        let engine = Engine::open(&ws).await.unwrap();
        survival_analysis::from_snapshot(&engine, "tenure", "churn", &attributes).await.unwrap()
    }))
}

fn fixture() -> Value {
    let path = shared_data::manifest_dir().join("tests/fixtures/survival_telco.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect()
}

fn column(batch: &RecordBatch, name: &str) -> Vec<f64> {
    batch.column_by_name(name).unwrap_or_else(|| panic!("no column {name}")).as_primitive::<Float64Type>().values().to_vec()
}

fn close(what: &str, got: f64, want: f64) -> f64 {
    let deviation = (got - want).abs() / want.abs().max(1.0);
    assert!(deviation <= TOLERANCE, "{what}: {got} vs lifelines {want}");
    deviation
}

fn close_all(what: &str, got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: count");
    got.iter().zip(want).map(|(g, w)| close(what, *g, *w)).fold(0.0, f64::max)
}

#[test]
fn telco_kaplan_meier_by_contract_through_the_workspace_equals_lifelines() {
    let Some(data) = telco(&["Contract"]) else { return };
    let fixture = fixture();
    let times = floats(&fixture["times"]);
    let overall = survival_analysis::kaplan_meier_batch(&data, None, &times, Lang::En).unwrap();
    let by = survival_analysis::kaplan_meier_batch(&data, Some("Contract"), &times, Lang::En).unwrap();
    let mut worst: f64 = 0.0;
    for (key, batch, rows) in [
        ("all".to_string(), &overall, 0..6),
        ("Contract=Month-to-month".to_string(), &by, 0..6),
        ("Contract=One year".to_string(), &by, 6..12),
        ("Contract=Two year".to_string(), &by, 12..18),
    ] {
        let want = &fixture["kaplan_meier"][&key];
        let slice = |name: &str| column(batch, name)[rows.clone()].to_vec();
        worst = worst.max(close_all(&key, &slice("survival"), &floats(&want["survival"])));
        worst = worst.max(close_all(&key, &slice("lower_95"), &floats(&want["lower"])));
        worst = worst.max(close_all(&key, &slice("upper_95"), &floats(&want["upper"])));
        let customers = batch.column_by_name("customers").unwrap().as_primitive::<UInt64Type>().value(rows.start);
        let churned = batch.column_by_name("churned").unwrap().as_primitive::<UInt64Type>().value(rows.start);
        assert_eq!((customers, churned), (want["n"].as_u64().unwrap(), want["events"].as_u64().unwrap()), "{key}");
        let median = batch.column_by_name("median").unwrap();
        assert_eq!(median.is_null(rows.start), want["median"].is_null(), "{key}: median");
    }
    eprintln!("Kaplan–Meier through the workspace: largest deviation from lifelines {worst:.1e}");
}

#[test]
fn telco_logrank_by_contract_through_the_workspace_equals_lifelines() {
    let Some(data) = telco(&["Contract"]) else { return };
    let want = &fixture()["logrank_contract"];
    let batch = survival_analysis::logrank_batch(&data, "Contract", Lang::En).unwrap();
    assert_eq!(batch.num_rows(), 3);
    let deviation = close("log-rank statistic", column(&batch, "statistic")[0], want["statistic"].as_f64().unwrap());
    assert_eq!(batch.column_by_name("df").unwrap().as_primitive::<UInt64Type>().value(0), want["df"].as_u64().unwrap());
    // lifelines' p-value underflows to 0; ours must be as small.
    assert!(column(&batch, "p_value")[0] < 1e-300);
    eprintln!("log-rank through the workspace: statistic deviation {deviation:.1e}");
}

#[test]
fn telco_cox_through_the_workspace_equals_lifelines() {
    let Some(data) = telco(&COX) else { return };
    let want = &fixture()["cox"];
    let covariates: Vec<String> = COX.iter().map(|c| c.to_string()).collect();
    let baselines = vec![("InternetService".to_string(), "DSL".to_string())];
    let batch = survival_analysis::cox_batch(&data, &covariates, &baselines).unwrap();
    let names: Vec<&str> = (0..batch.num_rows()).map(|i| batch.column_by_name("covariate").unwrap().as_string::<i32>().value(i)).collect();
    // Contract's baseline is its most frequent level, Month-to-month, as in the fixture.
    assert_eq!(
        names,
        [
            "MonthlyCharges",
            "SeniorCitizen",
            "Contract[One year]",
            "Contract[Two year]",
            "PaperlessBilling",
            "InternetService[Fiber optic]",
            "InternetService[No]"
        ]
    );
    let mut worst: f64 = 0.0;
    for (ours, theirs) in [
        ("coef", "coef"),
        ("hazard_ratio", "hazard_ratio"),
        ("se", "se"),
        ("z", "z"),
        ("hr_lower_95", "hazard_ratio_lower"),
        ("hr_upper_95", "hazard_ratio_upper"),
    ] {
        worst = worst.max(close_all(ours, &column(&batch, ours), &floats(&want[theirs])));
    }
    for (got, expected) in column(&batch, "p_value").iter().zip(floats(&want["p_value"])) {
        if expected == 0.0 {
            assert!(*got < 1e-300, "p-value {got} where lifelines underflowed to 0");
        } else {
            assert!((got - expected).abs() <= TOLERANCE * expected, "p-value {got} vs {expected}");
        }
    }
    worst = worst.max(close_all("ph statistic", &column(&batch, "ph_statistic"), &floats(&want["ph_test"]["statistic"])));
    worst = worst.max(close("concordance", column(&batch, "concordance")[0], want["concordance"].as_f64().unwrap()));
    worst = worst.max(close("log partial likelihood", column(&batch, "log_likelihood")[0], want["log_partial_likelihood"].as_f64().unwrap()));
    eprintln!("Cox through the workspace: largest deviation from lifelines {worst:.1e}");
}
