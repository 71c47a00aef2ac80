//! Cluster profiles: what sets each cluster apart from the whole population.
//!
//! For cluster c and feature j, with population mean μⱼ and population
//! standard deviation σⱼ (divisor n, as the scaler uses): the cluster mean
//! x̄_{cj}, the difference x̄_{cj} − μⱼ and the standardised difference
//! (x̄_{cj} − μⱼ)/σⱼ (0 for a constant feature). The features that set a
//! cluster apart are those of largest |standardised difference|, first.
//! Pass the data in their original units so the means read naturally; the
//! standardised difference does not depend on the units.

use super::{MlError, Points};

/// One feature of one cluster against the population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureProfile {
    /// The feature's index.
    pub feature: usize,
    /// Its mean within the cluster.
    pub cluster_mean: f64,
    /// Its mean over all rows.
    pub population_mean: f64,
    /// cluster mean − population mean.
    pub difference: f64,
    /// The difference in population standard deviations.
    pub standardised_difference: f64,
}

/// A cluster's size and its features against the population.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterProfile {
    /// The cluster's label.
    pub cluster: usize,
    /// Its number of rows.
    pub size: usize,
    /// Its share of all rows.
    pub share: f64,
    /// Every feature, in feature order.
    pub features: Vec<FeatureProfile>,
    /// Feature indices by decreasing |standardised difference| (ties by index).
    pub distinguishing: Vec<usize>,
}

/// The profile of each cluster 0..k (k = the largest label + 1; a label
/// with no rows is an empty profile of size 0 and zero differences).
pub fn cluster_profiles(points: Points<'_>, labels: &[usize]) -> Result<Vec<ClusterProfile>, MlError> {
    let n = points.n_rows();
    if labels.len() != n {
        return Err(MlError::LabelCount { expected: n, found: labels.len() });
    }
    if n == 0 {
        return Err(MlError::TooFewRows { needed: 1, found: 0 });
    }
    let d = points.n_features();
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut population = vec![0.0; d];
    let mut sums = vec![0.0; k * d];
    let mut sizes = vec![0usize; k];
    for (row, &c) in points.rows().zip(labels) {
        sizes[c] += 1;
        for j in 0..d {
            population[j] += row[j];
            sums[c * d + j] += row[j];
        }
    }
    population.iter_mut().for_each(|m| *m /= n as f64);
    let mut spread = vec![0.0; d];
    points.rows().for_each(|row| spread.iter_mut().zip(row.iter().zip(&population)).for_each(|(s, (x, m))| *s += (x - m) * (x - m)));
    let std: Vec<f64> = spread.iter().map(|s| (s / n as f64).sqrt()).collect();
    Ok((0..k)
        .map(|c| {
            let features: Vec<FeatureProfile> = (0..d)
                .map(|j| {
                    let cluster_mean = if sizes[c] > 0 { sums[c * d + j] / sizes[c] as f64 } else { population[j] };
                    let difference = cluster_mean - population[j];
                    let standardised_difference = if std[j] > 0.0 { difference / std[j] } else { 0.0 };
                    FeatureProfile { feature: j, cluster_mean, population_mean: population[j], difference, standardised_difference }
                })
                .collect();
            let mut distinguishing: Vec<usize> = (0..d).collect();
            distinguishing.sort_by(|&a, &b| features[b].standardised_difference.abs().total_cmp(&features[a].standardised_difference.abs()).then(a.cmp(&b)));
            ClusterProfile { cluster: c, size: sizes[c], share: sizes[c] as f64 / n as f64, features, distinguishing }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn profiles_by_hand_arithmetic() {
        // Feature 0 splits the clusters, feature 1 barely differs.
        let values = [0.0, 5.0, 2.0, 7.0, 10.0, 6.0, 12.0, 6.0];
        let points = Points::new(&values, 2).unwrap();
        let profiles = cluster_profiles(points, &[0, 0, 1, 1]).unwrap();
        // Feature 0: population mean 6, population std √((36 + 16 + 16 + 36)/4) = √26.
        let first = &profiles[0].features[0];
        assert_abs_diff_eq!(first.cluster_mean, 1.0, epsilon = 1e-15);
        assert_abs_diff_eq!(first.population_mean, 6.0, epsilon = 1e-15);
        assert_abs_diff_eq!(first.standardised_difference, -5.0 / 26f64.sqrt(), epsilon = 1e-15);
        assert_eq!(profiles[0].distinguishing, vec![0, 1]);
        assert_eq!(profiles[1].size, 2);
        assert_abs_diff_eq!(profiles[1].share, 0.5, epsilon = 1e-15);
        assert_eq!(cluster_profiles(points, &[0]), Err(MlError::LabelCount { expected: 4, found: 1 }));
    }
}
