//! The settings of an exponential smoothing fit: which model (or an automatic
//! choice among all of them), fixed smoothing parameters if any, and how
//! prediction intervals of the non-linear models are simulated.

use std::fmt;

use super::error::ForecastError;

/// How the error enters: y = μ + ε (additive) or y = μ(1 + ε) (multiplicative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// y = μ + ε: the spread of the series does not grow with its level.
    Additive,
    /// y = μ(1 + ε): the spread grows with the level; needs a positive series.
    Multiplicative,
}

/// The trend component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrendKind {
    /// No trend: forecasts are flat apart from the season.
    None,
    /// A linear trend b that the forecasts extend for ever.
    Additive,
    /// A trend damped by φ < 1: the h-step forecast adds (φ + … + φʰ)·b.
    Damped,
}

/// The seasonal component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeasonKind {
    /// No season.
    None,
    /// Seasonal effects added to the level (constant amplitude).
    Additive,
    /// Seasonal factors multiplying the level (amplitude grows with the level);
    /// needs a positive series.
    Multiplicative,
}

/// One member of the ETS family, written ETS(error, trend, season) as in
/// Hyndman et al. (2008), e.g. ETS(A,Ad,M).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EtsSpec {
    /// The error component.
    pub error: ErrorKind,
    /// The trend component.
    pub trend: TrendKind,
    /// The seasonal component.
    pub season: SeasonKind,
}

impl EtsSpec {
    /// The model with the given components.
    pub fn new(error: ErrorKind, trend: TrendKind, season: SeasonKind) -> Self {
        EtsSpec { error, trend, season }
    }

    /// True when any component is multiplicative, so the series must be positive.
    pub fn needs_positive(&self) -> bool {
        self.error == ErrorKind::Multiplicative || self.season == SeasonKind::Multiplicative
    }

    /// True when the forecast variance is known in closed form: no
    /// multiplicative season, i.e. the linear models (class 1 of Hyndman et
    /// al. 2008, ch. 6) and their multiplicative-error twins (class 2).
    pub fn has_closed_form_variance(&self) -> bool {
        self.season != SeasonKind::Multiplicative
    }
}

impl fmt::Display for EtsSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = match self.error {
            ErrorKind::Additive => "A",
            ErrorKind::Multiplicative => "M",
        };
        let trend = match self.trend {
            TrendKind::None => "N",
            TrendKind::Additive => "A",
            TrendKind::Damped => "Ad",
        };
        let season = match self.season {
            SeasonKind::None => "N",
            SeasonKind::Additive => "A",
            SeasonKind::Multiplicative => "M",
        };
        write!(f, "ETS({error},{trend},{season})")
    }
}

/// The information criterion that picks the model in an automatic fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Akaike's criterion with the small-sample correction (the default, as in
    /// R's `forecast::ets` and statsforecast's AutoETS).
    Aicc,
    /// Akaike's criterion.
    Aic,
}

/// Settings of an exponential smoothing fit; build with [`EtsParams::new`],
/// change with the builder methods, then [`EtsParams::check`] or fit directly
/// with [`EtsParams::fit`].
///
/// Defaults: automatic model choice by AICc among all models the series
/// allows; smoothing parameters estimated; 5,000 simulated paths with seed 42
/// for the intervals of the non-linear models.
#[derive(Debug, Clone, PartialEq)]
pub struct EtsParams {
    pub(crate) period: usize,
    pub(crate) spec: Option<EtsSpec>,
    pub(crate) criterion: Criterion,
    pub(crate) alpha: Option<f64>,
    pub(crate) beta: Option<f64>,
    pub(crate) gamma: Option<f64>,
    pub(crate) phi: Option<f64>,
    pub(crate) simulations: usize,
    pub(crate) seed: u64,
}

/// Settings that passed [`EtsParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEtsParams(pub(crate) EtsParams);

impl ValidEtsParams {
    /// The settings.
    pub fn params(&self) -> &EtsParams {
        &self.0
    }
}

impl EtsParams {
    /// Settings for a series whose season repeats every `period` observations
    /// (12 for monthly data with a yearly season, 52 for weekly; 1 for none).
    pub fn new(period: usize) -> Self {
        EtsParams { period, spec: None, criterion: Criterion::Aicc, alpha: None, beta: None, gamma: None, phi: None, simulations: 5_000, seed: 42 }
    }

    /// Fit this one model instead of choosing automatically.
    pub fn model(mut self, spec: EtsSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// The criterion of the automatic choice (default AICc).
    pub fn criterion(mut self, criterion: Criterion) -> Self {
        self.criterion = criterion;
        self
    }

    /// Fix the level smoothing parameter α (0 < α < 1) instead of estimating it.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// Fix the trend smoothing parameter β (0 ≤ β ≤ α).
    pub fn beta(mut self, beta: f64) -> Self {
        self.beta = Some(beta);
        self
    }

    /// Fix the seasonal smoothing parameter γ (0 ≤ γ ≤ 1 − α).
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = Some(gamma);
        self
    }

    /// Fix the damping parameter φ (0 < φ ≤ 1).
    pub fn phi(mut self, phi: f64) -> Self {
        self.phi = Some(phi);
        self
    }

    /// The number of simulated paths for the intervals of the non-linear
    /// models (default 5,000; at least 100).
    pub fn simulations(mut self, simulations: usize) -> Self {
        self.simulations = simulations;
        self
    }

    /// The seed of those simulations (default 42), so forecasts are repeatable.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The season length.
    pub fn period(&self) -> usize {
        self.period
    }

    /// Checks the settings on their own (the series is checked by `fit`).
    pub fn check(self) -> Result<ValidEtsParams, ForecastError> {
        if self.period == 0 {
            return Err(ForecastError::InvalidSetting { name: "period", value: 0.0, why: "the season length must be 1 (no season) or more" });
        }
        if let Some(spec) = self.spec
            && spec.season != SeasonKind::None
            && self.period < 2
        {
            return Err(ForecastError::InvalidSetting {
                name: "period",
                value: self.period as f64,
                why: "a seasonal model needs a season of 2 periods or more",
            });
        }
        if self.simulations < 100 {
            return Err(ForecastError::InvalidSetting {
                name: "simulations",
                value: self.simulations as f64,
                why: "at least 100 paths are needed for stable intervals",
            });
        }
        if let Some(alpha) = self.alpha
            && !(alpha > 0.0 && alpha < 1.0)
        {
            return Err(ForecastError::InvalidSetting { name: "alpha", value: alpha, why: "the level smoothing parameter must be between 0 and 1" });
        }
        let alpha_max = self.alpha.unwrap_or(1.0);
        if let Some(beta) = self.beta
            && !((0.0..=alpha_max).contains(&beta))
        {
            return Err(ForecastError::InvalidSetting { name: "beta", value: beta, why: "the trend smoothing parameter must be between 0 and alpha" });
        }
        if let Some(gamma) = self.gamma
            && !((0.0..=1.0 - self.alpha.unwrap_or(0.0)).contains(&gamma))
        {
            return Err(ForecastError::InvalidSetting { name: "gamma", value: gamma, why: "the seasonal smoothing parameter must be between 0 and 1 - alpha" });
        }
        if let Some(phi) = self.phi
            && !(phi > 0.0 && phi <= 1.0)
        {
            return Err(ForecastError::InvalidSetting { name: "phi", value: phi, why: "the damping parameter must be above 0 and at most 1" });
        }
        Ok(ValidEtsParams(self))
    }
}
