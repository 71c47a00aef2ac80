//! The state-space recursions of one ETS model with known parameters: the
//! filter that gives one-step predictions and the likelihood, the point
//! forecasts, and the prediction intervals (closed form for the linear
//! models, simulated for the others).

use super::error::ForecastError;
use super::hyperparams::{ErrorKind, EtsSpec, SeasonKind, TrendKind};
use crate::stats::distributions::normal_quantile;

/// The smoothing parameters of a fitted model. β is 0 without a trend, γ is
/// 0 without a season and φ is 1 unless the trend is damped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoothing {
    /// Level smoothing α.
    pub alpha: f64,
    /// Trend smoothing β (the book's β, not β* = β/α of Holt's form).
    pub beta: f64,
    /// Seasonal smoothing γ (the book's γ, not γ* = γ/(1 − α)).
    pub gamma: f64,
    /// Damping φ.
    pub phi: f64,
}

/// The states before the first observation.
#[derive(Debug, Clone, PartialEq)]
pub struct InitialState {
    /// The level ℓ₀.
    pub level: f64,
    /// The trend b₀ (0 without a trend).
    pub trend: f64,
    /// The seasonal states s₁₋ₘ … s₀ in time order: element j is the effect
    /// (or factor) applied to observation j of the series. Empty without a
    /// season.
    pub seasonal: Vec<f64>,
}

/// The states after some observations; the seasonal ring holds at index
/// t mod m the state that applies to observation t.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct State {
    pub(crate) level: f64,
    pub(crate) trend: f64,
    pub(crate) season: Vec<f64>,
}

/// How the intervals of a forecast were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// From the closed-form forecast variance (classes 1 and 2): ŷ ± z √v_h.
    Analytic,
    /// From quantiles of this many simulated future paths.
    Simulated {
        /// The number of paths.
        paths: usize,
    },
}

/// A prediction interval at one coverage level for every horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionInterval {
    /// The nominal coverage, e.g. 0.95.
    pub level: f64,
    /// Lower bounds, horizon 1 first.
    pub lower: Vec<f64>,
    /// Upper bounds, horizon 1 first.
    pub upper: Vec<f64>,
}

/// Point forecasts and their prediction intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Point forecasts (the conditional mean of the linear models; for the
    /// others the forecast with all future errors zero, as in statsmodels and
    /// R), horizon 1 first.
    pub point: Vec<f64>,
    /// One interval per requested level.
    pub intervals: Vec<PredictionInterval>,
    /// How the intervals were computed.
    pub method: IntervalMethod,
}

/// An ETS model fitted to (or run over) a series: its parameters, one-step
/// predictions, likelihood and information criteria; it forecasts.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedEts {
    pub(crate) spec: EtsSpec,
    pub(crate) period: usize,
    pub(crate) smoothing: Smoothing,
    pub(crate) initial: InitialState,
    pub(crate) fitted: Vec<f64>,
    pub(crate) residuals: Vec<f64>,
    pub(crate) sigma2: f64,
    pub(crate) log_likelihood: f64,
    pub(crate) n_params: usize,
    pub(crate) state: State,
    pub(crate) simulations: usize,
    pub(crate) seed: u64,
}

/// The one-step filter over a series, shared by the fit (which only needs
/// the likelihood) and [`FittedEts`].
pub(crate) struct Filtered {
    pub(crate) fitted: Vec<f64>,
    pub(crate) residuals: Vec<f64>,
    pub(crate) state: State,
    pub(crate) sigma2: f64,
    pub(crate) log_likelihood: f64,
}

impl State {
    pub(crate) fn new(initial: &InitialState) -> Self {
        State { level: initial.level, trend: initial.trend, season: initial.seasonal.clone() }
    }

    /// ℓ + φb, the level and trend part of the next prediction.
    fn base(&self, spec: &EtsSpec, phi: f64) -> f64 {
        match spec.trend {
            TrendKind::None => self.level,
            TrendKind::Additive => self.level + self.trend,
            TrendKind::Damped => self.level + phi * self.trend,
        }
    }

    /// ℓ + φb, the seasonal state s and the prediction μ of observation t.
    fn predict(&self, spec: &EtsSpec, phi: f64, t: usize) -> (f64, f64, f64) {
        let q = self.base(spec, phi);
        match spec.season {
            SeasonKind::None => (q, 0.0, q),
            SeasonKind::Additive => {
                let s = self.season[t % self.season.len()];
                (q, s, q + s)
            }
            SeasonKind::Multiplicative => {
                let s = self.season[t % self.season.len()];
                (q, s, q * s)
            }
        }
    }

    /// The prediction of observation t and the states after seeing y there.
    /// The updates are those of Hyndman et al. (2008), Table 2.3, written
    /// with the additive innovation e = y − μ; for a multiplicative error they
    /// are algebraically the same (ε = e/μ), so one recursion serves both.
    fn step(&mut self, spec: &EtsSpec, sm: &Smoothing, t: usize, y: f64) -> f64 {
        let (q, s, mu) = self.predict(spec, sm.phi, t);
        let m = self.season.len();
        let e = y - mu;
        let (level_gain, season_gain) = match spec.season {
            SeasonKind::Multiplicative => (e / s, e / q),
            _ => (e, e),
        };
        let trend_damped = match spec.trend {
            TrendKind::None => 0.0,
            TrendKind::Additive => self.trend,
            TrendKind::Damped => sm.phi * self.trend,
        };
        self.level = q + sm.alpha * level_gain;
        if spec.trend != TrendKind::None {
            self.trend = trend_damped + sm.beta * level_gain;
        }
        if spec.season != SeasonKind::None {
            self.season[t % m] = s + sm.gamma * season_gain;
        }
        mu
    }
}

/// Runs the filter; None when the predictions leave the range where the
/// likelihood is defined (a multiplicative error model predicting 0 or less,
/// or anything not finite).
pub(crate) fn filter(spec: &EtsSpec, sm: &Smoothing, initial: &InitialState, y: &[f64]) -> Option<Filtered> {
    let mut state = State::new(initial);
    let mut fitted = Vec::with_capacity(y.len());
    let mut residuals = Vec::with_capacity(y.len());
    let mut sum_ln_mu = 0.0;
    for (t, &value) in y.iter().enumerate() {
        let mu = state.step(spec, sm, t, value);
        if !mu.is_finite() {
            return None;
        }
        let residual = match spec.error {
            ErrorKind::Additive => value - mu,
            ErrorKind::Multiplicative => {
                if mu <= 0.0 {
                    return None;
                }
                sum_ln_mu += mu.ln();
                (value - mu) / mu
            }
        };
        fitted.push(mu);
        residuals.push(residual);
    }
    let n = y.len() as f64;
    let sigma2 = residuals.iter().map(|r| r * r).sum::<f64>() / n;
    // The concentrated Gaussian log-likelihood of Ord, Koehler and Snyder
    // (1997) with σ² at its maximum SSE/n; a multiplicative error adds the
    // Jacobian −Σ ln μ_t. A perfect fit (σ² = 0) has no finite likelihood.
    if !(sigma2 > 0.0 && sigma2.is_finite()) {
        return None;
    }
    let log_likelihood = -n / 2.0 * ((2.0 * std::f64::consts::PI * sigma2).ln() + 1.0) - sum_ln_mu;
    Some(Filtered { fitted, residuals, state, sigma2, log_likelihood })
}

/// The number of estimated quantities as R's `forecast::ets` counts them:
/// the smoothing parameters of the model, ℓ₀, b₀, m − 1 free seasonal states
/// (they are normalised) and σ².
pub(crate) fn parameter_count(spec: &EtsSpec, period: usize) -> usize {
    let trend = usize::from(spec.trend != TrendKind::None);
    let damped = usize::from(spec.trend == TrendKind::Damped);
    let season = usize::from(spec.season != SeasonKind::None);
    1 + trend + season + damped + 1 + trend + season * (period - 1) + 1
}

/// Checks a series for a model: finite, not constant, and positive where a
/// component is multiplicative.
pub(crate) fn check_series(spec: &EtsSpec, y: &[f64]) -> Result<(), ForecastError> {
    check_finite_and_varying(y)?;
    for (index, &value) in y.iter().enumerate() {
        if spec.needs_positive() && value <= 0.0 {
            return Err(ForecastError::NonPositive { index, value, model: spec.to_string() });
        }
    }
    Ok(())
}

/// Every value finite, and not all the same (the error variance of any
/// model would be 0 and its likelihood unbounded).
pub(crate) fn check_finite_and_varying(y: &[f64]) -> Result<(), ForecastError> {
    for (index, &value) in y.iter().enumerate() {
        if !value.is_finite() {
            return Err(ForecastError::NonFinite { index, value });
        }
    }
    match y.first() {
        Some(&first) if y.iter().all(|v| *v == first) => Err(ForecastError::Constant { value: first }),
        _ => Ok(()),
    }
}

impl FittedEts {
    /// Runs a model with known smoothing parameters and initial states over a
    /// series (statsmodels' `ETSModel.smooth` with `initialization_method =
    /// "known"`), e.g. to reproduce a published fit.
    pub fn with_states(spec: EtsSpec, period: usize, smoothing: Smoothing, initial: InitialState, y: &[f64]) -> Result<Self, ForecastError> {
        let period = if spec.season == SeasonKind::None { 1 } else { period };
        let expected = if spec.season == SeasonKind::None { 0 } else { period };
        if initial.seasonal.len() != expected {
            return Err(ForecastError::InitialSeasonLength { expected, found: initial.seasonal.len() });
        }
        if y.len() < 2 {
            return Err(ForecastError::TooShort { needed: 2, found: y.len(), why: "to estimate the error variance".to_owned() });
        }
        check_series(&spec, y)?;
        for (name, value) in [("alpha", smoothing.alpha), ("beta", smoothing.beta), ("gamma", smoothing.gamma), ("phi", smoothing.phi)] {
            if !value.is_finite() {
                return Err(ForecastError::InvalidSetting { name, value, why: "smoothing parameters must be finite numbers" });
            }
        }
        let filtered = filter(&spec, &smoothing, &initial, y).ok_or_else(|| ForecastError::NoFit { model: spec.to_string() })?;
        Ok(Self::from_filtered(spec, period, smoothing, initial, filtered, 5_000, 42))
    }

    pub(crate) fn from_filtered(
        spec: EtsSpec,
        period: usize,
        smoothing: Smoothing,
        initial: InitialState,
        filtered: Filtered,
        simulations: usize,
        seed: u64,
    ) -> Self {
        FittedEts {
            spec,
            period,
            smoothing,
            initial,
            fitted: filtered.fitted,
            residuals: filtered.residuals,
            sigma2: filtered.sigma2,
            log_likelihood: filtered.log_likelihood,
            n_params: parameter_count(&spec, period),
            state: filtered.state,
            simulations,
            seed,
        }
    }

    /// The model.
    pub fn spec(&self) -> EtsSpec {
        self.spec
    }

    /// The season length used (1 without a season).
    pub fn period(&self) -> usize {
        self.period
    }

    /// The smoothing parameters.
    pub fn smoothing(&self) -> Smoothing {
        self.smoothing
    }

    /// The initial states.
    pub fn initial_state(&self) -> &InitialState {
        &self.initial
    }

    /// The one-step predictions μ_t of every observation.
    pub fn fitted(&self) -> &[f64] {
        &self.fitted
    }

    /// The residuals: y − μ for an additive error, (y − μ)/μ for a multiplicative one.
    pub fn residuals(&self) -> &[f64] {
        &self.residuals
    }

    /// The error variance σ², estimated as the mean squared residual (the
    /// maximum likelihood estimate, as statsmodels; R divides by n − k).
    pub fn sigma2(&self) -> f64 {
        self.sigma2
    }

    /// The Gaussian log-likelihood at σ² = [`FittedEts::sigma2`].
    pub fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }

    /// The number of estimated quantities k counted by the criteria (see the module docs).
    pub fn n_params(&self) -> usize {
        self.n_params
    }

    /// AIC = −2 log L + 2k.
    pub fn aic(&self) -> f64 {
        -2.0 * self.log_likelihood + 2.0 * self.n_params as f64
    }

    /// AICc = AIC + 2k(k + 1)/(n − k − 1); None when n ≤ k + 1.
    pub fn aicc(&self) -> Option<f64> {
        let n = self.fitted.len() as f64;
        let k = self.n_params as f64;
        (n - k - 1.0 > 0.0).then(|| self.aic() + 2.0 * k * (k + 1.0) / (n - k - 1.0))
    }

    /// BIC = −2 log L + k ln n.
    pub fn bic(&self) -> f64 {
        -2.0 * self.log_likelihood + self.n_params as f64 * (self.fitted.len() as f64).ln()
    }

    /// Point forecasts for horizons 1…h and prediction intervals at each of
    /// `levels` (coverage fractions such as 0.8 and 0.95; levels outside
    /// (0, 1) are left out). Models without a multiplicative season get
    /// intervals from their closed-form variance; the others quantiles of
    /// simulated paths (see the module docs).
    pub fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        if self.spec.has_closed_form_variance() { self.forecast_analytic(h, levels) } else { self.forecast_simulated(h, levels) }
    }

    /// As [`FittedEts::forecast`], but the intervals are always quantiles of
    /// simulated paths, which keeps the skew of a multiplicative model's
    /// forecast distribution that the closed-form normal intervals ignore
    /// (statsmodels' `method="simulated"`).
    pub fn forecast_simulated(&self, h: usize, levels: &[f64]) -> Forecast {
        let point = self.point_forecast(h);
        let paths = self.simulate(h);
        let intervals = valid_levels(levels)
            .map(|level| PredictionInterval {
                level,
                lower: paths.iter().zip(&point).map(|(sorted, p)| quantile(sorted, 0.5 - level / 2.0).unwrap_or(*p)).collect(),
                upper: paths.iter().zip(&point).map(|(sorted, p)| quantile(sorted, 0.5 + level / 2.0).unwrap_or(*p)).collect(),
            })
            .collect();
        Forecast { point, intervals, method: IntervalMethod::Simulated { paths: self.simulations } }
    }

    /// ŷ ± z √v_h with the closed-form variance (classes 1 and 2).
    fn forecast_analytic(&self, h: usize, levels: &[f64]) -> Forecast {
        let point = self.point_forecast(h);
        let variance = self.closed_form_variance(&point);
        let intervals = valid_levels(levels)
            .map(|level| {
                let z = normal_quantile(0.5 + level / 2.0);
                let half: Vec<f64> = variance.iter().map(|v| z * v.sqrt()).collect();
                PredictionInterval {
                    level,
                    lower: point.iter().zip(&half).map(|(p, w)| p - w).collect(),
                    upper: point.iter().zip(&half).map(|(p, w)| p + w).collect(),
                }
            })
            .collect();
        Forecast { point, intervals, method: IntervalMethod::Analytic }
    }

    /// ŷ_{n+h} = (ℓ_n + φ_h b_n) ⊕ s_{n+h−m(k+1)}, φ_h = φ + … + φʰ, k = ⌊(h−1)/m⌋.
    fn point_forecast(&self, h: usize) -> Vec<f64> {
        let n = self.fitted.len();
        let mut phi_h = 0.0;
        let mut phi_power = 1.0;
        (1..=h)
            .map(|step| {
                phi_power *= self.smoothing.phi;
                phi_h += phi_power;
                let q = match self.spec.trend {
                    TrendKind::None => self.state.level,
                    TrendKind::Additive => self.state.level + step as f64 * self.state.trend,
                    TrendKind::Damped => self.state.level + phi_h * self.state.trend,
                };
                let index = (n + step - 1) % self.period;
                match self.spec.season {
                    SeasonKind::None => q,
                    SeasonKind::Additive => q + self.state.season[index],
                    SeasonKind::Multiplicative => q * self.state.season[index],
                }
            })
            .collect()
    }

    /// The forecast variance of classes 1 and 2 (Hyndman et al. 2008, §6.3),
    /// with c_j = α + β φ_j + γ [j mod m = 0] (φ_j = φ + … + φʲ):
    ///
    /// * additive error: v_h = σ²(1 + Σ_{j=1}^{h−1} c_j²), summed term by
    ///   term, which equals the closed forms of their Table 6.1;
    /// * multiplicative error: v_h = (1 + σ²)θ_h − μ_h², θ_1 = μ_1²,
    ///   θ_h = μ_h² + σ² Σ_{j=1}^{h−1} c_j² θ_{h−j}, with μ_h the point forecasts.
    fn closed_form_variance(&self, point: &[f64]) -> Vec<f64> {
        let Smoothing { alpha, beta, gamma, phi } = self.smoothing;
        let damping = if self.spec.trend == TrendKind::Damped { phi } else { 1.0 };
        let mut phi_j = 0.0;
        let mut phi_power = 1.0;
        let c_squared: Vec<f64> = (1..point.len())
            .map(|j| {
                phi_power *= damping;
                phi_j += phi_power;
                let mut c = alpha;
                if self.spec.trend != TrendKind::None {
                    c += beta * phi_j;
                }
                if self.spec.season != SeasonKind::None && j % self.period == 0 {
                    c += gamma;
                }
                c * c
            })
            .collect();
        match self.spec.error {
            ErrorKind::Additive => {
                let mut sum = 0.0;
                (0..point.len())
                    .map(|k| {
                        if k > 0 {
                            sum += c_squared[k - 1];
                        }
                        self.sigma2 * (1.0 + sum)
                    })
                    .collect()
            }
            ErrorKind::Multiplicative => {
                let mut theta: Vec<f64> = Vec::with_capacity(point.len());
                for (k, mu) in point.iter().enumerate() {
                    // θ_{k+1} = μ² + σ² Σ_{j=1}^{k} c_j² θ_{k+1−j}, θ stored from index 0.
                    let sum: f64 = (1..=k).map(|j| c_squared[j - 1] * theta[k - j]).sum();
                    theta.push(mu * mu + self.sigma2 * sum);
                }
                theta.iter().zip(point).map(|(t, mu)| (1.0 + self.sigma2) * t - mu * mu).collect()
            }
        }
    }

    /// Simulates `simulations` future paths of h steps from the last state with
    /// Gaussian errors of variance σ², and returns each horizon's values sorted.
    fn simulate(&self, h: usize) -> Vec<Vec<f64>> {
        let n = self.fitted.len();
        let sigma = self.sigma2.sqrt();
        let mut rng = SplitMix64(self.seed);
        let mut by_horizon = vec![Vec::with_capacity(self.simulations); h];
        for _ in 0..self.simulations {
            let mut state = self.state.clone();
            for (step, values) in by_horizon.iter_mut().enumerate() {
                let (_, _, mu) = state.predict(&self.spec, self.smoothing.phi, n + step);
                let epsilon = sigma * normal_quantile(rng.next_open01());
                let y = match self.spec.error {
                    ErrorKind::Additive => mu + epsilon,
                    ErrorKind::Multiplicative => mu * (1.0 + epsilon),
                };
                state.step(&self.spec, &self.smoothing, n + step, y);
                // A path whose states blew up (possible for multiplicative
                // models far ahead) is left out rather than poisoning the quantiles.
                if y.is_finite() {
                    values.push(y);
                }
            }
        }
        for values in &mut by_horizon {
            values.sort_by(f64::total_cmp);
        }
        by_horizon
    }
}

/// The levels strictly between 0 and 1.
fn valid_levels(levels: &[f64]) -> impl Iterator<Item = f64> + '_ {
    levels.iter().copied().filter(|l| *l > 0.0 && *l < 1.0)
}

/// The p-quantile of sorted values with linear interpolation (numpy's
/// default, type 7); None for no values (every path blew up).
fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    Some(sorted[below] + (position - below as f64) * (sorted[above] - sorted[below]))
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, well-mixed generator
/// that keeps simulated intervals repeatable without a dependency.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    /// A uniform number strictly between 0 and 1 (53 random bits, offset by half a step).
    pub(crate) fn next_open01(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}
