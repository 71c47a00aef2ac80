//! Gradient-boosted decision trees for churn, the default model: binary
//! log-loss boosting with Newton leaf values (Friedman 2001; Chen & Guestrin
//! 2016), grown the LightGBM way (Ke et al. 2017) — every feature binned
//! once into at most 255 quantile bins, split search over bin histograms,
//! the larger child's histogram obtained by subtracting the smaller one's
//! from the parent's, histograms built in parallel over features, and the
//! leaf with the largest gain split first up to a leaf and depth limit.
//!
//! Written here rather than taken from a crate because none fits: the pure
//! Rust GBDT crates are unmaintained or lack missing-value handling, class
//! weights or the node covers exact TreeSHAP needs, and the LightGBM and
//! XGBoost bindings build C++ libraries with cmake, a toolchain this
//! workspace does not require.
//!
//! Missing values (`NaN`) have their own bin; each split sends them to the
//! side that lowers the loss most (to the side with the larger hessian when
//! training saw none). Randomness (row and column subsampling) comes from
//! one seeded generator drawn in a fixed order, so equal settings give equal
//! models whatever the thread count. The model explains log-odds margins:
//! [`Gbdt::shap_values`] adds up to [`Gbdt::predict_margin`].

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ml::MlError;
use crate::ml::classify::nodes::{FeatureImportance, Split, Tree, TreeNode, check_columns};
use crate::ml::classify::shap::ShapValues;
use crate::ml::classify::{ClassWeight, Classifier, FeatureTable, TrainingSet, TreeSum};
use crate::ml::rng::SplitMix64;

/// The bin of a missing value; present values use bins 0..=254.
const MISSING_BIN: usize = 255;
/// Bins per feature histogram, the missing bin included.
const HISTOGRAM_BINS: usize = 256;

/// Settings of gradient boosting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbdtParams {
    n_trees: usize,
    learning_rate: f64,
    max_depth: usize,
    max_leaves: usize,
    min_samples_leaf: usize,
    min_hessian_leaf: f64,
    l2: f64,
    min_split_gain: f64,
    row_subsample: f64,
    col_subsample: f64,
    max_bins: usize,
    class_weight: ClassWeight,
    scale_pos_weight: f64,
    early_stopping_rounds: Option<usize>,
    seed: u64,
}

impl Default for GbdtParams {
    /// 300 trees, learning rate 0.04, depth ≤ 3 with ≤ 8 leaves, ≥ 40 rows
    /// and hessian ≥ 0.001 per leaf, L2 1, 80 % of rows and of features per
    /// tree, 255 bins, equal class weights, no early stopping, seed 0 —
    /// small, slowly learned trees, which suit churn tables of thousands to
    /// millions of customers (tuned on Telco, see tests/trees.rs).
    fn default() -> Self {
        GbdtParams {
            n_trees: 300,
            learning_rate: 0.04,
            max_depth: 3,
            max_leaves: 8,
            min_samples_leaf: 40,
            min_hessian_leaf: 1e-3,
            l2: 1.0,
            min_split_gain: 0.0,
            row_subsample: 0.8,
            col_subsample: 0.8,
            max_bins: 255,
            class_weight: ClassWeight::Uniform,
            scale_pos_weight: 1.0,
            early_stopping_rounds: None,
            seed: 0,
        }
    }
}

impl GbdtParams {
    /// The number of boosting rounds (≥ 1; default 300); with early
    /// stopping, the most.
    pub fn n_trees(mut self, trees: usize) -> Self {
        self.n_trees = trees;
        self
    }

    /// The shrinkage of every tree's leaf values (in (0, 1]; default 0.04).
    pub fn learning_rate(mut self, rate: f64) -> Self {
        self.learning_rate = rate;
        self
    }

    /// The greatest depth of a tree (≥ 1; default 3).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The most leaves of a tree (≥ 2; default 8).
    pub fn max_leaves(mut self, leaves: usize) -> Self {
        self.max_leaves = leaves;
        self
    }

    /// The fewest rows in a leaf (≥ 1; default 40).
    pub fn min_samples_leaf(mut self, rows: usize) -> Self {
        self.min_samples_leaf = rows;
        self
    }

    /// The least hessian sum in a leaf (> 0; default 0.001).
    pub fn min_hessian_leaf(mut self, hessian: f64) -> Self {
        self.min_hessian_leaf = hessian;
        self
    }

    /// The L2 penalty on leaf values (≥ 0; default 1).
    pub fn l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// The least loss reduction for a split (≥ 0; default 0).
    pub fn min_split_gain(mut self, gain: f64) -> Self {
        self.min_split_gain = gain;
        self
    }

    /// The share of rows drawn (without replacement) for each tree (in (0, 1]; default 0.8).
    pub fn row_subsample(mut self, share: f64) -> Self {
        self.row_subsample = share;
        self
    }

    /// The share of features drawn for each tree (in (0, 1]; default 0.8).
    pub fn col_subsample(mut self, share: f64) -> Self {
        self.col_subsample = share;
        self
    }

    /// The most bins per feature, the missing bin not counted (2..=255; default 255).
    pub fn max_bins(mut self, bins: usize) -> Self {
        self.max_bins = bins;
        self
    }

    /// The class weights (default equal).
    pub fn class_weight(mut self, weight: ClassWeight) -> Self {
        self.class_weight = weight;
        self
    }

    /// An extra factor on churned rows' weight, as LightGBM's and XGBoost's
    /// `scale_pos_weight` (> 0; default 1).
    pub fn scale_pos_weight(mut self, factor: f64) -> Self {
        self.scale_pos_weight = factor;
        self
    }

    /// Stop when the validation log loss has not improved for this many
    /// rounds, keeping the best round (default off; needs
    /// [`GbdtParams::fit_with_validation`]).
    pub fn early_stopping_rounds(mut self, rounds: Option<usize>) -> Self {
        self.early_stopping_rounds = rounds;
        self
    }

    /// The seed of row and column subsampling (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn check(&self) -> Result<(), MlError> {
        let share = |x: f64| x > 0.0 && x <= 1.0;
        let checks = [
            (self.n_trees >= 1, "n_trees", "must be at least 1"),
            (share(self.learning_rate), "learning_rate", "must be in (0, 1]"),
            (self.max_depth >= 1, "max_depth", "must be at least 1"),
            (self.max_leaves >= 2, "max_leaves", "must be at least 2"),
            (self.min_samples_leaf >= 1, "min_samples_leaf", "must be at least 1"),
            (self.min_hessian_leaf > 0.0 && self.min_hessian_leaf.is_finite(), "min_hessian_leaf", "must be positive"),
            (self.l2 >= 0.0 && self.l2.is_finite(), "l2", "must be finite and not negative"),
            (self.min_split_gain >= 0.0 && self.min_split_gain.is_finite(), "min_split_gain", "must be finite and not negative"),
            (share(self.row_subsample), "row_subsample", "must be in (0, 1]"),
            (share(self.col_subsample), "col_subsample", "must be in (0, 1]"),
            ((2..=255).contains(&self.max_bins), "max_bins", "must be between 2 and 255"),
            (self.scale_pos_weight > 0.0 && self.scale_pos_weight.is_finite(), "scale_pos_weight", "must be positive"),
            (self.early_stopping_rounds != Some(0), "early_stopping_rounds", "must be at least 1"),
        ];
        match checks.iter().find(|(ok, _, _)| !ok) {
            Some(&(_, name, reason)) => Err(MlError::InvalidParameter { name, reason }),
            None => Ok(()),
        }
    }

    /// Fits all `n_trees` rounds on `set`.
    pub fn fit(&self, set: &TrainingSet) -> Result<Gbdt, MlError> {
        self.fit_inner(set, None, None)
    }

    /// Fits with row `i` weighing `sample_weights[i]` times its class weight.
    pub fn fit_weighted(&self, set: &TrainingSet, sample_weights: &[f64]) -> Result<Gbdt, MlError> {
        self.fit_inner(set, Some(sample_weights), None)
    }

    /// Fits on `set`, recording the log loss on `validation` after every
    /// round; with early stopping, keeps the rounds up to the best one.
    pub fn fit_with_validation(&self, set: &TrainingSet, validation: &TrainingSet) -> Result<Gbdt, MlError> {
        if validation.features.n_features() != set.features.n_features() {
            return Err(MlError::LabelCount { expected: set.features.n_features(), found: validation.features.n_features() });
        }
        self.fit_inner(set, None, Some(validation))
    }

    fn fit_inner(&self, set: &TrainingSet, sample_weights: Option<&[f64]>, validation: Option<&TrainingSet>) -> Result<Gbdt, MlError> {
        self.check()?;
        let n = set.n_rows();
        if n < 2 {
            return Err(MlError::TooFewRows { needed: 2, found: n });
        }
        let mut weights = self.class_weight.row_weights(set, sample_weights)?;
        for (w, &y) in weights.iter_mut().zip(&set.labels) {
            if y {
                *w *= self.scale_pos_weight;
            }
        }
        let positive: f64 = weights.iter().zip(&set.labels).filter(|(_, y)| **y).map(|(w, _)| w).sum();
        let negative: f64 = weights.iter().zip(&set.labels).filter(|(_, y)| !**y).map(|(w, _)| w).sum();
        if positive <= 0.0 || negative <= 0.0 {
            return Err(MlError::SingleClass);
        }
        let initial_score = (positive / negative).ln();
        let columns = set.features.columns();
        let thresholds: Vec<Vec<f64>> = columns.par_iter().map(|c| bin_thresholds(c, self.max_bins)).collect();
        let bins: Vec<Vec<u8>> = columns.par_iter().zip(&thresholds).map(|(c, t)| c.iter().map(|&v| bin_of(v, t)).collect()).collect();

        let mut rng = SplitMix64::new(self.seed);
        let mut margins = vec![initial_score; n];
        let mut gradients = vec![0.0; n];
        let mut hessians = vec![0.0; n];
        let mut trees = Vec::with_capacity(self.n_trees);
        let mut validation_margins = validation.map(|v| vec![initial_score; v.n_rows()]);
        let mut validation_loss = Vec::new();
        let mut best_round = 0;
        let n_features = columns.len();
        let rows_per_tree = ((n as f64 * self.row_subsample).round() as usize).clamp(1, n);
        let features_per_tree = ((n_features as f64 * self.col_subsample).round() as usize).clamp(1, n_features);

        for round in 0..self.n_trees {
            gradients.par_iter_mut().zip(hessians.par_iter_mut()).enumerate().for_each(|(i, (g, h))| {
                let p = sigmoid(margins[i]);
                let y = if set.labels[i] { 1.0 } else { 0.0 };
                *g = weights[i] * (p - y);
                *h = weights[i] * p * (1.0 - p);
            });
            let mut rows = if rows_per_tree < n { rng.sample_indices(n, rows_per_tree) } else { (0..n).collect() };
            rows.retain(|&i| weights[i] > 0.0);
            rows.sort_unstable();
            let mut features = if features_per_tree < n_features { rng.sample_indices(n_features, features_per_tree) } else { (0..n_features).collect() };
            features.sort_unstable();
            let grower = Grower { params: self, bins: &bins, thresholds: &thresholds, gradients: &gradients, hessians: &hessians, features };
            let tree = grower.grow(rows);
            margins.par_iter_mut().enumerate().for_each(|(i, m)| *m += tree.predict_row(&set.features, i));
            trees.push(tree);
            if let (Some(valid), Some(valid_margins)) = (validation, validation_margins.as_mut()) {
                let tree = &trees[round];
                valid_margins.par_iter_mut().enumerate().for_each(|(i, m)| *m += tree.predict_row(&valid.features, i));
                let loss = log_loss(&valid.labels, valid_margins);
                validation_loss.push(loss);
                if loss < validation_loss[best_round] {
                    best_round = round;
                }
                if self.early_stopping_rounds.is_some_and(|patience| round - best_round >= patience) {
                    break;
                }
            }
        }
        if validation.is_some() && self.early_stopping_rounds.is_some() {
            trees.truncate(best_round + 1);
        }
        Ok(Gbdt { feature_names: set.features.names().to_vec(), initial_score, trees, validation_loss })
    }
}

/// A fitted boosted ensemble: P(churn) = σ(initial score + Σ tree outputs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gbdt {
    feature_names: Vec<String>,
    initial_score: f64,
    trees: Vec<Tree>,
    validation_loss: Vec<f64>,
}

impl Gbdt {
    /// The feature names, in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The trees, in boosting order (leaf values already shrunk by the learning rate).
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// The starting log-odds: the weighted churn rate's logit.
    pub fn initial_score(&self) -> f64 {
        self.initial_score
    }

    /// The validation log loss after each round (empty without a validation set).
    pub fn validation_loss(&self) -> &[f64] {
        &self.validation_loss
    }

    /// The log-odds margin of every row.
    pub fn predict_margin(&self, features: &FeatureTable) -> Vec<f64> {
        check_columns(features, self.feature_names.len());
        (0..features.n_rows()).into_par_iter().map(|row| self.initial_score + self.trees.iter().map(|t| t.predict_row(features, row)).sum::<f64>()).collect()
    }

    /// Total split gain (loss reduction) and split count per feature over all trees.
    pub fn feature_importance(&self) -> FeatureImportance {
        let mut importance = FeatureImportance::zero(&self.feature_names);
        for tree in &self.trees {
            tree.add_importance(&mut importance);
        }
        importance
    }

    /// Exact TreeSHAP in log-odds margin space: the base value is the initial
    /// score plus every tree's expected output, and each row's contributions
    /// add up to its margin minus the base.
    pub fn shap_values(&self, features: &FeatureTable) -> ShapValues {
        check_columns(features, self.feature_names.len());
        ShapValues::from_trees(&self.trees, 1.0, self.initial_score, features)
    }
}

impl Classifier for Gbdt {
    fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
        self.predict_margin(features).into_iter().map(sigmoid).collect()
    }

    fn tree_sum(&self) -> Option<TreeSum<'_>> {
        Some(TreeSum { trees: &self.trees, finish: Box::new(move |sum| sigmoid(self.initial_score + sum)) })
    }
}

/// The logistic function, without overflow for large |x|.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Mean log loss of log-odds margins, computed stably from the margins.
fn log_loss(labels: &[bool], margins: &[f64]) -> f64 {
    let softplus = |x: f64| if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() };
    labels.iter().zip(margins).map(|(&y, &m)| if y { softplus(-m) } else { softplus(m) }).sum::<f64>() / labels.len() as f64
}

/// Cut points between quantile bins of a column's present values: every
/// distinct value its own bin when there are at most `max_bins`, else bins
/// of about equal row counts. A cut lies halfway between two neighbouring
/// distinct values, so `value <= cut` is the same test in training and prediction.
fn bin_thresholds(column: &[f64], max_bins: usize) -> Vec<f64> {
    let mut values: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
    values.sort_unstable_by(f64::total_cmp);
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for v in values.iter().copied() {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    let cut = |a: f64, b: f64| {
        let mid = a + (b - a) / 2.0;
        if mid >= b { a } else { mid }
    };
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| cut(w[0].0, w[1].0)).collect();
    }
    let per_bin = values.len() as f64 / max_bins as f64;
    let mut thresholds = Vec::with_capacity(max_bins - 1);
    let mut seen = 0usize;
    for w in distinct.windows(2) {
        seen += w[0].1;
        if seen as f64 >= per_bin * (thresholds.len() + 1) as f64 && thresholds.len() < max_bins - 1 {
            thresholds.push(cut(w[0].0, w[1].0));
        }
    }
    thresholds
}

/// The bin of a value: the number of cut points below it; missing values get [`MISSING_BIN`].
fn bin_of(value: f64, thresholds: &[f64]) -> u8 {
    if value.is_nan() { MISSING_BIN as u8 } else { thresholds.partition_point(|&t| t < value) as u8 }
}

/// Gradient and hessian sums and the row count of a set of rows.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    gradient: f64,
    hessian: f64,
    rows: usize,
}

impl Sums {
    fn plus(self, o: Sums) -> Sums {
        Sums { gradient: self.gradient + o.gradient, hessian: self.hessian + o.hessian, rows: self.rows + o.rows }
    }

    fn minus(self, o: Sums) -> Sums {
        Sums { gradient: self.gradient - o.gradient, hessian: self.hessian - o.hessian, rows: self.rows - o.rows }
    }
}

/// One histogram per candidate feature, [`HISTOGRAM_BINS`] bins each.
type Histograms = Vec<Vec<Sums>>;

/// The best split of a leaf.
#[derive(Debug, Clone, Copy)]
struct BestSplit {
    feature: usize,
    bin: usize,
    missing_left: bool,
    gain: f64,
    left: Sums,
    right: Sums,
}

/// A leaf of the tree being grown.
struct OpenLeaf {
    node: usize,
    rows: Vec<usize>,
    histograms: Histograms,
    sums: Sums,
    depth: usize,
    best: Option<BestSplit>,
}

/// Grows one tree on the current gradients.
struct Grower<'a> {
    params: &'a GbdtParams,
    bins: &'a [Vec<u8>],
    thresholds: &'a [Vec<f64>],
    gradients: &'a [f64],
    hessians: &'a [f64],
    /// The features drawn for this tree, ascending.
    features: Vec<usize>,
}

impl Grower<'_> {
    fn grow(&self, rows: Vec<usize>) -> Tree {
        let histograms = self.histograms(&rows);
        let sums = histograms.first().map_or_else(Sums::default, |h| h.iter().fold(Sums::default(), |a, &b| a.plus(b)));
        let mut nodes = vec![self.node(sums)];
        let mut root = OpenLeaf { node: 0, rows, histograms, sums, depth: 0, best: None };
        root.best = self.best_split(&root);
        let mut open = vec![root];
        let mut n_leaves = 1;
        while n_leaves < self.params.max_leaves {
            // The open leaf with the largest gain; ties go to the earliest node.
            let Some(pick) =
                open.iter().enumerate().filter_map(|(i, l)| l.best.map(|b| (i, b.gain))).fold(None, |acc: Option<(usize, f64)>, (i, g)| match acc {
                    Some((_, best)) if best >= g => acc,
                    _ => Some((i, g)),
                })
            else {
                break;
            };
            let leaf = open.remove(pick.0);
            let split = leaf.best.expect("picked leaves have a split");
            let (left_rows, right_rows): (Vec<usize>, Vec<usize>) = leaf.rows.iter().partition(|&&row| {
                let bin = self.bins[split.feature][row] as usize;
                if bin == MISSING_BIN { split.missing_left } else { bin <= split.bin }
            });
            let left_node = nodes.len();
            nodes.push(self.node(split.left));
            nodes.push(self.node(split.right));
            nodes[leaf.node].split = Some(Split {
                feature: split.feature,
                threshold: self.thresholds[split.feature][split.bin],
                missing_left: split.missing_left,
                left: left_node,
                right: left_node + 1,
                gain: split.gain,
            });
            // Build the smaller child's histograms and subtract for the larger one.
            let left_smaller = left_rows.len() <= right_rows.len();
            let small = self.histograms(if left_smaller { &left_rows } else { &right_rows });
            let large: Histograms = leaf.histograms.iter().zip(&small).map(|(p, s)| p.iter().zip(s).map(|(a, b)| a.minus(*b)).collect()).collect();
            let (left_hist, right_hist) = if left_smaller { (small, large) } else { (large, small) };
            for (node, rows, histograms, sums) in [(left_node, left_rows, left_hist, split.left), (left_node + 1, right_rows, right_hist, split.right)] {
                let mut child = OpenLeaf { node, rows, histograms, sums, depth: leaf.depth + 1, best: None };
                child.best = self.best_split(&child);
                open.push(child);
            }
            n_leaves += 1;
        }
        Tree::from_grown(nodes)
    }

    /// A node with the Newton step −G / (H + λ), shrunk, as its value.
    fn node(&self, sums: Sums) -> TreeNode {
        let value = -sums.gradient / (sums.hessian + self.params.l2) * self.params.learning_rate;
        TreeNode { split: None, value, cover: sums.hessian, samples: sums.rows }
    }

    fn histograms(&self, rows: &[usize]) -> Histograms {
        self.features
            .par_iter()
            .map(|&feature| {
                let bins = &self.bins[feature];
                let mut histogram = vec![Sums::default(); HISTOGRAM_BINS];
                for &row in rows {
                    let bin = &mut histogram[bins[row] as usize];
                    bin.gradient += self.gradients[row];
                    bin.hessian += self.hessians[row];
                    bin.rows += 1;
                }
                histogram
            })
            .collect()
    }

    fn best_split(&self, leaf: &OpenLeaf) -> Option<BestSplit> {
        let p = self.params;
        if leaf.depth >= p.max_depth || leaf.rows.len() < 2 * p.min_samples_leaf {
            return None;
        }
        let score = |s: Sums| s.gradient * s.gradient / (s.hessian + p.l2);
        let parent_score = score(leaf.sums);
        let per_feature: Vec<Option<BestSplit>> = self
            .features
            .par_iter()
            .zip(&leaf.histograms)
            .map(|(&feature, histogram)| {
                let missing = histogram[MISSING_BIN];
                let n_bins = self.thresholds[feature].len() + 1;
                let mut best: Option<BestSplit> = None;
                let mut cumulative = Sums::default();
                for (bin, &sums) in histogram.iter().enumerate().take(n_bins - 1) {
                    if sums.rows == 0 {
                        continue;
                    }
                    cumulative = cumulative.plus(sums);
                    let directions: &[bool] = if missing.rows > 0 { &[false, true] } else { &[false] };
                    for &missing_left in directions {
                        let left = if missing_left { cumulative.plus(missing) } else { cumulative };
                        let right = leaf.sums.minus(left);
                        if left.rows < p.min_samples_leaf
                            || right.rows < p.min_samples_leaf
                            || left.hessian < p.min_hessian_leaf
                            || right.hessian < p.min_hessian_leaf
                        {
                            continue;
                        }
                        let gain = score(left) + score(right) - parent_score;
                        if gain > p.min_split_gain && gain > 1e-12 && best.is_none_or(|b| gain > b.gain) {
                            let missing_left = if missing.rows > 0 { missing_left } else { left.hessian >= right.hessian };
                            best = Some(BestSplit { feature, bin, missing_left, gain, left, right });
                        }
                    }
                }
                best
            })
            .collect();
        per_feature.into_iter().flatten().fold(None, |acc, s| match acc {
            Some(b) if b.gain >= s.gain => Some(b),
            _ => Some(s),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cut_halfway_between_distinct_values_and_keep_quantiles() {
        assert_eq!(bin_thresholds(&[3.0, 1.0, f64::NAN, 2.0, 2.0], 255), vec![1.5, 2.5]);
        // 1000 distinct values into 4 bins: cuts near the quartiles.
        let column: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(bin_thresholds(&column, 4), vec![249.5, 499.5, 749.5]);
        let cuts = [1.5, 2.5];
        assert_eq!([bin_of(1.0, &cuts), bin_of(1.5, &cuts), bin_of(2.0, &cuts), bin_of(9.0, &cuts), bin_of(f64::NAN, &cuts)], [0, 0, 1, 2, 255]);
    }

    #[test]
    fn a_single_stump_takes_the_newton_step() {
        // One feature separating 0/0/1/1 perfectly; initial score logit(0.5) = 0,
        // p = 0.5, g = ∓0.5, h = 0.25 per row. Left leaf: G = 1, H = 0.5,
        // value = −1 / (0.5 + 1) = −2/3 (learning rate 1); right +2/3.
        let table = FeatureTable::new(vec!["x".into()], vec![vec![0.0, 1.0, 2.0, 3.0]]).unwrap();
        let set = TrainingSet::new(table, vec![false, false, true, true]).unwrap();
        let params = GbdtParams::default().n_trees(1).learning_rate(1.0).max_depth(1).min_samples_leaf(1).row_subsample(1.0).col_subsample(1.0);
        let model = params.fit(&set).unwrap();
        let margins = model.predict_margin(&set.features);
        for (m, expected) in margins.iter().zip([-2.0 / 3.0, -2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]) {
            assert!((m - expected).abs() < 1e-12, "{margins:?}");
        }
        // Gain: 1²/1.5 + 1²/1.5 − 0 = 4/3.
        assert!((model.feature_importance().gain[0] - 4.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn refuses_a_single_class_and_bad_settings() {
        let table = FeatureTable::new(vec!["x".into()], vec![vec![0.0, 1.0]]).unwrap();
        let set = TrainingSet::new(table, vec![true, true]).unwrap();
        assert_eq!(GbdtParams::default().fit(&set), Err(MlError::SingleClass));
        assert!(GbdtParams::default().learning_rate(0.0).fit(&set).is_err());
    }
}
