//! The statistical models of churnlens.
//!
//! Everything here works on plain slices of numbers, so it is testable
//! against published values and independent libraries without a workspace;
//! the metrics crate turns workspace tables into those slices.
//!
//! * [`stats::special`]: log-gamma, digamma and the other special
//!   functions the likelihoods need.
//! * [`stats::linalg`]: small dense symmetric systems (Hessians, Newton steps).
//! * [`stats::distributions`]: the normal CDF and quantile, chi-square p-values.
//! * [`stats::survival`]: Kaplan–Meier, Nelson–Aalen, log-rank tests and the
//!   Cox proportional hazards model (issue #7).
//! * [`stats::btyd`]: buy-till-you-die CLV models (BG/NBD, MBG/NBD, Pareto/NBD,
//!   Gamma-Gamma, sBG), with [`stats::optimize`] and [`stats::hyp2f1`]; fit
//!   errors are [`error::ModelError`].
//! * [`stats::forecast`]: exponential smoothing (ETS) with automatic model
//!   choice, prediction intervals, a rolling-origin backtest against seasonal
//!   naive and anomaly flags (issue #7).
//! * [`stats::significance`]: Wilson intervals, chi-square independence
//!   (with or without Yates), Mann–Whitney U (issue #4).
//! * [`stats::rfm`]: RFM quintile scores and the eight- and eleven-segment
//!   schemes, labelled in zh and en (issue #4).
//! * [`survival_analysis`]: lifetimes from a workspace's `snapshot` table or
//!   orders, and the Kaplan–Meier, log-rank and Cox tables (issue #7).
//! * [`forecasting`]: per-period churn, active, new and revenue series of a
//!   workspace, their ETS forecasts, anomaly flags and backtests (issue #7).
//! * [`clv`]: predictive CLV from a workspace's orders — BTYD summary, fit,
//!   saved model, per-customer predictions, segment summaries and holdout
//!   validation (issue #5).
//! * [`ml`]: k-means with k-means++ seeding, silhouette choice of k,
//!   standardisation and cluster profiles; FP-growth association rules (issue #4).
//! * [`segment`]: the above over a workspace — RFM segments with churn rate,
//!   revenue share and CLV per segment, and the ranked churn-driver table
//!   (issue #4).
//! * [`prediction`]: churn prediction rows from activity data (point in
//!   time, no leakage) or a snapshot, and their encoding (issue #6).

pub mod clv;
pub mod error;
pub mod forecasting;
pub mod ml;
pub mod prediction;
pub mod segment;
pub mod stats;
pub mod survival_analysis;
