//! The error of fitting a model: the user's data or settings cannot give a
//! model, said in plain words with what to try instead. Predictions from a
//! fitted model cannot fail, so they have no error.

use thiserror::Error;

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// A setting is out of its range (a negative penalizer, zero iterations …).
    #[error("the setting {name} is invalid: {reason}")]
    InvalidSetting {
        /// The setting's name as the builder spells it.
        name: &'static str,
        /// What is wrong and what range is accepted.
        reason: String,
    },
    /// The input data cannot be used (mismatched lengths, negative ages, no customers …).
    #[error("the input data is invalid: {0}")]
    InvalidData(String),
    /// The optimiser stopped before the gradient was small enough.
    #[error("the {model} fit did not converge after {iterations} iterations (gradient norm {gradient_norm:.2e}, log-likelihood {log_likelihood:.4}): {hint}")]
    NotConverged {
        /// The model's name ("BG/NBD", "Pareto/NBD" …).
        model: &'static str,
        /// Iterations of the best start.
        iterations: usize,
        /// The largest absolute gradient component at the best start's end point.
        gradient_norm: f64,
        /// The total log-likelihood at that point.
        log_likelihood: f64,
        /// What the user can do about it.
        hint: &'static str,
    },
    /// The likelihood was not finite at any starting point, or the fit ended
    /// at parameters the model's predictions are not defined for.
    #[error("the {model} fit failed: {reason}")]
    Degenerate {
        /// The model's name.
        model: &'static str,
        /// What happened, in plain words.
        reason: String,
    },
}
