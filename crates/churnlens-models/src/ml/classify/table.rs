//! The owned feature table the classifiers learn from: one column of `f64`
//! per feature (column-major, as tree learners scan a feature at a time),
//! `NaN` for a missing value, and the training set that pairs it with labels.

use serde::{Deserialize, Serialize};

use crate::ml::MlError;

/// Named feature columns of equal length. A value is finite or `NaN`
/// (missing); infinities are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureTable {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
    n_rows: usize,
}

impl FeatureTable {
    /// Checks that there is at least one column, that the names match the
    /// columns, that every column has the same length and no value is infinite.
    pub fn new(names: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self, MlError> {
        if columns.is_empty() {
            return Err(MlError::NoFeatures);
        }
        if names.len() != columns.len() {
            return Err(MlError::LabelCount { expected: columns.len(), found: names.len() });
        }
        let n_rows = columns[0].len();
        for (feature, column) in columns.iter().enumerate() {
            if column.len() != n_rows {
                return Err(MlError::RaggedMatrix { values: column.len(), features: n_rows });
            }
            if let Some((row, &value)) = column.iter().enumerate().find(|(_, v)| v.is_infinite()) {
                return Err(MlError::InvalidValue { row, feature, value });
            }
        }
        Ok(FeatureTable { names, columns, n_rows })
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        self.columns.len()
    }

    /// The feature names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Feature `j`'s values, one per row.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.columns[j]
    }

    /// All columns.
    pub fn columns(&self) -> &[Vec<f64>] {
        &self.columns
    }

    /// Row `i` as a vector of its feature values.
    pub fn row(&self, i: usize) -> Vec<f64> {
        self.columns.iter().map(|column| column[i]).collect()
    }

    /// Whether any value is missing (`NaN`); linear models and the SVM need a
    /// complete table.
    pub fn has_missing(&self) -> bool {
        self.columns.iter().any(|column| column.iter().any(|v| v.is_nan()))
    }

    /// The rows at `indices`, in that order (repeats allowed, as bootstraps need).
    pub fn select_rows(&self, indices: &[usize]) -> FeatureTable {
        let columns = self.columns.iter().map(|column| indices.iter().map(|&i| column[i]).collect()).collect();
        FeatureTable { names: self.names.clone(), columns, n_rows: indices.len() }
    }

    /// Replaces column `j` by `values` (permutation importance shuffles
    /// columns of a copy).
    ///
    /// # Panics
    /// If `values` does not have one value per row or holds an infinity.
    pub fn set_column(&mut self, j: usize, values: Vec<f64>) {
        assert_eq!(values.len(), self.n_rows, "one value per row");
        assert!(values.iter().all(|v| !v.is_infinite()), "feature values are finite or NaN");
        self.columns[j] = values;
    }
}

/// Features with one churn label per row (`true` = churned).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    /// The features.
    pub features: FeatureTable,
    /// One label per row.
    pub labels: Vec<bool>,
}

impl TrainingSet {
    /// Checks there is one label per row.
    pub fn new(features: FeatureTable, labels: Vec<bool>) -> Result<Self, MlError> {
        if labels.len() != features.n_rows() {
            return Err(MlError::LabelCount { expected: features.n_rows(), found: labels.len() });
        }
        Ok(TrainingSet { features, labels })
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.labels.len()
    }

    /// The share of positive (churned) labels; 0 for an empty set.
    pub fn positive_rate(&self) -> f64 {
        if self.labels.is_empty() {
            return 0.0;
        }
        self.labels.iter().filter(|&&y| y).count() as f64 / self.labels.len() as f64
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> TrainingSet {
        TrainingSet { features: self.features.select_rows(indices), labels: indices.iter().map(|&i| self.labels[i]).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_ragged_columns_and_infinities_but_keeps_missing_values() {
        let names = vec!["a".to_string(), "b".to_string()];
        assert!(FeatureTable::new(names.clone(), vec![vec![1.0, 2.0], vec![1.0]]).is_err());
        assert!(FeatureTable::new(names.clone(), vec![vec![1.0, f64::INFINITY], vec![1.0, 2.0]]).is_err());
        let table = FeatureTable::new(names, vec![vec![1.0, f64::NAN], vec![3.0, 4.0]]).unwrap();
        assert!(table.has_missing());
        assert_eq!(table.row(1)[1], 4.0);
        let picked = table.select_rows(&[1, 1, 0]);
        assert_eq!(picked.column(1), &[4.0, 4.0, 3.0]);
    }

    #[test]
    fn a_training_set_needs_one_label_per_row() {
        let table = FeatureTable::new(vec!["a".to_string()], vec![vec![1.0, 2.0, 3.0, 4.0]]).unwrap();
        assert!(TrainingSet::new(table.clone(), vec![true]).is_err());
        let set = TrainingSet::new(table, vec![true, false, false, false]).unwrap();
        assert_eq!(set.positive_rate(), 0.25);
        assert_eq!(set.select_rows(&[0, 0]).labels, vec![true, true]);
    }
}
