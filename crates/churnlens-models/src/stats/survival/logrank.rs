//! Log-rank tests: do two or more groups of customers churn at the same
//! rate? As lifelines' `logrank_test` and `multivariate_logrank_test`.
//!
//! At each distinct churn time tᵢ, with nᵢ at risk and dᵢ churning in all,
//! and n_{ij}, d_{ij} in group j: the expected churns of group j are
//! Eⱼ = Σᵢ n_{ij} dᵢ / nᵢ, and the covariance of the observed-minus-expected
//! vector Z = O − E is
//! V_{jk} = Σᵢ dᵢ (nᵢ − dᵢ) / (nᵢ − 1) · n_{ij} (nᵢ δ_{jk} − n_{ik}) / nᵢ²
//! (the factor (nᵢ − dᵢ)/(nᵢ − 1) taken as 1 when nᵢ = 1). Z sums to zero, so
//! the statistic Zᵀ V⁻¹ Z uses the first k − 1 groups and is chi-square with
//! k − 1 degrees of freedom under the null hypothesis of equal hazards.

use super::data::{check_durations, check_length, group_indices, sorted_order};
use super::{ChiSquareTest, SurvivalError};
use crate::stats::distributions::chi_square_sf;
use crate::stats::linalg::Matrix;

/// The observed and expected churns of each group and the test.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRankTest {
    /// The test statistic, degrees of freedom (groups − 1) and p-value.
    pub test: ChiSquareTest,
    /// Observed churns per group, in ascending label order.
    pub observed: Vec<f64>,
    /// Expected churns per group under equal hazards, in the same order.
    pub expected: Vec<f64>,
}

/// The log-rank test of two groups A and B (lifelines' `logrank_test`).
pub fn logrank_test(durations_a: &[f64], events_a: &[bool], durations_b: &[f64], events_b: &[bool]) -> Result<LogRankTest, SurvivalError> {
    check_durations(durations_a, events_a)?;
    check_durations(durations_b, events_b)?;
    let durations = [durations_a, durations_b].concat();
    let events = [events_a, events_b].concat();
    let groups: Vec<u8> = std::iter::repeat_n(0, durations_a.len()).chain(std::iter::repeat_n(1, durations_b.len())).collect();
    multivariate_logrank_test(&durations, &events, &groups)
}

/// The log-rank test of k ≥ 2 groups given by a label per customer
/// (lifelines' `multivariate_logrank_test`); per-group results come in
/// ascending label order.
pub fn multivariate_logrank_test<G: Ord + Clone>(durations: &[f64], events: &[bool], groups: &[G]) -> Result<LogRankTest, SurvivalError> {
    check_durations(durations, events)?;
    check_length("groups", durations.len(), groups.len())?;
    let (group, labels) = group_indices(groups);
    let k = labels.len();
    if k < 2 {
        return Err(SurvivalError::TooFewGroups { found: k });
    }
    let mut at_risk = vec![0usize; k];
    group.iter().for_each(|&g| at_risk[g] += 1);
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut covariance = Matrix::zeros(k);
    let mut churned = vec![0usize; k];
    let mut removed = vec![0usize; k];
    let order = sorted_order(durations, events);
    let mut start = 0;
    while start < order.len() {
        let time = durations[order[start]];
        let end = start + order[start..].iter().take_while(|&&i| durations[i] == time).count();
        churned.iter_mut().for_each(|c| *c = 0);
        removed.iter_mut().for_each(|r| *r = 0);
        for &i in &order[start..end] {
            removed[group[i]] += 1;
            if events[i] {
                churned[group[i]] += 1;
            }
        }
        let d: usize = churned.iter().sum();
        if d > 0 {
            let n = at_risk.iter().sum::<usize>() as f64;
            let d = d as f64;
            let factor = if n > 1.0 { d * (n - d) / (n - 1.0) } else { d } / (n * n);
            for j in 0..k {
                let nj = at_risk[j] as f64;
                observed[j] += churned[j] as f64;
                expected[j] += nj * d / n;
                for (l, &nl) in at_risk.iter().enumerate() {
                    let diagonal = if j == l { n } else { 0.0 };
                    covariance.add(j, l, factor * nj * (diagonal - nl as f64));
                }
            }
        }
        for j in 0..k {
            at_risk[j] -= removed[j];
        }
        start = end;
    }
    let free = k - 1;
    let z: Vec<f64> = (0..free).map(|j| observed[j] - expected[j]).collect();
    let mut v = Matrix::zeros(free);
    for j in 0..free {
        for l in 0..free {
            v.set(j, l, covariance.get(j, l));
        }
    }
    let cholesky = v.cholesky().ok_or(SurvivalError::SingularTest)?;
    let statistic: f64 = cholesky.solve(&z).iter().zip(&z).map(|(a, b)| a * b).sum();
    let statistic = statistic.max(0.0);
    Ok(LogRankTest { test: ChiSquareTest { statistic, degrees_of_freedom: free, p_value: chi_square_sf(statistic, free) }, observed, expected })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn hand_worked_two_groups() {
        // A: churned at 1, 3, 6, censored at 3; B: churned at 2, 5, 8, censored at 4.
        // time  n  n_A  d  d_A   E_A = n_A d/n   V = d(n−d)/(n−1) · n_A n_B / n²
        //   1   8   4   1   1        1/2          16/64 = 1/4
        //   2   7   3   1   0        3/7          12/49
        //   3   6   3   1   1        1/2           9/36 = 1/4
        //   5   3   1   1   0        1/3           2/9
        //   6   2   1   1   1        1/2           1/4
        //   8   1   0   1   0        0             0
        // O_A = 3, E_A = 95/42, O − E = 31/42, V = 3/4 + 12/49 + 2/9 = 2147/1764,
        // χ² = (31/42)² / (2147/1764) = 961/2147 = 0.447601…, as lifelines 0.30.3 gives.
        let result = logrank_test(&[1.0, 3.0, 3.0, 6.0], &[true, true, false, true], &[2.0, 4.0, 5.0, 8.0], &[true, false, true, true]).unwrap();
        assert_abs_diff_eq!(result.test.statistic, 961.0 / 2147.0, epsilon = 1e-14);
        assert_eq!(result.test.degrees_of_freedom, 1);
        // P(χ²₁ > 961/2147) = 0.503476 (lifelines 0.30.3).
        assert_abs_diff_eq!(result.test.p_value, 0.503476, epsilon = 1e-6);
        assert_abs_diff_eq!(result.expected[0], 95.0 / 42.0, epsilon = 1e-14);
        assert_eq!(result.observed, vec![3.0, 3.0]);
    }

    #[test]
    fn hand_worked_group_of_one() {
        // A: churned at 1 and 2, censored at 3; B: one customer, churned at 2.
        // time  n  n_A  d  d_A   E_A        V
        //   1   4   3   1   1    3/4     1·3/3 · 3·1/16 = 3/16
        //   2   3   2   2   1    4/3     2·1/2 · 2·1/9  = 2/9
        // O_A − E_A = 2 − 25/12 = −1/12, V = 59/144, χ² = (1/144)/(59/144) = 1/59.
        let result = logrank_test(&[1.0, 2.0, 3.0], &[true, true, false], &[2.0], &[true]).unwrap();
        assert_abs_diff_eq!(result.test.statistic, 1.0 / 59.0, epsilon = 1e-15);
    }

    #[test]
    fn three_groups_match_lifelines() {
        // lifelines 0.30.3 multivariate_logrank_test on these twelve customers:
        // statistic 1.3555667231608772, p-value 0.5077412246027295.
        let durations = [1.0, 3.0, 3.0, 6.0, 2.0, 4.0, 5.0, 8.0, 1.5, 2.5, 7.0, 7.0];
        let events = [true, true, false, true, true, false, true, true, true, false, true, false];
        let groups = ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c"];
        let result = multivariate_logrank_test(&durations, &events, &groups).unwrap();
        assert_eq!(result.test.degrees_of_freedom, 2);
        assert_abs_diff_eq!(result.test.statistic, 1.3555667231608772, epsilon = 1e-12);
        assert_abs_diff_eq!(result.test.p_value, 0.5077412246027295, epsilon = 1e-12);
        let residual: f64 = result.observed.iter().zip(&result.expected).map(|(o, e)| o - e).sum();
        assert_abs_diff_eq!(residual, 0.0, epsilon = 1e-12);
    }

    #[test]
    fn everyone_churning_at_once_cannot_be_compared() {
        // At the one churn time everyone at risk churns: (n − d)/(n − 1) = 0, V = 0.
        assert_eq!(logrank_test(&[1.0, 1.0], &[true, true], &[1.0, 1.0], &[true, true]), Err(SurvivalError::SingularTest));
    }

    #[test]
    fn identical_groups_give_zero() {
        let d = [1.0, 2.0, 3.0];
        let e = [true, false, true];
        let result = logrank_test(&d, &e, &d, &e).unwrap();
        assert_abs_diff_eq!(result.test.statistic, 0.0, epsilon = 1e-14);
        assert_abs_diff_eq!(result.test.p_value, 1.0, epsilon = 1e-12);
    }

    #[test]
    fn needs_two_groups_and_someone_at_risk() {
        assert_eq!(multivariate_logrank_test(&[1.0, 2.0], &[true, true], &["a", "a"]), Err(SurvivalError::TooFewGroups { found: 1 }));
        // No churn at all: every variance is zero.
        assert_eq!(logrank_test(&[1.0], &[false], &[2.0], &[false]), Err(SurvivalError::SingularTest));
    }
}
