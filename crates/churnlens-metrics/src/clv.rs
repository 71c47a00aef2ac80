//! Customer value: historical CLV, the textbook CLV estimate per segment,
//! and the revenue lost with churned customers.
//!
//! * **Historical CLV** of a customer: net revenue to date (orders minus
//!   refunds, up to the end of observation), or the net margin (amount −
//!   cost) when the activity is valued by margin
//!   ([`crate::activity::OrderValue`]). Reported per segment as the
//!   mean and median over customers with a purchase.
//! * **Textbook CLV** = average order value × purchases per customer per
//!   period × expected lifespan in periods, over the *last year* of complete
//!   periods (those starting within the 365 days that end with the last
//!   complete period: 12 months, 4 quarters, 52 weeks …):
//!   - average order value = net revenue ÷ purchase orders in that year;
//!   - purchases per customer per period = orders ÷ customers who bought in
//!     that year ÷ the number of periods;
//!   - expected lifespan = 1 ÷ the mean churn rate of those periods
//!     (a constant churn rate makes lifetimes geometric with that mean).
//! * **Revenue impact of churn**: for each churn event, the customer's net
//!   revenue in the 12 months (365 days) up to and including their last
//!   purchase — the yearly revenue that left — summed per period of the
//!   churn date.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::grouping::Grouping;
use crate::periods::{PeriodRow, leading_columns};
use crate::spells::{Spell, median_of_sorted};

/// Days in the "last year" and in the revenue-impact look-back.
pub const YEAR_DAYS: i32 = 365;

/// CLV figures of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// Customers with a purchase by the end of observation.
    pub customers: u64,
    /// Mean historical CLV.
    pub historical_mean: Option<f64>,
    /// Median historical CLV.
    pub historical_median: Option<f64>,
    /// Periods in the last year.
    pub periods: u64,
    /// Customers who bought in the last year.
    pub buyers: u64,
    /// Purchase orders in the last year.
    pub orders: u64,
    /// Net revenue in the last year.
    pub revenue: f64,
    /// Mean churn rate of the last year's periods, percent.
    pub churn_rate: Option<f64>,
}

impl ClvRow {
    /// Net revenue per order.
    pub fn average_order_value(&self) -> Option<f64> {
        (self.orders > 0).then(|| self.revenue / self.orders as f64)
    }

    /// Orders per buying customer per period.
    pub fn purchase_frequency(&self) -> Option<f64> {
        (self.buyers > 0 && self.periods > 0).then(|| self.orders as f64 / self.buyers as f64 / self.periods as f64)
    }

    /// 1 ÷ churn rate, in periods.
    pub fn expected_lifespan(&self) -> Option<f64> {
        self.churn_rate.filter(|r| *r > 0.0).map(|r| 100.0 / r)
    }

    /// The textbook CLV.
    pub fn textbook_clv(&self) -> Option<f64> {
        Some(self.average_order_value()? * self.purchase_frequency()? * self.expected_lifespan()?)
    }
}

/// CLV per group. `period_rows` are the churn rows of the same grouping
/// (see [`crate::periods::period_rows`]).
pub fn clv_rows(
    activity: &Activity,
    period_rows: &[PeriodRow],
    calendar: &Calendar,
    period: Period,
    first_day: i32,
    as_of: i32,
    grouping: &Grouping,
) -> Vec<ClvRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let year: Vec<&PeriodSpan> = match spans.last() {
        Some(last) => spans.iter().filter(|s| s.start > last.end - YEAR_DAYS).collect(),
        None => Vec::new(),
    };
    let (year_start, year_end) = match (year.first(), year.last()) {
        (Some(a), Some(b)) => (a.start, b.end),
        _ => (i32::MAX, i32::MIN),
    };
    let labels = grouping.labels();
    let mut historical: Vec<Vec<f64>> = vec![Vec::new(); labels.len()];
    let mut rows: Vec<ClvRow> = labels
        .iter()
        .map(|group| ClvRow {
            group: group.clone(),
            customers: 0,
            historical_mean: None,
            historical_median: None,
            periods: year.len() as u64,
            buyers: 0,
            orders: 0,
            revenue: 0.0,
            churn_rate: None,
        })
        .collect();
    for (customer, days) in activity.days.iter().enumerate() {
        let Some(g) = grouping.group_of(customer as u32) else { continue };
        if days.first().is_none_or(|&d| d > as_of) {
            continue;
        }
        let revenue = &activity.revenue[customer];
        historical[g].push(revenue.iter().filter(|(d, _)| *d <= as_of).map(|(_, a)| a).sum());
        let row = &mut rows[g];
        let in_year = |d: i32| d >= year_start && d <= year_end;
        let orders: u32 = days.iter().zip(&activity.orders[customer]).filter(|(d, _)| in_year(**d)).map(|(_, n)| n).sum();
        row.orders += u64::from(orders);
        row.buyers += u64::from(orders > 0);
        row.revenue += revenue.iter().filter(|(d, _)| in_year(*d)).map(|(_, a)| a).sum::<f64>();
    }
    for (g, row) in rows.iter_mut().enumerate() {
        let values = &mut historical[g];
        values.sort_unstable_by(f64::total_cmp);
        row.customers = values.len() as u64;
        row.historical_mean = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        row.historical_median = (!values.is_empty()).then(|| median_of_sorted(values));
        let rates: Vec<f64> = period_rows
            .iter()
            .filter(|r| r.group == row.group && r.span.start >= year_start && r.span.end <= year_end)
            .filter_map(PeriodRow::churn_rate)
            .collect();
        row.churn_rate = (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
    }
    rows
}

/// One derived figure of a [`ClvRow`].
type ClvFigure = fn(&ClvRow) -> Option<f64>;

/// The CLV rows as a record batch (the `group` column only when grouped).
pub fn clv_batch(rows: &[ClvRow], grouped: bool) -> RecordBatch {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    if grouped {
        fields.push(Field::new("group", DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.group.as_str()))));
    }
    for (name, values) in [
        ("customers", rows.iter().map(|r| r.customers).collect::<Vec<_>>()),
        ("buyers_last_year", rows.iter().map(|r| r.buyers).collect()),
        ("orders_last_year", rows.iter().map(|r| r.orders).collect()),
    ] {
        fields.push(Field::new(name, DataType::UInt64, false));
        columns.push(Arc::new(UInt64Array::from(values)));
    }
    let floats: [(&str, ClvFigure); 8] = [
        ("historical_clv_mean", |r| r.historical_mean),
        ("historical_clv_median", |r| r.historical_median),
        ("revenue_last_year", |r| Some(r.revenue)),
        ("average_order_value", ClvRow::average_order_value),
        ("orders_per_customer_per_period", ClvRow::purchase_frequency),
        ("churn_rate_pct", |r| r.churn_rate),
        ("expected_lifespan_periods", ClvRow::expected_lifespan),
        ("textbook_clv", ClvRow::textbook_clv),
    ];
    for (name, f) in floats {
        fields.push(Field::new(name, DataType::Float64, true));
        columns.push(Arc::new(rows.iter().map(f).collect::<Float64Array>()));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

/// Revenue that left with the churn events of one period and group.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueImpactRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// The period of the churn dates.
    pub span: PeriodSpan,
    /// Churn events.
    pub churned: u64,
    /// Their net revenue in the 365 days up to their last purchase.
    pub revenue_lost: f64,
}

/// Revenue impact of churn per complete period (see the module docs).
pub fn revenue_impact_rows(
    activity: &Activity,
    spells: &[Spell],
    calendar: &Calendar,
    period: Period,
    first_day: i32,
    as_of: i32,
    grouping: &Grouping,
) -> Vec<RevenueImpactRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let mut rows: Vec<RevenueImpactRow> = grouping
        .labels()
        .iter()
        .flat_map(|g| spans.iter().map(move |s| (g, s)))
        .map(|(group, span)| RevenueImpactRow { group: group.clone(), span: span.clone(), churned: 0, revenue_lost: 0.0 })
        .collect();
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else { return rows };
    for spell in spells.iter().filter(|s| s.churn >= first.start && s.churn <= last.end) {
        let Some(g) = grouping.group_of(spell.customer) else { continue };
        let p = spans.partition_point(|s| s.start <= spell.churn) - 1;
        let row = &mut rows[g * spans.len() + p];
        row.churned += 1;
        let from = spell.last - (YEAR_DAYS - 1);
        row.revenue_lost += activity.revenue[spell.customer as usize].iter().filter(|(d, _)| *d >= from && *d <= spell.last).map(|(_, a)| a).sum::<f64>();
    }
    rows
}

/// The revenue-impact rows as a record batch.
pub fn revenue_impact_batch(rows: &[RevenueImpactRow], grouped: bool) -> RecordBatch {
    let (mut fields, mut columns) = leading_columns(rows.iter().map(|r| (r.group.as_str(), &r.span)), grouped);
    fields.push(Field::new("churned", DataType::UInt64, false));
    columns.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.churned))));
    fields.push(Field::new("revenue_lost_12m", DataType::Float64, false));
    columns.push(Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.revenue_lost))));
    fields.push(Field::new("revenue_lost_per_churned", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(|r| (r.churned > 0).then(|| r.revenue_lost / r.churned as f64)).collect::<Float64Array>()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
