//! Cumulative gains and lift by decile: how many of the churners the
//! model's top 10 %, 20 %, … of customers hold, against random choice.

use serde::{Deserialize, Serialize};

/// One tenth of the customers, ranked by score from the highest down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    /// 1 for the highest scores … 10 for the lowest.
    pub decile: usize,
    /// Rows in this decile.
    pub rows: usize,
    /// Churners in this decile.
    pub positives: usize,
    /// Share of all churners in deciles 1..=this one.
    pub cumulative_gain: f64,
    /// This decile's churn rate ÷ the overall churn rate.
    pub lift: f64,
    /// The churn rate of deciles 1..=this one ÷ the overall churn rate.
    pub cumulative_lift: f64,
}

/// Gains and lift by decile. Rows are ranked by descending score; tied rows
/// keep their row order (a stable sort), so a tie that straddles a decile
/// boundary is split the same way every time. The row at rank r (from 0)
/// of n falls in decile ⌊10·r / n⌋ + 1, so decile sizes differ by at most
/// one. `None` when there are fewer than ten rows or no churner.
pub fn gains_by_decile(labels: &[bool], scores: &[f64]) -> Option<Vec<Decile>> {
    assert_eq!(labels.len(), scores.len(), "one score per label");
    let n = labels.len();
    let total_positives = labels.iter().filter(|&&y| y).count();
    if n < 10 || total_positives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut rows = [0usize; 10];
    let mut positives = [0usize; 10];
    for (rank, &row) in order.iter().enumerate() {
        let decile = 10 * rank / n;
        rows[decile] += 1;
        positives[decile] += usize::from(labels[row]);
    }
    let rate = total_positives as f64 / n as f64;
    let (mut seen_rows, mut seen_positives) = (0, 0);
    let deciles = (0..10)
        .map(|d| {
            seen_rows += rows[d];
            seen_positives += positives[d];
            Decile {
                decile: d + 1,
                rows: rows[d],
                positives: positives[d],
                cumulative_gain: seen_positives as f64 / total_positives as f64,
                lift: (positives[d] as f64 / rows[d] as f64) / rate,
                cumulative_lift: (seen_positives as f64 / seen_rows as f64) / rate,
            }
        })
        .collect();
    Some(deciles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_ranking_puts_every_churner_first() {
        // 20 rows, 4 churners with the top scores: decile 1 (2 rows) and 2
        // (2 rows) hold them all; lift = 1 / 0.2 = 5 there, 0 below.
        let labels: Vec<bool> = (0..20).map(|i| i < 4).collect();
        let scores: Vec<f64> = (0..20).map(|i| 1.0 - f64::from(i) / 20.0).collect();
        let deciles = gains_by_decile(&labels, &scores).unwrap();
        assert_eq!(deciles[0].positives, 2);
        assert_eq!(deciles[1].cumulative_gain, 1.0);
        assert_eq!(deciles[0].lift, 5.0);
        assert_eq!(deciles[2].lift, 0.0);
        assert_eq!(deciles[9].cumulative_lift, 1.0);
        assert!(gains_by_decile(&labels[..5], &scores[..5]).is_none());
    }
}
