//! From raw columns to the numeric feature table, fitted on training rows
//! and saved with the model so that scoring applies the same transformation.
//!
//! * **Categories**, one-hot ([`CategoricalEncoding::OneHot`], default): one
//!   0/1 column per level; levels held by fewer than `rare_share` of the
//!   training rows or fewer than `rare_rows` rows go into one `other`
//!   column, and so do levels first seen when scoring. A blank is the level
//!   `(missing)`, a level like any other. Or target-encoded
//!   ([`CategoricalEncoding::Target`]): the level's churn rate, smoothed
//!   toward the overall rate, (churned + m · prior) ÷ (rows + m); training
//!   rows get the rate of the *other* folds (out-of-fold), so a row's own
//!   label never feeds its feature; scoring uses the rates of all training
//!   rows, the overall rate for unseen levels.
//! * **Missing numbers**: kept as `NaN` for tree models
//!   ([`MissingValues::Keep`]), which route them; for linear models and the
//!   SVM ([`MissingValues::Impute`]) replaced by the training median, plus a
//!   0/1 `…_missing` column when the training column had blanks, so the
//!   model still sees that the value was absent.

use std::collections::HashMap;

use churnlens_metrics::{MetricsError, Result};
use serde::{Deserialize, Serialize};

use super::frame::{FeatureName, RawFrame, RawValues};
use crate::ml::classify::FeatureTable;
use crate::ml::evaluate::stratified_folds;

/// The level of a blank category.
pub const MISSING_LEVEL: &str = "(missing)";

/// The level of rare and unseen categories.
pub const OTHER_LEVEL: &str = "other";

/// How categories become numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalEncoding {
    /// One 0/1 column per level, rare levels grouped.
    #[default]
    OneHot,
    /// The level's smoothed churn rate, out-of-fold on training rows.
    Target,
}

/// What happens to missing numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingValues {
    /// Left as `NaN` (tree models).
    #[default]
    Keep,
    /// Median plus a missing-indicator column (linear models, SVM).
    Impute,
}

/// Settings of the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EncoderParams {
    /// One-hot or target encoding. Default one-hot.
    pub categorical: CategoricalEncoding,
    /// Keep or impute missing numbers. Default keep.
    pub missing: MissingValues,
    /// Levels below this share of training rows are `other`. Default 0.01.
    pub rare_share: f64,
    /// Levels with fewer training rows than this are `other`. Default 10.
    pub rare_rows: usize,
    /// Folds of the out-of-fold target encoding. Default 5.
    pub target_folds: usize,
    /// Smoothing weight m of the target encoding, in rows. Default 20.
    pub target_smoothing: f64,
    /// Seed of the target-encoding folds. Default 42.
    pub seed: u64,
}

impl Default for EncoderParams {
    fn default() -> Self {
        EncoderParams {
            categorical: CategoricalEncoding::OneHot,
            missing: MissingValues::Keep,
            rare_share: 0.01,
            rare_rows: 10,
            target_folds: 5,
            target_smoothing: 20.0,
            seed: 42,
        }
    }
}

/// How one raw column is encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ColumnEncoder {
    Numeric { source: String, median: Option<f64>, indicator: bool },
    OneHot { source: String, levels: Vec<String> },
    Target { source: String, prior: f64, rates: Vec<(String, f64)> },
}

/// A fitted encoder: raw frame → feature table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    /// The settings it was fitted with.
    pub params: EncoderParams,
    columns: Vec<ColumnEncoder>,
    names: Vec<FeatureName>,
    /// The raw column (English name) each feature comes from.
    sources: Vec<String>,
}

fn level_of(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or(MISSING_LEVEL)
}

fn median(values: &[f64]) -> f64 {
    let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if present.is_empty() {
        return 0.0;
    }
    present.sort_by(f64::total_cmp);
    let n = present.len();
    if n % 2 == 1 { present[n / 2] } else { (present[n / 2 - 1] + present[n / 2]) / 2.0 }
}

fn table(names: &[FeatureName], columns: Vec<Vec<f64>>) -> Result<FeatureTable> {
    FeatureTable::new(names.iter().map(|n| n.en.clone()).collect(), columns).map_err(|e| MetricsError::Options(e.to_string()))
}

impl EncoderParams {
    /// Fits the encoder on `frame` (its labels are needed for target
    /// encoding) and encodes the same rows, out-of-fold where it matters.
    pub fn fit(&self, frame: &RawFrame) -> Result<(Encoder, FeatureTable)> {
        let n = frame.n_rows();
        let mut encoder = Encoder { params: *self, columns: Vec::new(), names: Vec::new(), sources: Vec::new() };
        let mut out: Vec<Vec<f64>> = Vec::new();
        let folds = if self.categorical == CategoricalEncoding::Target && frame.columns.iter().any(|c| matches!(c.values, RawValues::Categorical(_))) {
            if frame.labels.len() != n {
                return Err(MetricsError::Options("target encoding needs a label per row".into()));
            }
            Some(stratified_folds(&frame.labels, self.target_folds.max(2), self.seed))
        } else {
            None
        };
        for column in &frame.columns {
            let source = column.name.en.clone();
            match &column.values {
                RawValues::Numeric(values) => {
                    let has_missing = values.iter().any(|v| v.is_nan());
                    let impute = self.missing == MissingValues::Impute;
                    let median = impute.then(|| median(values));
                    encoder.push_name(column.name.clone(), &source);
                    out.push(values.iter().map(|&v| if v.is_nan() { median.unwrap_or(f64::NAN) } else { v }).collect());
                    let indicator = impute && has_missing;
                    if indicator {
                        encoder.push_name(FeatureName::new(format!("{}_missing", column.name.en), format!("{}缺失", column.name.zh)), &source);
                        out.push(values.iter().map(|v| f64::from(u8::from(v.is_nan()))).collect());
                    }
                    encoder.columns.push(ColumnEncoder::Numeric { source, median, indicator });
                }
                RawValues::Categorical(values) => match (&folds, self.categorical) {
                    (Some(folds), CategoricalEncoding::Target) => {
                        let k = self.target_folds.max(2);
                        let prior = frame.positive_rate();
                        // Per fold and level: (rows, churned).
                        let mut counts: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
                        for (i, value) in values.iter().enumerate() {
                            let entry = counts.entry(level_of(value)).or_insert_with(|| vec![(0.0, 0.0); k]);
                            entry[folds[i]].0 += 1.0;
                            entry[folds[i]].1 += f64::from(u8::from(frame.labels[i]));
                        }
                        let m = self.target_smoothing;
                        let encoded = values
                            .iter()
                            .enumerate()
                            .map(|(i, value)| {
                                let per_fold = &counts[level_of(value)];
                                let (rows, churned) =
                                    per_fold.iter().enumerate().filter(|(f, _)| *f != folds[i]).fold((0.0, 0.0), |a, (_, c)| (a.0 + c.0, a.1 + c.1));
                                (churned + m * prior) / (rows + m)
                            })
                            .collect();
                        let mut rates: Vec<(String, f64)> = counts
                            .iter()
                            .map(|(level, per_fold)| {
                                let (rows, churned) = per_fold.iter().fold((0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1));
                                (level.to_string(), (churned + m * prior) / (rows + m))
                            })
                            .collect();
                        rates.sort_by(|a, b| a.0.cmp(&b.0));
                        encoder.push_name(FeatureName::new(format!("{}_churn_rate", column.name.en), format!("{}（流失率编码）", column.name.zh)), &source);
                        out.push(encoded);
                        encoder.columns.push(ColumnEncoder::Target { source, prior, rates });
                    }
                    _ => {
                        let mut counts: HashMap<&str, usize> = HashMap::new();
                        for value in values {
                            *counts.entry(level_of(value)).or_default() += 1;
                        }
                        let threshold = (self.rare_share * n as f64).max(self.rare_rows as f64);
                        let mut levels: Vec<(&str, usize)> = counts.into_iter().filter(|&(_, c)| c as f64 >= threshold).collect();
                        // Most frequent first, ties by name, so the columns are in a stable order.
                        levels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                        let levels: Vec<String> = levels.into_iter().map(|(l, _)| l.to_string()).collect();
                        let encoder_column = ColumnEncoder::OneHot { source: source.clone(), levels };
                        for name in one_hot_names(&column.name, &encoder_column) {
                            encoder.push_name(name, &source);
                        }
                        out.extend(encoder_column.one_hot(values));
                        encoder.columns.push(encoder_column);
                    }
                },
            }
        }
        let features = table(&encoder.names, out)?;
        Ok((encoder, features))
    }
}

fn one_hot_names(name: &FeatureName, column: &ColumnEncoder) -> Vec<FeatureName> {
    let ColumnEncoder::OneHot { levels, .. } = column else { return Vec::new() };
    levels
        .iter()
        .map(|l| FeatureName::new(format!("{}={l}", name.en), format!("{}={l}", name.zh)))
        .chain(std::iter::once(FeatureName::new(format!("{}={OTHER_LEVEL}", name.en), format!("{}=其他", name.zh))))
        .collect()
}

impl ColumnEncoder {
    /// One-hot columns: one per kept level, then `other`.
    fn one_hot(&self, values: &[Option<String>]) -> Vec<Vec<f64>> {
        let ColumnEncoder::OneHot { levels, .. } = self else { return Vec::new() };
        let position: HashMap<&str, usize> = levels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
        let mut out = vec![vec![0.0; values.len()]; levels.len() + 1];
        for (row, value) in values.iter().enumerate() {
            let column = position.get(level_of(value)).copied().unwrap_or(levels.len());
            out[column][row] = 1.0;
        }
        out
    }
}

impl Encoder {
    fn push_name(&mut self, name: FeatureName, source: &str) {
        self.names.push(name);
        self.sources.push(source.to_string());
    }

    /// The encoded features' names, in column order.
    pub fn feature_names(&self) -> &[FeatureName] {
        &self.names
    }

    /// The raw column (English name) feature `j` comes from.
    pub fn source_of(&self, j: usize) -> &str {
        &self.sources[j]
    }

    /// Encodes new rows as the training rows were (target encoding with
    /// the rates of all training rows). Every raw column the encoder was
    /// fitted on must be present, with the same kind.
    pub fn transform(&self, frame: &RawFrame) -> Result<FeatureTable> {
        self.encode(frame, true)
    }

    /// As [`transform`](Self::transform), but missing numbers stay `NaN`
    /// (the indicator columns are still there): the values as the data has
    /// them, for describing a row to a person.
    pub fn transform_unimputed(&self, frame: &RawFrame) -> Result<FeatureTable> {
        self.encode(frame, false)
    }

    fn encode(&self, frame: &RawFrame, impute: bool) -> Result<FeatureTable> {
        let mut out: Vec<Vec<f64>> = Vec::new();
        let missing = |source: &str| MetricsError::Options(format!("the data has no column {source} (or it changed type), which the model was trained on"));
        for column in &self.columns {
            match column {
                ColumnEncoder::Numeric { source, median, indicator } => {
                    let Some(RawValues::Numeric(values)) = frame.column(source).map(|c| &c.values) else { return Err(missing(source)) };
                    let fill = if impute { median.unwrap_or(f64::NAN) } else { f64::NAN };
                    out.push(values.iter().map(|&v| if v.is_nan() { fill } else { v }).collect());
                    if *indicator {
                        out.push(values.iter().map(|v| f64::from(u8::from(v.is_nan()))).collect());
                    }
                }
                ColumnEncoder::OneHot { source, .. } => {
                    let Some(RawValues::Categorical(values)) = frame.column(source).map(|c| &c.values) else { return Err(missing(source)) };
                    out.extend(column.one_hot(values));
                }
                ColumnEncoder::Target { source, prior, rates } => {
                    let Some(RawValues::Categorical(values)) = frame.column(source).map(|c| &c.values) else { return Err(missing(source)) };
                    let rates: HashMap<&str, f64> = rates.iter().map(|(l, r)| (l.as_str(), *r)).collect();
                    out.push(values.iter().map(|v| rates.get(level_of(v)).copied().unwrap_or(*prior)).collect());
                }
            }
        }
        table(&self.names, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::frame::RawColumn;

    fn frame() -> RawFrame {
        // 40 rows: city a ×30 (churn 1 in 3), b ×9, c ×1 (rare), and a number with two blanks.
        let cities: Vec<Option<String>> = (0..40)
            .map(|i| {
                Some(
                    if i < 30 {
                        "a"
                    } else if i < 39 {
                        "b"
                    } else {
                        "c"
                    }
                    .to_string(),
                )
            })
            .collect();
        let numbers: Vec<f64> = (0..40).map(|i| if i % 20 == 0 { f64::NAN } else { f64::from(i) }).collect();
        RawFrame {
            ids: (0..40).map(|i| i.to_string()).collect(),
            labels: (0..40).map(|i| i % 3 == 0).collect(),
            columns: vec![
                RawColumn { name: FeatureName::new("city", "城市"), values: RawValues::Categorical(cities) },
                RawColumn { name: FeatureName::new("x", "x"), values: RawValues::Numeric(numbers) },
            ],
            ..RawFrame::default()
        }
    }

    #[test]
    fn one_hot_groups_rare_and_unseen_levels_into_other() {
        let params = EncoderParams { rare_rows: 5, ..EncoderParams::default() };
        let (encoder, features) = params.fit(&frame()).unwrap();
        let names: Vec<&str> = features.names().iter().map(String::as_str).collect();
        assert_eq!(names, ["city=a", "city=b", "city=other", "x"]);
        // Row 39 is the single c: other.
        assert_eq!(features.row(39)[..3], [0.0, 0.0, 1.0]);
        assert!(features.column(3)[0].is_nan());
        let mut new = frame().select_rows(&[0, 31]);
        let RawValues::Categorical(cities) = &mut new.columns[0].values else { unreachable!() };
        cities[0] = Some("z".into());
        let encoded = encoder.transform(&new).unwrap();
        assert_eq!(encoded.row(0)[..3], [0.0, 0.0, 1.0]);
        assert_eq!(encoded.row(1)[..3], [0.0, 1.0, 0.0]);
    }

    #[test]
    fn imputation_uses_the_training_median_and_flags_it() {
        let params = EncoderParams { missing: MissingValues::Impute, ..EncoderParams::default() };
        let (encoder, features) = params.fit(&frame()).unwrap();
        // Present values 1..39 without 20: 38 values, median of the middle two (19 + 21) / 2 = 20.
        let x = features.names().iter().position(|n| n == "x").unwrap();
        assert_eq!(features.column(x)[0], 20.0);
        assert_eq!(features.column(x + 1)[0], 1.0);
        assert_eq!(features.column(x + 1)[1], 0.0);
        assert_eq!(features.names()[x + 1], "x_missing");
        let scored = encoder.transform(&frame().select_rows(&[20, 5])).unwrap();
        assert_eq!(scored.row(0)[x..x + 2], [20.0, 1.0]);
        assert_eq!(scored.row(1)[x..x + 2], [5.0, 0.0]);
    }

    #[test]
    fn target_encoding_is_out_of_fold_and_smoothed() {
        let params = EncoderParams { categorical: CategoricalEncoding::Target, target_smoothing: 2.0, ..EncoderParams::default() };
        let data = frame();
        let (encoder, features) = params.fit(&data).unwrap();
        let folds = stratified_folds(&data.labels, 5, 42);
        let prior = 14.0 / 40.0;
        // Hand check of row 0 (city a): the other folds' a-rows and their churned.
        let (rows, churned) = (0..30).filter(|&i| folds[i] != folds[0]).fold((0.0, 0.0), |a, i| (a.0 + 1.0, a.1 + f64::from(u8::from(i % 3 == 0))));
        assert!((features.column(0)[0] - (churned + 2.0 * prior) / (rows + 2.0)).abs() < 1e-15);
        // Scoring uses all 30 a-rows: 10 churned.
        let scored = encoder.transform(&data.select_rows(&[0])).unwrap();
        assert!((scored.column(0)[0] - (10.0 + 2.0 * prior) / 32.0).abs() < 1e-15);
    }
}
