//! Harrell's concordance index (C-index) of risk scores against observed
//! durations, as lifelines' `concordance_index` counts it.
//!
//! A pair of customers is comparable when the one who left first churned:
//! durations differ and the shorter one churned, or durations are equal and
//! exactly one of the two churned (the churner counts as first). A
//! comparable pair is concordant when the first to leave has the higher
//! risk score, and half-concordant when the scores are equal; C is the
//! concordant share, 0.5 for random scores. lifelines takes predicted
//! survival times (high = long); these are risk scores (high = short), e.g.
//! a Cox model's linear predictor, so its C equals lifelines' C of −score.
//!
//! Counted in O(n log n): customers in order of duration, a Fenwick tree
//! over the churners' scores seen so far.

use super::SurvivalError;
use super::data::{check_durations, check_length, sorted_order};

/// The concordance index of `risk_scores` (high = churns sooner), or `None`
/// when no pair of customers is comparable (e.g. nobody churned).
pub fn concordance_index(durations: &[f64], events: &[bool], risk_scores: &[f64]) -> Result<Option<f64>, SurvivalError> {
    check_durations(durations, events)?;
    check_length("risk scores", durations.len(), risk_scores.len())?;
    let mut keys: Vec<f64> = risk_scores.iter().zip(events).filter(|&(_, &e)| e).map(|(&s, _)| s).collect();
    keys.sort_by(f64::total_cmp);
    keys.dedup();
    let mut tree = Fenwick::new(keys.len());
    let (mut pairs, mut concordant, mut tied) = (0u64, 0u64, 0u64);
    let mut compare = |tree: &Fenwick, score: f64| {
        let inserted = tree.total();
        let at_most = tree.prefix(keys.partition_point(|&k| k <= score));
        let below = tree.prefix(keys.partition_point(|&k| k < score));
        pairs += inserted;
        concordant += inserted - at_most;
        tied += at_most - below;
    };
    let order = sorted_order(durations, events);
    let mut start = 0;
    while start < order.len() {
        let time = durations[order[start]];
        let end = start + order[start..].iter().take_while(|&&i| durations[i] == time).count();
        let group = &order[start..end];
        // Churners compare with churners strictly before them; then they join
        // the tree, so that customers censored at the same time compare with them too.
        group.iter().filter(|&&i| events[i]).for_each(|&i| compare(&tree, risk_scores[i]));
        for &i in group.iter().filter(|&&i| events[i]) {
            tree.add(keys.partition_point(|&k| k < risk_scores[i]));
        }
        group.iter().filter(|&&i| !events[i]).for_each(|&i| compare(&tree, risk_scores[i]));
        start = end;
    }
    Ok((pairs > 0).then(|| (concordant as f64 + tied as f64 / 2.0) / pairs as f64))
}

/// Counts per position with O(log n) prefix sums.
struct Fenwick {
    counts: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick { counts: vec![0; n + 1], total: 0 }
    }

    fn add(&mut self, position: usize) {
        self.total += 1;
        let mut i = position + 1;
        while i < self.counts.len() {
            self.counts[i] += 1;
            i += i & i.wrapping_neg();
        }
    }

    /// The count at positions below `end`.
    fn prefix(&self, end: usize) -> u64 {
        let (mut i, mut sum) = (end, 0);
        while i > 0 {
            sum += self.counts[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// Every pair by the definition, O(n²): the check on the fast count.
    fn by_pairs(durations: &[f64], events: &[bool], risk: &[f64]) -> Option<f64> {
        let (mut pairs, mut score) = (0.0, 0.0);
        for a in 0..durations.len() {
            for b in 0..durations.len() {
                let a_first = events[a] && (durations[a] < durations[b] || (durations[a] == durations[b] && !events[b]));
                if a_first {
                    pairs += 1.0;
                    score += if risk[a] > risk[b] {
                        1.0
                    } else if risk[a] == risk[b] {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        (pairs > 0.0).then(|| score / pairs)
    }

    #[test]
    fn hand_worked_pairs() {
        // Customers (duration, churned, risk): A (1, yes, 3), B (2, no, 1), C (2, yes, 2), D (3, yes, 2).
        // Comparable pairs (first to leave, other): A–B, A–C, A–D (A churned first),
        // C–B (same time, only C churned), C–D; D has nobody after it, B never churned.
        // Concordant: A–B (3 > 1), A–C (3 > 2), A–D (3 > 2), C–B (2 > 1); tied: C–D.
        // C = (4 + 0.5) / 5 = 0.9.
        let c = concordance_index(&[1.0, 2.0, 2.0, 3.0], &[true, false, true, true], &[3.0, 1.0, 2.0, 2.0]).unwrap();
        assert_abs_diff_eq!(c.unwrap(), 0.9, epsilon = 1e-15);
    }

    #[test]
    fn agrees_with_counting_every_pair() {
        // A deterministic jumble of ties in durations, events and scores.
        let n = 60;
        let durations: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64).collect();
        let events: Vec<bool> = (0..n).map(|i| (i * 5) % 3 != 0).collect();
        let risk: Vec<f64> = (0..n).map(|i| ((i * 13) % 9) as f64 / 3.0).collect();
        let fast = concordance_index(&durations, &events, &risk).unwrap().unwrap();
        assert_abs_diff_eq!(fast, by_pairs(&durations, &events, &risk).unwrap(), epsilon = 1e-14);
    }

    #[test]
    fn no_comparable_pairs_is_none() {
        assert_eq!(concordance_index(&[1.0, 2.0], &[false, false], &[1.0, 2.0]), Ok(None));
        // Both churn at the same time: not comparable.
        assert_eq!(concordance_index(&[1.0, 1.0], &[true, true], &[1.0, 2.0]), Ok(None));
    }
}
