//! Stratified k-fold splits: every fold keeps the churn rate of the whole.

use crate::ml::rng::SplitMix64;

/// Assigns every row to one of `k` folds so that each fold holds the same
/// share of positives as the whole (to within one row per class): each
/// class is shuffled with the seeded generator and dealt out in turn.
/// Returns the fold of every row. Equal seeds give equal folds.
pub fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    assert!(k >= 2, "k-fold needs at least two folds");
    let mut rng = SplitMix64::new(seed);
    let mut fold_of = vec![0; labels.len()];
    let mut next_fold = 0;
    for class in [true, false] {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        let shuffled = rng.sample_indices(rows.len(), rows.len());
        rows = shuffled.into_iter().map(|i| rows[i]).collect();
        for row in rows {
            fold_of[row] = next_fold;
            next_fold = (next_fold + 1) % k;
        }
    }
    fold_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_reproducible() {
        let labels: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
        let folds = stratified_folds(&labels, 5, 42);
        assert_eq!(folds, stratified_folds(&labels, 5, 42));
        for fold in 0..5 {
            let rows: Vec<usize> = (0..labels.len()).filter(|&i| folds[i] == fold).collect();
            let positives = rows.iter().filter(|&&i| labels[i]).count();
            assert!((20..=21).contains(&rows.len()), "fold {fold} has {} rows", rows.len());
            assert!((5..=6).contains(&positives), "fold {fold} has {positives} positives");
        }
    }
}
