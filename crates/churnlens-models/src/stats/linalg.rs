//! Small dense symmetric linear algebra: enough for Newton steps and
//! covariance matrices of models with a few dozen parameters, without a
//! linear-algebra crate (matrices here are at most ~100 × 100).

/// A square matrix stored row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    n: usize,
    values: Vec<f64>,
}

impl Matrix {
    /// The n × n zero matrix.
    pub fn zeros(n: usize) -> Self {
        Matrix { n, values: vec![0.0; n * n] }
    }

    /// The matrix with these rows (all of length `rows.len()`).
    ///
    /// # Panics
    /// If a row has the wrong length.
    pub fn from_rows(rows: &[Vec<f64>]) -> Self {
        let n = rows.len();
        assert!(rows.iter().all(|r| r.len() == n), "Matrix::from_rows needs a square matrix");
        Matrix { n, values: rows.concat() }
    }

    /// The size n.
    pub fn size(&self) -> usize {
        self.n
    }

    /// The entry in row i, column j.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.n + j]
    }

    /// Sets the entry in row i, column j.
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.values[i * self.n + j] = value;
    }

    /// Adds to the entry in row i, column j.
    pub fn add(&mut self, i: usize, j: usize, value: f64) {
        self.values[i * self.n + j] += value;
    }

    /// The Cholesky factor L (lower triangular, A = L Lᵀ) of a symmetric
    /// positive definite matrix, or `None` when the matrix is not positive
    /// definite (a singular Hessian, perfectly collinear covariates).
    pub fn cholesky(&self) -> Option<Cholesky> {
        let n = self.n;
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let dot: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
                if i == j {
                    let d = self.get(i, i) - dot;
                    if !d.is_finite() || d <= 0.0 {
                        return None;
                    }
                    l[i * n + i] = d.sqrt();
                } else {
                    l[i * n + j] = (self.get(i, j) - dot) / l[j * n + j];
                }
            }
        }
        Some(Cholesky { n, l })
    }
}

/// A Cholesky factorisation, for solving and inverting.
#[derive(Debug, Clone)]
pub struct Cholesky {
    n: usize,
    l: Vec<f64>,
}

impl Cholesky {
    /// Solves A x = b.
    ///
    /// # Panics
    /// If `b` does not have the matrix's size.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        assert_eq!(b.len(), n, "right-hand side of the wrong size");
        let mut y = b.to_vec();
        for i in 0..n {
            let dot: f64 = (0..i).map(|k| self.l[i * n + k] * y[k]).sum();
            y[i] = (y[i] - dot) / self.l[i * n + i];
        }
        for i in (0..n).rev() {
            let dot: f64 = (i + 1..n).map(|k| self.l[k * n + i] * y[k]).sum();
            y[i] = (y[i] - dot) / self.l[i * n + i];
        }
        y
    }

    /// A⁻¹ (a covariance matrix from a Hessian).
    pub fn inverse(&self) -> Matrix {
        let n = self.n;
        let mut inverse = Matrix::zeros(n);
        let mut unit = vec![0.0; n];
        for j in 0..n {
            unit.iter_mut().for_each(|u| *u = 0.0);
            unit[j] = 1.0;
            for (i, v) in self.solve(&unit).into_iter().enumerate() {
                inverse.set(i, j, v);
            }
        }
        inverse
    }

    /// ln det A.
    pub fn ln_determinant(&self) -> f64 {
        (0..self.n).map(|i| 2.0 * self.l[i * self.n + i].ln()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn solves_and_inverts_a_small_system() {
        // A = [[4, 2], [2, 3]]: det 8, A⁻¹ = [[3, −2], [−2, 4]] / 8;
        // A x = (2, 1) → x = A⁻¹ (2, 1) = (4/8, 0) = (0.5, 0).
        let a = Matrix::from_rows(&[vec![4.0, 2.0], vec![2.0, 3.0]]);
        let c = a.cholesky().expect("positive definite");
        let x = c.solve(&[2.0, 1.0]);
        assert_abs_diff_eq!(x[0], 0.5, epsilon = 1e-15);
        assert_abs_diff_eq!(x[1], 0.0, epsilon = 1e-15);
        let inv = c.inverse();
        assert_abs_diff_eq!(inv.get(0, 0), 3.0 / 8.0, epsilon = 1e-15);
        assert_abs_diff_eq!(inv.get(0, 1), -2.0 / 8.0, epsilon = 1e-15);
        assert_abs_diff_eq!(inv.get(1, 1), 4.0 / 8.0, epsilon = 1e-15);
        assert_abs_diff_eq!(c.ln_determinant(), 8f64.ln(), epsilon = 1e-14);
    }

    #[test]
    fn refuses_a_matrix_that_is_not_positive_definite() {
        // [[1, 2], [2, 1]] has eigenvalues 3 and −1; [[1, 1], [1, 1]] is singular.
        assert!(Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).cholesky().is_none());
        assert!(Matrix::from_rows(&[vec![1.0, 1.0], vec![1.0, 1.0]]).cholesky().is_none());
    }
}
