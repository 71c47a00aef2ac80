//! Buy-till-you-die models of customer-base analysis (issue #5): who is still
//! a customer, how many purchases each will make, what they will spend, and
//! what that is worth.
//!
//! * [`summary`]: per-customer frequency, recency, age and spend from raw
//!   transactions (the lifetimes `summary_data_from_transaction_data` rules).
//! * [`bgnbd`]: BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam et
//!   al. 2007).
//! * [`pareto`]: Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
//! * [`gamma_gamma`]: the Gamma-Gamma spend model (Fader, Hardie & Lee 2005b).
//! * [`sbg`]: the shifted-beta-geometric contract model (Fader & Hardie 2007).
//! * [`simulate`]: synthetic customers from the BG/NBD and Pareto/NBD processes.
//! * [`validation`]: customer lifetime value, cohort cumulative purchases and
//!   holdout comparisons.
//!
//! The count models are fitted by maximum likelihood on the log scale of
//! their parameters. Before fitting, customers with identical (frequency,
//! recency, age) are collapsed into one weighted row and everything that
//! depends on the frequency alone (log-gammas, digammas) is computed once per
//! distinct frequency, so a likelihood evaluation costs a few logarithms per
//! distinct row; rows are summed in parallel in fixed-size chunks, in a fixed
//! order, so results do not depend on the thread count.

pub mod bgnbd;
mod data;
pub mod gamma_gamma;
pub mod pareto;
pub mod sbg;
pub mod simulate;
pub mod summary;
pub mod validation;

pub use bgnbd::{BetaGeo, BetaGeoParams, BetaGeoVariant};
pub use gamma_gamma::{GammaGamma, GammaGammaParams};
pub use pareto::{ParetoNbd, ParetoNbdParams};
pub use sbg::{ShiftedBetaGeometric, ShiftedBetaGeometricParams};
pub use summary::{CustomerSummary, SummaryOptions, summarize_transactions};

use crate::error::ModelError;
use crate::stats::optimize::{MinimizeOptions, Minimum, bfgs_within, hessian_from_gradient};

/// One customer's purchase history in the form the count models read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rfm {
    /// Repeat purchases: purchase days after the first (x).
    pub frequency: f64,
    /// Age at the last purchase, in time units since the first (tₓ; must be
    /// 0 when there is no repeat purchase, as in lifetimes' summaries).
    pub recency: f64,
    /// Age at the end of the calibration period, in time units since the
    /// first purchase (T).
    pub age: f64,
}

impl Rfm {
    /// A customer with these frequency, recency and age.
    pub fn new(frequency: f64, recency: f64, age: f64) -> Self {
        Rfm { frequency, recency, age }
    }
}

/// The predictions every purchase-count model gives, so CLV and the
/// validation helpers work with any of them.
pub trait PurchaseModel {
    /// The probability that the customer is still active at the end of the
    /// calibration period.
    fn p_alive(&self, customer: &Rfm) -> f64;
    /// The expected number of purchases in the next `t` ≥ 0 time units, given
    /// the customer's history.
    fn conditional_expected_purchases(&self, t: f64, customer: &Rfm) -> f64;
    /// The expected number of repeat purchases in the first `t` ≥ 0 time units
    /// of a new customer's life.
    fn expected_purchases(&self, t: f64) -> f64;
    /// [`conditional_expected_purchases`](Self::conditional_expected_purchases)
    /// of every customer at every horizon, customer-major (`result[i *
    /// horizons.len() + j]` is customer i at `horizons[j]`), in parallel. A
    /// model overrides it when it can share work between horizons or
    /// customers; the values are the same.
    fn conditional_expected_purchases_many(&self, horizons: &[f64], customers: &[Rfm]) -> Vec<f64>
    where
        Self: Sync,
    {
        use rayon::prelude::*;
        let mut out = vec![0.0; horizons.len() * customers.len()];
        if horizons.is_empty() {
            return out;
        }
        out.par_chunks_mut(horizons.len()).zip(customers.par_iter()).for_each(|(row, c)| {
            for (v, &t) in row.iter_mut().zip(horizons) {
                *v = self.conditional_expected_purchases(t, c);
            }
        });
        out
    }
}

/// Optimiser settings shared by the models' parameter builders.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSettings {
    /// L2 penalty weight λ (default 0): the fit minimises
    /// −(Σ wᵢ ℓᵢ)/(Σ wᵢ) + λ Σⱼ θⱼ², the mean negative log-likelihood plus λ
    /// times the sum of the squared parameters. For the count models the
    /// parameters θ are those on the time scale where the longest customer
    /// age is 1, as in lifetimes' BG/NBD and MBG/NBD (lifetimes' Pareto/NBD
    /// divides the total by the mean weight instead of the total weight, so
    /// there its λ acts N times more weakly).
    pub penalizer: f64,
    /// BFGS iterations allowed per start (default 500).
    pub max_iterations: usize,
    /// The fit has converged when every component of the gradient of the
    /// penalised mean negative log-likelihood with respect to the log
    /// parameters is below this (default 1e-7).
    pub gradient_tolerance: f64,
    /// Return an unconverged fit (with `converged: false` in its report)
    /// instead of [`ModelError::NotConverged`] (default false).
    pub accept_unconverged: bool,
}

impl Default for FitSettings {
    fn default() -> Self {
        FitSettings { penalizer: 0.0, max_iterations: 500, gradient_tolerance: 1e-7, accept_unconverged: false }
    }
}

impl FitSettings {
    /// The settings, or the first one out of range.
    pub fn check(&self) -> Result<&Self, ModelError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(ModelError::InvalidSetting { name: "penalizer", reason: format!("{} is not a finite number ≥ 0", self.penalizer) });
        }
        if self.max_iterations == 0 {
            return Err(ModelError::InvalidSetting { name: "max_iterations", reason: "at least one iteration is needed".into() });
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(ModelError::InvalidSetting { name: "gradient_tolerance", reason: format!("{} is not a finite number > 0", self.gradient_tolerance) });
        }
        Ok(self)
    }
}

/// Builder methods for [`FitSettings`] on a model's parameter type.
macro_rules! fit_settings_builder {
    ($params:ty) => {
        impl $params {
            /// Sets the L2 penalty weight (see [`FitSettings::penalizer`](crate::stats::btyd::FitSettings::penalizer)).
            pub fn penalizer(mut self, penalizer: f64) -> Self {
                self.settings.penalizer = penalizer;
                self
            }
            /// Sets the BFGS iterations allowed per start.
            pub fn max_iterations(mut self, max_iterations: usize) -> Self {
                self.settings.max_iterations = max_iterations;
                self
            }
            /// Sets the gradient tolerance that counts as converged.
            pub fn gradient_tolerance(mut self, tolerance: f64) -> Self {
                self.settings.gradient_tolerance = tolerance;
                self
            }
            /// Returns unconverged fits instead of an error.
            pub fn accept_unconverged(mut self, accept: bool) -> Self {
                self.settings.accept_unconverged = accept;
                self
            }
            /// The optimiser settings.
            pub fn settings(&self) -> &crate::stats::btyd::FitSettings {
                &self.settings
            }
        }
    };
}
pub(crate) use fit_settings_builder;

/// How a fit went.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// BFGS iterations of the start that was kept.
    pub iterations: usize,
    /// Starts tried (the next start is only tried when the previous one did
    /// not converge).
    pub starts_tried: usize,
    /// Largest absolute component of the gradient (penalised mean negative
    /// log-likelihood, log parameters) at the end.
    pub gradient_norm: f64,
    /// The total log-likelihood of the data at the fitted parameters (without
    /// the penalty), in the caller's time unit.
    pub log_likelihood: f64,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
}

/// A log parameter beyond ±12 (a factor 1.6e5 from 1 on the fitting scale)
/// stops a start: no customer base identifies a parameter that far out, and
/// on a flat likelihood the optimiser would otherwise spend every iteration
/// drifting there.
const DIVERGENCE_BOUND: f64 = 12.0;

/// Iterations allowed to each further start once one start has diverged.
const RETRY_ITERATIONS: usize = 100;

/// What [`run_fit`] found: the log parameters (on the fitting scale), the
/// optimiser's end point, and the standard errors of the log parameters.
pub(crate) struct FitOutcome {
    pub minimum: Minimum,
    pub starts_tried: usize,
    pub log_standard_errors: Option<Vec<f64>>,
}

/// Minimises `objective` (penalised mean negative log-likelihood of log
/// parameters, with gradient) from the start where it is lowest, moving to
/// the next start only when a start does not converge; then the standard
/// errors of the log parameters from the Hessian of `total_weight` times the
/// objective. `total_log_likelihood` gives the figure the errors report.
pub(crate) fn run_fit(
    model: &'static str,
    hint: &'static str,
    settings: &FitSettings,
    total_weight: f64,
    starts: &[Vec<f64>],
    objective: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    total_log_likelihood: &dyn Fn(&[f64]) -> f64,
) -> Result<FitOutcome, ModelError> {
    let options = MinimizeOptions { max_iterations: settings.max_iterations, gradient_tolerance: settings.gradient_tolerance };
    let mut gradient = vec![0.0; starts.first().map_or(0, Vec::len)];
    let mut ordered: Vec<(f64, &Vec<f64>)> = starts.iter().map(|s| (objective(s, &mut gradient), s)).filter(|(v, _)| v.is_finite()).collect();
    if ordered.is_empty() {
        return Err(ModelError::Degenerate {
            model,
            reason: "the log-likelihood is not finite at any starting point; check the data for extreme values".into(),
        });
    }
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<Minimum> = None;
    let mut starts_tried = 0;
    let mut diverged = false;
    for (_, start) in ordered {
        starts_tried += 1;
        // Once a start has run off to the boundary, the likelihood most
        // likely keeps improving that way from anywhere (e.g. a and b of
        // BG/NBD both growing without end on data with many frequent buyers):
        // the other starts get a short budget that a real optimum near them
        // would still meet, instead of every iteration at a flat likelihood.
        let options = if diverged { MinimizeOptions { max_iterations: options.max_iterations.min(RETRY_ITERATIONS), ..options } } else { options };
        let m = bfgs_within(objective, start, options, DIVERGENCE_BOUND);
        diverged |= m.x.iter().any(|v| v.abs() > DIVERGENCE_BOUND);
        let better = best.as_ref().is_none_or(|b| m.value.is_finite() && (m.converged || m.value < b.value));
        if better {
            best = Some(m);
        }
        if best.as_ref().is_some_and(|b| b.converged) {
            break;
        }
    }
    let minimum = best
        .filter(|m| m.value.is_finite())
        .ok_or_else(|| ModelError::Degenerate { model, reason: "the optimiser left the region where the log-likelihood is finite".into() })?;
    // A log parameter beyond ±30 (a factor 1e13) means the likelihood keeps
    // improving as a parameter runs to 0 or ∞: the data cannot identify it.
    if minimum.x.iter().any(|v| v.abs() > 30.0) {
        return Err(ModelError::Degenerate { model, reason: format!("a parameter ran off to 0 or infinity, so the data cannot identify the model: {hint}") });
    }
    if !minimum.converged && !settings.accept_unconverged {
        return Err(ModelError::NotConverged {
            model,
            iterations: minimum.iterations,
            gradient_norm: minimum.gradient_norm,
            log_likelihood: total_log_likelihood(&minimum.x),
            hint,
        });
    }
    let mut total_gradient = |x: &[f64], g: &mut [f64]| {
        objective(x, g);
        g.iter_mut().for_each(|v| *v *= total_weight);
    };
    let hessian = hessian_from_gradient(&mut total_gradient, &minimum.x, 1e-4);
    let log_standard_errors = hessian.cholesky().map(|c| {
        let covariance = c.inverse();
        (0..minimum.x.len()).map(|i| covariance.get(i, i).max(0.0).sqrt()).collect()
    });
    Ok(FitOutcome { minimum, starts_tried, log_standard_errors })
}

/// Sums `f` over `items` in parallel, in fixed chunks added in order, so the
/// result is the same on any number of threads.
pub(crate) fn par_sum<T: Sync, const N: usize>(items: &[T], f: impl Fn(&T) -> [f64; N] + Sync + Send) -> [f64; N] {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    let add = |mut acc: [f64; N], v: [f64; N]| {
        acc.iter_mut().zip(v).for_each(|(a, b)| *a += b);
        acc
    };
    let partials: Vec<[f64; N]> = if items.len() <= CHUNK {
        vec![items.iter().map(&f).fold([0.0; N], add)]
    } else {
        items.par_chunks(CHUNK).map(|chunk| chunk.iter().map(&f).fold([0.0; N], add)).collect()
    };
    partials.into_iter().fold([0.0; N], add)
}
