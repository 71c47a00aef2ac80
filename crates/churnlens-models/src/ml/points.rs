//! A borrowed, checked data matrix: rows of equally many finite features.

use super::MlError;

/// A row-major matrix of finite values, `n_features` to a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Points<'a> {
    values: &'a [f64],
    n_features: usize,
}

impl<'a> Points<'a> {
    /// Checks that `values` are finite and fill whole rows of `n_features`.
    pub fn new(values: &'a [f64], n_features: usize) -> Result<Self, MlError> {
        if n_features == 0 {
            return Err(MlError::NoFeatures);
        }
        if !values.len().is_multiple_of(n_features) {
            return Err(MlError::RaggedMatrix { values: values.len(), features: n_features });
        }
        if let Some((i, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(MlError::InvalidValue { row: i / n_features, feature: i % n_features, value });
        }
        Ok(Points { values, n_features })
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.values.len() / self.n_features
    }

    /// The number of features per row.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.values[i * self.n_features..(i + 1) * self.n_features]
    }

    /// The rows in order.
    pub fn rows(&self) -> impl Iterator<Item = &'a [f64]> + 'a {
        self.values.chunks_exact(self.n_features)
    }

    /// All values, row after row.
    pub fn values(&self) -> &'a [f64] {
        self.values
    }
}

/// The squared Euclidean distance of two equally long rows.
pub(crate) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    // A plain loop: the hot spot of k-means and the silhouette, and tests
    // run unoptimised, where closures cost a call each.
    let mut sum = 0.0;
    for (x, y) in a.iter().zip(b) {
        let d = x - y;
        sum += d * d;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_shape_and_values() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let points = Points::new(&values, 3).unwrap();
        assert_eq!(points.n_rows(), 2);
        assert_eq!(points.row(1), &[4.0, 5.0, 6.0]);
        assert_eq!(Points::new(&values, 4), Err(MlError::RaggedMatrix { values: 6, features: 4 }));
        assert_eq!(Points::new(&values, 0), Err(MlError::NoFeatures));
        assert!(matches!(Points::new(&[1.0, f64::NAN], 2), Err(MlError::InvalidValue { row: 0, feature: 1, .. })));
    }
}
