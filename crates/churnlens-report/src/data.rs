//! The report's data model: everything a report or dashboard view shows,
//! computed once and serialised as JSON. The HTML report inlines it; the
//! dashboard server (issue #8, part B) serves the same JSON, and the front end
//! in `web/` renders both from it. Rates are in percent, money in the orders'
//! currency, periods labelled as the metrics crate labels them (`2025-12`).

use serde::{Deserialize, Serialize};

/// The version of this JSON shape; bumped when a field changes meaning.
pub const FORMAT_VERSION: u32 = 1;

/// One report: headline cards, then one optional section per view. A section
/// is `None` when its data is absent, and then [`ReportData::notes`] says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The language of every text: `en` or `zh`.
    pub lang: String,
    /// The workspace's folder name.
    pub workspace: String,
    /// The last complete month, which the headline cards describe.
    pub period: Option<String>,
    /// The month before it, which the changes are measured against.
    pub previous_period: Option<String>,
    /// End of observation (the last order day), YYYY-MM-DD.
    pub as_of: Option<String>,
    /// The headline cards.
    pub kpis: Vec<Kpi>,
    /// Churn and retention per month.
    pub trend: Option<TrendSection>,
    /// Revenue that left with each month's churners.
    pub revenue_lost: Option<RevenueLostSection>,
    /// Cohort retention heatmap.
    pub cohorts: Option<CohortSection>,
    /// Lifecycle stages per month and the last month's flows.
    pub lifecycle: Option<LifecycleSection>,
    /// NPS per month.
    pub nps: Option<NpsSection>,
    /// RFM segments with their churn.
    pub segments: Option<SegmentSection>,
    /// Attributes ranked by their association with churn.
    pub drivers: Option<DriverSection>,
    /// Kaplan–Meier survival curves by an attribute.
    pub survival: Option<SurvivalSection>,
    /// Forecast of monthly active customers with intervals.
    pub forecast: Option<ForecastSection>,
    /// Distribution of predictive CLV.
    pub clv: Option<ClvSection>,
    /// Churn prediction: model comparison, ROC, lift and the at-risk table
    /// (issue #6); `None` until a churn model exists.
    pub churn_model: Option<ChurnModelSection>,
    /// Sections left out and why.
    pub notes: Vec<Note>,
}

/// Which headline figure a card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiKey {
    /// Churn rate of the month, percent.
    ChurnRate,
    /// Retention rate of the month, percent.
    RetentionRate,
    /// Customers active at the month's end.
    ActiveCustomers,
    /// Historical CLV: net revenue to date per customer who bought, at the month's end.
    AverageClv,
    /// NPS of the month's survey answers.
    Nps,
    /// Revenue of the month's churners in their last 12 months.
    RevenueLost,
}

/// One headline card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    /// What it shows.
    pub key: KpiKey,
    /// The value in the last complete month.
    pub value: Option<f64>,
    /// The value in the month before.
    pub previous: Option<f64>,
    /// value − previous (percentage points for rates).
    pub change: Option<f64>,
    /// Whether a rise is good news (retention) or bad (churn).
    pub higher_is_better: bool,
}

/// Why a section is missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The section's field name in [`ReportData`].
    pub section: String,
    /// What is missing, in the report's language.
    pub text: String,
}

/// Churn and retention per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendSection {
    /// The months.
    pub periods: Vec<String>,
    /// Churn rate per month, percent (`None` before anyone was active).
    pub churn_rate: Vec<Option<f64>>,
    /// Retention rate per month, percent.
    pub retention_rate: Vec<Option<f64>>,
    /// Active customers at each month's end.
    pub active: Vec<u64>,
    /// New customers per month.
    pub new: Vec<u64>,
    /// Churned customers per month.
    pub churned: Vec<u64>,
    /// The attribute whose groups the biggest mover is looked for in.
    pub breakdown: Option<String>,
    /// The group whose churn rate moved most between the last two months.
    pub biggest_mover: Option<Mover>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// A group's churn-rate change between the last two months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    /// The group.
    pub group: String,
    /// Its churn rate in the month before, percent.
    pub previous: f64,
    /// Its churn rate in the last month, percent.
    pub value: f64,
}

/// Revenue lost to churn per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueLostSection {
    /// The months.
    pub periods: Vec<String>,
    /// Revenue of each month's churners in their last 12 months.
    pub revenue_lost: Vec<f64>,
    /// Churners per month.
    pub churned: Vec<u64>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// First-purchase cohorts × months since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortSection {
    /// The cohorts, oldest first.
    pub cohorts: Vec<String>,
    /// Customers in each cohort.
    pub sizes: Vec<u64>,
    /// The largest offset shown.
    pub max_offset: u32,
    /// `[offset, cohort index, retention percent]`.
    pub cells: Vec<(u32, usize, f64)>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// Lifecycle stages per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifecycleSection {
    /// The months.
    pub periods: Vec<String>,
    /// Stage labels in the report's language, in the metrics crate's order.
    pub stages: Vec<String>,
    /// `counts[stage][period]`.
    pub counts: Vec<Vec<u64>>,
    /// Moves from the month before the last into the last: (from stage, to stage, customers), non-zero only.
    pub flows: Vec<(usize, usize, u64)>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// NPS per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsSection {
    /// The months.
    pub periods: Vec<String>,
    /// NPS per month (`None` without answers).
    pub nps: Vec<Option<f64>>,
    /// Answers per month.
    pub responses: Vec<u64>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// One RFM segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Its label in the report's language.
    pub name: String,
    /// Customers.
    pub customers: u64,
    /// Churned at the end of observation, percent of its customers.
    pub churn_rate: f64,
    /// Share of all net revenue, percent.
    pub revenue_share: Option<f64>,
    /// Net revenue to date per customer.
    pub average_clv: f64,
}

/// RFM segments (eight-segment scheme) with their churn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSection {
    /// The segments in the scheme's order.
    pub segments: Vec<Segment>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// One attribute's association with churn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    /// The attribute.
    pub attribute: String,
    /// Cramér's V of levels × churned.
    pub cramers_v: Option<f64>,
    /// The chi-square p-value.
    pub p_value: Option<f64>,
    /// The level with the highest churn against the rest, in words.
    pub sentence: Option<String>,
}

/// The churn drivers, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverSection {
    /// At most [`crate::build::TOP_DRIVERS`] attributes.
    pub drivers: Vec<Driver>,
    /// Labelled customers.
    pub customers: u64,
    /// Of those, churned.
    pub churned: u64,
    /// What it shows and what stands out.
    pub summary: String,
}

/// One Kaplan–Meier curve read on a monthly grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalCurve {
    /// The group (or "all").
    pub group: String,
    /// Customers in it.
    pub customers: usize,
    /// S(t), percent, at each of [`SurvivalSection::months`].
    pub survival: Vec<f64>,
    /// Lower end of the 95% interval, percent.
    pub lower: Vec<f64>,
    /// Upper end of the 95% interval, percent.
    pub upper: Vec<f64>,
    /// Median lifetime in months, when half the group has churned.
    pub median_months: Option<f64>,
}

/// Survival of first spells (months from the first purchase to churn).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalSection {
    /// The attribute the curves are split by.
    pub by: String,
    /// Months since the first purchase.
    pub months: Vec<f64>,
    /// Overall first, then one per group large enough.
    pub curves: Vec<SurvivalCurve>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// Forecast of monthly active customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastSection {
    /// The ETS model chosen.
    pub model: String,
    /// The months observed.
    pub history_periods: Vec<String>,
    /// Active customers at each observed month's end.
    pub history: Vec<f64>,
    /// The months forecast.
    pub periods: Vec<String>,
    /// Point forecasts.
    pub point: Vec<f64>,
    /// 80% interval lower ends.
    pub lower_80: Vec<f64>,
    /// 80% interval upper ends.
    pub upper_80: Vec<f64>,
    /// 95% interval lower ends.
    pub lower_95: Vec<f64>,
    /// 95% interval upper ends.
    pub upper_95: Vec<f64>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// One bar of the CLV histogram: customers with lower ≤ CLV < upper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvBin {
    /// Lower end.
    pub lower: f64,
    /// Upper end (the last bin holds everything above its lower end).
    pub upper: f64,
    /// Customers.
    pub customers: u64,
}

/// Predictive CLV (BTYD model) over the next months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvSection {
    /// BG/NBD, Pareto/NBD …
    pub model: String,
    /// Whether the model was read from the workspace (else fitted for the report).
    pub saved_model: bool,
    /// Months predicted.
    pub horizon_months: u32,
    /// Monthly discount rate.
    pub discount_rate: f64,
    /// Customers predicted.
    pub customers: usize,
    /// Mean CLV per customer.
    pub mean_clv: f64,
    /// Share of all predicted CLV held by the top 20% of customers, percent.
    pub top20_share: f64,
    /// Mean P(alive), percent.
    pub mean_p_alive: f64,
    /// The histogram (the last bin is open-ended above the 99th percentile).
    pub bins: Vec<ClvBin>,
    /// What it shows and what stands out.
    pub summary: String,
}

/// Churn prediction (issue #6) from the workspace's saved churn models
/// (`models/churn/*.json`): the comparison of every saved model, the
/// default model's ROC curve, gains and lift, its global importance and the
/// customers it puts most at risk today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnModelSection {
    /// The default model: the one named `gbdt` (the CLI's default), else the best held-out ROC AUC.
    pub model: String,
    /// Its algorithm.
    pub algorithm: String,
    /// When it was trained (RFC 3339), when the file says.
    pub trained_at: Option<String>,
    /// Every saved model with its held-out metrics, as saved at training.
    pub models: Vec<ModelScore>,
    /// Whether the curves are the model's held-out evaluation (saved with
    /// it) rather than its training rows rebuilt and scored (in-sample, so
    /// optimistic: models saved before their curves were kept).
    pub curves_held_out: bool,
    /// The rows the curves are computed on.
    pub curve_rows: usize,
    /// ROC AUC of those rows' scores.
    pub curve_auc: f64,
    /// ROC curve: (false positive rate, true positive rate), thinned to at most [`ROC_POINTS`] points.
    pub roc: Vec<(f64, f64)>,
    /// Cumulative gains and lift by decile of predicted risk (empty with fewer than 10 rows).
    pub gains: Vec<GainsDecile>,
    /// Global importance of the default model, largest first: the
    /// [`TOP_FEATURES`] strongest features and the [`TOP_DRIVERS`] strongest
    /// drivers (features that are not warning signs) wherever they rank.
    pub importance: Vec<FeatureImportance>,
    /// Customers scored today.
    pub scored: usize,
    /// Of them, high risk.
    pub high_risk: usize,
    /// Of them, medium risk.
    pub medium_risk: usize,
    /// The customers most at risk with their tier and reasons, at most [`AT_RISK_ROWS`].
    pub at_risk: Vec<AtRiskCustomer>,
    /// What the comparison shows.
    pub summary: String,
    /// What the ROC curve and gains show.
    pub curves_summary: String,
    /// What the importance shows.
    pub importance_summary: String,
    /// What the at-risk table shows.
    pub at_risk_summary: String,
}

/// Points of the ROC curve kept for the chart.
pub const ROC_POINTS: usize = 200;

/// Features in the importance chart.
pub const TOP_FEATURES: usize = 10;

/// Drivers in the importance chart, however far down they rank.
pub const TOP_DRIVERS: usize = 5;

/// Rows of the at-risk table.
pub const AT_RISK_ROWS: usize = 50;

/// One saved model of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelScore {
    /// The model's name.
    pub name: String,
    /// Its algorithm.
    pub algorithm: String,
    /// Held-out ROC AUC.
    pub auc: f64,
    /// Held-out PR AUC.
    pub pr_auc: Option<f64>,
    /// Held-out log loss.
    pub log_loss: Option<f64>,
    /// Held-out Brier score.
    pub brier: Option<f64>,
    /// Held-out F1 at the decision threshold.
    pub f1: Option<f64>,
    /// ROC AUC of the recency-only baseline on the same rows (activity data).
    pub baseline_auc: Option<f64>,
    /// Training rows.
    pub rows: usize,
    /// Whether it is the default model.
    pub default: bool,
}

/// One decile of predicted risk, highest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainsDecile {
    /// 1 for the riskiest tenth … 10.
    pub decile: usize,
    /// Share of all churners in deciles 1..=this one, percent.
    pub cumulative_gain: f64,
    /// This decile's churn rate ÷ the overall churn rate.
    pub lift: f64,
    /// The churn rate of deciles 1..=this one ÷ the overall churn rate.
    pub cumulative_lift: f64,
}

/// One feature's global importance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    /// The feature, in the report's language.
    pub feature: String,
    /// Features correlated with it, shuffled with it, so the entry is the
    /// importance of all of them; in the report's language.
    #[serde(default)]
    pub correlated: Vec<String>,
    /// Mean ROC AUC drop when it is shuffled on held-out rows.
    pub auc_drop: f64,
    /// Its share of the split gain (tree models), percent.
    pub gain_share: Option<f64>,
    /// Warning sign, experience or profile, in the report's language.
    pub kind: String,
    /// Whether it is a driver (not a warning sign).
    pub driver: bool,
}

/// One row of the at-risk table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRiskCustomer {
    /// The customer.
    pub customer_id: String,
    /// Predicted churn probability, percent.
    pub probability: f64,
    /// The risk tier, in the report's language.
    pub tier: String,
    /// The reasons, strongest first, in the report's language (none for an SVM).
    pub reasons: Vec<String>,
    /// The strongest reasons among the drivers (not warning signs): what a
    /// save campaign can act on.
    pub drivers: Vec<String>,
}
