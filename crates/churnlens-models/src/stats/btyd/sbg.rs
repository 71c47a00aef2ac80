//! The shifted-beta-geometric (sBG) model of contractual retention (Fader &
//! Hardie 2007, "How to project customer retention"; residual lifetime from
//! Fader & Hardie 2010, "Customer-base valuation in a contractual setting").
//!
//! Each customer renews every period with a constant probability 1 − θ,
//! θ ~ Beta(γ, δ) across customers. The chance of churning in period t and of
//! surviving past it are
//!
//! P(T = t) = B(γ+1, δ+t−1)/B(γ, δ),   S(t) = B(γ, δ+t)/B(γ, δ),
//!
//! and a cohort with survivors n₀ ≥ n₁ ≥ … ≥ n_k has log-likelihood
//! Σₜ (nₜ₋₁ − nₜ) ln P(T = t) + n_k ln S(k).

use super::{FitReport, FitSettings, fit_settings_builder, run_fit};
use crate::error::ModelError;
use crate::stats::hyp2f1::hyp2f1;
use crate::stats::special::{digamma, ln_beta};

const MODEL: &str = "sBG";
/// What the user can do when the fit does not converge (translated in [`crate::error::ModelError::message`]).
pub(crate) const HINT: &str = "the cohort may be too short or lose no one; try a penalizer such as 0.001";

/// Settings of an sBG fit. Defaults: no penalty, 500 iterations, gradient
/// tolerance 1e-7 (see [`FitSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ShiftedBetaGeometricParams {
    settings: FitSettings,
}

fit_settings_builder!(ShiftedBetaGeometricParams);

impl ShiftedBetaGeometricParams {
    /// Default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The settings, or the first one out of range.
    pub fn check(&self) -> Result<&Self, ModelError> {
        self.settings.check()?;
        Ok(self)
    }

    /// Fits the model to a cohort's survivor counts: `survivors[0]` customers
    /// at the start, `survivors[t]` still active after t renewals.
    pub fn fit(&self, survivors: &[f64]) -> Result<ShiftedBetaGeometric, ModelError> {
        self.check()?;
        let valid =
            survivors.len() >= 3 && survivors.iter().all(|n| n.is_finite() && *n >= 0.0) && survivors[0] > 0.0 && survivors.windows(2).all(|w| w[1] <= w[0]);
        if !valid {
            return Err(ModelError::InvalidData("the sBG fit needs a cohort size and at least two later survivor counts (one period fixes only the mean churn rate, not its spread), all ≥ 0 and never increasing".into()));
        }
        if survivors[1] == 0.0 {
            return Err(ModelError::InvalidData(
                "every customer of the cohort churned in the first period, so the spread of churn rates cannot be estimated".into(),
            ));
        }
        if survivors[0] == survivors[survivors.len() - 1] {
            return Err(ModelError::InvalidData("no customer of the cohort churned, so its churn rate cannot be estimated".into()));
        }
        let penalizer = self.settings.penalizer;
        let n = survivors[0];
        let mut objective = |x: &[f64], g: &mut [f64]| mean_negative_log_likelihood(x, survivors, penalizer, g);
        let total_ll = |x: &[f64]| -n * mean_negative_log_likelihood(x, survivors, 0.0, &mut [0.0; 2]);
        // Log-parameter starts: γ = δ = 1 (uniform churn probabilities), then
        // mostly low and mostly high churn probabilities.
        let starts = [vec![0.0, 0.0], vec![-1.0, 1.0], vec![1.0, -1.0]];
        let outcome = run_fit(MODEL, HINT, &self.settings, n, &starts, &mut objective, &total_ll)?;
        let [gamma, delta] = [outcome.minimum.x[0].exp(), outcome.minimum.x[1].exp()];
        let report = FitReport {
            iterations: outcome.minimum.iterations,
            starts_tried: outcome.starts_tried,
            gradient_norm: outcome.minimum.gradient_norm,
            log_likelihood: total_ll(&outcome.minimum.x),
            converged: outcome.minimum.converged,
        };
        let standard_errors = outcome.log_standard_errors.map(|se| [gamma * se[0], delta * se[1]]);
        Ok(ShiftedBetaGeometric { gamma, delta, report: Some(report), standard_errors })
    }
}

fn mean_negative_log_likelihood(x: &[f64], survivors: &[f64], penalizer: f64, gradient: &mut [f64]) -> f64 {
    let (gamma, delta) = (x[0].exp(), x[1].exp());
    if !(gamma.is_finite() && delta.is_finite() && gamma > 0.0 && delta > 0.0) {
        return f64::NAN;
    }
    // ∂ ln B(u, v)/∂u = ψ(u) − ψ(u+v); the common −ln B(γ, δ) term is added once per customer.
    let (psi_g, psi_d, psi_gd) = (digamma(gamma), digamma(delta), digamma(gamma + delta));
    let (mut ll, mut d_g, mut d_d) = (0.0, 0.0, 0.0);
    for t in 1..survivors.len() {
        let tf = t as f64;
        let lost = survivors[t - 1] - survivors[t];
        if lost > 0.0 {
            ll += lost * ln_beta(gamma + 1.0, delta + tf - 1.0);
            let psi_all = digamma(gamma + delta + tf);
            d_g += lost * (digamma(gamma + 1.0) - psi_all);
            d_d += lost * (digamma(delta + tf - 1.0) - psi_all);
        }
    }
    let k = (survivors.len() - 1) as f64;
    let alive = survivors[survivors.len() - 1];
    if alive > 0.0 {
        ll += alive * ln_beta(gamma, delta + k);
        let psi_all = digamma(gamma + delta + k);
        d_g += alive * (psi_g - psi_all);
        d_d += alive * (digamma(delta + k) - psi_all);
    }
    let n = survivors[0];
    ll -= n * ln_beta(gamma, delta);
    d_g -= n * (psi_g - psi_gd);
    d_d -= n * (psi_d - psi_gd);
    gradient[0] = -d_g * gamma / n + 2.0 * penalizer * gamma * gamma;
    gradient[1] = -d_d * delta / n + 2.0 * penalizer * delta * delta;
    -ll / n + penalizer * (gamma * gamma + delta * delta)
}

/// A fitted (or given) sBG model.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftedBetaGeometric {
    /// First shape of the Beta distribution of churn probabilities.
    pub gamma: f64,
    /// Second shape of the Beta distribution of churn probabilities.
    pub delta: f64,
    /// How the fit went (`None` for a model built from given parameters).
    pub report: Option<FitReport>,
    /// Standard errors of γ and δ; `None` when the Hessian is not positive
    /// definite or the model was not fitted.
    pub standard_errors: Option<[f64; 2]>,
}

impl ShiftedBetaGeometric {
    /// A model with given parameters (finite and > 0).
    pub fn from_params(gamma: f64, delta: f64) -> Result<Self, ModelError> {
        for (name, v) in [("gamma", gamma), ("delta", delta)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ModelError::InvalidSetting { name, reason: format!("{v} is not a finite number > 0") });
            }
        }
        Ok(ShiftedBetaGeometric { gamma, delta, report: None, standard_errors: None })
    }

    /// P(T = t): the chance that a new customer churns in period t ≥ 1.
    pub fn churn_probability(&self, t: u32) -> f64 {
        if t == 0 {
            return 0.0;
        }
        (ln_beta(self.gamma + 1.0, self.delta + f64::from(t) - 1.0) - ln_beta(self.gamma, self.delta)).exp()
    }

    /// S(t): the chance that a new customer is still active after t renewals.
    pub fn survival(&self, t: u32) -> f64 {
        (ln_beta(self.gamma, self.delta + f64::from(t)) - ln_beta(self.gamma, self.delta)).exp()
    }

    /// r(t) = S(t)/S(t−1) = (δ+t−1)/(γ+δ+t−1): the retention rate of period t ≥ 1, rising with tenure.
    pub fn retention_rate(&self, t: u32) -> f64 {
        let t = f64::from(t.max(1));
        (self.delta + t - 1.0) / (self.gamma + self.delta + t - 1.0)
    }

    /// The expected survivors of a cohort of `size` after 0, 1, …, `periods` renewals.
    pub fn retention_curve(&self, size: f64, periods: u32) -> Vec<f64> {
        (0..=periods).map(|t| size * self.survival(t)).collect()
    }

    /// DERL(d | n): the discounted expected residual lifetime, in periods, of
    /// a customer who has made n renewals, counting each future period they
    /// stay (the next one undiscounted) with discount rate d > 0 per period:
    /// (δ+n)/(γ+δ+n) · ₂F₁(1, δ+n+1; γ+δ+n+1; 1/(1+d)) (Fader & Hardie 2010).
    /// Infinite for d ≤ 0 when γ ≤ 1 (see [`Self::expected_residual_lifetime`]).
    pub fn discounted_expected_residual_lifetime(&self, discount_rate: f64, renewals: u32) -> f64 {
        if discount_rate <= 0.0 {
            return self.expected_residual_lifetime(renewals).unwrap_or(f64::INFINITY);
        }
        let n = f64::from(renewals);
        let (g, d) = (self.gamma, self.delta);
        (d + n) / (g + d + n) * hyp2f1(1.0, d + n + 1.0, g + d + n + 1.0, 1.0 / (1.0 + discount_rate))
    }

    /// The undiscounted expected residual lifetime (δ+n)/(γ−1) of a customer
    /// who has made n renewals; `None` when γ ≤ 1, where the churn
    /// probabilities pile up near 0 so much that the expectation is infinite.
    pub fn expected_residual_lifetime(&self, renewals: u32) -> Option<f64> {
        (self.gamma > 1.0).then(|| (self.delta + f64::from(renewals)) / (self.gamma - 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn probabilities_follow_the_recursion() {
        // P(1) = γ/(γ+δ); P(t) = P(t−1)(δ+t−2)/(γ+δ+t−1); S(t) = S(t−1) − P(t) (Fader & Hardie 2007, eq. 7).
        let m = ShiftedBetaGeometric::from_params(0.704, 1.182).expect("valid");
        let mut p = 0.704 / (0.704 + 1.182);
        let mut s = 1.0 - p;
        assert_relative_eq!(m.churn_probability(1), p, max_relative = 1e-13);
        for t in 2..12u32 {
            let tf = f64::from(t);
            p *= (1.182 + tf - 2.0) / (0.704 + 1.182 + tf - 1.0);
            s -= p;
            assert_relative_eq!(m.churn_probability(t), p, max_relative = 1e-12);
            assert_relative_eq!(m.survival(t), s, max_relative = 1e-12);
            assert_relative_eq!(m.retention_rate(t), m.survival(t) / m.survival(t - 1), max_relative = 1e-12);
        }
    }

    #[test]
    fn residual_lifetime_equals_the_sum_of_discounted_survival() {
        // DERL(d | n) = Σ_{k ≥ 0} S(n+1+k)/S(n) / (1+d)^k, summed directly.
        for (gamma, delta) in [(0.704, 1.182), (2.5, 3.806)] {
            let m = ShiftedBetaGeometric::from_params(gamma, delta).expect("valid");
            for (d, n) in [(0.1, 0u32), (0.1, 4), (0.25, 10)] {
                let direct: f64 = (0..3000u32).map(|k| m.survival(n + 1 + k) / m.survival(n) / (1.0f64 + d).powi(k as i32)).sum();
                assert_relative_eq!(m.discounted_expected_residual_lifetime(d, n), direct, max_relative = 1e-10);
            }
        }
        // γ > 1: the undiscounted sum converges to (δ+n)/(γ−1); truncating at
        // 200,000 periods leaves a tail of about 1e-3 relative for γ = 2.5.
        let m = ShiftedBetaGeometric::from_params(2.5, 3.806).expect("valid");
        let direct: f64 = (0..200_000u32).map(|k| m.survival(3 + 1 + k) / m.survival(3)).sum();
        assert_relative_eq!(m.expected_residual_lifetime(3).expect("γ > 1"), direct, max_relative = 1e-3);
        assert!(ShiftedBetaGeometric::from_params(0.704, 1.182).expect("valid").expected_residual_lifetime(3).is_none());
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let survivors = [1000.0, 631.0, 468.0, 382.0, 326.0];
        let x = [-0.3, 0.2];
        let mut g = [0.0; 2];
        mean_negative_log_likelihood(&x, &survivors, 0.01, &mut g);
        for i in 0..2 {
            let h = 1e-6;
            let (mut up, mut down) = (x, x);
            up[i] += h;
            down[i] -= h;
            let numeric = (mean_negative_log_likelihood(&up, &survivors, 0.01, &mut [0.0; 2])
                - mean_negative_log_likelihood(&down, &survivors, 0.01, &mut [0.0; 2]))
                / (2.0 * h);
            assert_relative_eq!(g[i], numeric, max_relative = 1e-6);
        }
    }
}
