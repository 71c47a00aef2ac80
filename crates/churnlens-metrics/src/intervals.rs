//! Purchase intervals per customer: are the gaps between purchases getting
//! longer? Lengthening gaps are an early sign of churn, visible before the
//! churn window runs out.
//!
//! For each customer, over purchase days up to the end of observation:
//!
//! * `purchases` — distinct purchase days; gaps are the days between
//!   consecutive ones;
//! * `median_gap_days` (mean of the middle two for an even count),
//!   `last_gap_days` (the latest gap between two purchases) and
//!   `days_since_last` (end of observation − last purchase);
//! * `last_vs_median` = last gap ÷ median gap; `overdue_ratio` = days since
//!   the last purchase ÷ median gap (above 1: later than usual already);
//! * `gap_trend_days` — the least-squares slope of the gaps against their
//!   order (days longer per purchase), from two gaps on;
//! * `lengthening` — at least [`MIN_GAPS`] gaps (so the median means
//!   something), the last gap more than [`LENGTHENING_FACTOR`] × the median,
//!   and a positive trend.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Float64Array, Int32Array, StringArray, UInt32Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::spells::median_of_sorted;

/// Gaps needed before a customer can be flagged.
pub const MIN_GAPS: usize = 3;

/// How much longer than the median the last gap must be to flag it.
pub const LENGTHENING_FACTOR: f64 = 1.5;

/// One customer's intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerIntervals {
    /// Customer id.
    pub customer: String,
    /// Distinct purchase days.
    pub purchases: u32,
    /// Median gap in days.
    pub median_gap: Option<f64>,
    /// Latest gap in days.
    pub last_gap: Option<i32>,
    /// Days from the last purchase to the end of observation.
    pub days_since_last: i32,
    /// Least-squares slope of the gaps, days per purchase.
    pub trend: Option<f64>,
}

impl CustomerIntervals {
    /// Last gap ÷ median gap.
    pub fn last_vs_median(&self) -> Option<f64> {
        Some(f64::from(self.last_gap?) / self.median_gap.filter(|m| *m > 0.0)?)
    }

    /// Days since the last purchase ÷ median gap.
    pub fn overdue_ratio(&self) -> Option<f64> {
        Some(f64::from(self.days_since_last) / self.median_gap.filter(|m| *m > 0.0)?)
    }

    /// Whether the gaps are lengthening (see the module docs).
    pub fn lengthening(&self) -> bool {
        self.purchases as usize > MIN_GAPS && self.last_vs_median().is_some_and(|r| r > LENGTHENING_FACTOR) && self.trend.is_some_and(|t| t > 0.0)
    }
}

/// Intervals of every customer with a purchase on or before `as_of`, in
/// the order of [`Activity::ids`].
pub fn intervals(activity: &Activity, as_of: i32) -> Vec<CustomerIntervals> {
    activity
        .ids
        .iter()
        .zip(&activity.days)
        .filter_map(|(id, days)| {
            let days = &days[..days.partition_point(|&d| d <= as_of)];
            let last = *days.last()?;
            let gaps: Vec<i32> = days.windows(2).map(|w| w[1] - w[0]).collect();
            let mut sorted = gaps.clone();
            sorted.sort_unstable();
            let median_gap = (!sorted.is_empty()).then(|| median_of_sorted(&sorted));
            Some(CustomerIntervals {
                customer: id.clone(),
                purchases: days.len() as u32,
                median_gap,
                last_gap: gaps.last().copied(),
                days_since_last: as_of - last,
                trend: slope(&gaps),
            })
        })
        .collect()
}

/// Least-squares slope of `values` against 0, 1, 2 …; `None` below two values.
fn slope(values: &[i32]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &v) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (f64::from(v) - mean_y);
        sxx += dx * dx;
    }
    Some(sxy / sxx)
}

/// The customers as a record batch.
pub fn intervals_batch(rows: &[CustomerIntervals]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("purchases", DataType::UInt32, false),
        Field::new("median_gap_days", DataType::Float64, true),
        Field::new("last_gap_days", DataType::Int32, true),
        Field::new("days_since_last", DataType::Int32, false),
        Field::new("last_vs_median", DataType::Float64, true),
        Field::new("overdue_ratio", DataType::Float64, true),
        Field::new("gap_trend_days", DataType::Float64, true),
        Field::new("lengthening", DataType::Boolean, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.customer.as_str()))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.purchases))),
        Arc::new(rows.iter().map(|r| r.median_gap).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.last_gap).collect::<Int32Array>()),
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.days_since_last))),
        Arc::new(rows.iter().map(CustomerIntervals::last_vs_median).collect::<Float64Array>()),
        Arc::new(rows.iter().map(CustomerIntervals::overdue_ratio).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.trend).collect::<Float64Array>()),
        Arc::new(BooleanArray::from(rows.iter().map(CustomerIntervals::lengthening).collect::<Vec<_>>())),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
