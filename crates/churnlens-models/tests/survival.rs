//! Survival analysis against lifelines 0.30.3 on the IBM Telco churn data
//! (issue #7): 7,043 customers, duration = `tenure` in months, churned =
//! `Churn == "Yes"`; the 11 customers with tenure 0 are kept, as lifelines
//! keeps them.
//!
//! The expected values are tests/fixtures/survival_telco.json, written by
//! reference/survival_reference.py (which states the Cox covariates).
//! Tolerance: 1e-4 absolute for values of magnitude up to 1 and 1e-4
//! relative above (survival, intervals, hazards, coefficients, statistics,
//! log-likelihood); p-values 1e-4 relative, so that tiny ones are checked
//! too (an expected p-value that underflowed to 0 must be below 1e-300).
//! Each test prints the largest deviation it saw per statistic.

mod shared_data;

use churnlens_models::stats::survival::{Covariates, CoxParams, KaplanMeier, NelsonAalen, logrank_test, multivariate_logrank_test};
use serde_json::Value;

const TOLERANCE: f64 = 1e-4;

struct Telco {
    durations: Vec<f64>,
    events: Vec<bool>,
    monthly_charges: Vec<f64>,
    senior_citizen: Vec<f64>,
    contract: Vec<String>,
    paperless_billing: Vec<String>,
    internet_service: Vec<String>,
}

fn telco() -> Option<Telco> {
    let path = shared_data::shared_data()?.join("telco/Telco-Customer-Churn.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader.headers().expect("a header row").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (tenure, churn, charges, senior, contract, paperless, internet) = (
        column("tenure"),
        column("Churn"),
        column("MonthlyCharges"),
        column("SeniorCitizen"),
        column("Contract"),
        column("PaperlessBilling"),
        column("InternetService"),
    );
    let mut telco = Telco {
        durations: Vec::new(),
        events: Vec::new(),
        monthly_charges: Vec::new(),
        senior_citizen: Vec::new(),
        contract: Vec::new(),
        paperless_billing: Vec::new(),
        internet_service: Vec::new(),
    };
    for record in reader.records() {
        let record = record.expect("a well-formed row");
        telco.durations.push(record[tenure].parse().expect("numeric tenure"));
        telco.events.push(&record[churn] == "Yes");
        telco.monthly_charges.push(record[charges].parse().expect("numeric MonthlyCharges"));
        telco.senior_citizen.push(record[senior].parse().expect("numeric SeniorCitizen"));
        telco.contract.push(record[contract].to_owned());
        telco.paperless_billing.push(record[paperless].to_owned());
        telco.internet_service.push(record[internet].to_owned());
    }
    assert_eq!(telco.durations.len(), 7043, "the Telco file should hold 7,043 customers");
    Some(telco)
}

fn fixture() -> Value {
    let path = shared_data::manifest_dir().join("tests/fixtures/survival_telco.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

fn floats(value: &Value) -> Vec<f64> {
    value.as_array().expect("an array").iter().map(|v| v.as_f64().expect("a number")).collect()
}

/// The largest deviation seen for one statistic, checked as it goes.
struct Deviation {
    what: &'static str,
    largest: f64,
    p_values: bool,
}

impl Deviation {
    fn values(what: &'static str) -> Self {
        Deviation { what, largest: 0.0, p_values: false }
    }

    fn p_values(what: &'static str) -> Self {
        Deviation { what, largest: 0.0, p_values: true }
    }

    fn check(&mut self, actual: f64, expected: f64, context: &str) {
        assert!(actual.is_finite(), "{} {context}: {actual} is not finite", self.what);
        if self.p_values && expected == 0.0 {
            assert!(actual < 1e-300, "{} {context}: {actual}, lifelines 0", self.what);
            return;
        }
        let scale = if self.p_values { expected.abs() } else { expected.abs().max(1.0) };
        let deviation = (actual - expected).abs() / scale;
        assert!(deviation <= TOLERANCE, "{} {context}: {actual}, lifelines {expected} (deviation {deviation:e})", self.what);
        self.largest = self.largest.max(deviation);
    }

    fn check_all(&mut self, actual: &[f64], expected: &[f64], context: &str) {
        assert_eq!(actual.len(), expected.len(), "{} {context}: lengths differ", self.what);
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            self.check(*a, *e, &format!("{context}[{i}]"));
        }
    }
}

impl Drop for Deviation {
    fn drop(&mut self) {
        let scale = if self.p_values { "relative" } else { "absolute, or relative above 1" };
        eprintln!("largest deviation from lifelines, {}: {:.3e} ({scale})", self.what, self.largest);
    }
}

#[test]
fn kaplan_meier_matches_lifelines_overall_and_by_contract() {
    let Some(telco) = telco() else { return };
    let reference = fixture();
    let times = floats(&reference["times"]);
    let mut curves = vec![("all".to_owned(), KaplanMeier::fit(&telco.durations, &telco.events).unwrap())];
    for (label, curve) in KaplanMeier::fit_by_group(&telco.durations, &telco.events, &telco.contract).unwrap() {
        curves.push((format!("Contract={label}"), curve));
    }
    assert_eq!(curves.len(), reference["kaplan_meier"].as_object().unwrap().len());
    let (mut survival, mut lower, mut upper) = (Deviation::values("KM survival"), Deviation::values("KM lower 95%"), Deviation::values("KM upper 95%"));
    for (key, curve) in &curves {
        let expected = &reference["kaplan_meier"][key];
        assert_eq!(curve.table().at_risk[0] as u64, expected["n"].as_u64().unwrap(), "{key} customers");
        assert_eq!(curve.table().observed.iter().sum::<usize>() as u64, expected["events"].as_u64().unwrap(), "{key} churns");
        survival.check_all(&curve.survival_at_times(&times), &floats(&expected["survival"]), key);
        let intervals: Vec<_> = times.iter().map(|&t| curve.confidence_interval_at(t, 0.95)).collect();
        lower.check_all(&intervals.iter().map(|ci| ci.lower).collect::<Vec<_>>(), &floats(&expected["lower"]), key);
        upper.check_all(&intervals.iter().map(|ci| ci.upper).collect::<Vec<_>>(), &floats(&expected["upper"]), key);
        assert_eq!(curve.median(), expected["median"].as_f64(), "{key} median");
    }
}

#[test]
fn nelson_aalen_matches_lifelines() {
    let Some(telco) = telco() else { return };
    let reference = fixture();
    let times = floats(&reference["times"]);
    let hazard = NelsonAalen::fit(&telco.durations, &telco.events).unwrap();
    Deviation::values("Nelson–Aalen H").check_all(&hazard.cumulative_hazard_at_times(&times), &floats(&reference["nelson_aalen"]["cumulative_hazard"]), "all");
}

#[test]
fn logrank_tests_match_lifelines() {
    let Some(telco) = telco() else { return };
    let reference = fixture();
    let (mut statistic, mut p_value) = (Deviation::values("log-rank statistic"), Deviation::p_values("log-rank p-value"));

    let by_contract = multivariate_logrank_test(&telco.durations, &telco.events, &telco.contract).unwrap().test;
    let expected = &reference["logrank_contract"];
    statistic.check(by_contract.statistic, expected["statistic"].as_f64().unwrap(), "Contract");
    p_value.check(by_contract.p_value, expected["p_value"].as_f64().unwrap(), "Contract");
    assert_eq!(by_contract.degrees_of_freedom as u64, expected["df"].as_u64().unwrap());

    let split = |yes: bool| -> (Vec<f64>, Vec<bool>) {
        let rows = (0..telco.durations.len()).filter(|&i| (telco.paperless_billing[i] == "Yes") == yes);
        rows.map(|i| (telco.durations[i], telco.events[i])).unzip()
    };
    let ((durations_yes, events_yes), (durations_no, events_no)) = (split(true), split(false));
    let paperless = logrank_test(&durations_yes, &events_yes, &durations_no, &events_no).unwrap().test;
    let expected = &reference["logrank_paperless"];
    statistic.check(paperless.statistic, expected["statistic"].as_f64().unwrap(), "PaperlessBilling");
    p_value.check(paperless.p_value, expected["p_value"].as_f64().unwrap(), "PaperlessBilling");
    assert_eq!(paperless.degrees_of_freedom as u64, expected["df"].as_u64().unwrap());
}

fn design(telco: &Telco) -> Covariates {
    Covariates::new()
        .with_numeric("MonthlyCharges", telco.monthly_charges.clone())
        .and_then(|c| c.with_numeric("SeniorCitizen", telco.senior_citizen.clone()))
        .and_then(|c| c.with_categorical("Contract", &telco.contract, "Month-to-month"))
        .and_then(|c| c.with_categorical("PaperlessBilling", &telco.paperless_billing, "No"))
        .and_then(|c| c.with_categorical("InternetService", &telco.internet_service, "DSL"))
        .unwrap()
}

#[test]
fn cox_model_matches_lifelines() {
    let Some(telco) = telco() else { return };
    let reference = fixture();
    let expected = &reference["cox"];
    let covariates = design(&telco);
    let names: Vec<String> = expected["covariates"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(covariates.names(), names.as_slice());

    let model = CoxParams::new().fit(&telco.durations, &telco.events, &covariates).unwrap();
    let summary = model.summary(0.95);
    let column = |f: fn(&churnlens_models::stats::survival::CoxCoefficient) -> f64| summary.iter().map(f).collect::<Vec<f64>>();
    let mut values = Deviation::values("Cox coefficients, hazard ratios, se, z and intervals");
    values.check_all(&column(|c| c.coefficient), &floats(&expected["coef"]), "coef");
    values.check_all(&column(|c| c.hazard_ratio), &floats(&expected["hazard_ratio"]), "exp(coef)");
    values.check_all(&column(|c| c.standard_error), &floats(&expected["se"]), "se");
    values.check_all(&column(|c| c.z), &floats(&expected["z"]), "z");
    values.check_all(&column(|c| c.coefficient_lower), &floats(&expected["coef_lower"]), "coef lower");
    values.check_all(&column(|c| c.coefficient_upper), &floats(&expected["coef_upper"]), "coef upper");
    values.check_all(&column(|c| c.hazard_ratio_lower), &floats(&expected["hazard_ratio_lower"]), "exp(coef) lower");
    values.check_all(&column(|c| c.hazard_ratio_upper), &floats(&expected["hazard_ratio_upper"]), "exp(coef) upper");
    Deviation::p_values("Cox p-values").check_all(&column(|c| c.p_value), &floats(&expected["p_value"]), "p");
    Deviation::values("Cox log partial likelihood").check(model.log_likelihood(), expected["log_partial_likelihood"].as_f64().unwrap(), "");
    Deviation::values("Cox concordance").check(model.concordance().unwrap(), expected["concordance"].as_f64().unwrap(), "");

    let ph: Vec<_> = model.proportional_hazards_test().to_vec();
    Deviation::values("PH test statistic").check_all(&ph.iter().map(|t| t.statistic).collect::<Vec<_>>(), &floats(&expected["ph_test"]["statistic"]), "");
    Deviation::p_values("PH test p-value").check_all(&ph.iter().map(|t| t.p_value).collect::<Vec<_>>(), &floats(&expected["ph_test"]["p_value"]), "");
}

#[test]
fn penalized_cox_model_matches_lifelines() {
    let Some(telco) = telco() else { return };
    let reference = fixture();
    let expected = &reference["cox_penalized"];
    let model = CoxParams::new().penalizer(expected["penalizer"].as_f64().unwrap()).fit(&telco.durations, &telco.events, &design(&telco)).unwrap();
    let mut values = Deviation::values("penalized Cox coefficients, se and log-likelihood");
    values.check_all(model.coefficients(), &floats(&expected["coef"]), "coef");
    values.check_all(&model.standard_errors(), &floats(&expected["se"]), "se");
    values.check(model.log_likelihood(), expected["log_partial_likelihood"].as_f64().unwrap(), "log-likelihood");
}
