//! Permutation importance: how much a fitted classifier's ROC AUC drops when
//! one feature's values are shuffled across rows, which breaks the
//! feature's link to churn while keeping its distribution. It works for
//! any [`Classifier`], so it is the one global importance every model family
//! can be compared on.

use serde::{Deserialize, Serialize};

use super::roc_auc;
use crate::ml::MlError;
use crate::ml::classify::{Classifier, TrainingSet};
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
    if repeats == 0 {
        return Err(MlError::InvalidParameter { name: "repeats", reason: "must be at least 1" });
    }
    let baseline = roc_auc(&data.labels, &model.predict_proba(&data.features)).ok_or(MlError::SingleClass)?;
    let n = data.n_rows();
    let mut rng = SplitMix64::new(seed);
    let mut importances = Vec::with_capacity(data.features.n_features());
    for (feature, name) in data.features.names().iter().enumerate() {
        let mut drops = Vec::with_capacity(repeats);
        for _ in 0..repeats {
            let permutation = rng.sample_indices(n, n);
            let column = data.features.column(feature);
            let shuffled: Vec<f64> = permutation.iter().map(|&i| column[i]).collect();
            let table = data.features.with_column(feature, shuffled);
            let auc = roc_auc(&data.labels, &model.predict_proba(&table)).ok_or(MlError::SingleClass)?;
            drops.push(baseline - auc);
        }
        let mean_drop = drops.iter().sum::<f64>() / repeats as f64;
        let std_drop = (drops.iter().map(|d| (d - mean_drop).powi(2)).sum::<f64>() / repeats as f64).sqrt();
        importances.push(PermutationImportance { feature: name.clone(), mean_drop, std_drop, drops });
    }
    Ok(importances)
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
                table = table.with_column(feature, permutation.iter().map(|&i| column[i]).collect());
            }
            let auc = roc_auc(&data.labels, &model.predict_proba(&table)).ok_or(MlError::SingleClass)?;
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
}
