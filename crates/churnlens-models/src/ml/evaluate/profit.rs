//! The contact threshold that pays best: a retention offer costs money for
//! every customer contacted and saves a share of the value of every churner
//! reached, so the best threshold is where the last contacted customer
//! still earns more than the offer costs.

use serde::{Deserialize, Serialize};

use crate::ml::MlError;

/// The economics of a retention campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignEconomics {
    /// What one contact (the offer, the call) costs, whether or not the
    /// customer would have churned.
    pub cost_per_contact: f64,
    /// The value kept when a churner is contacted and stays, for customers
    /// without a value of their own (e.g. average yearly revenue).
    pub value_saved: f64,
    /// The share of contacted churners the offer keeps, in [0, 1].
    pub success_rate: f64,
    /// Each customer's own value (such as their CLV), used instead of
    /// `value_saved` when given; one per row.
    pub customer_values: Option<Vec<f64>>,
}

/// The result of [`profit_threshold`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfitThreshold {
    /// Contact every customer scoring at least this.
    pub threshold: f64,
    /// How many customers that contacts.
    pub contacted: usize,
    /// How many of them churned.
    pub churners_reached: usize,
    /// Σ over contacted churners of success rate × value, minus cost × contacted.
    pub profit: f64,
    /// The profit of contacting the top-scoring rows at every distinct score,
    /// as (threshold, contacted, profit), from the highest threshold down.
    pub curve: Vec<(f64, usize, f64)>,
}

/// Chooses the threshold with the highest realised profit on labelled rows
/// (out-of-fold probabilities, say): for every distinct score, contacting
/// all rows scoring at least it. Tied scores are contacted together. If no
/// threshold makes a profit the answer contacts nobody (threshold above
/// every score, profit 0) — the honest advice then is not to run the
/// campaign.
pub fn profit_threshold(labels: &[bool], scores: &[f64], economics: &CampaignEconomics) -> Result<ProfitThreshold, MlError> {
    assert_eq!(labels.len(), scores.len(), "one score per label");
    if !(economics.cost_per_contact.is_finite() && economics.cost_per_contact >= 0.0) {
        return Err(MlError::InvalidParameter { name: "cost per contact", reason: "must be a finite number ≥ 0" });
    }
    if !(0.0..=1.0).contains(&economics.success_rate) {
        return Err(MlError::InvalidParameter { name: "success rate", reason: "must be between 0 and 1" });
    }
    if let Some(values) = &economics.customer_values {
        if values.len() != labels.len() {
            return Err(MlError::LabelCount { expected: labels.len(), found: values.len() });
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(MlError::InvalidParameter { name: "customer values", reason: "must be finite numbers" });
        }
    } else if !economics.value_saved.is_finite() {
        return Err(MlError::InvalidParameter { name: "value saved", reason: "must be a finite number" });
    }
    let value = |row: usize| economics.customer_values.as_ref().map_or(economics.value_saved, |values| values[row]);
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut best = ProfitThreshold { threshold: next_above(top), contacted: 0, churners_reached: 0, profit: 0.0, curve: Vec::new() };
    let (mut profit, mut reached) = (0.0, 0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        for &row in &order[start..end] {
            profit -= economics.cost_per_contact;
            if labels[row] {
                profit += economics.success_rate * value(row);
                reached += 1;
            }
        }
        let threshold = scores[order[start]];
        best.curve.push((threshold, end, profit));
        if profit > best.profit {
            (best.threshold, best.contacted, best.churners_reached, best.profit) = (threshold, end, reached, profit);
        }
        start = end;
    }
    Ok(best)
}

/// The smallest float above `x` (a threshold nobody reaches); 1 + ε past a
/// probability of 1 is fine for that purpose.
fn next_above(x: f64) -> f64 {
    if x.is_finite() { f64::from_bits(x.to_bits() + if x >= 0.0 { 1 } else { u64::MAX }) } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn economics(cost: f64, value: f64, success: f64) -> CampaignEconomics {
        CampaignEconomics { cost_per_contact: cost, value_saved: value, success_rate: success, customer_values: None }
    }

    #[test]
    fn picks_the_threshold_a_hand_count_picks() {
        // Scores ranked: 0.9 (churn), 0.8 (churn), 0.6 (stay), 0.5 (churn), 0.3 (stay), 0.2 (stay).
        // Each contact costs 10; a reached churner saves 0.5 × 100 = 50.
        // Profits: top 1: 40, top 2: 80, top 3: 70, top 4: 110, top 5: 100, top 6: 90.
        let labels = [true, false, true, false, true, false];
        let scores = [0.9, 0.3, 0.8, 0.2, 0.5, 0.6];
        let best = profit_threshold(&labels, &scores, &economics(10.0, 100.0, 0.5)).unwrap();
        assert_eq!((best.threshold, best.contacted, best.churners_reached), (0.5, 4, 3));
        assert!((best.profit - 110.0).abs() < 1e-12);
        let profits: Vec<f64> = best.curve.iter().map(|c| c.2).collect();
        assert_eq!(profits, vec![40.0, 80.0, 70.0, 110.0, 100.0, 90.0]);
    }

    #[test]
    fn customer_values_replace_the_flat_value_and_a_losing_campaign_contacts_nobody() {
        // Only the 0.5 churner is worth saving: 0.5 × 1000 − 10 × 4 = 460 at threshold 0.5.
        let labels = [true, false, true, false, true, false];
        let scores = [0.9, 0.3, 0.8, 0.2, 0.5, 0.6];
        let mut econ = economics(10.0, 0.0, 0.5);
        econ.customer_values = Some(vec![1.0, 1.0, 1.0, 1.0, 1000.0, 1.0]);
        let best = profit_threshold(&labels, &scores, &econ).unwrap();
        assert_eq!((best.threshold, best.contacted), (0.5, 4));
        assert!((best.profit - (500.0 + 1.0 - 40.0)).abs() < 1e-9);
        let none = profit_threshold(&labels, &scores, &economics(100.0, 10.0, 0.5)).unwrap();
        assert_eq!((none.contacted, none.profit), (0, 0.0));
        assert!(none.threshold > 0.9);
        assert!(profit_threshold(&labels, &scores, &economics(1.0, 1.0, 1.5)).is_err());
    }
}
