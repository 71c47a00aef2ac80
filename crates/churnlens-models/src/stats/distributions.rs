//! The distributions the tests and confidence intervals need: the standard
//! normal (CDF and quantile) and the chi-square survival function.
//!
//! * Φ(x) = ½ erfc(−x/√2), with the C library's `erfc` (musl, via libm),
//!   which keeps full relative accuracy far into the lower tail.
//! * Φ⁻¹(p): Wichura's algorithm AS 241 (PPND16, Applied Statistics 37,
//!   1988), rational approximations accurate to about 1e-16.
//! * The chi-square survival function with k degrees of freedom is the
//!   regularized upper incomplete gamma function Q(k/2, x/2), from its series
//!   below a + 1 and from its continued fraction (modified Lentz) above,
//!   as in Numerical Recipes §6.2; both keep relative accuracy, so tiny
//!   p-values such as 1e-40 are right to many digits rather than rounded to 0.

use super::special::ln_gamma;

/// The standard normal cumulative distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1; −∞ at 0, +∞ at 1 and
/// NaN outside [0, 1].
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * polynomial(&A, r) / polynomial(&B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        polynomial(&C, r) / polynomial(&D, r)
    } else {
        let r = r - 5.0;
        polynomial(&E, r) / polynomial(&F, r)
    };
    if q < 0.0 { -value } else { value }
}

/// P(X > x) for X chi-square distributed with `degrees_of_freedom` degrees
/// of freedom (1 for x ≤ 0); the p-value of a chi-square test statistic.
///
/// # Panics
/// If `degrees_of_freedom` is 0.
pub fn chi_square_sf(x: f64, degrees_of_freedom: usize) -> f64 {
    assert!(degrees_of_freedom > 0, "a chi-square distribution needs at least one degree of freedom");
    if x <= 0.0 {
        return 1.0;
    }
    regularized_gamma_q(degrees_of_freedom as f64 / 2.0, x / 2.0)
}

/// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a)
/// for a > 0, x ≥ 0.
pub fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    // The series for P converges fast below a + 1, the continued fraction
    // for Q above; taking each where it is fast also keeps the small one of
    // P and Q accurate instead of computing it as 1 minus the other.
    if x < a + 1.0 { 1.0 - gamma_p_series(a, x) } else { gamma_q_continued_fraction(a, x) }
}

/// ln(xᵃ e⁻ˣ / Γ(a)), the prefactor both expansions share.
fn ln_prefactor(a: f64, x: f64) -> f64 {
    a * x.ln() - x - ln_gamma(a)
}

/// P(a, x) = xᵃ e⁻ˣ / Γ(a) Σₙ xⁿ / (a (a + 1) ⋯ (a + n)).
fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut term = 1.0 / a;
    let mut sum = term;
    let mut denominator = a;
    for _ in 0..10_000 {
        denominator += 1.0;
        term *= x / denominator;
        sum += term;
        if term.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    sum * ln_prefactor(a, x).exp()
}

/// Q(a, x) = xᵃ e⁻ˣ / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)),
/// evaluated with the modified Lentz method.
fn gamma_q_continued_fraction(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    ln_prefactor(a, x).exp() * h
}

/// c₀ + c₁ r + c₂ r² + … by Horner's rule.
fn polynomial(coefficients: &[f64], r: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, c| acc * r + c)
}

// AS 241 coefficients as published (Wichura 1988), lowest power first; the
// literals carry more digits than an f64 holds, on purpose.
#[allow(clippy::excessive_precision)]
const A: [f64; 8] = [
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
];
#[allow(clippy::excessive_precision)]
const B: [f64; 8] = [
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
];
#[allow(clippy::excessive_precision)]
const C: [f64; 8] = [
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
];
#[allow(clippy::excessive_precision)]
const D: [f64; 8] = [
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
];
#[allow(clippy::excessive_precision)]
const E: [f64; 8] = [
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
];
#[allow(clippy::excessive_precision)]
const F: [f64; 8] = [
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
];

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    // Expected values from scipy 1.17.1 (scipy.stats.norm.cdf, norm.ppf,
    // chi2.sf), printed with repr.

    #[test]
    fn normal_cdf_matches_scipy() {
        for (x, expected) in [
            (-8.0, 6.22096057427174e-16),
            (-3.0, 0.0013498980316300933),
            (-1.0, 0.15865525393145707),
            (0.0, 0.5),
            (0.5, 0.6914624612740131),
            (1.959963984540054, 0.975),
            (4.0, 0.9999683287581669),
        ] {
            assert_relative_eq!(normal_cdf(x), expected, max_relative = 1e-13);
        }
    }

    #[test]
    fn normal_quantile_matches_scipy() {
        for (p, expected) in [
            (1e-10, -6.361340902404056),
            (0.001, -3.090232306167813),
            (0.025, -1.9599639845400545),
            (0.3, -0.5244005127080409),
            (0.975, 1.959963984540054),
            (0.999999, 4.753424308817087),
        ] {
            assert_relative_eq!(normal_quantile(p), expected, max_relative = 1e-13);
        }
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        for i in 1..200 {
            let p = i as f64 / 200.0;
            assert_relative_eq!(normal_cdf(normal_quantile(p)), p, max_relative = 1e-13);
        }
    }

    #[test]
    fn chi_square_sf_matches_scipy() {
        for (x, k, expected) in [
            (0.5, 1, 0.47950012218695337),
            (3.841458820694124, 1, 0.04999999999999989),
            (10.0, 2, 0.006737946999085468),
            (189.511486090142, 1, 4.064094329993394e-43),
            (2.5, 5, 0.7764950711233227),
            (30.0, 7, 9.495972508134177e-05),
            (0.01, 3, 0.9997348349413444),
            (60.0, 10, 3.6243009520614924e-09),
            (1e-3, 1, 0.9747728793699604),
        ] {
            assert_relative_eq!(chi_square_sf(x, k), expected, max_relative = 1e-12);
        }
        assert_eq!(chi_square_sf(0.0, 3), 1.0);
        // With two degrees of freedom Q(1, x/2) = e^(−x/2) exactly.
        assert_relative_eq!(chi_square_sf(7.3, 2), (-3.65f64).exp(), max_relative = 1e-14);
    }
}
