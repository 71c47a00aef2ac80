//! `churnlens metrics`: churn, retention, cohorts, lifecycle, the churn
//! window, win-back, stickiness, purchase intervals, CLV and revenue lost
//! from the orders table, and NPS/CSI from surveys (definitions in the
//! `churnlens-metrics` crate docs and in `churnlens metrics --help`).

use std::path::Path;

use anyhow::Result;
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::activity::OrderValue;
use churnlens_metrics::calendar::{Calendar, parse_day};
use churnlens_metrics::day_retention::DayMeasure;
use churnlens_metrics::engagement::Weights;
use churnlens_metrics::{ContractMetrics, Engine, Metrics, MetricsOptions};

use crate::args::{ChurnSource, Format, MetricKind, MetricsArgs, OrderValueArg};
use crate::commands::UserError;
use crate::{messages, output};

fn user(message: String) -> anyhow::Error {
    UserError(message).into()
}

/// The metric options from the flags.
pub fn options(args: &MetricsArgs, lang: Lang) -> Result<MetricsOptions> {
    let period = args.period.parse().map_err(user)?;
    let window = days("--window", &args.window)?;
    let day = |flag: &str, text: &Option<String>| -> Result<Option<i32>> {
        match text {
            None => Ok(None),
            Some(t) => parse_day(t).map(Some).ok_or_else(|| user(format!("{flag} '{t}': use YYYY-MM-DD"))),
        }
    };
    let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| user(e.to_string()))?;
    let week_start: chrono::Weekday = args.week_start.parse().map_err(|_| user(format!("--week-start '{}': use mon, tue, … sun", args.week_start)))?;
    if !(1..=12).contains(&args.fiscal_year_start) {
        return Err(user(format!("--fiscal-year-start {}: use a month number 1–12", args.fiscal_year_start)));
    }
    if args.adaptive.is_some_and(|k| !(k.is_finite() && k > 0.0)) {
        return Err(user(format!("--adaptive {}: give a positive multiple of the median gap, e.g. 3", args.adaptive.unwrap_or_default())));
    }
    Ok(MetricsOptions {
        window,
        adaptive_k: args.adaptive,
        period,
        calendar: Calendar { tz, week_start, fiscal_year_start: args.fiscal_year_start },
        as_of: day("--to", &args.to)?,
        from: day("--from", &args.from)?,
        by: args.by.clone(),
        lang,
        value: match args.value {
            OrderValueArg::Revenue => OrderValue::Revenue,
            OrderValueArg::Margin => OrderValue::Margin,
        },
    })
}

/// A number of days given as `90` or `90d`, at least 1.
fn days(flag: &str, text: &str) -> Result<i32> {
    text.trim_end_matches(['d', 'D'])
        .parse()
        .ok()
        .filter(|w: &i32| *w >= 1)
        .ok_or_else(|| user(format!("{flag} '{text}': give a number of days such as 90 or 90d")))
}

/// The columns `metrics churn` shows.
const CHURN_COLUMNS: &[&str] = &[
    "group",
    "period",
    "period_start",
    "period_end",
    "active_start",
    "churned",
    "active_end",
    "churn_rate_pct",
    "churn_rate_avg_base_pct",
    "churn_rate_30d_pct",
];

/// The columns `metrics retention` shows.
const RETENTION_COLUMNS: &[&str] = &["group", "period", "active_start", "new", "reactivated", "active_end", "retained", "retention_rate_pct"];

/// Keeps the named columns of a batch (those present), in that order.
fn select(batch: &RecordBatch, names: &[&str]) -> Result<RecordBatch> {
    let indices: Vec<usize> = names.iter().filter_map(|n| batch.schema().index_of(n).ok()).collect();
    Ok(batch.project(&indices)?)
}

/// Rounds rate columns to two decimals for people; programs get full precision.
fn for_people(batch: RecordBatch, format: Format) -> Result<RecordBatch> {
    if format != Format::Table {
        return Ok(batch);
    }
    let columns = batch
        .columns()
        .iter()
        .map(|c| match c.as_any().downcast_ref::<arrow::array::Float64Array>() {
            Some(values) => std::sync::Arc::new(values.iter().map(|v| v.map(|x| (x * 100.0).round() / 100.0)).collect::<arrow::array::Float64Array>())
                as arrow::array::ArrayRef,
            None => c.clone(),
        })
        .collect();
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

pub fn run(workspace: &Path, args: &MetricsArgs, lang: Lang) -> Result<()> {
    let options = options(args, lang)?;
    let workspace = Workspace::open(workspace)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = runtime.block_on(Engine::open(&workspace))?;
    // Survey, lead, snapshot and subscription metrics need no orders.
    let standalone = match (args.metric, args.source) {
        (MetricKind::Nps, _) => Some(runtime.block_on(churnlens_metrics::nps_by_period(&engine, &options))?),
        (MetricKind::Conversion, _) => Some(runtime.block_on(churnlens_metrics::conversion_by_period(&engine, &options))?),
        (MetricKind::Churn, ChurnSource::Snapshot) => Some(runtime.block_on(churnlens_metrics::snapshot_churn(&engine, &options))?),
        (_, ChurnSource::Snapshot) => return Err(user("--source snapshot gives the churn metric only / 快照数据仅支持 churn 指标".into())),
        (MetricKind::Mrr, _) | (MetricKind::Churn | MetricKind::Retention | MetricKind::Winback, ChurnSource::Subscriptions) => {
            let contracts = runtime.block_on(ContractMetrics::load(&engine, options.clone()))?;
            let ignored = contracts.subscriptions().ignored;
            if ignored > 0 {
                eprintln!("{}", messages::subscriptions_ignored(lang, ignored));
            }
            Some(match args.metric {
                MetricKind::Mrr => contracts.mrr(),
                MetricKind::Churn => select(&contracts.periods(), CHURN_COLUMNS)?,
                MetricKind::Retention => select(&contracts.periods(), RETENTION_COLUMNS)?,
                _ => contracts.winback(days("--within", &args.within)?).map_err(|e| user(e.to_string()))?,
            })
        }
        (_, ChurnSource::Subscriptions) => {
            return Err(user("--source subscriptions gives churn, retention and winback / 订阅数据支持 churn、retention、winback 指标".into()));
        }
        _ => None,
    };
    if let Some(batch) = standalone {
        return output::write_batches(&[for_people(batch, args.format)?], args.format, args.output.as_deref());
    }
    if args.metric == MetricKind::Core && args.output.is_none() {
        return Err(user("metrics core writes one file per metric: give a directory with --output / core 需要用 --output 指定输出目录".into()));
    }
    let metrics = runtime.block_on(Metrics::load(&engine, options))?;
    let batch = match args.metric {
        MetricKind::Core => return core(&runtime, &engine, &metrics, args),
        MetricKind::Churn => select(&metrics.periods(), CHURN_COLUMNS)?,
        MetricKind::Retention => select(&metrics.periods(), RETENTION_COLUMNS)?,
        MetricKind::Cohorts if !args.days.is_empty() => {
            let measures = args
                .days
                .iter()
                .map(|d| DayMeasure::parse(d).ok_or_else(|| user(format!("--days '{d}': use N (on day N), N+ (on or after day N) or A-B (days A to B)"))))
                .collect::<Result<Vec<_>>>()?;
            metrics.day_retention(&measures)?
        }
        MetricKind::Cohorts => metrics.cohorts()?,
        MetricKind::Lifecycle if args.flows => metrics.lifecycle_flows()?,
        MetricKind::Lifecycle => metrics.lifecycle_counts()?,
        MetricKind::Window => return window(&metrics, args, lang),
        MetricKind::Winback => metrics.winback(days("--within", &args.within)?).map_err(|e| user(e.to_string()))?,
        MetricKind::Stickiness => metrics.stickiness(),
        MetricKind::Intervals => metrics.intervals()?,
        MetricKind::Nps | MetricKind::Conversion | MetricKind::Mrr => unreachable!("handled above: they need no orders"),
        MetricKind::Cac => runtime.block_on(metrics.cac(&engine))?,
        MetricKind::Engagement => {
            let weights = match &args.weights {
                Some(text) => Weights::parse(text).map_err(|e| user(format!("--weights: {e}")))?,
                None => Weights::default(),
            };
            runtime.block_on(metrics.engagement(&engine, weights, args.customers)).map_err(|e| match e {
                churnlens_metrics::MetricsError::Options(message) => user(message),
                other => other.into(),
            })?
        }
        MetricKind::Clv => metrics.clv(),
        MetricKind::Revenue => metrics.revenue_impact(),
    };
    output::write_batches(&[for_people(batch, args.format)?], args.format, args.output.as_deref())
}

/// `metrics core`: the five metrics the monthly review reads, from one read
/// of the orders, one file each in the output directory.
fn core(runtime: &tokio::runtime::Runtime, engine: &Engine, metrics: &Metrics, args: &MetricsArgs) -> Result<()> {
    let dir = args.output.as_deref().ok_or_else(|| user("metrics core needs --output DIR".into()))?;
    std::fs::create_dir_all(dir).map_err(|e| user(format!("{}: {e}", dir.display())))?;
    let extension = match args.format {
        Format::Table => "txt",
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Parquet => "parquet",
    };
    let engagement = runtime.block_on(metrics.engagement(engine, Weights::default(), false))?;
    let periods = metrics.periods();
    for (name, batch) in [
        ("churn", select(&periods, CHURN_COLUMNS)?),
        ("retention", select(&periods, RETENTION_COLUMNS)?),
        ("cohorts", metrics.cohorts()?),
        ("lifecycle", metrics.lifecycle_counts()?),
        ("engagement", engagement),
    ] {
        output::write_batches(&[for_people(batch, args.format)?], args.format, Some(&dir.join(format!("{name}.{extension}"))))?;
    }
    Ok(())
}

/// `metrics window`: the sweep, then (for people) the gap quantiles and the
/// recommendation in words; programs read the `recommended` column.
fn window(metrics: &Metrics, args: &MetricsArgs, lang: Lang) -> Result<()> {
    if !(0.0..100.0).contains(&args.max_false_churn) {
        return Err(user(format!("--max-false-churn {}: give a percentage from 0 up to 100, such as 10", args.max_false_churn)));
    }
    if args.by.is_some() {
        return Err(user("--by is not available for metrics window: the sweep covers all customers / window 指标暂不支持 --by".into()));
    }
    let sweep = metrics.window_sweep(&args.windows, args.max_false_churn / 100.0).map_err(|e| user(e.to_string()))?;
    output::write_batches(&[for_people(sweep.batch(), args.format)?], args.format, args.output.as_deref())?;
    if args.format == Format::Table && args.output.is_none() {
        println!("{}", messages::window_summary(lang, &sweep));
    }
    Ok(())
}
