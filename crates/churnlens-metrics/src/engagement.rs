//! Engagement score 0–100 per customer, and its distribution per period.
//!
//! At a day E (the end of observation, or each period's last day) every
//! customer who has bought by E gets four component scores, each the
//! customer's percentile among them (average rank for ties ÷ customers ×
//! 100, pandas' `rank(pct=True)`; the best gets 100):
//!
//! * **recency** — days since the last purchase (fewer is better);
//! * **frequency** — purchase days in the last W days (W = the churn window);
//! * **events** — usage events in the last W days;
//! * **duration** — total event duration in the last W days.
//!
//! Per-period distributions score each period's values against the
//! customers at the end of observation (the reference), so they move when
//! engagement does; percentiles within each period would always average 50.
//! A segment's distribution (`--by`) is scored against all customers too,
//! so segments compare with each other.
//!
//! The score is the weighted mean of the components (default weights 0.35,
//! 0.35, 0.15, 0.15; configurable). Without an `events` table (or without a
//! duration column) those components are left out and the weights of the
//! others are rescaled to sum to 1. The per-period distribution counts
//! customers in the bands 0–20, 20–40, 40–60, 60–80, 80–100 (a band holds
//! its lower bound; 100 falls in the last) with the mean and median.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;

use crate::Engine;
use crate::activity::Activity;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::error::{MetricsError, Result};

/// Component weights: recency, frequency, events, duration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Days since the last purchase.
    pub recency: f64,
    /// Purchase days in the window.
    pub frequency: f64,
    /// Events in the window.
    pub events: f64,
    /// Event duration in the window.
    pub duration: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { recency: 0.35, frequency: 0.35, events: 0.15, duration: 0.15 }
    }
}

impl Weights {
    /// Parses `recency=0.4,frequency=0.4,events=0.2,duration=0` (any subset;
    /// the rest keep their defaults).
    pub fn parse(text: &str) -> std::result::Result<Weights, String> {
        let mut weights = Weights::default();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| format!("'{part}': use name=weight"))?;
            let value: f64 =
                value.trim().parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0).ok_or_else(|| format!("'{part}': the weight must be a number ≥ 0"))?;
            match name.trim() {
                "recency" | "r" => weights.recency = value,
                "frequency" | "f" => weights.frequency = value,
                "events" | "e" => weights.events = value,
                "duration" | "d" => weights.duration = value,
                other => return Err(format!("unknown component '{other}': use recency, frequency, events, duration")),
            }
        }
        Ok(weights)
    }
}

/// How scores are computed: the look-back window (days) and the weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    /// Days counted back from the scoring day for frequency and events.
    pub window: i32,
    /// Component weights.
    pub weights: Weights,
}

/// Each customer's event days and durations (seconds), by customer position
/// in an [`Activity`], ascending by day.
#[derive(Debug, Clone, Default)]
pub struct Events {
    /// Per customer: (local day, duration seconds) of each event.
    pub per_customer: Vec<Vec<(i32, f64)>>,
    /// Whether durations were recorded.
    pub has_duration: bool,
}

impl Events {
    /// Reads the `events` table for the customers of `activity`; `None`
    /// without an events table.
    pub async fn load(engine: &Engine, activity: &Activity, calendar: &Calendar) -> Result<Option<Events>> {
        if !engine.tables().iter().any(|t| t == "events") {
            return Ok(None);
        }
        let has_duration = engine.columns("events").await?.iter().any(|c| c == "duration_seconds");
        let duration = if has_duration { "duration_seconds" } else { "CAST(NULL AS DOUBLE)" };
        let index: HashMap<&str, usize> = activity.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let mut per_customer = vec![Vec::new(); activity.ids.len()];
        let mut local = calendar.day_of();
        let query = format!("SELECT customer_id, event_time, {duration} FROM events WHERE customer_id IS NOT NULL AND event_time IS NOT NULL");
        for batch in engine.sql(&query).await? {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let times = arrow::compute::cast(batch.column(1), &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let times = times.as_primitive::<TimestampMicrosecondType>();
            let seconds = arrow::compute::cast(batch.column(2), &DataType::Float64)?;
            let seconds = seconds.as_primitive::<arrow::datatypes::Float64Type>();
            for row in 0..batch.num_rows() {
                if let Some(&c) = index.get(ids.value(row)) {
                    let duration = if seconds.is_null(row) { 0.0 } else { seconds.value(row) };
                    per_customer[c].push((local.of_micros(times.value(row)), duration));
                }
            }
        }
        for events in &mut per_customer {
            events.sort_unstable_by_key(|e| e.0);
        }
        Ok(Some(Events { per_customer, has_duration }))
    }
}

/// The percentile × 100 of `value` within ascending `reference` (higher is
/// better): (values below + half the equal ones + ½) ÷ n, which for a value
/// of the reference itself is its average rank ÷ n (pandas'
/// `rank(pct=True)`); clamped to 0–100 for values outside it.
fn percentile_in(reference: &[f64], value: f64) -> f64 {
    if reference.is_empty() {
        return 0.0;
    }
    let below = reference.partition_point(|&r| r < value);
    let equal = reference.partition_point(|&r| r <= value) - below;
    ((below as f64 + equal as f64 / 2.0 + 0.5) / reference.len() as f64 * 100.0).clamp(0.0, 100.0)
}

/// [`percentile_in`] of every value, read from a table when the values and
/// the reference are whole numbers in a modest range (recency in days and
/// counts, always, without events): one merge pass over the reference
/// instead of two binary searches per customer, which made engagement the
/// slowest metric on 10M orders.
fn percentiles_in(reference: &[f64], values: &[f64]) -> Vec<f64> {
    const MAX_TABLE: f64 = 4_000_000.0;
    let whole = |v: &f64| v.fract() == 0.0 && v.is_finite();
    let (lo, hi) = values.iter().chain(reference).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if reference.is_empty() || values.is_empty() || hi - lo > MAX_TABLE || !values.iter().chain(reference).all(whole) {
        return values.iter().map(|&v| percentile_in(reference, v)).collect();
    }
    let mut table = Vec::with_capacity((hi - lo) as usize + 1);
    let (mut below, mut through) = (0usize, 0usize);
    for step in 0..=(hi - lo) as usize {
        let v = lo + step as f64;
        while below < reference.len() && reference[below] < v {
            below += 1;
        }
        through = through.max(below);
        while through < reference.len() && reference[through] <= v {
            through += 1;
        }
        table.push(((below as f64 + (through - below) as f64 / 2.0 + 0.5) / reference.len() as f64 * 100.0).clamp(0.0, 100.0));
    }
    values.iter().map(|&v| table[(v - lo) as usize]).collect()
}

/// Component values at one day: the customers who have bought by then, and
/// per component (recency as minus days, frequency, events, duration) their
/// values in the same order.
struct Components {
    customers: Vec<usize>,
    values: [Vec<f64>; 4],
}

impl Components {
    /// The components of every customer, or only of `only` (positions).
    fn at(activity: &Activity, events: Option<&Events>, window: i32, end: i32, only: Option<&[usize]>) -> Components {
        let from = end - window + 1;
        let mut customers = Vec::new();
        let mut values: [Vec<f64>; 4] = Default::default();
        let positions: Box<dyn Iterator<Item = usize>> = match only {
            Some(members) => Box::new(members.iter().copied()),
            None => Box::new(0..activity.len()),
        };
        for c in positions {
            let days = &activity.days[c];
            let seen = &days[..days.partition_point(|&d| d <= end)];
            let Some(&last) = seen.last() else { continue };
            customers.push(c);
            values[0].push(-f64::from(end - last));
            values[1].push((seen.len() - seen.partition_point(|&d| d < from)) as f64);
            if let Some(events) = events {
                let list = &events.per_customer[c];
                let recent = &list[list.partition_point(|e| e.0 < from)..list.partition_point(|e| e.0 <= end)];
                values[2].push(recent.len() as f64);
                values[3].push(recent.iter().map(|e| e.1).sum::<f64>());
            }
        }
        Components { customers, values }
    }

    /// Each component's values, ascending: the reference scores are read against.
    fn sorted(&self) -> [Vec<f64>; 4] {
        self.values.clone().map(|mut v| {
            v.sort_unstable_by(f64::total_cmp);
            v
        })
    }

    /// Scores against `reference` (see [`Components::sorted`]).
    fn scores(&self, reference: &[Vec<f64>; 4], events: Option<&Events>, weights: Weights) -> Vec<(usize, f64)> {
        let mut parts = vec![(0, weights.recency), (1, weights.frequency)];
        if let Some(events) = events {
            parts.push((2, weights.events));
            if events.has_duration {
                parts.push((3, weights.duration));
            }
        }
        let total: f64 = parts.iter().map(|p| p.1).sum();
        let percentiles: Vec<(f64, Vec<f64>)> = parts.iter().map(|&(k, w)| (w, percentiles_in(&reference[k], &self.values[k]))).collect();
        self.customers
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let weighted: f64 = percentiles.iter().map(|(w, p)| w * p[i]).sum();
                (c, if total > 0.0 { weighted / total } else { 0.0 })
            })
            .collect()
    }
}

/// Scores at day `end` of every customer who has bought by then, as
/// percentiles among those customers: (customer position, score).
pub fn scores_at(activity: &Activity, events: Option<&Events>, scoring: Scoring, end: i32) -> Vec<(usize, f64)> {
    let components = Components::at(activity, events, scoring.window, end, None);
    components.scores(&components.sorted(), events, scoring.weights)
}

/// One period's score distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementRow {
    /// The period (scores taken on its last day).
    pub span: PeriodSpan,
    /// Customers scored.
    pub customers: u64,
    /// Customers per band 0–20 … 80–100.
    pub bands: [u64; 5],
    /// Mean score.
    pub mean: Option<f64>,
    /// Median score.
    pub median: Option<f64>,
}

/// The distribution at the end of every complete period.
pub fn engagement_rows(
    activity: &Activity,
    events: Option<&Events>,
    scoring: Scoring,
    calendar: &Calendar,
    period: Period,
    first_day: i32,
    as_of: i32,
) -> Vec<EngagementRow> {
    engagement_rows_of(activity, events, scoring, calendar, period, (first_day, as_of), None)
}

/// [`engagement_rows`] from `(first_day, as_of)` of the customers at
/// positions `only` (a segment), still scored against every customer, so
/// segments compare.
pub fn engagement_rows_of(
    activity: &Activity,
    events: Option<&Events>,
    scoring: Scoring,
    calendar: &Calendar,
    period: Period,
    (first_day, as_of): (i32, i32),
    only: Option<&[usize]>,
) -> Vec<EngagementRow> {
    // Every period is scored against the customers at the end of
    // observation, so the distribution can move: percentiles within each
    // period would average 50 whatever happened.
    let reference = Components::at(activity, events, scoring.window, as_of, None).sorted();
    // Periods are independent: one per core.
    calendar
        .complete_periods(period, first_day, as_of)
        .into_par_iter()
        .map(|span| {
            let components = Components::at(activity, events, scoring.window, span.end, only);
            let mut scores: Vec<f64> = components.scores(&reference, events, scoring.weights).into_iter().map(|(_, s)| s).collect();
            let mut bands = [0u64; 5];
            for &s in &scores {
                bands[((s / 20.0).floor() as usize).min(4)] += 1;
            }
            let n = scores.len();
            let mean = (n > 0).then(|| scores.iter().sum::<f64>() / n as f64);
            EngagementRow { span, customers: n as u64, bands, mean, median: median_unsorted(&mut scores) }
        })
        .collect()
}

/// The median (mean of the middle two for an even count) by selection
/// rather than a full sort: one per period over every customer.
fn median_unsorted(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (lower, middle, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let middle = *middle;
    Some(if n % 2 == 1 { middle } else { (lower.iter().copied().fold(f64::NEG_INFINITY, f64::max) + middle) / 2.0 })
}

/// The distribution rows as a record batch.
pub fn engagement_batch(rows: &[EngagementRow]) -> RecordBatch {
    let mut fields =
        vec![Field::new("period", DataType::Utf8, false), Field::new("period_end", DataType::Date32, false), Field::new("customers", DataType::UInt64, false)];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.span.label.as_str()))),
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.span.end))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.customers))),
    ];
    for (b, name) in ["score_0_20", "score_20_40", "score_40_60", "score_60_80", "score_80_100"].into_iter().enumerate() {
        fields.push(Field::new(name, DataType::UInt64, false));
        columns.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.bands[b]))));
    }
    fields.push(Field::new("mean_score", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(|r| r.mean).collect::<Float64Array>()));
    fields.push(Field::new("median_score", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(|r| r.median).collect::<Float64Array>()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

/// Per-customer scores at `end` as a record batch.
pub fn customer_scores_batch(activity: &Activity, scores: &[(usize, f64)]) -> RecordBatch {
    let schema = Schema::new(vec![Field::new("customer_id", DataType::Utf8, false), Field::new("engagement_score", DataType::Float64, false)]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(scores.iter().map(|(c, _)| activity.ids[*c].as_str()))),
        Arc::new(Float64Array::from_iter_values(scores.iter().map(|(_, s)| *s))),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

/// Checks weights: none negative, not all zero.
pub fn check_weights(weights: Weights) -> Result<()> {
    let all = [weights.recency, weights.frequency, weights.events, weights.duration];
    if all.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.recency + weights.frequency == 0.0 && weights.events + weights.duration == 0.0 {
        return Err(MetricsError::Options("engagement weights must be ≥ 0 and not all 0".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_average_ties_like_pandas() {
        // pandas: Series([3, 1, 3, 2]).rank(pct=True) = [0.875, 0.25, 0.875, 0.5].
        let reference = [1.0, 2.0, 3.0, 3.0];
        let got: Vec<f64> = [3.0, 1.0, 3.0, 2.0].iter().map(|&v| percentile_in(&reference, v)).collect();
        assert_eq!(got, [87.5, 25.0, 87.5, 50.0]);
        assert_eq!(percentile_in(&[5.0, 5.0], 5.0), 75.0);
        // Outside the reference: 1.5 sits above one of four → (1 + 0.5) / 4.
        assert_eq!(percentile_in(&reference, 1.5), 37.5);
        assert_eq!(percentile_in(&reference, 9.0), 100.0);
        assert_eq!(percentile_in(&reference, 0.0), 12.5);
        // The table gives the same numbers as the searches, for whole and other values.
        let values = [3.0, 1.0, 3.0, 2.0, 9.0, 0.0, -4.0];
        let searched: Vec<f64> = values.iter().map(|&v| percentile_in(&reference, v)).collect();
        assert_eq!(percentiles_in(&reference, &values), searched);
        assert_eq!(percentiles_in(&reference, &[1.5, 3.0]), [37.5, percentile_in(&reference, 3.0)]);
        assert_eq!(median_unsorted(&mut [4.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median_unsorted(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_unsorted(&mut []), None);
    }

    #[test]
    fn weights_parse_and_check() {
        assert_eq!(Weights::parse("r=0.5,events=0").unwrap(), Weights { recency: 0.5, frequency: 0.35, events: 0.0, duration: 0.15 });
        assert!(Weights::parse("loyalty=1").is_err());
        assert!(Weights::parse("r=-1").is_err());
        assert!(check_weights(Weights { recency: 0.0, frequency: 0.0, events: 0.0, duration: 0.0 }).is_err());
    }
}
