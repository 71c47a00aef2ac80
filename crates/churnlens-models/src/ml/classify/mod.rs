//! Churn classifiers (issue #6): the data they learn from and the one thing
//! every fitted classifier does, give each row a churn probability.
//!
//! Every model follows the same shape: `XxxParams` (a builder with
//! documented defaults) → `fit(&TrainingSet) -> Result<Xxx, MlError>` →
//! `Classifier::predict_proba`, which cannot fail. Fitted models derive
//! serde's traits so a workspace can save them.

mod forest;
mod gbdt;
mod nodes;
mod shap;
mod table;
mod tree;

pub use forest::{MaxFeatures, RandomForest, RandomForestParams};
pub use gbdt::{Gbdt, GbdtParams};
pub use nodes::{FeatureImportance, Split, Tree, TreeNode};
pub use shap::{ShapValues, tree_shap};
pub use table::{FeatureTable, TrainingSet};
pub use tree::{DecisionTree, DecisionTreeParams};

pub mod logistic;
mod weights;

pub use logistic::{LogisticParams, LogisticRegression};
pub use weights::ClassWeight;

pub mod svm;

pub use svm::{Gamma, Kernel, Svm, SvmParams};

/// A fitted binary classifier: the probability of the positive class
/// (churned) for every row of `features`, in row order.
///
/// `features` must have the columns the model was fitted on, in the same
/// order; models check the count and panic on a mismatch, because a caller
/// that mixes up feature sets has a bug, not bad data.
pub trait Classifier: Send + Sync {
    /// P(churn) for every row, each in [0, 1].
    fn predict_proba(&self, features: &FeatureTable) -> Vec<f64>;

    /// The model as a [`TreeSum`] (tree models); `None` for the others.
    fn tree_sum(&self) -> Option<TreeSum<'_>> {
        None
    }
}

/// A model whose probability is `finish(Σ tree outputs)`, the outputs
/// summed in tree order exactly as its `predict_proba` does: what lets
/// permutation importance re-run only the trees that read a shuffled column
/// and still get the very same probabilities.
pub struct TreeSum<'a> {
    /// The trees, in summing order.
    pub trees: &'a [Tree],
    /// The probability from the sum of the trees' outputs.
    pub finish: Box<dyn Fn(f64) -> f64 + Send + Sync + 'a>,
}
