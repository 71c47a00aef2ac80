//! `churnlens forecast`: ETS forecasts of churn rate, active and new
//! customers or revenue per period, with intervals and anomaly flags, or
//! their rolling-origin backtest (definitions in
//! `churnlens_models::forecasting` and `churnlens forecast --help`).

use std::path::Path;

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::calendar::Calendar;
use churnlens_metrics::{Engine, MetricsOptions};
use churnlens_models::forecasting::{self, ForecastingError, Intervals, Measure};

use super::survival::{days, end_day, user};
use crate::args::{ForecastArgs, ForecastMeasure, IntervalKind};
use crate::{messages, output};

/// The user's mistakes as `UserError` (exit code 1), our bugs as they are.
fn forecast_error(error: ForecastingError) -> anyhow::Error {
    if error.is_user_error() { user(error.to_string()) } else { error.into() }
}

pub fn run(workspace: &Path, args: &ForecastArgs, lang: Lang) -> Result<()> {
    if args.horizon == 0 {
        return Err(user(messages::horizon_zero(lang).into()));
    }
    let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| user(e.to_string()))?;
    let options = MetricsOptions {
        window: days("--window", &args.window)?,
        period: args.period.parse().map_err(user)?,
        calendar: Calendar::in_zone(tz),
        as_of: end_day(&args.to)?,
        by: args.by.clone(),
        lang,
        ..MetricsOptions::default()
    };
    let measure = match args.measure {
        ForecastMeasure::Churn => Measure::Churn,
        ForecastMeasure::Active => Measure::Active,
        ForecastMeasure::New => Measure::New,
        ForecastMeasure::Revenue => Measure::Revenue,
    };
    let intervals = match args.intervals {
        IntervalKind::Empirical => Intervals::Empirical,
        IntervalKind::Analytic => Intervals::Analytic,
    };
    let workspace = Workspace::open(workspace)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = runtime.block_on(Engine::open(&workspace))?;
    let series = runtime.block_on(forecasting::load_series(&engine, &options, measure)).map_err(forecast_error)?;
    let batch = if args.backtest {
        forecasting::backtest_batch(&series, options.period, args.horizon, intervals)
    } else {
        forecasting::forecast_batch(&series, &options, args.horizon, intervals)
    }
    .map_err(forecast_error)?;
    output::write_batches(&[batch], args.format, args.output.as_deref())
}
