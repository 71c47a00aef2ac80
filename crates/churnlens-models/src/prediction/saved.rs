//! Churn models saved in a workspace: `models/churn/<name>.json`, written
//! to a temporary file beside it and renamed over it, so a failed write
//! leaves the previous model. A file holds the format version, the
//! algorithm and its parameters, a summary of the training data (rows,
//! positive rate, cutoffs and horizon or the snapshot's label), the fitted
//! encoder and feature names, the evaluation metrics and the fitted model.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use churnlens_core::Lang;
use churnlens_metrics::{MetricsError, Result};
use serde::{Deserialize, Serialize};

use super::encode::Encoder;
use super::features::FeatureKind;
use super::frame::FeatureName;

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Where the training rows came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum TrainingSource {
    /// Point-in-time rows from activity data.
    Activity {
        /// Cutoff days, YYYY-MM-DD, oldest first.
        cutoffs: Vec<String>,
        /// Horizon H in days.
        horizon_days: i32,
        /// Churn window W in days.
        window_days: i32,
        /// Business time zone.
        tz: String,
    },
    /// A snapshot table.
    Snapshot {
        /// The label column.
        label: String,
        /// Columns kept although they looked like identifiers.
        keep: Vec<String>,
        /// Columns left out on request.
        drop: Vec<String>,
    },
}

impl TrainingSource {
    /// The label's horizon in days (activity rows; a snapshot's label has none).
    pub fn horizon_days(&self) -> Option<i32> {
        match self {
            TrainingSource::Activity { horizon_days, .. } => Some(*horizon_days),
            TrainingSource::Snapshot { .. } => None,
        }
    }
}

/// The training data in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Where the rows came from.
    pub data: TrainingSource,
    /// Training rows.
    pub rows: usize,
    /// Share of churned rows.
    pub positive_rate: f64,
}

/// A saved churn model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The file's name without `.json`.
    pub name: String,
    /// logistic, tree, forest, svm or gbdt.
    pub algorithm: String,
    /// The algorithm's settings.
    pub parameters: serde_json::Value,
    /// The training data in brief.
    pub training: TrainingSummary,
    /// The fitted encoder (raw columns → features).
    pub encoder: Encoder,
    /// Evaluation metrics by name (roc_auc, pr_auc, log_loss …).
    pub metrics: BTreeMap<String, f64>,
    /// Decision threshold on the churn probability.
    pub threshold: f64,
    /// Global feature importance, largest first.
    pub importance: Vec<Importance>,
    /// The fitted classifier, as its type serialises.
    pub model: serde_json::Value,
    /// When it was trained (RFC 3339, UTC); absent in files written before it was kept.
    #[serde(default)]
    pub trained_at: Option<String>,
    /// The evaluation's held-out ROC curve and gains, so a report shows
    /// them without refitting; absent in files written before they were kept.
    #[serde(default)]
    pub held_out: Option<HeldOutCurves>,
}

/// Points of a saved ROC curve at most (evenly thinned; enough for a chart).
pub const HELD_OUT_ROC_POINTS: usize = 200;

/// The curves of a model's evaluation on rows it was not fitted on (the
/// last cutoff of a time split, or every fold's held-out rows of k-fold CV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOutCurves {
    /// Held-out rows the curves are computed on.
    pub rows: usize,
    /// Their ROC AUC.
    pub roc_auc: f64,
    /// ROC curve as (false-positive rate, true-positive rate), at most [`HELD_OUT_ROC_POINTS`] points.
    pub roc: Vec<(f64, f64)>,
    /// Cumulative gains and lift by decile (empty with fewer than 10 rows).
    pub gains: Vec<crate::ml::evaluate::Decile>,
}

/// At most `limit` of `points`, evenly spaced, keeping the first and the last.
pub fn thin(points: Vec<(f64, f64)>, limit: usize) -> Vec<(f64, f64)> {
    if points.len() <= limit || limit < 2 {
        return points;
    }
    let last = points.len() - 1;
    (0..limit).map(|k| points[k * last / (limit - 1)]).collect()
}

/// One feature's global importance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Importance {
    /// The feature (English name).
    pub feature: String,
    /// Its Chinese name.
    pub feature_zh: String,
    /// Mean ROC AUC drop when it is shuffled on held-out rows.
    pub auc_drop: f64,
    /// Its share of the split gain (tree models).
    #[serde(default)]
    pub gain_share: Option<f64>,
    /// Warning sign, experience or profile; set from the name on load, so
    /// files saved before kinds existed read the same.
    #[serde(default)]
    pub kind: FeatureKind,
    /// Columns of the same kind that move with it (Spearman's |rho| ≥ 0.7
    /// with it and with each other on the held-out rows), shuffled together
    /// with it, so the entry is the importance of all of them; English names.
    #[serde(default)]
    pub correlated: Vec<String>,
    /// Their Chinese names.
    #[serde(default)]
    pub correlated_zh: Vec<String>,
}

impl Importance {
    /// The feature's name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.feature,
            Lang::Zh => &self.feature_zh,
        }
    }

    /// The columns it moves with, in `lang`.
    pub fn correlated(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::En => &self.correlated,
            Lang::Zh => &self.correlated_zh,
        }
    }

    /// Its name with the columns that share its entry: all of them up to
    /// [`LABEL_MEMBERS`] in all, otherwise the first ones and a count —
    /// "feedback_total + complaints_total", "orders_30d + recency_days + 4
    /// more correlated", "30 天内下单次数 + 距上次购买天数 及另外 4 个相关特征".
    pub fn label(&self, lang: Lang) -> String {
        let others = self.correlated(lang);
        let shown = if others.len() < LABEL_MEMBERS { others.len() } else { LABEL_MEMBERS - 2 };
        let mut label = std::iter::once(self.name(lang)).chain(others[..shown].iter().map(String::as_str)).collect::<Vec<_>>().join(" + ");
        match (others.len() - shown, lang) {
            (0, _) => {}
            (n, Lang::En) => label.push_str(&format!(" + {n} more correlated")),
            (n, Lang::Zh) => label.push_str(&format!(" 及另外 {n} 个相关特征")),
        }
        label
    }
}

/// Columns an [`Importance::label`] names before it counts the rest.
pub const LABEL_MEMBERS: usize = 3;

/// The drivers among `importance` (every feature but the warning signs), in its order.
pub fn drivers(importance: &[Importance]) -> impl Iterator<Item = &Importance> {
    importance.iter().filter(|i| i.kind.is_driver())
}

/// The folder of a workspace's churn models.
pub fn models_dir(workspace_root: &Path) -> PathBuf {
    workspace_root.join("models").join("churn")
}

/// Whether a model name is safe as a file name: letters, digits, `-`, `_`, `.`, not starting with a dot.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn io_error(path: &Path, error: impl std::fmt::Display) -> MetricsError {
    MetricsError::Options(format!("{}: {error}", path.display()))
}

impl SavedModel {
    /// The feature names, in column order.
    pub fn features(&self) -> &[FeatureName] {
        self.encoder.feature_names()
    }

    /// Saves the model as `models/churn/<name>.json`, atomically.
    pub fn save(&self, workspace_root: &Path) -> Result<PathBuf> {
        if !valid_name(&self.name) {
            return Err(MetricsError::Options(format!("model name {:?}: use letters, digits, - _ . / 模型名只能包含字母、数字、- _ .", self.name)));
        }
        let dir = models_dir(workspace_root);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let path = dir.join(format!("{}.json", self.name));
        let text = serde_json::to_string_pretty(self).map_err(|e| io_error(&path, e))?;
        let temporary = dir.join(format!(".{}.json.{}.tmp", self.name, std::process::id()));
        if let Err(e) = std::fs::write(&temporary, text.as_bytes()).and_then(|()| std::fs::rename(&temporary, &path)) {
            let _ = std::fs::remove_file(&temporary);
            return Err(io_error(&path, e));
        }
        Ok(path)
    }

    /// Loads `models/churn/<name>.json`.
    pub fn load(workspace_root: &Path, name: &str) -> Result<SavedModel> {
        let path = models_dir(workspace_root).join(format!("{name}.json"));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MetricsError::Options(format!(
                    "no churn model {name} in this workspace ({}): train one with `churnlens model train` / 工作区中没有流失模型 {name}，请先运行 churnlens model train",
                    path.display()
                )));
            }
            Err(e) => return Err(io_error(&path, e)),
        };
        let mut model: SavedModel = serde_json::from_str(&text).map_err(|e| io_error(&path, e))?;
        for importance in &mut model.importance {
            importance.kind = FeatureKind::of(&importance.feature);
        }
        if model.format_version != FORMAT_VERSION {
            return Err(io_error(&path, format!("format version {} is not {FORMAT_VERSION}", model.format_version)));
        }
        Ok(model)
    }

    /// Every saved model, by name.
    pub fn list(workspace_root: &Path) -> Result<Vec<SavedModel>> {
        let dir = models_dir(workspace_root);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&dir, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).map(str::to_owned))
            .filter(|n| valid_name(n))
            .collect();
        names.sort();
        names.iter().map(|n| SavedModel::load(workspace_root, n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::encode::EncoderParams;
    use crate::prediction::frame::{RawColumn, RawFrame, RawValues};

    #[test]
    fn saves_atomically_and_lists_back() {
        let frame = RawFrame {
            ids: vec!["a".into(), "b".into()],
            labels: vec![true, false],
            columns: vec![RawColumn { name: FeatureName::new("x", "x"), values: RawValues::Numeric(vec![1.0, f64::NAN]) }],
            ..RawFrame::default()
        };
        let (encoder, _) = EncoderParams::default().fit(&frame).unwrap();
        let model = SavedModel {
            held_out: None,
            format_version: FORMAT_VERSION,
            name: "gbdt".into(),
            algorithm: "gbdt".into(),
            parameters: serde_json::json!({"trees": 3}),
            training: TrainingSummary {
                data: TrainingSource::Snapshot { label: "churn".into(), keep: Vec::new(), drop: Vec::new() },
                rows: 2,
                positive_rate: 0.5,
            },
            encoder,
            metrics: BTreeMap::from([("roc_auc".to_string(), 0.75)]),
            threshold: 0.5,
            importance: vec![
                Importance {
                    feature: "x".into(),
                    feature_zh: "x".into(),
                    auc_drop: 0.1,
                    gain_share: Some(1.0),
                    kind: FeatureKind::Profile,
                    correlated: Vec::new(),
                    correlated_zh: Vec::new(),
                },
                Importance {
                    feature: "recency_days".into(),
                    feature_zh: "距上次购买天数".into(),
                    auc_drop: 0.05,
                    gain_share: None,
                    kind: FeatureKind::WarningSign,
                    correlated: vec!["orders_30d".into()],
                    correlated_zh: vec!["30 天内下单次数".into()],
                },
            ],
            model: serde_json::json!({"weights": [1.0]}),
            trained_at: Some("2026-11-26T10:00:00Z".into()),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = model.save(dir.path()).unwrap();
        assert!(path.ends_with("models/churn/gbdt.json"));
        assert_eq!(SavedModel::load(dir.path(), "gbdt").unwrap(), model);
        assert_eq!(SavedModel::list(dir.path()).unwrap(), vec![model.clone()]);
        // A file saved before features had kinds gets them from the names.
        let mut old: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for importance in old["importance"].as_array_mut().unwrap() {
            importance.as_object_mut().unwrap().remove("kind");
        }
        std::fs::write(&path, old.to_string()).unwrap();
        let kinds: Vec<FeatureKind> = SavedModel::load(dir.path(), "gbdt").unwrap().importance.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [FeatureKind::Profile, FeatureKind::WarningSign]);
        model.save(dir.path()).unwrap();
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(models_dir(dir.path())).unwrap().count(), 1);
        assert!(SavedModel::load(dir.path(), "other").unwrap_err().to_string().contains("no churn model other"));
        let bad = SavedModel { name: "../escape".into(), ..model };
        assert!(bad.save(dir.path()).is_err());
    }

    #[test]
    fn thinning_keeps_both_ends_and_the_order() {
        let points: Vec<(f64, f64)> = (0..=1000).map(|i| (f64::from(i) / 1000.0, f64::from(i) / 1000.0)).collect();
        let thinned = thin(points.clone(), 11);
        assert_eq!(thinned.len(), 11);
        assert_eq!(thinned[0], (0.0, 0.0));
        assert_eq!(thinned[10], (1.0, 1.0));
        // Evenly spaced: every 100th point.
        assert_eq!(thinned[3], points[300]);
        assert_eq!(thin(points[..5].to_vec(), 11).len(), 5);
    }

    #[test]
    fn labels_name_correlated_columns_then_count_them() {
        let entry = |others: &[&str]| Importance {
            feature: "orders_30d".into(),
            feature_zh: "30 天内下单次数".into(),
            auc_drop: 0.1,
            gain_share: None,
            kind: FeatureKind::WarningSign,
            correlated: others.iter().map(|s| s.to_string()).collect(),
            correlated_zh: others.iter().map(|s| format!("{s}（中）")).collect(),
        };
        assert_eq!(entry(&[]).label(Lang::En), "orders_30d");
        assert_eq!(entry(&["a", "b"]).label(Lang::En), "orders_30d + a + b");
        assert_eq!(entry(&["a", "b", "c"]).label(Lang::En), "orders_30d + a + 2 more correlated");
        assert_eq!(entry(&["a"]).label(Lang::Zh), "30 天内下单次数 + a（中）");
        assert_eq!(entry(&["a", "b", "c", "d"]).label(Lang::Zh), "30 天内下单次数 + a（中） 及另外 3 个相关特征");
    }
}
