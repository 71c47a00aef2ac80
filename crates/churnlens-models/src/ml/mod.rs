//! Machine learning for churn diagnosis (issue #4): k-means segmentation
//! with silhouette-based choice of k and cluster profiles, and association
//! rules by FP-growth; and for churn prediction (issue #6): the classifiers
//! in [`classify`], and the Spearman correlation matrix ([`spearman`]) and
//! complete-linkage clustering ([`linkage`]) that group correlated
//! features for permutation importance.
//!
//! Like the statistics, everything works on plain slices: a data matrix is
//! a row-major `&[f64]` with a stated number of features ([`Points`]),
//! transactions are slices of item indices. Randomness (k-means++ seeding,
//! silhouette sampling) comes from a seeded SplitMix64 generator, so equal
//! settings give equal results on every platform.

mod error;
mod points;
mod rng;

pub mod association;
pub mod classify;
pub mod evaluate;
pub mod kmeans;
pub mod linkage;
pub mod profile;
pub mod scaler;
pub mod silhouette;
pub mod spearman;

pub use error::MlError;
pub use points::Points;
