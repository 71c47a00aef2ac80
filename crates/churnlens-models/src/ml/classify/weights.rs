//! Class weights for imbalanced churn data: churners are often a small
//! minority, and weighting them up keeps a model from calling everyone
//! loyal.

use serde::{Deserialize, Serialize};

use crate::ml::MlError;
use crate::ml::classify::TrainingSet;

/// How much each row's loss counts, by class.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Every row counts 1.
    #[default]
    Uniform,
    /// Each class counts as much in total, as scikit-learn's "balanced":
    /// a row of class c weighs n / (2 · n_c).
    Balanced,
    /// Fixed weights per class.
    Explicit {
        /// The weight of a non-churner.
        negative: f64,
        /// The weight of a churner.
        positive: f64,
    },
}

impl ClassWeight {
    /// The (negative, positive) class weights for these labels.
    pub fn resolve(&self, labels: &[bool]) -> (f64, f64) {
        match *self {
            ClassWeight::Uniform => (1.0, 1.0),
            ClassWeight::Balanced => {
                let n = labels.len() as f64;
                let positives = labels.iter().filter(|&&y| y).count() as f64;
                (n / (2.0 * (n - positives)), n / (2.0 * positives))
            }
            ClassWeight::Explicit { negative, positive } => (negative, positive),
        }
    }

    /// Refuses explicit weights that are not finite and positive.
    pub fn check(&self) -> Result<(), MlError> {
        match *self {
            ClassWeight::Explicit { negative, positive } if !(negative.is_finite() && positive.is_finite() && negative > 0.0 && positive > 0.0) => {
                Err(MlError::InvalidParameter { name: "class weights", reason: "must be finite and greater than 0" })
            }
            _ => Ok(()),
        }
    }
}

impl ClassWeight {
    // Tree learners weight rows; a training set with one class keeps weight 1
    // (the tree then has nothing to split and says so itself).
    /// The weight of each row: its class weight times its sample weight
    /// (1 when `sample_weights` is `None`).
    pub(crate) fn row_weights(self, set: &TrainingSet, sample_weights: Option<&[f64]>) -> Result<Vec<f64>, MlError> {
        let n = set.n_rows();
        if let Some(weights) = sample_weights {
            if weights.len() != n {
                return Err(MlError::LabelCount { expected: n, found: weights.len() });
            }
            if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
                return Err(MlError::InvalidParameter { name: "sample weights", reason: "must be finite and not negative" });
            }
        }
        let positives = set.labels.iter().filter(|&&y| y).count();
        let (positive, negative) = match self {
            ClassWeight::Uniform => (1.0, 1.0),
            ClassWeight::Balanced => {
                if positives == 0 || positives == n {
                    (1.0, 1.0)
                } else {
                    (n as f64 / (2.0 * positives as f64), n as f64 / (2.0 * (n - positives) as f64))
                }
            }
            ClassWeight::Explicit { positive, negative } => {
                self.check()?;
                (positive, negative)
            }
        };
        Ok((0..n).map(|i| (if set.labels[i] { positive } else { negative }) * sample_weights.map_or(1.0, |w| w[i])).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_weights_as_scikit_learn() {
        // 1 churner of 4: weights 4 / (2·3) and 4 / (2·1).
        assert_eq!(ClassWeight::Balanced.resolve(&[true, false, false, false]), (4.0 / 6.0, 2.0));
        assert!(ClassWeight::Explicit { negative: 1.0, positive: 0.0 }.check().is_err());
    }
}
