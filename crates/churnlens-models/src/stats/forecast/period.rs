//! Finding the seasonal period of a series from its autocorrelation, for
//! series whose calendar does not say it (or to check that it does).
//!
//! The series is differenced once, which removes a linear trend that would
//! otherwise make every lag look correlated. Of the lags 2 … `max_period`
//! (and at most a third of the differenced series, so each lag has at least
//! two cycles behind it) the one with the largest sample autocorrelation
//! r_k = Σ (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)² is the period, provided
//! r_k exceeds 2 / √n — roughly the 5% significance bound of a white-noise
//! autocorrelation — and is a local peak (r_k ≥ r_{k−1} and r_k ≥ r_{k+1});
//! otherwise the series has no detectable season.

/// The seasonal period of `y` (≥ 2), or `None` when there is none to find.
pub fn detect_period(y: &[f64], max_period: usize) -> Option<usize> {
    let x: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    let n = x.len();
    let longest = max_period.min(n / 3);
    if longest < 2 || x.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let centred: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let total: f64 = centred.iter().map(|v| v * v).sum();
    if total <= 0.0 {
        return None;
    }
    let r = |k: usize| -> f64 { centred.iter().zip(&centred[k..]).map(|(a, b)| a * b).sum::<f64>() / total };
    let bound = 2.0 / (n as f64).sqrt();
    (2..=longest)
        .map(|k| (k, r(k)))
        .filter(|&(k, rk)| rk > bound && rk >= r(k - 1) && rk >= r(k + 1))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pure_season_and_its_absence() {
        // A period-4 pattern repeated 10 times on a trend: differencing
        // leaves the pattern's steps, which repeat every 4.
        let season = [0.0, 5.0, -3.0, 1.0];
        let y: Vec<f64> = (0..40).map(|t| 2.0 * t as f64 + season[t % 4]).collect();
        assert_eq!(detect_period(&y, 12), Some(4));
        // A straight line and a constant have nothing to find.
        let line: Vec<f64> = (0..40).map(|t| 3.0 * t as f64).collect();
        assert_eq!(detect_period(&line, 12), None);
        // Too short for two cycles of any lag ≥ 2.
        assert_eq!(detect_period(&[1.0, 2.0, 1.0, 2.0, 1.0], 12), None);
    }
}
