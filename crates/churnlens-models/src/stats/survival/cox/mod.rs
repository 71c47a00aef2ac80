//! The Cox proportional hazards model: h(t | x) = h₀(t) exp(xβ), fitted by
//! maximising the partial likelihood, as lifelines' `CoxPHFitter` does.
//!
//! [`CoxParams`] (ties, tolerance, iterations, penalizer) → [`CoxParams::check`]
//! → [`CoxValidParams::fit`] → [`CoxModel`]: coefficients, hazard ratios,
//! standard errors, Wald intervals and p-values ([`CoxModel::summary`]), the
//! log partial likelihood, Harrell's concordance and the
//! proportional-hazards test. The formulas are in the `algorithm` module's
//! documentation.

mod algorithm;
mod hyperparams;
mod model;

pub use hyperparams::{CoxParams, CoxValidParams, Ties};
pub use model::{CoxCoefficient, CoxModel};

use super::{Covariates, SurvivalError};

impl CoxParams {
    /// Checks the settings and fits: `self.check()?.fit(…)`.
    pub fn fit(&self, durations: &[f64], events: &[bool], covariates: &Covariates) -> Result<CoxModel, SurvivalError> {
        self.check()?.fit(durations, events, covariates)
    }
}
