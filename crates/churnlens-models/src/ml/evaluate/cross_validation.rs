//! k-fold cross-validation: fit on k − 1 stratified folds, predict the
//! held-out one, and measure every fold and the pooled out-of-fold
//! probabilities with the same metrics.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ConfusionMatrix, average_precision, brier_score, log_loss, roc_auc, stratified_folds};
use crate::ml::MlError;
use crate::ml::classify::{Classifier, TrainingSet};

/// The metrics of one set of probabilities against its labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryMetrics {
    /// Rows measured.
    pub rows: usize,
    /// ROC AUC.
    pub roc_auc: f64,
    /// PR AUC (average precision).
    pub pr_auc: f64,
    /// Mean log loss.
    pub log_loss: f64,
    /// Brier score.
    pub brier: f64,
    /// The threshold the decision counts below use.
    pub threshold: f64,
    /// Share of right decisions at the threshold.
    pub accuracy: f64,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
}

impl BinaryMetrics {
    /// Every metric of `probabilities`, decisions at `threshold`. Fails when
    /// the labels hold one class only (the AUCs are undefined).
    pub fn measure(labels: &[bool], probabilities: &[f64], threshold: f64) -> Result<Self, MlError> {
        let matrix = ConfusionMatrix::at_threshold(labels, probabilities, threshold);
        Ok(BinaryMetrics {
            rows: labels.len(),
            roc_auc: roc_auc(labels, probabilities).ok_or(MlError::SingleClass)?,
            pr_auc: average_precision(labels, probabilities).ok_or(MlError::SingleClass)?,
            log_loss: log_loss(labels, probabilities).ok_or(MlError::SingleClass)?,
            brier: brier_score(labels, probabilities).ok_or(MlError::SingleClass)?,
            threshold,
            accuracy: matrix.accuracy(),
            precision: matrix.precision(),
            recall: matrix.recall(),
            f1: matrix.f1(),
        })
    }

    /// The plain mean of each metric over `folds` (rows summed).
    fn mean(folds: &[BinaryMetrics]) -> BinaryMetrics {
        let k = folds.len() as f64;
        let mean = |metric: fn(&BinaryMetrics) -> f64| folds.iter().map(metric).sum::<f64>() / k;
        BinaryMetrics {
            rows: folds.iter().map(|f| f.rows).sum(),
            roc_auc: mean(|f| f.roc_auc),
            pr_auc: mean(|f| f.pr_auc),
            log_loss: mean(|f| f.log_loss),
            brier: mean(|f| f.brier),
            threshold: folds[0].threshold,
            accuracy: mean(|f| f.accuracy),
            precision: mean(|f| f.precision),
            recall: mean(|f| f.recall),
            f1: mean(|f| f.f1),
        }
    }
}

/// The result of [`cross_validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// The fold of every row.
    pub folds: Vec<usize>,
    /// Every row's probability from the model that did not see it.
    pub out_of_fold: Vec<f64>,
    /// The metrics of each held-out fold.
    pub per_fold: Vec<BinaryMetrics>,
    /// The mean of the per-fold metrics (the figure usually quoted as
    /// "k-fold CV AUC").
    pub mean: BinaryMetrics,
    /// The metrics of all out-of-fold probabilities pooled.
    pub pooled: BinaryMetrics,
}

/// Stratified k-fold cross-validation of the model `fit` produces: folds
/// from [`stratified_folds`] with `seed`, one fit per fold on the other
/// folds (folds run in parallel), decisions at `threshold` for the
/// threshold metrics. The first fit error is returned.
pub fn cross_validate<M, F>(data: &TrainingSet, k: usize, seed: u64, threshold: f64, fit: F) -> Result<CrossValidation, MlError>
where
    M: Classifier,
    F: Fn(&TrainingSet) -> Result<M, MlError> + Sync,
{
    if k < 2 {
        return Err(MlError::InvalidParameter { name: "folds", reason: "must be at least 2" });
    }
    let positives = data.labels.iter().filter(|&&y| y).count();
    if positives.min(data.n_rows() - positives) < k {
        return Err(MlError::TooFewRows { needed: k, found: positives.min(data.n_rows() - positives) });
    }
    let folds = stratified_folds(&data.labels, k, seed);
    let predictions: Vec<(Vec<usize>, Vec<f64>)> = (0..k)
        .into_par_iter()
        .map(|fold| {
            let (held_out, training): (Vec<usize>, Vec<usize>) = (0..data.n_rows()).partition(|&i| folds[i] == fold);
            let model = fit(&data.select_rows(&training))?;
            let probabilities = model.predict_proba(&data.features.select_rows(&held_out));
            Ok((held_out, probabilities))
        })
        .collect::<Result<_, MlError>>()?;
    let mut out_of_fold = vec![0.0; data.n_rows()];
    let mut per_fold = Vec::with_capacity(k);
    for (rows, probabilities) in &predictions {
        rows.iter().zip(probabilities).for_each(|(&row, &p)| out_of_fold[row] = p);
        let labels: Vec<bool> = rows.iter().map(|&row| data.labels[row]).collect();
        per_fold.push(BinaryMetrics::measure(&labels, probabilities, threshold)?);
    }
    let mean = BinaryMetrics::mean(&per_fold);
    let pooled = BinaryMetrics::measure(&data.labels, &out_of_fold, threshold)?;
    Ok(CrossValidation { folds, out_of_fold, per_fold, mean, pooled })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::classify::FeatureTable;

    /// Predicts the training set's churn rate for everyone.
    struct BaseRate(f64);

    impl Classifier for BaseRate {
        fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
            vec![self.0; features.n_rows()]
        }
    }

    #[test]
    fn every_row_is_predicted_by_a_model_that_did_not_see_it() {
        let n = 50;
        let labels: Vec<bool> = (0..n).map(|i| i % 5 == 0).collect();
        let table = FeatureTable::new(vec!["row".into()], vec![(0..n).map(f64::from).collect()]).unwrap();
        let data = TrainingSet::new(table, labels).unwrap();
        // The "model" remembers which rows it was trained on and scores
        // them 1; a held-out row must therefore always get 0.
        struct Seen(Vec<f64>);
        impl Classifier for Seen {
            fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
                features.column(0).iter().map(|x| if self.0.contains(x) { 1.0 } else { 0.0 }).collect()
            }
        }
        let cv = cross_validate(&data, 5, 1, 0.5, |train| Ok(Seen(train.features.column(0).to_vec())));
        // All held-out scores are 0: one score, so AUC ½ in every fold.
        let cv = cv.unwrap();
        assert!(cv.out_of_fold.iter().all(|&p| p == 0.0));
        assert_eq!(cv.mean.roc_auc, 0.5);
        // A base-rate model's out-of-fold probability is the other folds' churn rate: 8/40.
        let cv = cross_validate(&data, 5, 1, 0.5, |train| Ok(BaseRate(train.positive_rate()))).unwrap();
        assert!(cv.out_of_fold.iter().all(|&p| (p - 0.2).abs() < 1e-15));
        assert_eq!(cv.per_fold.len(), 5);
        assert_eq!(cv.mean.rows, 50);
        assert!((cv.mean.brier - 0.16).abs() < 1e-12);
    }
}
