//! Decisions at a probability threshold: the confusion matrix and the
//! rates read from it.

use serde::{Deserialize, Serialize};

/// Counts of a yes/no decision against the truth; a row is called churned
/// when its score is at least the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Churned and called churned.
    pub true_positives: usize,
    /// Stayed but called churned (an offer spent in vain).
    pub false_positives: usize,
    /// Stayed and called staying.
    pub true_negatives: usize,
    /// Churned but called staying (a customer missed).
    pub false_negatives: usize,
}

impl ConfusionMatrix {
    /// Counts the decisions `score >= threshold` against the labels.
    pub fn at_threshold(labels: &[bool], scores: &[f64], threshold: f64) -> Self {
        assert_eq!(labels.len(), scores.len(), "one score per label");
        let mut matrix = ConfusionMatrix { true_positives: 0, false_positives: 0, true_negatives: 0, false_negatives: 0 };
        for (&y, &s) in labels.iter().zip(scores) {
            match (y, s >= threshold) {
                (true, true) => matrix.true_positives += 1,
                (false, true) => matrix.false_positives += 1,
                (false, false) => matrix.true_negatives += 1,
                (true, false) => matrix.false_negatives += 1,
            }
        }
        matrix
    }

    /// The number of rows.
    pub fn total(&self) -> usize {
        self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
    }

    /// Share of right decisions; 0 for no rows.
    pub fn accuracy(&self) -> f64 {
        ratio(self.true_positives + self.true_negatives, self.total())
    }

    /// Share of the called churners who churned; 0 when nobody is called
    /// (scikit-learn's `zero_division=0`).
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    /// Share of the churners who were called; 0 when nobody churned.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }

    /// Harmonic mean of precision and recall, 2·TP / (2·TP + FP + FN); 0 when
    /// that is 0/0.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.true_positives, 2 * self.true_positives + self.false_positives + self.false_negatives)
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 { 0.0 } else { numerator as f64 / denominator as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_rates_by_hand() {
        let m = ConfusionMatrix::at_threshold(&[true, true, false, false, true], &[0.9, 0.5, 0.5, 0.1, 0.2], 0.5);
        assert_eq!((m.true_positives, m.false_positives, m.true_negatives, m.false_negatives), (2, 1, 1, 1));
        assert_eq!(m.accuracy(), 0.6);
        assert_eq!(m.precision(), 2.0 / 3.0);
        assert_eq!(m.recall(), 2.0 / 3.0);
        assert_eq!(m.f1(), 4.0 / 6.0);
        assert_eq!(ConfusionMatrix::at_threshold(&[true], &[0.1], 0.5).precision(), 0.0);
    }
}
