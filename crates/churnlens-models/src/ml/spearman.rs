//! Spearman's rank correlation between columns with missing values: per
//! pair, the rows where both are present, ranked with ties averaged, then
//! Pearson's r of the ranks — pandas' `DataFrame.corr(method="spearman")`.

/// The `p × p` row-major matrix of Spearman's rho between `columns` (`NaN`
/// = missing), 1 on the diagonal. A pair with fewer than three rows in
/// common, or with a constant column over them, has rho 0 (pandas: NaN):
/// no evidence that they move together.
pub fn spearman_matrix(columns: &[&[f64]]) -> Vec<f64> {
    let p = columns.len();
    let complete: Vec<bool> = columns.iter().map(|c| c.iter().all(|v| !v.is_nan())).collect();
    // A column without missing values is ranked once for all its pairs with
    // other complete columns; a pair with a missing value on either side is
    // ranked over its own rows.
    let ranked: Vec<Option<Vec<f64>>> = columns.iter().zip(&complete).map(|(c, &full)| full.then(|| average_ranks(c))).collect();
    let mut rho = vec![0.0; p * p];
    for i in 0..p {
        rho[i * p + i] = 1.0;
        for j in i + 1..p {
            let r = match (&ranked[i], &ranked[j]) {
                (Some(a), Some(b)) => pearson(a, b),
                _ => {
                    let rows: Vec<usize> = (0..columns[i].len()).filter(|&r| !columns[i][r].is_nan() && !columns[j][r].is_nan()).collect();
                    let pick = |c: &[f64]| rows.iter().map(|&r| c[r]).collect::<Vec<f64>>();
                    pearson(&average_ranks(&pick(columns[i])), &average_ranks(&pick(columns[j])))
                }
            };
            rho[i * p + j] = r;
            rho[j * p + i] = r;
        }
    }
    rho
}

/// Ranks 1…n of `values` (none missing), ties given the mean of their ranks.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start + 1 … end.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &row in &order[start..end] {
            ranks[row] = rank;
        }
        start = end;
    }
    ranks
}

/// Pearson's r, or 0 when there are fewer than three pairs or either side is constant.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len();
    if n < 3 {
        return 0.0;
    }
    let mean = |x: &[f64]| x.iter().sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 { 0.0 } else { (sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_mean_of_their_ranks() {
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]), vec![4.0, 1.0, 4.0, 2.0, 4.0]);
    }

    /// A monotone transform correlates perfectly, a reversed one at −1, and
    /// a missing value drops its row from the pairs that include it only.
    #[test]
    fn monotone_columns_correlate_perfectly_and_missing_rows_are_left_out() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let cubed: Vec<f64> = x.iter().map(|v| v * v * v).collect();
        let reversed = [10.0, 8.0, f64::NAN, 2.0, 1.0];
        let constant = [7.0; 5];
        let rho = spearman_matrix(&[&x, &cubed, &reversed, &constant]);
        assert_eq!(&rho[0..4], &[1.0, 1.0, -1.0, 0.0]);
        assert_eq!(rho[4 + 2], -1.0);
        assert_eq!(rho[2 * 4], -1.0);
        assert_eq!(rho[3 * 4 + 3], 1.0);
    }
}
