//! A Nelder–Mead simplex minimiser for the few smoothing parameters of one
//! ETS fit, as R's `forecast::ets` uses (`optim`, method "Nelder-Mead"):
//! reflection 1, expansion 2, contraction ½, shrink ½. Bounds are kept by the
//! caller's transformation of an unbounded vector. Private to the forecast
//! module: the crate's general optimiser lives elsewhere (issue #7).

/// The point of least value found when minimising `f` from `start` with initial steps `step` along each axis;
/// stops when the values at the simplex's vertices agree to a relative
/// `1e-8` (R's `reltol`) or after `max_evaluations`.
pub(crate) fn minimise(f: impl Fn(&[f64]) -> f64, start: &[f64], step: f64, max_evaluations: usize) -> Vec<f64> {
    let dim = start.len();
    if dim == 0 {
        return Vec::new();
    }
    let mut simplex: Vec<Vec<f64>> = (0..=dim)
        .map(|i| {
            let mut x = start.to_vec();
            if i > 0 {
                x[i - 1] += step;
            }
            x
        })
        .collect();
    let mut values: Vec<f64> = simplex.iter().map(|x| f(x)).collect();
    let mut evaluations = dim + 1;
    while evaluations < max_evaluations {
        let mut order: Vec<usize> = (0..=dim).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (best, worst) = (values[0], values[dim]);
        if worst.is_finite() && (worst - best).abs() <= 1e-8 * (best.abs() + 1e-8) {
            break;
        }
        let centroid: Vec<f64> = (0..dim).map(|j| simplex[..dim].iter().map(|x| x[j]).sum::<f64>() / dim as f64).collect();
        let along = |t: f64| -> Vec<f64> { centroid.iter().zip(&simplex[dim]).map(|(c, w)| c + t * (c - w)).collect() };
        let reflected = along(1.0);
        let f_reflected = f(&reflected);
        evaluations += 1;
        if f_reflected < values[0] {
            let expanded = along(2.0);
            let f_expanded = f(&expanded);
            evaluations += 1;
            if f_expanded < f_reflected {
                (simplex[dim], values[dim]) = (expanded, f_expanded);
            } else {
                (simplex[dim], values[dim]) = (reflected, f_reflected);
            }
            continue;
        }
        if f_reflected < values[dim - 1] {
            (simplex[dim], values[dim]) = (reflected, f_reflected);
            continue;
        }
        // Contract towards the better of the reflected and the worst point.
        let (contracted, limit) = if f_reflected < values[dim] { (along(0.5), f_reflected) } else { (along(-0.5), values[dim]) };
        let f_contracted = f(&contracted);
        evaluations += 1;
        if f_contracted < limit {
            (simplex[dim], values[dim]) = (contracted, f_contracted);
            continue;
        }
        for i in 1..=dim {
            let shrunk: Vec<f64> = simplex[0].iter().zip(&simplex[i]).map(|(b, x)| b + 0.5 * (x - b)).collect();
            values[i] = f(&shrunk);
            simplex[i] = shrunk;
        }
        evaluations += dim;
    }
    let best = (0..=dim).min_by(|&a, &b| values[a].total_cmp(&values[b])).unwrap_or(0);
    simplex[best].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's valley has its minimum 0 at (1, 1), found to well within
    /// 1e-3 by any working simplex method from the classic start (−1.2, 1).
    #[test]
    fn finds_the_rosenbrock_minimum() {
        let rosenbrock = |x: &[f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let minimum = minimise(rosenbrock, &[-1.2, 1.0], 0.5, 5_000);
        approx::assert_abs_diff_eq!(minimum[0], 1.0, epsilon = 1e-3);
        approx::assert_abs_diff_eq!(minimum[1], 1.0, epsilon = 1e-3);
    }
}
