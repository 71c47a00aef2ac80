//! Training, comparing and scoring churn classifiers on prediction rows:
//! the orchestration `churnlens model`, the report and the dashboard share.
//!
//! * Each algorithm gets its own encoder, fitted on its training rows only:
//!   missing numbers imputed with an indicator for logistic regression and
//!   the SVM, kept for the trees (which route them).
//! * **Activity rows**: trained on the earlier cutoffs, measured on the
//!   last one ([`super::split::time_split`]), with the recency-only
//!   baseline on the same rows and each model's margin over it.
//! * **Snapshot rows**: stratified k-fold cross-validation; the metrics are
//!   the means over folds (the figure usually quoted as "k-fold CV AUC"),
//!   with the standard deviation of the fold AUCs.
//! * The SVM is fitted on at most [`SVM_MAX_TRAINING_ROWS`] rows (a
//!   stratified subsample): its solver is quadratic in the rows or worse,
//!   and a comparison of every family should not wait minutes for one of
//!   them. Each result states the rows its model was fitted on.
//! * Decisions at [`DECISION_THRESHOLD`]; ROC points, gains, lift and
//!   calibration of the chosen model on the held-out probabilities; with
//!   campaign economics, the threshold of the highest expected profit.
//! * Global importance per raw column: the ROC AUC drop when it is
//!   shuffled on held-out rows (permutation importance, every family; the
//!   one-hot levels of a category shuffled together, and numeric columns of
//!   one kind that rank-correlate at |rho| ≥ 0.7 shuffled together as one
//!   entry), and its share of the split gain for tree models.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use churnlens_core::Lang;
use churnlens_metrics::{MetricsError, Result};
use serde::{Deserialize, Serialize};

use super::encode::{Encoder, EncoderParams, MissingValues};
use super::features::FeatureKind;
use super::frame::{RawFrame, RawValues};
use super::reasons::{Reason, Tier, TierThresholds, top_reasons, top_reasons_among};
use super::saved::{FORMAT_VERSION, HELD_OUT_ROC_POINTS, HeldOutCurves, Importance, SavedModel, TrainingSource, TrainingSummary, thin};
use super::split::{recency_baseline_auc, time_split};
use crate::ml::MlError;
use crate::ml::classify::{
    Classifier, DecisionTree, DecisionTreeParams, FeatureImportance, FeatureTable, Gbdt, GbdtParams, LogisticParams, LogisticRegression, RandomForest,
    RandomForestParams, Svm, SvmParams, TrainingSet, TreeSum,
};
use crate::ml::evaluate::{
    BinaryMetrics, CalibrationBin, CampaignEconomics, Decile, ProfitThreshold, average_precision, calibration_curve, cross_validate, gains_by_decile,
    grouped_permutation_importance, profit_threshold, stratified_folds,
};
use crate::ml::linkage::complete_linkage_groups;
use crate::ml::spearman::spearman_matrix;

/// The threshold of accuracy, precision, recall and F1.
pub const DECISION_THRESHOLD: f64 = 0.5;

/// The most rows an SVM is fitted on; larger training sets are subsampled
/// (stratified, seeded). 2,000 rows keep a 5-fold Telco comparison within
/// seconds per fit in the test profile (the solver has no shrinking yet).
pub const SVM_MAX_TRAINING_ROWS: usize = 2_000;

/// Bins of the calibration curve.
const CALIBRATION_BINS: usize = 10;

/// Shuffles per feature of the permutation importance.
const PERMUTATION_REPEATS: usize = 3;

fn ml(error: MlError) -> MetricsError {
    MetricsError::Options(error.to_string())
}

/// A classifier family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// L2-penalised logistic regression on standardised features.
    Logistic,
    /// One depth-limited decision tree.
    Tree,
    /// A random forest.
    Forest,
    /// An SVM with an RBF kernel and Platt-scaled probabilities.
    Svm,
    /// Gradient-boosted trees (the default).
    Gbdt,
}

impl Algorithm {
    /// Every family, in the order of the comparison table.
    pub const ALL: [Algorithm; 5] = [Algorithm::Logistic, Algorithm::Tree, Algorithm::Forest, Algorithm::Svm, Algorithm::Gbdt];

    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Logistic => "logistic",
            Algorithm::Tree => "tree",
            Algorithm::Forest => "forest",
            Algorithm::Svm => "svm",
            Algorithm::Gbdt => "gbdt",
        }
    }

    /// Whether the family needs complete features (missing values imputed).
    fn needs_complete_features(self) -> bool {
        matches!(self, Algorithm::Logistic | Algorithm::Svm)
    }

    /// The settings a fit uses, as saved with the model.
    pub fn parameters(self, seed: u64) -> serde_json::Value {
        let value = match self {
            Algorithm::Logistic => serde_json::to_value(LogisticParams::default()),
            Algorithm::Tree => serde_json::to_value(DecisionTreeParams::default()),
            Algorithm::Forest => serde_json::to_value(RandomForestParams::default().seed(seed)),
            Algorithm::Svm => serde_json::to_value(SvmParams::default().seed(seed)),
            Algorithm::Gbdt => serde_json::to_value(GbdtParams::default().seed(seed)),
        };
        value.unwrap_or(serde_json::Value::Null)
    }
}

impl FromStr for Algorithm {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Algorithm::ALL.into_iter().find(|a| a.name() == s.trim().to_lowercase()).ok_or_else(|| {
            let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
            format!("unknown algorithm {s}: use {} or all / 未知算法 {s}：可用 {} 或 all", names.join(", "), names.join("、"))
        })
    }
}

/// A fitted classifier of any family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", content = "fitted", rename_all = "snake_case")]
pub enum FittedModel {
    /// Logistic regression.
    Logistic(LogisticRegression),
    /// A decision tree.
    Tree(DecisionTree),
    /// A random forest.
    Forest(RandomForest),
    /// An SVM.
    Svm(Svm),
    /// Gradient-boosted trees.
    Gbdt(Gbdt),
}

/// The rows an SVM is fitted on: all of them up to
/// [`SVM_MAX_TRAINING_ROWS`], else one fold of a stratified split into
/// just enough folds (so the churn rate is kept).
fn svm_rows(labels: &[bool], seed: u64) -> Option<Vec<usize>> {
    let n = labels.len();
    if n <= SVM_MAX_TRAINING_ROWS {
        return None;
    }
    let folds = stratified_folds(labels, n.div_ceil(SVM_MAX_TRAINING_ROWS), seed);
    // Folds differ by at most a row per class, so the cap may need the last one or two dropped.
    Some((0..n).filter(|&i| folds[i] == 0).take(SVM_MAX_TRAINING_ROWS).collect())
}

/// Rows the model of `algorithm` is fitted on out of training rows with
/// these labels.
fn fitted_rows(algorithm: Algorithm, labels: &[bool], seed: u64) -> usize {
    match algorithm {
        Algorithm::Svm => svm_rows(labels, seed).map_or(labels.len(), |rows| rows.len()),
        _ => labels.len(),
    }
}

impl FittedModel {
    /// Fits `algorithm` with its documented defaults (and `seed`).
    pub fn fit(algorithm: Algorithm, set: &TrainingSet, seed: u64) -> std::result::Result<FittedModel, MlError> {
        Ok(match algorithm {
            Algorithm::Logistic => FittedModel::Logistic(LogisticParams::default().fit(set)?),
            Algorithm::Tree => FittedModel::Tree(DecisionTreeParams::default().fit(set)?),
            Algorithm::Forest => FittedModel::Forest(RandomForestParams::default().seed(seed).fit(set)?),
            Algorithm::Svm => {
                let params = SvmParams::default().seed(seed);
                FittedModel::Svm(match svm_rows(&set.labels, seed) {
                    Some(rows) => params.fit(&set.select_rows(&rows))?,
                    None => params.fit(set)?,
                })
            }
            Algorithm::Gbdt => FittedModel::Gbdt(GbdtParams::default().seed(seed).fit(set)?),
        })
    }

    /// Its family.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            FittedModel::Logistic(_) => Algorithm::Logistic,
            FittedModel::Tree(_) => Algorithm::Tree,
            FittedModel::Forest(_) => Algorithm::Forest,
            FittedModel::Svm(_) => Algorithm::Svm,
            FittedModel::Gbdt(_) => Algorithm::Gbdt,
        }
    }

    /// Per row, per feature: why the row scores as it does — exact TreeSHAP
    /// values for tree models (of the log-odds for boosting, of the
    /// probability for a tree or forest), coefficient × distance from the
    /// training mean for logistic regression. `None` for the SVM, whose RBF
    /// kernel has no per-feature decomposition.
    pub fn contributions(&self, features: &FeatureTable) -> Option<Vec<Vec<f64>>> {
        match self {
            FittedModel::Logistic(m) => Some(m.contributions(features)),
            FittedModel::Tree(m) => Some(m.shap_values(features).values),
            FittedModel::Forest(m) => Some(m.shap_values(features).values),
            FittedModel::Svm(_) => None,
            FittedModel::Gbdt(m) => Some(m.shap_values(features).values),
        }
    }

    /// The split-gain importance of tree models.
    pub fn gain_importance(&self) -> Option<FeatureImportance> {
        match self {
            FittedModel::Tree(m) => Some(m.feature_importance()),
            FittedModel::Forest(m) => Some(m.feature_importance()),
            FittedModel::Gbdt(m) => Some(m.feature_importance()),
            FittedModel::Logistic(_) | FittedModel::Svm(_) => None,
        }
    }
}

impl Classifier for FittedModel {
    fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
        match self {
            FittedModel::Logistic(m) => m.predict_proba(features),
            FittedModel::Tree(m) => m.predict_proba(features),
            FittedModel::Forest(m) => m.predict_proba(features),
            FittedModel::Svm(m) => m.predict_proba(features),
            FittedModel::Gbdt(m) => m.predict_proba(features),
        }
    }

    fn tree_sum(&self) -> Option<TreeSum<'_>> {
        match self {
            FittedModel::Logistic(_) | FittedModel::Svm(_) => None,
            FittedModel::Tree(m) => m.tree_sum(),
            FittedModel::Forest(m) => m.tree_sum(),
            FittedModel::Gbdt(m) => m.tree_sum(),
        }
    }
}

/// How to train and evaluate.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Encoder settings; the missing-value rule is set per algorithm.
    pub encoder: EncoderParams,
    /// Folds of the snapshot cross-validation.
    pub folds: usize,
    /// Seed of folds, bootstraps and shuffles.
    pub seed: u64,
    /// Campaign economics for the profit threshold, if given.
    pub economics: Option<CampaignEconomics>,
    /// Each customer's own value saved (their CLV, say) by id; customers
    /// without one count with `economics.value_saved`.
    pub customer_values: Option<HashMap<String, f64>>,
    /// Language of messages.
    pub lang: Lang,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { encoder: EncoderParams::default(), folds: 5, seed: 42, economics: None, customer_values: None, lang: Lang::En }
    }
}

impl TrainOptions {
    fn encoder_for(&self, algorithm: Algorithm) -> EncoderParams {
        let missing = if algorithm.needs_complete_features() { MissingValues::Impute } else { MissingValues::Keep };
        EncoderParams { missing, ..self.encoder }
    }
}

/// One algorithm's held-out result: a row of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelResult {
    /// The family.
    pub algorithm: Algorithm,
    /// Metrics on the test rows (activity) or the mean over folds (snapshot).
    pub metrics: BinaryMetrics,
    /// Standard deviation of the ROC AUC over folds (snapshot).
    pub roc_auc_std: Option<f64>,
    /// ROC AUC minus the recency baseline's (activity rows).
    pub margin_over_baseline: Option<f64>,
    /// Rows the model was fitted on (k-fold: in the first fold); fewer than
    /// the training rows for a subsampled SVM.
    pub fitted_rows: usize,
    /// Held-out labels and probabilities (the test rows, or out-of-fold).
    #[serde(skip)]
    pub held_out: (Vec<bool>, Vec<f64>),
    /// The customer of each held-out row.
    #[serde(skip)]
    pub held_out_ids: Vec<String>,
}

/// The recency-only baseline on the test rows: customers ranked by days
/// since their last purchase. It gives a ranking, not probabilities, so
/// only the ranking metrics exist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// ROC AUC of recency alone.
    pub roc_auc: f64,
    /// Average precision of recency alone.
    pub pr_auc: Option<f64>,
}

/// The comparison of several algorithms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// `time split` (activity) or `k-fold` (snapshot).
    pub method: String,
    /// Training rows (all rows for k-fold).
    pub train_rows: usize,
    /// Held-out rows (all rows, out-of-fold, for k-fold).
    pub test_rows: usize,
    /// The recency-only baseline on the test rows (activity).
    pub baseline: Option<Baseline>,
    /// One result per algorithm, in the order asked.
    pub results: Vec<ModelResult>,
}

impl Evaluation {
    /// The result of `algorithm`, if it was compared.
    pub fn result(&self, algorithm: Algorithm) -> Option<&ModelResult> {
        self.results.iter().find(|r| r.algorithm == algorithm)
    }
}

/// Compares `algorithms` on `frame` (labelled).
pub fn evaluate(frame: &RawFrame, algorithms: &[Algorithm], options: &TrainOptions) -> Result<Evaluation> {
    Ok(evaluate_keeping(frame, algorithms, options)?.0)
}

/// [`evaluate`], also returning the models of a time split (fitted on the
/// earlier cutoffs), which the importance of the chosen one reuses.
fn evaluate_keeping(frame: &RawFrame, algorithms: &[Algorithm], options: &TrainOptions) -> Result<(Evaluation, Vec<(FittedModel, Encoder)>)> {
    if frame.cutoffs.is_empty() {
        let mut results = Vec::new();
        for &algorithm in algorithms {
            let (_, features) = options.encoder_for(algorithm).fit(frame)?;
            let set = TrainingSet::new(features, frame.labels.clone()).map_err(ml)?;
            let cv = cross_validate(&set, options.folds, options.seed, DECISION_THRESHOLD, |s| FittedModel::fit(algorithm, s, options.seed)).map_err(ml)?;
            let aucs: Vec<f64> = cv.per_fold.iter().map(|m| m.roc_auc).collect();
            let mean = aucs.iter().sum::<f64>() / aucs.len() as f64;
            // Sample standard deviation over folds, as the mean ± sd usually quoted.
            let std = (aucs.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (aucs.len() as f64 - 1.0)).sqrt();
            // The first fold's training rows, as cross_validate draws them.
            let folds = stratified_folds(&frame.labels, options.folds, options.seed);
            let first_training: Vec<bool> = (0..frame.n_rows()).filter(|&i| folds[i] != 0).map(|i| frame.labels[i]).collect();
            results.push(ModelResult {
                algorithm,
                metrics: cv.mean,
                roc_auc_std: Some(std),
                margin_over_baseline: None,
                fitted_rows: fitted_rows(algorithm, &first_training, options.seed),
                held_out: (frame.labels.clone(), cv.out_of_fold),
                held_out_ids: frame.ids.clone(),
            });
        }
        let evaluation =
            Evaluation { method: format!("{}-fold", options.folds), train_rows: frame.n_rows(), test_rows: frame.n_rows(), baseline: None, results };
        return Ok((evaluation, Vec::new()));
    }
    let (train, test) = time_split(frame, options.lang)?;
    let (train_frame, test_frame) = (frame.select_rows(&train), frame.select_rows(&test));
    let baseline = recency_baseline_auc(frame, &test).map(|roc_auc| Baseline { roc_auc, pr_auc: recency_average_precision(&test_frame) });
    let mut results = Vec::new();
    let mut models = Vec::new();
    for &algorithm in algorithms {
        let (model, encoder) = fit_on(&train_frame, algorithm, options)?;
        let probabilities = model.predict_proba(&encoder.transform(&test_frame)?);
        let metrics = BinaryMetrics::measure(&test_frame.labels, &probabilities, DECISION_THRESHOLD).map_err(ml)?;
        let margin_over_baseline = baseline.as_ref().map(|b| metrics.roc_auc - b.roc_auc);
        results.push(ModelResult {
            algorithm,
            metrics,
            roc_auc_std: None,
            margin_over_baseline,
            fitted_rows: fitted_rows(algorithm, &train_frame.labels, options.seed),
            held_out: (test_frame.labels.clone(), probabilities),
            held_out_ids: test_frame.ids.clone(),
        });
        models.push((model, encoder));
    }
    Ok((Evaluation { method: "time split".into(), train_rows: train.len(), test_rows: test.len(), baseline, results }, models))
}

fn recency_average_precision(test: &RawFrame) -> Option<f64> {
    let RawValues::Numeric(recency) = &test.column("recency_days")?.values else { return None };
    average_precision(&test.labels, recency)
}

/// Fits `algorithm` and its encoder on every row of `frame`.
pub fn fit_on(frame: &RawFrame, algorithm: Algorithm, options: &TrainOptions) -> Result<(FittedModel, Encoder)> {
    let (encoder, features) = options.encoder_for(algorithm).fit(frame)?;
    let set = TrainingSet::new(features, frame.labels.clone()).map_err(ml)?;
    let model = FittedModel::fit(algorithm, &set, options.seed).map_err(ml)?;
    Ok((model, encoder))
}

/// Global importance of `model` measured on labelled held-out rows, one
/// entry per raw column (its one-hot levels, or its value and missing
/// indicator, shuffled together — the importance of "region", not of one
/// region) or per group of correlated numeric columns of one kind
/// ([`correlated_columns`]): permutation importance (ROC AUC drop) and, for
/// tree models, the entry's share of the split gain; largest AUC drop first.
pub fn global_importance(model: &FittedModel, encoder: &Encoder, held_out: &RawFrame, seed: u64) -> Result<Vec<Importance>> {
    let set = TrainingSet::new(encoder.transform(held_out)?, held_out.labels.clone()).map_err(ml)?;
    let mut sources: Vec<&str> = Vec::new();
    let mut encoded: Vec<Vec<usize>> = Vec::new();
    for j in 0..encoder.feature_names().len() {
        let source = encoder.source_of(j);
        match sources.iter().position(|&s| s == source) {
            Some(g) => encoded[g].push(j),
            None => {
                sources.push(source);
                encoded.push(vec![j]);
            }
        }
    }
    let members = correlated_columns(held_out, &sources);
    let groups: Vec<Vec<usize>> = members.iter().map(|m| m.iter().flat_map(|&s| encoded[s].iter().copied()).collect()).collect();
    let names: Vec<String> = members.iter().map(|m| sources[m[0]].to_string()).collect();
    let drops = grouped_permutation_importance(model, &set, &groups, &names, PERMUTATION_REPEATS, seed).map_err(ml)?;
    let gains = model.gain_importance().map(|g| g.gain_shares());
    let zh = |source: &str| held_out.column(source).map_or_else(|| source.to_string(), |c| c.name.zh.clone());
    let mut out: Vec<Importance> = drops
        .into_iter()
        .zip(&groups)
        .zip(&members)
        .map(|((d, group), members)| {
            let lead = sources[members[0]];
            let others: Vec<&str> = members[1..].iter().map(|&m| sources[m]).collect();
            Importance {
                feature: lead.to_string(),
                feature_zh: zh(lead),
                auc_drop: d.mean_drop,
                gain_share: gains.as_ref().map(|g| group.iter().map(|&j| g[j]).sum()),
                kind: FeatureKind::of(lead),
                correlated: others.iter().map(|s| s.to_string()).collect(),
                correlated_zh: others.iter().map(|s| zh(s)).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.auc_drop.total_cmp(&a.auc_drop).then_with(|| a.feature.cmp(&b.feature)));
    Ok(out)
}

/// Columns at least this rank-correlated (Spearman's |rho|) with every
/// other member of their group share one importance entry. 0.7 is the
/// usual line for a strong correlation; at it, "orders in the last 30
/// days" and "days since the last purchase" are one signal, while late
/// deliveries and the complaints they cause (|rho| ≈ 0.6 on the demo)
/// stay two.
pub const CORRELATED_RHO: f64 = 0.7;

/// Groups of `sources` (indices into it) whose numeric columns in `rows`
/// move together: complete linkage on 1 − |Spearman's rho| cut at
/// 1 − [`CORRELATED_RHO`], within one [`FeatureKind`] (a warning sign never
/// shares an entry with a driver); categorical columns stand alone. Each
/// group starts with its lead, the member most correlated with the others
/// (mean |rho|; the earlier column on a tie), then the rest in column order.
///
/// Why: permutation importance shuffles one column at a time, so columns
/// that carry the same signal split its importance between them (the
/// model reads the signal from the unshuffled partner) and fill the top of
/// the list with one signal under several names; shuffling them together
/// measures the signal once (scikit-learn's user guide, "Permutation
/// importance with multicollinear or correlated features", clusters on
/// Spearman's rho for the same reason).
pub fn correlated_columns(rows: &RawFrame, sources: &[&str]) -> Vec<Vec<usize>> {
    let numeric: Vec<(usize, &[f64])> = sources
        .iter()
        .enumerate()
        .filter_map(|(s, name)| match &rows.column(name)?.values {
            RawValues::Numeric(values) => Some((s, values.as_slice())),
            RawValues::Categorical(_) => None,
        })
        .collect();
    let p = numeric.len();
    let rho = spearman_matrix(&numeric.iter().map(|(_, v)| *v).collect::<Vec<_>>());
    let kinds: Vec<usize> = numeric.iter().map(|(s, _)| FeatureKind::of(sources[*s]) as usize).collect();
    let distance: Vec<f64> = rho.iter().map(|r| 1.0 - r.abs()).collect();
    let mut by_lead: HashMap<usize, Vec<usize>> = HashMap::new();
    for group in complete_linkage_groups(&distance, &kinds, 1.0 - CORRELATED_RHO) {
        let closeness = |a: usize| group.iter().filter(|&&b| b != a).map(|&b| rho[a * p + b].abs()).sum::<f64>();
        let lead = group.iter().copied().fold(group[0], |best, a| if closeness(a) > closeness(best) { a } else { best });
        let ordered: Vec<usize> = std::iter::once(lead).chain(group.iter().copied().filter(|&a| a != lead)).map(|a| numeric[a].0).collect();
        by_lead.insert(ordered[0], ordered);
    }
    // In column order of the leads; a categorical column stands alone, and
    // a numeric column that is not a lead is in its lead's group.
    let is_numeric = |s: usize| numeric.iter().any(|(n, _)| *n == s);
    (0..sources.len()).filter_map(|s| by_lead.remove(&s).or_else(|| (!is_numeric(s)).then(|| vec![s]))).collect()
}

/// The held-out rows importance is measured on, with the model fitted
/// without them: the last cutoff and a model of the earlier ones
/// (activity), or the first of the stratified folds and a model of the
/// others (snapshot).
fn importance_split(frame: &RawFrame, options: &TrainOptions) -> Result<(Vec<usize>, Vec<usize>)> {
    if !frame.cutoffs.is_empty() {
        return time_split(frame, options.lang);
    }
    let folds = stratified_folds(&frame.labels, options.folds.max(2), options.seed);
    Ok((0..frame.n_rows()).partition(|&i| folds[i] != 0))
}

/// One point of a ROC curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RocPoint {
    /// Scores at or above it are called churn.
    pub threshold: f64,
    /// False-positive rate.
    pub false_positive_rate: f64,
    /// True-positive rate (recall).
    pub true_positive_rate: f64,
}

/// The ROC curve: one point per distinct score, highest first, from (0, 0)
/// (threshold +∞) to (1, 1). Empty when a class is absent.
pub fn roc_points(labels: &[bool], scores: &[f64]) -> Vec<RocPoint> {
    let positives = labels.iter().filter(|&&y| y).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points = vec![RocPoint { threshold: f64::INFINITY, false_positive_rate: 0.0, true_positive_rate: 0.0 }];
    let (mut tp, mut fp) = (0.0, 0.0);
    for (k, &i) in order.iter().enumerate() {
        if labels[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        // Tied scores are one threshold: one point after the last of them.
        if order.get(k + 1).is_none_or(|&next| scores[next] != scores[i]) {
            points.push(RocPoint { threshold: scores[i], false_positive_rate: fp / negatives, true_positive_rate: tp / positives });
        }
    }
    points
}

/// The chosen model's profit-maximising threshold and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfitChoice {
    /// The threshold, contacts, churners reached and expected profit.
    pub threshold: f64,
    /// Customers contacted at it (held-out rows).
    pub contacted: usize,
    /// Churners among them.
    pub churners_reached: usize,
    /// Expected profit on the held-out rows.
    pub profit: f64,
    /// Cost per contact used.
    pub offer_cost: f64,
    /// Where the value saved per churner came from, in words.
    pub value_source: String,
}

impl ProfitChoice {
    fn new(p: ProfitThreshold, economics: &CampaignEconomics, value_source: &str) -> ProfitChoice {
        ProfitChoice {
            threshold: p.threshold,
            contacted: p.contacted,
            churners_reached: p.churners_reached,
            profit: p.profit,
            offer_cost: economics.cost_per_contact,
            value_source: value_source.to_string(),
        }
    }
}

/// Everything an evaluation shows, serialisable for the CLI's JSON, the
/// report and the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationReport {
    /// The comparison of every requested family (and the baseline).
    pub evaluation: Evaluation,
    /// The family the diagnostics below are of.
    pub chosen: Algorithm,
    /// The chosen model's ROC curve on the held-out rows.
    pub roc_curve: Vec<RocPoint>,
    /// Its cumulative gains and lift by decile (None with fewer than 10 rows).
    pub gains: Option<Vec<Decile>>,
    /// Its calibration curve.
    pub calibration: Vec<CalibrationBin>,
    /// Its profit-maximising threshold, when economics were given.
    pub profit: Option<ProfitChoice>,
    /// Its global importance on held-out rows, largest first.
    pub importance: Vec<Importance>,
}

/// Compares `algorithms` and adds the diagnostics of `chosen` (which must
/// be one of them): ROC points, gains, calibration, the profit threshold
/// (with `options.economics`; `value_source` says where its value saved
/// came from) and global importance.
pub fn evaluation_report(
    frame: &RawFrame,
    algorithms: &[Algorithm],
    chosen: Algorithm,
    options: &TrainOptions,
    value_source: &str,
) -> Result<EvaluationReport> {
    let (evaluation, mut models) = evaluate_keeping(frame, algorithms, options)?;
    let result = evaluation.result(chosen).ok_or_else(|| MetricsError::Options(format!("{} was not evaluated", chosen.name())))?;
    let (labels, probabilities) = &result.held_out;
    let profit = match &options.economics {
        Some(economics) => {
            let mut economics = economics.clone();
            if let Some(values) = &options.customer_values {
                economics.customer_values = Some(result.held_out_ids.iter().map(|id| values.get(id).copied().unwrap_or(economics.value_saved)).collect());
            }
            Some(ProfitChoice::new(profit_threshold(labels, probabilities, &economics).map_err(ml)?, &economics, value_source))
        }
        None => None,
    };
    let (train, test) = importance_split(frame, options)?;
    let (model, encoder) = match algorithms.iter().position(|&a| a == chosen).filter(|&i| i < models.len()) {
        Some(i) => models.swap_remove(i),
        None => fit_on(&frame.select_rows(&train), chosen, options)?,
    };
    let importance = global_importance(&model, &encoder, &frame.select_rows(&test), options.seed)?;
    Ok(EvaluationReport {
        chosen,
        roc_curve: roc_points(labels, probabilities),
        gains: gains_by_decile(labels, probabilities),
        calibration: calibration_curve(labels, probabilities, CALIBRATION_BINS),
        profit,
        importance,
        evaluation,
    })
}

/// Evaluates `algorithm` as [`evaluation_report`] does, fits it on every
/// row and returns the model to save (named `name`, trained at `trained_at`)
/// with the report. The saved threshold is the profit-maximising one when
/// economics were given, else [`DECISION_THRESHOLD`].
pub fn train(
    frame: &RawFrame,
    algorithm: Algorithm,
    source: TrainingSource,
    name: &str,
    trained_at: &str,
    options: &TrainOptions,
    value_source: &str,
) -> Result<(SavedModel, EvaluationReport)> {
    let report = evaluation_report(frame, &[algorithm], algorithm, options, value_source)?;
    let (model, encoder) = fit_on(frame, algorithm, options)?;
    let result = &report.evaluation.results[0];
    let m = &result.metrics;
    let mut metrics = BTreeMap::from([
        ("roc_auc".to_string(), m.roc_auc),
        ("pr_auc".to_string(), m.pr_auc),
        ("log_loss".to_string(), m.log_loss),
        ("brier".to_string(), m.brier),
        ("accuracy".to_string(), m.accuracy),
        ("precision".to_string(), m.precision),
        ("recall".to_string(), m.recall),
        ("f1".to_string(), m.f1),
    ]);
    if let Some(b) = &report.evaluation.baseline {
        metrics.insert("recency_baseline_roc_auc".into(), b.roc_auc);
    }
    if let Some(std) = result.roc_auc_std {
        metrics.insert("roc_auc_std".into(), std);
    }
    let saved = SavedModel {
        format_version: FORMAT_VERSION,
        name: name.to_string(),
        algorithm: algorithm.name().to_string(),
        parameters: algorithm.parameters(options.seed),
        training: TrainingSummary { data: source, rows: frame.n_rows(), positive_rate: frame.positive_rate() },
        encoder,
        metrics,
        threshold: report.profit.as_ref().map_or(DECISION_THRESHOLD, |p| p.threshold),
        importance: report.importance.clone(),
        model: serde_json::to_value(&model).map_err(|e| MetricsError::Options(e.to_string()))?,
        trained_at: Some(trained_at.to_string()),
        held_out: Some(HeldOutCurves {
            rows: result.held_out.0.len(),
            // Of the pooled held-out predictions: with k-fold CV this is not the folds' mean AUC.
            roc_auc: crate::ml::evaluate::roc_auc(&result.held_out.0, &result.held_out.1).unwrap_or(f64::NAN),
            roc: thin(report.roc_curve.iter().map(|p| (p.false_positive_rate, p.true_positive_rate)).collect(), HELD_OUT_ROC_POINTS),
            gains: report.gains.clone().unwrap_or_default(),
        }),
    };
    Ok((saved, report))
}

/// One scored customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// Customer id.
    pub customer_id: String,
    /// P(churn within the horizon).
    pub probability: f64,
    /// Its tier.
    pub tier: Tier,
    /// The top reasons toward churn (none for an SVM).
    pub reasons: Vec<Reason>,
    /// The top reasons among the drivers (every feature but the warning
    /// signs, [`super::features`]): what a save campaign can act on.
    pub drivers: Vec<Reason>,
}

/// The fitted classifier inside a saved model.
pub fn fitted_model(saved: &SavedModel) -> Result<FittedModel> {
    serde_json::from_value(saved.model.clone()).map_err(|e| MetricsError::Options(format!("model {}: {e}", saved.name)))
}

/// Applies a saved model to unlabelled rows: probability, tier, the top
/// `reasons` and the top `reasons` among the drivers per row, most at risk
/// first.
pub fn score(saved: &SavedModel, frame: &RawFrame, tiers: &TierThresholds, reasons: usize, lang: Lang) -> Result<Vec<Scored>> {
    let model = fitted_model(saved)?;
    let features = saved.encoder.transform(frame)?;
    let probabilities = model.predict_proba(&features);
    let contributions = model.contributions(&features);
    let names = saved.encoder.feature_names();
    // Reasons describe the values as the data has them, before imputation.
    let raw_values = saved.encoder.transform_unimputed(frame)?;
    let is_driver: Vec<bool> = (0..names.len()).map(|j| FeatureKind::of(saved.encoder.source_of(j)).is_driver()).collect();
    let mut out: Vec<Scored> = (0..frame.n_rows())
        .map(|i| Scored {
            customer_id: frame.ids[i].clone(),
            probability: probabilities[i],
            tier: tiers.tier(probabilities[i]),
            reasons: contributions.as_ref().map_or_else(Vec::new, |c| top_reasons(names, &raw_values.row(i), &c[i], reasons, lang)),
            drivers: contributions.as_ref().map_or_else(Vec::new, |c| top_reasons_among(names, &raw_values.row(i), &c[i], reasons, lang, |j| is_driver[j])),
        })
        .collect();
    out.sort_by(|a, b| b.probability.total_cmp(&a.probability).then_with(|| a.customer_id.cmp(&b.customer_id)));
    Ok(out)
}

/// One feature's part in one customer's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The feature (English name).
    pub feature: String,
    /// Its value as the data has it (NaN: unknown).
    pub value: f64,
    /// Its contribution: TreeSHAP value or coefficient × (value − mean).
    pub contribution: f64,
    /// The value as a sentence.
    pub text: String,
}

/// One customer explained by a saved model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerExplanation {
    /// Customer id.
    pub customer_id: String,
    /// P(churn within the horizon).
    pub probability: f64,
    /// Every feature's contribution, largest in size first (empty for an SVM).
    pub contributions: Vec<Contribution>,
}

/// The contributions of customer `id` (a row of `frame`), or `None` when
/// the frame has no such customer.
pub fn explain_customer(saved: &SavedModel, frame: &RawFrame, id: &str, lang: Lang) -> Result<Option<CustomerExplanation>> {
    let Some(row) = frame.ids.iter().position(|x| x == id) else { return Ok(None) };
    let one = frame.select_rows(&[row]);
    let model = fitted_model(saved)?;
    let features = saved.encoder.transform(&one)?;
    let probability = model.predict_proba(&features)[0];
    let raw = saved.encoder.transform_unimputed(&one)?.row(0);
    let names = saved.encoder.feature_names();
    let mut contributions: Vec<Contribution> = model
        .contributions(&features)
        .map(|c| {
            c[0].iter()
                .enumerate()
                .map(|(j, &contribution)| Contribution {
                    feature: names[j].en.clone(),
                    value: raw[j],
                    contribution,
                    text: super::reasons::describe(&names[j], raw[j], lang),
                })
                .collect()
        })
        .unwrap_or_default();
    contributions.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()).then_with(|| a.feature.cmp(&b.feature)));
    Ok(Some(CustomerExplanation { customer_id: id.to_string(), probability, contributions }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: scores 0.9 (churn), 0.8 (stay), 0.8 (churn), 0.1 (stay).
    /// Thresholds 0.9 → (0, ½), 0.8 (tied pair) → (½, 1), 0.1 → (1, 1).
    #[test]
    fn roc_points_by_hand_with_ties_as_one_threshold() {
        let points = roc_points(&[true, false, true, false], &[0.9, 0.8, 0.8, 0.1]);
        let pairs: Vec<(f64, f64)> = points.iter().map(|p| (p.false_positive_rate, p.true_positive_rate)).collect();
        assert_eq!(pairs, [(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        assert_eq!(points[2].threshold, 0.8);
        // The trapezoids under the points are the ROC AUC: ½·½·(0.5 + 1) + ½·1 = 0.875, the share of
        // (churn, stay) pairs ranked right with ties as one half: (1 + 1 + 0.5 + 1) / 4.
        let area: f64 =
            points.windows(2).map(|w| (w[1].false_positive_rate - w[0].false_positive_rate) * (w[1].true_positive_rate + w[0].true_positive_rate) / 2.0).sum();
        assert!((area - 0.875).abs() < 1e-15);
        assert!(roc_points(&[true, true], &[0.1, 0.2]).is_empty());
    }

    #[test]
    fn the_svm_subsample_is_stratified_and_capped() {
        let labels: Vec<bool> = (0..7043).map(|i| i % 4 == 0).collect();
        let rows = svm_rows(&labels, 7).unwrap();
        assert!(rows.len() <= SVM_MAX_TRAINING_ROWS, "{}", rows.len());
        assert_eq!(rows.len(), fitted_rows(Algorithm::Svm, &labels, 7));
        let churned = rows.iter().filter(|&&i| labels[i]).count() as f64 / rows.len() as f64;
        // 1,761 of 7,043 churn (25.0 %); one fold of four keeps that to within a row per class.
        assert!((churned - 0.25).abs() < 0.001, "{churned}");
        assert!(svm_rows(&labels[..SVM_MAX_TRAINING_ROWS], 7).is_none());
        assert_eq!(fitted_rows(Algorithm::Gbdt, &labels, 7), 7043);
    }
}
