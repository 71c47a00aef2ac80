//! Predictive customer lifetime value from a workspace (issue #5): the
//! buy-till-you-die models of [`crate::stats::btyd`] fitted to the
//! workspace's orders, saved in the workspace, and used for per-customer
//! predictions, segment summaries and holdout validation.
//!
//! * Data: [`ClvData::from_activity`] turns per-customer purchase days
//!   ([`Activity`]: local business days, same-day orders merged, refunds not
//!   activity) into the BTYD summary. A purchase day's value is that day's
//!   net revenue. Time is counted in days and divided by the unit's length
//!   (week = 7 days, month = [`DAYS_PER_MONTH`]), so recency and T are
//!   fractional, as in the published CDNOW summary.
//! * Fit: [`fit`] fits BG/NBD (default), Pareto/NBD or MBG/NBD, and
//!   Gamma-Gamma on the repeat customers with a positive mean value; the
//!   result, [`ClvModel`], carries its data summary and fit report and is
//!   saved as JSON at [`model_path`] (written to a temporary file and renamed,
//!   so a failed write leaves the previous model intact).
//! * Predict: [`ClvModel::predict`] gives per customer P(alive), the expected
//!   purchases and average order value, and CLV over a horizon of months with
//!   a discount rate per month (lifetimes' definition,
//!   [`customer_lifetime_value`](crate::stats::btyd::validation::customer_lifetime_value)); [`predictions_batch`] ranks them by CLV and
//!   [`summary_by_group`] summarises them by a customer attribute.
//! * Validate: [`validate`] fits on the calibration period and compares
//!   predicted with actual holdout purchases by calibration frequency, with
//!   error figures, and cumulative repeat purchases over time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_metrics::MetricsError;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::format_day;
use churnlens_metrics::grouping::Grouping;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::stats::btyd::summary::cumulative_repeat_purchases;
use crate::stats::btyd::validation::{HoldoutComparison, WEEKS_PER_MONTH, clv_horizons, discounted_value, expected_cumulative_purchases, holdout_comparison};
use crate::stats::btyd::{
    BetaGeo, BetaGeoParams, BetaGeoVariant, CustomerSummary, FitReport, GammaGamma, GammaGammaParams, ParetoNbd, ParetoNbdParams, PurchaseModel, Rfm,
    SummaryOptions, summarize_transactions,
};

/// Days in a month: lifetimes' 4.345 weeks, so a CLV horizon of k months is
/// the same span whatever the model's time unit.
pub const DAYS_PER_MONTH: f64 = WEEKS_PER_MONTH * 7.0;

/// Fewer repeat buyers than this cannot identify a count model's four
/// parameters (nor Gamma-Gamma's three), so the fit is refused up front.
pub const MIN_REPEAT_BUYERS: usize = 5;

/// Calibration frequencies at and above this are pooled in the holdout
/// comparison, as in lifetimes' calibration/holdout plot.
pub const HOLDOUT_CENSOR: f64 = 7.0;

/// The saved model's format; a file with another number is refused.
const FORMAT_VERSION: u32 = 1;

/// Why CLV could not be computed, in words the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ClvError {
    /// Reading the workspace failed (a missing orders table, a bad column …).
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The model could not be fitted (not converged, degenerate, bad setting).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Nobody bought on or before the calibration end.
    #[error("no customer bought on or before the calibration end {calibration_end}")]
    NoCustomers {
        /// The calibration end, YYYY-MM-DD.
        calibration_end: String,
    },
    /// Too few customers bought twice for the models to be fitted.
    #[error(
        "only {repeat_buyers} of {customers} customers bought on more than one day by {calibration_end}; at least {MIN_REPEAT_BUYERS} repeat buyers are needed (use a later calibration end or more data)"
    )]
    TooFewRepeatBuyers {
        /// Customers with a repeat purchase day (and a positive mean value, for Gamma-Gamma).
        repeat_buyers: usize,
        /// Customers in the summary.
        customers: usize,
        /// The calibration end, YYYY-MM-DD.
        calibration_end: String,
    },
    /// Settings that cannot work (a holdout end before the calibration end …).
    #[error("{0}")]
    Options(String),
    /// No model has been saved in the workspace.
    #[error("no fitted CLV model at {}: run `churnlens clv fit` first", path.display())]
    NoModel {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The saved model file cannot be used.
    #[error("the saved CLV model {} cannot be read ({reason}): fit it again with `churnlens clv fit`", path.display())]
    BadModel {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing the model file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl ClvError {
    /// Whether the user can fix this (data, settings, a missing model)
    /// rather than it being our fault.
    pub fn is_user_error(&self) -> bool {
        match self {
            ClvError::Metrics(e) => e.is_user_error(),
            ClvError::Io { .. } => false,
            _ => true,
        }
    }

    /// The message in `lang` (the models' errors through [`ModelError::message`]).
    pub fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, e) => e.to_string(),
            (Lang::Zh, ClvError::NoCustomers { calibration_end }) => format!("校准期结束日 {calibration_end} 之前没有任何客户购买"),
            (Lang::Zh, ClvError::TooFewRepeatBuyers { repeat_buyers, customers, calibration_end }) => format!(
                "截至 {calibration_end}，{customers} 位客户中只有 {repeat_buyers} 位在不止一天购买；至少需要 {MIN_REPEAT_BUYERS} 位复购客户（请使用更晚的校准期结束日或更多数据）"
            ),
            (Lang::Zh, ClvError::NoModel { path }) => format!("{} 处没有已拟合的 CLV 模型：请先运行 `churnlens clv fit`", path.display()),
            (Lang::Zh, ClvError::BadModel { path, reason }) => {
                format!("无法读取已保存的 CLV 模型 {}（{reason}）：请用 `churnlens clv fit` 重新拟合", path.display())
            }
            (Lang::Zh, ClvError::Model(e)) => e.message(lang),
            (Lang::Zh, e) => e.to_string(),
        }
    }
}

/// Result alias of this module.
pub type Result<T, E = ClvError> = std::result::Result<T, E>;

/// Which purchase-count model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    #[default]
    Bgnbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    Pareto,
    /// MBG/NBD (Batislam, Denizel & Filiztekin 2007).
    Mbgnbd,
}

impl std::str::FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "bgnbd" | "bg/nbd" => Ok(ModelKind::Bgnbd),
            "pareto" | "paretonbd" | "pareto/nbd" => Ok(ModelKind::Pareto),
            "mbgnbd" | "mbg/nbd" => Ok(ModelKind::Mbgnbd),
            _ => Err(format!("unknown model '{s}': use bgnbd, pareto or mbgnbd / 未知模型")),
        }
    }
}

/// The time unit of frequency, recency and T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// One day.
    Day,
    /// Seven days.
    #[default]
    Week,
    /// [`DAYS_PER_MONTH`] days.
    Month,
}

impl TimeUnit {
    /// The unit's length in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
            TimeUnit::Month => DAYS_PER_MONTH,
        }
    }
}

impl std::str::FromStr for TimeUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "day" | "d" => Ok(TimeUnit::Day),
            "week" | "w" => Ok(TimeUnit::Week),
            "month" | "m" => Ok(TimeUnit::Month),
            _ => Err(format!("unknown unit '{s}': use day, week or month / 未知时间单位")),
        }
    }
}

/// The BTYD summary of a workspace's customers, with the transactions it
/// came from (for the cumulative comparison).
#[derive(Debug, Clone)]
pub struct ClvData {
    /// Customer ids, by the summaries' `customer` index.
    pub ids: Vec<String>,
    /// One summary per customer who bought by the calibration end, ascending by index.
    pub summaries: Vec<CustomerSummary>,
    /// The time unit.
    pub unit: TimeUnit,
    /// The last day of the calibration period.
    pub calibration_end: i32,
    /// The last day of the holdout period, if any.
    pub holdout_end: Option<i32>,
    /// Purchase days as parallel (customer index, day) columns.
    customer: Vec<usize>,
    day: Vec<i64>,
}

impl ClvData {
    /// The summary of `activity` up to `calibration_end` (default: the last
    /// order day), with holdout purchases up to `holdout_end` if given.
    pub fn from_activity(activity: &Activity, unit: TimeUnit, calibration_end: Option<i32>, holdout_end: Option<i32>) -> Result<ClvData> {
        let calibration_end = calibration_end.or(activity.last_day).ok_or_else(|| ClvError::NoCustomers { calibration_end: "-".into() })?;
        if let Some(h) = holdout_end
            && h <= calibration_end
        {
            return Err(ClvError::Options(format!("the holdout end {} must be after the calibration end {}", format_day(h), format_day(calibration_end))));
        }
        let (mut customer, mut day, mut amount) = (Vec::new(), Vec::new(), Vec::new());
        for (c, days) in activity.days.iter().enumerate() {
            let revenue = &activity.revenue[c];
            for &d in days {
                // Revenue is per day and ascending, like the purchase days.
                let value = revenue.binary_search_by_key(&d, |r| r.0).map_or(0.0, |i| revenue[i].1);
                customer.push(c);
                day.push(i64::from(d));
                amount.push(value);
            }
        }
        let options = SummaryOptions { days_per_unit: unit.days(), calibration_end: i64::from(calibration_end), holdout_end: holdout_end.map(i64::from) };
        let summaries = summarize_transactions(&customer, &day, &amount, &options)?;
        if summaries.is_empty() {
            return Err(ClvError::NoCustomers { calibration_end: format_day(calibration_end) });
        }
        Ok(ClvData { ids: activity.ids.clone(), summaries, unit, calibration_end, holdout_end, customer, day })
    }

    /// Customers with a repeat purchase day.
    pub fn repeat_buyers(&self) -> usize {
        self.summaries.iter().filter(|s| s.rfm.frequency > 0.0).count()
    }

    fn rfm(&self) -> Vec<Rfm> {
        self.summaries.iter().map(|s| s.rfm).collect()
    }
}

/// A fitted purchase-count model, with its parameters as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum CountParameters {
    /// BG/NBD.
    Bgnbd {
        /// Shape of the purchase rates' Gamma distribution.
        r: f64,
        /// Its scale, in the model's time unit.
        alpha: f64,
        /// First shape of the drop-out probabilities' Beta distribution.
        a: f64,
        /// Its second shape.
        b: f64,
    },
    /// Pareto/NBD.
    Pareto {
        /// Shape of the purchase rates' Gamma distribution.
        r: f64,
        /// Its scale, in the model's time unit.
        alpha: f64,
        /// Shape of the drop-out rates' Gamma distribution.
        s: f64,
        /// Its scale, in the model's time unit.
        beta: f64,
    },
    /// MBG/NBD.
    Mbgnbd {
        /// Shape of the purchase rates' Gamma distribution.
        r: f64,
        /// Its scale, in the model's time unit.
        alpha: f64,
        /// First shape of the drop-out probabilities' Beta distribution.
        a: f64,
        /// Its second shape.
        b: f64,
    },
}

impl CountParameters {
    /// The parameters' names and values, in the models' usual order.
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        match *self {
            CountParameters::Bgnbd { r, alpha, a, b } | CountParameters::Mbgnbd { r, alpha, a, b } => vec![("r", r), ("alpha", alpha), ("a", a), ("b", b)],
            CountParameters::Pareto { r, alpha, s, beta } => vec![("r", r), ("alpha", alpha), ("s", s), ("beta", beta)],
        }
    }

    /// The model's display name.
    pub fn model_name(&self) -> &'static str {
        match self {
            CountParameters::Bgnbd { .. } => "BG/NBD",
            CountParameters::Pareto { .. } => "Pareto/NBD",
            CountParameters::Mbgnbd { .. } => "MBG/NBD",
        }
    }

    fn model(&self) -> Result<CountModel, ModelError> {
        Ok(match *self {
            CountParameters::Bgnbd { r, alpha, a, b } => CountModel::BetaGeo(BetaGeo::from_params(BetaGeoVariant::Standard, r, alpha, a, b)?),
            CountParameters::Mbgnbd { r, alpha, a, b } => CountModel::BetaGeo(BetaGeo::from_params(BetaGeoVariant::Modified, r, alpha, a, b)?),
            CountParameters::Pareto { r, alpha, s, beta } => CountModel::Pareto(ParetoNbd::from_params(r, alpha, s, beta)?),
        })
    }
}

/// Either count model behind one [`PurchaseModel`].
#[derive(Debug, Clone)]
enum CountModel {
    BetaGeo(BetaGeo),
    Pareto(ParetoNbd),
}

impl PurchaseModel for CountModel {
    fn p_alive(&self, customer: &Rfm) -> f64 {
        match self {
            CountModel::BetaGeo(m) => m.p_alive(customer),
            CountModel::Pareto(m) => m.p_alive(customer),
        }
    }
    fn conditional_expected_purchases(&self, t: f64, customer: &Rfm) -> f64 {
        match self {
            CountModel::BetaGeo(m) => m.conditional_expected_purchases(t, customer),
            CountModel::Pareto(m) => m.conditional_expected_purchases(t, customer),
        }
    }
    fn expected_purchases(&self, t: f64) -> f64 {
        match self {
            CountModel::BetaGeo(m) => m.expected_purchases(t),
            CountModel::Pareto(m) => m.expected_purchases(t),
        }
    }
    fn conditional_expected_purchases_many(&self, horizons: &[f64], customers: &[Rfm]) -> Vec<f64> {
        match self {
            CountModel::BetaGeo(m) => m.conditional_expected_purchases_many(horizons, customers),
            CountModel::Pareto(m) => m.conditional_expected_purchases_many(horizons, customers),
        }
    }
}

/// How one fit went, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSummary {
    /// BFGS iterations of the start kept.
    pub iterations: usize,
    /// Starts tried.
    pub starts_tried: usize,
    /// Largest absolute gradient component at the end.
    pub gradient_norm: f64,
    /// Total log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
    /// Standard errors of the parameters, in their order (None when the Hessian is not positive definite).
    pub standard_errors: Option<Vec<f64>>,
}

impl FitSummary {
    fn new(report: Option<&FitReport>, standard_errors: Option<Vec<f64>>) -> Option<FitSummary> {
        report.map(|r| FitSummary {
            iterations: r.iterations,
            starts_tried: r.starts_tried,
            gradient_norm: r.gradient_norm,
            log_likelihood: r.log_likelihood,
            converged: r.converged,
            standard_errors,
        })
    }
}

/// The Gamma-Gamma spend model as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpendParameters {
    /// Shape of each purchase's spend.
    pub p: f64,
    /// Shape of the spend rate's distribution.
    pub q: f64,
    /// Scale (γ) of the spend rate's distribution.
    pub v: f64,
    /// Pearson correlation of frequency and mean value over the customers
    /// fitted on: the model assumes they are independent, so near 0 is good.
    pub frequency_monetary_correlation: f64,
    /// Repeat customers with a positive mean value it was fitted on.
    pub customers: usize,
}

/// What the model was fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// Customers who bought by the calibration end.
    pub customers: usize,
    /// Of them, customers with a repeat purchase day.
    pub repeat_buyers: usize,
    /// The first purchase day in the data, YYYY-MM-DD.
    pub first_purchase: String,
    /// The calibration end, YYYY-MM-DD.
    pub calibration_end: String,
    /// The time unit.
    pub unit: TimeUnit,
    /// Days per time unit.
    pub days_per_unit: f64,
    /// The business time zone days were counted in (IANA name).
    pub time_zone: String,
    /// The L2 penalizer of the fits.
    pub penalizer: f64,
}

/// A fitted CLV model: purchase counts and spend, with what it was fitted on
/// and how the fit went. This is what `models/clv.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvModel {
    /// The file format's version.
    pub format_version: u32,
    /// The purchase-count model.
    pub count_model: CountParameters,
    /// The spend model.
    pub spend_model: SpendParameters,
    /// The data it was fitted on.
    pub data: DataSummary,
    /// The count model's fit.
    pub count_fit: Option<FitSummary>,
    /// The spend model's fit.
    pub spend_fit: Option<FitSummary>,
}

/// Settings of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FitOptions {
    /// The count model (default BG/NBD).
    pub model: ModelKind,
    /// L2 penalizer of both fits (default 0; see [`crate::stats::btyd::FitSettings::penalizer`]).
    pub penalizer: f64,
}

/// Fits the count model and Gamma-Gamma to the summary. `time_zone` is
/// recorded with the model so predictions count days the same way.
pub fn fit(data: &ClvData, options: &FitOptions, time_zone: &str) -> Result<ClvModel> {
    let calibration_end = format_day(data.calibration_end);
    let customers = data.summaries.len();
    let repeat_buyers = data.repeat_buyers();
    if repeat_buyers < MIN_REPEAT_BUYERS {
        return Err(ClvError::TooFewRepeatBuyers { repeat_buyers, customers, calibration_end });
    }
    let rfm = data.rfm();
    let (count_model, count_fit) = match options.model {
        ModelKind::Bgnbd | ModelKind::Mbgnbd => {
            let variant = if options.model == ModelKind::Bgnbd { BetaGeoVariant::Standard } else { BetaGeoVariant::Modified };
            let m = BetaGeoParams::new().variant(variant).penalizer(options.penalizer).fit(&rfm)?;
            let fit = FitSummary::new(m.report.as_ref(), m.standard_errors.map(|s| s.to_vec()));
            let (r, alpha, a, b) = (m.r, m.alpha, m.a, m.b);
            (if variant == BetaGeoVariant::Standard { CountParameters::Bgnbd { r, alpha, a, b } } else { CountParameters::Mbgnbd { r, alpha, a, b } }, fit)
        }
        ModelKind::Pareto => {
            let m = ParetoNbdParams::new().penalizer(options.penalizer).fit(&rfm)?;
            let fit = FitSummary::new(m.report.as_ref(), m.standard_errors.map(|s| s.to_vec()));
            (CountParameters::Pareto { r: m.r, alpha: m.alpha, s: m.s, beta: m.beta }, fit)
        }
    };
    // An estimate can drift towards 0 without crossing the optimiser's
    // bounds (a, b ≈ 1e-9 on a few dozen customers), and the closed forms
    // then give NaN: refuse such a fit in words instead of printing NaN.
    let model = count_model.model()?;
    let year = 365.0 / data.unit.days();
    if let Some(bad) = rfm.iter().find(|c| !(model.p_alive(c).is_finite() && model.conditional_expected_purchases(year, c).is_finite())) {
        return Err(ModelError::Degenerate {
            model: count_model.model_name(),
            reason: format!(
                "the estimates ({}) give no finite prediction for a customer with frequency {}, recency {:.2}, T {:.2}; try a larger --penalizer, such as 0.01",
                count_model.named().iter().map(|(n, v)| format!("{n} = {v:.3e}")).collect::<Vec<_>>().join(", "),
                bad.frequency,
                bad.recency,
                bad.age
            ),
        }
        .into());
    }
    // Gamma-Gamma needs a positive mean value; repeat buyers whose repeat
    // days net to zero or less (refunds) are left out of its fit.
    let (frequency, monetary): (Vec<f64>, Vec<f64>) =
        data.summaries.iter().filter(|s| s.rfm.frequency > 0.0 && s.monetary_value > 0.0).map(|s| (s.rfm.frequency, s.monetary_value)).unzip();
    if frequency.len() < MIN_REPEAT_BUYERS {
        return Err(ClvError::TooFewRepeatBuyers { repeat_buyers: frequency.len(), customers, calibration_end });
    }
    let spend = GammaGammaParams::new().penalizer(options.penalizer).fit(&frequency, &monetary)?;
    let first_day = data.summaries.iter().map(|s| s.first_day).min().unwrap_or(i64::from(data.calibration_end));
    Ok(ClvModel {
        format_version: FORMAT_VERSION,
        count_model,
        spend_model: SpendParameters {
            p: spend.p,
            q: spend.q,
            v: spend.v,
            frequency_monetary_correlation: spend.frequency_monetary_correlation,
            customers: frequency.len(),
        },
        data: DataSummary {
            customers,
            repeat_buyers,
            first_purchase: format_day(first_day as i32),
            calibration_end,
            unit: data.unit,
            days_per_unit: data.unit.days(),
            time_zone: time_zone.to_string(),
            penalizer: options.penalizer,
        },
        count_fit,
        spend_fit: FitSummary::new(spend.report.as_ref(), spend.standard_errors.map(|s| s.to_vec())),
    })
}

/// The penalizers [`fit_default`] tries, smallest first.
pub const DEFAULT_PENALIZERS: [f64; 2] = [0.001, 0.01];

/// Fits BG/NBD + Gamma-Gamma the way the demo and the report do when the user
/// has not fitted a model: with the small penalizer the convergence error
/// suggests, then a larger one. Plain maximum likelihood often does not
/// converge on data with frequent buyers (the likelihood keeps rising as a and
/// b grow together), and a report should still show CLV. Errors other than a
/// failed fit (too few repeat buyers, bad options) are returned at once.
pub fn fit_default(data: &ClvData, time_zone: &str) -> Result<ClvModel> {
    let mut fitted = fit(data, &FitOptions { penalizer: DEFAULT_PENALIZERS[0], ..FitOptions::default() }, time_zone);
    for &penalizer in &DEFAULT_PENALIZERS[1..] {
        if !matches!(fitted, Err(ClvError::Model(_))) {
            break;
        }
        fitted = fit(data, &FitOptions { penalizer, ..FitOptions::default() }, time_zone);
    }
    fitted
}

/// Where a workspace keeps its CLV model.
pub fn model_path(workspace_root: &Path) -> PathBuf {
    workspace_root.join("models").join("clv.json")
}

impl ClvModel {
    /// Saves the model at [`model_path`]: written to a temporary file beside
    /// it and renamed over it, so a failed write leaves the previous model.
    pub fn save(&self, workspace_root: &Path) -> Result<PathBuf> {
        let path = model_path(workspace_root);
        let dir = path.parent().unwrap_or(workspace_root);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ClvError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let text = serde_json::to_string_pretty(self).map_err(|e| ClvError::Options(e.to_string()))?;
        let temporary = dir.join(format!(".clv.json.{}.tmp", std::process::id()));
        let written = std::fs::write(&temporary, text.as_bytes()).and_then(|()| std::fs::rename(&temporary, &path));
        if let Err(source) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(ClvError::Io { path, source });
        }
        Ok(path)
    }

    /// Loads the model saved in the workspace.
    pub fn load(workspace_root: &Path) -> Result<ClvModel> {
        let path = model_path(workspace_root);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ClvError::NoModel { path }),
            Err(source) => return Err(ClvError::Io { path, source }),
        };
        let model: ClvModel = serde_json::from_str(&text).map_err(|e| ClvError::BadModel { path: path.clone(), reason: e.to_string() })?;
        if model.format_version != FORMAT_VERSION {
            return Err(ClvError::BadModel { path, reason: format!("format version {} is not {FORMAT_VERSION}", model.format_version) });
        }
        // Parameters edited by hand must still give a model.
        model.count_model.model().map_err(|e| ClvError::BadModel { path: path.clone(), reason: e.to_string() })?;
        GammaGamma::from_params(model.spend_model.p, model.spend_model.q, model.spend_model.v)
            .map_err(|e| ClvError::BadModel { path, reason: e.to_string() })?;
        Ok(model)
    }

    /// The calibration end as a day number.
    pub fn calibration_end(&self) -> Option<i32> {
        churnlens_metrics::calendar::parse_day(&self.data.calibration_end)
    }

    /// Time units per month of the CLV horizon.
    pub fn units_per_month(&self) -> f64 {
        DAYS_PER_MONTH / self.data.days_per_unit
    }

    /// Per-customer predictions over `months` with `discount_rate` per
    /// month, for every customer in `data` (summarised as the model was).
    pub fn predict(&self, data: &ClvData, months: u32, discount_rate: f64) -> Result<Vec<Prediction>> {
        if !(discount_rate.is_finite() && discount_rate > -1.0) {
            return Err(ClvError::Options(format!("discount rate {discount_rate}: give a number above -1, e.g. 0.01 for 1% a month")));
        }
        let count = self.count_model.model()?;
        let spend = GammaGamma::from_params(self.spend_model.p, self.spend_model.q, self.spend_model.v)?;
        let units_per_month = self.units_per_month();
        let horizon = f64::from(months) * units_per_month;
        // The CLV's month ends end at the horizon, so one evaluation of the
        // cumulative expectations gives both; the report's horizon is added
        // separately only when there are no months.
        let mut horizons = clv_horizons(months, units_per_month);
        if horizons.is_empty() {
            horizons.push(horizon);
        }
        let rfm: Vec<Rfm> = data.summaries.iter().map(|s| s.rfm).collect();
        let cumulative = count.conditional_expected_purchases_many(&horizons, &rfm);
        Ok(data
            .summaries
            .par_iter()
            .zip(cumulative.par_chunks(horizons.len()))
            .map(|(s, cumulative)| {
                // A customer whose repeat days net to nothing gets the population mean.
                let average_value =
                    if s.monetary_value > 0.0 { spend.conditional_expected_average_value(s.rfm.frequency, s.monetary_value) } else { spend.population_mean() };
                Prediction {
                    customer: s.customer,
                    rfm: s.rfm,
                    monetary_value: s.monetary_value,
                    p_alive: count.p_alive(&s.rfm),
                    expected_purchases: cumulative[cumulative.len() - 1],
                    expected_average_value: average_value,
                    clv: if months == 0 { 0.0 } else { discounted_value(cumulative, average_value, discount_rate) },
                }
            })
            .collect())
    }
}

/// One customer's prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// The customer's index in [`ClvData::ids`].
    pub customer: usize,
    /// Frequency, recency and T in the model's unit.
    pub rfm: Rfm,
    /// Mean value of the repeat purchase days (0 without).
    pub monetary_value: f64,
    /// Probability of still being a customer at the calibration end.
    pub p_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Expected average order value (Gamma-Gamma).
    pub expected_average_value: f64,
    /// CLV over the horizon, discounted.
    pub clv: f64,
}

fn float(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(values.collect::<Float64Array>())
}

/// Predictions as a batch ranked by CLV (highest first; ties by customer
/// id), at most `top` rows: customer_id, frequency, recency, T, monetary,
/// p_alive, expected_purchases, expected_average_value, clv.
pub fn predictions_batch(data: &ClvData, predictions: &[Prediction], top: Option<usize>) -> RecordBatch {
    let mut ranked: Vec<&Prediction> = predictions.iter().collect();
    ranked.sort_by(|a, b| b.clv.total_cmp(&a.clv).then_with(|| data.ids[a.customer].cmp(&data.ids[b.customer])));
    ranked.truncate(top.unwrap_or(usize::MAX));
    let schema = Arc::new(Schema::new(
        std::iter::once(Field::new("customer_id", DataType::Utf8, false))
            .chain(
                ["frequency", "recency", "T", "monetary", "p_alive", "expected_purchases", "expected_average_value", "clv"]
                    .into_iter()
                    .map(|n| Field::new(n, DataType::Float64, false)),
            )
            .collect::<Vec<_>>(),
    ));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ranked.iter().map(|p| Some(data.ids[p.customer].as_str())).collect::<StringArray>()),
        float(ranked.iter().map(|p| p.rfm.frequency)),
        float(ranked.iter().map(|p| p.rfm.recency)),
        float(ranked.iter().map(|p| p.rfm.age)),
        float(ranked.iter().map(|p| p.monetary_value)),
        float(ranked.iter().map(|p| p.p_alive)),
        float(ranked.iter().map(|p| p.expected_purchases)),
        float(ranked.iter().map(|p| p.expected_average_value)),
        float(ranked.iter().map(|p| p.clv)),
    ];
    RecordBatch::try_new(schema, columns).expect("columns match the schema")
}

/// Totals of a set of predictions.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PredictionTotals {
    /// Customers.
    pub customers: usize,
    /// Expected purchases over the horizon, summed.
    pub expected_purchases: f64,
    /// CLV over the horizon, summed.
    pub clv: f64,
    /// Mean CLV per customer.
    pub clv_per_customer: f64,
    /// Mean P(alive).
    pub mean_p_alive: f64,
    /// Share (0–1) of customers with P(alive) > 0.5.
    pub share_alive: f64,
}

impl PredictionTotals {
    /// The totals of `predictions` (all zero for none).
    pub fn of<'a>(predictions: impl IntoIterator<Item = &'a Prediction>) -> PredictionTotals {
        let mut t = PredictionTotals::default();
        let mut alive = 0usize;
        for p in predictions {
            t.customers += 1;
            t.expected_purchases += p.expected_purchases;
            t.clv += p.clv;
            t.mean_p_alive += p.p_alive;
            alive += usize::from(p.p_alive > 0.5);
        }
        if t.customers > 0 {
            let n = t.customers as f64;
            t.clv_per_customer = t.clv / n;
            t.mean_p_alive /= n;
            t.share_alive = alive as f64 / n;
        }
        t
    }
}

/// Predictions summarised per group of `grouping` (built over the same
/// activity as `data`): group, customers, expected purchases, CLV (total and
/// per customer), mean P(alive) and the share with P(alive) > 0.5. Groups
/// without a summarised customer are left out.
pub fn summary_by_group(predictions: &[Prediction], grouping: &Grouping) -> RecordBatch {
    let mut per_group: Vec<Vec<&Prediction>> = vec![Vec::new(); grouping.labels().len()];
    for p in predictions {
        if let Some(g) = grouping.group_of(p.customer as u32) {
            per_group[g].push(p);
        }
    }
    let rows: Vec<(&str, PredictionTotals)> = grouping
        .labels()
        .iter()
        .zip(&per_group)
        .filter(|(_, members)| !members.is_empty())
        .map(|(l, m)| (l.as_str(), PredictionTotals::of(m.iter().copied())))
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("group", DataType::Utf8, false),
        Field::new("customers", DataType::UInt64, false),
        Field::new("expected_purchases", DataType::Float64, false),
        Field::new("clv_total", DataType::Float64, false),
        Field::new("clv_per_customer", DataType::Float64, false),
        Field::new("mean_p_alive", DataType::Float64, false),
        Field::new("share_p_alive_over_half", DataType::Float64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| Some(r.0)).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| r.1.customers as u64).collect::<UInt64Array>()),
        float(rows.iter().map(|r| r.1.expected_purchases)),
        float(rows.iter().map(|r| r.1.clv)),
        float(rows.iter().map(|r| r.1.clv_per_customer)),
        float(rows.iter().map(|r| r.1.mean_p_alive)),
        float(rows.iter().map(|r| r.1.share_alive)),
    ];
    RecordBatch::try_new(schema, columns).expect("columns match the schema")
}

/// A calibration/holdout validation.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The model fitted on the calibration period.
    pub model: ClvModel,
    /// Predicted against actual holdout purchases.
    pub holdout: HoldoutComparison,
    /// Time in units since the first purchase day, actual and model
    /// cumulative repeat purchases of the calibration customers, one row per
    /// unit up to the holdout end.
    pub cumulative: Vec<(f64, f64, f64)>,
}

/// Fits on the calibration period of `data` (which needs a holdout end) and
/// compares the model's predictions with the holdout period.
pub fn validate(data: &ClvData, options: &FitOptions, time_zone: &str) -> Result<Validation> {
    let Some(holdout_end) = data.holdout_end else {
        return Err(ClvError::Options("validation needs a holdout end after the calibration end".into()));
    };
    let model = fit(data, options, time_zone)?;
    let count = model.count_model.model()?;
    let holdout = holdout_comparison(&count, &data.summaries, HOLDOUT_CENSOR)?;
    let unit = data.unit.days();
    let origin = data.summaries.iter().map(|s| s.first_day).min().unwrap_or(i64::from(data.calibration_end));
    let span = (i64::from(holdout_end) + 1 - origin) as f64 / unit;
    let times: Vec<f64> = (1..=span.ceil() as usize).map(|k| (k as f64).min(span)).collect();
    // Only the calibration customers, and only their purchases up to the holdout end.
    let born: std::collections::HashSet<usize> = data.summaries.iter().map(|s| s.customer).collect();
    let kept: Vec<usize> = (0..data.customer.len()).filter(|&i| born.contains(&data.customer[i]) && data.day[i] <= i64::from(holdout_end)).collect();
    let customer: Vec<usize> = kept.iter().map(|&i| data.customer[i]).collect();
    let day: Vec<i64> = kept.iter().map(|&i| data.day[i]).collect();
    let actual = cumulative_repeat_purchases(&customer, &day, origin, unit, &times);
    let births: Vec<f64> = data.summaries.iter().map(|s| (s.first_day - origin) as f64 / unit).collect();
    let predicted = expected_cumulative_purchases(&count, &births, &times);
    let cumulative = times.iter().zip(actual).zip(predicted).map(|((&t, a), p)| (t, a, p)).collect();
    Ok(Validation { model, holdout, cumulative })
}

impl Validation {
    /// Holdout purchases by calibration frequency: calibration_frequency
    /// (the last group pools frequencies ≥ [`HOLDOUT_CENSOR`]), customers,
    /// actual_mean, predicted_mean.
    pub fn frequency_batch(&self) -> RecordBatch {
        let g = &self.holdout.groups;
        let schema = Arc::new(Schema::new(vec![
            Field::new("calibration_frequency", DataType::Float64, false),
            Field::new("customers", DataType::UInt64, false),
            Field::new("actual_mean", DataType::Float64, false),
            Field::new("predicted_mean", DataType::Float64, false),
        ]));
        let columns: Vec<ArrayRef> = vec![
            float(g.iter().map(|g| g.calibration_frequency)),
            Arc::new(g.iter().map(|g| g.customers as u64).collect::<UInt64Array>()),
            float(g.iter().map(|g| g.actual_mean)),
            float(g.iter().map(|g| g.predicted_mean)),
        ];
        RecordBatch::try_new(schema, columns).expect("columns match the schema")
    }

    /// The error figures in one row: actual_total, predicted_total,
    /// total_error_pct ((predicted − actual)/actual × 100), mae, rmse (per customer).
    pub fn errors_batch(&self) -> RecordBatch {
        let h = &self.holdout;
        let pct = if h.actual_total > 0.0 { (h.predicted_total - h.actual_total) / h.actual_total * 100.0 } else { f64::NAN };
        let schema = Arc::new(Schema::new(
            ["actual_total", "predicted_total", "total_error_pct", "mae", "rmse"]
                .into_iter()
                .map(|n| Field::new(n, DataType::Float64, false))
                .collect::<Vec<_>>(),
        ));
        let columns = [h.actual_total, h.predicted_total, pct, h.mae, h.rmse].into_iter().map(|v| float(std::iter::once(v))).collect();
        RecordBatch::try_new(schema, columns).expect("columns match the schema")
    }

    /// Cumulative repeat purchases over time: time (units since the first
    /// purchase day), actual, predicted.
    pub fn cumulative_batch(&self) -> RecordBatch {
        let c = &self.cumulative;
        let schema = Arc::new(Schema::new(vec![
            Field::new("time", DataType::Float64, false),
            Field::new("actual", DataType::Float64, false),
            Field::new("predicted", DataType::Float64, false),
        ]));
        let columns: Vec<ArrayRef> = vec![float(c.iter().map(|r| r.0)), float(c.iter().map(|r| r.1)), float(c.iter().map(|r| r.2))];
        RecordBatch::try_new(schema, columns).expect("columns match the schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve customers buying every `gap` days from 2024-01-01 until day
    /// `stop`, `amount` a day; same-day orders and a refund-only day added.
    fn activity() -> Activity {
        let mut rows: Vec<(String, String, f64)> = Vec::new();
        let day = |n: i32| format_day(churnlens_metrics::calendar::parse_day("2024-01-01").unwrap() + n);
        for c in 0..12 {
            let (gap, stop) = (7 + 3 * c, 60 + 10 * c);
            let mut d = c;
            while d <= stop {
                rows.push((format!("c{c:02}"), day(d), 10.0 + f64::from(c)));
                d += gap;
            }
        }
        rows.push(("c00".into(), day(0), 5.0));
        rows.push(("c01".into(), day(2), -4.0));
        let borrowed: Vec<(&str, &str, f64)> = rows.iter().map(|(c, d, a)| (c.as_str(), d.as_str(), *a)).collect();
        Activity::from_rows(&borrowed)
    }

    #[test]
    fn summary_merges_same_day_orders_and_ignores_refund_days() {
        let a = activity();
        let data = ClvData::from_activity(&a, TimeUnit::Week, None, None).unwrap();
        assert_eq!(data.summaries.len(), 12);
        // c00 buys on days 0, 7, …, 56 (9 days; 5 + 10 on day 0 is one purchase day): frequency 8, recency 56/7 = 8.
        let c00 = &data.summaries[0];
        assert_eq!(data.ids[c00.customer], "c00");
        assert_eq!((c00.rfm.frequency, c00.rfm.recency), (8.0, 8.0));
        assert_eq!(c00.monetary_value, 10.0);
        // c01: days 1, 11, …, 61 (7 days); the refund on day 2 is not a purchase day.
        let c01 = &data.summaries[1];
        assert_eq!(c01.rfm.frequency, 6.0);
        // The calibration end defaults to the last order day.
        assert_eq!(data.calibration_end, a.last_day.unwrap());
        assert_eq!(c00.rfm.age, f64::from(a.last_day.unwrap() - churnlens_metrics::calendar::parse_day("2024-01-01").unwrap()) / 7.0);
    }

    #[test]
    fn refuses_a_holdout_before_the_calibration_end_and_too_few_repeat_buyers() {
        let a = Activity::from_rows(&[("a", "2024-01-01", 1.0), ("a", "2024-01-09", 1.0), ("b", "2024-01-02", 1.0)]);
        let d = |s| churnlens_metrics::calendar::parse_day(s);
        assert!(matches!(ClvData::from_activity(&a, TimeUnit::Day, d("2024-01-05"), d("2024-01-03")), Err(ClvError::Options(_))));
        let data = ClvData::from_activity(&a, TimeUnit::Day, None, None).unwrap();
        let e = fit(&data, &FitOptions::default(), "UTC").unwrap_err();
        assert!(matches!(e, ClvError::TooFewRepeatBuyers { repeat_buyers: 1, customers: 2, .. }), "{e}");
        assert!(e.message(Lang::Zh).contains("复购"));
        assert!(matches!(ClvData::from_activity(&a, TimeUnit::Day, d("2023-12-31"), None), Err(ClvError::NoCustomers { .. })));
    }

    #[test]
    fn predictions_rank_by_clv_and_totals_add_up() {
        let a = activity();
        let data = ClvData::from_activity(&a, TimeUnit::Week, None, None).unwrap();
        let model = ClvModel {
            format_version: FORMAT_VERSION,
            count_model: CountParameters::Bgnbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
            spend_model: SpendParameters { p: 6.25, q: 3.74, v: 15.44, frequency_monetary_correlation: 0.0, customers: 12 },
            data: DataSummary {
                customers: 12,
                repeat_buyers: 12,
                first_purchase: "2024-01-01".into(),
                calibration_end: format_day(data.calibration_end),
                unit: TimeUnit::Week,
                days_per_unit: 7.0,
                time_zone: "UTC".into(),
                penalizer: 0.0,
            },
            count_fit: None,
            spend_fit: None,
        };
        let predictions = model.predict(&data, 12, 0.01).unwrap();
        let batch = predictions_batch(&data, &predictions, Some(5));
        assert_eq!(batch.num_rows(), 5);
        let clv = batch.column_by_name("clv").unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
        assert!(clv.values().windows(2).all(|w| w[0] >= w[1]));
        // Zero discount: CLV = average value × purchases over the horizon, by
        // construction of lifetimes' definition (the monthly increments telescope).
        let flat = model.predict(&data, 12, 0.0).unwrap();
        for p in &flat {
            assert!((p.clv - p.expected_average_value * p.expected_purchases).abs() < 1e-9 * p.clv.max(1.0), "{p:?}");
        }
        let totals = PredictionTotals::of(&flat);
        assert_eq!(totals.customers, 12);
        assert!((totals.clv - flat.iter().map(|p| p.clv).sum::<f64>()).abs() < 1e-9);
        let by = summary_by_group(
            &flat,
            &Grouping::from_labels(&a.ids.iter().map(|id| if id.as_str() < "c06" { "low" } else { "high" }.to_string()).collect::<Vec<_>>()),
        );
        let customers = by.column_by_name("customers").unwrap().as_any().downcast_ref::<UInt64Array>().unwrap();
        assert_eq!(customers.values(), &[6, 6]);
    }

    #[test]
    fn saves_atomically_and_loads_back() {
        let dir = tempfile::tempdir().unwrap().keep();
        let data = ClvData::from_activity(&activity(), TimeUnit::Week, None, None).unwrap();
        let model = fit(&data, &FitOptions { penalizer: 0.01, ..FitOptions::default() }, "Asia/Shanghai").unwrap();
        let path = model.save(&dir).unwrap();
        assert_eq!(path, model_path(&dir));
        // serde_json reads floats back to within an ulp, not always bit for bit.
        let loaded = ClvModel::load(&dir).unwrap();
        assert_eq!((&loaded.data, &loaded.count_fit.map(|f| f.converged)), (&model.data, &model.count_fit.as_ref().map(|f| f.converged)));
        for ((_, saved), (_, fitted)) in loaded.count_model.named().into_iter().zip(model.count_model.named()) {
            assert!((saved - fitted).abs() <= 1e-14 * fitted, "{saved} vs {fitted}");
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(ClvModel::load(&dir), Err(ClvError::BadModel { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(ClvModel::load(&dir), Err(ClvError::NoModel { .. })));
    }
}
