//! The silhouette of a clustering (Rousseeuw 1987), as scikit-learn's
//! `silhouette_samples` and `silhouette_score` with Euclidean distances.
//!
//! For row i in cluster A: a(i) = the mean distance to the *other* rows of
//! A; b(i) = the least, over other clusters B, of the mean distance to the
//! rows of B; s(i) = (b − a)/max(a, b), and 0 when A has no other row (or
//! when a = b = 0). The score is the mean of s(i). It is exact and costs
//! O(n²) distances, so large data are scored on a seeded random sample of
//! rows (scikit-learn's `sample_size`), computed exactly on that sample.

use super::points::squared_distance;
use super::rng::SplitMix64;
use super::{MlError, Points};

/// The silhouette s(i) of each row (see the module docs).
pub fn silhouette_samples(points: Points<'_>, labels: &[usize]) -> Result<Vec<f64>, MlError> {
    let all: Vec<usize> = (0..points.n_rows()).collect();
    silhouette_of(points, labels, &all)
}

/// The mean silhouette over all rows.
pub fn silhouette_score(points: Points<'_>, labels: &[usize]) -> Result<f64, MlError> {
    Ok(mean(&silhouette_samples(points, labels)?))
}

/// The mean silhouette over the distinct rows `indices` only, as if the data were
/// just those rows (scikit-learn's `silhouette_score(X[indices], labels[indices])`).
pub fn silhouette_score_of(points: Points<'_>, labels: &[usize], indices: &[usize]) -> Result<f64, MlError> {
    Ok(mean(&silhouette_of(points, labels, indices)?))
}

/// The mean silhouette of a seeded random sample of `sample_size` distinct
/// rows (all rows when there are no more than that).
pub fn silhouette_score_sampled(points: Points<'_>, labels: &[usize], sample_size: usize, seed: u64) -> Result<f64, MlError> {
    let indices = SplitMix64::new(seed).sample_indices(points.n_rows(), sample_size);
    silhouette_score_of(points, labels, &indices)
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn silhouette_of(points: Points<'_>, labels: &[usize], indices: &[usize]) -> Result<Vec<f64>, MlError> {
    if labels.len() != points.n_rows() {
        return Err(MlError::LabelCount { expected: points.n_rows(), found: labels.len() });
    }
    // Relabel the scored rows' clusters 0..k so a sample missing a cluster is fine.
    let mut dense = std::collections::BTreeMap::new();
    let local: Vec<usize> = indices
        .iter()
        .map(|&i| labels[i])
        .map(|l| {
            let next = dense.len();
            *dense.entry(l).or_insert(next)
        })
        .collect();
    let k = dense.len();
    let n = indices.len();
    if k < 2 || k >= n {
        return Err(MlError::SilhouetteClusterCount { found: k, max: n.saturating_sub(1) });
    }
    let mut sizes = vec![0usize; k];
    local.iter().for_each(|&c| sizes[c] += 1);
    let mut sums = vec![0.0; k];
    let mut out = Vec::with_capacity(n);
    for (a, &i) in indices.iter().enumerate() {
        sums.iter_mut().for_each(|s| *s = 0.0);
        let row = points.row(i);
        for (b, &j) in indices.iter().enumerate() {
            if a != b {
                sums[local[b]] += squared_distance(row, points.row(j)).sqrt();
            }
        }
        let own = local[a];
        if sizes[own] == 1 {
            out.push(0.0);
            continue;
        }
        let within = sums[own] / (sizes[own] - 1) as f64;
        let nearest = (0..k).filter(|&c| c != own).map(|c| sums[c] / sizes[c] as f64).fold(f64::INFINITY, f64::min);
        let largest = within.max(nearest);
        out.push(if largest > 0.0 { (nearest - within) / largest } else { 0.0 });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn matches_hand_arithmetic_on_a_line() {
        // Clusters {0, 1} and {4}: row 0 has a = 1, b = 4, s = 3/4; row 1 has
        // a = 1, b = 3, s = 2/3; row 2 is alone, s = 0.
        let values = [0.0, 1.0, 4.0];
        let points = Points::new(&values, 1).unwrap();
        let s = silhouette_samples(points, &[0, 0, 1]).unwrap();
        assert_abs_diff_eq!(s[0], 0.75, epsilon = 1e-15);
        assert_abs_diff_eq!(s[1], 2.0 / 3.0, epsilon = 1e-15);
        assert_eq!(s[2], 0.0);
        assert_abs_diff_eq!(silhouette_score(points, &[0, 0, 1]).unwrap(), (0.75 + 2.0 / 3.0) / 3.0, epsilon = 1e-15);
        // The same three rows scored inside a larger data set.
        let more = [0.0, 1.0, 4.0, 6.0];
        let score = silhouette_score_of(Points::new(&more, 1).unwrap(), &[0, 0, 1, 1], &[0, 1, 2]).unwrap();
        assert_abs_diff_eq!(score, (0.75 + 2.0 / 3.0) / 3.0, epsilon = 1e-15);
    }

    #[test]
    fn needs_two_clusters_and_fewer_than_the_rows() {
        let values = [0.0, 1.0, 4.0];
        let points = Points::new(&values, 1).unwrap();
        assert_eq!(silhouette_score(points, &[0, 0, 0]), Err(MlError::SilhouetteClusterCount { found: 1, max: 2 }));
        assert_eq!(silhouette_score(points, &[0, 1, 2]), Err(MlError::SilhouetteClusterCount { found: 3, max: 2 }));
        assert_eq!(silhouette_score(points, &[0, 1]), Err(MlError::LabelCount { expected: 3, found: 2 }));
    }
}
