//! How good the forecasts are and which periods were surprising:
//! a rolling-origin backtest against the seasonal-naive baseline, and
//! anomaly flags from one-step-ahead prediction intervals.
//!
//! Rolling origin (Tashman 2000): for each origin t = t₀, t₀ + step, … with
//! t + h ≤ n, fit on y₀ … y_{t−1} only, forecast h steps and compare with
//! y_t … y_{t+h−1}. Over all (origin, horizon) pairs, with e = y − ŷ:
//!
//! * MAPE = 100 · mean |e / y| (undefined if some actual is 0),
//! * sMAPE = 100 · mean 2|e| / (|y| + |ŷ|) (a pair with y = ŷ = 0 counts 0),
//! * MASE = mean |e| / d, where d is the in-sample mean absolute error of
//!   the seasonal-naive one-step forecast |y_i − y_{i−m}| over the training
//!   window of the same origin (Hyndman and Koehler 2006; m = 1 without a
//!   season); undefined if some d is 0.
//!
//! Seasonal naive: ŷ_{t+h} = y_{t+h−m(⌊(h−1)/m⌋+1)}, the last value in the same
//! season.

use super::error::ForecastError;
use super::hyperparams::{EtsParams, EtsSpec};

/// Where the backtest's origins are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BacktestParams {
    /// The length of the first training window t₀.
    pub min_train: usize,
    /// The forecast horizon h.
    pub horizon: usize,
    /// The distance between consecutive origins.
    pub step: usize,
}

/// Accuracy measures over all (origin, horizon) pairs, in percent for MAPE
/// and sMAPE; None where a measure is undefined for the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// Mean absolute percentage error.
    pub mape: Option<f64>,
    /// Symmetric mean absolute percentage error.
    pub smape: f64,
    /// Mean absolute scaled error.
    pub mase: Option<f64>,
    /// The number of forecast–actual pairs.
    pub pairs: usize,
}

/// The result of a rolling-origin backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestReport {
    /// The ETS forecasts' accuracy.
    pub ets: Accuracy,
    /// The seasonal-naive baseline's accuracy on the same pairs.
    pub seasonal_naive: Accuracy,
    /// Each origin (the training length) and the model chosen there.
    pub origins: Vec<(usize, EtsSpec)>,
}

/// One period checked against the one-step-ahead interval of a forecast made
/// from the periods before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyCheck {
    /// The period's position in the series.
    pub index: usize,
    /// The observed value.
    pub actual: f64,
    /// The forecast made before it.
    pub forecast: f64,
    /// The interval's lower bound.
    pub lower: f64,
    /// The interval's upper bound.
    pub upper: f64,
    /// True when the actual value falls outside the interval.
    pub anomalous: bool,
}

/// The seasonal-naive forecasts of horizons 1…h from the end of `y`
/// (`period` 1 gives the naive forecast).
pub fn seasonal_naive(y: &[f64], period: usize, h: usize) -> Result<Vec<f64>, ForecastError> {
    let period = period.max(1);
    if y.len() < period {
        return Err(ForecastError::TooShort { needed: period, found: y.len(), why: "for a seasonal-naive forecast (one full season)".to_owned() });
    }
    let n = y.len();
    // In 0-based positions the forecast of position n + step − 1 repeats position n + step − 1 − m(k + 1).
    Ok((1..=h).map(|step| y[n + step - 1 - period * ((step - 1) / period + 1)]).collect())
}

/// Sums of the error terms of one forecaster over the backtest.
#[derive(Default)]
struct Errors {
    ape: f64,
    ape_defined: bool,
    sape: f64,
    scaled: f64,
    scaled_defined: bool,
    pairs: usize,
}

impl Errors {
    fn new() -> Self {
        Errors { ape_defined: true, scaled_defined: true, ..Errors::default() }
    }

    fn add(&mut self, actual: f64, forecast: f64, scale: f64) {
        let error = (actual - forecast).abs();
        if actual == 0.0 {
            self.ape_defined = false;
        } else {
            self.ape += error / actual.abs();
        }
        let denominator = actual.abs() + forecast.abs();
        if denominator > 0.0 {
            self.sape += 2.0 * error / denominator;
        }
        if scale > 0.0 {
            self.scaled += error / scale;
        } else {
            self.scaled_defined = false;
        }
        self.pairs += 1;
    }

    fn accuracy(&self) -> Accuracy {
        let n = self.pairs as f64;
        Accuracy {
            mape: self.ape_defined.then_some(100.0 * self.ape / n),
            smape: 100.0 * self.sape / n,
            mase: self.scaled_defined.then_some(self.scaled / n),
            pairs: self.pairs,
        }
    }
}

/// The MASE scale of a training window: the mean |y_i − y_{i−m}|.
fn naive_scale(train: &[f64], period: usize) -> f64 {
    let m = if train.len() > period { period } else { 1 };
    let differences: Vec<f64> = train.windows(m + 1).map(|w| (w[m] - w[0]).abs()).collect();
    differences.iter().sum::<f64>() / differences.len() as f64
}

/// Rolling-origin backtest of the ETS fit described by `params` (refitted,
/// including the automatic model choice, at every origin) against the
/// seasonal-naive forecast.
pub fn rolling_origin(y: &[f64], params: &EtsParams, settings: &BacktestParams) -> Result<BacktestReport, ForecastError> {
    let BacktestParams { min_train, horizon, step } = *settings;
    if horizon == 0 || step == 0 {
        return Err(ForecastError::InvalidSetting { name: "horizon and step", value: 0.0, why: "the horizon and the step must be at least 1" });
    }
    let period = params.period().max(1);
    let needed = min_train.max(period + 1).max(2);
    if y.len() < needed + horizon {
        return Err(ForecastError::TooShort { needed: needed + horizon, found: y.len(), why: "for one training window and one forecast horizon".to_owned() });
    }
    let valid = params.clone().check()?;
    let (mut ets, mut naive) = (Errors::new(), Errors::new());
    let mut origins = Vec::new();
    let mut origin = needed;
    while origin + horizon <= y.len() {
        let train = &y[..origin];
        let fitted = valid.fit(train)?;
        let point = fitted.forecast(horizon, &[]).point;
        let baseline = seasonal_naive(train, period, horizon)?;
        let scale = naive_scale(train, period);
        for (k, actual) in y[origin..origin + horizon].iter().enumerate() {
            ets.add(*actual, point[k], scale);
            naive.add(*actual, baseline[k], scale);
        }
        origins.push((origin, fitted.spec()));
        origin += step;
    }
    Ok(BacktestReport { ets: ets.accuracy(), seasonal_naive: naive.accuracy(), origins })
}

/// Checks every period from `min_train` on against the `level` interval of a
/// one-step-ahead forecast fitted to the periods before it (refitted each
/// period), and flags those outside it.
pub fn flag_anomalies(y: &[f64], params: &EtsParams, min_train: usize, level: f64) -> Result<Vec<AnomalyCheck>, ForecastError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(ForecastError::InvalidSetting { name: "level", value: level, why: "the interval's coverage must be between 0 and 1" });
    }
    if y.len() <= min_train {
        return Err(ForecastError::TooShort {
            needed: min_train + 1,
            found: y.len(),
            why: "to check at least one period after the training window".to_owned(),
        });
    }
    let valid = params.clone().check()?;
    (min_train..y.len())
        .map(|index| {
            let forecast = valid.fit(&y[..index])?.forecast(1, &[level]);
            let interval = &forecast.intervals[0];
            let (lower, upper) = (interval.lower[0], interval.upper[0]);
            let actual = y[index];
            Ok(AnomalyCheck { index, actual, forecast: forecast.point[0], lower, upper, anomalous: actual < lower || actual > upper })
        })
        .collect()
}
