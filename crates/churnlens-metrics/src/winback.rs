//! Win-back (reactivation) rate: of the customers who churned, how many buy
//! again within a chosen number of days.
//!
//! A churn event is a spell's end with churn date C = L + W on or before
//! the end of observation (see [`crate::spells`]). It is won back within D
//! days when the customer's next purchase falls on day C + 1 … C + D (a
//! purchase on C itself would have continued the spell). Events are
//! reported in the period of their churn date:
//!
//! * `churned` — churn events in the period;
//! * `observable` — those whose whole D-day chance has passed (C + D on or
//!   before the end of observation); a rate over the rest would understate
//!   win-back, so only these are the base;
//! * `won_back` — observable events won back within D days;
//! * win-back rate = `won_back` ÷ `observable` × 100%.

use std::sync::Arc;

use arrow::array::{Float64Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::grouping::Grouping;
use crate::periods::leading_columns;
use crate::spells::Spell;

/// Default win-back horizon D in days.
pub const DEFAULT_WITHIN: i32 = 90;

/// One period's win-back counts for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct WinbackRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// The period the churn dates fall in.
    pub span: PeriodSpan,
    /// Churn events in the period.
    pub churned: u64,
    /// Of those, events whose D-day chance has fully passed.
    pub observable: u64,
    /// Observable events won back within D days.
    pub won_back: u64,
}

impl WinbackRow {
    /// `won_back` ÷ `observable` in percent.
    pub fn winback_rate(&self) -> Option<f64> {
        (self.observable > 0).then(|| self.won_back as f64 / self.observable as f64 * 100.0)
    }
}

/// Win-back counts per complete period from `first_day` to `as_of`, for a
/// horizon of `within` days. `spells` as [`crate::spells::spells`] returns them.
pub fn winback_rows(spells: &[Spell], within: i32, calendar: &Calendar, period: Period, first_day: i32, as_of: i32, grouping: &Grouping) -> Vec<WinbackRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let mut rows: Vec<WinbackRow> = grouping
        .labels()
        .iter()
        .flat_map(|g| spans.iter().map(move |s| (g, s)))
        .map(|(group, span)| WinbackRow { group: group.clone(), span: span.clone(), churned: 0, observable: 0, won_back: 0 })
        .collect();
    let Some(last_span) = spans.last() else { return rows };
    for (i, spell) in spells.iter().enumerate() {
        if spell.churn < spans[0].start || spell.churn > last_span.end {
            continue;
        }
        let Some(g) = grouping.group_of(spell.customer) else { continue };
        let p = spans.partition_point(|s| s.start <= spell.churn) - 1;
        let row = &mut rows[g * spans.len() + p];
        row.churned += 1;
        if spell.churn + within <= as_of {
            row.observable += 1;
            let next = spells.get(i + 1).filter(|next| next.customer == spell.customer);
            row.won_back += u64::from(next.is_some_and(|next| next.start <= spell.churn + within));
        }
    }
    rows
}

/// The rows as a record batch (the `group` column only when grouped).
pub fn winback_batch(rows: &[WinbackRow], grouped: bool) -> RecordBatch {
    let (mut fields, mut columns) = leading_columns(rows.iter().map(|r| (r.group.as_str(), &r.span)), grouped);
    for (name, values) in [
        ("churned", rows.iter().map(|r| r.churned).collect::<Vec<_>>()),
        ("observable", rows.iter().map(|r| r.observable).collect()),
        ("won_back", rows.iter().map(|r| r.won_back).collect()),
    ] {
        fields.push(Field::new(name, DataType::UInt64, false));
        columns.push(Arc::new(UInt64Array::from(values)));
    }
    fields.push(Field::new("winback_rate_pct", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(WinbackRow::winback_rate).collect::<Float64Array>()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
