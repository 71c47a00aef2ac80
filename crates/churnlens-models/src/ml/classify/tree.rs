//! CART decision tree for churn classification (Breiman et al. 1984): Gini
//! splits chosen exactly over every distinct value, depth and size limits,
//! sample and class weights, and missing values sent down the side that
//! fits them best. Depth-limited, it is the model a retention team can read:
//! [`DecisionTree::rules`] prints every leaf as an if-then rule in zh or en.
//!
//! The grower is shared with the random forest, which adds a random subset
//! of candidate features at each split. Ties between equally good splits go
//! to the first feature and the lowest threshold, so fits are deterministic.

use churnlens_core::Lang;
use serde::{Deserialize, Serialize};

use crate::ml::MlError;
use crate::ml::classify::nodes::{FeatureImportance, Split, Tree, TreeNode, check_columns};
use crate::ml::classify::shap::ShapValues;
use crate::ml::classify::{ClassWeight, Classifier, FeatureTable, TrainingSet, TreeSum};
use crate::ml::rng::SplitMix64;

/// Settings of a decision tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeParams {
    max_depth: usize,
    min_samples_split: usize,
    min_samples_leaf: usize,
    class_weight: ClassWeight,
}

impl Default for DecisionTreeParams {
    /// Depth 5, at least 2 rows to split and 20 rows per leaf, equal class
    /// weights: a tree of at most 32 rules, each backed by enough customers
    /// to act on.
    fn default() -> Self {
        DecisionTreeParams { max_depth: 5, min_samples_split: 2, min_samples_leaf: 20, class_weight: ClassWeight::Uniform }
    }
}

impl DecisionTreeParams {
    /// The greatest number of splits from the root to a leaf (≥ 1; default 5).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The fewest rows a node needs to be split (≥ 2; default 2).
    pub fn min_samples_split(mut self, rows: usize) -> Self {
        self.min_samples_split = rows;
        self
    }

    /// The fewest rows in each leaf (≥ 1; default 20).
    pub fn min_samples_leaf(mut self, rows: usize) -> Self {
        self.min_samples_leaf = rows;
        self
    }

    /// The class weights (default equal).
    pub fn class_weight(mut self, weight: ClassWeight) -> Self {
        self.class_weight = weight;
        self
    }

    fn check(&self) -> Result<CartSettings, MlError> {
        if self.max_depth == 0 {
            return Err(MlError::InvalidParameter { name: "max_depth", reason: "must be at least 1" });
        }
        if self.min_samples_split < 2 || self.min_samples_leaf == 0 {
            return Err(MlError::InvalidParameter { name: "min_samples_split / min_samples_leaf", reason: "must be at least 2 / 1" });
        }
        Ok(CartSettings { max_depth: self.max_depth, min_samples_split: self.min_samples_split, min_samples_leaf: self.min_samples_leaf, max_features: None })
    }

    /// Fits the tree with every row weighing its class weight.
    pub fn fit(&self, set: &TrainingSet) -> Result<DecisionTree, MlError> {
        self.fit_weighted(set, None)
    }

    /// Fits the tree with row `i` weighing `sample_weights[i]` times its class weight.
    pub fn fit_weighted(&self, set: &TrainingSet, sample_weights: Option<&[f64]>) -> Result<DecisionTree, MlError> {
        let settings = self.check()?;
        if set.n_rows() == 0 {
            return Err(MlError::TooFewRows { needed: 1, found: 0 });
        }
        let weights = self.class_weight.row_weights(set, sample_weights)?;
        let rows: Vec<usize> = (0..set.n_rows()).filter(|&i| weights[i] > 0.0).collect();
        if rows.is_empty() {
            return Err(MlError::InvalidParameter { name: "sample weights", reason: "must not all be zero" });
        }
        let tree = grow_cart(&RankedColumns::new(set.features.columns()), &set.labels, &weights, rows, &settings, None);
        let missing_in_training = set.features.columns().iter().map(|c| c.iter().any(|v| v.is_nan())).collect();
        Ok(DecisionTree { feature_names: set.features.names().to_vec(), missing_in_training, tree })
    }
}

/// A fitted decision tree; leaves hold the weighted share of churned rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTree {
    feature_names: Vec<String>,
    missing_in_training: Vec<bool>,
    tree: Tree,
}

impl DecisionTree {
    /// The fitted tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The feature names, in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Gini decrease (weighted, as scikit-learn's unnormalised importance)
    /// and split count per feature.
    pub fn feature_importance(&self) -> FeatureImportance {
        let mut importance = FeatureImportance::zero(&self.feature_names);
        self.tree.add_importance(&mut importance);
        importance
    }

    /// Exact TreeSHAP in probability space: the base value is the tree's
    /// cover-weighted mean leaf, and each row's contributions add up to its
    /// predicted probability minus the base.
    pub fn shap_values(&self, features: &FeatureTable) -> ShapValues {
        check_columns(features, self.feature_names.len());
        ShapValues::from_trees(std::slice::from_ref(&self.tree), 1.0, 0.0, features)
    }

    /// Every leaf as a rule, in node order: the conditions on the path, the
    /// churn probability and the number of training customers, e.g.
    /// "if Contract = Month-to-month and tenure ≤ 5.5 → churn probability 62% (412 customers)".
    /// A feature named `column=level` with a threshold in [0, 1) is read as
    /// a one-hot column and printed as `column = level` or `column ≠ level`.
    pub fn rules(&self, lang: Lang) -> Vec<String> {
        let mut rules = Vec::new();
        let mut path = Vec::new();
        self.collect_rules(0, &mut path, lang, &mut rules);
        rules
    }

    fn collect_rules(&self, index: usize, path: &mut Vec<String>, lang: Lang, rules: &mut Vec<String>) {
        let node = self.tree.nodes()[index];
        match node.split {
            Some(split) => {
                for (child, left) in [(split.left, true), (split.right, false)] {
                    path.push(self.condition(&split, left, lang));
                    self.collect_rules(child, path, lang, rules);
                    path.pop();
                }
            }
            None => {
                let percent = format!("{:.0}%", node.value * 100.0);
                let when = if path.is_empty() { lang.pick("all customers", "所有客户").to_string() } else { path.join(lang.pick(" and ", " 且 ")) };
                rules.push(match lang {
                    Lang::En => format!("if {when} → churn probability {percent} ({} customers)", node.samples),
                    Lang::Zh => format!("如果 {when} → 流失概率 {percent}（{} 位客户）", node.samples),
                });
            }
        }
    }

    fn condition(&self, split: &Split, left: bool, lang: Lang) -> String {
        let name = &self.feature_names[split.feature];
        let text = match name.split_once('=') {
            Some((column, level)) if (0.0..1.0).contains(&split.threshold) => {
                format!("{} {} {}", column.trim(), if left { "≠" } else { "=" }, level.trim())
            }
            _ => format!("{name} {} {}", if left { "≤" } else { ">" }, readable_number(split.threshold)),
        };
        if self.missing_in_training[split.feature] && split.missing_left == left {
            format!("{text}{}", lang.pick(" (or missing)", "（或缺失）"))
        } else {
            text
        }
    }
}

impl Classifier for DecisionTree {
    fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
        check_columns(features, self.feature_names.len());
        (0..features.n_rows()).map(|row| self.tree.predict_row(features, row)).collect()
    }

    fn tree_sum(&self) -> Option<TreeSum<'_>> {
        Some(TreeSum { trees: std::slice::from_ref(&self.tree), finish: Box::new(|sum| sum) })
    }
}

/// A threshold with at most four decimals and no trailing zeros.
fn readable_number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The limits of one CART grower run.
#[derive(Debug, Clone)]
pub(crate) struct CartSettings {
    pub(crate) max_depth: usize,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    /// Candidate features drawn at random per split (the forest); `None` = all.
    pub(crate) max_features: Option<usize>,
}

/// Weighted row count and churned weight of a set of rows.
#[derive(Debug, Clone, Copy, Default)]
struct ClassSums {
    rows: usize,
    weight: f64,
    positive: f64,
}

impl ClassSums {
    fn add(&mut self, weight: f64, positive: bool) {
        self.rows += 1;
        self.weight += weight;
        if positive {
            self.positive += weight;
        }
    }

    fn plus(self, other: ClassSums) -> ClassSums {
        ClassSums { rows: self.rows + other.rows, weight: self.weight + other.weight, positive: self.positive + other.positive }
    }

    fn minus(self, other: ClassSums) -> ClassSums {
        ClassSums { rows: self.rows - other.rows, weight: self.weight - other.weight, positive: self.positive - other.positive }
    }

    /// Weight × Gini impurity = 2 p (1 − p) W = 2 W₊ W₋ / W.
    fn weighted_gini(self) -> f64 {
        if self.weight <= 0.0 { 0.0 } else { 2.0 * self.positive * (self.weight - self.positive) / self.weight }
    }
}

/// The best split found for a node.
struct Candidate {
    feature: usize,
    threshold: f64,
    /// The rank of the largest distinct value that goes left.
    last_left_rank: u32,
    missing_left: bool,
    gain: f64,
}

/// Every feature's sorted distinct values and each row's rank among them,
/// computed once per fit so that nodes compare small integers instead of
/// sorting floats again: a node with more rows than a feature has distinct
/// values (one-hot columns, tenure) counts them in a table, others sort ranks.
pub(crate) struct RankedColumns {
    distinct: Vec<Vec<f64>>,
    ranks: Vec<Vec<u32>>,
}

/// The rank of a missing value.
const MISSING_RANK: u32 = u32::MAX;

impl RankedColumns {
    pub(crate) fn new(columns: &[Vec<f64>]) -> RankedColumns {
        let (distinct, ranks) = columns
            .iter()
            .map(|column| {
                let mut values: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
                values.sort_unstable_by(f64::total_cmp);
                values.dedup();
                let ranks = column.iter().map(|&v| if v.is_nan() { MISSING_RANK } else { values.partition_point(|&d| d < v) as u32 }).collect();
                (values, ranks)
            })
            .unzip();
        RankedColumns { distinct, ranks }
    }
}

/// Grows a CART tree on `rows` (repeats allowed: a bootstrap sample).
pub(crate) fn grow_cart(
    columns: &RankedColumns,
    labels: &[bool],
    weights: &[f64],
    rows: Vec<usize>,
    settings: &CartSettings,
    rng: Option<&mut SplitMix64>,
) -> Tree {
    let mut grower = CartGrower { columns, labels, weights, settings, rng, nodes: Vec::new() };
    grower.grow(rows, 0);
    Tree::from_grown(grower.nodes)
}

struct CartGrower<'a, 'r> {
    columns: &'a RankedColumns,
    labels: &'a [bool],
    weights: &'a [f64],
    settings: &'a CartSettings,
    rng: Option<&'r mut SplitMix64>,
    nodes: Vec<TreeNode>,
}

impl CartGrower<'_, '_> {
    fn sums(&self, rows: &[usize]) -> ClassSums {
        let mut sums = ClassSums::default();
        for &row in rows {
            sums.add(self.weights[row], self.labels[row]);
        }
        sums
    }

    fn grow(&mut self, rows: Vec<usize>, depth: usize) -> usize {
        let total = self.sums(&rows);
        let index = self.nodes.len();
        let value = if total.weight > 0.0 { total.positive / total.weight } else { 0.0 };
        self.nodes.push(TreeNode { split: None, value, cover: total.weight, samples: total.rows });
        let pure = total.positive <= 0.0 || total.positive >= total.weight;
        let s = self.settings;
        if depth >= s.max_depth || rows.len() < s.min_samples_split || rows.len() < 2 * s.min_samples_leaf || pure {
            return index;
        }
        let Some(best) = self.best_split(&rows, total) else {
            return index;
        };
        let ranks = &self.columns.ranks[best.feature];
        let (left_rows, right_rows): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&row| {
            let rank = ranks[row];
            if rank == MISSING_RANK { best.missing_left } else { rank <= best.last_left_rank }
        });
        let left = self.grow(left_rows, depth + 1);
        let right = self.grow(right_rows, depth + 1);
        self.nodes[index].split =
            Some(Split { feature: best.feature, threshold: best.threshold, missing_left: best.missing_left, left, right, gain: best.gain });
        index
    }

    fn candidate_features(&mut self) -> Vec<usize> {
        let n = self.columns.ranks.len();
        match (self.settings.max_features, self.rng.as_deref_mut()) {
            (Some(k), Some(rng)) if k < n => {
                let mut drawn = rng.sample_indices(n, k);
                // Scanning in column order keeps tie-breaking independent of the draw order.
                drawn.sort_unstable();
                drawn
            }
            _ => (0..n).collect(),
        }
    }

    /// The node's rows of one feature grouped by distinct value, ascending,
    /// and the missing rows' sums.
    fn groups(&self, feature: usize, rows: &[usize]) -> (Vec<(u32, ClassSums)>, ClassSums) {
        let ranks = &self.columns.ranks[feature];
        let n_distinct = self.columns.distinct[feature].len();
        let mut missing = ClassSums::default();
        if n_distinct <= rows.len() {
            let mut table = vec![ClassSums::default(); n_distinct];
            for &row in rows {
                let rank = ranks[row];
                let sums = if rank == MISSING_RANK { &mut missing } else { &mut table[rank as usize] };
                sums.add(self.weights[row], self.labels[row]);
            }
            let groups = table.into_iter().enumerate().filter(|(_, s)| s.rows > 0).map(|(r, s)| (r as u32, s)).collect();
            return (groups, missing);
        }
        let mut keyed: Vec<u64> = Vec::with_capacity(rows.len());
        for &row in rows {
            let rank = ranks[row];
            if rank == MISSING_RANK {
                missing.add(self.weights[row], self.labels[row]);
            } else {
                keyed.push((u64::from(rank) << 32) | row as u64);
            }
        }
        keyed.sort_unstable();
        let mut groups: Vec<(u32, ClassSums)> = Vec::new();
        for key in keyed {
            let (rank, row) = ((key >> 32) as u32, (key & 0xFFFF_FFFF) as usize);
            if groups.last().is_none_or(|g| g.0 != rank) {
                groups.push((rank, ClassSums::default()));
            }
            groups.last_mut().expect("pushed").1.add(self.weights[row], self.labels[row]);
        }
        (groups, missing)
    }

    fn best_split(&mut self, rows: &[usize], total: ClassSums) -> Option<Candidate> {
        let min_leaf = self.settings.min_samples_leaf;
        let parent = total.weighted_gini();
        let mut best: Option<Candidate> = None;
        for feature in self.candidate_features() {
            let (groups, missing) = self.groups(feature, rows);
            let distinct = &self.columns.distinct[feature];
            let mut left = ClassSums::default();
            for pair in groups.windows(2) {
                let (rank, sums) = pair[0];
                left = left.plus(sums);
                let directions: &[bool] = if missing.rows > 0 { &[false, true] } else { &[false] };
                for &missing_left in directions {
                    let left_side = if missing_left { left.plus(missing) } else { left };
                    let right_side = total.minus(left_side);
                    if left_side.rows < min_leaf || right_side.rows < min_leaf || left_side.weight <= 0.0 || right_side.weight <= 0.0 {
                        continue;
                    }
                    let gain = parent - left_side.weighted_gini() - right_side.weighted_gini();
                    if gain > 1e-12 * total.weight.max(1.0) && best.as_ref().is_none_or(|b| gain > b.gain) {
                        // Unseen missing values follow the heavier side, as in scikit-learn.
                        let missing_left = if missing.rows > 0 { missing_left } else { left_side.weight >= right_side.weight };
                        let (value, next) = (distinct[rank as usize], distinct[pair[1].0 as usize]);
                        let mut threshold = value + (next - value) / 2.0;
                        if threshold >= next {
                            threshold = value;
                        }
                        best = Some(Candidate { feature, threshold, last_left_rank: rank, missing_left, gain });
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(columns: Vec<Vec<f64>>, labels: Vec<bool>) -> TrainingSet {
        let names = (0..columns.len()).map(|j| format!("x{j}")).collect();
        TrainingSet::new(FeatureTable::new(names, columns).unwrap(), labels).unwrap()
    }

    #[test]
    fn finds_the_hand_computed_best_gini_split() {
        // x0 separates {1,2,3} (0 churned of 3) from {4,5,6} (2 of 3); x1 is noise.
        // Root: 2·2·4/6 = 8/3; split: left 0, right 2·2·1/3 = 4/3; gain = 4/3.
        let data = set(vec![vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0]], vec![false, false, false, true, true, false]);
        let tree = DecisionTreeParams::default().max_depth(1).min_samples_leaf(1).fit(&data).unwrap();
        let root = tree.tree().nodes()[0].split.unwrap();
        assert_eq!((root.feature, root.threshold), (0, 3.5));
        assert!((root.gain - 4.0 / 3.0).abs() < 1e-12);
        let p = tree.predict_proba(&data.features.select_rows(&[0, 5]));
        assert!((p[0] - 0.0).abs() < 1e-15 && (p[1] - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn missing_values_go_to_the_side_they_resemble() {
        // Missing rows are all churned, like the large values: they must go right.
        let x = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, f64::NAN, f64::NAN];
        let data = set(vec![x], vec![false, false, false, true, true, true, true, true]);
        let tree = DecisionTreeParams::default().min_samples_leaf(1).fit(&data).unwrap();
        let root = tree.tree().nodes()[0].split.unwrap();
        assert!(!root.missing_left);
        assert_eq!(tree.predict_proba(&data.features), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn balanced_class_weights_raise_the_minority_share_in_leaves() {
        let data = set(vec![vec![0.0, 0.0, 0.0, 0.0]], vec![true, false, false, false]);
        let plain = DecisionTreeParams::default().fit(&data).unwrap();
        let balanced = DecisionTreeParams::default().class_weight(ClassWeight::Balanced).fit(&data).unwrap();
        assert_eq!(plain.predict_proba(&data.features)[0], 0.25);
        assert!((balanced.predict_proba(&data.features)[0] - 0.5).abs() < 1e-15);
    }

    #[test]
    fn rules_read_one_hot_columns_and_thresholds_in_both_languages() {
        let names = vec!["Contract=Month-to-month".to_string(), "tenure".to_string()];
        let contract = vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let tenure = vec![2.0, 3.0, 20.0, 30.0, 2.0, 3.0, 20.0, 30.0];
        let table = FeatureTable::new(names, vec![contract, tenure]).unwrap();
        let data = TrainingSet::new(table, vec![true, true, false, false, false, false, false, false]).unwrap();
        let tree = DecisionTreeParams::default().min_samples_leaf(1).fit(&data).unwrap();
        let en = tree.rules(Lang::En);
        assert_eq!(
            en,
            vec![
                "if Contract ≠ Month-to-month → churn probability 0% (4 customers)",
                "if Contract = Month-to-month and tenure ≤ 11.5 → churn probability 100% (2 customers)",
                "if Contract = Month-to-month and tenure > 11.5 → churn probability 0% (2 customers)",
            ]
        );
        assert_eq!(tree.rules(Lang::Zh)[1], "如果 Contract = Month-to-month 且 tenure ≤ 11.5 → 流失概率 100%（2 位客户）");
    }
}
