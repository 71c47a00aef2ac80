//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV:
//! using iso-value curves for customer base analysis"; Fader & Hardie 2013,
//! "The Gamma-Gamma model of monetary value").
//!
//! A customer's transactions are Gamma(p, ν) with ν ~ Gamma(q, γ) across
//! customers, so the mean m̄ of x repeat transactions has likelihood
//!
//! ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(x m̄ + γ)
//!
//! (lifetimes' form). The model assumes spend is independent of purchase
//! frequency; the fitted model reports the Pearson correlation of frequency
//! and mean spend so the caller can check that assumption (it should be near 0).

use super::{FitReport, FitSettings, fit_settings_builder, par_sum, run_fit};
use crate::error::ModelError;
use crate::stats::special::{digamma, ln_gamma};

const MODEL: &str = "Gamma-Gamma";
/// What the user can do when the fit does not converge (translated in [`crate::error::ModelError::message`]).
pub(crate) const HINT: &str = "the repeat customers' mean spends may vary too little or too much; try a penalizer such as 0.001";

/// Settings of a Gamma-Gamma fit. Defaults: no penalty, 500 iterations,
/// gradient tolerance 1e-7 (see [`FitSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GammaGammaParams {
    settings: FitSettings,
}

fit_settings_builder!(GammaGammaParams);

/// The repeat customers prepared for a cheap likelihood: identical
/// (x, m̄) pairs collapsed into weighted rows, everything that depends on x
/// alone computed once per distinct x, and the sums that do not depend on the
/// parameters computed once.
#[derive(Debug, Clone)]
struct SpendData {
    /// Distinct frequencies, ascending, with the weight of each and ln x.
    frequencies: Vec<(f64, f64, f64)>,
    rows: Vec<SpendRow>,
    /// Σ w, Σ w ln m̄ and Σ w x ln m̄ over all rows.
    total_weight: f64,
    sum_ln_m: f64,
    sum_x_ln_m: f64,
}

#[derive(Debug, Clone, Copy)]
struct SpendRow {
    x: f64,
    /// x · m̄, the total spent.
    spent: f64,
    weight: f64,
}

impl SpendData {
    fn new(pairs: &[(f64, f64)]) -> Self {
        let mut sorted = pairs.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut data = SpendData { frequencies: Vec::new(), rows: Vec::new(), total_weight: 0.0, sum_ln_m: 0.0, sum_x_ln_m: 0.0 };
        let mut previous = None;
        for (x, m) in sorted {
            if previous == Some((x, m)) {
                data.rows.last_mut().expect("a previous row").weight += 1.0;
            } else {
                data.rows.push(SpendRow { x, spent: x * m, weight: 1.0 });
                previous = Some((x, m));
            }
            match data.frequencies.last_mut() {
                Some((f, w, _)) if *f == x => *w += 1.0,
                _ => data.frequencies.push((x, 1.0, x.ln())),
            }
            data.total_weight += 1.0;
            data.sum_ln_m += m.ln();
            data.sum_x_ln_m += x * m.ln();
        }
        data
    }
}

impl GammaGammaParams {
    /// Default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The settings, or the first one out of range.
    pub fn check(&self) -> Result<&Self, ModelError> {
        self.settings.check()?;
        Ok(self)
    }

    /// Fits the model to customers' repeat-purchase counts and mean
    /// repeat-purchase values (same length). Customers with frequency 0 are
    /// skipped: they have no repeat purchase to average.
    pub fn fit(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<GammaGamma, ModelError> {
        self.check()?;
        if frequency.len() != monetary_value.len() {
            return Err(ModelError::InvalidData(format!("{} frequencies but {} monetary values", frequency.len(), monetary_value.len())));
        }
        let mut pairs = Vec::new();
        for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
            if x == 0.0 {
                continue;
            }
            if !(x.is_finite() && x > 0.0 && m.is_finite() && m > 0.0) {
                return Err(ModelError::InvalidData(format!(
                    "customer {i} has frequency {x} and mean spend {m}: both must be finite and > 0 for a repeat customer"
                )));
            }
            pairs.push((x, m));
        }
        if pairs.len() < 2 {
            return Err(ModelError::InvalidData("the Gamma-Gamma fit needs at least two repeat customers".into()));
        }
        let n = pairs.len() as f64;
        let data = SpendData::new(&pairs);
        let penalizer = self.settings.penalizer;
        let mut objective = |x: &[f64], g: &mut [f64]| mean_negative_log_likelihood(x, &data, penalizer, g);
        let total_ll = |x: &[f64]| -n * mean_negative_log_likelihood(x, &data, 0.0, &mut [0.0; 3]);
        let mean_spend = pairs.iter().map(|r| r.1).sum::<f64>() / n;
        // Log-parameter starts: all parameters 1 (lifetimes' start), then two
        // with the scale at and above the mean spend.
        let starts = [vec![0.0; 3], vec![1.0, 1.0, mean_spend.ln()], vec![2.0, 1.5, mean_spend.ln() + 1.0]];
        let outcome = run_fit(MODEL, HINT, &self.settings, n, &starts, &mut objective, &total_ll)?;
        let [p, q, v] = [outcome.minimum.x[0].exp(), outcome.minimum.x[1].exp(), outcome.minimum.x[2].exp()];
        if q <= 1.0 {
            let cause = if self.settings.penalizer > 0.0 {
                "the penalizer pulls every parameter toward 0; try a smaller one"
            } else {
                "a few extreme spends may dominate the data"
            };
            return Err(ModelError::Degenerate {
                model: MODEL,
                reason: format!("the fitted q = {q:.4} is at most 1, so the population mean spend would be infinite; {cause}"),
            });
        }
        let report = FitReport {
            iterations: outcome.minimum.iterations,
            starts_tried: outcome.starts_tried,
            gradient_norm: outcome.minimum.gradient_norm,
            log_likelihood: total_ll(&outcome.minimum.x),
            converged: outcome.minimum.converged,
        };
        let standard_errors = outcome.log_standard_errors.map(|se| [p * se[0], q * se[1], v * se[2]]);
        let frequency_monetary_correlation = pearson(&pairs.iter().map(|r| r.0).collect::<Vec<_>>(), &pairs.iter().map(|r| r.1).collect::<Vec<_>>());
        Ok(GammaGamma { p, q, v, report: Some(report), standard_errors, frequency_monetary_correlation })
    }
}

/// −(Σ w ℓ)/(Σ w) + λ Σ θ² at θ = exp(x), with its gradient in x. Of ℓ,
/// the Gamma functions of px (+q) and px ln x are summed per distinct x, the
/// (px − 1) ln m̄ terms from the data's constant sums, so a row costs one
/// logarithm and one division.
fn mean_negative_log_likelihood(x: &[f64], data: &SpendData, penalizer: f64, gradient: &mut [f64]) -> f64 {
    let theta = [x[0].exp(), x[1].exp(), x[2].exp()];
    if !theta.iter().all(|v| v.is_finite() && *v > 0.0) {
        return f64::NAN;
    }
    let [p, q, v] = theta;
    let (lg_q, psi_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
    let (mut ll, mut d_p, mut d_q) = (0.0, 0.0, 0.0);
    for &(f, w, ln_f) in &data.frequencies {
        let px = p * f;
        let psi_pxq = digamma(px + q);
        ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + px * ln_f);
        d_p += w * f * (psi_pxq - digamma(px) + ln_f);
        d_q += w * (psi_pxq - psi_q + ln_v);
    }
    // Σ w ln(x m̄ + v), Σ w x ln(…), Σ w/(…), Σ w x/(…).
    let [s_ln, s_x_ln, s_inv, s_x_inv] = par_sum(&data.rows, |row| {
        let total = row.spent + v;
        let (ln_total, inv) = (total.ln(), 1.0 / total);
        [row.weight * ln_total, row.weight * row.x * ln_total, row.weight * inv, row.weight * row.x * inv]
    });
    ll += p * data.sum_x_ln_m - data.sum_ln_m - p * s_x_ln - q * s_ln;
    d_p += data.sum_x_ln_m - s_x_ln;
    d_q -= s_ln;
    let d_v = q / v * data.total_weight - p * s_x_inv - q * s_inv;
    let n = data.total_weight;
    for (i, d) in [d_p, d_q, d_v].into_iter().enumerate() {
        gradient[i] = -d * theta[i] / n + 2.0 * penalizer * theta[i] * theta[i];
    }
    -ll / n + penalizer * theta.iter().map(|t| t * t).sum::<f64>()
}

/// The Pearson correlation, 0 when either variable is constant.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 { 0.0 } else { sab / (saa * sbb).sqrt() }
}

/// A fitted (or given) Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq)]
pub struct GammaGamma {
    /// Shape of each transaction's Gamma distribution.
    pub p: f64,
    /// Shape of the Gamma distribution of the transaction rate parameter ν.
    pub q: f64,
    /// Scale (γ in the papers; `v` in lifetimes) of the distribution of ν.
    pub v: f64,
    /// How the fit went (`None` for a model built from given parameters).
    pub report: Option<FitReport>,
    /// Standard errors of p, q, v; `None` when the Hessian is not positive
    /// definite or the model was not fitted.
    pub standard_errors: Option<[f64; 3]>,
    /// Pearson correlation of frequency and mean spend over the repeat
    /// customers fitted on: the model's independence assumption holds when
    /// it is near 0 (0 for a model built from given parameters).
    pub frequency_monetary_correlation: f64,
}

impl GammaGamma {
    /// A model with given parameters (finite, > 0, and q > 1 so the mean spend exists).
    pub fn from_params(p: f64, q: f64, v: f64) -> Result<Self, ModelError> {
        for (name, value) in [("p", p), ("q", q), ("v", v)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(ModelError::InvalidSetting { name, reason: format!("{value} is not a finite number > 0") });
            }
        }
        if q <= 1.0 {
            return Err(ModelError::InvalidSetting { name: "q", reason: format!("{q} must exceed 1 for the mean spend to exist") });
        }
        Ok(GammaGamma { p, q, v, report: None, standard_errors: None, frequency_monetary_correlation: 0.0 })
    }

    /// The population mean spend per transaction, pγ/(q−1).
    pub fn population_mean(&self) -> f64 {
        self.v * self.p / (self.q - 1.0)
    }

    /// E[spend per transaction | x repeat purchases with mean m̄]: the
    /// weighted average of the population mean and m̄ with weight px/(px+q−1)
    /// on m̄ (the population mean for x = 0). lifetimes calls it the
    /// conditional expected average profit.
    pub fn conditional_expected_average_value(&self, frequency: f64, monetary_value: f64) -> f64 {
        let weight = self.p * frequency / (self.p * frequency + self.q - 1.0);
        (1.0 - weight) * self.population_mean() + weight * monetary_value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let rows = SpendData::new(&[(1.0, 20.0), (3.0, 35.5), (7.0, 12.25), (2.0, 80.0), (3.0, 35.5)]);
        let x = [1.5, 0.9, 2.7];
        let mut g = [0.0; 3];
        mean_negative_log_likelihood(&x, &rows, 0.002, &mut g);
        for i in 0..3 {
            let h = 1e-6;
            let (mut up, mut down) = (x, x);
            up[i] += h;
            down[i] -= h;
            let numeric =
                (mean_negative_log_likelihood(&up, &rows, 0.002, &mut [0.0; 3]) - mean_negative_log_likelihood(&down, &rows, 0.002, &mut [0.0; 3])) / (2.0 * h);
            assert_relative_eq!(g[i], numeric, max_relative = 1e-6, epsilon = 1e-9);
        }
    }

    #[test]
    fn collapsed_likelihood_equals_the_sum_over_customers() {
        // The per-frequency/per-row split must give Σ ℓᵢ of the plain formula in the module doc.
        let pairs = [(1.0, 20.0), (3.0, 35.5), (7.0, 12.25), (2.0, 80.0), (3.0, 35.5), (3.0, 9.0)];
        let (p, q, v): (f64, f64, f64) = (6.25, 3.74, 15.44);
        let direct: f64 = pairs
            .iter()
            .map(|&(x, m): &(f64, f64)| {
                let px = p * x;
                ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q) + q * v.ln() + (px - 1.0) * m.ln() + px * x.ln() - (px + q) * (x * m + v).ln()
            })
            .sum();
        let data = SpendData::new(&pairs);
        assert_eq!(data.rows.len(), 5);
        let collapsed = -6.0 * mean_negative_log_likelihood(&[p.ln(), q.ln(), v.ln()], &data, 0.0, &mut [0.0; 3]);
        assert_relative_eq!(direct, collapsed, max_relative = 1e-13);
    }

    #[test]
    fn pearson_matches_pythons_statistics_correlation() {
        // statistics.correlation([1, 2, 3], [2, 4, 6.5]) in Python 3.11.
        assert_relative_eq!(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]), 0.9979487157886733, max_relative = 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[2.0, 3.0]), 0.0);
    }
}
