//! The area under the ROC curve.

/// ROC AUC of `scores` for the labels: the probability that a random
/// positive scores above a random negative, ties counting one half — the
/// trapezoidal area under the ROC curve, as scikit-learn's `roc_auc_score`.
/// `None` when one class is absent (the area is undefined).
pub fn roc_auc(labels: &[bool], scores: &[f64]) -> Option<f64> {
    assert_eq!(labels.len(), scores.len(), "one score per label");
    let positives = labels.iter().filter(|&&y| y).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the positives' mid-ranks (1-based), tied scores sharing their mean rank.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let mid_rank = (start + end + 1) as f64 / 2.0;
        rank_sum += mid_rank * order[start..end].iter().filter(|&&i| labels[i]).count() as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_ties_as_one_half() {
        // Hand count: pairs (positive, negative) = (0.8, 0.1) win, (0.8, 0.4) win,
        // (0.4, 0.1) win, (0.4, 0.4) tie → (3 + 0.5) / 4.
        let auc = roc_auc(&[true, false, true, false], &[0.8, 0.1, 0.4, 0.4]).unwrap();
        assert!((auc - 0.875).abs() < 1e-15);
        assert_eq!(roc_auc(&[true, true], &[0.1, 0.2]), None);
    }
}
