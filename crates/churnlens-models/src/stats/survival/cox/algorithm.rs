//! Fitting the Cox model: the Efron (or Breslow) partial likelihood and its
//! derivatives, Newton–Raphson with step halving, and the scaled Schoenfeld
//! residuals of the proportional-hazards test.
//!
//! The covariates are standardised (centred on their means, divided by
//! their sample standard deviations) for the fit, as lifelines does: the
//! likelihood is the same, but the Newton steps are well conditioned.
//! Coefficients and covariance are reported on the original scale,
//! βⱼ = β*ⱼ / sⱼ and Cov(β)ⱼₖ = Cov(β*)ⱼₖ / (sⱼ sₖ).
//!
//! At a distinct churn time with d churners D and risk set R (everyone with
//! a duration at least that long), wᵢ = exp(xᵢβ) and, for l = 0 … d − 1,
//! φₗ = Σ_R wᵢ − (l/d) Σ_D wᵢ (Breslow: l/d taken as 0), the log partial
//! likelihood adds Σ_D xᵢβ − Σₗ ln φₗ. Its gradient and Hessian add
//! Σ_D xᵢ − Σₗ φₗ¹/φₗ and −Σₗ (φₗ²/φₗ − φₗ¹φₗ¹ᵀ/φₗ²), with φₗ¹, φₗ² the same sums
//! of wᵢxᵢ and wᵢxᵢxᵢᵀ. Weights are computed as exp(xᵢβ − max xβ), which
//! leaves the likelihood unchanged and cannot overflow.
//!
//! Each Newton step solves (−H) Δ = g by Cholesky; a step that lowers the
//! objective is halved until it does not. The fit has converged when a full
//! step moves no coefficient by more than the tolerance; the covariance is
//! (−H)⁻¹ at the final coefficients.
//!
//! The proportional-hazards test (lifelines' `proportional_hazard_test`
//! with `time_transform="rank"`, after Grambsch and Therneau): the
//! Schoenfeld residual of a churner is xᵢ minus the Efron-averaged weighted
//! mean of x over its time's risk sets, (1/d) Σₗ φₗ¹/φₗ; scaled, rₖ* = D rₖ
//! Cov(β) over the D churners. With gₖ the rank of the k-th churner (1 … D, in
//! the order of duration and, for tied durations, input order) and ḡ their
//! mean, the statistic of covariate j is
//! (Σₖ (gₖ − ḡ) rₖⱼ*)² / (D Var(βⱼ) Σₖ (gₖ − ḡ)²), chi-square with one
//! degree of freedom when the hazard ratio of j is constant in time.

use super::super::concordance::concordance_index;
use super::super::data::{check_durations, check_length, sorted_order};
use super::super::{ChiSquareTest, Covariates, SurvivalError};
use super::{CoxModel, CoxValidParams, Ties};
use crate::stats::distributions::chi_square_sf;
use crate::stats::linalg::Matrix;

/// A step may lower the objective by this much (relative) and still count
/// as no worse: near the optimum the change is rounding noise.
const NOISE: f64 = 1e-12;

/// The most halvings of one Newton step.
const MAX_HALVINGS: usize = 40;

/// The data in fitting order: sorted by duration (censored first among
/// ties, then input order) with standardised covariates row by row.
struct Sorted {
    n: usize,
    p: usize,
    events: Vec<bool>,
    z: Vec<f64>,
    /// Ranges of equal durations, ascending.
    ties: Vec<(usize, usize)>,
}

/// The log partial likelihood, gradient and Hessian at β, and the Efron
/// mean of each tie group with churners (`None` for groups without).
struct Pass {
    log_likelihood: f64,
    gradient: Vec<f64>,
    hessian: Matrix,
    means: Vec<Option<Vec<f64>>>,
}

impl CoxValidParams {
    /// Fits the Cox model to customers' durations, churn flags and covariates.
    pub fn fit(&self, durations: &[f64], events: &[bool], covariates: &Covariates) -> Result<CoxModel, SurvivalError> {
        check_durations(durations, events)?;
        let n = durations.len();
        let p = covariates.n_covariates();
        if p == 0 {
            return Err(SurvivalError::NoCovariates);
        }
        check_length("covariates", n, covariates.n_rows())?;
        for (j, name) in covariates.names().iter().enumerate() {
            if let Some(i) = covariates.column(j).iter().position(|v| !v.is_finite()) {
                return Err(SurvivalError::InvalidCovariate { name: name.clone(), index: i, value: covariates.value(i, j) });
            }
        }
        if !events.iter().any(|&e| e) {
            return Err(SurvivalError::NoEvents);
        }
        let (means, scales) = standardisation(covariates)?;
        let data = sort(durations, events, covariates, &means, &scales);

        let penalty = self.penalizer() * n as f64;
        let mut beta = vec![0.0; p];
        let mut pass = evaluate(&data, &beta, self.ties(), penalty, false);
        let null_log_likelihood = pass.log_likelihood;
        let mut iterations = 0;
        loop {
            let information = negated(&pass.hessian).cholesky().ok_or(SurvivalError::SingularInformation)?;
            let delta = information.solve(&pass.gradient);
            if delta.iter().all(|d| d.abs() <= self.tolerance()) {
                break;
            }
            if iterations == self.max_iterations() {
                return Err(SurvivalError::NotConverged { iterations });
            }
            iterations += 1;
            let mut step = 1.0;
            let accepted = (0..MAX_HALVINGS).find_map(|_| {
                let candidate: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b + step * d).collect();
                let next = evaluate(&data, &candidate, self.ties(), penalty, false);
                let no_worse = next.log_likelihood >= pass.log_likelihood - NOISE * pass.log_likelihood.abs().max(1.0);
                step /= 2.0;
                (next.log_likelihood.is_finite() && no_worse).then_some((candidate, next))
            });
            let Some((candidate, next)) = accepted else { return Err(SurvivalError::NotConverged { iterations }) };
            beta = candidate;
            pass = next;
        }
        let pass = evaluate(&data, &beta, self.ties(), penalty, true);
        let standardised_covariance = negated(&pass.hessian).cholesky().ok_or(SurvivalError::SingularInformation)?.inverse();
        let ph_test = proportional_hazards_test(&data, &pass, &standardised_covariance);

        let coefficients: Vec<f64> = beta.iter().zip(&scales).map(|(b, s)| b / s).collect();
        let mut covariance = Matrix::zeros(p);
        for j in 0..p {
            for k in 0..p {
                covariance.set(j, k, standardised_covariance.get(j, k) / (scales[j] * scales[k]));
            }
        }
        // The centred linear predictor, as lifelines scores concordance.
        let risk: Vec<f64> = (0..n).map(|i| (0..p).map(|j| (covariates.value(i, j) - means[j]) * coefficients[j]).sum()).collect();
        let concordance = concordance_index(durations, events, &risk)?;
        Ok(CoxModel {
            names: covariates.names().to_vec(),
            coefficients,
            covariance,
            means,
            log_likelihood: pass.log_likelihood,
            null_log_likelihood,
            iterations,
            concordance,
            ph_test,
            n_customers: n,
            n_events: events.iter().filter(|&&e| e).count(),
        })
    }
}

/// The means and sample standard deviations of the columns.
fn standardisation(covariates: &Covariates) -> Result<(Vec<f64>, Vec<f64>), SurvivalError> {
    let n = covariates.n_rows() as f64;
    let mut means = Vec::new();
    let mut scales = Vec::new();
    for (j, name) in covariates.names().iter().enumerate() {
        let column = covariates.column(j);
        let mean = column.iter().sum::<f64>() / n;
        let variance = column.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let scale = variance.sqrt();
        if !(scale.is_finite() && scale > 0.0) {
            return Err(SurvivalError::ConstantCovariate { name: name.clone() });
        }
        means.push(mean);
        scales.push(scale);
    }
    Ok((means, scales))
}

fn sort(durations: &[f64], events: &[bool], covariates: &Covariates, means: &[f64], scales: &[f64]) -> Sorted {
    let order = sorted_order(durations, events);
    let p = covariates.n_covariates();
    let z = order.iter().flat_map(|&i| (0..p).map(move |j| (covariates.value(i, j) - means[j]) / scales[j])).collect();
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let time = durations[order[start]];
        let end = start + order[start..].iter().take_while(|&&i| durations[i] == time).count();
        ties.push((start, end));
        start = end;
    }
    Sorted { n: order.len(), p, events: order.iter().map(|&i| events[i]).collect(), z, ties }
}

fn negated(m: &Matrix) -> Matrix {
    let mut negated = Matrix::zeros(m.size());
    for i in 0..m.size() {
        for j in 0..m.size() {
            negated.set(i, j, -m.get(i, j));
        }
    }
    negated
}

/// The penalised log partial likelihood and its derivatives at β, walking
/// the tie groups from the longest duration down so the risk-set sums grow.
fn evaluate(data: &Sorted, beta: &[f64], ties: Ties, penalty: f64, keep_means: bool) -> Pass {
    let p = data.p;
    let row = |i: usize| &data.z[i * p..(i + 1) * p];
    let eta: Vec<f64> = (0..data.n).map(|i| row(i).iter().zip(beta).map(|(z, b)| z * b).sum()).collect();
    let shift = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    let mut log_likelihood = 0.0;
    let mut gradient = vec![0.0; p];
    let mut hessian = Matrix::zeros(p);
    let mut means = vec![None; data.ties.len()];
    let (mut phi1, mut phi2) = (vec![0.0; p], vec![0.0; p * p]);
    for (group, &(start, end)) in data.ties.iter().enumerate().rev() {
        let (mut d0, mut d1, mut d2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        let mut churned = 0usize;
        for (i, &eta) in eta.iter().enumerate().take(end).skip(start) {
            let z = row(i);
            let w = (eta - shift).exp();
            accumulate(w, z, &mut s0, &mut s1, &mut s2);
            if data.events[i] {
                accumulate(w, z, &mut d0, &mut d1, &mut d2);
                churned += 1;
                log_likelihood += eta - shift;
                gradient.iter_mut().zip(z).for_each(|(g, z)| *g += z);
            }
        }
        if churned == 0 {
            continue;
        }
        let mut mean = vec![0.0; p];
        for l in 0..churned {
            let f = match ties {
                Ties::Efron => l as f64 / churned as f64,
                Ties::Breslow => 0.0,
            };
            let phi0 = s0 - f * d0;
            phi1.iter_mut().zip(s1.iter().zip(&d1)).for_each(|(phi, (s, d))| *phi = s - f * d);
            phi2.iter_mut().zip(s2.iter().zip(&d2)).for_each(|(phi, (s, d))| *phi = s - f * d);
            log_likelihood -= phi0.ln();
            for j in 0..p {
                let m = phi1[j] / phi0;
                gradient[j] -= m;
                mean[j] += m / churned as f64;
                for k in 0..p {
                    hessian.add(j, k, -(phi2[j * p + k] / phi0 - m * phi1[k] / phi0));
                }
            }
        }
        if keep_means {
            means[group] = Some(mean);
        }
    }
    if penalty > 0.0 {
        log_likelihood -= penalty * beta.iter().map(|b| b * b).sum::<f64>() / 2.0;
        for j in 0..p {
            gradient[j] -= penalty * beta[j];
            hessian.add(j, j, -penalty);
        }
    }
    Pass { log_likelihood, gradient, hessian, means }
}

/// Adds w, w z and w z zᵀ to the running sums.
fn accumulate(w: f64, z: &[f64], s0: &mut f64, s1: &mut [f64], s2: &mut [f64]) {
    let p = z.len();
    *s0 += w;
    for j in 0..p {
        s1[j] += w * z[j];
        for k in 0..p {
            s2[j * p + k] += w * z[j] * z[k];
        }
    }
}

/// One chi-square test per covariate from the rank-scaled Schoenfeld
/// residuals (on the standardised scale, where the statistic is the same).
fn proportional_hazards_test(data: &Sorted, pass: &Pass, covariance: &Matrix) -> Vec<ChiSquareTest> {
    let p = data.p;
    let mut residuals: Vec<Vec<f64>> = Vec::new();
    for (&(start, end), mean) in data.ties.iter().zip(&pass.means) {
        let Some(mean) = mean else { continue };
        for i in (start..end).filter(|&i| data.events[i]) {
            residuals.push((0..p).map(|j| data.z[i * p + j] - mean[j]).collect());
        }
    }
    let deaths = residuals.len() as f64;
    let centre = (deaths + 1.0) / 2.0;
    let spread: f64 = (1..=residuals.len()).map(|g| (g as f64 - centre).powi(2)).sum();
    (0..p)
        .map(|j| {
            let sum: f64 = residuals
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let scaled = deaths * (0..p).map(|m| r[m] * covariance.get(m, j)).sum::<f64>();
                    (k as f64 + 1.0 - centre) * scaled
                })
                .sum();
            let statistic = if spread > 0.0 { sum * sum / (deaths * covariance.get(j, j) * spread) } else { 0.0 };
            ChiSquareTest { statistic, degrees_of_freedom: 1, p_value: chi_square_sf(statistic, 1) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::super::Covariates;
    use super::*;
    use crate::stats::survival::CoxParams;
    use approx::assert_abs_diff_eq;

    fn one_covariate(x: &[f64]) -> Covariates {
        Covariates::new().with_numeric("x", x.to_vec()).unwrap()
    }

    /// Three customers leave at t = 1: x = 1 and x = 0 churn, another x = 0 is censored.
    const DURATIONS: [f64; 3] = [1.0, 1.0, 1.0];
    const EVENTS: [bool; 3] = [true, true, false];
    const X: [f64; 3] = [1.0, 0.0, 0.0];

    #[test]
    fn hand_worked_efron_tie() {
        // u = e^β; risk set sum u + 2, churners' sum u + 1. Efron:
        // ℓ = β − ln(u + 2) − ln(u + 2 − (u + 1)/2) = β − ln(u + 2) − ln((u + 3)/2);
        // ℓ' = 1 − u/(u + 2) − u/(u + 3) = 0 ⇔ u² = 6, β = ln 6 / 2 = 0.895880;
        // −ℓ'' = 2u/(u + 2)² + 3u/(u + 3)² = 0.494897 at u = √6, se = 1.421485;
        // ℓ = 0.895880 − ln 4.449490 − ln 2.724745 = −1.599284. lifelines 0.30.3 agrees.
        let model = CoxParams::new().fit(&DURATIONS, &EVENTS, &one_covariate(&X)).unwrap();
        assert_abs_diff_eq!(model.coefficients()[0], 6f64.ln() / 2.0, epsilon = 1e-10);
        let u = 6f64.sqrt();
        let information = 2.0 * u / (u + 2.0).powi(2) + 3.0 * u / (u + 3.0).powi(2);
        assert_abs_diff_eq!(model.standard_errors()[0], 1.0 / information.sqrt(), epsilon = 1e-10);
        assert_abs_diff_eq!(model.log_likelihood(), 6f64.ln() / 2.0 - (u + 2.0).ln() - ((u + 3.0) / 2.0).ln(), epsilon = 1e-12);
        assert_abs_diff_eq!(model.log_likelihood(), -1.599284, epsilon = 1e-6);
        // At β = 0: −ln 3 − ln 2.
        assert_abs_diff_eq!(model.null_log_likelihood(), -(6f64.ln()), epsilon = 1e-12);
    }

    #[test]
    fn hand_worked_breslow_tie() {
        // Breslow: ℓ = β − 2 ln(u + 2); ℓ' = 1 − 2u/(u + 2) = 0 ⇔ u = 2, β = ln 2;
        // −ℓ'' = 4u/(u + 2)² = 1/2, se = √2; ℓ = ln 2 − 2 ln 4.
        let model = CoxParams::new().ties(Ties::Breslow).fit(&DURATIONS, &EVENTS, &one_covariate(&X)).unwrap();
        assert_abs_diff_eq!(model.coefficients()[0], 2f64.ln(), epsilon = 1e-10);
        assert_abs_diff_eq!(model.standard_errors()[0], 2f64.sqrt(), epsilon = 1e-10);
        assert_abs_diff_eq!(model.log_likelihood(), 2f64.ln() - 2.0 * 4f64.ln(), epsilon = 1e-12);
    }

    #[test]
    fn twelve_customers_with_ties_match_lifelines() {
        // lifelines 0.30.3: CoxPHFitter().fit(df, "T", "E", fit_options=
        // {"precision": 1e-14, "r_precision": 1e-16}) and
        // proportional_hazard_test(cph, df, time_transform="rank") on these
        // twelve customers (three churn or leave at 3, two at 6). With its
        // default stopping rule lifelines stops one Newton step early here
        // (Newton decrement 2.4e-10 < 1e-7) and is 1.6e-6 off in β.
        let durations = [5.0, 3.0, 3.0, 8.0, 1.0, 6.0, 3.0, 9.0, 2.0, 6.0, 4.0, 7.0];
        let events = [true, true, false, true, true, false, true, true, true, true, false, true];
        let covariates = Covariates::new()
            .with_numeric("age", vec![30.0, 45.0, 50.0, 22.0, 61.0, 38.0, 47.0, 29.0, 55.0, 41.0, 36.0, 33.0])
            .and_then(|c| c.with_numeric("plan", vec![0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]))
            .unwrap();
        let model = CoxParams::new().fit(&durations, &events, &covariates).unwrap();
        let summary = model.summary(0.95);
        for (row, (coefficient, se, p)) in
            summary.iter().zip([(0.182076376824597, 0.07875852572937526, 0.02078701548623035), (0.12059229509224906, 0.9268192008923645, 0.8964761130204915)])
        {
            assert_abs_diff_eq!(row.coefficient, coefficient, epsilon = 1e-9);
            assert_abs_diff_eq!(row.standard_error, se, epsilon = 1e-9);
            assert_abs_diff_eq!(row.p_value, p, epsilon = 1e-9);
        }
        assert_abs_diff_eq!(model.log_likelihood(), -9.644734889602168, epsilon = 1e-10);
        // 43 of 49 comparable pairs concordant: 0.8775510204081632.
        assert_abs_diff_eq!(model.concordance().unwrap(), 43.0 / 49.0, epsilon = 1e-15);
        let ph = model.proportional_hazards_test();
        assert_abs_diff_eq!(ph[0].statistic, 1.7789231884261896, epsilon = 1e-9);
        assert_abs_diff_eq!(ph[1].statistic, 0.7257989676500197, epsilon = 1e-9);
        assert_abs_diff_eq!(ph[0].p_value, 0.18228160830329504, epsilon = 1e-9);
        assert_abs_diff_eq!(ph[1].p_value, 0.39424830516946663, epsilon = 1e-9);
    }

    #[test]
    fn efron_and_breslow_agree_without_ties() {
        let durations = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let events = [true, true, false, true, true, false];
        let x = one_covariate(&[0.5, 2.0, 1.0, 0.0, 1.5, -1.0]);
        let efron = CoxParams::new().fit(&durations, &events, &x).unwrap();
        let breslow = CoxParams::new().ties(Ties::Breslow).fit(&durations, &events, &x).unwrap();
        assert_abs_diff_eq!(efron.coefficients()[0], breslow.coefficients()[0], epsilon = 1e-12);
        assert_abs_diff_eq!(efron.log_likelihood(), breslow.log_likelihood(), epsilon = 1e-12);
    }

    #[test]
    fn refuses_what_cannot_be_fitted() {
        let durations = [1.0, 2.0, 3.0, 4.0];
        let events = [true, false, true, true];
        let x = one_covariate(&[1.0, 0.0, 0.0, 1.0]);
        assert_eq!(CoxParams::new().fit(&durations, &[false; 4], &x).unwrap_err(), SurvivalError::NoEvents);
        assert_eq!(CoxParams::new().fit(&durations, &events, &Covariates::new()).unwrap_err(), SurvivalError::NoCovariates);
        assert_eq!(CoxParams::new().fit(&durations, &events, &one_covariate(&[2.0; 4])).unwrap_err(), SurvivalError::ConstantCovariate { name: "x".into() });
        let collinear = x.clone().with_numeric("twice x", vec![2.0, 0.0, 0.0, 2.0]).unwrap();
        assert_eq!(CoxParams::new().fit(&durations, &events, &collinear).unwrap_err(), SurvivalError::SingularInformation);
        let missing = one_covariate(&[1.0, f64::NAN, 0.0, 1.0]);
        assert!(matches!(CoxParams::new().fit(&durations, &events, &missing), Err(SurvivalError::InvalidCovariate { index: 1, .. })));
    }

    #[test]
    fn perfect_separation_does_not_converge_but_a_penalty_fits() {
        // The customers with x = 1 all churn before anyone with x = 0: ℓ rises
        // for ever as β → ∞.
        let durations = [1.0, 2.0, 3.0, 4.0];
        let events = [true, true, true, true];
        let x = one_covariate(&[1.0, 1.0, 0.0, 0.0]);
        assert!(matches!(CoxParams::new().fit(&durations, &events, &x), Err(SurvivalError::NotConverged { .. } | SurvivalError::SingularInformation)));
        let penalised = CoxParams::new().penalizer(0.1).fit(&durations, &events, &x).unwrap();
        assert!(penalised.coefficients()[0] > 0.0 && penalised.coefficients()[0].is_finite());
    }
}
