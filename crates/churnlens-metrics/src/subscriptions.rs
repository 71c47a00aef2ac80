//! Subscriptions: contractual churn and recurring revenue (MRR).
//!
//! A `subscriptions` row runs from its start day to its end (cancel) day:
//! the customer is subscribed on days start … end − 1, and the end day is
//! the first day without it (an empty end is an open subscription; a row
//! whose end is not after its start never ran and is ignored). Days are
//! local days in the business time zone.
//!
//! * **Contractual churn**: a customer is active while any of their
//!   subscriptions runs. Rows that overlap or touch (the next starts on or
//!   before the previous end) are one spell; the churn date is the spell's
//!   last end, and a later start is a reactivation. Churn and retention
//!   rates then follow the same per-period definitions as for orders (see
//!   [`crate::periods`]); so does win-back.
//! * **MRR** of a customer on a day = the sum of `recurring_amount` over the
//!   subscriptions running that day (a missing amount counts 0: such a
//!   customer is subscribed but not paying). Per period P, each customer's
//!   MRR on the day before P (`mrr_start`) is compared with their MRR on P's
//!   last day (`mrr_end`):
//!   - **new**: 0 → positive, never paying before P;
//!   - **reactivation**: 0 → positive, paying at some time before P;
//!   - **expansion** / **contraction**: positive → more / less but positive;
//!   - **churned**: positive → 0.
//!
//!   So MRR end = start + new + reactivation + expansion − contraction −
//!   churned exactly. A customer who starts and cancels within one period
//!   is in none of them (the standard month-end snapshot convention).
//!   Ratios over `mrr_start`: gross revenue churn = (churned + contraction)
//!   ÷ start; net revenue churn = (churned + contraction − expansion) ÷
//!   start; gross revenue retention (GRR) = (start − churned − contraction)
//!   ÷ start; net revenue retention (NRR) = (start + expansion − churned −
//!   contraction) ÷ start (reactivated and new revenue come from customers
//!   outside the starting base, so neither counts). Logo churn = paying
//!   customers lost ÷ paying customers at the start. ARPA = MRR end ÷
//!   paying customers at the end. Quick ratio = (new + reactivation +
//!   expansion) ÷ (churned + contraction).
//!
//! Only complete periods up to the end of observation are reported.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;

use crate::Engine;
use crate::activity::Activity;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::error::{MetricsError, Result};
use crate::grouping::Grouping;
use crate::periods::leading_columns;
use crate::spells::Spell;

/// The churn date of a spell that has not ended: after every possible end
/// of observation, so it is never counted.
const OPEN: i32 = i32::MAX;

/// One subscription row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subscription {
    /// Customer position in [`Subscriptions::ids`].
    pub customer: u32,
    /// First subscribed day.
    pub start: i32,
    /// First day no longer subscribed, `None` while it runs.
    pub end: Option<i32>,
    /// Monthly recurring amount (0 when not given).
    pub amount: f64,
}

impl Subscription {
    /// The end as a day number ([`OPEN`] for a running subscription).
    fn end_day(&self) -> i32 {
        self.end.unwrap_or(OPEN)
    }
}

/// Every subscription, by customer then start day.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    /// Customer ids.
    pub ids: Vec<String>,
    /// Rows that ran at least one day, grouped by customer, by start day within.
    pub rows: Vec<Subscription>,
    /// Rows left out because they end on or before their start.
    pub ignored: u64,
}

impl Subscriptions {
    /// Reads the workspace's `subscriptions` table.
    pub async fn load(engine: &Engine, calendar: &Calendar) -> Result<Subscriptions> {
        if !engine.tables().iter().any(|t| t == "subscriptions") {
            return Err(MetricsError::MissingTable { table: "subscriptions", hint: "churnlens import --as subscriptions FILE" });
        }
        let columns = engine.columns("subscriptions").await?;
        let pick = |name: &str, fallback: &str| if columns.iter().any(|c| c == name) { name.to_string() } else { fallback.to_string() };
        let query = format!(
            "SELECT customer_id, start_date, {}, {} FROM subscriptions WHERE customer_id IS NOT NULL AND start_date IS NOT NULL",
            pick("end_date", "CAST(NULL AS TIMESTAMP)"),
            pick("recurring_amount", "CAST(NULL AS DOUBLE)")
        );
        let mut local = calendar.day_of();
        let mut rows: Vec<(String, i32, Option<i32>, f64)> = Vec::new();
        for batch in engine.sql(&query).await? {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let times = |i: usize| arrow::compute::cast(batch.column(i), &DataType::Timestamp(TimeUnit::Microsecond, None));
            let starts = times(1)?;
            let starts = starts.as_primitive::<TimestampMicrosecondType>();
            let ends = times(2)?;
            let ends = ends.as_primitive::<TimestampMicrosecondType>();
            let amounts = arrow::compute::cast(batch.column(3), &DataType::Float64)?;
            let amounts = amounts.as_primitive::<arrow::datatypes::Float64Type>();
            for row in 0..batch.num_rows() {
                let end = (!ends.is_null(row)).then(|| local.of_micros(ends.value(row)));
                let amount = if amounts.is_null(row) { 0.0 } else { amounts.value(row) };
                rows.push((ids.value(row).to_string(), local.of_micros(starts.value(row)), end, amount));
            }
        }
        Ok(Subscriptions::from_days(rows))
    }

    /// Subscriptions from (customer, start day, end day, amount) rows, in any order.
    pub fn from_days(mut rows: Vec<(String, i32, Option<i32>, f64)>) -> Subscriptions {
        rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut subscriptions = Subscriptions::default();
        for (id, start, end, amount) in rows {
            if end.is_some_and(|e| e <= start) {
                subscriptions.ignored += 1;
                continue;
            }
            if subscriptions.ids.last() != Some(&id) {
                subscriptions.ids.push(id);
            }
            subscriptions.rows.push(Subscription { customer: subscriptions.ids.len() as u32 - 1, start, end, amount });
        }
        subscriptions
    }

    /// Subscriptions from (customer, `YYYY-MM-DD` start, optional end, amount), for tests and examples.
    ///
    /// # Panics
    /// On a malformed day.
    pub fn from_rows(rows: &[(&str, &str, Option<&str>, f64)]) -> Subscriptions {
        let day = |text: &str| crate::calendar::parse_day(text).unwrap_or_else(|| panic!("bad day {text}"));
        Subscriptions::from_days(rows.iter().map(|(id, start, end, amount)| (id.to_string(), day(start), end.map(day), *amount)).collect())
    }

    /// The first start day.
    pub fn first_day(&self) -> Option<i32> {
        self.rows.iter().map(|r| r.start).min()
    }

    /// The default end of observation: the latest start or end on or before
    /// `today` (ends can lie in the future: a scheduled cancellation).
    pub fn last_day(&self, today: i32) -> Option<i32> {
        self.rows.iter().flat_map(|r| [Some(r.start), r.end]).flatten().filter(|d| *d <= today).max()
    }

    /// The customers as an [`Activity`] without purchases, so that
    /// [`Grouping::by_column`] can label them.
    pub fn customers(&self) -> Activity {
        Activity { ids: self.ids.clone(), ..Activity::default() }
    }

    /// The customers' rows, one slice per customer.
    fn per_customer(&self) -> impl Iterator<Item = &[Subscription]> {
        self.rows.chunk_by(|a, b| a.customer == b.customer)
    }

    /// Subscribed spells (see the module docs): by customer, in time order.
    /// A running spell's churn date lies beyond any end of observation.
    pub fn spells(&self) -> Vec<Spell> {
        let mut out = Vec::with_capacity(self.ids.len());
        for rows in self.per_customer() {
            let mut first = true;
            let mut current: Option<(i32, i32)> = None;
            for row in rows {
                current = match current {
                    Some((start, end)) if row.start <= end => Some((start, end.max(row.end_day()))),
                    Some((start, end)) => {
                        out.push(spell(row.customer, start, end, first));
                        first = false;
                        Some((row.start, row.end_day()))
                    }
                    None => Some((row.start, row.end_day())),
                };
            }
            if let (Some((start, end)), Some(row)) = (current, rows.first()) {
                out.push(spell(row.customer, start, end, first));
            }
        }
        out
    }
}

fn spell(customer: u32, start: i32, churn: i32, first: bool) -> Spell {
    Spell { customer, start, last: churn.saturating_sub(1), churn, first }
}

/// One period's recurring-revenue movements for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct MrrRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// The period.
    pub span: PeriodSpan,
    /// MRR on the day before the period.
    pub mrr_start: f64,
    /// MRR of customers paying for the first time.
    pub new: f64,
    /// MRR of customers paying again after a time without.
    pub reactivation: f64,
    /// Increases of paying customers.
    pub expansion: f64,
    /// Decreases of customers still paying.
    pub contraction: f64,
    /// MRR of customers who stopped paying.
    pub churned: f64,
    /// MRR on the period's last day.
    pub mrr_end: f64,
    /// Paying customers on the day before the period.
    pub customers_start: u64,
    /// Paying customers on its last day.
    pub customers_end: u64,
    /// Customers paying for the first time.
    pub customers_new: u64,
    /// Paying customers who stopped paying.
    pub customers_churned: u64,
}

impl MrrRow {
    fn over_start(&self, amount: f64) -> Option<f64> {
        (self.mrr_start > 0.0).then(|| amount / self.mrr_start * 100.0)
    }

    /// Paying customers lost ÷ paying customers at the start, percent.
    pub fn logo_churn_rate(&self) -> Option<f64> {
        (self.customers_start > 0).then(|| self.customers_churned as f64 / self.customers_start as f64 * 100.0)
    }

    /// (churned + contraction) ÷ MRR at the start, percent.
    pub fn gross_revenue_churn_rate(&self) -> Option<f64> {
        self.over_start(self.churned + self.contraction)
    }

    /// (churned + contraction − expansion) ÷ MRR at the start, percent.
    pub fn net_revenue_churn_rate(&self) -> Option<f64> {
        self.over_start(self.churned + self.contraction - self.expansion)
    }

    /// Gross revenue retention, percent.
    pub fn gross_revenue_retention(&self) -> Option<f64> {
        self.over_start(self.mrr_start - self.churned - self.contraction)
    }

    /// Net revenue retention, percent.
    pub fn net_revenue_retention(&self) -> Option<f64> {
        self.over_start(self.mrr_start + self.expansion - self.churned - self.contraction)
    }

    /// Average revenue per paying account at the end.
    pub fn arpa(&self) -> Option<f64> {
        (self.customers_end > 0).then(|| self.mrr_end / self.customers_end as f64)
    }

    /// (new + reactivation + expansion) ÷ (churned + contraction).
    pub fn quick_ratio(&self) -> Option<f64> {
        let lost = self.churned + self.contraction;
        (lost > 0.0).then(|| (self.new + self.reactivation + self.expansion) / lost)
    }
}

/// MRR movements per complete period from `first_day` to `as_of`.
pub fn mrr_rows(subscriptions: &Subscriptions, calendar: &Calendar, period: Period, first_day: i32, as_of: i32, grouping: &Grouping) -> Vec<MrrRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let mut rows: Vec<MrrRow> = grouping
        .labels()
        .iter()
        .flat_map(|g| spans.iter().map(move |s| (g, s)))
        .map(|(group, span)| MrrRow {
            group: group.clone(),
            span: span.clone(),
            mrr_start: 0.0,
            new: 0.0,
            reactivation: 0.0,
            expansion: 0.0,
            contraction: 0.0,
            churned: 0.0,
            mrr_end: 0.0,
            customers_start: 0,
            customers_end: 0,
            customers_new: 0,
            customers_churned: 0,
        })
        .collect();
    // Boundary k is the last day of period k − 1 (boundary 0 the day before the first).
    let boundaries: Vec<i32> = spans.first().map(|s| s.start - 1).into_iter().chain(spans.iter().map(|s| s.end)).collect();
    let mut mrr = vec![0.0; boundaries.len()];
    for customer_rows in subscriptions.per_customer() {
        let Some(g) = customer_rows.first().and_then(|r| grouping.group_of(r.customer)) else { continue };
        mrr.iter_mut().for_each(|m| *m = 0.0);
        for row in customer_rows {
            // The boundaries the row runs on form one range.
            let from = boundaries.partition_point(|b| *b < row.start);
            let to = boundaries.partition_point(|b| *b < row.end_day());
            mrr[from..to].iter_mut().for_each(|m| *m += row.amount);
        }
        let first_paid = customer_rows.iter().filter(|r| r.amount > 0.0).map(|r| r.start).min();
        for (p, span) in spans.iter().enumerate() {
            let (before, after) = (mrr[p], mrr[p + 1]);
            let row = &mut rows[g * spans.len() + p];
            row.mrr_start += before;
            row.mrr_end += after;
            row.customers_start += u64::from(before > 0.0);
            row.customers_end += u64::from(after > 0.0);
            match (before > 0.0, after > 0.0) {
                (false, true) if first_paid.is_some_and(|d| d < span.start) => row.reactivation += after,
                (false, true) => {
                    row.new += after;
                    row.customers_new += 1;
                }
                (true, false) => {
                    row.churned += before;
                    row.customers_churned += 1;
                }
                (true, true) if after > before => row.expansion += after - before,
                (true, true) => row.contraction += before - after,
                (false, false) => {}
            }
        }
    }
    rows
}

/// The MRR rows as a record batch (the `group` column only when grouped;
/// ratios in percent).
pub fn mrr_batch(rows: &[MrrRow], grouped: bool) -> RecordBatch {
    let (mut fields, mut columns) = leading_columns(rows.iter().map(|r| (r.group.as_str(), &r.span)), grouped);
    let amount = |f: fn(&MrrRow) -> f64| Arc::new(Float64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let count = |f: fn(&MrrRow) -> u64| Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let ratio = |f: fn(&MrrRow) -> Option<f64>| Arc::new(rows.iter().map(f).collect::<Float64Array>()) as ArrayRef;
    let named: [(&str, ArrayRef, bool); 18] = [
        ("mrr_start", amount(|r| r.mrr_start), false),
        ("new", amount(|r| r.new), false),
        ("reactivation", amount(|r| r.reactivation), false),
        ("expansion", amount(|r| r.expansion), false),
        ("contraction", amount(|r| r.contraction), false),
        ("churned", amount(|r| r.churned), false),
        ("mrr_end", amount(|r| r.mrr_end), false),
        ("customers_start", count(|r| r.customers_start), false),
        ("customers_new", count(|r| r.customers_new), false),
        ("customers_churned", count(|r| r.customers_churned), false),
        ("customers_end", count(|r| r.customers_end), false),
        ("logo_churn_pct", ratio(MrrRow::logo_churn_rate), true),
        ("gross_revenue_churn_pct", ratio(MrrRow::gross_revenue_churn_rate), true),
        ("net_revenue_churn_pct", ratio(MrrRow::net_revenue_churn_rate), true),
        ("grr_pct", ratio(MrrRow::gross_revenue_retention), true),
        ("nrr_pct", ratio(MrrRow::net_revenue_retention), true),
        ("arpa", ratio(MrrRow::arpa), true),
        ("quick_ratio", ratio(MrrRow::quick_ratio), true),
    ];
    for (name, column, nullable) in named {
        fields.push(Field::new(name, column.data_type().clone(), nullable));
        columns.push(column);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_day;

    #[test]
    fn overlapping_and_touching_rows_are_one_spell_a_gap_is_a_return() {
        let d = |s| parse_day(s).unwrap();
        let s = Subscriptions::from_rows(&[
            // A: 01-01 → 02-01, then an upgrade starting on the old end: one spell;
            // then a gap and a new start on 04-10 that still runs.
            ("A", "2024-01-01", Some("2024-02-01"), 10.0),
            ("A", "2024-02-01", Some("2024-03-15"), 20.0),
            ("A", "2024-04-10", None, 20.0),
            // B: cancelled the day it started: never ran.
            ("B", "2024-01-05", Some("2024-01-05"), 10.0),
        ]);
        assert_eq!(s.ignored, 1);
        assert_eq!(s.ids, ["A"]);
        let spells = s.spells();
        assert_eq!(spells.len(), 2);
        assert_eq!((spells[0].start, spells[0].churn, spells[0].first), (d("2024-01-01"), d("2024-03-15"), true));
        assert_eq!((spells[1].start, spells[1].churn, spells[1].first), (d("2024-04-10"), OPEN, false));
    }
}
