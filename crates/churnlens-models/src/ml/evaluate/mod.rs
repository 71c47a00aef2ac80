//! Evaluating churn classifiers (issue #6): ranking quality and the splits
//! it is measured on.

mod folds;
mod roc;

pub use folds::stratified_folds;
pub use roc::roc_auc;
