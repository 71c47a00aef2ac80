//! The covariate (design) matrix of a regression model: named numeric
//! columns, one value per customer, and one-hot encoding of categorical
//! columns.
//!
//! A categorical column with levels L₁ < … < L_m (sorted as strings, as
//! pandas' `get_dummies` sorts them) becomes m − 1 indicator columns, one per
//! level except the chosen baseline, named `Column[Level]`, e.g.
//! `Contract[One year]` against the baseline `Month-to-month`. Each
//! coefficient is then the log hazard ratio of that level against the
//! baseline.

use super::SurvivalError;

/// Named covariate columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Covariates {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl Covariates {
    /// No columns yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The columns of a row-major matrix, named in order.
    pub fn from_rows<S: AsRef<str>>(names: &[S], rows: &[Vec<f64>]) -> Result<Self, SurvivalError> {
        let mut columns = vec![Vec::with_capacity(rows.len()); names.len()];
        for row in rows {
            if row.len() != names.len() {
                return Err(SurvivalError::LengthMismatch { what: "a covariate row", expected: names.len(), found: row.len() });
            }
            columns.iter_mut().zip(row).for_each(|(column, &value)| column.push(value));
        }
        names.iter().zip(columns).try_fold(Covariates::new(), |acc, (name, column)| acc.with_numeric(name.as_ref(), column))
    }

    /// Adds a numeric column.
    pub fn with_numeric(mut self, name: &str, values: impl Into<Vec<f64>>) -> Result<Self, SurvivalError> {
        let values = values.into();
        if let Some(first) = self.columns.first()
            && first.len() != values.len()
        {
            return Err(SurvivalError::LengthMismatch { what: "a covariate column", expected: first.len(), found: values.len() });
        }
        if self.names.iter().any(|n| n == name) {
            return Err(SurvivalError::DuplicateCovariate { name: name.to_owned() });
        }
        self.names.push(name.to_owned());
        self.columns.push(values);
        Ok(self)
    }

    /// Adds the indicator columns `name[level]` of every level of a
    /// categorical column except `baseline`, levels in ascending order.
    pub fn with_categorical<S: AsRef<str>>(self, name: &str, values: &[S], baseline: &str) -> Result<Self, SurvivalError> {
        one_hot(name, values, baseline)?.into_iter().try_fold(self, |acc, (column_name, column)| acc.with_numeric(&column_name, column))
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The number of columns.
    pub fn n_covariates(&self) -> usize {
        self.columns.len()
    }

    /// The number of customers (rows); 0 without columns.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// Column `j`.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.columns[j]
    }

    /// The value of covariate `j` for customer `i`.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.columns[j][i]
    }
}

/// The indicator columns of a categorical column: `(name[level], 0/1
/// values)` for every distinct level except `baseline`, in ascending level
/// order.
pub fn one_hot<S: AsRef<str>>(name: &str, values: &[S], baseline: &str) -> Result<Vec<(String, Vec<f64>)>, SurvivalError> {
    let mut levels: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
    levels.sort_unstable();
    levels.dedup();
    if !levels.contains(&baseline) {
        return Err(SurvivalError::UnknownBaseline { name: name.to_owned(), baseline: baseline.to_owned() });
    }
    Ok(levels
        .into_iter()
        .filter(|&level| level != baseline)
        .map(|level| (format!("{name}[{level}]"), values.iter().map(|v| if v.as_ref() == level { 1.0 } else { 0.0 }).collect()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_drops_the_baseline_and_sorts_levels() {
        let contract = ["Two year", "Month-to-month", "One year", "Month-to-month"];
        let columns = one_hot("Contract", &contract, "Month-to-month").unwrap();
        assert_eq!(columns, vec![("Contract[One year]".to_owned(), vec![0.0, 0.0, 1.0, 0.0]), ("Contract[Two year]".to_owned(), vec![1.0, 0.0, 0.0, 0.0])]);
        assert_eq!(
            one_hot("Contract", &contract, "Three year"),
            Err(SurvivalError::UnknownBaseline { name: "Contract".into(), baseline: "Three year".into() })
        );
    }

    #[test]
    fn builds_columns_and_checks_their_lengths() {
        let covariates = Covariates::new().with_numeric("age", vec![30.0, 40.0]).unwrap().with_categorical("plan", &["a", "b"], "a").unwrap();
        assert_eq!(covariates.names(), &["age".to_owned(), "plan[b]".to_owned()]);
        assert_eq!((covariates.n_rows(), covariates.n_covariates()), (2, 2));
        assert_eq!(covariates.value(1, 1), 1.0);
        assert!(matches!(covariates.clone().with_numeric("x", vec![1.0]), Err(SurvivalError::LengthMismatch { .. })));
        assert!(matches!(covariates.with_numeric("age", vec![1.0, 2.0]), Err(SurvivalError::DuplicateCovariate { .. })));
        let from_rows = Covariates::from_rows(&["a", "b"], &[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        assert_eq!(from_rows.column(1), &[2.0, 4.0]);
    }
}
