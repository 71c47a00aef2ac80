//! The one error type of the forecasting models: the caller's series or
//! settings cannot give a forecast. Messages are plain words for the person
//! who chose the data; no forecast is ever returned as NaN instead.

use thiserror::Error;

/// Why a forecast, a backtest or an anomaly check could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ForecastError {
    /// The series is shorter than the model or the check needs.
    #[error("the series has {found} values but {needed} are needed {why}")]
    TooShort {
        /// The number of values needed.
        needed: usize,
        /// The number of values given.
        found: usize,
        /// What needs them, e.g. "to estimate a season of 12 periods".
        why: String,
    },
    /// A value is infinite or not a number.
    #[error("value {value} at position {index} is not a finite number")]
    NonFinite {
        /// The position in the series.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A multiplicative model was asked for on a series with a zero or negative value.
    #[error("value {value} at position {index} is not positive, so a multiplicative model ({model}) cannot describe it")]
    NonPositive {
        /// The position in the series.
        index: usize,
        /// The offending value.
        value: f64,
        /// The model asked for, e.g. "ETS(M,A,N)".
        model: String,
    },
    /// Every value is the same, so there is no variation to estimate a model
    /// (or an error variance) from.
    #[error("every value of the series is {value}: a constant series has no variation to model, and its forecast is that constant")]
    Constant {
        /// The one value.
        value: f64,
    },
    /// A setting is outside the range that makes sense.
    #[error("{name} = {value} is not allowed: {why}")]
    InvalidSetting {
        /// The setting's name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range in words.
        why: &'static str,
    },
    /// The given initial states do not match the model.
    #[error("the model needs {expected} initial seasonal values but {found} were given")]
    InitialSeasonLength {
        /// The season length of the model.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
    /// The model's one-step predictions left the range where its likelihood
    /// is defined (a multiplicative model predicting zero or less, or values
    /// overflowing), for every parameter value tried.
    #[error("no {model} model could be fitted to this series: its predictions leave the range where the model is defined")]
    NoFit {
        /// The model, or "any ETS" for an automatic choice.
        model: String,
    },
}
