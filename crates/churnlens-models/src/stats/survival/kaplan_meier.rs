//! The Kaplan–Meier estimate of the survival function, with Greenwood's
//! variance and log(−log) confidence intervals, as lifelines'
//! `KaplanMeierFitter` computes them.
//!
//! With nᵢ customers at risk and dᵢ churning at the distinct time tᵢ:
//!
//! * S(t) = ∏_{tᵢ ≤ t} (1 − dᵢ/nᵢ), a right-continuous step function, 1
//!   before the first time;
//! * Greenwood: Var Ŝ(t) = Ŝ(t)² Σ_{tᵢ ≤ t} dᵢ / (nᵢ (nᵢ − dᵢ)), where a
//!   time at which everyone at risk churns adds nothing (S is 0 from there);
//! * the interval is symmetric on the log(−log S) scale (Kalbfleisch and
//!   Prentice's "exponential Greenwood" interval), with σ² = Σ dᵢ/(nᵢ(nᵢ−dᵢ)):
//!   S^exp(±z σ / ln S), which stays inside [0, 1]; it is [1, 1] while S is 1
//!   and [0, 0] once S is 0;
//! * the p-quantile (median for p = ½) is the first time with S(t) ≤ p,
//!   and does not exist when S never falls that low.

use super::data::{EventTable, split_by_group};
use super::{ConfidenceInterval, SurvivalError};
use crate::stats::distributions::normal_quantile;

/// A fitted Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    table: EventTable,
    survival: Vec<f64>,
    greenwood: Vec<f64>,
}

/// Products that differ from p by rounding only count as reaching p: an
/// exact hand-checkable S(t) = ½ is the median time, whatever the last bit.
const QUANTILE_SLACK: f64 = 1e-12;

impl KaplanMeier {
    /// Fits the curve to customers' durations and churn flags (`true` =
    /// churned, `false` = censored).
    pub fn fit(durations: &[f64], events: &[bool]) -> Result<Self, SurvivalError> {
        let table = EventTable::new(durations, events)?;
        let mut survival = Vec::with_capacity(table.times.len());
        let mut greenwood = Vec::with_capacity(table.times.len());
        let (mut s, mut sum) = (1.0, 0.0);
        for (&n, &d) in table.at_risk.iter().zip(&table.observed) {
            let (n, d) = (n as f64, d as f64);
            s *= 1.0 - d / n;
            if d < n {
                sum += d / (n * (n - d));
            }
            survival.push(s);
            greenwood.push(sum);
        }
        Ok(KaplanMeier { table, survival, greenwood })
    }

    /// Fits one curve per group label; the labels come out in ascending order.
    pub fn fit_by_group<G: Ord + Clone>(durations: &[f64], events: &[bool], groups: &[G]) -> Result<Vec<(G, KaplanMeier)>, SurvivalError> {
        split_by_group(durations, events, groups)?.into_iter().map(|g| Ok((g.label, KaplanMeier::fit(&g.durations, &g.events)?))).collect()
    }

    /// The event table the curve was computed from.
    pub fn table(&self) -> &EventTable {
        &self.table
    }

    /// The distinct durations, ascending.
    pub fn times(&self) -> &[f64] {
        &self.table.times
    }

    /// S at each of [`times`](Self::times).
    pub fn survival(&self) -> &[f64] {
        &self.survival
    }

    /// S(t): the step function's value at `t` (1 before the first time).
    pub fn survival_at(&self, t: f64) -> f64 {
        self.table.index_at(t).map_or(1.0, |i| self.survival[i])
    }

    /// S at each of `times`, like lifelines' `survival_function_at_times`.
    pub fn survival_at_times(&self, times: &[f64]) -> Vec<f64> {
        times.iter().map(|&t| self.survival_at(t)).collect()
    }

    /// Greenwood's variance of S(t).
    pub fn variance_at(&self, t: f64) -> f64 {
        self.table.index_at(t).map_or(0.0, |i| self.survival[i].powi(2) * self.greenwood[i])
    }

    /// The log(−log) confidence interval of S(t) at `level` (0.95 for 95%).
    ///
    /// # Panics
    /// If `level` is not strictly between 0 and 1.
    pub fn confidence_interval_at(&self, t: f64, level: f64) -> ConfidenceInterval {
        let z = two_sided_z(level);
        let Some(i) = self.table.index_at(t) else { return ConfidenceInterval { lower: 1.0, upper: 1.0 } };
        let s = self.survival[i];
        if s >= 1.0 || s <= 0.0 {
            return ConfidenceInterval { lower: s, upper: s };
        }
        let spread = (z * self.greenwood[i].sqrt() / s.ln()).exp();
        ConfidenceInterval { lower: s.powf(1.0 / spread), upper: s.powf(spread) }
    }

    /// The first time at which S(t) ≤ p, or `None` when S stays above p.
    ///
    /// # Panics
    /// If `p` is not between 0 and 1.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        assert!((0.0..=1.0).contains(&p), "a survival percentile must be between 0 and 1");
        self.survival.iter().position(|&s| s <= p + QUANTILE_SLACK).map(|i| self.table.times[i])
    }

    /// The median survival time: the first time with S(t) ≤ ½, or `None`
    /// when fewer than half the customers churn during the observation.
    pub fn median(&self) -> Option<f64> {
        self.percentile(0.5)
    }
}

/// z with P(|Z| ≤ z) = level.
pub(crate) fn two_sided_z(level: f64) -> f64 {
    assert!(level > 0.0 && level < 1.0, "a confidence level must be strictly between 0 and 1");
    normal_quantile(0.5 + level / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// Six customers: churned at 1; churned, churned and censored at 2;
    /// churned at 4; censored at 5.
    fn six() -> KaplanMeier {
        KaplanMeier::fit(&[2.0, 1.0, 2.0, 4.0, 2.0, 5.0], &[true, true, false, true, true, false]).unwrap()
    }

    #[test]
    fn hand_worked_curve_with_ties_and_censoring() {
        // t = 1: 6 at risk, 1 churns: S = 5/6,           Greenwood sum 1/(6·5) = 1/30
        // t = 2: 5 at risk, 2 churn:  S = 5/6 · 3/5 = 1/2, sum 1/30 + 2/(5·3) = 1/6
        // t = 4: 2 at risk, 1 churns: S = 1/2 · 1/2 = 1/4, sum 1/6 + 1/(2·1) = 2/3
        // t = 5: 1 at risk, censored: S stays 1/4.
        let km = six();
        assert_eq!(km.times(), &[1.0, 2.0, 4.0, 5.0]);
        for (t, s) in [(0.5, 1.0), (1.0, 5.0 / 6.0), (1.5, 5.0 / 6.0), (2.0, 0.5), (3.9, 0.5), (4.0, 0.25), (100.0, 0.25)] {
            assert_abs_diff_eq!(km.survival_at(t), s, epsilon = 1e-15);
        }
        assert_abs_diff_eq!(km.variance_at(2.0), 0.25 / 6.0, epsilon = 1e-15);
        assert_abs_diff_eq!(km.variance_at(4.0), 0.0625 * 2.0 / 3.0, epsilon = 1e-15);
        // S first reaches 1/2 at t = 2 (lifelines 0.30.3 says 4 here: its
        // exp(Σ log) gives S(2) = 0.5000000000000001).
        assert_eq!(km.median(), Some(2.0));
        assert_eq!(km.percentile(0.2), None);
    }

    #[test]
    fn hand_worked_interval() {
        // At t = 2: σ = √(1/6) = 0.4082483, ln S = −ln 2 = −0.6931472;
        // z σ / |ln S| = 1.959964 · 0.4082483 / 0.6931472 = 1.154375;
        // lower = (1/2)^exp(1.154375) = (1/2)^3.172166 = 0.110948,
        // upper = (1/2)^exp(−1.154375) = (1/2)^0.315242 = 0.803709,
        // the values lifelines 0.30.3 prints for these six customers.
        let ci = six().confidence_interval_at(2.0, 0.95);
        assert_abs_diff_eq!(ci.lower, 0.110948, epsilon = 1e-6);
        assert_abs_diff_eq!(ci.upper, 0.803709, epsilon = 1e-6);
        let before = six().confidence_interval_at(0.0, 0.95);
        assert_eq!((before.lower, before.upper), (1.0, 1.0));
    }

    #[test]
    fn everyone_churning_ends_at_zero_without_nan() {
        // Two at risk at t = 3, both churn: S = 1/2 · 0 = 0; the interval is [0, 0].
        let km = KaplanMeier::fit(&[1.0, 3.0, 3.0], &[true, true, true]).unwrap();
        assert_eq!(km.survival_at(3.0), 0.0);
        assert_eq!(km.median(), Some(3.0));
        let ci = km.confidence_interval_at(3.0, 0.95);
        assert_eq!((ci.lower, ci.upper), (0.0, 0.0));
        assert!(km.variance_at(3.0).is_finite());
    }

    #[test]
    fn everyone_churning_at_one_time() {
        let km = KaplanMeier::fit(&[4.0; 5], &[true; 5]).unwrap();
        assert_eq!(km.times(), &[4.0]);
        assert_eq!((km.survival_at(3.9), km.survival_at(4.0)), (1.0, 0.0));
        assert_eq!(km.median(), Some(4.0));
    }

    #[test]
    fn all_censored_stays_at_one() {
        let km = KaplanMeier::fit(&[1.0, 2.0, 2.0], &[false, false, false]).unwrap();
        assert_eq!(km.survival(), &[1.0, 1.0]);
        assert_eq!(km.median(), None);
        let ci = km.confidence_interval_at(2.0, 0.95);
        assert_eq!((ci.lower, ci.upper), (1.0, 1.0));
    }

    #[test]
    fn groups_come_out_sorted_and_a_single_customer_is_a_curve() {
        let curves = KaplanMeier::fit_by_group(&[1.0, 2.0, 3.0], &[true, false, true], &["b", "a", "b"]).unwrap();
        assert_eq!(curves.len(), 2);
        assert_eq!(curves[0].0, "a");
        assert_eq!(curves[0].1.survival(), &[1.0]);
        // Group b: 2 at risk at 1 (one churns), 1 at risk at 3 (churns).
        assert_eq!(curves[1].1.survival(), &[0.5, 0.0]);
    }
}
