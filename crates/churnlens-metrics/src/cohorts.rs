//! Cohort retention: customers grouped by the period of their first
//! purchase; cell (cohort, k) = share of the cohort that purchased in the
//! k-th period after it (k = 0 is the first-purchase period, 100% by
//! definition), and the cohort's net revenue in that period relative to its
//! revenue in period 0 (revenue retention; refunds net out on the day they
//! happen). Only periods that end on or before the end of observation are
//! shown.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::calendar::{Calendar, Period, PeriodSpan};

/// One cohort cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortCell {
    /// Cohort period label.
    pub cohort: String,
    /// Customers in the cohort.
    pub size: u64,
    /// Periods since the cohort period.
    pub offset: u32,
    /// Label of the period the cell is about.
    pub period: String,
    /// Cohort customers who purchased in that period.
    pub active: u64,
    /// Cohort net revenue in that period.
    pub revenue: f64,
    /// Cohort net revenue in its first period.
    pub revenue_first: f64,
}

impl CohortCell {
    /// Share of the cohort active, percent.
    pub fn retention(&self) -> f64 {
        self.active as f64 / self.size as f64 * 100.0
    }

    /// Revenue relative to the first period, percent (`None` if that was 0).
    pub fn revenue_retention(&self) -> Option<f64> {
        (self.revenue_first != 0.0).then(|| self.revenue / self.revenue_first * 100.0)
    }
}

/// The cohort matrix in long form, cohorts in time order, offsets ascending.
pub fn cohort_cells(activity: &Activity, calendar: &Calendar, period: Period, as_of: i32) -> Vec<CohortCell> {
    let Some(first) = activity.first_day else { return Vec::new() };
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first, as_of);
    let n = spans.len();
    if n == 0 {
        return Vec::new();
    }
    let period_of = |day: i32| -> Option<usize> { (day >= spans[0].start && day <= spans[n - 1].end).then(|| spans.partition_point(|s| s.start <= day) - 1) };
    // Upper-triangular counts: [cohort][offset].
    let mut size = vec![0u64; n];
    let mut active = vec![0u64; n * n];
    let mut revenue = vec![0f64; n * n];
    for (days, money) in activity.days.iter().zip(&activity.revenue) {
        let Some(cohort) = days.first().and_then(|d| period_of(*d)) else { continue };
        size[cohort] += 1;
        let mut last_period = usize::MAX;
        for &day in days {
            let Some(p) = period_of(day) else { break };
            if p != last_period {
                active[cohort * n + (p - cohort)] += 1;
                last_period = p;
            }
        }
        for &(day, amount) in money {
            if let Some(p) = period_of(day).filter(|p| *p >= cohort) {
                revenue[cohort * n + (p - cohort)] += amount;
            }
        }
    }
    let mut cells = Vec::new();
    for cohort in 0..n {
        if size[cohort] == 0 {
            continue;
        }
        for offset in 0..n - cohort {
            cells.push(CohortCell {
                cohort: spans[cohort].label.clone(),
                size: size[cohort],
                offset: offset as u32,
                period: spans[cohort + offset].label.clone(),
                active: active[cohort * n + offset],
                revenue: revenue[cohort * n + offset],
                revenue_first: revenue[cohort * n],
            });
        }
    }
    cells
}

/// The cells as an Arrow record batch.
pub fn cohort_batch(cells: &[CohortCell]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("cohort", DataType::Utf8, false),
        Field::new("cohort_size", DataType::UInt64, false),
        Field::new("period_offset", DataType::UInt32, false),
        Field::new("period", DataType::Utf8, false),
        Field::new("active", DataType::UInt64, false),
        Field::new("retention_pct", DataType::Float64, false),
        Field::new("revenue", DataType::Float64, false),
        Field::new("revenue_retention_pct", DataType::Float64, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(cells.iter().map(|c| c.cohort.as_str()))),
        Arc::new(UInt64Array::from_iter_values(cells.iter().map(|c| c.size))),
        Arc::new(UInt32Array::from_iter_values(cells.iter().map(|c| c.offset))),
        Arc::new(StringArray::from_iter_values(cells.iter().map(|c| c.period.as_str()))),
        Arc::new(UInt64Array::from_iter_values(cells.iter().map(|c| c.active))),
        Arc::new(Float64Array::from_iter_values(cells.iter().map(CohortCell::retention))),
        Arc::new(Float64Array::from_iter_values(cells.iter().map(|c| c.revenue))),
        Arc::new(cells.iter().map(CohortCell::revenue_retention).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
