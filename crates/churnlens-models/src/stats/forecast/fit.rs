//! Estimation of one ETS model and the automatic choice among them.
//!
//! Initial states come from the heuristic (see `init`) and stay fixed;
//! the free smoothing parameters maximise the concentrated likelihood by
//! Nelder–Mead on an unbounded vector θ mapped into the usual region of
//! Hyndman et al. (2008, §5.2; R's `forecast::ets` defaults), with
//! σ(x) = 1/(1 + e⁻ˣ):
//! α = 10⁻⁴ + (0.9999 − 10⁻⁴)σ(θ₁), β = α σ(θ₂), γ = (1 − α)σ(θ₃),
//! φ = 0.8 + 0.18 σ(θ₄).

use super::error::ForecastError;
use super::hyperparams::{Criterion, ErrorKind, EtsParams, EtsSpec, SeasonKind, TrendKind, ValidEtsParams};
use super::init::{heuristic, minimum_length};
use super::model::{FittedEts, Smoothing, check_finite_and_varying, check_series, filter, parameter_count};
use super::nelder_mead::minimise;

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

impl EtsParams {
    /// Checks the settings and fits them to `y` (oldest value first).
    pub fn fit(self, y: &[f64]) -> Result<FittedEts, ForecastError> {
        self.check()?.fit(y)
    }
}

impl ValidEtsParams {
    /// Fits the chosen model, or every model the series allows and keeps the
    /// one with the lowest criterion.
    pub fn fit(&self, y: &[f64]) -> Result<FittedEts, ForecastError> {
        let params = &self.0;
        if let Some(spec) = params.spec {
            return fit_one(params, spec, y);
        }
        if y.len() < minimum_length(SeasonKind::None, 1) {
            return Err(ForecastError::TooShort { needed: 10, found: y.len(), why: "to fit any exponential smoothing model".to_owned() });
        }
        check_finite_and_varying(y)?;
        let mut best: Option<(f64, FittedEts)> = None;
        for spec in candidates(params, y) {
            // A candidate that cannot be fitted (its predictions leave the
            // positive range, say) simply does not compete.
            let Ok(fitted) = fit_one(params, spec, y) else { continue };
            let score = match params.criterion {
                Criterion::Aicc => fitted.aicc(),
                Criterion::Aic => Some(fitted.aic()),
            };
            if let Some(score) = score
                && best.as_ref().is_none_or(|(b, _)| score < *b)
            {
                best = Some((score, fitted));
            }
        }
        best.map(|(_, fitted)| fitted).ok_or_else(|| ForecastError::NoFit { model: "any ETS".to_owned() })
    }
}

/// The models an automatic fit compares: additive or multiplicative error
/// (the latter only for a positive series), no, additive or damped trend, and
/// no season or — when the period and the length allow — an additive or
/// multiplicative one. Additive error with a multiplicative season is left
/// out, as R's `ets` does by default, because its likelihood is unstable
/// (division by seasonal factors near zero). Models with more quantities
/// than the AICc allows for the length are left out too.
fn candidates(params: &EtsParams, y: &[f64]) -> Vec<EtsSpec> {
    let positive = y.iter().all(|v| *v > 0.0);
    let errors: &[ErrorKind] = if positive { &[ErrorKind::Additive, ErrorKind::Multiplicative] } else { &[ErrorKind::Additive] };
    let mut seasons = vec![SeasonKind::None];
    if params.period > 1 && y.len() >= minimum_length(SeasonKind::Additive, params.period) {
        seasons.push(SeasonKind::Additive);
        if positive {
            seasons.push(SeasonKind::Multiplicative);
        }
    }
    let mut specs = Vec::new();
    for &error in errors {
        for trend in [TrendKind::None, TrendKind::Additive, TrendKind::Damped] {
            for &season in &seasons {
                let spec = EtsSpec::new(error, trend, season);
                let excluded = error == ErrorKind::Additive && season == SeasonKind::Multiplicative;
                let period = if season == SeasonKind::None { 1 } else { params.period };
                if !excluded && parameter_count(&spec, period) + 1 < y.len() {
                    specs.push(spec);
                }
            }
        }
    }
    specs
}

/// Fits one model: heuristic initial states, then Nelder–Mead over the free
/// smoothing parameters.
fn fit_one(params: &EtsParams, spec: EtsSpec, y: &[f64]) -> Result<FittedEts, ForecastError> {
    check_series(&spec, y)?;
    let period = if spec.season == SeasonKind::None { 1 } else { params.period };
    let initial = heuristic(y, spec.trend, spec.season, period)?;
    let has_trend = spec.trend != TrendKind::None;
    let has_season = spec.season != SeasonKind::None;
    let damped = spec.trend == TrendKind::Damped;
    let free_alpha = params.alpha.is_none();
    let free_beta = has_trend && params.beta.is_none();
    let free_gamma = has_season && params.gamma.is_none();
    let free_phi = damped && params.phi.is_none();

    // Maps θ to the parameters; None when fixed values break β ≤ α or γ ≤ 1 − α.
    let smoothing_of = |theta: &[f64]| -> Option<Smoothing> {
        let mut next = theta.iter();
        let alpha = if free_alpha { 1e-4 + (0.9999 - 1e-4) * logistic(*next.next()?) } else { params.alpha? };
        let beta = if !has_trend {
            0.0
        } else if free_beta {
            alpha * logistic(*next.next()?)
        } else {
            params.beta?
        };
        let gamma = if !has_season {
            0.0
        } else if free_gamma {
            (1.0 - alpha) * logistic(*next.next()?)
        } else {
            params.gamma?
        };
        let phi = if !damped {
            1.0
        } else if free_phi {
            0.8 + 0.18 * logistic(*next.next()?)
        } else {
            params.phi?
        };
        (beta <= alpha && gamma <= 1.0 - alpha).then_some(Smoothing { alpha, beta, gamma, phi })
    };
    // Starting values in the spirit of R's `ets`: a moderate level weight,
    // small trend and season weights, light damping.
    let (alpha0, beta_share, gamma_share, phi0) = (0.3, 0.1, 0.1, 0.95);
    let mut start = Vec::new();
    if free_alpha {
        start.push(logit((alpha0 - 1e-4) / (0.9999 - 1e-4)));
    }
    if free_beta {
        start.push(logit(beta_share));
    }
    if free_gamma {
        start.push(logit(gamma_share));
    }
    if free_phi {
        start.push(logit((phi0 - 0.8) / 0.18));
    }
    let objective =
        |theta: &[f64]| -> f64 { smoothing_of(theta).and_then(|sm| filter(&spec, &sm, &initial, y)).map_or(f64::INFINITY, |f| -2.0 * f.log_likelihood) };
    let minimum = minimise(objective, &start, 1.0, 1_000);
    let smoothing = smoothing_of(&minimum).ok_or_else(|| ForecastError::NoFit { model: spec.to_string() })?;
    let filtered = filter(&spec, &smoothing, &initial, y).ok_or_else(|| ForecastError::NoFit { model: spec.to_string() })?;
    Ok(FittedEts::from_filtered(spec, period, smoothing, initial, filtered, params.simulations, params.seed))
}
