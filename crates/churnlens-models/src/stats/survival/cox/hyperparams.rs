//! The settings of a Cox fit, linfa-style: [`CoxParams`] (a builder with
//! documented defaults) → [`CoxParams::check`] → [`CoxValidParams`], which fits.

use super::super::SurvivalError;

/// How churns tied at one time enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ties {
    /// Efron's approximation (lifelines' and R's default): the tied churners
    /// leave the risk set gradually, a share l/d of their weight at the l-th.
    #[default]
    Efron,
    /// Breslow's approximation: every tied churner faces the full risk set.
    Breslow,
}

/// The settings of a Cox proportional hazards fit.
///
/// Defaults: [`Ties::Efron`]; tolerance 1e-9; at most 50 iterations; no penalizer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxParams {
    ties: Ties,
    tolerance: f64,
    max_iterations: usize,
    penalizer: f64,
}

impl Default for CoxParams {
    fn default() -> Self {
        CoxParams { ties: Ties::Efron, tolerance: 1e-9, max_iterations: 50, penalizer: 0.0 }
    }
}

impl CoxParams {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tie handling.
    pub fn ties(mut self, ties: Ties) -> Self {
        self.ties = ties;
        self
    }

    /// Newton–Raphson stops when no coefficient of the standardised
    /// covariates moves by more than this in a full step (default 1e-9).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The most Newton–Raphson iterations before giving up (default 50).
    pub fn max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// The L2 penalizer λ ≥ 0 (default 0): the fit maximises
    /// ℓ(β) − n λ ‖β‖² / 2 over the coefficients β of the standardised
    /// covariates, lifelines' `CoxPHFitter(penalizer=λ)` with `l1_ratio=0`.
    /// It shrinks the coefficients and keeps collinear covariates fittable.
    pub fn penalizer(mut self, penalizer: f64) -> Self {
        self.penalizer = penalizer;
        self
    }

    /// Checks the settings.
    pub fn check(&self) -> Result<CoxValidParams, SurvivalError> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(SurvivalError::InvalidParameter { name: "tolerance", reason: "must be a positive number" });
        }
        if self.max_iterations == 0 {
            return Err(SurvivalError::InvalidParameter { name: "max_iterations", reason: "must be at least 1" });
        }
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(SurvivalError::InvalidParameter { name: "penalizer", reason: "must be a number of zero or more" });
        }
        Ok(CoxValidParams { params: *self })
    }
}

/// Checked settings of a Cox fit; [`fit`](CoxValidParams::fit) fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxValidParams {
    params: CoxParams,
}

impl CoxValidParams {
    /// The tie handling.
    pub fn ties(&self) -> Ties {
        self.params.ties
    }

    /// The convergence tolerance.
    pub fn tolerance(&self) -> f64 {
        self.params.tolerance
    }

    /// The iteration limit.
    pub fn max_iterations(&self) -> usize {
        self.params.max_iterations
    }

    /// The L2 penalizer.
    pub fn penalizer(&self) -> f64 {
        self.params.penalizer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_check_and_bad_settings_are_refused() {
        let valid = CoxParams::new().check().unwrap();
        assert_eq!((valid.ties(), valid.tolerance(), valid.max_iterations(), valid.penalizer()), (Ties::Efron, 1e-9, 50, 0.0));
        assert!(CoxParams::new().tolerance(0.0).check().is_err());
        assert!(CoxParams::new().max_iterations(0).check().is_err());
        assert!(CoxParams::new().penalizer(-1.0).check().is_err());
        assert!(CoxParams::new().penalizer(f64::NAN).check().is_err());
    }
}
