//! The Gaussian hypergeometric function ₂F₁(a, b; c; z) for real arguments
//! and z < 1, as the buy-till-you-die models need it: Pareto/NBD's
//! likelihood and P(alive), the conditional expectations of BG/NBD and
//! MBG/NBD, and the sBG discounted residual lifetime.
//!
//! The power series Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ converges for |z| < 1 but its
//! terms grow like n^(a+b−c−1) zⁿ, which for a customer with 10,000 purchases
//! (a ≈ b ≈ 10⁴) overflows long before it converges. So:
//!
//! * z < 0 is mapped into [0, 1) by Pfaff's transformation
//!   ₂F₁(a, b; c; z) = (1−z)^(−a) ₂F₁(a, c−b; c; z/(z−1)) (DLMF 15.8.1);
//! * on [0, 1), when a + b − c > 0, Euler's transformation
//!   ₂F₁(a, b; c; z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) (DLMF 15.8.1) turns
//!   growing terms into decaying ones and moves the divergence at z → 1 into
//!   a prefactor kept on the log scale;
//! * the series itself is summed with a running log-scale so intermediate
//!   terms up to e^(±700·k) neither overflow nor underflow.
//!
//! The result is returned as a logarithm ([`ln_hyp2f1`]) because the values
//! the models need reach 10^4000.

/// Terms summed at most; at z = 0.999 convergence takes ~40,000 terms, so
/// this only stops arguments within ~1e-6 of 1.
const MAX_TERMS: usize = 10_000_000;

/// ln ₂F₁(a, b; c; z) for real a, b, c (c not 0, −1, −2 …) and z < 1 where the
/// function is positive; NaN where it is not positive, where c is a
/// non-positive integer, or where z ≥ 1 or the series does not converge
/// within ten million terms (z within about 1e-6 of 1).
pub fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (sign, ln_abs) = signed_ln_hyp2f1(a, b, c, z);
    if sign > 0.0 { ln_abs } else { f64::NAN }
}

/// ₂F₁(a, b; c; z) for real a, b, c and z < 1 (see [`ln_hyp2f1`] for the
/// domain); overflows to ±∞ beyond about 1e308.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (sign, ln_abs) = signed_ln_hyp2f1(a, b, c, z);
    if sign == 0.0 { 0.0 } else { sign * ln_abs.exp() }
}

/// (sign, ln |₂F₁|); sign is NaN outside the domain.
fn signed_ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> (f64, f64) {
    if !(a.is_finite() && b.is_finite() && c.is_finite() && z.is_finite()) || z >= 1.0 || (c <= 0.0 && c == c.round()) {
        return (f64::NAN, f64::NAN);
    }
    if z < 0.0 {
        // Pfaff: the new argument z/(z−1) lies in (0, 1).
        let (sign, ln_abs) = signed_ln_hyp2f1(a, c - b, c, z / (z - 1.0));
        return (sign, ln_abs - a * (-z).ln_1p());
    }
    if a + b - c > 0.0 && z > 0.0 {
        let (sign, ln_abs) = series(c - a, c - b, c, z);
        return (sign, ln_abs + (c - a - b) * (-z).ln_1p());
    }
    series(a, b, c, z)
}

/// The power series for 0 ≤ z < 1, as (sign, ln |sum|).
fn series(a: f64, b: f64, c: f64, z: f64) -> (f64, f64) {
    let (sign, ln_abs, _) = summed::<false>(a, b, c, z);
    (sign, ln_abs)
}

/// The series, and with `GRADIENT` also ∂ ln|sum| / ∂(a, b, c, z): term k
/// has ∂ ln tₖ/∂a = Σ_{j<k} 1/(a+j) (likewise b, and c with a minus sign)
/// and ∂ ln tₖ/∂z = k/z, so each derivative is a second running sum.
fn summed<const GRADIENT: bool>(a: f64, b: f64, c: f64, z: f64) -> (f64, f64, [f64; 4]) {
    // sum, term and the derivative sums are kept scaled by e^(−ln_scale).
    let mut sum = 1.0f64;
    let mut term = 1.0f64;
    let mut ln_scale = 0.0f64;
    // ∂ ln tₖ (running) and Σ tₖ ∂ ln tₖ.
    let mut d_ln_term = [0.0f64; 4];
    let mut d_sum = [0.0f64; 4];
    // Once the terms decay with ratio below z, the tail after a term is at
    // most term · z / (1 − z); requiring that below 1e-17 of the sum ends the
    // series at double precision.
    let tail_factor = (z / (1.0 - z)).max(1.0);
    let settle = z.max(0.5);
    for n in 0..MAX_TERMS {
        let k = n as f64;
        let ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        term *= ratio;
        sum += term;
        if GRADIENT {
            d_ln_term[0] += 1.0 / (a + k);
            d_ln_term[1] += 1.0 / (b + k);
            d_ln_term[2] -= 1.0 / (c + k);
            d_ln_term[3] = (k + 1.0) / z;
            for i in 0..4 {
                d_sum[i] += term * d_ln_term[i];
            }
        }
        if term == 0.0 || (ratio.abs() <= settle && term.abs() * tail_factor <= 1e-17 * sum.abs()) {
            let (sign, ln_abs) = finish(sum, ln_scale);
            return (sign, ln_abs, d_sum.map(|d| d / sum));
        }
        if sum.abs() > 1e250 || term.abs() > 1e250 {
            sum *= 1e-250;
            term *= 1e-250;
            d_sum.iter_mut().for_each(|d| *d *= 1e-250);
            ln_scale += 250.0 * std::f64::consts::LN_10;
        }
    }
    (f64::NAN, f64::NAN, [f64::NAN; 4])
}

/// ln ₂F₁(a, b; c; z) and its partial derivatives in (a, b, c, z), for
/// 0 ≤ z < 1 where the function is positive (NaN elsewhere), with the same
/// Euler transformation as [`ln_hyp2f1`]. The Pareto/NBD likelihood gradient
/// is built on it.
pub fn ln_hyp2f1_with_gradient(a: f64, b: f64, c: f64, z: f64) -> (f64, [f64; 4]) {
    let invalid = (f64::NAN, [f64::NAN; 4]);
    if !(a.is_finite() && b.is_finite() && c.is_finite() && (0.0..1.0).contains(&z)) || (c <= 0.0 && c == c.round()) {
        return invalid;
    }
    if z == 0.0 {
        // F = 1 + ab z/c + …: only the z-derivative is non-zero.
        return (0.0, [0.0, 0.0, 0.0, a * b / c]);
    }
    if a + b - c > 0.0 {
        // F = (1−z)^(c−a−b) S(c−a, c−b; c; z).
        let (sign, ln_s, [sa, sb, sc, sz]) = summed::<true>(c - a, c - b, c, z);
        if sign <= 0.0 {
            return invalid;
        }
        let ln_1mz = (-z).ln_1p();
        let gradient = [-ln_1mz - sa, -ln_1mz - sb, ln_1mz + sa + sb + sc, sz - (c - a - b) / (1.0 - z)];
        return (ln_s + (c - a - b) * ln_1mz, gradient);
    }
    let (sign, ln_s, gradient) = summed::<true>(a, b, c, z);
    if sign <= 0.0 { invalid } else { (ln_s, gradient) }
}

fn finish(sum: f64, ln_scale: f64) -> (f64, f64) {
    if sum == 0.0 { (0.0, f64::NEG_INFINITY) } else { (sum.signum(), sum.abs().ln() + ln_scale) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn closed_forms() {
        // ₂F₁(1, 1; 2; z) = −ln(1−z)/z; ₂F₁(a, b; b; z) = (1−z)^(−a);
        // ₂F₁(1/2, 1/2; 3/2; z²) = arcsin(z)/z (DLMF 15.4.1, 15.4.6, 15.4.4).
        for z in [0.0f64, 0.1, 0.5, 0.9, 0.99, -0.5, -3.0] {
            let expected = if z == 0.0 { 1.0 } else { -(-z).ln_1p() / z };
            assert_relative_eq!(hyp2f1(1.0, 1.0, 2.0, z), expected, max_relative = 1e-13);
            assert_relative_eq!(hyp2f1(0.7, 2.3, 2.3, z), (1.0 - z).powf(-0.7), max_relative = 1e-13);
        }
        for x in [0.2, 0.7, 0.95] {
            assert_relative_eq!(hyp2f1(0.5, 0.5, 1.5, x * x), f64::asin(x) / x, max_relative = 1e-13);
        }
        // A terminating series: ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1)).
        let (b, c, z) = (1.5, 2.5, 0.4);
        assert_relative_eq!(hyp2f1(-2.0, b, c, z), 1.0 - 2.0 * b * z / c + b * (b + 1.0) * z * z / (c * (c + 1.0)), max_relative = 1e-14);
    }

    #[test]
    fn matches_mpmath_at_the_arguments_the_models_use() {
        // ln ₂F₁ from mpmath 1.4.1 at 30 digits (rounded to doubles) (mp.log(mp.hyp2f1(a, b, c, z))):
        // BG/NBD conditional expectations, a 10,000-purchase customer, the
        // Pareto/NBD A₀ terms, arguments near 1, a negative b and a negative z.
        let cases = [
            (0.793, 2.426, 2.219, 0.5, 0.6098223033262627),
            (2.243, 4.426, 6.219, 0.5486, 1.1883242722993377),
            (10000.793, 10002.426, 10002.219, 0.3, 3567.1061054774725),
            (4.16, 3.55, 5.16, 0.08, 0.23813789282438344),
            (1.5, 2.5, 1.2, 0.999, 19.608926131875776),
            (0.3, -0.7, 1.9, 0.95, -0.12171702630981131),
            (10001.16, 10000.55, 10002.16, 0.6, 9162.495084501803),
            (1.0, 3.182, 4.886, 1.0 / 1.1, 1.1236343417817283),
            (2.0, 3.0, 4.5, -2.5, -1.8244256626789785),
        ];
        for (a, b, c, z, expected) in cases {
            let got = ln_hyp2f1(a, b, c, z);
            assert!((got - expected).abs() <= 1e-12 * (1.0 + expected.abs()), "ln 2F1({a}, {b}; {c}; {z}) = {got}, mpmath {expected}");
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // Both branches (direct series and Euler-transformed), including the
        // Pareto/NBD shape c = a + 1 and a 10,000-purchase customer.
        for (a, b, c, z) in [(0.793, 2.426, 4.219, 0.5), (4.16, 3.55, 5.16, 0.08), (10001.16, 10000.55, 10002.16, 0.6), (1.2, 0.7, 1.5, 0.9)] {
            let (value, gradient) = ln_hyp2f1_with_gradient(a, b, c, z);
            assert!((value - ln_hyp2f1(a, b, c, z)).abs() < 1e-13 * (1.0 + value.abs()));
            let mut p = [a, b, c, z];
            for i in 0..4 {
                let h = 1e-6 * p[i].abs().max(1e-3);
                let x = p[i];
                p[i] = x + h;
                let up = ln_hyp2f1(p[0], p[1], p[2], p[3]);
                p[i] = x - h;
                let down = ln_hyp2f1(p[0], p[1], p[2], p[3]);
                p[i] = x;
                let numeric = (up - down) / (2.0 * h);
                assert!((gradient[i] - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()), "({a}, {b}, {c}, {z}) ∂{i}: {} vs {numeric}", gradient[i]);
            }
        }
    }

    #[test]
    fn outside_the_domain_is_nan() {
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_nan());
        assert!(hyp2f1(1.0, 1.0, -2.0, 0.5).is_nan());
        assert!(ln_hyp2f1(1.0, 1.0, 2.0, f64::NAN).is_nan());
    }
}
