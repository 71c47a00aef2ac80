//! The calibration (reliability) curve: in each probability bin, the mean
//! predicted probability against the share that actually churned.

use serde::{Deserialize, Serialize};

/// One non-empty bin of the calibration curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// The bin's lower edge (exclusive, except 0 for the first bin).
    pub lower: f64,
    /// The bin's upper edge (inclusive).
    pub upper: f64,
    /// Rows whose probability falls in the bin.
    pub rows: usize,
    /// Their mean predicted probability.
    pub mean_predicted: f64,
    /// The share of them that churned.
    pub fraction_positive: f64,
}

/// The calibration curve with `bins` equal-width bins on [0, 1], as
/// scikit-learn's `calibration_curve(strategy="uniform")`: the edges are
/// k·(1/bins) (numpy's `linspace`), a probability on an inner edge belongs
/// to the bin below it, and empty bins are left out.
///
/// # Panics
/// If `bins` is 0 or a probability lies outside [0, 1].
pub fn calibration_curve(labels: &[bool], probabilities: &[f64], bins: usize) -> Vec<CalibrationBin> {
    assert_eq!(labels.len(), probabilities.len(), "one probability per label");
    assert!(bins > 0, "the calibration curve needs at least one bin");
    let step = 1.0 / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|k| if k == bins { 1.0 } else { k as f64 * step }).collect();
    let mut sums = vec![0.0; bins];
    let mut positives = vec![0usize; bins];
    let mut counts = vec![0usize; bins];
    for (&y, &p) in labels.iter().zip(probabilities) {
        assert!((0.0..=1.0).contains(&p), "probability {p} is outside [0, 1]");
        // The number of inner edges strictly below p (numpy's searchsorted, side "left").
        let bin = edges[1..bins].partition_point(|&edge| edge < p);
        sums[bin] += p;
        positives[bin] += usize::from(y);
        counts[bin] += 1;
    }
    (0..bins)
        .filter(|&b| counts[b] > 0)
        .map(|b| CalibrationBin {
            lower: edges[b],
            upper: edges[b + 1],
            rows: counts[b],
            mean_predicted: sums[b] / counts[b] as f64,
            fraction_positive: positives[b] as f64 / counts[b] as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_value_belongs_to_the_bin_below() {
        // Bins of width ½: 0.5 goes to [0, 0.5], 0.75 and 1.0 to (0.5, 1].
        let curve = calibration_curve(&[false, true, true, false], &[0.5, 0.75, 1.0, 0.25], 2);
        assert_eq!(curve.len(), 2);
        assert_eq!((curve[0].rows, curve[0].mean_predicted, curve[0].fraction_positive), (2, 0.375, 0.0));
        assert_eq!((curve[1].rows, curve[1].mean_predicted, curve[1].fraction_positive), (2, 0.875, 1.0));
    }
}
