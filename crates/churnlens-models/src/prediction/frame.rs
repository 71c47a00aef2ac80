//! The raw training frame: one row per customer (× cutoff), named columns
//! that are still numbers or category labels, before [`super::encode`]
//! turns them into the numeric [`FeatureTable`](crate::ml::classify::FeatureTable)
//! the classifiers read.

use churnlens_core::Lang;
use serde::{Deserialize, Serialize};

/// A column's name in both languages: `orders_90d_change` / "90 天内下单次数变化".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureName {
    /// English, snake_case: the name in tables, CSV and JSON.
    pub en: String,
    /// Simplified Chinese.
    pub zh: String,
}

impl FeatureName {
    /// A name from its two spellings.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> FeatureName {
        FeatureName { en: en.into(), zh: zh.into() }
    }

    /// A column name taken from the user's data, the same in both languages.
    pub fn verbatim(name: &str) -> FeatureName {
        FeatureName::new(name, name)
    }

    /// The name in `lang`.
    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// The values of one raw column.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValues {
    /// Numbers; `NaN` = missing.
    Numeric(Vec<f64>),
    /// Category labels; `None` = missing.
    Categorical(Vec<Option<String>>),
}

impl RawValues {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            RawValues::Numeric(v) => v.len(),
            RawValues::Categorical(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One raw column.
#[derive(Debug, Clone, PartialEq)]
pub struct RawColumn {
    /// Its name.
    pub name: FeatureName,
    /// Its values, one per row.
    pub values: RawValues,
}

/// Rows to learn from or to score: who, as of when, the label when known,
/// and the raw columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawFrame {
    /// Customer id of every row.
    pub ids: Vec<String>,
    /// The cutoff day of every row (activity data); empty for a snapshot.
    pub cutoffs: Vec<i32>,
    /// Churned within the horizon (activity) or the label column (snapshot);
    /// empty when scoring current data, whose outcome is not known yet.
    pub labels: Vec<bool>,
    /// The columns, all of `ids.len()` rows.
    pub columns: Vec<RawColumn>,
    /// What was left out or decided on the user's behalf, in the requested language.
    pub notes: Vec<String>,
}

impl RawFrame {
    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.ids.len()
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> RawFrame {
        let pick_f = |v: &Vec<f64>| indices.iter().map(|&i| v[i]).collect();
        let columns = self
            .columns
            .iter()
            .map(|c| RawColumn {
                name: c.name.clone(),
                values: match &c.values {
                    RawValues::Numeric(v) => RawValues::Numeric(pick_f(v)),
                    RawValues::Categorical(v) => RawValues::Categorical(indices.iter().map(|&i| v[i].clone()).collect()),
                },
            })
            .collect();
        RawFrame {
            ids: indices.iter().map(|&i| self.ids[i].clone()).collect(),
            cutoffs: if self.cutoffs.is_empty() { Vec::new() } else { indices.iter().map(|&i| self.cutoffs[i]).collect() },
            labels: if self.labels.is_empty() { Vec::new() } else { indices.iter().map(|&i| self.labels[i]).collect() },
            columns,
            notes: self.notes.clone(),
        }
    }

    /// The column named `en`, if any.
    pub fn column(&self, en: &str) -> Option<&RawColumn> {
        self.columns.iter().find(|c| c.name.en == en)
    }

    /// The share of churned rows; 0 for none.
    pub fn positive_rate(&self) -> f64 {
        if self.labels.is_empty() { 0.0 } else { self.labels.iter().filter(|&&y| y).count() as f64 / self.labels.len() as f64 }
    }
}
