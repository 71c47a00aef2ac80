//! Survival analysis of customer lifetimes (issue #7): how long customers
//! stay, and what makes them churn sooner.
//!
//! Input is plain slices: `durations` (time from start to churn or to the end
//! of observation), `events` (`true` = churned, `false` = still active,
//! i.e. right-censored), optionally a group label per customer and a
//! covariate matrix. Each estimator matches lifelines 0.30 (the formulas are
//! in each module's documentation; the tests compare with lifelines on the
//! IBM Telco data, see `reference/survival_reference.py`):
//!
//! * [`KaplanMeier`]: survival curve, Greenwood variance, log(−log)
//!   intervals, median, per group;
//! * [`NelsonAalen`]: cumulative hazard;
//! * [`logrank_test`], [`multivariate_logrank_test`]: equal-hazard tests;
//! * [`CoxParams`] → [`CoxModel`]: Cox proportional hazards with Efron or
//!   Breslow ties, hazard ratios, concordance and the proportional-hazards
//!   test; [`Covariates`] builds its design matrix, one-hot encoding
//!   categorical columns against a baseline level;
//! * [`concordance_index`]: Harrell's C of any risk score.
//!
//! Where the results differ from lifelines, on purpose:
//!
//! * a step function read before the first duration is S = 1 and H = 0
//!   (lifelines returns NaN there);
//! * a survival percentile counts S within 1e-12 of p as reaching it: with
//!   S(t) = ½ exactly, lifelines' exp(Σ log) can give 0.5000000000000001 and
//!   report the next time as the median;
//! * a log-rank test whose covariance matrix is singular (a group with no one
//!   at risk at any churn time, or everyone churning at once) is an error
//!   where lifelines returns a statistic from a pseudo-inverse;
//! * concordance compares the centred linear predictor exactly; lifelines'
//!   predicted hazards of identical covariate rows differ in the last bits
//!   (on the Telco data 1,262 covariate patterns), so a few pairs it counts
//!   as concordant or not are ties here (C differs by 5.6e-8 there);
//! * nothing is ever NaN: what cannot be estimated is a [`SurvivalError`] or
//!   an `Option`.

mod concordance;
mod covariates;
mod cox;
mod data;
mod error;
mod kaplan_meier;
mod logrank;
mod nelson_aalen;

pub use concordance::concordance_index;
pub use covariates::{Covariates, one_hot};
pub use cox::{CoxCoefficient, CoxModel, CoxParams, CoxValidParams, Ties};
pub use data::{EventTable, GroupSample, check_durations, split_by_group};
pub use error::SurvivalError;
pub use kaplan_meier::KaplanMeier;
pub use logrank::{LogRankTest, logrank_test, multivariate_logrank_test};
pub use nelson_aalen::{NelsonAalen, NelsonAalenTies};

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceInterval {
    /// The lower bound.
    pub lower: f64,
    /// The upper bound.
    pub upper: f64,
}

/// A chi-square test: its statistic, degrees of freedom and p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    /// The test statistic.
    pub statistic: f64,
    /// The degrees of freedom of its chi-square null distribution.
    pub degrees_of_freedom: usize,
    /// P(χ² > statistic) under the null hypothesis.
    pub p_value: f64,
}
