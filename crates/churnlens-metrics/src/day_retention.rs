//! Retention by days since the first purchase: on day N, on or after day N,
//! and in custom brackets of days.
//!
//! Day 0 is a customer's first purchase day (in the business time zone);
//! cohorts are first-purchase periods, plus an `all` row over every cohort.
//! For each measure a customer is in the base only when the whole stretch
//! of days it asks about has been observed (it ends on or before the end of
//! observation), so recent customers do not pull the rates down:
//!
//! * **day N**: bought on day N exactly; base: customers whose day N has
//!   come;
//! * **on or after day N** ("unbounded"): bought on any day from N to the
//!   end of observation; base: customers whose day N has come;
//! * **days a–b** (bracket): bought on some day from a to b; base:
//!   customers whose day b has come.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::calendar::{Calendar, Period};

/// A stretch of days since the first purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayMeasure {
    /// Exactly day N.
    On(i32),
    /// Day N or any later day.
    OnOrAfter(i32),
    /// Days a to b, inclusive.
    Bracket(i32, i32),
}

impl DayMeasure {
    /// The label in the output.
    pub fn label(self) -> String {
        match self {
            DayMeasure::On(n) => format!("day {n}"),
            DayMeasure::OnOrAfter(n) => format!("day {n}+"),
            DayMeasure::Bracket(a, b) => format!("days {a}-{b}"),
        }
    }

    /// The last day (since the first purchase) that must have been observed.
    fn last_needed(self) -> i32 {
        match self {
            DayMeasure::On(n) | DayMeasure::OnOrAfter(n) => n,
            DayMeasure::Bracket(_, b) => b,
        }
    }

    /// Whether a purchase `offset` days after the first one counts.
    fn contains(self, offset: i32) -> bool {
        match self {
            DayMeasure::On(n) => offset == n,
            DayMeasure::OnOrAfter(n) => offset >= n,
            DayMeasure::Bracket(a, b) => (a..=b).contains(&offset),
        }
    }

    /// Parses `7`, `30+` or `8-30`.
    pub fn parse(text: &str) -> Option<DayMeasure> {
        let text = text.trim();
        if let Some(n) = text.strip_suffix('+') {
            return n.trim().parse().ok().filter(|n| *n >= 0).map(DayMeasure::OnOrAfter);
        }
        if let Some((a, b)) = text.split_once('-') {
            let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            return (0 <= a && a <= b).then_some(DayMeasure::Bracket(a, b));
        }
        text.parse().ok().filter(|n| *n >= 0).map(DayMeasure::On)
    }
}

/// One (cohort, measure) figure.
#[derive(Debug, Clone, PartialEq)]
pub struct DayRetentionRow {
    /// Cohort period label, or `all`.
    pub cohort: String,
    /// Customers in the cohort.
    pub cohort_size: u64,
    /// The measure.
    pub measure: DayMeasure,
    /// Cohort customers whose stretch has been fully observed.
    pub base: u64,
    /// Of `base`, customers who bought in the stretch.
    pub retained: u64,
}

impl DayRetentionRow {
    /// `retained` ÷ `base` in percent.
    pub fn retention(&self) -> Option<f64> {
        (self.base > 0).then(|| self.retained as f64 / self.base as f64 * 100.0)
    }
}

/// Day-based retention per first-purchase cohort and overall, for purchases
/// up to `as_of`.
pub fn day_retention(activity: &Activity, calendar: &Calendar, period: Period, as_of: i32, measures: &[DayMeasure]) -> Vec<DayRetentionRow> {
    let firsts: Vec<i32> = activity.days.iter().filter_map(|d| d.first().copied().filter(|&f| f <= as_of)).collect();
    let Some(&first_day) = firsts.iter().min() else { return Vec::new() };
    let spans = calendar.periods(period, first_day, as_of);
    let cohorts = spans.len();
    // Per cohort (last slot: all): size, and per measure base and retained.
    let mut size = vec![0u64; cohorts + 1];
    let mut base = vec![0u64; (cohorts + 1) * measures.len()];
    let mut retained = vec![0u64; (cohorts + 1) * measures.len()];
    for days in &activity.days {
        let days = &days[..days.partition_point(|&d| d <= as_of)];
        let Some(&first) = days.first() else { continue };
        let cohort = spans.partition_point(|s| s.start <= first) - 1;
        for slot in [cohort, cohorts] {
            size[slot] += 1;
        }
        for (m, measure) in measures.iter().enumerate() {
            if first + measure.last_needed() > as_of {
                continue;
            }
            let kept = days.iter().any(|&d| measure.contains(d - first));
            for slot in [cohort, cohorts] {
                base[slot * measures.len() + m] += 1;
                retained[slot * measures.len() + m] += u64::from(kept);
            }
        }
    }
    let labels: Vec<String> = spans.iter().map(|s| s.label.clone()).chain(std::iter::once("all".to_string())).collect();
    let mut rows = Vec::new();
    for (slot, label) in labels.iter().enumerate() {
        if size[slot] == 0 {
            continue;
        }
        for (m, &measure) in measures.iter().enumerate() {
            rows.push(DayRetentionRow {
                cohort: label.clone(),
                cohort_size: size[slot],
                measure,
                base: base[slot * measures.len() + m],
                retained: retained[slot * measures.len() + m],
            });
        }
    }
    rows
}

/// The rows as a record batch.
pub fn day_retention_batch(rows: &[DayRetentionRow]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("cohort", DataType::Utf8, false),
        Field::new("cohort_size", DataType::UInt64, false),
        Field::new("days", DataType::Utf8, false),
        Field::new("base", DataType::UInt64, false),
        Field::new("retained", DataType::UInt64, false),
        Field::new("retention_pct", DataType::Float64, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.cohort.as_str()))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.cohort_size))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.measure.label()))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.base))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.retained))),
        Arc::new(rows.iter().map(DayRetentionRow::retention).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_open_ends_and_brackets() {
        assert_eq!(DayMeasure::parse("7"), Some(DayMeasure::On(7)));
        assert_eq!(DayMeasure::parse("30+"), Some(DayMeasure::OnOrAfter(30)));
        assert_eq!(DayMeasure::parse(" 8-30 "), Some(DayMeasure::Bracket(8, 30)));
        assert_eq!(DayMeasure::parse("30-8"), None);
        assert_eq!(DayMeasure::parse("-3"), None);
        assert_eq!(DayMeasure::parse("week"), None);
        assert_eq!(DayMeasure::Bracket(8, 30).label(), "days 8-30");
    }
}
