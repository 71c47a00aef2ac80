//! Per-customer activity: the days each customer bought on and what they
//! spent per day, in the business time zone.
//!
//! A purchase is an order row with a non-negative amount (or no amount).
//! Refund rows (negative amounts) are netted into revenue on the day they
//! happen but are not activity: returning goods is not a sign of loyalty.
//! Several orders on one day are one active day. Revenue figures can use
//! the margin (amount − cost) instead of the amount ([`OrderValue`]).

use std::collections::HashMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};

use crate::Engine;
use crate::calendar::Calendar;
use crate::error::{MetricsError, Result};

/// What an order is worth in revenue figures (CLV, revenue lost, cohort revenue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderValue {
    /// The amount paid (refunds negative).
    #[default]
    Revenue,
    /// Amount − cost (the margin); a row without a cost adds nothing.
    Margin,
}

/// Activity of every customer, indexed by position in [`Activity::ids`].
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Customer ids.
    pub ids: Vec<String>,
    /// Distinct purchase days per customer, ascending.
    pub days: Vec<Vec<i32>>,
    /// Purchase orders (rows with a non-negative or unknown amount) on each
    /// of `days`.
    pub orders: Vec<Vec<u32>>,
    /// Net revenue per day per customer (refunds included), ascending by day.
    pub revenue: Vec<Vec<(i32, f64)>>,
    /// The last day with any order row: the end of observation unless the
    /// caller sets another.
    pub last_day: Option<i32>,
    /// The first day with any order row.
    pub first_day: Option<i32>,
}

/// Collects order rows into [`Activity`].
///
/// Rows go into one flat vector and are grouped by customer with a counting
/// sort in [`finish`](ActivityBuilder::finish): growing one vector per
/// customer made allocation and page faults the largest cost of loading
/// 10M orders.
#[derive(Default)]
pub struct ActivityBuilder {
    index: HashMap<String, u32, ahash::RandomState>,
    ids: Vec<String>,
    rows: Vec<OrderRow>,
    /// The customer of the previous row: exports usually list a customer's
    /// orders together, and comparing with it skips most hash lookups.
    previous: Option<u32>,
}

/// One order row: customer position, local day, amount, whether a purchase.
#[derive(Debug, Clone, Copy)]
struct OrderRow {
    customer: u32,
    day: i32,
    amount: f64,
    purchase: bool,
}

impl ActivityBuilder {
    /// A builder with room for `rows` order rows.
    pub fn with_capacity(rows: usize) -> ActivityBuilder {
        ActivityBuilder { rows: Vec::with_capacity(rows), ..ActivityBuilder::default() }
    }

    /// Adds one order row: customer, local day, amount (None = unknown,
    /// counted as a purchase with no revenue).
    pub fn push(&mut self, customer: &str, day: i32, amount: Option<f64>) {
        self.push_valued(customer, day, amount, amount.unwrap_or(0.0));
    }

    /// Adds one order row whose value (what [`Activity::revenue`] sums) is
    /// not its amount — its margin; the amount still decides whether the
    /// row is a purchase or a refund.
    pub fn push_valued(&mut self, customer: &str, day: i32, amount: Option<f64>, value: f64) {
        let at = match self.previous.filter(|&p| self.ids[p as usize] == customer) {
            Some(at) => at,
            None => match self.index.get(customer) {
                Some(&at) => at,
                None => {
                    let at = self.ids.len() as u32;
                    self.index.insert(customer.to_string(), at);
                    self.ids.push(customer.to_string());
                    at
                }
            },
        };
        self.previous = Some(at);
        self.rows.push(OrderRow { customer: at, day, amount: value, purchase: amount.is_none_or(|a| a >= 0.0) });
    }

    /// Groups rows by customer, sorts each customer's by day, merges
    /// same-day rows and returns the activity.
    pub fn finish(self) -> Activity {
        let customers = self.ids.len();
        // Counting sort by customer.
        let mut starts = vec![0usize; customers + 1];
        for row in &self.rows {
            starts[row.customer as usize + 1] += 1;
        }
        for c in 0..customers {
            starts[c + 1] += starts[c];
        }
        let mut next = starts.clone();
        let mut grouped = vec![OrderRow { customer: 0, day: 0, amount: 0.0, purchase: false }; self.rows.len()];
        for row in &self.rows {
            let slot = &mut next[row.customer as usize];
            grouped[*slot] = *row;
            *slot += 1;
        }
        drop(self.rows);
        let mut days = Vec::with_capacity(customers);
        let mut orders = Vec::with_capacity(customers);
        let mut revenue = Vec::with_capacity(customers);
        let (mut first, mut last) = (i32::MAX, i32::MIN);
        for c in 0..customers {
            let rows = &mut grouped[starts[c]..starts[c + 1]];
            rows.sort_unstable_by_key(|r| r.day);
            // At most one entry per row: sized once, never regrown.
            let mut purchase_days: Vec<i32> = Vec::with_capacity(rows.len());
            let mut orders_per_day: Vec<u32> = Vec::with_capacity(rows.len());
            let mut per_day: Vec<(i32, f64)> = Vec::with_capacity(rows.len());
            for row in rows.iter() {
                first = first.min(row.day);
                last = last.max(row.day);
                if row.purchase {
                    if let (Some(&known), Some(count)) = (purchase_days.last(), orders_per_day.last_mut())
                        && known == row.day
                    {
                        *count += 1;
                    } else {
                        purchase_days.push(row.day);
                        orders_per_day.push(1);
                    }
                }
                match per_day.last_mut() {
                    Some((d, sum)) if *d == row.day => *sum += row.amount,
                    _ => per_day.push((row.day, row.amount)),
                }
            }
            days.push(purchase_days);
            orders.push(orders_per_day);
            revenue.push(per_day);
        }
        let seen = first <= last;
        Activity { ids: self.ids, days, orders, revenue, last_day: seen.then_some(last), first_day: seen.then_some(first) }
    }
}

impl Activity {
    /// Builds activity from `(customer, YYYY-MM-DD, amount)` triples — for
    /// tests and small hand-made data.
    pub fn from_rows(rows: &[(&str, &str, f64)]) -> Activity {
        let mut builder = ActivityBuilder::default();
        for (customer, day, amount) in rows {
            let day = crate::calendar::parse_day(day).unwrap_or_else(|| panic!("bad day {day}"));
            builder.push(customer, day, Some(*amount));
        }
        builder.finish()
    }

    /// Reads the workspace's `orders` table, valued by revenue.
    pub async fn from_orders(engine: &Engine, calendar: &Calendar) -> Result<Activity> {
        Activity::from_orders_valued(engine, calendar, OrderValue::Revenue).await
    }

    /// Reads the workspace's `orders` table, valued by revenue or margin.
    pub async fn from_orders_valued(engine: &Engine, calendar: &Calendar, value: OrderValue) -> Result<Activity> {
        if !engine.tables().iter().any(|t| t == "orders") {
            return Err(MetricsError::MissingTable { table: "orders", hint: "churnlens import --as orders FILE" });
        }
        let value_column = match value {
            OrderValue::Revenue => "amount",
            OrderValue::Margin if engine.columns("orders").await?.iter().any(|c| c == "cost") => "amount - cost",
            OrderValue::Margin => {
                return Err(MetricsError::Options(
                    "margin needs a cost column in orders (成本, cost, cogs): import the orders with their cost, or value by revenue".into(),
                ));
            }
        };
        let batches = engine
            .sql(&format!(
                "SELECT customer_id, order_time, amount, {value_column} AS order_value FROM orders WHERE customer_id IS NOT NULL AND order_time IS NOT NULL"
            ))
            .await?;
        let mut builder = ActivityBuilder::with_capacity(batches.iter().map(|b| b.num_rows()).sum());
        let mut local = calendar.day_of();
        for batch in &batches {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let times = arrow::compute::cast(batch.column(1), &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let times = times.as_primitive::<TimestampMicrosecondType>();
            let amounts = arrow::compute::cast(batch.column(2), &DataType::Float64)?;
            let amounts = amounts.as_primitive::<arrow::datatypes::Float64Type>();
            let values = arrow::compute::cast(batch.column(3), &DataType::Float64)?;
            let values = values.as_primitive::<arrow::datatypes::Float64Type>();
            for row in 0..batch.num_rows() {
                let amount = (!amounts.is_null(row)).then(|| amounts.value(row));
                // A row without an amount or a cost adds no value.
                let value = if values.is_null(row) { 0.0 } else { values.value(row) };
                builder.push_valued(ids.value(row), local.of_micros(times.value(row)), amount, value);
            }
        }
        Ok(builder.finish())
    }

    /// The activity of the customers at `members` (positions), keeping the
    /// whole data's first and last day so every part reports the same
    /// periods.
    pub fn subset(&self, members: &[usize]) -> Activity {
        Activity {
            ids: members.iter().map(|&c| self.ids[c].clone()).collect(),
            days: members.iter().map(|&c| self.days[c].clone()).collect(),
            orders: members.iter().map(|&c| self.orders[c].clone()).collect(),
            revenue: members.iter().map(|&c| self.revenue[c].clone()).collect(),
            last_day: self.last_day,
            first_day: self.first_day,
        }
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no customers.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_day_orders_merge_and_refunds_are_revenue_not_activity() {
        let a = Activity::from_rows(&[("A", "2024-01-05", 10.0), ("A", "2024-01-05", 5.0), ("A", "2024-01-09", -10.0), ("B", "2024-01-02", 7.0)]);
        assert_eq!(a.ids, ["A", "B"]);
        assert_eq!(a.days[0], [crate::calendar::parse_day("2024-01-05").unwrap()]);
        // Two orders that day; the refund is not an order.
        assert_eq!(a.orders[0], [2]);
        let d = |s| crate::calendar::parse_day(s).unwrap();
        assert_eq!(a.revenue[0], [(d("2024-01-05"), 15.0), (d("2024-01-09"), -10.0)]);
        assert_eq!((a.first_day, a.last_day), (Some(d("2024-01-02")), Some(d("2024-01-09"))));
    }
}
