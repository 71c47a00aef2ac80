//! Initial states by the heuristic of Hyndman et al. (2008, §2.6.1) in the
//! variant of statsmodels (`initialization_method="heuristic"`):
//!
//! 1. With a season of m periods, take the first k = max(min(5, ⌊n/m⌋),
//!    ⌈(10 + 2⌊m/2⌋)/m⌉) cycles, smooth them with a centred moving average
//!    (2×m for even m), and average the detrended values (y − MA, or y / MA
//!    for a multiplicative season) by position in the cycle; normalise the m
//!    averages to sum 0 (mean 1). The series is then replaced by the moving average.
//! 2. Regress the first 10 values on t = 1…10: the intercept is ℓ₀, the slope b₀.

use super::error::ForecastError;
use super::hyperparams::{SeasonKind, TrendKind};
use super::model::InitialState;

/// The fewest observations the heuristic accepts for a season of `period`
/// (statsmodels' limits: 10 values for the regression, two full cycles and
/// 10 values left after the moving average).
pub(crate) fn minimum_length(season: SeasonKind, period: usize) -> usize {
    match season {
        SeasonKind::None => 10,
        _ => (2 * period).max(10 + 2 * (period / 2)),
    }
}

/// The heuristic initial states of a model with this trend and season.
pub(crate) fn heuristic(y: &[f64], trend: TrendKind, season: SeasonKind, period: usize) -> Result<InitialState, ForecastError> {
    let needed = minimum_length(season, period);
    if y.len() < needed {
        let why = match season {
            SeasonKind::None => "to set the initial level and trend".to_owned(),
            _ => format!("to estimate a season of {period} periods (two full cycles and 10 values after smoothing)"),
        };
        return Err(ForecastError::TooShort { needed, found: y.len(), why });
    }
    let (seasonal, base) = match season {
        SeasonKind::None => (Vec::new(), y.to_vec()),
        _ => {
            let min_obs = 10 + 2 * (period / 2);
            let cycles = (y.len() / period).min(5).max(min_obs.div_ceil(period));
            let head = &y[..(cycles * period).min(y.len())];
            let average = centred_moving_average(head, period);
            let mut sums = vec![0.0; period];
            let mut counts = vec![0usize; period];
            for (t, (value, ma)) in head.iter().zip(&average).enumerate() {
                if let Some(ma) = ma {
                    sums[t % period] += if season == SeasonKind::Additive { value - ma } else { value / ma };
                    counts[t % period] += 1;
                }
            }
            // Every position has a value: at least two cycles remain after the
            // moving average drops ⌊m/2⌋ values at each end.
            let mut seasonal: Vec<f64> = sums.iter().zip(&counts).map(|(s, &c)| s / c as f64).collect();
            let mean = seasonal.iter().sum::<f64>() / period as f64;
            for s in &mut seasonal {
                if season == SeasonKind::Additive {
                    *s -= mean;
                } else {
                    *s /= mean;
                }
            }
            (seasonal, average.into_iter().flatten().collect())
        }
    };
    // Least squares of the first 10 values on t = 1…10.
    let points = &base[..10];
    let t_mean = 5.5;
    let y_mean = points.iter().sum::<f64>() / 10.0;
    let sxy: f64 = points.iter().enumerate().map(|(i, v)| (i as f64 + 1.0 - t_mean) * (v - y_mean)).sum();
    let sxx: f64 = (1..=10).map(|t| (t as f64 - t_mean).powi(2)).sum();
    let slope = sxy / sxx;
    let level = y_mean - slope * t_mean;
    let trend = if trend == TrendKind::None { 0.0 } else { slope };
    Ok(InitialState { level, trend, seasonal })
}

/// The centred moving average of order m (2×m for even m), None where the
/// window runs off either end.
fn centred_moving_average(y: &[f64], period: usize) -> Vec<Option<f64>> {
    let n = y.len();
    let half = period / 2;
    (0..n)
        .map(|t| {
            if t < half || t + half >= n {
                return None;
            }
            if period % 2 == 1 {
                Some(y[t - half..=t + half].iter().sum::<f64>() / period as f64)
            } else {
                let inner: f64 = y[t - half + 1..t + half].iter().sum();
                Some((inner + 0.5 * (y[t - half] + y[t + half])) / period as f64)
            }
        })
        .collect()
}
