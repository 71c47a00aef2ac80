//! The area under the precision–recall curve as average precision.

/// Average precision of `scores` for the labels, as scikit-learn's
/// `average_precision_score`: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score
/// thresholds from the highest down, where Pₙ and Rₙ are the precision and
/// recall of calling every row scoring at least the n-th threshold
/// positive. Tied scores enter together (a step, not an interpolation).
/// `None` when there is no positive (recall is undefined).
pub fn average_precision(labels: &[bool], scores: &[f64]) -> Option<f64> {
    assert_eq!(labels.len(), scores.len(), "one score per label");
    let positives = labels.iter().filter(|&&y| y).count();
    if positives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut true_positives, mut called) = (0usize, 0usize);
    let (mut area, mut previous_recall) = (0.0, 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        true_positives += order[start..end].iter().filter(|&&i| labels[i]).count();
        called += end - start;
        let recall = true_positives as f64 / positives as f64;
        area += (recall - previous_recall) * (true_positives as f64 / called as f64);
        previous_recall = recall;
        start = end;
    }
    Some(area)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_through_tied_scores_together() {
        // Hand count: threshold 0.9 → 1 of 1 right (P 1, R 1/2); 0.5 (three
        // tied rows, one positive) → P 2/4, R 1: AP = ½·1 + ½·½ = 0.75.
        let ap = average_precision(&[true, false, true, false], &[0.9, 0.5, 0.5, 0.5]).unwrap();
        assert!((ap - 0.75).abs() < 1e-15);
        assert_eq!(average_precision(&[false, false], &[0.1, 0.2]), None);
    }
}
