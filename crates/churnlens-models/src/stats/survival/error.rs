//! The one error type of the survival models: the caller's data or settings
//! cannot give an estimate. Messages are plain words for the person who
//! chose the data; no estimate is ever returned as NaN instead.

use thiserror::Error;

/// Why a survival estimate or test could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SurvivalError {
    /// No customers at all.
    #[error("there are no customers to analyse")]
    Empty,
    /// An input slice does not have one value per customer.
    #[error("{what} has {found} values but there are {expected} durations")]
    LengthMismatch {
        /// Which input is too short or too long.
        what: &'static str,
        /// The number of durations.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
    /// A duration is negative, infinite or not a number.
    #[error("duration {value} of customer {index} is not a finite number of zero or more")]
    InvalidDuration {
        /// The customer's position in the input.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A covariate value is infinite or not a number.
    #[error("covariate {name} of customer {index} is {value}, not a finite number")]
    InvalidCovariate {
        /// The covariate's name.
        name: String,
        /// The customer's position in the input.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A covariate has the same value for every customer, so its effect
    /// cannot be told apart from the baseline hazard.
    #[error("covariate {name} has the same value for every customer, so its effect cannot be estimated")]
    ConstantCovariate {
        /// The covariate's name.
        name: String,
    },
    /// Two covariates have the same name.
    #[error("there are two covariates named {name}")]
    DuplicateCovariate {
        /// The repeated name.
        name: String,
    },
    /// A Cox model was asked for without covariates.
    #[error("a Cox model needs at least one covariate")]
    NoCovariates,
    /// The baseline level of a categorical covariate does not occur in it.
    #[error("the baseline level {baseline} does not occur in {name}")]
    UnknownBaseline {
        /// The categorical covariate's name.
        name: String,
        /// The missing level.
        baseline: String,
    },
    /// No customer churned, so there is no hazard to model.
    #[error("no customer churned, so there is nothing to fit")]
    NoEvents,
    /// A test needs at least two groups.
    #[error("the test needs at least two groups but there are {found}")]
    TooFewGroups {
        /// The number of distinct groups.
        found: usize,
    },
    /// The covariance of a test statistic is singular, e.g. a group has no
    /// customer at risk at any churn time.
    #[error("the groups cannot be compared: a group has no customer at risk at any churn time")]
    SingularTest,
    /// A setting is out of its range.
    #[error("{name} {reason}")]
    InvalidParameter {
        /// The setting.
        name: &'static str,
        /// What is wrong with it, e.g. "must be positive".
        reason: &'static str,
    },
    /// The information matrix of a Cox model is singular or not positive
    /// definite: collinear covariates, or a covariate that separates
    /// churners from the others perfectly.
    #[error("the Cox model cannot be fitted: the covariates are collinear or separate churners perfectly")]
    SingularInformation,
    /// Newton–Raphson did not converge.
    #[error("the Cox model did not converge in {iterations} iterations; try a penalizer or fewer covariates")]
    NotConverged {
        /// The iterations taken.
        iterations: usize,
    },
}
