//! BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way")
//! and its modification MBG/NBD (Batislam, Denizel & Filiztekin 2007; the
//! form of lifetimes' `ModifiedBetaGeoFitter`), where a customer can also drop
//! out right after the first purchase.
//!
//! While active, a customer buys at Poisson rate λ ~ Gamma(r, α); after each
//! purchase (BG/NBD: each repeat purchase; MBG/NBD: also the first) they drop
//! out with probability p ~ Beta(a, b). The likelihood of (x, tₓ, T) is
//!
//! L = B(a, b+x+δ)/B(a, b) · Γ(r+x) αʳ / Γ(r) · [(α+T)^−(r+x) + 1{x>0 or δ=1} a/(b+x−1+δ) (α+tₓ)^−(r+x)]
//!
//! with δ = 0 for BG/NBD and δ = 1 for MBG/NBD. Predictions are the
//! published closed forms, written exactly as lifetimes 0.11.3 evaluates them.

use super::data::CountData;
use super::{FitReport, FitSettings, PurchaseModel, Rfm, fit_settings_builder, par_sum, run_fit};
use crate::error::ModelError;
use crate::stats::hyp2f1::ln_hyp2f1;
use crate::stats::special::{digamma, ln_gamma};

/// Which of the two models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BetaGeoVariant {
    /// BG/NBD: drop-out only after repeat purchases.
    #[default]
    Standard,
    /// MBG/NBD: drop-out also possible right after the first purchase.
    Modified,
}

impl BetaGeoVariant {
    fn name(self) -> &'static str {
        match self {
            BetaGeoVariant::Standard => "BG/NBD",
            BetaGeoVariant::Modified => "MBG/NBD",
        }
    }

    /// δ in the likelihood: 1 when the first purchase can be the last.
    fn shift(self) -> f64 {
        match self {
            BetaGeoVariant::Standard => 0.0,
            BetaGeoVariant::Modified => 1.0,
        }
    }
}

/// Settings of a BG/NBD or MBG/NBD fit. Defaults: BG/NBD, no penalty, 500
/// iterations, gradient tolerance 1e-7 (see [`FitSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BetaGeoParams {
    variant: BetaGeoVariant,
    settings: FitSettings,
}

fit_settings_builder!(BetaGeoParams);

/// What the user can do when the fit does not converge (translated in [`crate::error::ModelError::message`]).
pub(crate) const HINT: &str = "the data may have too few repeat buyers; try a penalizer such as 0.001";

impl BetaGeoParams {
    /// BG/NBD with default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses BG/NBD or MBG/NBD.
    pub fn variant(mut self, variant: BetaGeoVariant) -> Self {
        self.variant = variant;
        self
    }

    /// The settings, or the first one out of range.
    pub fn check(&self) -> Result<&Self, ModelError> {
        self.settings.check()?;
        Ok(self)
    }

    /// Fits the model to the customers by maximum likelihood.
    pub fn fit(&self, customers: &[Rfm]) -> Result<BetaGeo, ModelError> {
        self.check()?;
        let variant = self.variant;
        let data = CountData::new(variant.name(), customers)?;
        // Like lifetimes, fit on the time scale where the oldest customer is
        // 1 unit old, so α starts near the data whatever the time unit.
        let scale = 1.0 / data.max_age;
        let scaled = data.scaled(scale);
        let penalizer = self.settings.penalizer;
        let mut objective = |x: &[f64], g: &mut [f64]| mean_negative_log_likelihood(variant, x, &scaled, penalizer, g);
        let unscale = |x: &[f64]| [x[0].exp(), x[1].exp() / scale, x[2].exp(), x[3].exp()];
        let total_ll = |x: &[f64]| {
            let [r, alpha, a, b] = unscale(x);
            let mut g = [0.0; 4];
            -data.total_weight * mean_negative_log_likelihood(variant, &[r.ln(), alpha.ln(), a.ln(), b.ln()], &data, 0.0, &mut g)
        };
        // Log-parameter starts: all parameters 1 (lifetimes' start), then slow
        // buyers who rarely drop out, then fast buyers who often do.
        let starts = [vec![0.0; 4], vec![-1.0, -2.0, -1.0, 1.0], vec![1.0, 1.0, 0.5, 0.5]];
        let outcome = run_fit(variant.name(), HINT, &self.settings, data.total_weight, &starts, &mut objective, &total_ll)?;
        let [r, alpha, a, b] = unscale(&outcome.minimum.x);
        let report = FitReport {
            iterations: outcome.minimum.iterations,
            starts_tried: outcome.starts_tried,
            gradient_norm: outcome.minimum.gradient_norm,
            log_likelihood: total_ll(&outcome.minimum.x),
            converged: outcome.minimum.converged,
        };
        let standard_errors = outcome.log_standard_errors.map(|se| [r * se[0], alpha * se[1], a * se[2], b * se[3]]);
        Ok(BetaGeo { variant, r, alpha, a, b, report: Some(report), standard_errors })
    }
}

/// −(Σ w ℓ)/(Σ w) + λ Σ θ² at θ = exp(x), with its gradient in x.
fn mean_negative_log_likelihood(variant: BetaGeoVariant, x: &[f64], data: &CountData, penalizer: f64, gradient: &mut [f64]) -> f64 {
    let [r, alpha, a, b] = [x[0].exp(), x[1].exp(), x[2].exp(), x[3].exp()];
    if ![r, alpha, a, b].iter().all(|v| v.is_finite() && *v > 0.0) {
        return f64::NAN;
    }
    let shift = variant.shift();
    let ln_alpha = alpha.ln();
    let ln_a = a.ln();
    // Per distinct frequency: the Gamma/Beta normalising terms, their
    // derivatives, and ln of the drop-out odds' denominator b + x − 1 + δ.
    struct PerFrequency {
        rx: f64,
        ln_den: f64,
        inv_den: f64,
        has_dropout_term: bool,
    }
    let (mut ll, mut d_r, mut d_a, mut d_b) = (0.0, 0.0, 0.0, 0.0);
    let (psi_r, psi_b, psi_ab) = (digamma(r), digamma(b), digamma(a + b));
    let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
    let per: Vec<PerFrequency> = data
        .frequencies
        .iter()
        .zip(&data.frequency_weights)
        .map(|(&f, &w)| {
            let (bx, abx) = (b + f + shift, a + b + f + shift);
            ll += w * (ln_gamma(r + f) - lg_r + r * ln_alpha + lg_ab + ln_gamma(bx) - lg_b - ln_gamma(abx));
            d_r += w * (digamma(r + f) - psi_r + ln_alpha);
            d_a += w * (psi_ab - digamma(abx));
            d_b += w * (psi_ab + digamma(bx) - psi_b - digamma(abx));
            let den = b + f - 1.0 + shift;
            PerFrequency { rx: r + f, ln_den: den.ln(), inv_den: 1.0 / den, has_dropout_term: f > 0.0 || shift > 0.0 }
        })
        .collect();
    let [s_ll, s_r, s_alpha, s_a, s_b] = par_sum(&data.rows, |row| {
        let p = &per[row.k];
        let ln_t = (alpha + row.age).ln();
        let l3 = -p.rx * ln_t;
        if !p.has_dropout_term {
            return [row.weight * l3, -row.weight * ln_t, -row.weight * p.rx / (alpha + row.age), 0.0, 0.0];
        }
        let ln_tx = (alpha + row.recency).ln();
        let l4 = ln_a - p.ln_den - p.rx * ln_tx;
        // ln(e^l3 + e^l4) = m + ln(1 + e^−|l3−l4|), with one exp and one log;
        // the weights of the two terms are logistic in l3 − l4.
        let m = l3.max(l4);
        let e = (-(l3 - l4).abs()).exp();
        let total = m + e.ln_1p();
        let smaller = e / (1.0 + e);
        let (w3, w4) = if l3 >= l4 { (1.0 - smaller, smaller) } else { (smaller, 1.0 - smaller) };
        [
            row.weight * total,
            -row.weight * (w3 * ln_t + w4 * ln_tx),
            -row.weight * p.rx * (w3 / (alpha + row.age) + w4 / (alpha + row.recency)),
            row.weight * w4 / a,
            -row.weight * w4 * p.inv_den,
        ]
    });
    ll += s_ll;
    let n = data.total_weight;
    let d = [d_r + s_r, r / alpha * data.total_weight + s_alpha, d_a + s_a, d_b + s_b];
    let theta = [r, alpha, a, b];
    for i in 0..4 {
        gradient[i] = -d[i] * theta[i] / n + 2.0 * penalizer * theta[i] * theta[i];
    }
    -ll / n + penalizer * theta.iter().map(|t| t * t).sum::<f64>()
}

/// A fitted (or given) BG/NBD or MBG/NBD model.
#[derive(Debug, Clone, PartialEq)]
pub struct BetaGeo {
    /// Which model.
    pub variant: BetaGeoVariant,
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in the caller's time unit) of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the Beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the Beta distribution of drop-out probabilities.
    pub b: f64,
    /// How the fit went (`None` for a model built from given parameters).
    pub report: Option<FitReport>,
    /// Standard errors of r, α, a, b from the inverse Hessian of the
    /// (penalised) negative log-likelihood; `None` when it is not positive
    /// definite or the model was not fitted.
    pub standard_errors: Option<[f64; 4]>,
}

impl BetaGeo {
    /// A model with given parameters (all finite and > 0), e.g. published ones.
    pub fn from_params(variant: BetaGeoVariant, r: f64, alpha: f64, a: f64, b: f64) -> Result<Self, ModelError> {
        for (name, v) in [("r", r), ("alpha", alpha), ("a", a), ("b", b)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ModelError::InvalidSetting { name, reason: format!("{v} is not a finite number > 0") });
            }
        }
        Ok(BetaGeo { variant, r, alpha, a, b, report: None, standard_errors: None })
    }

    /// The customer's log-likelihood ℓ(x, tₓ, T).
    pub fn log_likelihood(&self, customer: &Rfm) -> f64 {
        let shift = self.variant.shift();
        let (r, alpha, a, b, x) = (self.r, self.alpha, self.a, self.b, customer.frequency);
        let head = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) + ln_gamma(b + x + shift) - ln_gamma(b) - ln_gamma(a + b + x + shift);
        let l3 = -(r + x) * (alpha + customer.age).ln();
        if x == 0.0 && shift == 0.0 {
            return head + l3;
        }
        let l4 = a.ln() - (b + x - 1.0 + shift).ln() - (r + x) * (alpha + customer.recency).ln();
        let m = l3.max(l4);
        head + m + ((l3 - m).exp() + (l4 - m).exp()).ln()
    }

    /// Within 1e-7 of a = 1 the expectations' closed forms are 0/0 (a
    /// removable singularity): the same model with a = 1 ∓ 1e-6 (outside that
    /// band, so this does not recurse), whose average is the limit to about
    /// 1e-10 relative.
    fn around_a_equal_to_one(&self) -> Option<(BetaGeo, BetaGeo)> {
        ((self.a - 1.0).abs() < 1e-7).then(|| {
            let with_a = |a: f64| BetaGeo { a, report: None, standard_errors: None, ..*self };
            (with_a(1.0 - 1e-6), with_a(1.0 + 1e-6))
        })
    }

    /// ln of the odds of having dropped out against being active, given the history.
    fn ln_dropout_odds(&self, customer: &Rfm) -> f64 {
        let x = customer.frequency;
        let den = self.b + x - 1.0 + self.variant.shift();
        (self.a / den).ln() + (self.r + x) * ((self.alpha + customer.age) / (self.alpha + customer.recency)).ln()
    }
}

impl PurchaseModel for BetaGeo {
    fn p_alive(&self, customer: &Rfm) -> f64 {
        if self.variant == BetaGeoVariant::Standard && customer.frequency == 0.0 {
            return 1.0;
        }
        1.0 / (1.0 + self.ln_dropout_odds(customer).exp())
    }

    fn conditional_expected_purchases(&self, t: f64, customer: &Rfm) -> f64 {
        if let Some((below, above)) = self.around_a_equal_to_one() {
            return 0.5 * (below.conditional_expected_purchases(t, customer) + above.conditional_expected_purchases(t, customer));
        }
        let (r, alpha, a, b, x) = (self.r, self.alpha, self.a, self.b, customer.frequency);
        let shift = self.variant.shift();
        let z = t / (alpha + customer.age + t);
        // BG/NBD: ₂F₁(r+x, b+x; a+b+x−1; z); MBG/NBD: ₂F₁(r+x, b+x+1; a+b+x; z).
        let ln_hyp = ln_hyp2f1(r + x, b + x + shift, a + b + x - 1.0 + shift, z);
        let first = (a + b + x - 1.0 + shift) / (a - 1.0);
        let second = -(ln_hyp + (r + x) * (1.0 - z).ln()).exp_m1();
        let has_dropout_term = x > 0.0 || shift > 0.0;
        let denominator = if has_dropout_term { 1.0 + self.ln_dropout_odds(customer).exp() } else { 1.0 };
        first * second / denominator
    }

    fn expected_purchases(&self, t: f64) -> f64 {
        if let Some((below, above)) = self.around_a_equal_to_one() {
            return 0.5 * (below.expected_purchases(t) + above.expected_purchases(t));
        }
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let z = t / (alpha + t);
        let (first, ln_hyp) = match self.variant {
            BetaGeoVariant::Standard => ((a + b - 1.0) / (a - 1.0), ln_hyp2f1(r, b, a + b - 1.0, z)),
            BetaGeoVariant::Modified => (b / (a - 1.0), ln_hyp2f1(r, b + 1.0, a + b, z)),
        };
        first * -(ln_hyp + r * (1.0 - z).ln()).exp_m1()
    }

    /// The series of ₂F₁ in the conditional expectation has coefficients that
    /// depend on the parameters and the frequency only; the customer and the
    /// horizon enter through z. So the coefficients are computed once per
    /// distinct frequency (enough terms for the largest z of that frequency)
    /// and each customer's horizons are polynomial evaluations sharing them,
    /// instead of a full series with a division per term for every
    /// (customer, horizon).
    fn conditional_expected_purchases_many(&self, horizons: &[f64], customers: &[Rfm]) -> Vec<f64> {
        use rayon::prelude::*;
        let h = horizons.len();
        let mut out = vec![0.0; h * customers.len()];
        if h == 0 {
            return out;
        }
        let per_customer = |row: &mut [f64], c: &Rfm| {
            for (v, &t) in row.iter_mut().zip(horizons) {
                *v = self.conditional_expected_purchases(t, c);
            }
        };
        let t_max = horizons.iter().copied().fold(0.0, f64::max);
        if self.around_a_equal_to_one().is_some() || !horizons.iter().all(|t| t.is_finite() && *t >= 0.0) {
            out.par_chunks_mut(h).zip(customers.par_iter()).for_each(|(row, c)| per_customer(row, c));
            return out;
        }
        // Distinct frequencies with the youngest age among their customers,
        // which gives the largest z.
        let mut youngest: std::collections::BTreeMap<u64, f64> = std::collections::BTreeMap::new();
        for c in customers {
            let age = youngest.entry(c.frequency.to_bits()).or_insert(c.age);
            *age = age.min(c.age);
        }
        let tables: std::collections::HashMap<u64, Option<HorizonSeries>> = youngest
            .into_par_iter()
            .map(|(bits, age)| {
                let x = f64::from_bits(bits);
                let z_max = t_max / (self.alpha + age + t_max);
                (bits, HorizonSeries::new(self, x, z_max))
            })
            .collect();
        out.par_chunks_mut(h).zip(customers.par_iter()).for_each(|(row, c)| match tables.get(&c.frequency.to_bits()) {
            Some(Some(series)) => series.fill(self, c, horizons, row),
            _ => per_customer(row, c),
        });
        out
    }
}

/// The ₂F₁ series of one frequency's conditional expectation, as
/// [`ln_hyp2f1`] sums it (with Euler's transformation when a + b − c > 0),
/// with its coefficients precomputed.
struct HorizonSeries {
    /// Coefficients of zⁿ, n = 0, 1, …, enough for double precision at the
    /// largest z they are used for.
    coefficients: Vec<f64>,
    /// ln ₂F₁ = ln(series) + `ln_one_minus_z_power` · ln(1 − z) (Euler's
    /// prefactor, 0 without the transformation).
    ln_one_minus_z_power: f64,
}

impl HorizonSeries {
    /// The series for frequency `x` up to `z_max`, or `None` when its terms
    /// come near overflow or converge too slowly for a table (the caller
    /// then uses the general evaluation).
    fn new(model: &BetaGeo, x: f64, z_max: f64) -> Option<Self> {
        let shift = model.variant.shift();
        let (a, b, c) = (model.r + x, model.b + x + shift, model.a + model.b + x - 1.0 + shift);
        let (a, b, ln_one_minus_z_power) = if a + b - c > 0.0 { (c - a, c - b, c - a - b) } else { (a, b, 0.0) };
        let mut coefficients = vec![1.0];
        // The same stopping rule as the general series at z_max; smaller z
        // only make the neglected tail smaller.
        let (mut coefficient, mut term, mut sum) = (1.0f64, 1.0f64, 1.0f64);
        let tail_factor = (z_max / (1.0 - z_max)).max(1.0);
        let settle = z_max.max(0.5);
        for n in 0..100_000 {
            let k = n as f64;
            let ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0));
            coefficient *= ratio;
            term *= ratio * z_max;
            sum += term;
            coefficients.push(coefficient);
            if !(coefficient.abs() < 1e200 && sum.abs() < 1e200) {
                return None;
            }
            if coefficient == 0.0 || term == 0.0 || ((ratio * z_max).abs() <= settle && term.abs() * tail_factor <= 1e-17 * sum.abs()) {
                return Some(HorizonSeries { coefficients, ln_one_minus_z_power });
            }
        }
        None
    }

    /// The customer's conditional expectation at each horizon into `row`,
    /// the formula of [`BetaGeo::conditional_expected_purchases`].
    fn fill(&self, model: &BetaGeo, customer: &Rfm, horizons: &[f64], row: &mut [f64]) {
        let (a, b, x) = (model.a, model.b, customer.frequency);
        let shift = model.variant.shift();
        let base = model.alpha + customer.age;
        let first = (a + b + x - 1.0 + shift) / (a - 1.0);
        let denominator = if x > 0.0 || shift > 0.0 { 1.0 + model.ln_dropout_odds(customer).exp() } else { 1.0 };
        // Horner's rule for every horizon at once: the accumulators in `row`
        // are independent, so the processor overlaps them.
        let mut zs = [0.0f64; 32];
        for chunk in (0..horizons.len()).step_by(zs.len()) {
            let end = (chunk + zs.len()).min(horizons.len());
            let (z, acc) = (&mut zs[..end - chunk], &mut row[chunk..end]);
            for (z, &t) in z.iter_mut().zip(&horizons[chunk..end]) {
                *z = t / (base + t);
            }
            acc.fill(0.0);
            for &coefficient in self.coefficients.iter().rev() {
                for (v, &z) in acc.iter_mut().zip(z.iter()) {
                    *v = *v * z + coefficient;
                }
            }
            for (v, &z) in acc.iter_mut().zip(z.iter()) {
                let ln_one_minus_z = (-z).ln_1p();
                let ln_hyp = if *v > 0.0 { v.ln() + self.ln_one_minus_z_power * ln_one_minus_z } else { f64::NAN };
                let second = -(ln_hyp + (model.r + x) * ln_one_minus_z).exp_m1();
                *v = first * second / denominator;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn sample() -> Vec<Rfm> {
        vec![Rfm::new(0.0, 0.0, 30.0), Rfm::new(2.0, 12.5, 38.0), Rfm::new(5.0, 30.0, 35.0), Rfm::new(1.0, 3.0, 20.0), Rfm::new(0.0, 0.0, 25.0)]
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let data = CountData::new("test", &sample()).expect("valid");
        for variant in [BetaGeoVariant::Standard, BetaGeoVariant::Modified] {
            let x = [-1.2, 1.1, -0.3, 0.8];
            let mut g = [0.0; 4];
            mean_negative_log_likelihood(variant, &x, &data, 0.01, &mut g);
            for i in 0..4 {
                let h = 1e-6;
                let (mut up, mut down) = (x, x);
                up[i] += h;
                down[i] -= h;
                let mut scratch = [0.0; 4];
                let numeric = (mean_negative_log_likelihood(variant, &up, &data, 0.01, &mut scratch)
                    - mean_negative_log_likelihood(variant, &down, &data, 0.01, &mut scratch))
                    / (2.0 * h);
                assert_relative_eq!(g[i], numeric, max_relative = 1e-6, epsilon = 1e-9);
            }
        }
    }

    #[test]
    fn collapsed_likelihood_equals_the_sum_over_customers() {
        // The per-frequency/per-row split must give Σ ℓᵢ of the plain formula.
        for variant in [BetaGeoVariant::Standard, BetaGeoVariant::Modified] {
            let model = BetaGeo::from_params(variant, 0.3, 4.0, 0.8, 2.5).expect("valid");
            let customers = sample();
            let direct: f64 = customers.iter().map(|c| model.log_likelihood(c)).sum();
            let data = CountData::new("test", &customers).expect("valid");
            let x = [0.3f64.ln(), 4f64.ln(), 0.8f64.ln(), 2.5f64.ln()];
            let collapsed = -mean_negative_log_likelihood(variant, &x, &data, 0.0, &mut [0.0; 4]) * data.total_weight;
            assert_relative_eq!(direct, collapsed, max_relative = 1e-13);
        }
    }

    #[test]
    fn a_equal_to_one_gives_the_limit_not_nan() {
        // The expectations are continuous in a: at a = 1 they must lie between
        // the values at a = 1 ∓ 1e-4, within the spread of those two.
        for variant in [BetaGeoVariant::Standard, BetaGeoVariant::Modified] {
            let at = |a: f64| BetaGeo::from_params(variant, 0.243, 4.414, a, 2.426).expect("valid");
            let c = Rfm::new(2.0, 30.0, 38.0);
            for f in [|m: &BetaGeo, c: &Rfm| m.conditional_expected_purchases(10.0, c), |m: &BetaGeo, _: &Rfm| m.expected_purchases(10.0)] {
                let (below, one, above) = (f(&at(1.0 - 1e-4), &c), f(&at(1.0), &c), f(&at(1.0 + 1e-4), &c));
                assert!(one.is_finite() && (one - 0.5 * (below + above)).abs() <= (above - below).abs(), "{below} {one} {above}");
            }
        }
    }

    #[test]
    fn expected_purchases_is_the_limit_of_the_conditional_one_for_a_new_customer() {
        // E[X(t) | x = 0, T → 0] = E[X(t)] for BG/NBD (p_alive = 1 at birth).
        let model = BetaGeo::from_params(BetaGeoVariant::Standard, 0.243, 4.414, 0.793, 2.426).expect("valid");
        let fresh = Rfm::new(0.0, 0.0, 1e-12);
        assert_relative_eq!(model.conditional_expected_purchases(20.0, &fresh), model.expected_purchases(20.0), max_relative = 1e-9);
    }
}
