//! Permutation importance: how much a fitted classifier's ROC AUC drops when
//! one feature's values are shuffled across rows, which breaks the
//! feature's link to churn while keeping its distribution. It works for
//! any [`Classifier`], so it is the one global importance every model family
//! can be compared on.

use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use super::roc_auc;
use crate::ml::MlError;
use crate::ml::classify::{Classifier, FeatureTable, TrainingSet, TreeSum};
use crate::ml::rng::SplitMix64;

/// The importance of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationImportance {
    /// The feature's name.
    pub feature: String,
    /// The mean AUC drop over the repeats (baseline − shuffled).
    pub mean_drop: f64,
    /// The population standard deviation of the drop over the repeats.
    pub std_drop: f64,
    /// The drop of every repeat.
    pub drops: Vec<f64>,
}

/// The AUC drop of every feature of `data` under `repeats` seeded shuffles,
/// in column order. Equal seeds give equal shuffles. Fails when `data`
/// holds one class only (no AUC) or `repeats` is 0.
pub fn permutation_importance(model: &dyn Classifier, data: &TrainingSet, repeats: usize, seed: u64) -> Result<Vec<PermutationImportance>, MlError> {
    let groups: Vec<Vec<usize>> = (0..data.features.n_features()).map(|j| vec![j]).collect();
    grouped_permutation_importance(model, data, &groups, data.features.names(), repeats, seed)
}

/// At most this many tree outputs (8 bytes each) are kept for the fast path
/// of tree models; beyond it every shuffle re-runs the whole model.
const KEPT_OUTPUTS_LIMIT: usize = 1 << 25;

/// A tree model's output of every tree for every row of the unshuffled
/// data, and the features each tree reads: a shuffle of some columns only
/// re-runs the trees that read one of them (a churn model's 300 trees of
/// depth 3 read a few columns each, so most shuffles re-run few trees).
struct KeptOutputs<'a> {
    sum: TreeSum<'a>,
    /// Row-major: `outputs[row * trees + tree]`.
    outputs: Vec<f64>,
    features_read: Vec<Vec<usize>>,
}

impl<'a> KeptOutputs<'a> {
    fn new(model: &'a dyn Classifier, features: &FeatureTable) -> Option<KeptOutputs<'a>> {
        let sum = model.tree_sum()?;
        let trees = sum.trees.len();
        if trees == 0 || trees.saturating_mul(features.n_rows()) > KEPT_OUTPUTS_LIMIT {
            return None;
        }
        let mut outputs = vec![0.0; trees * features.n_rows()];
        outputs.par_chunks_mut(trees).enumerate().for_each(|(row, out)| {
            for (o, tree) in out.iter_mut().zip(sum.trees) {
                *o = tree.predict_row(features, row);
            }
        });
        let features_read = sum.trees.iter().map(|t| t.nodes().iter().filter_map(|n| n.split.map(|s| s.feature)).collect()).collect();
        Some(KeptOutputs { sum, outputs, features_read })
    }

    /// The model's probabilities for `shuffled`, which differs from the
    /// kept data in the columns `group` only: the same sums, in the same
    /// order, as the model's own `predict_proba`.
    fn predict_proba(&self, shuffled: &FeatureTable, group: &[usize]) -> Vec<f64> {
        let trees = self.sum.trees.len();
        let rerun: Vec<bool> = self.features_read.iter().map(|read| read.iter().any(|f| group.contains(f))).collect();
        (0..shuffled.n_rows())
            .into_par_iter()
            .map(|row| {
                let kept = &self.outputs[row * trees..(row + 1) * trees];
                let sum = self
                    .sum
                    .trees
                    .iter()
                    .zip(&rerun)
                    .zip(kept)
                    .map(|((tree, &rerun), &kept)| if rerun { tree.predict_row(shuffled, row) } else { kept })
                    .sum::<f64>();
                (self.sum.finish)(sum)
            })
            .collect()
    }
}

/// As [`permutation_importance`], but each group of columns (indices into
/// `data.features`) is shuffled together, with one row permutation for the
/// whole group: the importance of a raw column that was encoded as several
/// (one-hot levels, a value and its missing indicator). Named `names[g]`.
pub fn grouped_permutation_importance(
    model: &dyn Classifier,
    data: &TrainingSet,
    groups: &[Vec<usize>],
    names: &[String],
    repeats: usize,
    seed: u64,
) -> Result<Vec<PermutationImportance>, MlError> {
    if repeats == 0 {
        return Err(MlError::InvalidParameter { name: "repeats", reason: "must be at least 1" });
    }
    assert_eq!(groups.len(), names.len(), "one name per group");
    let baseline = roc_auc(&data.labels, &model.predict_proba(&data.features)).ok_or(MlError::SingleClass)?;
    let kept = KeptOutputs::new(model, &data.features);
    let n = data.n_rows();
    let mut rng = SplitMix64::new(seed);
    let mut importances = Vec::with_capacity(groups.len());
    for (group, name) in groups.iter().zip(names) {
        let mut drops = Vec::with_capacity(repeats);
        for _ in 0..repeats {
            let permutation = rng.sample_indices(n, n);
            let mut table = data.features.clone();
            for &feature in group {
                let column = data.features.column(feature);
                table.set_column(feature, permutation.iter().map(|&i| column[i]).collect());
            }
            let probabilities = match &kept {
                Some(kept) => kept.predict_proba(&table, group),
                None => model.predict_proba(&table),
            };
            let auc = roc_auc(&data.labels, &probabilities).ok_or(MlError::SingleClass)?;
            drops.push(baseline - auc);
        }
        let mean_drop = drops.iter().sum::<f64>() / repeats as f64;
        let std_drop = (drops.iter().map(|d| (d - mean_drop).powi(2)).sum::<f64>() / repeats as f64).sqrt();
        importances.push(PermutationImportance { feature: name.clone(), mean_drop, std_drop, drops });
    }
    Ok(importances)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::classify::FeatureTable;

    /// Scores by the first feature alone.
    struct FirstFeature;

    impl Classifier for FirstFeature {
        fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
            features.column(0).to_vec()
        }
    }

    #[test]
    fn an_unused_feature_matters_nothing_and_the_used_one_a_lot() {
        let n = 200;
        let signal: Vec<f64> = (0..n).map(|i| f64::from(i) / f64::from(n)).collect();
        let noise: Vec<f64> = (0..n).map(|i| f64::from((i * 37) % 11)).collect();
        let labels: Vec<bool> = (0..n).map(|i| i >= n / 2).collect();
        let table = FeatureTable::new(vec!["signal".into(), "noise".into()], vec![signal, noise]).unwrap();
        let data = TrainingSet::new(table, labels).unwrap();
        let importances = permutation_importance(&FirstFeature, &data, 5, 3).unwrap();
        // Baseline AUC is 1; a shuffled score has AUC near ½, so the drop is near ½.
        assert!(importances[0].mean_drop > 0.35 && importances[0].mean_drop < 0.65, "{:?}", importances[0]);
        assert!(importances[0].std_drop > 0.0);
        assert_eq!(importances[1].drops, vec![0.0; 5]);
        assert_eq!(importances, permutation_importance(&FirstFeature, &data, 5, 3).unwrap());
    }

    /// Singleton groups are the per-column importance, shuffle for shuffle;
    /// a group shares one permutation, so adding an unused column to the
    /// signal's group leaves its drops exactly as they were.
    #[test]
    fn groups_shuffle_their_columns_together() {
        let n = 200;
        let signal: Vec<f64> = (0..n).map(|i| f64::from(i) / f64::from(n)).collect();
        let noise: Vec<f64> = (0..n).map(|i| f64::from((i * 37) % 11)).collect();
        let labels: Vec<bool> = (0..n).map(|i| i >= n / 2).collect();
        let table = FeatureTable::new(vec!["signal".into(), "noise".into()], vec![signal, noise]).unwrap();
        let data = TrainingSet::new(table, labels).unwrap();
        let single = permutation_importance(&FirstFeature, &data, 4, 9).unwrap();
        let names = vec!["signal".to_string(), "noise".to_string()];
        assert_eq!(grouped_permutation_importance(&FirstFeature, &data, &[vec![0], vec![1]], &names, 4, 9).unwrap(), single);
        let both = grouped_permutation_importance(&FirstFeature, &data, &[vec![0, 1]], &names[..1], 4, 9).unwrap();
        assert_eq!(both[0].drops, single[0].drops);
    }

    /// Hides a model's trees, so importance takes the slow path: every
    /// shuffle re-runs the whole model.
    struct Opaque<'a>(&'a dyn Classifier);

    impl Classifier for Opaque<'_> {
        fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
            self.0.predict_proba(features)
        }
    }

    /// The fast path of tree models (re-running only the trees that read a
    /// shuffled column) gives the very drops of re-running the whole model.
    #[test]
    fn tree_models_rerun_only_the_trees_that_read_a_shuffled_column_with_the_same_result() {
        use crate::ml::classify::{DecisionTreeParams, GbdtParams, RandomForestParams};
        let n = 400;
        let mut state = 7u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let columns: Vec<Vec<f64>> = (0..6).map(|_| (0..n).map(|_| next()).collect()).collect();
        let labels: Vec<bool> = (0..n).map(|i| columns[0][i] + 0.5 * columns[1][i] + 0.3 * next() > 0.9).collect();
        let names: Vec<String> = (0..6).map(|j| format!("x{j}")).collect();
        let data = TrainingSet::new(FeatureTable::new(names.clone(), columns).unwrap(), labels).unwrap();
        let groups = vec![vec![0], vec![1, 2], vec![3], vec![4, 5]];
        let group_names = names[..4].to_vec();
        let gbdt = GbdtParams::default().n_trees(60).fit(&data).unwrap();
        let forest = RandomForestParams::default().n_trees(20).fit(&data).unwrap();
        let tree = DecisionTreeParams::default().fit(&data).unwrap();
        for model in [&gbdt as &dyn Classifier, &forest, &tree] {
            assert!(model.tree_sum().is_some());
            let fast = grouped_permutation_importance(model, &data, &groups, &group_names, 3, 11).unwrap();
            let slow = grouped_permutation_importance(&Opaque(model), &data, &groups, &group_names, 3, 11).unwrap();
            assert_eq!(fast, slow);
            assert!(fast[0].mean_drop > 0.05, "{fast:?}");
        }
    }
}
