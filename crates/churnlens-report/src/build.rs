//! Computes [`ReportData`] from a workspace by calling the metrics and models
//! crates — the same functions the `churnlens metrics`, `segment`, `survival`,
//! `forecast` and `clv` commands print — so the report never has numbers of
//! its own. A section whose data is absent (no surveys, no model that fits …)
//! is left out with a note instead of failing the report.

use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::{Calendar, Period, PeriodSpan, format_day};
use churnlens_metrics::grouping::Grouping;
use churnlens_metrics::lifecycle::Stage;
use churnlens_metrics::periods::PeriodRow;
use churnlens_metrics::{Engine, Metrics, MetricsOptions, cohorts, nps, spells};
use churnlens_models::clv::{ClvData, ClvError, ClvModel, PredictionTotals, TimeUnit};
use churnlens_models::forecasting::{self, Intervals, Measure};
use churnlens_models::segment::base::{BaseOptions, CustomerBase};
use churnlens_models::segment::drivers::{DriverOptions, drivers};
use churnlens_models::segment::rfm::{Rfm, Scheme};
use churnlens_models::stats::forecast::EtsParams;
use churnlens_models::stats::rfm::Threshold;
use churnlens_models::stats::survival::{KaplanMeier, split_by_group};
use churnlens_models::survival_analysis;

use crate::data::*;
use crate::error::ReportError;
use crate::text;

/// Attributes tried, in order, for the biggest churn mover and the survival
/// curves when none is named: the ones a manager breaks churn down by.
pub const DEFAULT_ATTRIBUTES: [&str; 3] = ["region", "channel", "city"];

/// Drivers shown.
pub const TOP_DRIVERS: usize = 8;

/// Months forecast.
pub const FORECAST_HORIZON: usize = 6;

/// Predictive CLV horizon in months and monthly discount rate (as `churnlens clv predict`'s defaults).
pub const CLV_MONTHS: u32 = 12;
/// See [`CLV_MONTHS`].
pub const CLV_DISCOUNT: f64 = 0.01;

/// Bars of the CLV histogram.
const CLV_BINS: usize = 20;

/// Smallest group drawn as its own survival curve or named as a mover: fewer
/// customers make a curve of noise.
const MIN_GROUP: u64 = 30;

/// What the report is computed over.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The business calendar (time zone).
    pub calendar: Calendar,
    /// Language of every text.
    pub lang: Lang,
    /// The attribute the biggest churn mover is looked for in (default: the first of [`DEFAULT_ATTRIBUTES`] present).
    pub breakdown: Option<String>,
    /// The attribute the survival curves are split by (default: as `breakdown`, but `channel` first).
    pub survival_by: Option<String>,
    /// Fit a CLV model for the report when the workspace has none saved.
    pub fit_clv: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { calendar: Calendar::default(), lang: Lang::En, breakdown: None, survival_by: None, fit_clv: true }
    }
}

/// Builds the report of `workspace`. Fails only when the orders cannot be
/// read; every other gap becomes a note.
pub async fn build(workspace: &Workspace, options: &ReportOptions) -> Result<ReportData, ReportError> {
    build_subset(workspace, options, &Subset::default()).await
}

/// Which part of the workspace a dashboard view (#8) reports on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Subset {
    /// Only these customers (every table is narrowed to their rows); `None` = all.
    pub customers: Option<Vec<String>>,
    /// End of observation (a local day): the report's current period is the last complete month up to it.
    pub as_of: Option<i32>,
}

/// [`build`] on a [`Subset`] of the workspace: the same report computed as if
/// the workspace held only those customers, observed up to `as_of`.
pub async fn build_subset(workspace: &Workspace, options: &ReportOptions, subset: &Subset) -> Result<ReportData, ReportError> {
    let mut engine = Engine::open(workspace).await?;
    if let Some(customers) = &subset.customers {
        engine.restrict_to_customers(customers).await?;
    }
    let lang = options.lang;
    let metrics_options = MetricsOptions { calendar: options.calendar, period: Period::Month, lang, as_of: subset.as_of, ..MetricsOptions::default() };
    let metrics = Metrics::load(&engine, metrics_options.clone()).await?;
    let rows = metrics.period_rows();
    let mut report = ReportData {
        format_version: FORMAT_VERSION,
        lang: lang.pick("en", "zh").to_owned(),
        workspace: workspace.root().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        period: rows.last().map(|r| r.span.label.clone()),
        previous_period: rows.len().checked_sub(2).map(|i| rows[i].span.label.clone()),
        as_of: metrics.as_of().map(format_day),
        kpis: Vec::new(),
        trend: None,
        revenue_lost: None,
        cohorts: None,
        lifecycle: None,
        nps: None,
        segments: None,
        drivers: None,
        survival: None,
        forecast: None,
        clv: None,
        churn_model: None,
        notes: Vec::new(),
    };
    if rows.is_empty() {
        report.notes.push(Note { section: "all".into(), text: text::no_complete_month(lang).into() });
        return Ok(report);
    }
    let columns = customer_columns(&engine).await;
    let pick = |named: &Option<String>, order: &[&str]| named.clone().or_else(|| order.iter().find(|c| columns.iter().any(|x| x == *c)).map(|c| c.to_string()));
    let breakdown = pick(&options.breakdown, &DEFAULT_ATTRIBUTES);
    let survival_by = pick(&options.survival_by, &["channel", "region", "city"]);

    let activity = metrics.activity();
    let as_of = metrics.as_of().unwrap_or(0);
    let first = activity.first_day.unwrap_or(0);
    let spells = spells::spells_with(activity, metrics_options.rule());
    let revenue = churnlens_metrics::clv::revenue_impact_rows(activity, &spells, &options.calendar, Period::Month, first, as_of, &Grouping::all());
    let surveys = nps::Surveys::load(&engine, &options.calendar).await.ok().filter(|s| !s.answers.is_empty());
    let nps_rows = surveys.as_ref().map(|s| s.rows(&options.calendar, Period::Month, None)).unwrap_or_default();
    report.kpis = kpis(&metrics, &rows, &revenue, &nps_rows, options);

    let mover = match &breakdown {
        Some(column) => match Grouping::by_column(&engine, activity, column, lang).await {
            Ok(grouping) => biggest_mover(&Metrics::from_activity(activity.clone(), grouping, metrics_options.clone()).period_rows()),
            Err(_) => None,
        },
        None => None,
    };
    report.trend = Some(trend(&rows, breakdown.clone(), mover, lang));
    report.revenue_lost = Some(revenue_lost(&revenue, lang));
    report.cohorts = cohort_section(activity, &options.calendar, as_of, lang);
    report.lifecycle = Some(lifecycle_section(&metrics, lang));
    match surveys {
        Some(_) if !nps_rows.is_empty() => report.nps = Some(nps_section(&nps_rows, lang)),
        _ => report.notes.push(Note { section: "nps".into(), text: text::no_surveys(lang).into() }),
    }
    let mut note = |section: &str, error: String| report.notes.push(Note { section: section.into(), text: text::section_failed(lang, &error) });
    let base_options = BaseOptions { calendar: options.calendar, lang, as_of: subset.as_of.map(|day| day + 1), ..BaseOptions::default() };
    let (segments, driver_section) = match CustomerBase::load(&engine, &base_options).await {
        Ok(base) => {
            let segments = Rfm::compute(&base, Threshold::Mean).map(|rfm| segment_section(&rfm, lang)).map_err(|e| e.to_string());
            let report = drivers(&engine, Some(&base), &options.calendar, &DriverOptions { lang, ..DriverOptions::default() }).await;
            (segments, report.map(|r| driver_section(&r, lang)).map_err(|e| e.to_string()))
        }
        Err(e) => (Err(e.to_string()), Err(e.to_string())),
    };
    let segments = segments.map_err(|e| note("segments", e)).ok();
    let driver_section = driver_section.map_err(|e| note("drivers", e)).ok();
    let survival = survival_section(&engine, options, survival_by.as_deref()).await.map_err(|e| note("survival", e)).ok();
    let forecast = forecast_section(&metrics, &rows, options).map_err(|e| note("forecast", e)).ok();
    let clv = clv_section(workspace, activity, options).map_err(|e| note("clv", e)).ok();
    report.segments = segments;
    report.drivers = driver_section;
    report.survival = survival;
    report.forecast = forecast;
    report.clv = clv;
    match crate::churn_model::churn_model_section(workspace, &engine, lang).await {
        Ok(Some(section)) => report.churn_model = Some(section),
        Ok(None) => report.notes.push(Note { section: "churn_model".into(), text: text::no_churn_model(lang).into() }),
        Err(error) => report.notes.push(Note { section: "churn_model".into(), text: text::section_failed(lang, &error) }),
    }
    Ok(report)
}

/// The `customers` table's columns (none without the table).
async fn customer_columns(engine: &Engine) -> Vec<String> {
    // A row is asked for because an empty result has no batch to read the schema from.
    match engine.sql("SELECT * FROM customers LIMIT 1").await {
        Ok(batches) => batches.first().map(|b| b.schema().fields().iter().map(|f| f.name().clone()).collect()).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The value of `figure` in the last and the month before.
fn last_two<T>(items: &[T], figure: impl Fn(&T) -> Option<f64>) -> (Option<f64>, Option<f64>) {
    let n = items.len();
    (items.last().and_then(&figure), n.checked_sub(2).and_then(|i| figure(&items[i])))
}

fn kpi(key: KpiKey, (value, previous): (Option<f64>, Option<f64>), higher_is_better: bool) -> Kpi {
    let change = value.zip(previous).map(|(v, p)| v - p);
    Kpi { key, value, previous, change, higher_is_better }
}

/// Historical CLV (net revenue to date per customer who bought) at the end of `span`.
fn historical_clv_at(metrics: &Metrics, rows: &[PeriodRow], calendar: &Calendar, span: &PeriodSpan) -> Option<f64> {
    let activity = metrics.activity();
    let first = activity.first_day?;
    churnlens_metrics::clv::clv_rows(activity, rows, calendar, Period::Month, first, span.end, &Grouping::all()).first()?.historical_mean
}

fn kpis(
    metrics: &Metrics,
    rows: &[PeriodRow],
    revenue: &[churnlens_metrics::clv::RevenueImpactRow],
    nps_rows: &[nps::NpsRow],
    options: &ReportOptions,
) -> Vec<Kpi> {
    let last = rows.last().map(|r| r.span.label.as_str());
    let previous = rows.len().checked_sub(2).map(|i| rows[i].span.label.as_str());
    let nps_of = |label: Option<&str>| label.and_then(|l| nps_rows.iter().find(|r| r.span.label == l)).and_then(nps::NpsRow::nps);
    let revenue_of = |label: Option<&str>| label.and_then(|l| revenue.iter().find(|r| r.span.label == l)).map(|r| r.revenue_lost);
    vec![
        kpi(KpiKey::ChurnRate, last_two(rows, PeriodRow::churn_rate), false),
        kpi(KpiKey::RetentionRate, last_two(rows, PeriodRow::retention_rate), true),
        kpi(KpiKey::ActiveCustomers, last_two(rows, |r| Some(r.active_end as f64)), true),
        kpi(KpiKey::AverageClv, last_two(rows, |r| historical_clv_at(metrics, rows, &options.calendar, &r.span)), true),
        kpi(KpiKey::Nps, (nps_of(last), nps_of(previous)), true),
        kpi(KpiKey::RevenueLost, (revenue_of(last), revenue_of(previous)), false),
    ]
}

/// The group whose churn rate moved most between the last two months, in the
/// direction churn as a whole moved (groups of at least [`MIN_GROUP`] at risk).
pub fn biggest_mover(grouped: &[PeriodRow]) -> Option<Mover> {
    let last = grouped.iter().map(|r| r.span.start).max()?;
    let previous = grouped.iter().map(|r| r.span.start).filter(|s| *s < last).max()?;
    let total = |start: i32| -> Option<f64> {
        let (churned, base) = grouped.iter().filter(|r| r.span.start == start).fold((0, 0), |(c, b), r| (c + r.churned, b + r.active_start));
        (base > 0).then(|| churned as f64 / base as f64 * 100.0)
    };
    let direction = (total(last)? - total(previous)?).signum();
    let rate = |group: &str, start: i32| {
        grouped.iter().find(|r| r.group == group && r.span.start == start).filter(|r| r.active_start >= MIN_GROUP).and_then(PeriodRow::churn_rate)
    };
    grouped
        .iter()
        .filter(|r| r.span.start == last)
        .filter_map(|r| Some(Mover { group: r.group.clone(), previous: rate(&r.group, previous)?, value: rate(&r.group, last)? }))
        .filter(|m| (m.value - m.previous) * direction > 0.0)
        .max_by(|a, b| (a.value - a.previous).abs().total_cmp(&(b.value - b.previous).abs()))
}

fn trend(rows: &[PeriodRow], breakdown: Option<String>, mover: Option<Mover>, lang: Lang) -> TrendSection {
    let (churn, previous) = last_two(rows, PeriodRow::churn_rate);
    let summary = text::trend(lang, rows.last().map(|r| r.span.label.as_str()).unwrap_or_default(), churn, previous, breakdown.as_deref(), mover.as_ref());
    TrendSection {
        periods: rows.iter().map(|r| r.span.label.clone()).collect(),
        churn_rate: rows.iter().map(PeriodRow::churn_rate).collect(),
        retention_rate: rows.iter().map(PeriodRow::retention_rate).collect(),
        active: rows.iter().map(|r| r.active_end).collect(),
        new: rows.iter().map(|r| r.new).collect(),
        churned: rows.iter().map(|r| r.churned).collect(),
        breakdown,
        biggest_mover: mover,
        summary,
    }
}

fn revenue_lost(rows: &[churnlens_metrics::clv::RevenueImpactRow], lang: Lang) -> RevenueLostSection {
    let year: f64 = rows.iter().rev().take(12).map(|r| r.revenue_lost).sum();
    let worst = rows.iter().rev().take(12).max_by(|a, b| a.revenue_lost.total_cmp(&b.revenue_lost));
    RevenueLostSection {
        periods: rows.iter().map(|r| r.span.label.clone()).collect(),
        revenue_lost: rows.iter().map(|r| r.revenue_lost).collect(),
        churned: rows.iter().map(|r| r.churned).collect(),
        summary: text::revenue_lost(lang, year, worst.map(|w| (w.span.label.as_str(), w.revenue_lost))),
    }
}

fn cohort_section(activity: &Activity, calendar: &Calendar, as_of: i32, lang: Lang) -> Option<CohortSection> {
    let cells = cohorts::cohort_cells(activity, calendar, Period::Month, as_of);
    let mut labels: Vec<String> = cells.iter().map(|c| c.cohort.clone()).collect();
    labels.dedup();
    if labels.is_empty() {
        return None;
    }
    let index = |label: &str| labels.iter().position(|l| l == label).unwrap_or(0);
    let sizes = labels.iter().map(|l| cells.iter().find(|c| &c.cohort == l).map_or(0, |c| c.size)).collect();
    let month_one: Vec<(&str, f64)> = cells.iter().filter(|c| c.offset == 1 && c.size >= MIN_GROUP).map(|c| (c.cohort.as_str(), c.retention())).collect();
    let summary = text::cohorts(
        lang,
        (!month_one.is_empty()).then(|| month_one.iter().map(|(_, r)| r).sum::<f64>() / month_one.len() as f64),
        month_one.iter().max_by(|a, b| a.1.total_cmp(&b.1)).copied(),
        month_one.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied(),
    );
    Some(CohortSection {
        max_offset: cells.iter().map(|c| c.offset).max().unwrap_or(0),
        cells: cells.iter().map(|c| (c.offset, index(&c.cohort), c.retention())).collect(),
        sizes,
        cohorts: labels.clone(),
        summary,
    })
}

/// A stage's label in `lang`.
pub fn stage_label(stage: Stage, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => stage.zh(),
        Lang::En => match stage {
            Stage::New => "New",
            Stage::Retained => "Retained",
            Stage::Reactivated => "Reactivated",
            Stage::Dormant => "Dormant",
            Stage::Churned => "Churned",
            Stage::Lost => "Lost",
        },
    }
}

fn lifecycle_section(metrics: &Metrics, lang: Lang) -> LifecycleSection {
    let lifecycle = metrics.lifecycle();
    let counts: Vec<Vec<u64>> = (0..Stage::ALL.len()).map(|s| lifecycle.counts.iter().map(|c| c[s]).collect()).collect();
    let flows = lifecycle
        .flows
        .last()
        .filter(|_| lifecycle.spans.len() >= 2)
        .map(|f| (0..6).flat_map(|a| (0..6).map(move |b| (a, b, f[a][b]))).filter(|(_, _, n)| *n > 0).collect())
        .unwrap_or_default();
    let last = |stage: Stage| lifecycle.counts.last().map_or(0, |c| c[stage as usize]);
    LifecycleSection {
        periods: lifecycle.spans.iter().map(|s| s.label.clone()).collect(),
        stages: Stage::ALL.iter().map(|s| stage_label(*s, lang).to_owned()).collect(),
        summary: text::lifecycle(
            lang,
            lifecycle.spans.last().map(|s| s.label.as_str()).unwrap_or_default(),
            [last(Stage::New), last(Stage::Churned), last(Stage::Reactivated), last(Stage::Dormant)],
        ),
        counts,
        flows,
    }
}

fn nps_section(rows: &[nps::NpsRow], lang: Lang) -> NpsSection {
    let (value, previous) = last_two(rows, nps::NpsRow::nps);
    NpsSection {
        periods: rows.iter().map(|r| r.span.label.clone()).collect(),
        nps: rows.iter().map(nps::NpsRow::nps).collect(),
        responses: rows.iter().map(|r| r.responses).collect(),
        summary: text::nps(lang, rows.last().map(|r| r.span.label.as_str()).unwrap_or_default(), value, previous),
    }
}

fn segment_section(rfm: &Rfm, lang: Lang) -> SegmentSection {
    let rows = rfm.summary(Scheme::Eight, lang);
    let total: u64 = rows.iter().map(|r| r.customers).sum();
    let segments: Vec<Segment> = rows
        .iter()
        .filter(|r| r.customers > 0)
        .map(|r| Segment {
            name: r.segment.clone(),
            customers: r.customers,
            churn_rate: r.churn_rate() * 100.0,
            revenue_share: r.revenue_share.map(|s| s * 100.0),
            average_clv: r.average_clv(),
        })
        .collect();
    let largest = segments.iter().max_by_key(|s| s.customers);
    // Segments under 1% of customers are left out of "highest churn": a handful of customers make any rate.
    let riskiest = segments.iter().filter(|s| s.customers * 100 >= total).max_by(|a, b| a.churn_rate.total_cmp(&b.churn_rate));
    let summary = text::segments(
        lang,
        largest.map(|s| (s.name.as_str(), s.customers as f64 / total.max(1) as f64 * 100.0)),
        riskiest.map(|s| (s.name.as_str(), s.churn_rate)),
    );
    SegmentSection { segments, summary }
}

fn driver_section(report: &churnlens_models::segment::drivers::DriverReport, lang: Lang) -> DriverSection {
    let drivers: Vec<Driver> = report
        .attributes
        .iter()
        .take(TOP_DRIVERS)
        .map(|a| Driver {
            attribute: a.attribute.clone(),
            cramers_v: a.cramers_v(),
            p_value: a.chi_square.as_ref().map(|c| c.p_value),
            sentence: a.sentence(lang),
        })
        .collect();
    let summary = text::drivers(lang, report.customers, report.churned, drivers.iter().filter_map(|d| d.sentence.as_deref()).take(2).collect());
    DriverSection { drivers, customers: report.customers, churned: report.churned, summary }
}

async fn survival_section(engine: &Engine, options: &ReportOptions, by: Option<&str>) -> Result<SurvivalSection, String> {
    let lang = options.lang;
    let rule = spells::ChurnRule::Fixed(churnlens_metrics::DEFAULT_WINDOW);
    let data = survival_analysis::from_orders(engine, &options.calendar, rule, None, by, &[], lang).await.map_err(|e| e.to_string())?;
    let horizon = data.durations.iter().copied().fold(0.0f64, f64::max).ceil() as usize;
    let months: Vec<f64> = (0..=horizon).map(|m| m as f64).collect();
    let curve = |group: String, durations: &[f64], events: &[bool]| -> Result<SurvivalCurve, String> {
        let km = KaplanMeier::fit(durations, events).map_err(|e| e.to_string())?;
        let intervals: Vec<_> = months.iter().map(|t| km.confidence_interval_at(*t, 0.95)).collect();
        Ok(SurvivalCurve {
            group,
            customers: durations.len(),
            survival: km.survival_at_times(&months).iter().map(|s| s * 100.0).collect(),
            lower: intervals.iter().map(|i| i.lower * 100.0).collect(),
            upper: intervals.iter().map(|i| i.upper * 100.0).collect(),
            median_months: km.median(),
        })
    };
    let mut curves = vec![curve(text::all(lang).to_owned(), &data.durations, &data.events)?];
    if let Some(by) = by {
        let labels = data.group_labels(by, lang).map_err(|e| e.to_string())?;
        for group in split_by_group(&data.durations, &data.events, &labels).map_err(|e| e.to_string())? {
            if group.durations.len() as u64 >= MIN_GROUP {
                curves.push(curve(group.label, &group.durations, &group.events)?);
            }
        }
    }
    let at = 12.min(horizon);
    let reading: Vec<(&str, f64)> = curves.iter().skip(1).map(|c| (c.group.as_str(), c.survival[at])).collect();
    let summary = text::survival(
        lang,
        at,
        curves[0].survival[at],
        curves[0].median_months,
        by,
        reading.iter().max_by(|a, b| a.1.total_cmp(&b.1)).copied(),
        reading.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied(),
    );
    Ok(SurvivalSection { by: by.unwrap_or_default().to_owned(), months, curves, summary })
}

fn forecast_section(metrics: &Metrics, rows: &[PeriodRow], options: &ReportOptions) -> Result<ForecastSection, String> {
    let all = text::all(options.lang);
    let series = forecasting::series_of(rows, metrics.activity(), &Grouping::all(), Measure::Active, all);
    let active = series.first().ok_or_else(|| text::no_complete_month(options.lang).to_owned())?;
    let params = EtsParams::new(forecasting::season_length(Period::Month));
    let fit = forecasting::forecast_intervals(&active.values, &params, FORECAST_HORIZON, &[0.8, 0.95], Intervals::Empirical).map_err(|e| e.to_string())?;
    let mut start = active.periods.last().map_or(0, |p| p.end + 1);
    let periods: Vec<String> = (0..FORECAST_HORIZON)
        .map(|_| {
            let span = options.calendar.span(Period::Month, start);
            start = span.end + 1;
            span.label
        })
        .collect();
    let (i80, i95) = (&fit.forecast.intervals[0], &fit.forecast.intervals[1]);
    let h = FORECAST_HORIZON - 1;
    let summary = text::forecast(
        options.lang,
        &periods[h],
        fit.forecast.point[h],
        (i95.lower[h], i95.upper[h]),
        active.values.last().copied().unwrap_or_default(),
        &fit.fitted.spec().to_string(),
    );
    Ok(ForecastSection {
        model: fit.fitted.spec().to_string(),
        history_periods: active.periods.iter().map(|p| p.label.clone()).collect(),
        history: active.values.clone(),
        periods,
        point: fit.forecast.point.clone(),
        lower_80: i80.lower.clone(),
        upper_80: i80.upper.clone(),
        lower_95: i95.lower.clone(),
        upper_95: i95.upper.clone(),
        summary,
    })
}

/// The saved CLV model, or one fitted for the report as the demo does
/// ([`churnlens_models::clv::fit_default`]), and its data.
pub fn clv_model(workspace: &Workspace, activity: &Activity, calendar: &Calendar, fit: bool) -> Result<(ClvModel, ClvData, bool), ClvError> {
    match ClvModel::load(workspace.root()) {
        Ok(model) => {
            let data = ClvData::from_activity(activity, model.data.unit, model.calibration_end(), None)?;
            Ok((model, data, true))
        }
        Err(ClvError::NoModel { .. }) if fit => {
            let data = ClvData::from_activity(activity, TimeUnit::Week, None, None)?;
            Ok((churnlens_models::clv::fit_default(&data, calendar.tz.name())?, data, false))
        }
        Err(e) => Err(e),
    }
}

/// The CLV histogram: [`CLV_BINS`] − 1 equal bars from 0 (or the least value,
/// if negative) to the 99th percentile, and a last one from there up, so a
/// few very valuable customers do not squeeze everyone else into one bar.
pub fn clv_bins(values: &[f64]) -> Vec<ClvBin> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let (Some(&least), Some(&most)) = (sorted.first(), sorted.last()) else { return Vec::new() };
    let low = least.min(0.0);
    let cap = sorted[((sorted.len() - 1) as f64 * 0.99).round() as usize].max(low + f64::EPSILON);
    let width = (cap - low) / (CLV_BINS - 1) as f64;
    let mut bins: Vec<ClvBin> = (0..CLV_BINS).map(|i| ClvBin { lower: low + width * i as f64, upper: low + width * (i + 1) as f64, customers: 0 }).collect();
    if let Some(last) = bins.last_mut() {
        last.upper = most.max(last.upper);
    }
    for v in &sorted {
        let i = (((v - low) / width).floor() as usize).min(CLV_BINS - 1);
        bins[i].customers += 1;
    }
    bins
}

fn clv_section(workspace: &Workspace, activity: &Activity, options: &ReportOptions) -> Result<ClvSection, String> {
    let (model, data, saved) = clv_model(workspace, activity, &options.calendar, options.fit_clv).map_err(|e| e.message(options.lang))?;
    let predictions = model.predict(&data, CLV_MONTHS, CLV_DISCOUNT).map_err(|e| e.message(options.lang))?;
    let totals = PredictionTotals::of(&predictions);
    let mut values: Vec<f64> = predictions.iter().map(|p| p.clv).collect();
    values.sort_by(|a, b| b.total_cmp(a));
    let top = values.iter().take(values.len().div_ceil(5)).sum::<f64>();
    let top20_share = if totals.clv != 0.0 { top / totals.clv * 100.0 } else { 0.0 };
    let name = model.count_model.model_name().to_owned();
    Ok(ClvSection {
        summary: text::clv(options.lang, &name, totals.clv_per_customer, top20_share, totals.mean_p_alive * 100.0),
        model: name,
        saved_model: saved,
        horizon_months: CLV_MONTHS,
        discount_rate: CLV_DISCOUNT,
        customers: totals.customers,
        mean_clv: totals.clv_per_customer,
        top20_share,
        mean_p_alive: totals.mean_p_alive * 100.0,
        bins: clv_bins(&values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, start: i32, active_start: u64, churned: u64) -> PeriodRow {
        let span = PeriodSpan { start, end: start + 29, label: format!("m{start}") };
        PeriodRow { group: group.into(), span, active_start, new: 0, reactivated: 0, churned, active_end: active_start - churned, retained: 0 }
    }

    #[test]
    fn the_biggest_mover_moved_the_way_churn_did() {
        // By hand: overall churn 20/300 = 6.7% → 40/300 = 13.3%, a rise. East 10% → 25% (+15 points),
        // north 5% → 5% (0), west 5% → 0% (a fall, so not a mover of a rise). Tiny (20 at risk) jumps
        // 0% → 50% but is under MIN_GROUP.
        let rows = [
            row("east", 0, 100, 10),
            row("north", 0, 100, 5),
            row("west", 0, 80, 4),
            row("tiny", 0, 20, 1),
            row("east", 30, 100, 25),
            row("north", 30, 100, 5),
            row("west", 30, 80, 0),
            row("tiny", 30, 20, 10),
        ];
        let mover = biggest_mover(&rows).unwrap();
        assert_eq!(mover.group, "east");
        assert!((mover.previous - 10.0).abs() < 1e-12 && (mover.value - 25.0).abs() < 1e-12, "{mover:?}");
        // One month only: nothing to compare with.
        assert_eq!(biggest_mover(&rows[..4]), None);
    }

    #[test]
    fn clv_bins_hold_every_customer_once_with_the_tail_in_the_last_bar() {
        // 0, 1, …, 99 and one outlier of 10,000: the 99th percentile (index round(100 × 0.99) = 99) is 99,
        // so 19 bars of width 99 / 19 from 0 to 99, and a 20th from 99 open to 10,000.
        let mut values: Vec<f64> = (0..100).map(f64::from).collect();
        values.push(10_000.0);
        let bins = clv_bins(&values);
        assert_eq!(bins.len(), CLV_BINS);
        assert_eq!(bins.iter().map(|b| b.customers).sum::<u64>(), 101);
        let width = 99.0 / 19.0;
        // Values below 5.21…: 0 … 5, six of them.
        assert_eq!(bins[0].customers, 6);
        assert!((bins[0].upper - width).abs() < 1e-12);
        // [18 × width, 99) = [93.79, 99): 94 … 98; the last bar from the 99th percentile: 99 and the outlier.
        assert_eq!(bins[CLV_BINS - 2].customers, 5);
        assert_eq!(bins[CLV_BINS - 1].customers, 2);
        assert!((bins[CLV_BINS - 1].lower - 99.0).abs() < 1e-9);
        assert_eq!(bins[CLV_BINS - 1].upper, 10_000.0);
        assert!(clv_bins(&[]).is_empty());
    }
}
