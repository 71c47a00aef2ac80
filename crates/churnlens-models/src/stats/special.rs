//! Special functions the likelihoods need.

/// ln Γ(x) for x > 0 (the log of the absolute value for other x).
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma_r(x).0
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The digamma function ψ(x) = d/dx ln Γ(x), for x > 0.
///
/// Shifts x to 10 or above with ψ(x) = ψ(x + 1) − 1/x, then uses the asymptotic
/// series; absolute error below 1e-13 for x > 0.
pub fn digamma(mut x: f64) -> f64 {
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    // Bernoulli-number coefficients of the asymptotic expansion.
    let series = inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0)))));
    shift + x.ln() - 0.5 * inv - series
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn ln_gamma_matches_factorials_and_half_integers() {
        // Γ(5) = 4! = 24; Γ(1/2) = √π; Γ(1) = Γ(2) = 1.
        assert_abs_diff_eq!(ln_gamma(5.0), 24f64.ln(), epsilon = 1e-14);
        assert_abs_diff_eq!(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), epsilon = 1e-14);
        assert_abs_diff_eq!(ln_gamma(1.0), 0.0, epsilon = 1e-15);
        assert_abs_diff_eq!(ln_beta(2.0, 3.0), (1.0f64 / 12.0).ln(), epsilon = 1e-14);
    }

    #[test]
    fn digamma_matches_known_values() {
        // ψ(1) = −γ (Euler–Mascheroni); ψ(1/2) = −γ − 2 ln 2; ψ(n+1) = H_n − γ.
        let euler = 0.577_215_664_901_532_9;
        assert_abs_diff_eq!(digamma(1.0), -euler, epsilon = 1e-13);
        assert_abs_diff_eq!(digamma(0.5), -euler - 2.0 * 2f64.ln(), epsilon = 1e-13);
        let h10: f64 = (1..=10).map(|k| 1.0 / f64::from(k)).sum();
        assert_abs_diff_eq!(digamma(11.0), h10 - euler, epsilon = 1e-13);
        // Large argument: ψ(1000) = ln 1000 − 1/2000 − 1/(12·1000²) + O(1e-14).
        assert_abs_diff_eq!(digamma(1000.0), 6.907_255_195_648_812, epsilon = 1e-12);
    }

    #[test]
    fn digamma_is_the_derivative_of_ln_gamma() {
        for x in [0.05, 0.3, 2.7, 14.0, 250.0] {
            let h = 1e-5 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert_abs_diff_eq!(digamma(x), numeric, epsilon = 1e-6 * (1.0 + numeric.abs()));
        }
    }
}
