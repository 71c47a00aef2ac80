//! What the fitted models are used for and checked with: customer lifetime
//! value, a cohort's expected cumulative repeat purchases over calendar time
//! (model against actual), and holdout comparisons of predicted and actual
//! purchases.

use super::{CustomerSummary, PurchaseModel, Rfm};
use crate::error::ModelError;

/// lifetimes' weeks per month (its `freq="W"` factor), for models fitted in weeks.
pub const WEEKS_PER_MONTH: f64 = 4.345;

/// Customer lifetime value as lifetimes 0.11.3's `customer_lifetime_value`
/// defines it: for months k = 1 … `months`, the purchases expected in month k
/// (the conditional expectation up to k·u minus up to (k−1)·u, u =
/// `units_per_month` time units a month) times `average_value`, discounted
/// by (1 + `discount_rate`)^k, summed. `average_value` is usually the
/// Gamma-Gamma conditional expected average value.
pub fn customer_lifetime_value(model: &impl PurchaseModel, customer: &Rfm, average_value: f64, months: u32, discount_rate: f64, units_per_month: f64) -> f64 {
    let cumulative: Vec<f64> = clv_horizons(months, units_per_month).iter().map(|&t| model.conditional_expected_purchases(t, customer)).collect();
    discounted_value(&cumulative, average_value, discount_rate)
}

/// [`customer_lifetime_value`] of every customer (with the matching entry of
/// `average_values`), evaluated through
/// [`PurchaseModel::conditional_expected_purchases_many`] so each month's
/// expectation is computed once per customer.
pub fn customer_lifetime_values<M: PurchaseModel + Sync>(
    model: &M,
    customers: &[Rfm],
    average_values: &[f64],
    months: u32,
    discount_rate: f64,
    units_per_month: f64,
) -> Vec<f64> {
    let horizons = clv_horizons(months, units_per_month);
    if horizons.is_empty() {
        return vec![0.0; customers.len()];
    }
    let cumulative = model.conditional_expected_purchases_many(&horizons, customers);
    cumulative.chunks(horizons.len()).zip(average_values).map(|(c, &value)| discounted_value(c, value, discount_rate)).collect()
}

/// The ends of the CLV's months in time units: u, 2u, … `months`·u.
pub fn clv_horizons(months: u32, units_per_month: f64) -> Vec<f64> {
    (1..=months).map(|k| f64::from(k) * units_per_month).collect()
}

/// The discounted value of the purchases expected by the end of each month
/// (`cumulative[k − 1]` up to month k, as at [`clv_horizons`]): Σₖ
/// `average_value` · (cumulativeₖ − cumulativeₖ₋₁) / (1 + `discount_rate`)^k.
pub fn discounted_value(cumulative: &[f64], average_value: f64, discount_rate: f64) -> f64 {
    let mut previous = 0.0;
    let mut discount = 1.0;
    let mut total = 0.0;
    for &c in cumulative {
        discount *= 1.0 + discount_rate;
        total += average_value * (c - previous) / discount;
        previous = c;
    }
    total
}

/// The expected cumulative repeat purchases of a population at each of
/// `times`: Σ over customers born at or before t of E[X(t − birth)], the
/// model's unconditional expectation since their first purchase (lifetimes'
/// `expected_cumulative_transactions` with `expected_number_of_purchases_up_to_time`).
/// Births and times are in the model's time unit from a common origin; the
/// matching actual counts come from [`super::summary::cumulative_repeat_purchases`].
pub fn expected_cumulative_purchases(model: &impl PurchaseModel, birth_times: &[f64], times: &[f64]) -> Vec<f64> {
    let mut births = birth_times.to_vec();
    births.sort_by(f64::total_cmp);
    // Customers born at the same time share one expectation.
    let mut cohorts: Vec<(f64, f64)> = Vec::new();
    for b in births {
        match cohorts.last_mut() {
            Some((time, count)) if *time == b => *count += 1.0,
            _ => cohorts.push((b, 1.0)),
        }
    }
    times.iter().map(|&t| cohorts.iter().take_while(|(b, _)| *b <= t).map(|&(b, n)| n * model.expected_purchases(t - b)).sum()).collect()
}

/// Holdout purchases of the customers with one calibration frequency (the
/// last group holds every frequency at or above the censor).
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyGroup {
    /// The calibration frequency (the censor value for the last, "or more" group).
    pub calibration_frequency: f64,
    /// Customers in the group.
    pub customers: usize,
    /// Mean actual holdout purchases.
    pub actual_mean: f64,
    /// Mean predicted holdout purchases.
    pub predicted_mean: f64,
}

/// Predicted against actual holdout purchases.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldoutComparison {
    /// By calibration frequency, ascending.
    pub groups: Vec<FrequencyGroup>,
    /// Total actual holdout purchases.
    pub actual_total: f64,
    /// Total predicted holdout purchases.
    pub predicted_total: f64,
    /// Mean absolute error per customer.
    pub mae: f64,
    /// Root mean squared error per customer.
    pub rmse: f64,
}

/// Compares each customer's holdout purchases with the model's conditional
/// expectation over their holdout duration, grouped by calibration frequency
/// with frequencies ≥ `censor` pooled (lifetimes'
/// `plot_calibration_purchases_vs_holdout_purchases` uses 7). Customers
/// without holdout figures are skipped; none at all is an error.
pub fn holdout_comparison(model: &impl PurchaseModel, customers: &[CustomerSummary], censor: f64) -> Result<HoldoutComparison, ModelError> {
    let mut pairs: Vec<(f64, f64, f64)> = customers
        .iter()
        .filter_map(|c| {
            let (actual, duration) = (c.holdout_frequency?, c.holdout_duration?);
            Some((c.rfm.frequency.min(censor), actual, model.conditional_expected_purchases(duration, &c.rfm)))
        })
        .collect();
    if pairs.is_empty() {
        return Err(ModelError::InvalidData("no customer has holdout figures; summarise the transactions with a holdout end".into()));
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups: Vec<FrequencyGroup> = Vec::new();
    for &(f, actual, predicted) in &pairs {
        match groups.last_mut() {
            Some(g) if g.calibration_frequency == f => {
                g.customers += 1;
                g.actual_mean += actual;
                g.predicted_mean += predicted;
            }
            _ => groups.push(FrequencyGroup { calibration_frequency: f, customers: 1, actual_mean: actual, predicted_mean: predicted }),
        }
    }
    for g in &mut groups {
        g.actual_mean /= g.customers as f64;
        g.predicted_mean /= g.customers as f64;
    }
    let n = pairs.len() as f64;
    Ok(HoldoutComparison {
        groups,
        actual_total: pairs.iter().map(|p| p.1).sum(),
        predicted_total: pairs.iter().map(|p| p.2).sum(),
        mae: pairs.iter().map(|p| (p.1 - p.2).abs()).sum::<f64>() / n,
        rmse: (pairs.iter().map(|p| (p.1 - p.2).powi(2)).sum::<f64>() / n).sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// A model with E[X(t) | history] = 0.5 t and E[X(t)] = t, so every figure is hand arithmetic.
    struct Linear;

    impl PurchaseModel for Linear {
        fn p_alive(&self, _: &Rfm) -> f64 {
            1.0
        }
        fn conditional_expected_purchases(&self, t: f64, _: &Rfm) -> f64 {
            0.5 * t
        }
        fn expected_purchases(&self, t: f64) -> f64 {
            t
        }
    }

    #[test]
    fn clv_discounts_each_month() {
        // 2 units a month: 1 purchase a month worth 10, discounted by 1.1^k:
        // 10/1.1 + 10/1.21 = 17.355371900826448.
        assert_relative_eq!(customer_lifetime_value(&Linear, &Rfm::new(1.0, 1.0, 2.0), 10.0, 2, 0.1, 2.0), 10.0 / 1.1 + 10.0 / 1.21, max_relative = 1e-14);
        let customers = [Rfm::new(1.0, 1.0, 2.0), Rfm::new(0.0, 0.0, 3.0)];
        let many = customer_lifetime_values(&Linear, &customers, &[10.0, 20.0], 2, 0.1, 2.0);
        assert_eq!(many.len(), 2);
        assert_relative_eq!(many[0], 10.0 / 1.1 + 10.0 / 1.21, max_relative = 1e-14);
        assert_relative_eq!(many[1], 20.0 / 1.1 + 20.0 / 1.21, max_relative = 1e-14);
    }

    #[test]
    fn cumulative_expectation_adds_customers_from_their_birth() {
        // Births 0, 0, 2: at t = 1 → 1 + 1; at t = 3 → 3 + 3 + 1.
        assert_eq!(expected_cumulative_purchases(&Linear, &[0.0, 2.0, 0.0], &[1.0, 3.0]), vec![2.0, 7.0]);
    }

    #[test]
    fn holdout_groups_and_errors() {
        let customer = |f: f64, actual: f64| CustomerSummary {
            customer: 0,
            rfm: Rfm::new(f, 1.0, 2.0),
            monetary_value: 0.0,
            first_day: 0,
            holdout_frequency: Some(actual),
            holdout_duration: Some(4.0),
        };
        // Predicted 2 each; actual 1, 3 (frequency 0) and 6 (frequency 9 → censored to 7).
        let c = holdout_comparison(&Linear, &[customer(0.0, 1.0), customer(9.0, 6.0), customer(0.0, 3.0)], 7.0).expect("holdout figures");
        assert_eq!(c.groups.len(), 2);
        assert_eq!(c.groups[0], FrequencyGroup { calibration_frequency: 0.0, customers: 2, actual_mean: 2.0, predicted_mean: 2.0 });
        assert_eq!(c.groups[1].calibration_frequency, 7.0);
        assert_eq!((c.actual_total, c.predicted_total), (10.0, 6.0));
        assert_relative_eq!(c.mae, 2.0, max_relative = 1e-15);
        assert_relative_eq!(c.rmse, (18.0f64 / 3.0).sqrt(), max_relative = 1e-15);
    }
}
