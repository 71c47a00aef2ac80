//! Unconstrained minimisation for the maximum-likelihood fits: BFGS with a
//! backtracking line search, and Hessians by differencing gradients (for
//! standard errors). The models run it from several starting points.
//!
//! The models here have two to four parameters, their likelihoods have
//! analytic gradients (or cheap ones by differences), and the dense inverse
//! Hessian approximation is a 4 × 4 matrix, so a few dozen lines of BFGS are
//! all that is needed; an optimisation or linear-algebra crate would add a
//! dependency tree for no gain. Parameters are optimised on the log scale, so
//! positivity constraints become unconstrained problems.

use super::linalg::Matrix;

/// Options of [`bfgs`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinimizeOptions {
    /// Iterations allowed per start.
    pub max_iterations: usize,
    /// Converged when the largest absolute gradient component falls below this.
    pub gradient_tolerance: f64,
}

/// Where a minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The arguments at the end point.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// The largest absolute gradient component there.
    pub gradient_norm: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, g| m.max(g.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `f` from `x0` by BFGS. `f(x, gradient)` returns the objective and
/// writes its gradient; a non-finite value marks a point outside the domain
/// and makes the line search step back.
pub fn bfgs(f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64, x0: &[f64], options: MinimizeOptions) -> Minimum {
    bfgs_within(f, x0, options, f64::INFINITY)
}

/// [`bfgs`] that gives up (unconverged) as soon as an accepted point has a
/// coordinate beyond ±`bound`: on a log scale that is a parameter running
/// off to 0 or ∞, where a flat likelihood would otherwise cost every
/// remaining iteration before the failure is known.
pub fn bfgs_within(f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64, x0: &[f64], options: MinimizeOptions, bound: f64) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g);
    if !value.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Minimum { x, value: f64::INFINITY, gradient_norm: f64::INFINITY, iterations: 0, converged: false };
    }
    // Inverse Hessian approximation, row by row.
    let mut h = identity(n);
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut iterations = 0;
    while iterations < options.max_iterations && max_abs(&g) >= options.gradient_tolerance {
        iterations += 1;
        let mut direction: Vec<f64> = (0..n).map(|i| -dot(&h[i * n..(i + 1) * n], &g)).collect();
        let mut slope = dot(&direction, &g);
        if slope >= 0.0 {
            // The approximation lost positive definiteness: restart from steepest descent.
            h = identity(n);
            direction = g.iter().map(|v| -v).collect();
            slope = dot(&direction, &g);
        }
        // Steps in log-parameter space above ~5 (a factor e^5) only happen
        // when the approximation is poor; capping them keeps the likelihood
        // away from overflow.
        let longest = max_abs(&direction);
        let mut step = if longest > 5.0 { 5.0 / longest } else { 1.0 };
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * direction[i];
            }
            let v = f(&x_new, &mut g_new);
            if v.is_finite() && g_new.iter().all(|d| d.is_finite()) && v <= value + 1e-4 * step * slope {
                let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                update_inverse_hessian(&mut h, &s, &y, iterations == 1);
                x.copy_from_slice(&x_new);
                g.copy_from_slice(&g_new);
                value = v;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No decrease along the direction: at the precision of the
            // objective this is the minimum (or a failure the gradient shows).
            break;
        }
        if max_abs(&x) > bound {
            break;
        }
    }
    let gradient_norm = max_abs(&g);
    Minimum { x, value, gradient_norm, iterations, converged: gradient_norm < options.gradient_tolerance }
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    h
}

/// The BFGS update H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, skipped when the
/// curvature condition sᵀy > 0 fails (it would lose positive definiteness).
fn update_inverse_hessian(h: &mut [f64], s: &[f64], y: &[f64], first: bool) {
    let n = s.len();
    let sy = dot(s, y);
    if sy <= 1e-300 {
        return;
    }
    if first {
        // Scale the identity to the curvature seen (Nocedal & Wright 6.20).
        let scale = sy / dot(y, y);
        h.iter_mut().for_each(|v| *v *= scale);
    }
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n).map(|i| dot(&h[i * n..(i + 1) * n], y)).collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

/// The central-difference gradient of `f` with relative step `h`, for
/// objectives without an analytic gradient.
pub fn numeric_gradient(f: &mut dyn FnMut(&[f64]) -> f64, x: &[f64], h: f64, gradient: &mut [f64]) {
    let mut p = x.to_vec();
    for i in 0..x.len() {
        let step = h * (1.0 + x[i].abs());
        p[i] = x[i] + step;
        let up = f(&p);
        p[i] = x[i] - step;
        let down = f(&p);
        p[i] = x[i];
        gradient[i] = (up - down) / (2.0 * step);
    }
}

/// The Hessian of the function whose gradient `gradient(x, out)` computes, by
/// central differences of the gradient with step `h`, symmetrised.
pub fn hessian_from_gradient(gradient: &mut dyn FnMut(&[f64], &mut [f64]), x: &[f64], h: f64) -> Matrix {
    let n = x.len();
    let mut hessian = Matrix::zeros(n);
    let mut p = x.to_vec();
    let mut up = vec![0.0; n];
    let mut down = vec![0.0; n];
    for j in 0..n {
        p[j] = x[j] + h;
        gradient(&p, &mut up);
        p[j] = x[j] - h;
        gradient(&p, &mut down);
        p[j] = x[j];
        for i in 0..n {
            hessian.add(i, j, 0.5 * (up[i] - down[i]) / (2.0 * h));
            hessian.add(j, i, 0.5 * (up[i] - down[i]) / (2.0 * h));
        }
    }
    hessian
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
        g[1] = 200.0 * (x[1] - x[0] * x[0]);
        (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
    }

    #[test]
    fn bfgs_finds_the_rosenbrock_minimum() {
        // The minimum of Rosenbrock's banana function is (1, 1), value 0.
        let options = MinimizeOptions { max_iterations: 500, gradient_tolerance: 1e-9 };
        for start in [[-1.2, 1.0], [2.0, -1.0]] {
            let m = bfgs(&mut rosenbrock, &start, options);
            assert!(m.converged, "{m:?}");
            assert_abs_diff_eq!(m.x[0], 1.0, epsilon = 1e-7);
            assert_abs_diff_eq!(m.x[1], 1.0, epsilon = 1e-7);
        }
    }

    #[test]
    fn hessian_of_a_quadratic_is_exact() {
        // f = x² + 3xy + 5y²: Hessian [[2, 3], [3, 10]].
        let mut grad = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0] + 3.0 * x[1];
            g[1] = 3.0 * x[0] + 10.0 * x[1];
        };
        let h = hessian_from_gradient(&mut grad, &[0.3, -0.7], 1e-4);
        assert_abs_diff_eq!(h.get(0, 0), 2.0, epsilon = 1e-9);
        assert_abs_diff_eq!(h.get(0, 1), 3.0, epsilon = 1e-9);
        assert_abs_diff_eq!(h.get(1, 0), 3.0, epsilon = 1e-9);
        assert_abs_diff_eq!(h.get(1, 1), 10.0, epsilon = 1e-9);
        let mut f = |x: &[f64]| x[0] * x[0] + 3.0 * x[0] * x[1] + 5.0 * x[1] * x[1];
        let mut g = [0.0; 2];
        numeric_gradient(&mut f, &[0.3, -0.7], 1e-6, &mut g);
        assert_abs_diff_eq!(g[0], 2.0 * 0.3 - 3.0 * 0.7, epsilon = 1e-8);
        assert_abs_diff_eq!(g[1], 3.0 * 0.3 - 10.0 * 0.7, epsilon = 1e-8);
    }

    #[test]
    fn a_start_outside_the_domain_is_reported_not_followed() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            if x[0] < 0.0 { f64::NAN } else { (x[0] - 3.0).powi(2) }
        };
        let options = MinimizeOptions { max_iterations: 100, gradient_tolerance: 1e-10 };
        let outside = bfgs(&mut f, &[-1.0], options);
        assert!(!outside.converged && outside.value == f64::INFINITY && outside.iterations == 0);
        // From inside the domain it converges to the minimum at 3.
        let m = bfgs(&mut f, &[1.0], options);
        assert!(m.converged);
        assert_abs_diff_eq!(m.x[0], 3.0, epsilon = 1e-9);
    }
}
