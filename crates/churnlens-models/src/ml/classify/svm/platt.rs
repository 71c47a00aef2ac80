//! Platt scaling: a sigmoid 1 / (1 + e^(A·f + B)) that turns SVM decision
//! values f into probabilities, fitted by the Newton method with
//! backtracking of Lin, Lin and Weng ("A note on Platt's probabilistic
//! outputs for support vector machines", Machine Learning 68, 2007), as
//! libsvm's `sigmoid_train`: Platt's smoothed targets, and every
//! log(1 + e^z) evaluated on the side that cannot overflow.

/// Platt's (A, B) for decision values and their labels (churned = true).
pub fn fit_sigmoid(decision: &[f64], labels: &[bool]) -> (f64, f64) {
    let positives = labels.iter().filter(|&&y| y).count() as f64;
    let negatives = labels.len() as f64 - positives;
    let (high, low) = ((positives + 1.0) / (positives + 2.0), 1.0 / (negatives + 2.0));
    let target: Vec<f64> = labels.iter().map(|&y| if y { high } else { low }).collect();
    let (max_iterations, min_step, sigma, epsilon) = (100, 1e-10, 1e-12, 1e-5);
    let loss = |a: f64, b: f64| -> f64 {
        decision
            .iter()
            .zip(&target)
            .map(|(&f, &t)| {
                let z = f * a + b;
                if z >= 0.0 { t * z + (-z).exp().ln_1p() } else { (t - 1.0) * z + z.exp().ln_1p() }
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, ((negatives + 1.0) / (positives + 1.0)).ln());
    let mut value = loss(a, b);
    for _ in 0..max_iterations {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
        for (&f, &t) in decision.iter().zip(&target) {
            let z = f * a + b;
            // p = 1/(1 + e^z), q = 1 − p, each from the side that cannot overflow.
            let (p, q) =
                if z >= 0.0 { ((-z).exp() / (1.0 + (-z).exp()), 1.0 / (1.0 + (-z).exp())) } else { (1.0 / (1.0 + z.exp()), z.exp() / (1.0 + z.exp())) };
            let d2 = p * q;
            h11 += f * f * d2;
            h22 += d2;
            h21 += f * d2;
            let d1 = t - p;
            g1 += f * d1;
            g2 += d1;
        }
        if g1.abs() < epsilon && g2.abs() < epsilon {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let (da, db) = (-(h22 * g1 - h21 * g2) / det, -(-h21 * g1 + h11 * g2) / det);
        let slope = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= min_step {
            let (new_a, new_b) = (a + step * da, b + step * db);
            let new_value = loss(new_a, new_b);
            if new_value < value + 1e-4 * step * slope {
                (a, b, value) = (new_a, new_b, new_value);
                break;
            }
            step /= 2.0;
        }
        if step < min_step {
            // The line search failed: (A, B) is as good as this precision allows.
            break;
        }
    }
    (a, b)
}

/// P(churn) for a decision value under the sigmoid (A, B).
pub(super) fn probability(decision: f64, (a, b): (f64, f64)) -> f64 {
    let z = decision * a + b;
    if z >= 0.0 { (-z).exp() / (1.0 + (-z).exp()) } else { 1.0 / (1.0 + z.exp()) }
}
