//! Class weights for imbalanced churn data: churners are often a small
//! minority, and weighting them up keeps a model from calling everyone
//! loyal.

use serde::{Deserialize, Serialize};

use crate::ml::MlError;

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
