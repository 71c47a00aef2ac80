//! Significance tests for churn diagnosis (issue #4): is the churn rate of a
//! segment different, is churn independent of an attribute, do churned and
//! retained customers differ in a numeric measure?
//!
//! * **Wilson score interval** for a proportion p̂ = x/n at confidence level
//!   1 − α, with z = Φ⁻¹(1 − α/2):
//!   centre = (p̂ + z²/2n) / (1 + z²/n),
//!   half-width = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²);
//!   statsmodels' `proportion_confint(method="wilson")`.
//! * **Chi-square test of independence** on an r × c contingency table of
//!   counts Oᵢⱼ: expected Eᵢⱼ = (row total i)(column total j)/n, statistic
//!   Σ (Oᵢⱼ − Eᵢⱼ)²/Eᵢⱼ, (r − 1)(c − 1) degrees of freedom; scipy's
//!   `chi2_contingency`. Yates' continuity correction is a choice of the
//!   caller ([`Continuity`]); when chosen it applies, as in scipy, only with
//!   one degree of freedom (a 2 × 2 table), moving each Oᵢⱼ by
//!   min(½, |Oᵢⱼ − Eᵢⱼ|) towards Eᵢⱼ. scipy's default is `correction=True`,
//!   i.e. [`Continuity::Yates`]. Cramér's V = √(χ² / (n · (min(r, c) − 1)))
//!   always uses the uncorrected χ², as scipy's
//!   `contingency.association(method="cramer")` does.
//! * **Mann–Whitney U test**, two-sided: with average ranks of the pooled
//!   sample, U₁ = R₁ − n₁(n₁ + 1)/2 for the first group. The asymptotic
//!   p-value (scipy's `mannwhitneyu(method="asymptotic")`, continuity
//!   correction on) uses μ = n₁n₂/2 and
//!   σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))) over tie groups of
//!   size t; z = sign(U₁ − μ) · max(|U₁ − μ| − ½, 0)/σ and
//!   p = min(1, 2Φ(−|z|)). The exact p-value (scipy's `method="exact"`, for
//!   small samples without ties) counts the arrangements giving each U:
//!   p = min(1, 2 P(U ≥ max(U₁, U₂))).
//!
//! Inputs that give no answer (an empty table, a row of zeros, a sample
//! whose values are all equal) are errors in plain words, never NaN.

use std::collections::BTreeSet;

use thiserror::Error;

use super::distributions::{chi_square_sf, normal_cdf, normal_quantile};

/// Why a test or interval could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SignificanceError {
    /// The confidence level is not strictly between 0 and 1.
    #[error("the confidence level {0} is not between 0 and 1")]
    InvalidConfidence(f64),
    /// A proportion of zero trials.
    #[error("a proportion needs at least one trial")]
    NoTrials,
    /// More successes than trials.
    #[error("{successes} successes out of {trials} trials is impossible")]
    TooManySuccesses {
        /// The number of successes.
        successes: u64,
        /// The number of trials.
        trials: u64,
    },
    /// A contingency table with fewer than two rows or two columns.
    #[error("a contingency table needs at least two rows and two columns, not {rows} × {columns}")]
    TableTooSmall {
        /// The number of rows.
        rows: usize,
        /// The number of columns (of the shortest row).
        columns: usize,
    },
    /// The rows of a contingency table differ in length.
    #[error("row {row} of the contingency table has {found} cells but row 0 has {expected}")]
    RaggedTable {
        /// The offending row.
        row: usize,
        /// The length of row 0.
        expected: usize,
        /// The length of this row.
        found: usize,
    },
    /// A count is negative, infinite or not a number.
    #[error("cell ({row}, {column}) of the contingency table is {value}, not a count of zero or more")]
    InvalidCount {
        /// The cell's row.
        row: usize,
        /// The cell's column.
        column: usize,
        /// The offending value.
        value: f64,
    },
    /// A row of the table is all zeros, so its expected counts are zero.
    #[error("row {0} of the contingency table has no observations")]
    EmptyRow(usize),
    /// A column of the table is all zeros, so its expected counts are zero.
    #[error("column {0} of the contingency table has no observations")]
    EmptyColumn(usize),
    /// Two labellings of different lengths.
    #[error("there are {rows} row labels but {columns} column labels")]
    LengthMismatch {
        /// The number of row labels.
        rows: usize,
        /// The number of column labels.
        columns: usize,
    },
    /// A Mann–Whitney sample is empty.
    #[error("the {0} sample is empty")]
    EmptySample(&'static str),
    /// A value is infinite or not a number.
    #[error("value {index} of the {sample} sample is {value}, not a finite number")]
    InvalidValue {
        /// Which sample.
        sample: &'static str,
        /// The value's position in it.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Every value of both samples is the same, so ranks carry no information.
    #[error("every value in both samples is the same, so they cannot be compared by rank")]
    AllTied,
    /// The exact Mann–Whitney distribution assumes no ties.
    #[error("the exact Mann–Whitney p-value needs samples without ties; use the asymptotic method")]
    TiesInExactTest,
    /// The samples are too large for the exact distribution.
    #[error("samples of {first} and {second} values are too large for the exact Mann–Whitney p-value; use the asymptotic method")]
    ExactTooLarge {
        /// The first sample's size.
        first: usize,
        /// The second sample's size.
        second: usize,
    },
}

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The lower end.
    pub lower: f64,
    /// The upper end.
    pub upper: f64,
}

/// The Wilson score interval for `successes` out of `trials` at the given
/// confidence level (e.g. 0.95).
pub fn wilson_interval(successes: u64, trials: u64, confidence: f64) -> Result<Interval, SignificanceError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(SignificanceError::InvalidConfidence(confidence));
    }
    if trials == 0 {
        return Err(SignificanceError::NoTrials);
    }
    if successes > trials {
        return Err(SignificanceError::TooManySuccesses { successes, trials });
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half_width = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Rounding can push an end a hair outside [0, 1] when p̂ is 0 or 1.
    Ok(Interval { lower: (centre - half_width).max(0.0), upper: (centre + half_width).min(1.0) })
}

/// Whether a 2 × 2 chi-square test applies Yates' continuity correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuity {
    /// No correction (scipy's `correction=False`).
    None,
    /// Yates' correction when the table has one degree of freedom
    /// (scipy's default `correction=True`); no effect on larger tables.
    Yates,
}

/// The chi-square test of independence on a contingency table.
#[derive(Debug, Clone, PartialEq)]
pub struct ChiSquareIndependence {
    /// The test statistic (Yates-corrected when [`Self::corrected`]).
    pub statistic: f64,
    /// (rows − 1)(columns − 1).
    pub degrees_of_freedom: usize,
    /// P(χ² > statistic) under independence.
    pub p_value: f64,
    /// Whether Yates' correction was applied (asked for and one degree of freedom).
    pub corrected: bool,
    /// The expected counts under independence, row by row.
    pub expected: Vec<Vec<f64>>,
    /// Cramér's V, from the uncorrected statistic: 0 (independent) to 1.
    pub cramers_v: f64,
    /// The number of observations n.
    pub total: f64,
}

/// The chi-square test of independence of the rows and columns of a table
/// of counts (rows are, say, contract types and columns churned / retained).
pub fn chi_square_independence<R: AsRef<[f64]>>(table: &[R], continuity: Continuity) -> Result<ChiSquareIndependence, SignificanceError> {
    let rows = table.len();
    let columns = table.first().map_or(0, |row| row.as_ref().len());
    for (i, row) in table.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != columns {
            return Err(SignificanceError::RaggedTable { row: i, expected: columns, found: row.len() });
        }
        if let Some((j, &value)) = row.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
            return Err(SignificanceError::InvalidCount { row: i, column: j, value });
        }
    }
    if rows < 2 || columns < 2 {
        return Err(SignificanceError::TableTooSmall { rows, columns });
    }
    let row_totals: Vec<f64> = table.iter().map(|row| row.as_ref().iter().sum()).collect();
    let column_totals: Vec<f64> = (0..columns).map(|j| table.iter().map(|row| row.as_ref()[j]).sum()).collect();
    if let Some(i) = row_totals.iter().position(|&t| t == 0.0) {
        return Err(SignificanceError::EmptyRow(i));
    }
    if let Some(j) = column_totals.iter().position(|&t| t == 0.0) {
        return Err(SignificanceError::EmptyColumn(j));
    }
    let total: f64 = row_totals.iter().sum();
    let expected: Vec<Vec<f64>> = row_totals.iter().map(|r| column_totals.iter().map(|c| r * c / total).collect()).collect();
    let degrees_of_freedom = (rows - 1) * (columns - 1);
    let corrected = continuity == Continuity::Yates && degrees_of_freedom == 1;
    let statistic_with = |yates: bool| -> f64 {
        let mut sum = 0.0;
        for (observed_row, expected_row) in table.iter().zip(&expected) {
            for (&o, &e) in observed_row.as_ref().iter().zip(expected_row) {
                let difference = if yates { (e - o).signum() * (e - o).abs().min(0.5) + o - e } else { o - e };
                sum += difference * difference / e;
            }
        }
        sum
    };
    let uncorrected = statistic_with(false);
    let statistic = if corrected { statistic_with(true) } else { uncorrected };
    let cramers_v = (uncorrected / (total * (rows.min(columns) - 1) as f64)).sqrt();
    Ok(ChiSquareIndependence { statistic, degrees_of_freedom, p_value: chi_square_sf(statistic, degrees_of_freedom), corrected, expected, cramers_v, total })
}

/// A contingency table of two labellings of the same customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosstab<R, C> {
    /// The distinct row labels, ascending.
    pub row_levels: Vec<R>,
    /// The distinct column labels, ascending.
    pub column_levels: Vec<C>,
    /// `counts[i][j]`: customers with row label i and column label j.
    pub counts: Vec<Vec<f64>>,
}

/// Counts the customers of every (row label, column label) pair, e.g.
/// contract type against churned.
pub fn crosstab<R: Ord + Clone, C: Ord + Clone>(rows: &[R], columns: &[C]) -> Result<Crosstab<R, C>, SignificanceError> {
    if rows.len() != columns.len() {
        return Err(SignificanceError::LengthMismatch { rows: rows.len(), columns: columns.len() });
    }
    let row_levels: Vec<R> = rows.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let column_levels: Vec<C> = columns.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let mut counts = vec![vec![0.0; column_levels.len()]; row_levels.len()];
    for (r, c) in rows.iter().zip(columns) {
        let i = row_levels.binary_search(r).expect("every label is a level");
        let j = column_levels.binary_search(c).expect("every label is a level");
        counts[i][j] += 1.0;
    }
    Ok(Crosstab { row_levels, column_levels, counts })
}

/// The churn of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentChurn<S> {
    /// The segment's label.
    pub segment: S,
    /// Its customers.
    pub customers: u64,
    /// How many of them churned.
    pub churned: u64,
    /// churned / customers.
    pub rate: f64,
    /// The Wilson interval of the rate.
    pub interval: Interval,
}

/// The churn rate of every segment (ascending labels) with its Wilson
/// interval at the given confidence level.
pub fn churn_rates<S: Ord + Clone>(segments: &[S], churned: &[bool], confidence: f64) -> Result<Vec<SegmentChurn<S>>, SignificanceError> {
    let table = crosstab(segments, churned)?;
    let churned_column = table.column_levels.iter().position(|&c| c);
    table
        .row_levels
        .into_iter()
        .zip(&table.counts)
        .map(|(segment, row)| {
            let customers = row.iter().sum::<f64>() as u64;
            let churned = churned_column.map_or(0, |j| row[j] as u64);
            let interval = wilson_interval(churned, customers, confidence)?;
            Ok(SegmentChurn { segment, customers, churned, rate: churned as f64 / customers as f64, interval })
        })
        .collect()
}

/// How the Mann–Whitney p-value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MannWhitneyMethod {
    /// The normal approximation with tie and continuity corrections.
    Asymptotic,
    /// The exact distribution of U; only for samples without ties and
    /// with n₁ · n₂ ≤ [`EXACT_LIMIT`].
    Exact,
}

/// The Mann–Whitney U test of two samples, with their means and medians.
#[derive(Debug, Clone, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: the number of pairs (x, y) with x > y, ties
    /// counting one half (scipy's returned statistic).
    pub u: f64,
    /// The standardised statistic (continuity-corrected), positive when the
    /// first sample tends to be larger; 0 when |U − μ| ≤ ½.
    pub z: f64,
    /// The two-sided p-value of the chosen method.
    pub p_value: f64,
    /// U / (n₁n₂): the probability that a random value of the first sample
    /// exceeds one of the second (ties count one half).
    pub common_language_effect: f64,
    /// The first sample's size, mean and median.
    pub first: SampleSummary,
    /// The second sample's size, mean and median.
    pub second: SampleSummary,
}

/// The size, mean and median of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSummary {
    /// The number of values.
    pub n: usize,
    /// The arithmetic mean.
    pub mean: f64,
    /// The median (the mean of the middle two for an even count).
    pub median: f64,
}

/// The two-sided Mann–Whitney U test of `first` against `second` (e.g. the
/// monthly charges of churned against retained customers).
pub fn mann_whitney_u(first: &[f64], second: &[f64], method: MannWhitneyMethod) -> Result<MannWhitney, SignificanceError> {
    let first_summary = summarise("first", first)?;
    let second_summary = summarise("second", second)?;
    let (n1, n2) = (first.len(), second.len());
    let n = n1 + n2;
    let mut pooled: Vec<(f64, bool)> = first.iter().map(|&v| (v, true)).chain(second.iter().map(|&v| (v, false))).collect();
    pooled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum_first = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < n {
        let end = start + pooled[start..].iter().take_while(|(v, _)| *v == pooled[start].0).count();
        // Positions start..end (0-based) share the average of ranks start+1..=end.
        let average_rank = (start + 1 + end) as f64 / 2.0;
        rank_sum_first += average_rank * pooled[start..end].iter().filter(|(_, is_first)| *is_first).count() as f64;
        let t = (end - start) as f64;
        tie_term += t * t * t - t;
        start = end;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u = rank_sum_first - n1f * (n1f + 1.0) / 2.0;
    let mu = n1f * n2f / 2.0;
    let variance = n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    if tie_term == nf * nf * nf - nf || variance <= 0.0 {
        return Err(SignificanceError::AllTied);
    }
    let z = (u - mu).signum() * ((u - mu).abs() - 0.5).max(0.0) / variance.sqrt();
    let p_value = match method {
        MannWhitneyMethod::Asymptotic => (2.0 * normal_cdf(-z.abs())).min(1.0),
        MannWhitneyMethod::Exact => {
            if tie_term > 0.0 {
                return Err(SignificanceError::TiesInExactTest);
            }
            if n1 * n2 > EXACT_LIMIT {
                return Err(SignificanceError::ExactTooLarge { first: n1, second: n2 });
            }
            // Without ties U is a whole number.
            let larger = u.max(n1f * n2f - u).round() as usize;
            (2.0 * exact_u_upper_tail(n1, n2, larger)).min(1.0)
        }
    };
    Ok(MannWhitney { u, z, p_value, common_language_effect: u / (n1f * n2f), first: first_summary, second: second_summary })
}

/// The largest n₁ · n₂ the exact method accepts: its work grows as
/// (n₁n₂)², about 10⁸ steps here, and the normal approximation is excellent
/// long before.
pub const EXACT_LIMIT: usize = 10_000;

/// P(U ≥ u) for U of samples of sizes m and n without ties under the null
/// hypothesis: the number of arrangements with each U, by the recurrence
/// c(m, n, u) = c(m − 1, n, u − n) + c(m, n − 1, u), over C(m + n, m).
/// Only additions, so the counts keep full relative precision.
fn exact_u_upper_tail(m: usize, n: usize, u: usize) -> f64 {
    // c(m, n, u) = c(n, m, u): keep the (n + 1) rows of the table few.
    let (m, n) = (m.max(n), m.min(n));
    let max_u = m * n;
    // counts[j][v] = c(i, j, v) for the current i, updated from i − 1 to i.
    let mut counts: Vec<Vec<f64>> = (0..=n).map(|_| vec![0.0; max_u + 1]).collect();
    counts.iter_mut().for_each(|row| row[0] = 1.0);
    for _ in 1..=m {
        // c(i, 0, v) = [v = 0] stays; c(i, j, v) needs c(i − 1, j, v − j) (the old row j) and c(i, j − 1, v) (the new row j − 1).
        for j in 1..=n {
            let (done, rest) = counts.split_at_mut(j);
            let previous_j = &done[j - 1];
            let row = &mut rest[0];
            for v in (0..=max_u).rev() {
                let shifted = if v >= j { row[v - j] } else { 0.0 };
                row[v] = shifted + previous_j[v];
            }
        }
    }
    let distribution = &counts[n];
    let total: f64 = distribution.iter().sum();
    distribution[u.min(max_u + 1)..].iter().sum::<f64>() / total
}

fn summarise(sample: &'static str, values: &[f64]) -> Result<SampleSummary, SignificanceError> {
    if values.is_empty() {
        return Err(SignificanceError::EmptySample(sample));
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(SignificanceError::InvalidValue { sample, index, value });
    }
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
    Ok(SampleSummary { n, mean: values.iter().sum::<f64>() / n as f64, median })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    // Expected values: scipy 1.17.1 and statsmodels 0.15.0 (the versions of
    // reference/requirements-diagnosis.txt), each call written beside its values.

    #[test]
    fn wilson_matches_statsmodels_including_the_extremes() {
        // proportion_confint(7, 20, alpha=0.05, method="wilson")
        let interval = wilson_interval(7, 20, 0.95).unwrap();
        assert_abs_diff_eq!(interval.lower, 0.18119182410108203, epsilon = 1e-12);
        assert_abs_diff_eq!(interval.upper, 0.5671457233147638, epsilon = 1e-12);
        // proportion_confint(0, 10, alpha=0.1, method="wilson")
        let interval = wilson_interval(0, 10, 0.9).unwrap();
        assert_abs_diff_eq!(interval.lower, 0.0, epsilon = 1e-15);
        assert_abs_diff_eq!(interval.upper, 0.2129419700834071, epsilon = 1e-12);
    }

    #[test]
    fn wilson_rejects_impossible_inputs() {
        assert_eq!(wilson_interval(3, 0, 0.95), Err(SignificanceError::NoTrials));
        assert_eq!(wilson_interval(5, 3, 0.95), Err(SignificanceError::TooManySuccesses { successes: 5, trials: 3 }));
        assert_eq!(wilson_interval(1, 3, 1.0), Err(SignificanceError::InvalidConfidence(1.0)));
    }

    #[test]
    fn chi_square_2x2_with_and_without_yates_matches_scipy() {
        let table = [[12.0, 5.0], [7.0, 18.0]];
        // chi2_contingency([[12, 5], [7, 18]]) and correction=False
        let yates = chi_square_independence(&table, Continuity::Yates).unwrap();
        assert!(yates.corrected);
        assert_abs_diff_eq!(yates.statistic, 5.789204468972945, epsilon = 1e-12);
        assert_abs_diff_eq!(yates.p_value, 0.016124884542928614, epsilon = 1e-12);
        let plain = chi_square_independence(&table, Continuity::None).unwrap();
        assert!(!plain.corrected);
        assert_abs_diff_eq!(plain.statistic, 7.408598734688384, epsilon = 1e-12);
        assert_abs_diff_eq!(plain.p_value, 0.0064912863096433645, epsilon = 1e-12);
        assert_abs_diff_eq!(plain.expected[0][0], 17.0 * 19.0 / 42.0, epsilon = 1e-12);
        // association([[12, 5], [7, 18]], method="cramer")
        assert_abs_diff_eq!(yates.cramers_v, 0.4199942951621737, epsilon = 1e-12);
    }

    #[test]
    fn chi_square_ignores_yates_beyond_one_degree_of_freedom() {
        let table = vec![vec![10.0, 20.0, 30.0], vec![25.0, 15.0, 5.0]];
        let yates = chi_square_independence(&table, Continuity::Yates).unwrap();
        let plain = chi_square_independence(&table, Continuity::None).unwrap();
        assert!(!yates.corrected);
        assert_eq!(yates.statistic, plain.statistic);
        // chi2_contingency([[10, 20, 30], [25, 15, 5]])
        assert_eq!(plain.degrees_of_freedom, 2);
        assert_abs_diff_eq!(plain.statistic, 23.333333333333336, epsilon = 1e-10);
        assert_abs_diff_eq!(plain.p_value, 8.57493910267228e-06, epsilon = 1e-15);
    }

    #[test]
    fn chi_square_names_what_is_wrong_with_a_table() {
        assert_eq!(chi_square_independence(&[[1.0, 2.0], [0.0, 0.0]], Continuity::None), Err(SignificanceError::EmptyRow(1)));
        assert_eq!(chi_square_independence(&[[0.0, 2.0], [0.0, 3.0]], Continuity::None), Err(SignificanceError::EmptyColumn(0)));
        assert_eq!(chi_square_independence(&[[1.0, 2.0]], Continuity::None), Err(SignificanceError::TableTooSmall { rows: 1, columns: 2 }));
        assert!(matches!(chi_square_independence(&[vec![1.0, 2.0], vec![3.0]], Continuity::None), Err(SignificanceError::RaggedTable { row: 1, .. })));
        assert!(matches!(
            chi_square_independence(&[[1.0, -2.0], [3.0, 4.0]], Continuity::None),
            Err(SignificanceError::InvalidCount { row: 0, column: 1, .. })
        ));
    }

    #[test]
    fn crosstab_and_churn_rates_count_by_hand() {
        let segments = ["b", "a", "b", "b", "a"];
        let churned = [true, false, false, true, false];
        let table = crosstab(&segments, &churned).unwrap();
        assert_eq!(table.row_levels, vec!["a", "b"]);
        assert_eq!(table.column_levels, vec![false, true]);
        assert_eq!(table.counts, vec![vec![2.0, 0.0], vec![1.0, 2.0]]);
        let rates = churn_rates(&segments, &churned, 0.95).unwrap();
        assert_eq!((rates[1].segment, rates[1].customers, rates[1].churned), ("b", 3, 2));
        assert_abs_diff_eq!(rates[1].rate, 2.0 / 3.0, epsilon = 1e-15);
        assert_eq!(rates[1].interval, wilson_interval(2, 3, 0.95).unwrap());
        // Nobody churned at all: every rate is 0, not an error.
        assert!(churn_rates(&segments, &[false; 5], 0.95).unwrap().iter().all(|r| r.churned == 0 && r.rate == 0.0));
        assert_eq!(crosstab(&segments, &churned[..2]), Err(SignificanceError::LengthMismatch { rows: 5, columns: 2 }));
    }

    #[test]
    fn mann_whitney_asymptotic_with_ties_matches_scipy() {
        let x = [1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 8.0];
        let y = [2.0, 3.0, 4.0, 4.0, 6.0, 9.0, 10.0, 12.0];
        // mannwhitneyu(x, y, method="asymptotic")
        let test = mann_whitney_u(&x, &y, MannWhitneyMethod::Asymptotic).unwrap();
        assert_abs_diff_eq!(test.u, 16.5, epsilon = 1e-12);
        assert_abs_diff_eq!(test.p_value, 0.20018162595428013, epsilon = 1e-12);
        assert!(test.z < 0.0);
        assert_abs_diff_eq!(test.first.median, 3.0, epsilon = 1e-15);
        assert_abs_diff_eq!(test.second.median, 5.0, epsilon = 1e-15);
        assert_abs_diff_eq!(test.second.mean, 50.0 / 8.0, epsilon = 1e-15);
        // U exactly at its mean n₁n₂/2: z is 0 and p is 1, as scipy's clipped p-value.
        let test = mann_whitney_u(&[1.0, 2.0, 3.0, 4.0], &[1.5, 2.5, 3.5, 4.5, 0.5], MannWhitneyMethod::Asymptotic).unwrap();
        assert_abs_diff_eq!(test.u, 10.0, epsilon = 1e-12);
        assert_eq!(test.z, 0.0);
        assert_eq!(test.p_value, 1.0);
    }

    #[test]
    fn mann_whitney_exact_matches_scipy() {
        let x = [1.1, 3.4, 2.2, 7.5, 0.3];
        let y = [4.4, 5.5, 6.1, 8.8, 9.2, 2.9];
        // mannwhitneyu(x, y, method="exact")
        let test = mann_whitney_u(&x, &y, MannWhitneyMethod::Exact).unwrap();
        assert_abs_diff_eq!(test.u, 5.0, epsilon = 1e-12);
        assert_abs_diff_eq!(test.p_value, 0.08225108225108226, epsilon = 1e-12);
        // mannwhitneyu(x, y, method="exact") on 8 and 9 values, both ways round, and on 3 and 7.
        let x = [-0.802, -1.324, -0.248, 0.42, 1.136, 0.11, -0.553, -0.785];
        let y = [1.549, 2.435, 1.073, -0.433, -0.158, 2.4, 1.003, -0.932, 0.716];
        for (first, second, u, p) in
            [(&x[..], &y[..], 17.0, 0.07445495680789799), (&y[..], &x[..], 55.0, 0.07445495680789799), (&x[..3], &y[..7], 1.0, 0.03333333333333333)]
        {
            let test = mann_whitney_u(first, second, MannWhitneyMethod::Exact).unwrap();
            assert_abs_diff_eq!(test.u, u, epsilon = 1e-12);
            assert_abs_diff_eq!(test.p_value, p, epsilon = 1e-12);
        }
        assert_eq!(mann_whitney_u(&[1.0, 2.0], &[2.0, 3.0], MannWhitneyMethod::Exact), Err(SignificanceError::TiesInExactTest));
        // mannwhitneyu(a, b, method="exact") on 25 and 40 values, both ways round.
        let a = [
            -1.7383, -1.3366, -1.3611, -0.3516, -2.3126, -0.1889, -0.9572, 0.8936, 0.9568, 1.3923, 0.7675, -0.053, 0.8598, 1.5055, -0.6536, 0.6104, -0.0427,
            1.44, -0.8369, -0.3015, 0.3623, 0.2581, -1.6394, 0.3602, -0.1185,
        ];
        let b = [
            0.2603, 0.3447, 0.719, -1.3164, 2.0525, -0.3614, -1.7414, 0.418, 1.9575, -0.0186, 2.0513, 2.0569, -0.3627, -1.9651, -0.7352, 1.6874, -0.3168,
            -1.0107, -0.8377, 0.5002, 0.4739, 1.372, 1.489, -0.4322, 0.3432, -0.6339, 0.5719, -0.6506, -0.7003, 2.6234, 0.5324, 1.1432, 3.0381, 1.2858, 0.3859,
            0.5546, -0.2445, 1.5943, 0.1697, 2.2627,
        ];
        for (first, second, u) in [(&a[..], &b[..], 384.0), (&b[..], &a[..], 616.0)] {
            let test = mann_whitney_u(first, second, MannWhitneyMethod::Exact).unwrap();
            assert_abs_diff_eq!(test.u, u, epsilon = 1e-12);
            assert_abs_diff_eq!(test.p_value, 0.11991932063873223, epsilon = 1e-12);
        }
        let (large, small): (Vec<f64>, Vec<f64>) = ((0..2001).map(f64::from).collect(), (0..5).map(|i| f64::from(i) + 0.5).collect());
        assert_eq!(mann_whitney_u(&large, &small, MannWhitneyMethod::Exact), Err(SignificanceError::ExactTooLarge { first: 2001, second: 5 }));
    }

    #[test]
    fn mann_whitney_refuses_samples_it_cannot_rank() {
        assert_eq!(mann_whitney_u(&[2.0, 2.0], &[2.0], MannWhitneyMethod::Asymptotic), Err(SignificanceError::AllTied));
        assert_eq!(mann_whitney_u(&[], &[2.0], MannWhitneyMethod::Asymptotic), Err(SignificanceError::EmptySample("first")));
        assert!(matches!(
            mann_whitney_u(&[1.0], &[f64::NAN], MannWhitneyMethod::Asymptotic),
            Err(SignificanceError::InvalidValue { sample: "second", index: 0, .. })
        ));
    }
}
