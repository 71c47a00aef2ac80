//! Scores of the probabilities themselves, not only their ranking: log loss
//! and the Brier score, lower is better for both.

/// Mean negative log-likelihood of the labels under the probabilities, as
/// scikit-learn's `log_loss`: probabilities are clipped to
/// [ε, 1 − ε] with ε the machine epsilon, so a confident mistake costs
/// about 36 instead of infinity. `None` for no rows.
pub fn log_loss(labels: &[bool], probabilities: &[f64]) -> Option<f64> {
    assert_eq!(labels.len(), probabilities.len(), "one probability per label");
    if labels.is_empty() {
        return None;
    }
    let total: f64 = labels
        .iter()
        .zip(probabilities)
        .map(|(&y, &p)| {
            let p = p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Some(total / labels.len() as f64)
}

/// Mean squared difference between probability and outcome (1 churned,
/// 0 not), as scikit-learn's `brier_score_loss`. `None` for no rows.
pub fn brier_score(labels: &[bool], probabilities: &[f64]) -> Option<f64> {
    assert_eq!(labels.len(), probabilities.len(), "one probability per label");
    if labels.is_empty() {
        return None;
    }
    let total: f64 = labels.iter().zip(probabilities).map(|(&y, &p)| (p - f64::from(u8::from(y))).powi(2)).sum();
    Some(total / labels.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_losses() {
        let labels = [true, false];
        let p = [0.8, 0.4];
        // −(ln 0.8 + ln 0.6)/2 and ((0.2)² + (0.4)²)/2.
        assert!((log_loss(&labels, &p).unwrap() - (-(0.8f64.ln() + 0.6f64.ln()) / 2.0)).abs() < 1e-15);
        assert!((brier_score(&labels, &p).unwrap() - 0.1).abs() < 1e-15);
        assert!((log_loss(&[true], &[0.0]).unwrap() + f64::EPSILON.ln()).abs() < 1e-12);
        assert_eq!(brier_score(&[], &[]), None);
    }
}
