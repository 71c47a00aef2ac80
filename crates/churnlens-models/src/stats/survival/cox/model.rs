//! A fitted Cox model and its coefficient table.

use super::super::ChiSquareTest;
use super::super::kaplan_meier::two_sided_z;
use crate::stats::distributions::chi_square_sf;
use crate::stats::linalg::Matrix;

/// A fitted Cox proportional hazards model. Everything is on the scale of
/// the covariates as given.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxModel {
    pub(super) names: Vec<String>,
    pub(super) coefficients: Vec<f64>,
    pub(super) covariance: Matrix,
    pub(super) means: Vec<f64>,
    pub(super) log_likelihood: f64,
    pub(super) null_log_likelihood: f64,
    pub(super) iterations: usize,
    pub(super) concordance: Option<f64>,
    pub(super) ph_test: Vec<ChiSquareTest>,
    pub(super) n_customers: usize,
    pub(super) n_events: usize,
}

/// One row of the coefficient table, as in lifelines' `CoxPHFitter.summary`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxCoefficient {
    /// The covariate's name.
    pub name: String,
    /// β, the log hazard ratio per unit of the covariate.
    pub coefficient: f64,
    /// exp(β).
    pub hazard_ratio: f64,
    /// The standard error of β, from the inverse information matrix.
    pub standard_error: f64,
    /// The Wald statistic β / se.
    pub z: f64,
    /// The two-sided p-value of z, P(χ²₁ > z²).
    pub p_value: f64,
    /// β − z_{level} se.
    pub coefficient_lower: f64,
    /// β + z_{level} se.
    pub coefficient_upper: f64,
    /// exp of `coefficient_lower`.
    pub hazard_ratio_lower: f64,
    /// exp of `coefficient_upper`.
    pub hazard_ratio_upper: f64,
}

impl CoxModel {
    /// The covariate names, in the order of every per-covariate result.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The coefficients β.
    pub fn coefficients(&self) -> &[f64] {
        &self.coefficients
    }

    /// The hazard ratios exp(β).
    pub fn hazard_ratios(&self) -> Vec<f64> {
        self.coefficients.iter().map(|b| b.exp()).collect()
    }

    /// The covariance matrix of β.
    pub fn covariance(&self) -> &Matrix {
        &self.covariance
    }

    /// The standard errors of β.
    pub fn standard_errors(&self) -> Vec<f64> {
        (0..self.coefficients.len()).map(|j| self.covariance.get(j, j).sqrt()).collect()
    }

    /// The log partial likelihood at β (minus the penalty, when penalised).
    pub fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }

    /// The log partial likelihood at β = 0.
    pub fn null_log_likelihood(&self) -> f64 {
        self.null_log_likelihood
    }

    /// The likelihood-ratio test of all coefficients being 0:
    /// 2 (ℓ(β) − ℓ(0)), with as many degrees of freedom as covariates.
    pub fn likelihood_ratio_test(&self) -> ChiSquareTest {
        let statistic = (2.0 * (self.log_likelihood - self.null_log_likelihood)).max(0.0);
        let degrees_of_freedom = self.coefficients.len();
        ChiSquareTest { statistic, degrees_of_freedom, p_value: chi_square_sf(statistic, degrees_of_freedom) }
    }

    /// The Newton–Raphson iterations the fit took.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Harrell's concordance index of the fitted risk on the training data,
    /// `None` when no pair of customers is comparable.
    pub fn concordance(&self) -> Option<f64> {
        self.concordance
    }

    /// The proportional-hazards test of each covariate (rank time transform).
    pub fn proportional_hazards_test(&self) -> &[ChiSquareTest] {
        &self.ph_test
    }

    /// The number of customers the model was fitted to.
    pub fn n_customers(&self) -> usize {
        self.n_customers
    }

    /// The number of churns among them.
    pub fn n_events(&self) -> usize {
        self.n_events
    }

    /// The coefficient table with `level` intervals (0.95 for lifelines' default).
    ///
    /// # Panics
    /// If `level` is not strictly between 0 and 1.
    pub fn summary(&self, level: f64) -> Vec<CoxCoefficient> {
        let q = two_sided_z(level);
        self.names
            .iter()
            .zip(&self.coefficients)
            .zip(self.standard_errors())
            .map(|((name, &coefficient), standard_error)| {
                let z = coefficient / standard_error;
                let (lower, upper) = (coefficient - q * standard_error, coefficient + q * standard_error);
                CoxCoefficient {
                    name: name.clone(),
                    coefficient,
                    hazard_ratio: coefficient.exp(),
                    standard_error,
                    z,
                    p_value: chi_square_sf(z * z, 1),
                    coefficient_lower: lower,
                    coefficient_upper: upper,
                    hazard_ratio_lower: lower.exp(),
                    hazard_ratio_upper: upper.exp(),
                }
            })
            .collect()
    }

    /// The linear predictor (x − x̄)β of one customer's covariates, centred on
    /// the training means as lifelines centres it; higher means churning sooner.
    ///
    /// # Panics
    /// If `x` does not have one value per covariate.
    pub fn linear_predictor(&self, x: &[f64]) -> f64 {
        assert_eq!(x.len(), self.coefficients.len(), "one value per covariate is needed");
        x.iter().zip(&self.means).zip(&self.coefficients).map(|((x, m), b)| (x - m) * b).sum()
    }

    /// The partial hazard exp((x − x̄)β): the hazard relative to a customer
    /// with average covariates.
    ///
    /// # Panics
    /// If `x` does not have one value per covariate.
    pub fn partial_hazard(&self, x: &[f64]) -> f64 {
        self.linear_predictor(x).exp()
    }
}
