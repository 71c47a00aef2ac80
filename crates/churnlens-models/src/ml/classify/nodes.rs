//! The binary tree every tree model is made of — the decision tree, each
//! tree of the random forest and each boosting round — and what the models
//! share: class weights, global importance and the walk a row takes.
//!
//! A split sends a row left when its value is at most the threshold (the
//! scikit-learn convention) and a missing value (`NaN`) to the side learned
//! in training. Every node keeps its cover (the training weight that reached
//! it: weighted rows for classification trees, hessian sum for boosting),
//! which exact TreeSHAP needs to weigh the branches a row does not take.

use serde::{Deserialize, Serialize};

use crate::ml::MlError;
use crate::ml::classify::FeatureTable;

/// Where a node sends a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// The feature (column) tested.
    pub feature: usize,
    /// Rows with `value <= threshold` go left, larger values right.
    pub threshold: f64,
    /// Whether a missing value goes left (else right).
    pub missing_left: bool,
    /// The left child's index in the tree's node list.
    pub left: usize,
    /// The right child's index in the tree's node list.
    pub right: usize,
    /// What the split gained in training (impurity decrease for the
    /// decision tree and forest, loss reduction for boosting).
    pub gain: f64,
}

/// One node: a split, or a leaf when `split` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TreeNode {
    /// The test of an inner node; `None` for a leaf.
    pub split: Option<Split>,
    /// The leaf's output (a probability for classification trees, a
    /// log-odds step for boosting); for inner nodes the value the node
    /// would give as a leaf, used by readable rules.
    pub value: f64,
    /// The training weight that reached the node; children's covers add up
    /// to their parent's.
    pub cover: f64,
    /// The number of training rows that reached the node.
    pub samples: usize,
}

/// A fitted binary tree; node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    nodes: Vec<TreeNode>,
}

impl Tree {
    /// A tree from explicit nodes (node 0 the root), as another library
    /// exported it. Checks that every child index exists, that each node
    /// but the root has exactly one parent that comes before it, and that
    /// covers are positive and add up — so every row reaches one leaf and
    /// TreeSHAP's weights are well defined.
    pub fn from_nodes(nodes: Vec<TreeNode>) -> Result<Tree, MlError> {
        if nodes.is_empty() {
            return Err(MlError::InvalidTree { node: 0, reason: "the tree has no nodes" });
        }
        let mut parents = vec![0usize; nodes.len()];
        for (index, node) in nodes.iter().enumerate() {
            let valid = node.cover > 0.0 && node.cover.is_finite() && node.value.is_finite();
            if !valid {
                return Err(MlError::InvalidTree { node: index, reason: "cover must be positive and the value finite" });
            }
            if let Some(split) = node.split {
                for child in [split.left, split.right] {
                    if child <= index || child >= nodes.len() {
                        return Err(MlError::InvalidTree { node: index, reason: "a child must come after its parent and exist" });
                    }
                    parents[child] += 1;
                }
                let children = nodes[split.left].cover + nodes[split.right].cover;
                if (children - node.cover).abs() > 1e-9 * node.cover.max(1.0) {
                    return Err(MlError::InvalidTree { node: index, reason: "the children's covers do not add up to the node's" });
                }
                if split.threshold.is_nan() {
                    return Err(MlError::InvalidTree { node: index, reason: "the threshold is not a number" });
                }
            }
        }
        if let Some(orphan) = (1..nodes.len()).find(|&i| parents[i] != 1) {
            return Err(MlError::InvalidTree { node: orphan, reason: "a node must have exactly one parent" });
        }
        Ok(Tree { nodes })
    }

    /// A tree built by a learner in this crate (valid by construction).
    pub(crate) fn from_grown(nodes: Vec<TreeNode>) -> Tree {
        debug_assert!(Tree::from_nodes(nodes.clone()).is_ok(), "a grown tree is valid");
        Tree { nodes }
    }

    /// The nodes, root first.
    pub fn nodes(&self) -> &[TreeNode] {
        &self.nodes
    }

    /// The leaf that a row reaches; `value_of(feature)` gives the row's value.
    pub fn leaf_of(&self, value_of: impl Fn(usize) -> f64) -> usize {
        let mut index = 0;
        while let Some(split) = self.nodes[index].split {
            index = split.child_for(value_of(split.feature));
        }
        index
    }

    /// The output of row `row` of `features`.
    pub fn predict_row(&self, features: &FeatureTable, row: usize) -> f64 {
        self.nodes[self.leaf_of(|feature| features.column(feature)[row])].value
    }

    /// The greatest number of splits from the root to a leaf.
    pub fn depth(&self) -> usize {
        fn below(nodes: &[TreeNode], index: usize) -> usize {
            nodes[index].split.map_or(0, |s| 1 + below(nodes, s.left).max(below(nodes, s.right)))
        }
        below(&self.nodes, 0)
    }

    /// The number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.split.is_none()).count()
    }

    /// The cover-weighted mean of the leaf values: the tree's expected
    /// output over its training data, TreeSHAP's base value.
    pub fn expected_value(&self) -> f64 {
        let root = self.nodes[0].cover;
        self.nodes.iter().filter(|n| n.split.is_none()).map(|n| n.value * n.cover / root).sum()
    }

    /// Adds this tree's gain and split count per feature to `importance`.
    pub(crate) fn add_importance(&self, importance: &mut FeatureImportance) {
        for split in self.nodes.iter().filter_map(|n| n.split) {
            importance.gain[split.feature] += split.gain;
            importance.splits[split.feature] += 1;
        }
    }
}

impl Split {
    /// The child a value goes to.
    pub fn child_for(&self, value: f64) -> usize {
        let left = if value.is_nan() { self.missing_left } else { value <= self.threshold };
        if left { self.left } else { self.right }
    }
}

/// Global importance of a tree model's features: the training gain of the
/// splits on each feature, summed over all trees (for a forest, averaged),
/// and how many splits use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    /// The feature names, in column order.
    pub names: Vec<String>,
    /// Total gain per feature.
    pub gain: Vec<f64>,
    /// Number of splits per feature.
    pub splits: Vec<usize>,
}

impl FeatureImportance {
    pub(crate) fn zero(names: &[String]) -> Self {
        FeatureImportance { names: names.to_vec(), gain: vec![0.0; names.len()], splits: vec![0; names.len()] }
    }

    /// Each feature's share of the total gain (all zero when no split was made).
    pub fn gain_shares(&self) -> Vec<f64> {
        let total: f64 = self.gain.iter().sum();
        self.gain.iter().map(|g| if total > 0.0 { g / total } else { 0.0 }).collect()
    }

    /// Feature indices by decreasing gain (ties by column order).
    pub fn ranked(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.gain.len()).collect();
        order.sort_by(|&a, &b| self.gain[b].total_cmp(&self.gain[a]).then(a.cmp(&b)));
        order
    }
}

/// Panics unless `features` has the model's column count (a caller bug, see
/// [`crate::ml::classify::Classifier`]).
pub(crate) fn check_columns(features: &FeatureTable, expected: usize) {
    assert_eq!(features.n_features(), expected, "the model was fitted on {expected} features, the table has {}", features.n_features());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::classify::{ClassWeight, TrainingSet};

    fn leaf(value: f64, cover: f64) -> TreeNode {
        TreeNode { split: None, value, cover, samples: cover as usize }
    }

    #[test]
    fn rows_follow_thresholds_and_missing_directions() {
        let split = Split { feature: 0, threshold: 1.5, missing_left: false, left: 1, right: 2, gain: 1.0 };
        let tree = Tree::from_nodes(vec![TreeNode { split: Some(split), value: 0.5, cover: 4.0, samples: 4 }, leaf(0.0, 1.0), leaf(1.0, 3.0)]).unwrap();
        assert_eq!(tree.leaf_of(|_| 1.5), 1);
        assert_eq!(tree.leaf_of(|_| 1.6), 2);
        assert_eq!(tree.leaf_of(|_| f64::NAN), 2);
        // Hand computation: (0 × 1 + 1 × 3) / 4.
        assert_eq!(tree.expected_value(), 0.75);
        assert_eq!((tree.depth(), tree.n_leaves()), (1, 2));
    }

    #[test]
    fn refuses_trees_whose_covers_do_not_add_up_or_whose_children_loop() {
        let split = Split { feature: 0, threshold: 0.0, missing_left: true, left: 1, right: 2, gain: 0.0 };
        let parent = TreeNode { split: Some(split), value: 0.0, cover: 5.0, samples: 5 };
        assert!(Tree::from_nodes(vec![parent, leaf(0.0, 1.0), leaf(0.0, 3.0)]).is_err());
        let looping = Split { left: 0, ..split };
        assert!(Tree::from_nodes(vec![TreeNode { split: Some(looping), ..parent }, leaf(0.0, 1.0), leaf(0.0, 4.0)]).is_err());
    }

    #[test]
    fn balanced_weights_give_both_classes_equal_total_weight() {
        let table = FeatureTable::new(vec!["x".into()], vec![vec![0.0; 4]]).unwrap();
        let set = TrainingSet::new(table, vec![true, false, false, false]).unwrap();
        let weights = ClassWeight::Balanced.row_weights(&set, None).unwrap();
        // n / (2 n_c): 4 / 2 = 2 for the positive, 4 / 6 for each negative.
        assert_eq!(weights[0], 2.0);
        assert!((weights[1] - 2.0 / 3.0).abs() < 1e-15);
    }
}
