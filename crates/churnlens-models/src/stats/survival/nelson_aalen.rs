//! The Nelson–Aalen estimate of the cumulative hazard, as lifelines'
//! `NelsonAalenFitter` computes it.
//!
//! With nᵢ at risk and dᵢ churning at the distinct time tᵢ, H(t) = Σ_{tᵢ ≤ t} hᵢ.
//! lifelines' default (`nelson_aalen_smoothing=True`, [`NelsonAalenTies::Smoothed`])
//! treats the dᵢ tied churns as happening one after another:
//! hᵢ = Σ_{j<dᵢ} 1/(nᵢ − j), with variance Σ_{j<dᵢ} 1/(nᵢ − j)²;
//! the textbook form ([`NelsonAalenTies::Discrete`]) is hᵢ = dᵢ/nᵢ with variance
//! (1 − dᵢ/nᵢ)(dᵢ/nᵢ)/nᵢ. The confidence interval is symmetric on the log
//! scale, H · exp(±z σ / H), and [0, 0] while H is 0.

use super::data::EventTable;
use super::kaplan_meier::two_sided_z;
use super::{ConfidenceInterval, SurvivalError};

/// How churns tied at one time count towards the hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NelsonAalenTies {
    /// One after another (lifelines' default): Σ_{j<d} 1/(n − j).
    #[default]
    Smoothed,
    /// All at once: d/n.
    Discrete,
}

/// A fitted Nelson–Aalen cumulative hazard.
#[derive(Debug, Clone, PartialEq)]
pub struct NelsonAalen {
    table: EventTable,
    cumulative_hazard: Vec<f64>,
    variance: Vec<f64>,
}

impl NelsonAalen {
    /// Fits with lifelines' default tie handling, [`NelsonAalenTies::Smoothed`].
    pub fn fit(durations: &[f64], events: &[bool]) -> Result<Self, SurvivalError> {
        Self::fit_with_ties(durations, events, NelsonAalenTies::default())
    }

    /// Fits with the chosen tie handling.
    pub fn fit_with_ties(durations: &[f64], events: &[bool], ties: NelsonAalenTies) -> Result<Self, SurvivalError> {
        let table = EventTable::new(durations, events)?;
        let (mut h, mut v) = (0.0, 0.0);
        let mut cumulative_hazard = Vec::with_capacity(table.times.len());
        let mut variance = Vec::with_capacity(table.times.len());
        for (&n, &d) in table.at_risk.iter().zip(&table.observed) {
            match ties {
                NelsonAalenTies::Smoothed => {
                    for j in 0..d {
                        let r = 1.0 / (n - j) as f64;
                        h += r;
                        v += r * r;
                    }
                }
                NelsonAalenTies::Discrete => {
                    let q = d as f64 / n as f64;
                    h += q;
                    v += (1.0 - q) * q / n as f64;
                }
            }
            cumulative_hazard.push(h);
            variance.push(v);
        }
        Ok(NelsonAalen { table, cumulative_hazard, variance })
    }

    /// The distinct durations, ascending.
    pub fn times(&self) -> &[f64] {
        &self.table.times
    }

    /// H at each of [`times`](Self::times).
    pub fn cumulative_hazard(&self) -> &[f64] {
        &self.cumulative_hazard
    }

    /// H(t), a step function (0 before the first time).
    pub fn cumulative_hazard_at(&self, t: f64) -> f64 {
        self.table.index_at(t).map_or(0.0, |i| self.cumulative_hazard[i])
    }

    /// H at each of `times`, like lifelines' `cumulative_hazard_at_times`.
    pub fn cumulative_hazard_at_times(&self, times: &[f64]) -> Vec<f64> {
        times.iter().map(|&t| self.cumulative_hazard_at(t)).collect()
    }

    /// The variance of H(t).
    pub fn variance_at(&self, t: f64) -> f64 {
        self.table.index_at(t).map_or(0.0, |i| self.variance[i])
    }

    /// The log-scale confidence interval of H(t) at `level` (0.95 for 95%).
    ///
    /// # Panics
    /// If `level` is not strictly between 0 and 1.
    pub fn confidence_interval_at(&self, t: f64, level: f64) -> ConfidenceInterval {
        let z = two_sided_z(level);
        let h = self.cumulative_hazard_at(t);
        if h <= 0.0 {
            return ConfidenceInterval { lower: 0.0, upper: 0.0 };
        }
        let spread = (z * self.variance_at(t).sqrt() / h).exp();
        ConfidenceInterval { lower: h / spread, upper: h * spread }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    const DURATIONS: [f64; 6] = [2.0, 1.0, 2.0, 4.0, 2.0, 5.0];
    const EVENTS: [bool; 6] = [true, true, false, true, true, false];

    #[test]
    fn hand_worked_smoothed_hazard() {
        // t = 1: 6 at risk, 1 churns: H = 1/6,                   Var = 1/36
        // t = 2: 5 at risk, 2 churn:  H = 1/6 + 1/5 + 1/4 = 37/60, Var = 1/36 + 1/25 + 1/16
        // t = 4: 2 at risk, 1 churns: H = 37/60 + 1/2 = 67/60,     Var + 1/4
        let na = NelsonAalen::fit(&DURATIONS, &EVENTS).unwrap();
        let expected = [0.0, 1.0 / 6.0, 37.0 / 60.0, 67.0 / 60.0, 67.0 / 60.0];
        for (h, e) in na.cumulative_hazard_at_times(&[0.0, 1.0, 2.0, 4.0, 9.0]).into_iter().zip(expected) {
            assert_abs_diff_eq!(h, e, epsilon = 1e-15);
        }
        assert_abs_diff_eq!(na.variance_at(4.0), 1.0 / 36.0 + 1.0 / 25.0 + 1.0 / 16.0 + 0.25, epsilon = 1e-15);
        // At t = 1: (1/6) · exp(∓1.959964 · (1/6) / (1/6)) = 0.023477 and 1.183179, as lifelines 0.30.3 prints.
        let ci = na.confidence_interval_at(1.0, 0.95);
        assert_abs_diff_eq!(ci.lower, 0.023477, epsilon = 1e-6);
        assert_abs_diff_eq!(ci.upper, 1.183179, epsilon = 1e-6);
    }

    #[test]
    fn hand_worked_discrete_hazard() {
        // t = 2: 2/5 instead of 1/5 + 1/4; variance (1 − 2/5)(2/5)/5 = 0.048.
        let na = NelsonAalen::fit_with_ties(&DURATIONS, &EVENTS, NelsonAalenTies::Discrete).unwrap();
        assert_abs_diff_eq!(na.cumulative_hazard_at(2.0), 1.0 / 6.0 + 0.4, epsilon = 1e-15);
        assert_abs_diff_eq!(na.variance_at(2.0), (1.0 - 1.0 / 6.0) / 36.0 + 0.048, epsilon = 1e-15);
    }

    #[test]
    fn everyone_churning_at_one_time() {
        // Smoothed: 1/4 + 1/3 + 1/2 + 1 = 25/12; discrete: 4/4 = 1 with variance 0.
        let durations = [2.0; 4];
        let events = [true; 4];
        assert_abs_diff_eq!(NelsonAalen::fit(&durations, &events).unwrap().cumulative_hazard_at(2.0), 25.0 / 12.0, epsilon = 1e-15);
        let discrete = NelsonAalen::fit_with_ties(&durations, &events, NelsonAalenTies::Discrete).unwrap();
        assert_eq!((discrete.cumulative_hazard_at(2.0), discrete.variance_at(2.0)), (1.0, 0.0));
    }

    #[test]
    fn all_censored_has_no_hazard() {
        let na = NelsonAalen::fit(&[3.0, 3.0], &[false, false]).unwrap();
        assert_eq!(na.cumulative_hazard_at(3.0), 0.0);
        let ci = na.confidence_interval_at(3.0, 0.95);
        assert_eq!((ci.lower, ci.upper), (0.0, 0.0));
    }
}
