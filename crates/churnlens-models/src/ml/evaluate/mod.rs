//! Evaluating churn classifiers (issue #6): ranking quality, probability
//! quality, decisions at a threshold, gains and lift, calibration, the
//! profit-maximising threshold, permutation importance, and the splits and
//! cross-validation they are measured on.

mod calibration;
mod cross_validation;
mod folds;
mod gains;
mod permutation;
mod precision_recall;
mod probability;
mod profit;
mod roc;
mod threshold;

pub use calibration::{CalibrationBin, calibration_curve};
pub use cross_validation::{BinaryMetrics, CrossValidation, cross_validate};
pub use folds::stratified_folds;
pub use gains::{Decile, gains_by_decile};
pub use permutation::{PermutationImportance, grouped_permutation_importance, permutation_importance};
pub use precision_recall::average_precision;
pub use probability::{brier_score, log_loss};
pub use profit::{CampaignEconomics, ProfitThreshold, profit_threshold};
pub use roc::roc_auc;
pub use threshold::ConfusionMatrix;
