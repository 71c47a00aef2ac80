//! Choosing the churn window W: a sensitivity sweep and a recommendation.
//!
//! Every non-contractual churn figure depends on W, and one value does not
//! fit every business. For each candidate W the sweep reports:
//!
//! * `churned` — churn events whose churn date C = L + W (L = the last
//!   purchase of a spell, see [`crate::spells`]) is on or before the end of
//!   observation;
//! * `came_back` — of those, the events followed by a later purchase: the
//!   customer was called churned under W and then bought again (a false
//!   churn). Churns near the end of observation have had less time to
//!   come back, so this is a lower bound, and more so for large W;
//! * `false_churn_pct` = `came_back` ÷ `churned` × 100%;
//! * `gaps_over_pct` — the share of repeat-purchase gaps longer than W,
//!   i.e. of all the times a customer came back, how often W would have
//!   declared them churned first;
//! * `mean_churn_rate_pct` — the mean of the per-period churn rates (see
//!   [`crate::periods`]) over the complete periods that have a starting
//!   base.
//!
//! A repeat gap is the number of days between two consecutive purchase days
//! of one customer; its quantiles are reported by nearest rank (the
//! ⌈q · n⌉-th smallest gap, numpy's `inverted_cdf`).
//!
//! **Recommended W**: the smallest whole number of days at which at most
//! `max_false_churn` (default 10%) of churn labels are later reversed by a
//! purchase. Each gap longer than W is exactly one reversed churn, and each
//! customer whose last purchase is at least W days before the end of
//! observation is one churn that stands, so the share is known for every W
//! at once and the smallest qualifying W is exact, not a grid point.
//! Why not simply the gap that 90% of repeat gaps stay within? Because a
//! customer with many purchases has many gaps: with monthly buyers that
//! rule picks about a month, and then most churn labels are false (in the
//! 2,000-customer demo the 90% gap is 31 days, and 73% of churns at 30 days
//! are reversed).

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Float64Array, Int32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::calendar::{Calendar, Period};
use crate::grouping::Grouping;
use crate::periods::period_rows;
use crate::spells::spells;

/// Windows swept when none are given, in days.
pub const DEFAULT_WINDOWS: [i32; 7] = [30, 60, 90, 120, 180, 270, 365];

/// Default largest share of churn labels the recommended window may see reversed.
pub const DEFAULT_MAX_FALSE_CHURN: f64 = 0.1;

/// Quantiles of the repeat gaps reported with the sweep.
pub const GAP_QUANTILES: [f64; 5] = [0.5, 0.75, 0.9, 0.95, 0.99];

/// One candidate window's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowRow {
    /// W in days.
    pub window: i32,
    /// Churn events with a churn date on or before the end of observation.
    pub churned: u64,
    /// Of those, events followed by a later purchase.
    pub came_back: u64,
    /// Repeat gaps longer than W.
    pub gaps_over: u64,
    /// All repeat gaps.
    pub gaps: u64,
    /// Mean per-period churn rate in percent (`None` without any period with a base).
    pub mean_churn_rate: Option<f64>,
    /// Whether this is the recommended window.
    pub recommended: bool,
}

impl WindowRow {
    /// `came_back` ÷ `churned` in percent.
    pub fn false_churn_pct(&self) -> Option<f64> {
        (self.churned > 0).then(|| self.came_back as f64 / self.churned as f64 * 100.0)
    }

    /// `gaps_over` ÷ `gaps` in percent.
    pub fn gaps_over_pct(&self) -> Option<f64> {
        (self.gaps > 0).then(|| self.gaps_over as f64 / self.gaps as f64 * 100.0)
    }
}

/// The sweep, the repeat-gap distribution and the recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSweep {
    /// One row per window, ascending.
    pub rows: Vec<WindowRow>,
    /// Number of repeat gaps.
    pub gaps: u64,
    /// `(q, gap)` for each of [`GAP_QUANTILES`] (nearest rank); empty without gaps.
    pub quantiles: Vec<(f64, i32)>,
    /// The largest share of reversed churn labels the recommendation allows.
    pub max_false_churn: f64,
    /// The recommended window, `None` when no customer bought twice.
    pub recommended: Option<i32>,
}

/// All repeat gaps in days between purchases up to `as_of`, ascending.
pub fn repeat_gaps(activity: &Activity, as_of: i32) -> Vec<i32> {
    let mut gaps: Vec<i32> = activity
        .days
        .iter()
        .flat_map(|days| {
            let observed = &days[..days.partition_point(|&d| d <= as_of)];
            observed.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
        })
        .collect();
    gaps.sort_unstable();
    gaps
}

/// The ⌈q · n⌉-th smallest of sorted `values` (nearest rank); `None` when empty.
pub fn nearest_rank(sorted: &[i32], q: f64) -> Option<i32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// The smallest window (days) at which reversed churn labels are at most
/// `max_false_churn` of all churn labels by `as_of` (see the module docs);
/// `None` without repeat gaps. `gaps` sorted ascending.
pub fn recommend(activity: &Activity, gaps: &[i32], max_false_churn: f64, as_of: i32) -> Option<i32> {
    let longest = *gaps.last()?;
    let mut lasts: Vec<i32> = activity.days.iter().filter_map(|days| days[..days.partition_point(|&d| d <= as_of)].last().copied()).collect();
    lasts.sort_unstable();
    (1..=longest)
        .find(|&window| {
            let reversed = gaps.len() - gaps.partition_point(|&g| g <= window);
            let standing = lasts.partition_point(|&last| last <= as_of - window);
            let churned = reversed + standing;
            churned > 0 && reversed as f64 <= max_false_churn * churned as f64
        })
        .or(Some(longest))
}

/// Sweeps `windows` (plus the recommended window when it is not among
/// them) over every customer's activity up to `as_of`, with churn rates per
/// `period` from `first_day`.
pub fn sweep(activity: &Activity, windows: &[i32], max_false_churn: f64, calendar: &Calendar, period: Period, first_day: i32, as_of: i32) -> WindowSweep {
    let gaps = repeat_gaps(activity, as_of);
    let recommended = recommend(activity, &gaps, max_false_churn, as_of);
    let mut candidates: Vec<i32> = windows.to_vec();
    candidates.extend(recommended);
    candidates.sort_unstable();
    candidates.dedup();
    let everyone = Grouping::all();
    let rows = candidates
        .into_iter()
        .map(|window| {
            let spells = spells(activity, window);
            let (mut churned, mut came_back) = (0u64, 0u64);
            for (i, spell) in spells.iter().enumerate() {
                if spell.churn <= as_of {
                    churned += 1;
                    // Spells come grouped by customer in time order: a later
                    // spell of the same customer means a return after C.
                    came_back += u64::from(spells.get(i + 1).is_some_and(|next| next.customer == spell.customer && next.start <= as_of));
                }
            }
            let rates: Vec<f64> = period_rows(&spells, calendar, period, first_day, as_of, &everyone).iter().filter_map(|r| r.churn_rate()).collect();
            WindowRow {
                window,
                churned,
                came_back,
                gaps_over: (gaps.len() - gaps.partition_point(|&g| g <= window)) as u64,
                gaps: gaps.len() as u64,
                mean_churn_rate: (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64),
                recommended: Some(window) == recommended,
            }
        })
        .collect();
    WindowSweep {
        rows,
        gaps: gaps.len() as u64,
        quantiles: GAP_QUANTILES.iter().filter_map(|&q| nearest_rank(&gaps, q).map(|g| (q, g))).collect(),
        max_false_churn,
        recommended,
    }
}

impl WindowSweep {
    /// The rows as a record batch (percentages as `*_pct`).
    pub fn batch(&self) -> RecordBatch {
        let rows = &self.rows;
        let u = |f: fn(&WindowRow) -> u64| Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
        let r = |f: fn(&WindowRow) -> Option<f64>| Arc::new(rows.iter().map(f).collect::<Float64Array>()) as ArrayRef;
        let schema = Schema::new(vec![
            Field::new("window_days", DataType::Int32, false),
            Field::new("churned", DataType::UInt64, false),
            Field::new("came_back", DataType::UInt64, false),
            Field::new("false_churn_pct", DataType::Float64, true),
            Field::new("gaps_over_pct", DataType::Float64, true),
            Field::new("mean_churn_rate_pct", DataType::Float64, true),
            Field::new("recommended", DataType::Boolean, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.window))),
            u(|r| r.churned),
            u(|r| r.came_back),
            r(WindowRow::false_churn_pct),
            r(WindowRow::gaps_over_pct),
            r(|r| r.mean_churn_rate),
            Arc::new(BooleanArray::from(rows.iter().map(|r| r.recommended).collect::<Vec<_>>())),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_is_the_ceiling_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(nearest_rank(&v, 0.9), Some(9)); // ⌈9.0⌉ = 9th
        assert_eq!(nearest_rank(&v, 0.91), Some(10)); // ⌈9.1⌉ = 10th
        assert_eq!(nearest_rank(&v, 0.5), Some(5));
        assert_eq!(nearest_rank(&v, 0.0), Some(1));
        assert_eq!(nearest_rank(&[], 0.5), None);
    }
}
