//! `churnlens survival`: Kaplan–Meier curves, log-rank tests and Cox models
//! of customer lifetimes from the snapshot table or the orders (definitions
//! in `churnlens_models::survival_analysis` and `churnlens survival --help`);
//! and the demo's survival and forecast step.

use std::path::Path;

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::calendar::{Calendar, Period, parse_day};
use churnlens_metrics::spells::ChurnRule;
use churnlens_metrics::{DEFAULT_WINDOW, Engine, MetricsOptions};
use churnlens_models::forecasting::{self, Measure};
use churnlens_models::stats::forecast::EtsParams;
use churnlens_models::stats::survival::KaplanMeier;
use churnlens_models::survival_analysis::{self, SurvivalAnalysisError, SurvivalData};

use crate::args::{LifetimeSource, SurvivalArgs, SurvivalKind};
use crate::commands::UserError;
use crate::{messages, output};

pub(super) fn user(message: String) -> anyhow::Error {
    UserError(message).into()
}

/// The user's mistakes as [`UserError`] (exit code 1), our bugs as they are.
fn survival_error(error: SurvivalAnalysisError) -> anyhow::Error {
    if error.is_user_error() { user(error.to_string()) } else { error.into() }
}

/// A number of days given as `90` or `90d`, at least 1.
pub(super) fn days(flag: &str, text: &str) -> Result<i32> {
    text.trim_end_matches(['d', 'D'])
        .parse()
        .ok()
        .filter(|w: &i32| *w >= 1)
        .ok_or_else(|| user(format!("{flag} '{text}': give a number of days such as 90 or 90d")))
}

/// `--to` as a day, if given.
pub(super) fn end_day(text: &Option<String>) -> Result<Option<i32>> {
    text.as_ref().map(|t| parse_day(t).ok_or_else(|| user(format!("--to '{t}': use YYYY-MM-DD")))).transpose()
}

pub fn run(workspace: &Path, args: &SurvivalArgs, lang: Lang) -> Result<()> {
    if args.analysis == SurvivalKind::Logrank && args.by.is_none() {
        return Err(user(messages::logrank_needs_by(lang).into()));
    }
    if args.analysis == SurvivalKind::Cox && args.covariates.is_empty() {
        return Err(user(messages::cox_needs_covariates(lang).into()));
    }
    if let Some(t) = args.times.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
        return Err(user(format!("--times {t}: give durations of zero or more, e.g. 12,24,36")));
    }
    let workspace = Workspace::open(workspace)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = runtime.block_on(Engine::open(&workspace))?;
    let data = match args.source {
        LifetimeSource::Snapshot => {
            let mut columns: Vec<String> = args.by.iter().cloned().collect();
            columns.extend(args.covariates.iter().filter(|c| args.by.as_ref() != Some(*c)).cloned());
            runtime.block_on(survival_analysis::from_snapshot(&engine, &args.duration, &args.event, &columns))
        }
        LifetimeSource::Orders => {
            let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| user(e.to_string()))?;
            let rule = ChurnRule::Fixed(days("--window", &args.window)?);
            let by = args.by.as_deref();
            runtime.block_on(survival_analysis::from_orders(&engine, &Calendar::in_zone(tz), rule, end_day(&args.to)?, by, &args.covariates, lang))
        }
    }
    .map_err(survival_error)?;
    let batch = match args.analysis {
        SurvivalKind::Km => survival_analysis::kaplan_meier_batch(&data, args.by.as_deref(), &args.times, lang),
        SurvivalKind::Logrank => survival_analysis::logrank_batch(&data, args.by.as_deref().unwrap_or_default(), lang),
        SurvivalKind::Cox => survival_analysis::cox_batch(&data, &args.covariates, &args.baseline),
    }
    .map_err(survival_error)?;
    output::write_batches(&[batch], args.format, args.output.as_deref())
}

/// The demo's survival figures at these months since the first purchase.
const DEMO_MONTHS: [f64; 4] = [3.0, 6.0, 12.0, 24.0];

/// The demo attribute the survival curves are broken down by: the signup
/// channel, which the simulation gives planted churn multipliers.
const DEMO_BY: &str = "channel";

/// The smallest channel the demo draws a curve for.
const DEMO_MIN_GROUP: usize = 30;

/// One survival curve of the demo, read at [`DEMO_MONTHS`].
#[derive(Debug, serde::Serialize)]
pub struct DemoCurve {
    /// "all" or the channel.
    pub group: String,
    /// Customers in the group.
    pub customers: usize,
    /// Survival at 3, 6, 12 and 24 months.
    pub survival: Vec<f64>,
    /// The median lifetime in months, when half the group has churned.
    pub median_months: Option<f64>,
}

/// One forecast month of the demo's active customers.
#[derive(Debug, serde::Serialize)]
pub struct DemoForecastMonth {
    /// The month.
    pub period: String,
    /// The point forecast.
    pub active: f64,
    /// The 80% interval (empirically calibrated where the series allows).
    pub interval_80: [f64; 2],
    /// The 95% interval.
    pub interval_95: [f64; 2],
}

/// The demo's survival and forecast figures.
#[derive(Debug, serde::Serialize)]
pub struct DemoLifetimes {
    /// The months the survival is read at.
    pub months: Vec<f64>,
    /// Overall, then per channel.
    pub curves: Vec<DemoCurve>,
    /// The ETS model chosen for monthly active customers.
    pub model: String,
    /// The next six months.
    pub forecast: Vec<DemoForecastMonth>,
}

/// The demo step: Kaplan–Meier survival of first spells (90-day window)
/// overall and by channel, and a 6-month forecast of monthly active
/// customers, in the business time zone `tz`.
pub fn demo_step(workspace: &Workspace, tz: chrono_tz::Tz, lang: Lang) -> Result<DemoLifetimes> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let calendar = Calendar::in_zone(tz);
    let engine = runtime.block_on(Engine::open(workspace))?;
    let rule = ChurnRule::Fixed(DEFAULT_WINDOW);
    let data = runtime.block_on(survival_analysis::from_orders(&engine, &calendar, rule, None, Some(DEMO_BY), &[], lang)).map_err(survival_error)?;
    let curve = |group: String, sample: &SurvivalData| -> Result<DemoCurve> {
        let km = KaplanMeier::fit(&sample.durations, &sample.events)?;
        Ok(DemoCurve { group, customers: sample.durations.len(), survival: km.survival_at_times(&DEMO_MONTHS), median_months: km.median() })
    };
    let mut curves = vec![curve(lang.pick("all", "全部").to_owned(), &data)?];
    let labels = data.group_labels(DEMO_BY, lang).map_err(survival_error)?;
    // Groups too small for a curve (the planted order of an unknown
    // customer makes a group of one) would only be noise in the summary.
    for group in
        churnlens_models::stats::survival::split_by_group(&data.durations, &data.events, &labels)?.into_iter().filter(|g| g.durations.len() >= DEMO_MIN_GROUP)
    {
        let sample = SurvivalData { durations: group.durations, events: group.events, attributes: Vec::new() };
        curves.push(curve(group.label, &sample)?);
    }
    let options = MetricsOptions { calendar, period: Period::Month, lang, ..MetricsOptions::default() };
    let series = runtime.block_on(forecasting::load_series(&engine, &options, Measure::Active))?;
    let active = series.first().ok_or_else(|| user("the demo has no complete month".into()))?;
    let params = EtsParams::new(forecasting::season_length(Period::Month));
    let forecasting::IntervalForecast { fitted, forecast, .. } =
        forecasting::forecast_intervals(&active.values, &params, 6, &[0.8, 0.95], forecasting::Intervals::Empirical)?;
    let mut start = active.periods.last().map_or(0, |p| p.end + 1);
    let months = (0..6)
        .map(|h| {
            let span = calendar.span(Period::Month, start);
            start = span.end + 1;
            let [i80, i95] = [&forecast.intervals[0], &forecast.intervals[1]];
            DemoForecastMonth {
                period: span.label,
                active: forecast.point[h],
                interval_80: [i80.lower[h], i80.upper[h]],
                interval_95: [i95.lower[h], i95.upper[h]],
            }
        })
        .collect();
    Ok(DemoLifetimes { months: DEMO_MONTHS.to_vec(), curves, model: fitted.spec().to_string(), forecast: months })
}
