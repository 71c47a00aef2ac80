//! The query engine and the churn and retention metrics of churnlens.
//!
//! [`Engine::open`] registers every workspace table under its canonical name
//! (`customers`, `orders`, …) in an in-process Apache DataFusion session, so
//! `churnlens sql` and every metric read the same data the same way.
//!
//! ## Definitions
//!
//! * **Business calendar** ([`calendar`]): instants become local days in the
//!   business time zone before anything is bucketed; weeks start on a chosen
//!   day; quarters and years may be fiscal.
//! * **Activity** ([`activity`]): purchase days per customer from `orders`
//!   (refund rows are revenue, not activity; same-day orders are one day).
//! * **Non-contractual churn** ([`spells`]): after a purchase on day L with no
//!   later purchase, the customer is active on L … L+W−1 and churned from
//!   C = L+W on (W = 90 by default); a purchase after C starts a new spell.
//!   Or adaptive: W = k × the customer's own median gap so far.
//! * **Churn and retention rates per period** ([`periods`]): churn dates in
//!   P ÷ customers active on the day before P; the average-base and 30-day
//!   variants; retention = (end − joined) ÷ start.
//! * **Cohorts** ([`cohorts`]): first-purchase period × periods since; and
//!   ([`day_retention`]) retention on day N, on or after day N, and in
//!   brackets of days since the first purchase.
//! * **Lifecycle** ([`lifecycle`]): new / retained / reactivated / dormant /
//!   churned / lost per period, and the flows between periods.
//! * **Win-back** ([`winback`]): of the churn events in a period, the share
//!   won back by a purchase within D days (only events whose D days have passed).
//! * **Stickiness** ([`stickiness`]): purchase days per customer per period.
//! * **Purchase intervals** ([`intervals`]): per customer gaps, their trend
//!   and a flag for lengthening gaps.
//! * **NPS and CSI** ([`nps`]): per period from `surveys`; `--by
//!   nps_category` breaks churn down by each customer's latest answer.
//! * **Customer value** ([`clv`]): historical CLV, the textbook CLV per
//!   segment, and the yearly revenue that left with churned customers.
//! * **Engagement** ([`engagement`]): a 0–100 score per customer from
//!   recency, purchase frequency, event counts and durations, and its
//!   distribution per period.
//! * **Acquisition** ([`acquisition`]): lead conversion per source and CAC
//!   per channel and period.
//! * **Contractual churn and MRR** ([`subscriptions`]): churn, retention
//!   and win-back from subscription start and end dates; MRR movements
//!   (new, expansion, contraction, churned, reactivation), gross and net
//!   revenue retention, revenue churn beside logo churn, ARPA, quick ratio.
//! * **Snapshot churn** ([`snapshot`]): the share of customers a
//!   `snapshot` table labels churned, per group of any of its columns.
//! * **Choosing the window** ([`window`]): churn rate, false churn and the
//!   share of repeat gaps beyond W for a range of windows, and the smallest
//!   W at which few churn labels are later reversed.
//!
//! The [`Metrics`] type runs them over a workspace and returns Arrow record
//! batches. The orders are read with one DataFusion scan; the metrics then
//! run as day-level kernels over per-customer purchase days in memory,
//! because spells are sequential per customer and do not map well onto SQL
//! window functions (BENCHMARKS.md has the figures against pandas).

pub mod acquisition;
pub mod activity;
pub mod calendar;
pub mod clv;
pub mod cohorts;
pub mod day_retention;
pub mod engagement;
mod engine;
mod error;
pub mod grouping;
pub mod intervals;
pub mod lifecycle;
pub mod nps;
pub mod periods;
pub mod snapshot;
pub mod spells;
pub mod stickiness;
pub mod subscriptions;
pub mod winback;
pub mod window;

use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;

pub use engine::Engine;
pub use error::{MetricsError, Result};

use crate::activity::Activity;
use crate::calendar::{Calendar, Period};
use crate::grouping::Grouping;

/// Default churn window in days.
pub const DEFAULT_WINDOW: i32 = 90;

/// How to compute the metrics.
#[derive(Debug, Clone)]
pub struct MetricsOptions {
    /// Churn window W in days (the fallback of the adaptive rule).
    pub window: i32,
    /// Adaptive rule: churned after k × the customer's median gap (see [`spells`]).
    pub adaptive_k: Option<f64>,
    /// Reporting period.
    pub period: Period,
    /// Business calendar.
    pub calendar: Calendar,
    /// End of observation (a local day); default: the last day with an order.
    pub as_of: Option<i32>,
    /// First day to report from; default: the first order.
    pub from: Option<i32>,
    /// Customer attribute to break down by.
    pub by: Option<String>,
    /// Language of labels such as "(unknown)".
    pub lang: Lang,
    /// Whether revenue figures use the amount or the margin.
    pub value: activity::OrderValue,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions {
            window: DEFAULT_WINDOW,
            adaptive_k: None,
            period: Period::Month,
            calendar: Calendar::default(),
            as_of: None,
            from: None,
            by: None,
            lang: Lang::En,
            value: activity::OrderValue::Revenue,
        }
    }
}

/// NPS and CSI per period from the `surveys` table (see [`nps`]); needs no orders.
pub async fn nps_by_period(engine: &Engine, options: &MetricsOptions) -> Result<RecordBatch> {
    let surveys = nps::Surveys::load(engine, &options.calendar).await?;
    let rows = surveys.rows(&options.calendar, options.period, options.as_of);
    Ok(nps::nps_batch(&rows, surveys.item_scale()))
}

impl MetricsOptions {
    /// The churn rule the options describe.
    pub fn rule(&self) -> spells::ChurnRule {
        match self.adaptive_k {
            Some(k) => spells::ChurnRule::Adaptive { k, fallback: self.window },
            None => spells::ChurnRule::Fixed(self.window),
        }
    }
}

/// Lead conversion per period and source from the `leads` table (see
/// [`acquisition`]); needs no orders.
pub async fn conversion_by_period(engine: &Engine, options: &MetricsOptions) -> Result<RecordBatch> {
    let leads = acquisition::load_leads(engine, &options.calendar, options.lang).await?;
    Ok(acquisition::conversion_batch(&acquisition::conversion_rows(&leads, &options.calendar, options.period, options.as_of)))
}

/// Churn per group of a `snapshot` column (see [`snapshot`]); needs no orders.
pub async fn snapshot_churn(engine: &Engine, options: &MetricsOptions) -> Result<RecordBatch> {
    let rows = snapshot::snapshot_churn_rows(engine, options.by.as_deref(), options.lang).await?;
    Ok(snapshot::snapshot_churn_batch(&rows, options.by.is_some()))
}

/// Contractual metrics over the `subscriptions` table (see [`subscriptions`]).
pub struct ContractMetrics {
    subscriptions: subscriptions::Subscriptions,
    grouping: Grouping,
    options: MetricsOptions,
    today: i32,
}

impl ContractMetrics {
    /// Reads the subscriptions (and the `--by` attribute) once.
    pub async fn load(engine: &Engine, options: MetricsOptions) -> Result<ContractMetrics> {
        let subscriptions = subscriptions::Subscriptions::load(engine, &options.calendar).await?;
        let grouping = match options.by.as_deref() {
            Some(column) => Grouping::by_column(engine, &subscriptions.customers(), column, options.lang).await?,
            None => Grouping::all(),
        };
        let today = options.calendar.day_of().of_micros(chrono::Utc::now().timestamp_micros());
        Ok(ContractMetrics { subscriptions, grouping, options, today })
    }

    /// Metrics over subscriptions already in memory; `today` bounds the
    /// default end of observation (see [`subscriptions::Subscriptions::last_day`]).
    pub fn from_subscriptions(subscriptions: subscriptions::Subscriptions, grouping: Grouping, options: MetricsOptions, today: i32) -> ContractMetrics {
        ContractMetrics { subscriptions, grouping, options, today }
    }

    /// The subscriptions read.
    pub fn subscriptions(&self) -> &subscriptions::Subscriptions {
        &self.subscriptions
    }

    /// End of observation: `--to`, else the latest start or end up to today.
    pub fn as_of(&self) -> Option<i32> {
        self.options.as_of.or_else(|| self.subscriptions.last_day(self.today))
    }

    fn bounds(&self) -> Option<(i32, i32)> {
        let first = self.subscriptions.first_day()?;
        Some((self.options.from.map_or(first, |f| f.max(first)), self.as_of()?))
    }

    /// Contractual churn and retention per period (see [`periods`]).
    pub fn period_rows(&self) -> Vec<periods::PeriodRow> {
        let Some((first, as_of)) = self.bounds() else { return Vec::new() };
        periods::period_rows(&self.subscriptions.spells(), &self.options.calendar, self.options.period, first, as_of, &self.grouping)
    }

    /// [`ContractMetrics::period_rows`] as a record batch.
    pub fn periods(&self) -> RecordBatch {
        periods::period_batch(&self.period_rows(), self.grouping.is_grouped())
    }

    /// Win-back of cancelled subscribers within `within` days (see [`winback`]).
    pub fn winback(&self, within: i32) -> Result<RecordBatch> {
        if within < 1 {
            return Err(MetricsError::Options(format!("win-back horizon {within}: give at least 1 day")));
        }
        let rows = self
            .bounds()
            .map(|(first, as_of)| {
                winback::winback_rows(&self.subscriptions.spells(), within, &self.options.calendar, self.options.period, first, as_of, &self.grouping)
            })
            .unwrap_or_default();
        Ok(winback::winback_batch(&rows, self.grouping.is_grouped()))
    }

    /// MRR movements per period.
    pub fn mrr_rows(&self) -> Vec<subscriptions::MrrRow> {
        let Some((first, as_of)) = self.bounds() else { return Vec::new() };
        subscriptions::mrr_rows(&self.subscriptions, &self.options.calendar, self.options.period, first, as_of, &self.grouping)
    }

    /// [`ContractMetrics::mrr_rows`] as a record batch.
    pub fn mrr(&self) -> RecordBatch {
        subscriptions::mrr_batch(&self.mrr_rows(), self.grouping.is_grouped())
    }
}

/// Metrics over one workspace's orders.
pub struct Metrics {
    activity: Activity,
    grouping: Grouping,
    options: MetricsOptions,
}

impl Metrics {
    /// Reads the orders (and the `--by` attribute) once.
    pub async fn load(engine: &Engine, options: MetricsOptions) -> Result<Metrics> {
        if options.window < 1 {
            return Err(MetricsError::Options("the churn window must be at least 1 day".into()));
        }
        if options.adaptive_k.is_some_and(|k| !(k.is_finite() && k > 0.0)) {
            return Err(MetricsError::Options("the adaptive multiple k must be a positive number, e.g. 3".into()));
        }
        let activity = Activity::from_orders_valued(engine, &options.calendar, options.value).await?;
        let grouping = match options.by.as_deref() {
            Some(nps::NPS_CATEGORY) => {
                let surveys = nps::Surveys::load(engine, &options.calendar).await?;
                let latest = surveys.latest_categories(options.as_of.or(activity.last_day).unwrap_or(i32::MAX));
                let none = options.lang.pick("(no answer)", "（未作答）");
                let labels: Vec<String> = activity.ids.iter().map(|id| latest.get(id.as_str()).map_or(none, |c| c.label(options.lang)).to_string()).collect();
                Grouping::from_labels(&labels)
            }
            Some(column) => Grouping::by_column(engine, &activity, column, options.lang).await?,
            None => Grouping::all(),
        };
        Ok(Metrics { activity, grouping, options })
    }

    /// Metrics over activity already in memory.
    pub fn from_activity(activity: Activity, grouping: Grouping, options: MetricsOptions) -> Metrics {
        Metrics { activity, grouping, options }
    }

    /// The activity read.
    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// The customers' groups (`--by`), or one group of everyone.
    pub fn grouping(&self) -> &Grouping {
        &self.grouping
    }

    /// End of observation.
    pub fn as_of(&self) -> Option<i32> {
        self.options.as_of.or(self.activity.last_day)
    }

    /// The first reported day and the end of observation, when there is any activity.
    fn bounds(&self) -> Option<(i32, i32)> {
        Some((self.first_day()?, self.as_of()?))
    }

    fn first_day(&self) -> Option<i32> {
        let first = self.activity.first_day?;
        Some(self.options.from.map_or(first, |f| f.max(first)))
    }

    /// Churn and retention per period (see [`periods`]).
    pub fn period_rows(&self) -> Vec<periods::PeriodRow> {
        let Some((first, as_of)) = self.bounds() else { return Vec::new() };
        let spells = spells::spells_with(&self.activity, self.options.rule());
        periods::period_rows(&spells, &self.options.calendar, self.options.period, first, as_of, &self.grouping)
    }

    /// [`Metrics::period_rows`] as a record batch.
    pub fn periods(&self) -> RecordBatch {
        periods::period_batch(&self.period_rows(), self.grouping.is_grouped())
    }

    /// The cohort matrix (see [`cohorts`]).
    pub fn cohorts(&self) -> Result<RecordBatch> {
        let as_of = self.as_of();
        self.per_group(|activity| {
            let cells = match as_of {
                Some(as_of) => cohorts::cohort_cells(activity, &self.options.calendar, self.options.period, as_of),
                None => Vec::new(),
            };
            cohorts::cohort_batch(&cells)
        })
    }

    /// Runs `metric` on the whole activity, or on each group's and stacks
    /// the results under a leading `group` column.
    fn per_group(&self, metric: impl Fn(&Activity) -> RecordBatch) -> Result<RecordBatch> {
        self.per_group_members(|members| match members {
            Some(members) => metric(&self.activity.subset(members)),
            None => metric(&self.activity),
        })
    }

    /// [`Metrics::per_group`] for metrics that need the whole activity and
    /// the group's members (customer positions; `None` when not grouped).
    fn per_group_members(&self, metric: impl Fn(Option<&[usize]>) -> RecordBatch) -> Result<RecordBatch> {
        if !self.grouping.is_grouped() {
            return Ok(metric(None));
        }
        let mut parts = Vec::new();
        for (label, members) in self.grouping.labels().iter().zip(self.grouping.members(self.activity.len())) {
            let batch = metric(Some(&members));
            let mut fields = vec![arrow::datatypes::Field::new("group", arrow::datatypes::DataType::Utf8, false)];
            fields.extend(batch.schema().fields().iter().map(|f| f.as_ref().clone()));
            let mut columns: Vec<arrow::array::ArrayRef> = vec![std::sync::Arc::new(arrow::array::StringArray::from(vec![label.as_str(); batch.num_rows()]))];
            columns.extend(batch.columns().iter().cloned());
            parts.push(RecordBatch::try_new(std::sync::Arc::new(arrow::datatypes::Schema::new(fields)), columns)?);
        }
        match parts.first() {
            Some(first) => Ok(arrow::compute::concat_batches(&first.schema(), &parts)?),
            None => Ok(metric(None)),
        }
    }

    /// Win-back within `within` days per period (see [`winback`]).
    pub fn winback(&self, within: i32) -> Result<RecordBatch> {
        if within < 1 {
            return Err(MetricsError::Options(format!("win-back horizon {within}: give at least 1 day")));
        }
        let rows = self
            .bounds()
            .map(|(first, as_of)| {
                let spells = spells::spells_with(&self.activity, self.options.rule());
                winback::winback_rows(&spells, within, &self.options.calendar, self.options.period, first, as_of, &self.grouping)
            })
            .unwrap_or_default();
        Ok(winback::winback_batch(&rows, self.grouping.is_grouped()))
    }

    /// Purchase days per customer per period (see [`stickiness`]).
    pub fn stickiness(&self) -> RecordBatch {
        let rows = self
            .bounds()
            .map(|(first, as_of)| stickiness::stickiness_rows(&self.activity, &self.options.calendar, self.options.period, first, as_of, &self.grouping))
            .unwrap_or_default();
        stickiness::stickiness_batch(&rows, self.grouping.is_grouped())
    }

    /// Purchase intervals per customer (see [`intervals`]).
    pub fn intervals(&self) -> Result<RecordBatch> {
        let as_of = self.as_of();
        self.per_group(|activity| intervals::intervals_batch(&as_of.map(|as_of| intervals::intervals(activity, as_of)).unwrap_or_default()))
    }

    /// The window sensitivity sweep (see [`window`]) over all customers.
    pub fn window_sweep(&self, windows: &[i32], max_false_churn: f64) -> Result<window::WindowSweep> {
        if !(0.0..1.0).contains(&max_false_churn) {
            return Err(MetricsError::Options(format!("largest false-churn share {max_false_churn}: give a share from 0 up to 1, e.g. 0.1")));
        }
        if let Some(w) = windows.iter().find(|w| **w < 1) {
            return Err(MetricsError::Options(format!("window {w}: windows must be at least 1 day")));
        }
        let Some((first, as_of)) = self.bounds() else {
            return Ok(window::WindowSweep { rows: Vec::new(), gaps: 0, quantiles: Vec::new(), max_false_churn, recommended: None });
        };
        Ok(window::sweep(&self.activity, windows, max_false_churn, &self.options.calendar, self.options.period, first, as_of))
    }

    /// Retention by days since the first purchase (see [`day_retention`]).
    pub fn day_retention(&self, measures: &[day_retention::DayMeasure]) -> Result<RecordBatch> {
        let as_of = self.as_of();
        self.per_group(|activity| {
            let rows =
                as_of.map(|as_of| day_retention::day_retention(activity, &self.options.calendar, self.options.period, as_of, measures)).unwrap_or_default();
            day_retention::day_retention_batch(&rows)
        })
    }

    /// Historical and textbook CLV per group (see [`clv`]).
    pub fn clv(&self) -> RecordBatch {
        let rows = self
            .bounds()
            .map(|(first, as_of)| clv::clv_rows(&self.activity, &self.period_rows(), &self.options.calendar, self.options.period, first, as_of, &self.grouping))
            .unwrap_or_default();
        clv::clv_batch(&rows, self.grouping.is_grouped())
    }

    /// Revenue of churned customers in their last 12 months, per period (see [`clv`]).
    pub fn revenue_impact(&self) -> RecordBatch {
        let rows = self
            .bounds()
            .map(|(first, as_of)| {
                let spells = spells::spells_with(&self.activity, self.options.rule());
                clv::revenue_impact_rows(&self.activity, &spells, &self.options.calendar, self.options.period, first, as_of, &self.grouping)
            })
            .unwrap_or_default();
        clv::revenue_impact_batch(&rows, self.grouping.is_grouped())
    }

    /// CAC per period and acquisition channel (`customers.channel`) from
    /// `marketing_spend` (see [`acquisition`]).
    pub async fn cac(&self, engine: &Engine) -> Result<RecordBatch> {
        let spend = acquisition::load_spend(engine, self.options.lang).await?;
        let channels = Grouping::by_column(engine, &self.activity, "channel", self.options.lang).await?;
        let new: Vec<(i32, String)> = self
            .activity
            .days
            .iter()
            .enumerate()
            .filter_map(|(c, days)| Some((*days.first()?, channels.labels()[channels.group_of(c as u32)?].clone())))
            .collect();
        let rows = self
            .bounds()
            .map(|(first, as_of)| {
                let clv = self.textbook_clv_by(&channels, first, as_of);
                acquisition::cac_rows(&spend, &new, &clv, &self.options.calendar, self.options.period, first, as_of)
            })
            .unwrap_or_default();
        Ok(acquisition::cac_batch(&rows))
    }

    /// Textbook CLV per group of `grouping`, and over everyone under
    /// [`acquisition::ALL`].
    fn textbook_clv_by(&self, grouping: &Grouping, first: i32, as_of: i32) -> std::collections::BTreeMap<String, f64> {
        let spells = spells::spells_with(&self.activity, self.options.rule());
        let (calendar, period) = (&self.options.calendar, self.options.period);
        let mut clv = std::collections::BTreeMap::new();
        for grouping in [grouping, &Grouping::all()] {
            let period_rows = periods::period_rows(&spells, calendar, period, first, as_of, grouping);
            for row in clv::clv_rows(&self.activity, &period_rows, calendar, period, first, as_of, grouping) {
                if let Some(value) = row.textbook_clv() {
                    let key = if grouping.is_grouped() { row.group } else { acquisition::ALL.to_string() };
                    clv.insert(key, value);
                }
            }
        }
        clv
    }

    /// Engagement scores (see [`engagement`]): per customer at the end of
    /// observation with `per_customer`, else the distribution per period.
    /// Reads `events` when the workspace has it.
    pub async fn engagement(&self, engine: &Engine, weights: engagement::Weights, per_customer: bool) -> Result<RecordBatch> {
        engagement::check_weights(weights)?;
        let events = engagement::Events::load(engine, &self.activity, &self.options.calendar).await?;
        let Some((first, as_of)) = self.bounds() else {
            return Ok(if per_customer { engagement::customer_scores_batch(&self.activity, &[]) } else { engagement::engagement_batch(&[]) });
        };
        let scoring = engagement::Scoring { window: self.options.window, weights };
        if per_customer {
            // Everyone scored together; with --by each customer's group is shown.
            let scores = engagement::scores_at(&self.activity, events.as_ref(), scoring, as_of);
            return self.per_group_members(|members| {
                let chosen: Vec<(usize, f64)> = match members {
                    Some(members) => scores.iter().filter(|(c, _)| members.binary_search(c).is_ok()).copied().collect(),
                    None => scores.clone(),
                };
                engagement::customer_scores_batch(&self.activity, &chosen)
            });
        }
        self.per_group_members(|members| {
            let rows =
                engagement::engagement_rows_of(&self.activity, events.as_ref(), scoring, &self.options.calendar, self.options.period, (first, as_of), members);
            engagement::engagement_batch(&rows)
        })
    }

    /// Lifecycle stages and flows (see [`lifecycle`]).
    pub fn lifecycle(&self) -> lifecycle::Lifecycle {
        self.lifecycle_of(&self.activity)
    }

    fn lifecycle_of(&self, activity: &Activity) -> lifecycle::Lifecycle {
        let as_of = self.as_of().unwrap_or(0);
        lifecycle::lifecycle(activity, self.options.rule(), &self.options.calendar, self.options.period, as_of)
    }

    /// Lifecycle counts, per group with `--by`.
    pub fn lifecycle_counts(&self) -> Result<RecordBatch> {
        self.per_group(|activity| self.lifecycle_of(activity).counts_batch())
    }

    /// Lifecycle flows, per group with `--by`.
    pub fn lifecycle_flows(&self) -> Result<RecordBatch> {
        self.per_group(|activity| self.lifecycle_of(activity).flows_batch())
    }
}
