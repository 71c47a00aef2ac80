//! Stickiness: how many days customers buy on within a period.
//!
//! For each complete period, among customers with at least one purchase day
//! in it: how many bought on 1, 2, 3, 4–5, 6–10 and 11 or more distinct
//! days, and the mean and median number of purchase days (the median of an
//! even count is the mean of the middle two). A rising share of one-day
//! customers is an early sign of weaker habits.

use std::sync::Arc;

use arrow::array::{Float64Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::grouping::Grouping;
use crate::periods::leading_columns;
use crate::spells::median_of_sorted;

/// Buckets of purchase days per period: (lowest, highest, column name).
pub const BUCKETS: [(u32, u32, &str); 6] =
    [(1, 1, "days_1"), (2, 2, "days_2"), (3, 3, "days_3"), (4, 5, "days_4_5"), (6, 10, "days_6_10"), (11, u32::MAX, "days_11_plus")];

/// One period's distribution for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct StickinessRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// The period.
    pub span: PeriodSpan,
    /// Customers with at least one purchase day in the period.
    pub customers: u64,
    /// Customers per bucket of [`BUCKETS`].
    pub buckets: [u64; 6],
    /// Mean purchase days among `customers`.
    pub mean_days: Option<f64>,
    /// Median purchase days among `customers`.
    pub median_days: Option<f64>,
}

/// Purchase-day distributions per complete period from `first_day` to `as_of`.
pub fn stickiness_rows(activity: &Activity, calendar: &Calendar, period: Period, first_day: i32, as_of: i32, grouping: &Grouping) -> Vec<StickinessRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let groups = grouping.labels().len();
    // Purchase days per (group, period): one entry per active customer.
    let mut counts: Vec<Vec<u32>> = vec![Vec::new(); groups * spans.len()];
    if let (Some(first), Some(last)) = (spans.first(), spans.last()) {
        for (customer, days) in activity.days.iter().enumerate() {
            let Some(g) = grouping.group_of(customer as u32) else { continue };
            let in_range = &days[days.partition_point(|&d| d < first.start)..days.partition_point(|&d| d <= last.end)];
            let mut current: Option<(usize, u32)> = None;
            for &day in in_range {
                let p = spans.partition_point(|s| s.start <= day) - 1;
                current = match current {
                    Some((q, n)) if q == p => Some((q, n + 1)),
                    Some((q, n)) => {
                        counts[g * spans.len() + q].push(n);
                        Some((p, 1))
                    }
                    None => Some((p, 1)),
                };
            }
            if let Some((q, n)) = current {
                counts[g * spans.len() + q].push(n);
            }
        }
    }
    let labels = grouping.labels();
    (0..groups)
        .flat_map(|g| spans.iter().enumerate().map(move |(p, span)| (g, p, span)))
        .map(|(g, p, span)| {
            let values = &mut counts[g * spans.len() + p];
            values.sort_unstable();
            let mut buckets = [0u64; 6];
            for &n in values.iter() {
                if let Some(b) = BUCKETS.iter().position(|&(lo, hi, _)| (lo..=hi).contains(&n)) {
                    buckets[b] += 1;
                }
            }
            let len = values.len();
            let mean_days = (len > 0).then(|| values.iter().map(|&n| f64::from(n)).sum::<f64>() / len as f64);
            let median_days = (len > 0).then(|| median_of_sorted(values));
            StickinessRow { group: labels[g].clone(), span: span.clone(), customers: len as u64, buckets, mean_days, median_days }
        })
        .collect()
}

/// The rows as a record batch (the `group` column only when grouped).
pub fn stickiness_batch(rows: &[StickinessRow], grouped: bool) -> RecordBatch {
    let (mut fields, mut columns) = leading_columns(rows.iter().map(|r| (r.group.as_str(), &r.span)), grouped);
    fields.push(Field::new("customers", DataType::UInt64, false));
    columns.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.customers))));
    for (b, (_, _, name)) in BUCKETS.iter().enumerate() {
        fields.push(Field::new(*name, DataType::UInt64, false));
        columns.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.buckets[b]))));
    }
    fields.push(Field::new("mean_days", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(|r| r.mean_days).collect::<Float64Array>()));
    fields.push(Field::new("median_days", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(|r| r.median_days).collect::<Float64Array>()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
