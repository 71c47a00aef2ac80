//! Segmentation and churn diagnosis over a workspace (issue #4): the
//! statistics of [`crate::stats::rfm`] and [`crate::stats::significance`]
//! fed from workspace tables read through DataFusion.
//!
//! * [`base`]: one row per customer who bought before the as-of day —
//!   first and last purchase day, orders, net revenue — and the churn label
//!   of the window rule at that day.
//! * [`rfm`]: RFM values, quintile scores, the eight- and eleven-segment
//!   schemes and per segment size, revenue share, churn rate and average
//!   historical CLV.
//! * [`behaviour`]: active / dormant / churned at the as-of day, crossed with
//!   purchase-frequency groups.
//! * [`clusters`]: k-means clusters of (by default) the churned customers on
//!   standardised recency, frequency, monetary value and tenure, with
//!   profiles.
//! * [`drivers`]: churn rate by every customer attribute with Wilson
//!   intervals, chi-square, Cramér's V and Mann–Whitney, ranked, with one
//!   sentence per attribute in zh and en; and first-purchase-no-repeat,
//!   the same tests on the first order of one-time buyers against returners.
//!
//! * [`rules`]: FP-growth association rules over the items of each order.
//!
//! Every function returns [`churnlens_metrics::MetricsError`]: a statistic
//! that cannot be computed from the user's data is an
//! [`Options`](churnlens_metrics::MetricsError::Options) error in plain
//! words, which the CLI reports as the user's to fix.

pub mod base;
pub mod behaviour;
pub mod clusters;
pub mod drivers;
pub mod rfm;
pub mod rules;

use churnlens_metrics::MetricsError;

/// A statistics error as the user's problem with their data.
fn data_error(context: &str, error: impl std::fmt::Display) -> MetricsError {
    MetricsError::Options(format!("{context}: {error}"))
}
