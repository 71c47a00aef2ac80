//! Standardisation to z-scores, as scikit-learn's `StandardScaler`: each
//! feature minus its mean, divided by its *population* standard deviation
//! √(Σ(x − x̄)²/n). A constant feature gets scale 1 (scikit-learn's choice),
//! so it becomes all zeros instead of a division by zero.

use super::{MlError, Points};

/// The mean and scale of each feature, learnt from data.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardScaler {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl StandardScaler {
    /// Learns each feature's mean and population standard deviation.
    pub fn fit(points: Points<'_>) -> Result<Self, MlError> {
        let n = points.n_rows();
        if n == 0 {
            return Err(MlError::TooFewRows { needed: 1, found: 0 });
        }
        let d = points.n_features();
        let mut mean = vec![0.0; d];
        points.rows().for_each(|row| mean.iter_mut().zip(row).for_each(|(m, x)| *m += x));
        mean.iter_mut().for_each(|m| *m /= n as f64);
        // Two passes: the sum of squared deviations from the mean, not the
        // difference of sums of squares, which cancels badly.
        let mut variance = vec![0.0; d];
        points.rows().for_each(|row| variance.iter_mut().zip(row.iter().zip(&mean)).for_each(|(v, (x, m))| *v += (x - m) * (x - m)));
        let scale = variance.iter().map(|v| (v / n as f64).sqrt()).map(|s| if s > 0.0 { s } else { 1.0 }).collect();
        Ok(StandardScaler { mean, scale })
    }

    /// The feature means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The feature scales (population standard deviations; 1 for constant features).
    pub fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// The z-scores of `points`, row-major.
    ///
    /// # Panics
    /// If `points` has a different number of features than the fitted data.
    pub fn transform(&self, points: Points<'_>) -> Vec<f64> {
        assert_eq!(points.n_features(), self.mean.len(), "the scaler was fitted on {} features", self.mean.len());
        points.rows().flat_map(|row| row.iter().zip(&self.mean).zip(&self.scale).map(|((x, m), s)| (x - m) / s)).collect()
    }

    /// Back from z-scores to the original units, row-major.
    ///
    /// # Panics
    /// If `points` has a different number of features than the fitted data.
    pub fn inverse_transform(&self, points: Points<'_>) -> Vec<f64> {
        assert_eq!(points.n_features(), self.mean.len(), "the scaler was fitted on {} features", self.mean.len());
        points.rows().flat_map(|row| row.iter().zip(&self.mean).zip(&self.scale).map(|((z, m), s)| z * s + m)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn standardises_with_the_population_deviation_and_leaves_constants_at_zero() {
        let values = [1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 6.0, 5.0];
        let points = Points::new(&values, 2).unwrap();
        let scaler = StandardScaler::fit(points).unwrap();
        // Feature 0: mean 3, population variance (4 + 1 + 0 + 9)/4 = 3.5.
        assert_abs_diff_eq!(scaler.mean()[0], 3.0, epsilon = 1e-15);
        assert_abs_diff_eq!(scaler.scale()[0], 3.5f64.sqrt(), epsilon = 1e-15);
        assert_eq!(scaler.scale()[1], 1.0);
        let z = scaler.transform(points);
        assert_abs_diff_eq!(z[0], -2.0 / 3.5f64.sqrt(), epsilon = 1e-15);
        assert_eq!(z[1], 0.0);
        let back = scaler.inverse_transform(Points::new(&z, 2).unwrap());
        values.iter().zip(&back).for_each(|(a, b)| assert_abs_diff_eq!(a, b, epsilon = 1e-14));
    }
}
