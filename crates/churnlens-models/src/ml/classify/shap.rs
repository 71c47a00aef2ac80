//! Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized
//! feature attribution for tree ensembles", Algorithm 2): per row, the
//! Shapley value of every feature for a tree's output, in time polynomial in
//! the depth instead of exponential in the features.
//!
//! This is the path-dependent variant: a feature outside the coalition
//! follows both branches weighted by the training cover of each (the
//! `node_sample_weight` of scikit-learn, hessian sums for boosting), so no
//! background data set is needed. The contributions of a row add up to the
//! tree's output minus its cover-weighted mean output (the base value).
//! The model types say which output space they explain: probability for
//! the decision tree and forest, log-odds margin for boosting.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ml::classify::FeatureTable;
use crate::ml::classify::nodes::{Tree, TreeNode};

/// The SHAP explanation of a set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapValues {
    /// The model's expected output over its training data (same space as the contributions).
    pub base_value: f64,
    /// `values[row][feature]`: the feature's contribution to the row's output.
    pub values: Vec<Vec<f64>>,
}

impl ShapValues {
    /// The explanation of `scale × Σ trees + offset` for every row of
    /// `features`: the forest passes scale 1/trees (a mean), boosting scale 1
    /// and its initial score as offset. Public so that trees exported by
    /// another library can be explained the same way.
    pub fn from_trees(trees: &[Tree], scale: f64, offset: f64, features: &FeatureTable) -> ShapValues {
        let n_features = features.n_features();
        let base_value = offset + scale * trees.iter().map(Tree::expected_value).sum::<f64>();
        let scratch_len = trees.iter().map(|t| scratch_len(t.depth())).max().unwrap_or(0);
        let values = (0..features.n_rows())
            .into_par_iter()
            .map_init(
                || vec![EMPTY; scratch_len],
                |scratch, row| {
                    let mut phi = vec![0.0; n_features];
                    for tree in trees {
                        recurse(tree.nodes(), |feature| features.column(feature)[row], &mut phi, 0, scratch, 0, 1.0, 1.0, ROOT);
                    }
                    phi.iter_mut().for_each(|v| *v *= scale);
                    phi
                },
            )
            .collect();
        ShapValues { base_value, values }
    }

    /// The explained output of `row`: base value plus its contributions.
    pub fn output(&self, row: usize) -> f64 {
        self.base_value + self.values[row].iter().sum::<f64>()
    }
}

/// Adds the SHAP values of one tree's output for one row to `phi` (one
/// entry per feature); `value_of(feature)` gives the row's value.
pub fn tree_shap(tree: &Tree, value_of: impl Fn(usize) -> f64 + Copy, phi: &mut [f64]) {
    let mut scratch = vec![EMPTY; scratch_len(tree.depth())];
    recurse(tree.nodes(), value_of, phi, 0, &mut scratch, 0, 1.0, 1.0, ROOT);
}

/// The feature index of the path's dummy first element.
const ROOT: usize = usize::MAX;

/// One feature on the path from the root: the share of cover that follows
/// the path when the feature is unknown (`zero`), whether the row itself
/// follows it (`one`), and the permutation weight of subsets of this size.
#[derive(Debug, Clone, Copy)]
struct PathElement {
    feature: usize,
    zero: f64,
    one: f64,
    weight: f64,
}

const EMPTY: PathElement = PathElement { feature: ROOT, zero: 0.0, one: 0.0, weight: 0.0 };

/// Path elements the recursion needs for a tree of `depth` splits: the
/// call at depth d holds a path of at most d + 1 elements (the dummy root
/// element included), stored after its ancestors' paths, so at most
/// 1 + 2 + … + (depth + 1) elements in all.
fn scratch_len(depth: usize) -> usize {
    (depth + 1) * (depth + 2) / 2
}

/// The recursion of Algorithm 2. `scratch[..parent_len]` holds the
/// parent's path; this node's path is built right after it, and its
/// children's after that, so one buffer per row serves every node (the
/// layout of the reference implementation) instead of a copy per node.
#[allow(clippy::too_many_arguments)] // the recursion state of Algorithm 2, named as in the paper
fn recurse(
    nodes: &[TreeNode],
    value_of: impl Fn(usize) -> f64 + Copy,
    phi: &mut [f64],
    index: usize,
    scratch: &mut [PathElement],
    parent_len: usize,
    zero: f64,
    one: f64,
    feature: usize,
) {
    let (parent, path) = scratch.split_at_mut(parent_len);
    path[..parent_len].copy_from_slice(parent);
    let mut len = parent_len;
    extend(path, &mut len, zero, one, feature);
    let node = nodes[index];
    let Some(split) = node.split else {
        for i in 1..len {
            let weight = unwound_sum(&path[..len], i);
            phi[path[i].feature] += weight * (path[i].one - path[i].zero) * node.value;
        }
        return;
    };
    let hot = split.child_for(value_of(split.feature));
    let cold = if hot == split.left { split.right } else { split.left };
    let (mut incoming_zero, mut incoming_one) = (1.0, 1.0);
    // A feature met again: undo its earlier split so that this node redoes it.
    if let Some(k) = path[..len].iter().position(|e| e.feature == split.feature) {
        incoming_zero = path[k].zero;
        incoming_one = path[k].one;
        unwind(path, &mut len, k);
    }
    let hot_zero = nodes[hot].cover / node.cover * incoming_zero;
    let cold_zero = nodes[cold].cover / node.cover * incoming_zero;
    recurse(nodes, value_of, phi, hot, path, len, hot_zero, incoming_one, split.feature);
    recurse(nodes, value_of, phi, cold, path, len, cold_zero, 0.0, split.feature);
}

/// Appends a feature to `path[..len]`, updating the subset-size weights.
fn extend(path: &mut [PathElement], len: &mut usize, zero: f64, one: f64, feature: usize) {
    let depth = *len;
    path[depth] = PathElement { feature, zero, one, weight: if depth == 0 { 1.0 } else { 0.0 } };
    *len += 1;
    let size = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / size;
        path[i].weight = zero * path[i].weight * (depth - i) as f64 / size;
    }
}

/// Removes element `k` from `path[..len]`, undoing its effect on the weights.
fn unwind(path: &mut [PathElement], len: &mut usize, k: usize) {
    let depth = *len - 1;
    let (one, zero) = (path[k].one, path[k].zero);
    let size = (depth + 1) as f64;
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let kept = path[i].weight;
            path[i].weight = next * size / ((i + 1) as f64 * one);
            next = kept - path[i].weight * zero * (depth - i) as f64 / size;
        } else {
            path[i].weight = path[i].weight * size / (zero * (depth - i) as f64);
        }
    }
    for i in k..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
    *len -= 1;
}

/// The total weight the path would have with element `k` removed.
fn unwound_sum(path: &[PathElement], k: usize) -> f64 {
    let depth = path.len() - 1;
    let (one, zero) = (path[k].one, path[k].zero);
    let size = (depth + 1) as f64;
    let mut next = path[depth].weight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let part = next * size / ((i + 1) as f64 * one);
            total += part;
            next = path[i].weight - part * zero * (depth - i) as f64 / size;
        } else {
            total += path[i].weight / zero / ((depth - i) as f64 / size);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::classify::nodes::Split;

    fn leaf(value: f64, cover: f64) -> TreeNode {
        TreeNode { split: None, value, cover, samples: cover as usize }
    }

    fn inner(feature: usize, threshold: f64, left: usize, right: usize, cover: f64) -> TreeNode {
        TreeNode { split: Some(Split { feature, threshold, missing_left: true, left, right, gain: 0.0 }), value: 0.0, cover, samples: cover as usize }
    }

    #[test]
    fn matches_shapley_values_computed_by_hand() {
        // f = x0 ≤ 0 ? (x1 ≤ 0 ? 1 : 3) : 6 with covers 2, (1, 1), 2.
        // For the row (0, 1): f = 3. Coalition values (unknown features
        // averaged by cover): v(∅) = (1 + 3)/4 + 6/2 = 4, v({0}) = 2,
        // v({1}) = 3/2 + 3 = 4.5, v({0,1}) = 3.
        // φ0 = ½[(2 − 4) + (3 − 4.5)] = −1.75, φ1 = ½[(4.5 − 4) + (3 − 2)] = 0.75.
        let tree = Tree::from_nodes(vec![inner(0, 0.0, 1, 4, 4.0), inner(1, 0.0, 2, 3, 2.0), leaf(1.0, 1.0), leaf(3.0, 1.0), leaf(6.0, 2.0)]).unwrap();
        let mut phi = vec![0.0; 2];
        tree_shap(&tree, |f| [0.0, 1.0][f], &mut phi);
        assert!((phi[0] + 1.75).abs() < 1e-12 && (phi[1] - 0.75).abs() < 1e-12, "{phi:?}");
        assert!((tree.expected_value() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn a_feature_split_twice_on_a_path_keeps_additivity() {
        // x0 twice on the same path, x1 elsewhere; checked for several rows.
        let tree = Tree::from_nodes(vec![
            inner(0, 5.0, 1, 2, 10.0),
            inner(0, 2.0, 3, 4, 6.0),
            inner(1, 1.0, 5, 6, 4.0),
            leaf(-1.0, 2.0),
            leaf(0.5, 4.0),
            leaf(2.0, 1.0),
            leaf(4.0, 3.0),
        ])
        .unwrap();
        for row in [[1.0, 0.0], [3.0, 2.0], [7.0, 0.0], [7.0, 2.0], [f64::NAN, 0.0]] {
            let mut phi = vec![0.0; 2];
            tree_shap(&tree, |f| row[f], &mut phi);
            let output = tree.nodes()[tree.leaf_of(|f| row[f])].value;
            assert!((tree.expected_value() + phi[0] + phi[1] - output).abs() < 1e-12, "row {row:?}: {phi:?}");
        }
    }
}
