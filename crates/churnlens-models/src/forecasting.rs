//! Forecasts of a workspace's per-period series (issue #7): churn rate,
//! active customers, new customers and revenue, overall or per group, by the
//! exponential smoothing of [`crate::stats::forecast`], as Arrow record
//! batches.
//!
//! * **Series** ([`load_series`]): the metrics crate's period rows (only
//!   periods that have ended by the end of observation), so a forecast
//!   continues exactly the figures `churnlens metrics` shows: `churn` is the
//!   churn rate in percent (the first periods, with nobody active at their
//!   start, are left out; a later period with nobody at risk counts 0),
//!   `active` the customers active at the period's end, `new` the first
//!   purchases, `revenue` the net revenue (refunds included) of the
//!   period's days.
//! * **Season**: [`season_length`] periods — 12 for months, 52 for weeks,
//!   4 for quarters, 7 for days, none for years; the model (error, trend,
//!   season, damping) is chosen by AICc among those the series length allows.
//! * **Forecast** ([`forecast_batch`]): `horizon` periods ahead with 80%
//!   and 95% prediction intervals, after the actual periods. By default the
//!   intervals are empirically calibrated ([`Intervals::Empirical`], see
//!   [`crate::stats::forecast::OriginFits`]): the model's interval stretched
//!   to the errors the same procedure made on the series' own past; each
//!   forecast row says in `interval_method` whether that was possible
//!   (`empirical`) or the model's interval was kept (`analytic`, with fewer
//!   than [`MIN_ERRORS`] past errors at that horizon); each of the last
//!   [`ANOMALY_PERIODS`] actual periods is checked against the 95% interval of
//!   a one-step forecast fitted to the periods before it and flagged when it
//!   falls outside (the hook for alerts).
//! * **Backtest** ([`backtest_batch`]): rolling origin over the last
//!   [`BACKTEST_ORIGINS`] origins (one period apart), MAPE, sMAPE and MASE of
//!   ETS beside seasonal naive, and how often the 80% and 95% intervals held
//!   the actual values ([`interval_coverage`]; calibrated intervals are
//!   calibrated at each origin on the values before it only).

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::{Period, PeriodSpan, format_day};
use churnlens_metrics::grouping::Grouping;
use churnlens_metrics::periods::PeriodRow;
use churnlens_metrics::{Engine, Metrics, MetricsError, MetricsOptions};
use thiserror::Error;

use crate::stats::forecast::{
    BacktestParams, EtsParams, FittedEts, Forecast, ForecastError, IntervalSource, MIN_ERRORS, MIN_TRAIN, OriginFits, flag_anomalies, rolling_origin,
};

/// How many of the last actual periods get an anomaly check (each refits
/// the model, so the check costs one fit per period).
pub const ANOMALY_PERIODS: usize = 12;

/// How many rolling origins a backtest uses at most.
pub const BACKTEST_ORIGINS: usize = 12;

/// The two interval levels of every forecast.
const LEVELS: [f64; 2] = [0.8, 0.95];

/// Why a forecast of a workspace could not be made.
#[derive(Debug, Error)]
pub enum ForecastingError {
    /// Reading the workspace failed, or a table or column is missing.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// A series cannot give a forecast (too short, constant …).
    #[error("{group}: {source}")]
    Forecast {
        /// The series' group ("all" without `--by`).
        group: String,
        /// What went wrong.
        source: ForecastError,
    },
    /// Building the result table failed (a bug).
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

impl ForecastingError {
    /// Whether the person who chose the data or flags can fix it.
    pub fn is_user_error(&self) -> bool {
        match self {
            ForecastingError::Metrics(e) => e.is_user_error(),
            ForecastingError::Forecast { .. } => true,
            ForecastingError::Arrow(_) => false,
        }
    }
}

type Result<T> = std::result::Result<T, ForecastingError>;

/// What is forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Churn rate per period, percent.
    Churn,
    /// Customers active at the period's end.
    Active,
    /// First purchases in the period.
    New,
    /// Net revenue in the period.
    Revenue,
}

/// One group's series, oldest period first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The group label ("all" without a breakdown).
    pub group: String,
    /// The periods.
    pub periods: Vec<PeriodSpan>,
    /// The value of each period.
    pub values: Vec<f64>,
}

/// The season length of a period: a year of them (7 for days: a week).
pub fn season_length(period: Period) -> usize {
    match period {
        Period::Day => 7,
        Period::Week => 52,
        Period::Month => 12,
        Period::Quarter => 4,
        Period::Year => 1,
    }
}

/// The series of `measure` per group of `options.by` (see the module docs).
pub async fn load_series(engine: &Engine, options: &MetricsOptions, measure: Measure) -> Result<Vec<Series>> {
    let metrics = Metrics::load(engine, options.clone()).await?;
    let all = options.lang.pick("all", "全部");
    Ok(series_of(&metrics.period_rows(), metrics.activity(), metrics.grouping(), measure, all))
}

/// The series of `measure` from period rows (and, for revenue, the activity
/// the rows were computed from); `all` labels an ungrouped series.
pub fn series_of(rows: &[PeriodRow], activity: &Activity, grouping: &Grouping, measure: Measure, all: &str) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for (g, label) in grouping.labels().iter().enumerate() {
        let group_rows: Vec<&PeriodRow> = rows.iter().filter(|r| &r.group == label).collect();
        let periods: Vec<PeriodSpan> = group_rows.iter().map(|r| r.span.clone()).collect();
        let mut values: Vec<Option<f64>> = match measure {
            Measure::Churn => group_rows.iter().map(|r| r.churn_rate()).collect(),
            Measure::Active => group_rows.iter().map(|r| Some(r.active_end as f64)).collect(),
            Measure::New => group_rows.iter().map(|r| Some(r.new as f64)).collect(),
            Measure::Revenue => revenue(activity, grouping, g, &periods).into_iter().map(Some).collect(),
        };
        // The first periods of a churn rate have no one at risk yet.
        let skip = values.iter().take_while(|v| v.is_none()).count();
        values.drain(..skip);
        let name = if grouping.is_grouped() { label.clone() } else { all.to_owned() };
        out.push(Series { group: name, periods: periods[skip..].to_vec(), values: values.into_iter().map(|v| v.unwrap_or(0.0)).collect() });
    }
    out
}

/// Net revenue per period of the customers in group `g`.
fn revenue(activity: &Activity, grouping: &Grouping, g: usize, periods: &[PeriodSpan]) -> Vec<f64> {
    let mut sums = vec![0.0; periods.len()];
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else { return sums };
    for (customer, days) in activity.revenue.iter().enumerate() {
        if grouping.group_of(customer as u32) != Some(g) {
            continue;
        }
        for &(day, amount) in days.iter().filter(|(d, _)| *d >= first.start && *d <= last.end) {
            sums[periods.partition_point(|p| p.start <= day) - 1] += amount;
        }
    }
    sums
}

fn fit_error(group: &str) -> impl Fn(ForecastError) -> ForecastingError + '_ {
    move |source| ForecastingError::Forecast { group: group.to_owned(), source }
}

/// The backtest origins for a series of `n` values: the last
/// [`BACKTEST_ORIGINS`] at which `horizon` actual values follow, each
/// training window at least 10 values (the shortest series ETS fits).
pub fn backtest_settings(n: usize, horizon: usize) -> BacktestParams {
    let min_train = n.saturating_sub(horizon + BACKTEST_ORIGINS - 1).max(10);
    BacktestParams { min_train, horizon, step: 1 }
}

/// Which prediction intervals a forecast shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Intervals {
    /// The model's own: closed form or simulated from the fitted model,
    /// which takes the model and its parameters as known.
    Analytic,
    /// The model's own stretched to the errors of past forecasts of the
    /// series (the default), where there are enough of them.
    #[default]
    Empirical,
}

impl Intervals {
    /// "analytic" or "empirical".
    pub fn name(&self) -> &'static str {
        match self {
            Intervals::Analytic => "analytic",
            Intervals::Empirical => "empirical",
        }
    }
}

/// A fitted model, its forecast and how each horizon's intervals were set.
#[derive(Debug, Clone)]
pub struct IntervalForecast {
    /// The model fitted to the whole series.
    pub fitted: FittedEts,
    /// Its point forecasts and intervals.
    pub forecast: Forecast,
    /// Per horizon, whether the intervals were calibrated.
    pub sources: Vec<IntervalSource>,
}

/// Fits `params` to `y` and forecasts `horizon` values with intervals at
/// `levels` of the kind asked for (empirical ones calibrated by a rolling
/// origin over `y` from [`MIN_TRAIN`] values on).
pub fn forecast_intervals(
    y: &[f64],
    params: &EtsParams,
    horizon: usize,
    levels: &[f64],
    intervals: Intervals,
) -> std::result::Result<IntervalForecast, ForecastError> {
    let valid = params.clone().check()?;
    let fitted = valid.fit(y)?;
    let forecast = fitted.forecast(horizon, levels);
    // Counts, rates and revenue that have never been negative are not
    // forecast below zero: a trend or a wide interval is cut at 0.
    let floor = |mut forecast: Forecast| {
        if y.iter().all(|v| *v >= 0.0) {
            forecast.point.iter_mut().for_each(|v| *v = v.max(0.0));
            for interval in &mut forecast.intervals {
                interval.lower.iter_mut().chain(interval.upper.iter_mut()).for_each(|v| *v = v.max(0.0));
            }
        }
        forecast
    };
    if intervals == Intervals::Analytic || y.len() <= MIN_TRAIN {
        return Ok(IntervalForecast { fitted, forecast: floor(forecast), sources: vec![IntervalSource::Analytic; horizon] });
    }
    // The last origin's fit repeats `fitted`; the cost is one fit among n − 10.
    let calibration = OriginFits::new(y, &valid, horizon, MIN_TRAIN)?.calibration(y.len(), MIN_ERRORS);
    Ok(IntervalForecast { forecast: floor(calibration.apply(&forecast)), fitted, sources: calibration.sources })
}

/// How often the prediction intervals of one level held the actual value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// The nominal level, e.g. 0.8.
    pub level: f64,
    /// Actual values inside the interval.
    pub covered: usize,
    /// Actual values checked.
    pub total: usize,
}

impl Coverage {
    /// The share covered, 0–1.
    pub fn rate(&self) -> f64 {
        self.covered as f64 / self.total as f64
    }
}

/// Rolling-origin interval coverage: at each origin of `settings` (as
/// [`rolling_origin`] places them), fit on the values before it, forecast
/// `horizon` values with intervals at `levels` and count the actual values
/// inside each. Empirical intervals are calibrated at each origin on the
/// values before that origin only (a nested rolling origin), so the
/// coverage is that of intervals which never saw the values they are
/// checked against.
pub fn interval_coverage(
    y: &[f64],
    params: &EtsParams,
    settings: &BacktestParams,
    levels: &[f64],
    intervals: Intervals,
) -> std::result::Result<Vec<Coverage>, ForecastError> {
    let valid = params.clone().check()?;
    let needed = settings.min_train.max(params.period().max(1) + 1).max(2);
    let fits = match intervals {
        Intervals::Empirical if y.len() > MIN_TRAIN => Some(OriginFits::new(y, &valid, settings.horizon, MIN_TRAIN)?),
        _ => None,
    };
    let mut coverage: Vec<Coverage> = levels.iter().map(|&level| Coverage { level, covered: 0, total: 0 }).collect();
    let mut origin = needed;
    while origin + settings.horizon <= y.len() {
        let forecast = match fits.as_ref().and_then(|f| f.fitted(origin).map(|fitted| (f, fitted))) {
            Some((fits, fitted)) => fits.calibration(origin, MIN_ERRORS).apply(&fitted.forecast(settings.horizon, levels)),
            // Analytic intervals, or an origin before the calibration's first
            // or one whose window could not be fitted (then `fit` says why).
            None => valid.fit(&y[..origin])?.forecast(settings.horizon, levels),
        };
        for (c, interval) in coverage.iter_mut().zip(&forecast.intervals) {
            for (k, actual) in y[origin..origin + settings.horizon].iter().enumerate() {
                c.total += 1;
                c.covered += usize::from(interval.lower[k] <= *actual && *actual <= interval.upper[k]);
            }
        }
        origin += settings.step;
    }
    Ok(coverage)
}

/// The periods after `last`.
fn next_periods(calendar: &churnlens_metrics::calendar::Calendar, period: Period, last: &PeriodSpan, horizon: usize) -> Vec<PeriodSpan> {
    let mut spans = Vec::with_capacity(horizon);
    let mut start = last.end + 1;
    for _ in 0..horizon {
        let span = calendar.span(period, start);
        start = span.end + 1;
        spans.push(span);
    }
    spans
}

/// Per series, its actual periods (the last [`ANOMALY_PERIODS`] with their
/// one-step 95% interval and anomaly flag) and `horizon` forecast periods
/// with 80% and 95% intervals of the kind asked for (`interval_method` says
/// per row which were given: the one-step anomaly intervals are always the
/// model's own); the chosen model on every row.
pub fn forecast_batch(series: &[Series], options: &MetricsOptions, horizon: usize, intervals: Intervals) -> Result<RecordBatch> {
    let params = EtsParams::new(season_length(options.period));
    let mut group = Vec::new();
    let mut label = Vec::new();
    let mut start = Vec::new();
    let mut kind = Vec::new();
    let mut value = Vec::new();
    let mut bounds: [Vec<Option<f64>>; 5] = Default::default();
    let mut anomaly = Vec::new();
    let mut method: Vec<Option<&str>> = Vec::new();
    let mut model = Vec::new();
    for s in series {
        let error = fit_error(&s.group);
        let IntervalForecast { fitted, forecast, sources } = forecast_intervals(&s.values, &params, horizon, &LEVELS, intervals).map_err(&error)?;
        let checks = flag_anomalies(&s.values, &params, s.values.len().saturating_sub(ANOMALY_PERIODS).max(10), 0.95).map_err(&error)?;
        let spec = fitted.spec().to_string();
        for (i, (span, actual)) in s.periods.iter().zip(&s.values).enumerate() {
            let check = checks.iter().find(|c| c.index == i);
            group.push(s.group.clone());
            label.push(span.label.clone());
            start.push(format_day(span.start));
            kind.push("actual");
            value.push(*actual);
            let row = [check.map(|c| c.forecast), None, None, check.map(|c| c.lower), check.map(|c| c.upper)];
            for (column, v) in bounds.iter_mut().zip(row) {
                column.push(v);
            }
            anomaly.push(check.map(|c| c.anomalous));
            method.push(check.map(|_| IntervalSource::Analytic.name()));
            model.push(spec.clone());
        }
        let last = s.periods.last().expect("a fitted series has periods");
        for (h, span) in next_periods(&options.calendar, options.period, last, horizon).into_iter().enumerate() {
            group.push(s.group.clone());
            label.push(span.label.clone());
            start.push(format_day(span.start));
            kind.push("forecast");
            value.push(forecast.point[h]);
            let [i80, i95] = [&forecast.intervals[0], &forecast.intervals[1]];
            let row = [None, Some(i80.lower[h]), Some(i80.upper[h]), Some(i95.lower[h]), Some(i95.upper[h])];
            for (column, v) in bounds.iter_mut().zip(row) {
                column.push(v);
            }
            anomaly.push(None);
            method.push(Some(sources[h].name()));
            model.push(spec.clone());
        }
    }
    let schema = Schema::new(vec![
        Field::new("group", DataType::Utf8, false),
        Field::new("period", DataType::Utf8, false),
        Field::new("period_start", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("value", DataType::Float64, false),
        Field::new("one_step", DataType::Float64, true),
        Field::new("lower_80", DataType::Float64, true),
        Field::new("upper_80", DataType::Float64, true),
        Field::new("lower_95", DataType::Float64, true),
        Field::new("upper_95", DataType::Float64, true),
        Field::new("anomaly", DataType::Boolean, true),
        Field::new("interval_method", DataType::Utf8, true),
        Field::new("model", DataType::Utf8, false),
    ]);
    let [one_step, lower_80, upper_80, lower_95, upper_95] = bounds;
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(group)),
        Arc::new(StringArray::from(label)),
        Arc::new(StringArray::from(start)),
        Arc::new(StringArray::from(kind)),
        Arc::new(Float64Array::from(value)),
        Arc::new(Float64Array::from(one_step)),
        Arc::new(Float64Array::from(lower_80)),
        Arc::new(Float64Array::from(upper_80)),
        Arc::new(Float64Array::from(lower_95)),
        Arc::new(Float64Array::from(upper_95)),
        Arc::new(BooleanArray::from(anomaly)),
        Arc::new(StringArray::from(method)),
        Arc::new(StringArray::from(model)),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), arrays)?)
}

/// Per series, the rolling-origin backtest of `horizon`-period forecasts
/// ([`backtest_settings`]): ETS and seasonal-naive accuracy on the same
/// pairs, and the coverage of the 80% and 95% intervals of the kind asked
/// for (named in `interval_method`), in percent.
pub fn backtest_batch(series: &[Series], period: Period, horizon: usize, intervals: Intervals) -> Result<RecordBatch> {
    let params = EtsParams::new(season_length(period));
    let mut columns: (Vec<String>, Vec<u64>, Vec<u64>) = Default::default();
    let mut figures: [Vec<Option<f64>>; 8] = Default::default();
    for s in series {
        let error = fit_error(&s.group);
        let settings = backtest_settings(s.values.len(), horizon);
        let report = rolling_origin(&s.values, &params, &settings).map_err(&error)?;
        let coverage = interval_coverage(&s.values, &params, &settings, &LEVELS, intervals).map_err(&error)?;
        columns.0.push(s.group.clone());
        columns.1.push(report.origins.len() as u64);
        columns.2.push(report.ets.pairs as u64);
        let row = [
            report.ets.mape,
            Some(report.ets.smape),
            report.ets.mase,
            report.seasonal_naive.mape,
            Some(report.seasonal_naive.smape),
            report.seasonal_naive.mase,
            Some(100.0 * coverage[0].rate()),
            Some(100.0 * coverage[1].rate()),
        ];
        for (column, v) in figures.iter_mut().zip(row) {
            column.push(v);
        }
    }
    let names = ["ets_mape", "ets_smape", "ets_mase", "naive_mape", "naive_smape", "naive_mase", "coverage_80_pct", "coverage_95_pct"];
    let mut fields =
        vec![Field::new("group", DataType::Utf8, false), Field::new("origins", DataType::UInt64, false), Field::new("pairs", DataType::UInt64, false)];
    fields.extend(names.iter().map(|n| Field::new(*n, DataType::Float64, true)));
    fields.push(Field::new("interval_method", DataType::Utf8, false));
    let mut arrays: Vec<ArrayRef> =
        vec![Arc::new(StringArray::from(columns.0)), Arc::new(UInt64Array::from(columns.1)), Arc::new(UInt64Array::from(columns.2))];
    arrays.extend(figures.into_iter().map(|f| Arc::new(Float64Array::from(f)) as ArrayRef));
    arrays.push(Arc::new(StringArray::from(vec![intervals.name(); series.len()])));
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_never_below_zero_is_not_forecast_below_zero() {
        // 24 months falling by 10 from 200 to −30 would cross zero; stopping
        // at 30 it stays positive but its trend runs below zero within a
        // year: the points and intervals are cut at 0.
        let y: Vec<f64> = (0..18).map(|t| 200.0 - 10.0 * t as f64 + if t % 2 == 0 { 1.5 } else { -1.5 }).collect();
        let result = forecast_intervals(&y, &EtsParams::new(1), 12, &[0.8, 0.95], Intervals::Analytic).expect("fits");
        assert!(result.forecast.point.iter().all(|v| *v >= 0.0));
        assert!(result.forecast.point.last().is_some_and(|v| *v == 0.0), "{:?}", result.forecast.point);
        assert!(result.forecast.intervals.iter().all(|i| i.lower.iter().all(|v| *v >= 0.0)));
        // A series with a negative value keeps its negative forecasts.
        let mut signed = y.clone();
        signed[3] = -1.0;
        let result = forecast_intervals(&signed, &EtsParams::new(1), 12, &[0.8], Intervals::Analytic).expect("fits");
        assert!(result.forecast.point.last().is_some_and(|v| *v < 0.0), "{:?}", result.forecast.point);
    }

    #[test]
    fn backtest_uses_the_last_origins_and_at_least_ten_values() {
        // 36 months, 6 ahead: origins 19 … 30, twelve of them.
        assert_eq!(backtest_settings(36, 6), BacktestParams { min_train: 19, horizon: 6, step: 1 });
        assert_eq!(backtest_settings(20, 6).min_train, 10);
    }

    #[test]
    fn revenue_sums_each_period_of_the_group() {
        let activity = Activity::from_rows(&[("a", "2024-01-05", 10.0), ("a", "2024-02-01", 5.0), ("b", "2024-01-31", 7.0), ("b", "2024-03-01", 99.0)]);
        let calendar = churnlens_metrics::calendar::Calendar::default();
        let jan = churnlens_metrics::calendar::parse_day("2024-01-01").unwrap();
        let periods = calendar.periods(Period::Month, jan, jan + 40);
        // January: 10 + 7, February: 5; March is outside the periods.
        assert_eq!(revenue(&activity, &Grouping::all(), 0, &periods), vec![17.0, 5.0]);
    }
}
