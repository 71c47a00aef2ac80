//! Per-customer activity: the days each customer bought on and what they
//! spent per day, in the business time zone.
//!
//! A purchase is an order row with a non-negative amount (or no amount).
//! Refund rows (negative amounts) are netted into revenue on the day they
//! happen but are not activity: returning goods is not a sign of loyalty.
//! Several orders on one day are one active day.

use std::collections::HashMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};

use crate::Engine;
use crate::calendar::Calendar;
use crate::error::{MetricsError, Result};

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
#[derive(Default)]
pub struct ActivityBuilder {
    index: HashMap<String, usize>,
    ids: Vec<String>,
    rows: Vec<Vec<(i32, f64, bool)>>,
}

impl ActivityBuilder {
    /// Adds one order row: customer, local day, amount (None = unknown,
    /// counted as a purchase with no revenue).
    pub fn push(&mut self, customer: &str, day: i32, amount: Option<f64>) {
        let at = match self.index.get(customer) {
            Some(&at) => at,
            None => {
                self.index.insert(customer.to_string(), self.ids.len());
                self.ids.push(customer.to_string());
                self.rows.push(Vec::new());
                self.ids.len() - 1
            }
        };
        let amount_value = amount.unwrap_or(0.0);
        self.rows[at].push((day, amount_value, amount.is_none_or(|a| a >= 0.0)));
    }

    /// Sorts, merges same-day rows and returns the activity.
    pub fn finish(self) -> Activity {
        let mut days = Vec::with_capacity(self.ids.len());
        let mut orders = Vec::with_capacity(self.ids.len());
        let mut revenue = Vec::with_capacity(self.ids.len());
        let (mut first, mut last) = (i32::MAX, i32::MIN);
        for mut rows in self.rows {
            rows.sort_unstable_by_key(|r| r.0);
            let mut purchase_days: Vec<i32> = Vec::new();
            let mut orders_per_day: Vec<u32> = Vec::new();
            let mut per_day: Vec<(i32, f64)> = Vec::new();
            for (day, amount, purchase) in rows {
                first = first.min(day);
                last = last.max(day);
                if purchase {
                    if let (Some(&known), Some(count)) = (purchase_days.last(), orders_per_day.last_mut())
                        && known == day
                    {
                        *count += 1;
                    } else {
                        purchase_days.push(day);
                        orders_per_day.push(1);
                    }
                }
                match per_day.last_mut() {
                    Some((d, sum)) if *d == day => *sum += amount,
                    _ => per_day.push((day, amount)),
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

    /// Reads the workspace's `orders` table.
    pub async fn from_orders(engine: &Engine, calendar: &Calendar) -> Result<Activity> {
        if !engine.tables().iter().any(|t| t == "orders") {
            return Err(MetricsError::MissingTable { table: "orders", hint: "churnlens import --as orders FILE" });
        }
        let batches = engine.sql("SELECT customer_id, order_time, amount FROM orders WHERE customer_id IS NOT NULL AND order_time IS NOT NULL").await?;
        let mut builder = ActivityBuilder::default();
        let mut local = calendar.day_of();
        for batch in &batches {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let times = arrow::compute::cast(batch.column(1), &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let times = times.as_primitive::<TimestampMicrosecondType>();
            let amounts = arrow::compute::cast(batch.column(2), &DataType::Float64)?;
            let amounts = amounts.as_primitive::<arrow::datatypes::Float64Type>();
            for row in 0..batch.num_rows() {
                let amount = (!amounts.is_null(row)).then(|| amounts.value(row));
                builder.push(ids.value(row), local.of_micros(times.value(row)), amount);
            }
        }
        Ok(builder.finish())
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
