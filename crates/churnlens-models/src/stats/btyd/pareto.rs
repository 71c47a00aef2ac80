//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader,
//! Hardie & Lee 2005, "A note on implementing the Pareto/NBD model in MATLAB").
//!
//! While active, a customer buys at Poisson rate λ ~ Gamma(r, α) and stays
//! active an exponential lifetime with rate μ ~ Gamma(s, β). The likelihood of
//! (x, tₓ, T) is
//!
//! L = Γ(r+x) αʳ βˢ / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀ ]
//!
//! where A₀ = F(tₓ) − F(T), F(u) = ₂F₁(r+s+x, m; r+s+x+1; |α−β|/(max(α,β)+u)) / (max(α,β)+u)^(r+s+x),
//! and m = r+x when α < β, s+1 otherwise (so the argument is in [0, 1)).
//! The gradient is analytic: the derivatives of ln ₂F₁ in its parameters are
//! summed alongside the series ([`ln_hyp2f1_with_gradient`]), which costs
//! about three likelihood evaluations instead of the eight extra ones of
//! central differences.

use super::data::CountData;
use super::{FitReport, FitSettings, PurchaseModel, Rfm, fit_settings_builder, par_sum, run_fit};
use crate::error::ModelError;
use crate::stats::hyp2f1::{ln_hyp2f1, ln_hyp2f1_with_gradient};
use crate::stats::special::{digamma, ln_gamma};

const MODEL: &str = "Pareto/NBD";
/// What the user can do when the fit does not converge (translated in [`crate::error::ModelError::message`]).
pub(crate) const HINT: &str = "the data may have too few repeat buyers; try a penalizer such as 0.001";

/// Settings of a Pareto/NBD fit. Defaults: no penalty, 500 iterations,
/// gradient tolerance 1e-7 (see [`FitSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ParetoNbdParams {
    settings: FitSettings,
}

fit_settings_builder!(ParetoNbdParams);

impl ParetoNbdParams {
    /// Default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The settings, or the first one out of range.
    pub fn check(&self) -> Result<&Self, ModelError> {
        self.settings.check()?;
        Ok(self)
    }

    /// Fits the model to the customers by maximum likelihood.
    pub fn fit(&self, customers: &[Rfm]) -> Result<ParetoNbd, ModelError> {
        self.check()?;
        let data = CountData::new(MODEL, customers)?;
        // Fit where the oldest customer is 1 unit old, as lifetimes does.
        let scale = 1.0 / data.max_age;
        let scaled = data.scaled(scale);
        let penalizer = self.settings.penalizer;
        let mut objective = |x: &[f64], g: &mut [f64]| mean_negative_log_likelihood_with_gradient(x, &scaled, penalizer, g);
        let unscale = |x: &[f64]| [x[0].exp(), x[1].exp() / scale, x[2].exp(), x[3].exp() / scale];
        let total_ll = |x: &[f64]| {
            let p = unscale(x);
            -data.total_weight * mean_negative_log_likelihood(&p.map(f64::ln), &data, 0.0)
        };
        // Log-parameter starts: all parameters 1, then slow buyers with long
        // lifetimes, then fast buyers with short ones.
        let starts = [vec![0.0; 4], vec![-1.0, -2.0, -1.0, 1.0], vec![0.5, 1.0, 0.5, -1.0]];
        let outcome = run_fit(MODEL, HINT, &self.settings, data.total_weight, &starts, &mut objective, &total_ll)?;
        let [r, alpha, s, beta] = unscale(&outcome.minimum.x);
        let report = FitReport {
            iterations: outcome.minimum.iterations,
            starts_tried: outcome.starts_tried,
            gradient_norm: outcome.minimum.gradient_norm,
            log_likelihood: total_ll(&outcome.minimum.x),
            converged: outcome.minimum.converged,
        };
        let standard_errors = outcome.log_standard_errors.map(|se| [r * se[0], alpha * se[1], s * se[2], beta * se[3]]);
        Ok(ParetoNbd { r, alpha, s, beta, report: Some(report), standard_errors })
    }
}

fn mean_negative_log_likelihood(x: &[f64], data: &CountData, penalizer: f64) -> f64 {
    let theta = [x[0].exp(), x[1].exp(), x[2].exp(), x[3].exp()];
    if !theta.iter().all(|v| v.is_finite() && *v > 0.0) {
        return f64::NAN;
    }
    let [r, alpha, s, beta] = theta;
    let head: f64 =
        data.frequencies.iter().zip(&data.frequency_weights).map(|(&f, &w)| w * (ln_gamma(r + f) - ln_gamma(r) + r * alpha.ln() + s * beta.ln())).sum();
    let [rows] = par_sum(&data.rows, |row| [row.weight * tail_log_likelihood(theta, data.frequencies[row.k], row.recency, row.age)]);
    -(head + rows) / data.total_weight + penalizer * theta.iter().map(|t| t * t).sum::<f64>()
}

/// [`mean_negative_log_likelihood`] and its gradient in the log parameters.
fn mean_negative_log_likelihood_with_gradient(x: &[f64], data: &CountData, penalizer: f64, gradient: &mut [f64]) -> f64 {
    let theta = [x[0].exp(), x[1].exp(), x[2].exp(), x[3].exp()];
    if !theta.iter().all(|v| v.is_finite() && *v > 0.0) {
        return f64::NAN;
    }
    let [r, alpha, s, beta] = theta;
    let (lg_r, psi_r) = (ln_gamma(r), digamma(r));
    let mut head = [0.0; 5];
    for (&f, &w) in data.frequencies.iter().zip(&data.frequency_weights) {
        head[0] += w * (ln_gamma(r + f) - lg_r + r * alpha.ln() + s * beta.ln());
        head[1] += w * (digamma(r + f) - psi_r + alpha.ln());
        head[2] += w * r / alpha;
        head[3] += w * beta.ln();
        head[4] += w * s / beta;
    }
    let at_zero: Vec<(f64, [f64; 4])> = data.frequencies.iter().map(|&f| a0_term_with_gradient(theta, f, 0.0)).collect();
    let rows = par_sum(&data.rows, |row| {
        let (value, d) = tail_log_likelihood_with_gradient(theta, data.frequencies[row.k], row.recency, row.age, at_zero[row.k]);
        [row.weight * value, row.weight * d[0], row.weight * d[1], row.weight * d[2], row.weight * d[3]]
    });
    let n = data.total_weight;
    for i in 0..4 {
        gradient[i] = -(head[i + 1] + rows[i + 1]) * theta[i] / n + 2.0 * penalizer * theta[i] * theta[i];
    }
    -(head[0] + rows[0]) / n + penalizer * theta.iter().map(|t| t * t).sum::<f64>()
}

/// [`tail_log_likelihood`] and its gradient in (r, α, s, β); `at_zero` is
/// F(0) of the customer's frequency, shared by every customer without repeat
/// purchases (tₓ = 0), so their rows need one ₂F₁ series instead of two.
fn tail_log_likelihood_with_gradient(theta: [f64; 4], x: f64, recency: f64, age: f64, at_zero: (f64, [f64; 4])) -> (f64, [f64; 4]) {
    let [r, alpha, s, beta] = theta;
    let rsx = r + s + x;
    let alive = -(r + x) * (alpha + age).ln() - s * (beta + age).ln();
    let d_alive = [-(alpha + age).ln(), -(r + x) / (alpha + age), -(beta + age).ln(), -s / (beta + age)];
    let first = if recency == 0.0 { at_zero } else { a0_term_with_gradient(theta, x, recency) };
    let (ln_a0, d_a0) = ln_a0_with_gradient(first, a0_term_with_gradient(theta, x, age));
    let died = s.ln() + ln_a0 - rsx.ln();
    let d_died = [d_a0[0] - 1.0 / rsx, d_a0[1], 1.0 / s + d_a0[2] - 1.0 / rsx, d_a0[3]];
    let m = alive.max(died);
    let total = m + ((alive - m).exp() + (died - m).exp()).ln();
    let (w_alive, w_died) = ((alive - total).exp(), (died - total).exp());
    let mut d = [0.0; 4];
    for i in 0..4 {
        // A₀ = 0 (tₓ = T) gives died = −∞ and weight 0: its derivatives do not count.
        d[i] = w_alive * d_alive[i] + if w_died > 0.0 { w_died * d_died[i] } else { 0.0 };
    }
    (total, d)
}

/// ln F(u) = ln ₂F₁(r+s+x, m; r+s+x+1; w) − (r+s+x) ln(max(α,β)+u), w = |α−β|/(max(α,β)+u),
/// and its gradient in (r, α, s, β).
fn a0_term_with_gradient([r, alpha, s, beta]: [f64; 4], x: f64, u: f64) -> (f64, [f64; 4]) {
    let alpha_low = alpha < beta;
    let (low, high, m) = if alpha_low { (alpha, beta, r + x) } else { (beta, alpha, s + 1.0) };
    let rsx = r + s + x;
    let w = (high - low) / (high + u);
    let (ln_f, [fa, fb, fc, fz]) = ln_hyp2f1_with_gradient(rsx, m, rsx + 1.0, w);
    let ln_h = (high + u).ln();
    // ∂w/∂low = −1/(high+u); ∂w/∂high = (low+u)/(high+u)².
    let d_high = fz * (low + u) / ((high + u) * (high + u)) - rsx / (high + u);
    let d_low = -fz / (high + u);
    let d_r = fa + fc - ln_h + if alpha_low { fb } else { 0.0 };
    let d_s = fa + fc - ln_h + if alpha_low { 0.0 } else { fb };
    let (d_alpha, d_beta) = if alpha_low { (d_low, d_high) } else { (d_high, d_low) };
    (ln_f - rsx * ln_h, [d_r, d_alpha, d_s, d_beta])
}

/// ln A₀ = ln(F(tₓ) − F(T)) and its gradient from the two terms (−∞ and zeros when tₓ = T).
fn ln_a0_with_gradient((first, d_first): (f64, [f64; 4]), (second, d_second): (f64, [f64; 4])) -> (f64, [f64; 4]) {
    let q = (second - first).exp();
    if q >= 1.0 {
        return (f64::NEG_INFINITY, [0.0; 4]);
    }
    let mut d = [0.0; 4];
    for i in 0..4 {
        d[i] = (d_first[i] - q * d_second[i]) / (1.0 - q);
    }
    (first + (-q).ln_1p(), d)
}

/// ln A₀ (−∞ when tₓ = T).
fn ln_a0([r, alpha, s, beta]: [f64; 4], x: f64, recency: f64, age: f64) -> f64 {
    let (low, high, m) = if alpha < beta { (alpha, beta, r + x) } else { (beta, alpha, s + 1.0) };
    let rsx = r + s + x;
    let term = |u: f64| ln_hyp2f1(rsx, m, rsx + 1.0, (high - low) / (high + u)) - rsx * (high + u).ln();
    let (first, second) = (term(recency), term(age));
    first + (-(second - first).exp()).ln_1p()
}

/// ln of the bracket in the likelihood: ℓ minus the Gamma normalising terms.
fn tail_log_likelihood(theta: [f64; 4], x: f64, recency: f64, age: f64) -> f64 {
    let [r, alpha, s, beta] = theta;
    let alive = -(r + x) * (alpha + age).ln() - s * (beta + age).ln();
    let died = s.ln() + ln_a0(theta, x, recency, age) - (r + s + x).ln();
    let m = alive.max(died);
    m + ((alive - m).exp() + (died - m).exp()).ln()
}

/// A fitted (or given) Pareto/NBD model.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoNbd {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in the caller's time unit) of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// Shape of the Gamma distribution of drop-out rates.
    pub s: f64,
    /// Scale (in the caller's time unit) of the Gamma distribution of drop-out rates.
    pub beta: f64,
    /// How the fit went (`None` for a model built from given parameters).
    pub report: Option<FitReport>,
    /// Standard errors of r, α, s, β from the inverse Hessian; `None` when it
    /// is not positive definite or the model was not fitted.
    pub standard_errors: Option<[f64; 4]>,
}

impl ParetoNbd {
    /// A model with given parameters (all finite and > 0), e.g. published ones.
    pub fn from_params(r: f64, alpha: f64, s: f64, beta: f64) -> Result<Self, ModelError> {
        for (name, v) in [("r", r), ("alpha", alpha), ("s", s), ("beta", beta)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ModelError::InvalidSetting { name, reason: format!("{v} is not a finite number > 0") });
            }
        }
        Ok(ParetoNbd { r, alpha, s, beta, report: None, standard_errors: None })
    }

    fn theta(&self) -> [f64; 4] {
        [self.r, self.alpha, self.s, self.beta]
    }

    /// The customer's log-likelihood ℓ(x, tₓ, T).
    pub fn log_likelihood(&self, customer: &Rfm) -> f64 {
        let (r, alpha, s, beta, x) = (self.r, self.alpha, self.s, self.beta, customer.frequency);
        ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln() + tail_log_likelihood(self.theta(), x, customer.recency, customer.age)
    }
}

impl PurchaseModel for ParetoNbd {
    fn p_alive(&self, customer: &Rfm) -> f64 {
        let (r, alpha, s, beta, x, age) = (self.r, self.alpha, self.s, self.beta, customer.frequency, customer.age);
        let ln_odds = s.ln() - (r + s + x).ln() + (r + x) * (alpha + age).ln() + s * (beta + age).ln() + ln_a0(self.theta(), x, customer.recency, age);
        1.0 / (1.0 + ln_odds.exp())
    }

    fn conditional_expected_purchases(&self, t: f64, customer: &Rfm) -> f64 {
        let (r, alpha, s, beta, x, age) = (self.r, self.alpha, self.s, self.beta, customer.frequency, customer.age);
        let first = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln() - (r + x) * (alpha + age).ln() - s * (beta + age).ln();
        let second = (r + x).ln() + (beta + age).ln() - (alpha + age).ln();
        let third = one_minus_power_over(s - 1.0, ((beta + age) / (beta + age + t)).ln()).ln();
        (first + second + third - self.log_likelihood(customer)).exp()
    }

    fn expected_purchases(&self, t: f64) -> f64 {
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        r * beta / alpha * one_minus_power_over(s - 1.0, (beta / (beta + t)).ln())
    }
}

/// (1 − e^(k·ln u)) / k, with its limit −ln u at k = 0.
fn one_minus_power_over(k: f64, ln_u: f64) -> f64 {
    if k == 0.0 { -ln_u } else { -(k * ln_u).exp_m1() / k }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn a0_matches_its_integral_form() {
        // s/(r+s+x) · A₀ = s ∫ₜₓᵀ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ (death at τ after
        // the last purchase); Simpson's rule with 20,000 panels, both α < β and α > β.
        for theta in [[0.55, 10.58, 0.61, 11.67], [0.8, 12.0, 1.3, 3.0]] {
            let [r, alpha, s, beta] = theta;
            let (x, recency, age) = (3.0, 5.0, 30.0);
            let f = |tau: f64| (alpha + tau).powf(-(r + x)) * (beta + tau).powf(-(s + 1.0));
            let n = 20_000;
            let h = (age - recency) / f64::from(n);
            let integral: f64 = (0..=n)
                .map(|i| {
                    let w = if i == 0 || i == n {
                        1.0
                    } else if i % 2 == 1 {
                        4.0
                    } else {
                        2.0
                    };
                    w * f(recency + h * f64::from(i))
                })
                .sum::<f64>()
                * h
                / 3.0;
            let closed = s / (r + s + x) * ln_a0(theta, x, recency, age).exp();
            assert_relative_eq!(closed, s * integral, max_relative = 1e-10);
        }
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        // α < β and α > β, a customer with tₓ = T, and one without repeat purchases.
        let customers = [Rfm::new(0.0, 0.0, 30.0), Rfm::new(2.0, 12.5, 38.0), Rfm::new(5.0, 30.0, 35.0), Rfm::new(1.0, 20.0, 20.0)];
        let data = CountData::new("test", &customers).expect("valid");
        for x in [[-0.6, 2.3, -0.5, 2.45], [0.2, 1.5, 0.3, 0.4]] {
            let mut g = [0.0; 4];
            let value = mean_negative_log_likelihood_with_gradient(&x, &data, 0.01, &mut g);
            assert!((value - mean_negative_log_likelihood(&x, &data, 0.01)).abs() < 1e-13 * value.abs());
            for i in 0..4 {
                let h = 1e-6;
                let (mut up, mut down) = (x, x);
                up[i] += h;
                down[i] -= h;
                let numeric = (mean_negative_log_likelihood(&up, &data, 0.01) - mean_negative_log_likelihood(&down, &data, 0.01)) / (2.0 * h);
                assert!((g[i] - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()), "∂{i} at {x:?}: {} vs {numeric}", g[i]);
            }
        }
    }

    #[test]
    fn s_equal_to_one_has_a_finite_limit() {
        let at_one = ParetoNbd::from_params(0.5, 10.0, 1.0, 12.0).expect("valid").expected_purchases(20.0);
        let near_one = ParetoNbd::from_params(0.5, 10.0, 1.0 + 1e-9, 12.0).expect("valid").expected_purchases(20.0);
        // E[X(t)] = rβ/α · ln((β+t)/β) at s = 1.
        assert_relative_eq!(at_one, 0.5 * 12.0 / 10.0 * (32.0f64 / 12.0).ln(), max_relative = 1e-14);
        assert_relative_eq!(at_one, near_one, max_relative = 1e-8);
    }
}
