//! Churn prediction over a workspace (issue #6): the rows a classifier
//! learns from and scores, built without leakage, and their encoding.
//!
//! * [`activity`]: point-in-time rows from activity data — customers active
//!   at each cutoff, features from data on or before it, the label
//!   "churned within the horizon" of the metrics window rule.
//! * [`snapshot`]: rows from a `snapshot` table, a label column and every
//!   other column, identifiers left out with a note, invalid labels refused.
//! * [`frame`]: the raw rows both produce, columns named in en and zh.
//! * [`encode`]: one-hot (rare levels grouped) or out-of-fold target
//!   encoding, and missing values kept or imputed with an indicator; the
//!   fitted encoder is saved with a model.
//! * [`saved`]: models saved in the workspace (`models/churn/<name>.json`).
//! * [`rows`]: the rows a saved model scores (and its training rows), rebuilt from the workspace.
//! * [`split`]: the time split of activity rows and the recency-only baseline.
//! * [`train`]: fitting, comparing and scoring with the classifiers of
//!   [`crate::ml::classify`].
//! * [`features`]: what each activity feature means — warning sign,
//!   experience or profile — and its value as a zh/en sentence.
//! * [`reasons`]: risk tiers and per-customer reasons as zh/en sentences.
//!
//! Reading the workspace fails with [`churnlens_metrics::MetricsError`]; a
//! problem the user can fix is an `Options` error in plain words.

pub mod activity;
pub mod encode;
pub mod features;
pub mod frame;
pub mod reasons;
pub mod rows;
pub mod saved;
pub mod snapshot;
pub mod split;
pub mod train;
