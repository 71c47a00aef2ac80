//! k-means clustering, linfa-style: [`KMeansParams`] (a builder with
//! documented defaults) → [`KMeansParams::check`] → [`KMeansValidParams::fit`]
//! → [`KMeans`], whose [`KMeans::predict`] assigns new rows.
//!
//! * **Objective**: the inertia Σᵢ ‖xᵢ − c_{label(i)}‖², squared Euclidean
//!   distances, so features should be on one scale first
//!   ([`super::scaler::StandardScaler`]).
//! * **Seeding**: greedy k-means++ as scikit-learn's `kmeans_plusplus`: the
//!   first centre a uniformly random row; each further one the best (lowest
//!   resulting inertia) of 2 + ⌊ln k⌋ candidates drawn with probability
//!   proportional to the squared distance to the nearest centre so far.
//!   Or given initial centroids, which make the fit reproduce scikit-learn's
//!   `KMeans(init=centres, n_init=1, algorithm="lloyd")`.
//! * **Lloyd iterations** as scikit-learn runs them: assign every row to
//!   its nearest centre (the lower index on a tie), move each centre to the
//!   mean of its rows; stop when no label changes, or when the summed
//!   squared centre shift is at most `tolerance` × the mean per-feature
//!   variance of the data (scikit-learn's relative `tol`), or after
//!   `max_iterations`; in the last two cases the labels are reassigned to
//!   the final centres. A cluster left empty takes the row farthest from
//!   its current centre, so k clusters always come out.
//! * **Restarts**: `n_runs` seedings from one seeded SplitMix64 stream; the
//!   fit of lowest inertia wins (the first on a tie).
//! * **Choosing k**: unless k is given, every k of a range (default 2–8) is
//!   fitted and the one of highest mean silhouette wins (the smaller k on a
//!   tie); above `silhouette_sample` rows the silhouette is computed on a
//!   seeded random sample of that many rows, since it costs O(n²). A k
//!   whose clusters cannot be scored (fewer than two among the scored rows)
//!   is left out of the choice.

use std::ops::RangeInclusive;

use super::points::squared_distance;
use super::rng::SplitMix64;
use super::silhouette::{silhouette_score, silhouette_score_sampled};
use super::{MlError, Points};

/// How many clusters to make.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterCount {
    /// Exactly k.
    Fixed(usize),
    /// The k of highest silhouette in the range (from at least 2).
    BySilhouette(RangeInclusive<usize>),
}

/// The settings of a k-means fit.
///
/// Defaults: k chosen by silhouette in 2..=8; 10 runs; at most 300 Lloyd
/// iterations; tolerance 1e-4 (relative, as scikit-learn's `tol`); seed 0;
/// k-means++ seeding; silhouette sampled above 2,000 rows.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansParams {
    clusters: ClusterCount,
    n_runs: usize,
    max_iterations: usize,
    tolerance: f64,
    seed: u64,
    initial_centroids: Option<Vec<f64>>,
    silhouette_sample: usize,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            clusters: ClusterCount::BySilhouette(2..=8),
            n_runs: 10,
            max_iterations: 300,
            tolerance: 1e-4,
            seed: 0,
            initial_centroids: None,
            silhouette_sample: 2000,
        }
    }
}

impl KMeansParams {
    /// The default settings (k chosen by silhouette).
    pub fn new() -> Self {
        Self::default()
    }

    /// Exactly `k` clusters.
    pub fn n_clusters(mut self, k: usize) -> Self {
        self.clusters = ClusterCount::Fixed(k);
        self
    }

    /// Choose k in `range` by silhouette (the default, 2..=8).
    pub fn choose_k(mut self, range: RangeInclusive<usize>) -> Self {
        self.clusters = ClusterCount::BySilhouette(range);
        self
    }

    /// The number of k-means++ seedings tried per k (default 10).
    pub fn n_runs(mut self, n_runs: usize) -> Self {
        self.n_runs = n_runs;
        self
    }

    /// The most Lloyd iterations per run (default 300).
    pub fn max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// The stopping tolerance relative to the mean feature variance
    /// (default 1e-4; 0 runs until no label changes).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The random seed (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Start from these centroids (k rows, row-major) instead of k-means++;
    /// needs a fixed k, and one run is made.
    pub fn initial_centroids(mut self, centroids: Vec<f64>) -> Self {
        self.initial_centroids = Some(centroids);
        self
    }

    /// Above this many rows the silhouette that chooses k is computed on a
    /// random sample of this many (default 2,000).
    pub fn silhouette_sample(mut self, rows: usize) -> Self {
        self.silhouette_sample = rows;
        self
    }

    /// Checks the settings.
    pub fn check(&self) -> Result<KMeansValidParams, MlError> {
        match &self.clusters {
            ClusterCount::Fixed(0) => return Err(MlError::InvalidParameter { name: "n_clusters", reason: "must be at least 1" }),
            ClusterCount::BySilhouette(range) if *range.start() < 2 || range.is_empty() => {
                return Err(MlError::InvalidParameter { name: "choose_k", reason: "must be a non-empty range starting at 2 or more" });
            }
            ClusterCount::BySilhouette(_) if self.initial_centroids.is_some() => {
                return Err(MlError::InvalidParameter { name: "initial_centroids", reason: "need a fixed number of clusters" });
            }
            _ => {}
        }
        if self.n_runs == 0 {
            return Err(MlError::InvalidParameter { name: "n_runs", reason: "must be at least 1" });
        }
        if self.max_iterations == 0 {
            return Err(MlError::InvalidParameter { name: "max_iterations", reason: "must be at least 1" });
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(MlError::InvalidParameter { name: "tolerance", reason: "must be a number of zero or more" });
        }
        if self.silhouette_sample < 3 {
            return Err(MlError::InvalidParameter { name: "silhouette_sample", reason: "must be at least 3" });
        }
        Ok(KMeansValidParams { params: self.clone() })
    }
}

/// Checked k-means settings, ready to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansValidParams {
    params: KMeansParams,
}

/// One k tried while choosing k.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KCandidate {
    /// The number of clusters.
    pub k: usize,
    /// The inertia of the best run.
    pub inertia: f64,
    /// Its mean silhouette (on the sample when sampled).
    pub silhouette: f64,
}

/// A fitted k-means model.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    centroids: Vec<f64>,
    n_features: usize,
    labels: Vec<usize>,
    inertia: f64,
    n_iterations: usize,
    candidates: Vec<KCandidate>,
}

impl KMeansValidParams {
    /// Fits k-means to `points`.
    pub fn fit(&self, points: Points<'_>) -> Result<KMeans, MlError> {
        let p = &self.params;
        match &p.clusters {
            ClusterCount::Fixed(k) => self.fit_k(points, *k),
            ClusterCount::BySilhouette(range) => {
                let n = points.n_rows();
                // The silhouette needs at least one cluster with two rows: k < n.
                let ks: Vec<usize> = range.clone().filter(|&k| k < n).collect();
                if ks.is_empty() {
                    return Err(MlError::TooFewRows { needed: range.start() + 1, found: n });
                }
                let mut best: Option<(KMeans, f64)> = None;
                let mut candidates = Vec::with_capacity(ks.len());
                for k in ks {
                    let model = self.fit_k(points, k)?;
                    let scored = if n > p.silhouette_sample {
                        silhouette_score_sampled(points, &model.labels, p.silhouette_sample, p.seed)
                    } else {
                        silhouette_score(points, &model.labels)
                    };
                    let silhouette = match scored {
                        Ok(silhouette) => silhouette,
                        // Fewer than two clusters among the scored rows (a
                        // sample that missed the small ones): this k cannot compete.
                        Err(MlError::SilhouetteClusterCount { .. }) => continue,
                        Err(other) => return Err(other),
                    };
                    candidates.push(KCandidate { k, inertia: model.inertia, silhouette });
                    // Strictly higher: the smaller k wins a tie.
                    if best.as_ref().is_none_or(|(_, best_silhouette)| silhouette > *best_silhouette) {
                        best = Some((model, silhouette));
                    }
                }
                let Some((mut model, _)) = best else {
                    return Err(MlError::SilhouetteClusterCount { found: 1, max: n.min(p.silhouette_sample) - 1 });
                };
                model.candidates = candidates;
                Ok(model)
            }
        }
    }

    fn fit_k(&self, points: Points<'_>, k: usize) -> Result<KMeans, MlError> {
        let p = &self.params;
        let n = points.n_rows();
        let d = points.n_features();
        if n < k {
            return Err(MlError::TooFewRows { needed: k, found: n });
        }
        let tolerance = p.tolerance * mean_variance(points);
        if let Some(centroids) = &p.initial_centroids {
            if centroids.len() != k * d {
                return Err(MlError::CentroidShape { clusters: k, features: d, expected: k * d, found: centroids.len() });
            }
            Points::new(centroids, d)?;
            return Ok(lloyd(points, centroids.clone(), p.max_iterations, tolerance));
        }
        let mut rng = SplitMix64::new(p.seed);
        let mut best: Option<KMeans> = None;
        for _ in 0..p.n_runs {
            let run = lloyd(points, kmeans_plus_plus(points, k, &mut rng), p.max_iterations, tolerance);
            if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
                best = Some(run);
            }
        }
        Ok(best.expect("n_runs is at least 1"))
    }
}

impl KMeans {
    /// The cluster centres, k rows of `n_features`, row-major.
    pub fn centroids(&self) -> &[f64] {
        &self.centroids
    }

    /// Centre `cluster`.
    pub fn centroid(&self, cluster: usize) -> &[f64] {
        &self.centroids[cluster * self.n_features..(cluster + 1) * self.n_features]
    }

    /// The number of clusters k.
    pub fn n_clusters(&self) -> usize {
        self.centroids.len() / self.n_features
    }

    /// The cluster of each training row.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Σ squared distance of each training row to its centre.
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// The Lloyd iterations of the winning run.
    pub fn n_iterations(&self) -> usize {
        self.n_iterations
    }

    /// Every k tried with its inertia and silhouette, when k was chosen by
    /// silhouette; empty when k was given.
    pub fn candidates(&self) -> &[KCandidate] {
        &self.candidates
    }

    /// The nearest centre to `row` (the lower index on a tie).
    ///
    /// # Panics
    /// If `row` does not have the fitted number of features.
    pub fn predict(&self, row: &[f64]) -> usize {
        assert_eq!(row.len(), self.n_features, "the model was fitted on {} features", self.n_features);
        nearest(row, &self.centroids, self.n_features).0
    }
}

/// The nearest centroid to `row` and its squared distance.
fn nearest(row: &[f64], centroids: &[f64], d: usize) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (c, centre) in centroids.chunks_exact(d).enumerate() {
        let distance = squared_distance(row, centre);
        if distance < best.1 {
            best = (c, distance);
        }
    }
    best
}

/// The mean over features of the population variance: scikit-learn's scale for `tol`.
fn mean_variance(points: Points<'_>) -> f64 {
    let (n, d) = (points.n_rows() as f64, points.n_features());
    (0..d)
        .map(|j| {
            let mean = points.rows().map(|row| row[j]).sum::<f64>() / n;
            points.rows().map(|row| (row[j] - mean) * (row[j] - mean)).sum::<f64>() / n
        })
        .sum::<f64>()
        / d as f64
}

/// Greedy k-means++ seeding (see the module docs).
fn kmeans_plus_plus(points: Points<'_>, k: usize, rng: &mut SplitMix64) -> Vec<f64> {
    let n = points.n_rows();
    let d = points.n_features();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centroids = Vec::with_capacity(k * d);
    centroids.extend_from_slice(points.row(rng.below(n)));
    let mut closest: Vec<f64> = points.rows().map(|row| squared_distance(row, &centroids[..d])).collect();
    let mut potential: f64 = closest.iter().sum();
    for _ in 1..k {
        let mut best: Option<(usize, f64, Vec<f64>)> = None;
        for _ in 0..trials {
            let candidate = if potential > 0.0 { weighted_index(&closest, rng.next_f64() * potential) } else { rng.below(n) };
            let centre = points.row(candidate);
            let distances: Vec<f64> = points.rows().zip(&closest).map(|(row, &c)| c.min(squared_distance(row, centre))).collect();
            let candidate_potential: f64 = distances.iter().sum();
            if best.as_ref().is_none_or(|b| candidate_potential < b.1) {
                best = Some((candidate, candidate_potential, distances));
            }
        }
        let (chosen, chosen_potential, distances) = best.expect("at least two trials");
        centroids.extend_from_slice(points.row(chosen));
        closest = distances;
        potential = chosen_potential;
    }
    centroids
}

/// The first index whose running sum of `weights` exceeds `target`
/// (numpy's `searchsorted` on the cumulative sum), never past the last
/// row with a positive weight.
fn weighted_index(weights: &[f64], target: f64) -> usize {
    let mut sum = 0.0;
    let mut last_positive = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            last_positive = i;
        }
        sum += w;
        if sum > target {
            return i;
        }
    }
    last_positive
}

/// Lloyd iterations from `centroids` (see the module docs for the stopping rule).
fn lloyd(points: Points<'_>, mut centroids: Vec<f64>, max_iterations: usize, tolerance: f64) -> KMeans {
    let n = points.n_rows();
    let d = points.n_features();
    let k = centroids.len() / d;
    let mut labels = vec![usize::MAX; n];
    let mut distances = vec![0.0; n];
    let mut converged = false;
    let mut n_iterations = 0;
    for _ in 0..max_iterations {
        n_iterations += 1;
        let mut changed = false;
        for (i, row) in points.rows().enumerate() {
            let (label, distance) = nearest(row, &centroids, d);
            changed |= labels[i] != label;
            labels[i] = label;
            distances[i] = distance;
        }
        let updated = update_centroids(points, &mut labels, &distances, &centroids, k);
        let shift: f64 = updated.chunks_exact(d).zip(centroids.chunks_exact(d)).map(|(a, b)| squared_distance(a, b)).sum();
        centroids = updated;
        if !changed {
            converged = true;
            break;
        }
        if shift <= tolerance {
            break;
        }
    }
    if !converged {
        // Stopped on the shift or the iteration limit: label the rows by the
        // centres actually returned, as scikit-learn does.
        for (i, row) in points.rows().enumerate() {
            labels[i] = nearest(row, &centroids, d).0;
        }
    }
    let inertia = points.rows().zip(&labels).map(|(row, &c)| squared_distance(row, &centroids[c * d..(c + 1) * d])).sum();
    KMeans { centroids, n_features: d, labels, inertia, n_iterations, candidates: Vec::new() }
}

/// The mean of each cluster's rows; an empty cluster takes the row farthest
/// from its centre (which leaves its old cluster).
fn update_centroids(points: Points<'_>, labels: &mut [usize], distances: &[f64], old: &[f64], k: usize) -> Vec<f64> {
    let d = points.n_features();
    let mut counts = vec![0usize; k];
    labels.iter().for_each(|&c| counts[c] += 1);
    if counts.contains(&0) {
        let mut by_distance: Vec<usize> = (0..labels.len()).collect();
        by_distance.sort_by(|&a, &b| distances[b].total_cmp(&distances[a]).then(a.cmp(&b)));
        let mut donors = by_distance.into_iter();
        for cluster in 0..k {
            if counts[cluster] == 0 {
                // Only rows whose cluster keeps another member may move.
                let row = donors.by_ref().find(|&i| counts[labels[i]] > 1).expect("n ≥ k leaves a row to move");
                counts[labels[row]] -= 1;
                labels[row] = cluster;
                counts[cluster] = 1;
            }
        }
    }
    let mut sums = vec![0.0; old.len()];
    for (row, &c) in points.rows().zip(labels.iter()) {
        sums[c * d..(c + 1) * d].iter_mut().zip(row).for_each(|(s, x)| *s += x);
    }
    for (c, sum) in sums.chunks_exact_mut(d).enumerate() {
        sum.iter_mut().for_each(|s| *s /= counts[c] as f64);
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn two_groups() -> Vec<f64> {
        vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 10.0, 10.0, 10.0, 11.0, 11.0, 10.0]
    }

    #[test]
    fn finds_two_obvious_groups_by_hand_arithmetic() {
        let values = two_groups();
        let points = Points::new(&values, 2).unwrap();
        let model = KMeansParams::new().n_clusters(2).seed(3).check().unwrap().fit(points).unwrap();
        let labels = model.labels();
        assert!(labels[0] == labels[1] && labels[1] == labels[2] && labels[3] == labels[4] && labels[4] == labels[5] && labels[0] != labels[3]);
        // Each group's centre is (1/3, 1/3) from its corner; inertia 2 × (2/9 + 5/9 + 5/9) = 8/3.
        assert_abs_diff_eq!(model.inertia(), 8.0 / 3.0, epsilon = 1e-12);
        assert_eq!(model.predict(&[9.0, 9.0]), labels[3]);
    }

    #[test]
    fn equal_seeds_give_equal_fits() {
        let values: Vec<f64> = (0..60).map(|i| ((i * 37) % 17) as f64 + (i % 3) as f64 * 0.1).collect();
        let points = Points::new(&values, 2).unwrap();
        let params = KMeansParams::new().n_clusters(3).seed(42).check().unwrap();
        assert_eq!(params.fit(points).unwrap(), params.fit(points).unwrap());
    }

    #[test]
    fn an_empty_cluster_takes_the_farthest_row() {
        // Centre 1 starts far from every row, so it is empty after the first assignment.
        let values = [0.0, 1.0, 2.0, 10.0];
        let points = Points::new(&values, 1).unwrap();
        let model = KMeansParams::new().n_clusters(2).initial_centroids(vec![1.0, 100.0]).check().unwrap().fit(points).unwrap();
        assert_eq!(model.labels(), &[0, 0, 0, 1]);
        assert_abs_diff_eq!(model.inertia(), 2.0, epsilon = 1e-12);
    }

    #[test]
    fn a_k_the_silhouette_sample_cannot_score_is_left_out() {
        // 199 rows in [0, 1] and one at 1000: k = 2 isolates the outlier,
        // which a 3-row sample almost surely misses, leaving one cluster to score.
        let values: Vec<f64> = (0..199).map(|i| f64::from(i) / 198.0).chain([1000.0]).collect();
        let points = Points::new(&values, 1).unwrap();
        let params = KMeansParams::new().choose_k(2..=2).silhouette_sample(3).seed(5).check().unwrap();
        assert_eq!(params.fit(points), Err(MlError::SilhouetteClusterCount { found: 1, max: 2 }));
        // With k = 3 on offer too, the big group splits in two, the sample sees both, and k = 3 is chosen.
        let params = KMeansParams::new().choose_k(2..=3).silhouette_sample(3).seed(5).check().unwrap();
        let model = params.fit(points).unwrap();
        assert_eq!(model.n_clusters(), 3);
        assert_eq!(model.candidates().iter().map(|c| c.k).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn rejects_settings_that_cannot_work() {
        assert!(KMeansParams::new().n_clusters(0).check().is_err());
        assert!(KMeansParams::new().choose_k(1..=4).check().is_err());
        assert!(KMeansParams::new().initial_centroids(vec![0.0]).check().is_err());
        let values = two_groups();
        let points = Points::new(&values, 2).unwrap();
        let wrong = KMeansParams::new().n_clusters(2).initial_centroids(vec![0.0; 3]).check().unwrap();
        assert_eq!(wrong.fit(points), Err(MlError::CentroidShape { clusters: 2, features: 2, expected: 4, found: 3 }));
        assert_eq!(KMeansParams::new().n_clusters(7).check().unwrap().fit(points), Err(MlError::TooFewRows { needed: 7, found: 6 }));
    }
}
