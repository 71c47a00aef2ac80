//! Per-customer frequency, recency, age and mean spend from raw transactions,
//! by the rules of lifetimes' `summary_data_from_transaction_data` and
//! `calibration_and_holdout_data` with daily periods:
//!
//! * purchases on the same day are one purchase (amounts summed);
//! * frequency = purchase days after the first one in the calibration period;
//! * recency = days from the first to the last calibration purchase, and
//!   age T = days from the first purchase to the calibration end day (the
//!   end day counts as "today": a purchase on it has recency = T), both
//!   divided by the days per time unit, so they are fractional;
//! * monetary value = mean over the repeat purchase days of the day's total
//!   (the first purchase is left out; 0 without repeat purchases);
//! * holdout frequency = purchase days after the calibration end up to and
//!   including the holdout end day; holdout duration = their distance in units.
//!
//! Customers whose first purchase falls after the calibration end are left out.

use crate::error::ModelError;

use super::Rfm;

/// Where the calibration period ends and how long a time unit is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryOptions {
    /// Days per time unit (7 for weeks, 1 for days).
    pub days_per_unit: f64,
    /// Last day of the calibration period (days since the epoch).
    pub calibration_end: i64,
    /// Last day of the holdout period, if there is one (after `calibration_end`).
    pub holdout_end: Option<i64>,
}

/// One customer's summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerSummary {
    /// The customer index given with the transactions.
    pub customer: usize,
    /// Frequency, recency and age in time units.
    pub rfm: Rfm,
    /// Mean value of the repeat purchase days (0 without repeat purchases).
    pub monetary_value: f64,
    /// Day of the first purchase (the customer's birth).
    pub first_day: i64,
    /// Purchase days in the holdout period (with a holdout end).
    pub holdout_frequency: Option<f64>,
    /// Length of the holdout period in time units (with a holdout end).
    pub holdout_duration: Option<f64>,
}

/// Summarises transactions given as parallel slices (customer index, day
/// number, amount), in any order; see the module documentation for the rules.
pub fn summarize_transactions(customer: &[usize], day: &[i64], amount: &[f64], options: &SummaryOptions) -> Result<Vec<CustomerSummary>, ModelError> {
    if customer.len() != day.len() || customer.len() != amount.len() {
        return Err(ModelError::InvalidData(format!(
            "{} customers, {} days and {} amounts: the slices must have the same length",
            customer.len(),
            day.len(),
            amount.len()
        )));
    }
    if !(options.days_per_unit.is_finite() && options.days_per_unit > 0.0) {
        return Err(ModelError::InvalidSetting { name: "days_per_unit", reason: format!("{} is not a finite number > 0", options.days_per_unit) });
    }
    if let Some(end) = options.holdout_end
        && end <= options.calibration_end
    {
        return Err(ModelError::InvalidSetting { name: "holdout_end", reason: "the holdout period must end after the calibration period".into() });
    }
    if let Some(i) = amount.iter().position(|a| !a.is_finite()) {
        return Err(ModelError::InvalidData(format!("transaction {i} has amount {}", amount[i])));
    }
    let mut order: Vec<usize> = (0..customer.len()).collect();
    order.sort_unstable_by_key(|&i| (customer[i], day[i]));
    let unit = options.days_per_unit;
    let mut summaries = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let id = customer[order[start]];
        let end = start + order[start..].iter().position(|&i| customer[i] != id).unwrap_or(order.len() - start);
        // (day, summed amount) per purchase day, ascending.
        let mut days: Vec<(i64, f64)> = Vec::new();
        for &i in &order[start..end] {
            match days.last_mut() {
                Some((d, total)) if *d == day[i] => *total += amount[i],
                _ => days.push((day[i], amount[i])),
            }
        }
        start = end;
        let calibration = days.partition_point(|&(d, _)| d <= options.calibration_end);
        if calibration == 0 {
            continue;
        }
        let first = days[0].0;
        let last = days[calibration - 1].0;
        let repeat = &days[1..calibration];
        let monetary_value = if repeat.is_empty() { 0.0 } else { repeat.iter().map(|&(_, a)| a).sum::<f64>() / repeat.len() as f64 };
        let (holdout_frequency, holdout_duration) = match options.holdout_end {
            Some(h) => {
                let count = days[calibration..].iter().filter(|&&(d, _)| d <= h).count();
                (Some(count as f64), Some((h - options.calibration_end) as f64 / unit))
            }
            None => (None, None),
        };
        summaries.push(CustomerSummary {
            customer: id,
            rfm: Rfm::new(repeat.len() as f64, (last - first) as f64 / unit, (options.calibration_end - first) as f64 / unit),
            monetary_value,
            first_day: first,
            holdout_frequency,
            holdout_duration,
        });
    }
    Ok(summaries)
}

/// The actual cumulative repeat purchases of all customers at each of
/// `times` (time units since the start of `origin_day`): purchase days after
/// each customer's first, counted when the day starts before t (a purchase
/// on day `origin_day + 7` is not yet counted at t = 1 week), as lifetimes'
/// `expected_cumulative_transactions` counts them.
pub fn cumulative_repeat_purchases(customer: &[usize], day: &[i64], origin_day: i64, days_per_unit: f64, times: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..customer.len().min(day.len())).collect();
    order.sort_unstable_by_key(|&i| (customer[i], day[i]));
    order.dedup_by_key(|i| (customer[*i], day[*i]));
    let mut repeat_times: Vec<f64> =
        order.windows(2).filter(|w| customer[w[0]] == customer[w[1]]).map(|w| (day[w[1]] - origin_day) as f64 / days_per_unit).collect();
    repeat_times.sort_by(f64::total_cmp);
    times.iter().map(|&t| repeat_times.partition_point(|&r| r < t) as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_day_purchases_merge_and_the_first_is_not_averaged() {
        // Customer 3: days 0 (10), 0 (5), 7 (20), 14 (4) + 14 (6), 30 (holdout), 40 (after holdout).
        // Calibration ends on day 14: frequency 2, recency 14/7 = 2, T = 2,
        // mean spend (20 + 10)/2 = 15; one holdout purchase day in (14, 35].
        // Customer 1 first buys on day 20, after the calibration end: left out.
        let customer = [3, 3, 1, 3, 3, 3, 3, 3];
        let day = [14, 0, 20, 0, 7, 14, 30, 40];
        let amount = [4.0, 10.0, 1.0, 5.0, 20.0, 6.0, 9.0, 9.0];
        let options = SummaryOptions { days_per_unit: 7.0, calibration_end: 14, holdout_end: Some(35) };
        let s = summarize_transactions(&customer, &day, &amount, &options).expect("valid");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].customer, 3);
        assert_eq!(s[0].rfm, Rfm::new(2.0, 2.0, 2.0));
        assert_eq!(s[0].monetary_value, 15.0);
        assert_eq!(s[0].first_day, 0);
        assert_eq!(s[0].holdout_frequency, Some(1.0));
        assert_eq!(s[0].holdout_duration, Some(3.0));
    }

    #[test]
    fn counts_cumulative_repeat_purchases() {
        // Customer 0 repeats on days 7 and 14 (twice on 14: one purchase day);
        // customer 1 on day 10. Weeks since day 0: 1, 2 and 10/7, each
        // counted only after its day has started.
        let customer = [0, 0, 0, 0, 1, 1];
        let day = [0, 7, 14, 14, 3, 10];
        assert_eq!(cumulative_repeat_purchases(&customer, &day, 0, 7.0, &[0.5, 1.0, 1.01, 1.5, 2.0, 2.01]), vec![0.0, 0.0, 1.0, 2.0, 2.0, 3.0]);
    }

    #[test]
    fn refuses_mismatched_slices_and_a_holdout_before_the_calibration_end() {
        let options = SummaryOptions { days_per_unit: 7.0, calibration_end: 14, holdout_end: None };
        assert!(summarize_transactions(&[1], &[1, 2], &[1.0], &options).is_err());
        let bad = SummaryOptions { holdout_end: Some(10), ..options };
        assert!(summarize_transactions(&[1], &[1], &[1.0], &bad).is_err());
    }
}
