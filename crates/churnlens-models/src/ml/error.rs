//! The one error type of the machine-learning models: the caller's data or
//! settings cannot give a model. Plain words; no result is ever NaN instead.

use thiserror::Error;

/// Why a model could not be fitted or evaluated.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MlError {
    /// A data matrix without features.
    #[error("the data need at least one feature")]
    NoFeatures,
    /// The values do not fill whole rows.
    #[error("{values} values do not make whole rows of {features} features")]
    RaggedMatrix {
        /// The number of values.
        values: usize,
        /// The number of features per row.
        features: usize,
    },
    /// A value is infinite or not a number.
    #[error("feature {feature} of row {row} is {value}, not a finite number")]
    InvalidValue {
        /// The row.
        row: usize,
        /// The feature.
        feature: usize,
        /// The offending value.
        value: f64,
    },
    /// Fewer rows than the method needs.
    #[error("{needed} rows are needed, but there are {found}")]
    TooFewRows {
        /// The least number of rows.
        needed: usize,
        /// The number of rows given.
        found: usize,
    },
    /// A setting is out of range.
    #[error("{name} {reason}")]
    InvalidParameter {
        /// The setting.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The given initial centroids do not match the data or the cluster count.
    #[error("the initial centroids have {found} values; {clusters} clusters of {features} features need {expected}")]
    CentroidShape {
        /// The number of clusters.
        clusters: usize,
        /// The number of features.
        features: usize,
        /// clusters × features.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
    /// A labels slice does not have one label per row.
    #[error("there are {found} labels for {expected} rows")]
    LabelCount {
        /// The number of rows.
        expected: usize,
        /// The number of labels.
        found: usize,
    },
    /// The silhouette needs at least two clusters and fewer clusters than points.
    #[error("the silhouette needs between 2 and {max} clusters among the points scored, not {found}")]
    SilhouetteClusterCount {
        /// The number of distinct labels.
        found: usize,
        /// The number of points scored minus one.
        max: usize,
    },
    /// No transactions to mine.
    #[error("there are no transactions to mine")]
    NoTransactions,
    /// The table has missing values where the model needs complete data.
    #[error("feature {feature} has missing values; impute or drop them before fitting this model")]
    MissingValues {
        /// The first feature with a missing value.
        feature: String,
    },
    /// The labels hold one class only, so there is nothing to tell apart.
    #[error("the labels are all churned or all retained; a classifier needs both")]
    SingleClass,
    /// An iterative fit did not converge.
    #[error("{what} did not converge in {iterations} iterations")]
    NotConverged {
        /// The model.
        what: &'static str,
        /// The iterations used.
        iterations: usize,
    },
    /// A tree given node by node is not a valid binary tree.
    #[error("tree node {node}: {reason}")]
    InvalidTree {
        /// The offending node.
        node: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}
