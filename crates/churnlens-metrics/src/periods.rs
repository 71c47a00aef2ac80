//! Churn and retention per period.
//!
//! For a period P = [first day, last day]:
//!
//! * `active_start` — customers active on the day before P begins;
//! * `churned` — churn dates falling in P (a customer whose churn date is
//!   P's first day is in both counts);
//! * `new` — customers whose first purchase falls in P; `reactivated` —
//!   customers who came back in P after being churned;
//! * `active_end` — customers active on P's last day;
//! * `retained` — customers of `active_start` still in the same spell at the
//!   end of P (= `active_start` − the base's churns in P);
//! * churn rate = `churned` ÷ `active_start` × 100%; the average-base
//!   variant divides by (`active_start` + `active_end`) ÷ 2; the 30-day
//!   variant rescales the rate to a 30-day month by compounding,
//!   1 − (1 − r)^(30 ÷ days in P), so weeks, months and quarters compare;
//! * retention rate = (`active_end` − customers who joined in P and are
//!   active at its end) ÷ `active_start` × 100% = `retained` ÷ `active_start`.
//!   "Joined" counts new and reactivated customers alike: both enter the
//!   active base during P.
//!
//! Only periods that end on or before the end of observation are reported:
//! a later churn date cannot be known yet.

use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::grouping::Grouping;
use crate::spells::Spell;

/// One period's counts for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// The period.
    pub span: PeriodSpan,
    /// Active on the day before the period.
    pub active_start: u64,
    /// First purchases in the period.
    pub new: u64,
    /// Returns after churn in the period.
    pub reactivated: u64,
    /// Churn dates in the period.
    pub churned: u64,
    /// Active on the period's last day.
    pub active_end: u64,
    /// Of `active_start`, still in the same spell at the end.
    pub retained: u64,
}

impl PeriodRow {
    /// Churn rate in percent, `None` without a starting base.
    pub fn churn_rate(&self) -> Option<f64> {
        (self.active_start > 0).then(|| self.churned as f64 / self.active_start as f64 * 100.0)
    }

    /// Churn rate over the average of the starting and ending base, percent.
    pub fn churn_rate_average_base(&self) -> Option<f64> {
        let base = (self.active_start + self.active_end) as f64 / 2.0;
        (base > 0.0).then(|| self.churned as f64 / base * 100.0)
    }

    /// Churn rate compounded to a 30-day month, percent; `None` when the
    /// rate is undefined or 100% or more (then no monthly rate reproduces it).
    pub fn churn_rate_30d(&self) -> Option<f64> {
        let r = self.churn_rate()? / 100.0;
        (r < 1.0).then(|| (1.0 - (1.0 - r).powf(30.0 / f64::from(self.span.days()))) * 100.0)
    }

    /// Retention rate in percent.
    pub fn retention_rate(&self) -> Option<f64> {
        (self.active_start > 0).then(|| self.retained as f64 / self.active_start as f64 * 100.0)
    }
}

/// Counts every complete period from the first purchase to `as_of`.
pub fn period_rows(spells: &[Spell], calendar: &Calendar, period: Period, first_day: i32, as_of: i32, grouping: &Grouping) -> Vec<PeriodRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let Some(origin) = spans.first().map(|s| s.start - 1) else { return Vec::new() };
    let groups = grouping.labels().len();
    let days = (as_of - origin + 2) as usize;
    // Per group: +1/−1 at spell start/end, prefix-summed to active per day.
    let mut delta = vec![0i64; groups * days];
    let mut rows: Vec<PeriodRow> = (0..groups)
        .flat_map(|g| spans.iter().map(move |s| (g, s)))
        .map(|(g, span)| PeriodRow {
            group: grouping.labels()[g].clone(),
            span: span.clone(),
            active_start: 0,
            new: 0,
            reactivated: 0,
            churned: 0,
            active_end: 0,
            retained: 0,
        })
        .collect();
    let period_of = |day: i32| -> Option<usize> {
        if day < spans[0].start || day > spans[spans.len() - 1].end {
            return None;
        }
        Some(spans.partition_point(|s| s.start <= day) - 1)
    };
    // The period in which the current customer last joined (new or back),
    // so a customer is counted once per period.
    let mut joined: Option<usize> = None;
    let mut last_customer = u32::MAX;
    for spell in spells {
        let Some(g) = grouping.group_of(spell.customer) else { continue };
        if spell.start > as_of {
            continue;
        }
        let from = (spell.start.max(origin) - origin) as usize;
        let to = (spell.churn.min(as_of + 1) - origin) as usize;
        if from < to {
            delta[g * days + from] += 1;
            delta[g * days + to] -= 1;
        }
        if spell.customer != last_customer {
            last_customer = spell.customer;
            joined = None;
        }
        if let Some(p) = period_of(spell.start) {
            let row = &mut rows[g * spans.len() + p];
            if spell.first {
                row.new += 1;
            } else if joined != Some(p) {
                // Once per customer and period, even if the customer came
                // back twice within one long period.
                row.reactivated += 1;
            }
            joined = Some(p);
        }
        if let Some(p) = period_of(spell.churn) {
            let row = &mut rows[g * spans.len() + p];
            row.churned += 1;
            if spell.start < spans[p].start {
                row.retained += 1; // provisional: base churns, subtracted below
            }
        }
    }
    for g in 0..groups {
        let mut active = 0i64;
        let mut per_day = Vec::with_capacity(days);
        for d in 0..days {
            active += delta[g * days + d];
            per_day.push(active as u64);
        }
        for (p, span) in spans.iter().enumerate() {
            let row = &mut rows[g * spans.len() + p];
            let base_churned = row.retained;
            row.active_start = per_day[(span.start - 1 - origin) as usize];
            row.active_end = per_day[(span.end - origin) as usize];
            row.retained = row.active_start - base_churned;
        }
    }
    rows
}

/// The leading columns of a per-period batch: `group` (only when grouped),
/// `period` and `period_start`, from each row's (group, period).
pub(crate) fn leading_columns<'a>(keys: impl Iterator<Item = (&'a str, &'a PeriodSpan)> + Clone, grouped: bool) -> (Vec<Field>, Vec<ArrayRef>) {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    if grouped {
        fields.push(Field::new("group", DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from_iter_values(keys.clone().map(|(g, _)| g))));
    }
    fields.push(Field::new("period", DataType::Utf8, false));
    columns.push(Arc::new(StringArray::from_iter_values(keys.clone().map(|(_, s)| s.label.as_str()))));
    fields.push(Field::new("period_start", DataType::Date32, false));
    columns.push(Arc::new(Date32Array::from_iter_values(keys.map(|(_, s)| s.start))));
    (fields, columns)
}

/// The rows as an Arrow record batch (rates in percent; the `group` column
/// only when grouped).
pub fn period_batch(rows: &[PeriodRow], grouped: bool) -> RecordBatch {
    let u = |f: fn(&PeriodRow) -> u64| Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let r = |f: fn(&PeriodRow) -> Option<f64>| Arc::new(rows.iter().map(f).collect::<Float64Array>()) as ArrayRef;
    let (mut fields, mut columns) = leading_columns(rows.iter().map(|r| (r.group.as_str(), &r.span)), grouped);
    fields.push(Field::new("period_end", DataType::Date32, false));
    columns.push(Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.span.end))));
    for (name, column) in [
        ("active_start", u(|r| r.active_start)),
        ("new", u(|r| r.new)),
        ("reactivated", u(|r| r.reactivated)),
        ("churned", u(|r| r.churned)),
        ("active_end", u(|r| r.active_end)),
        ("retained", u(|r| r.retained)),
    ] {
        fields.push(Field::new(name, DataType::UInt64, false));
        columns.push(column);
    }
    for (name, column) in [
        ("churn_rate_pct", r(PeriodRow::churn_rate)),
        ("churn_rate_avg_base_pct", r(PeriodRow::churn_rate_average_base)),
        ("churn_rate_30d_pct", r(PeriodRow::churn_rate_30d)),
        ("retention_rate_pct", r(PeriodRow::retention_rate)),
    ] {
        fields.push(Field::new(name, DataType::Float64, true));
        columns.push(column);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
