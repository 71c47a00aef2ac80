//! Random forest for churn (Breiman 2001): CART trees grown on bootstrap
//! samples of the rows, each split choosing among a random subset of the
//! features; P(churn) is the mean of the trees' leaf shares of churned
//! rows, as scikit-learn's `RandomForestClassifier` computes it.
//!
//! The trees are grown in parallel with rayon. Each tree draws from its own
//! generator, seeded from the forest's seed in tree order before any tree
//! is grown, so the forest does not depend on the number of threads.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ml::MlError;
use crate::ml::classify::nodes::{FeatureImportance, Tree, check_columns};
use crate::ml::classify::shap::ShapValues;
use crate::ml::classify::tree::{CartSettings, RankedColumns, grow_cart};
use crate::ml::classify::{ClassWeight, Classifier, FeatureTable, TrainingSet, TreeSum};
use crate::ml::rng::SplitMix64;

/// How many features each split may choose from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// ⌈√features⌉, at least 1 (scikit-learn's `"sqrt"`).
    Sqrt,
    /// ⌈log₂ features⌉, at least 1.
    Log2,
    /// Every feature (bagged trees).
    All,
    /// A fixed number (capped at the feature count).
    Count(usize),
    /// A share of the features in (0, 1], rounded up.
    Share(f64),
}

impl MaxFeatures {
    fn resolve(self, n_features: usize) -> Result<usize, MlError> {
        let n = n_features as f64;
        let count = match self {
            MaxFeatures::Sqrt => n.sqrt().ceil() as usize,
            MaxFeatures::Log2 => n.log2().ceil() as usize,
            MaxFeatures::All => n_features,
            MaxFeatures::Count(k) if k >= 1 => k,
            MaxFeatures::Share(s) if s > 0.0 && s <= 1.0 => (s * n).ceil() as usize,
            _ => return Err(MlError::InvalidParameter { name: "max_features", reason: "must be a count ≥ 1 or a share in (0, 1]" }),
        };
        Ok(count.clamp(1, n_features))
    }
}

/// Settings of a random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForestParams {
    n_trees: usize,
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: MaxFeatures,
    bootstrap: bool,
    class_weight: ClassWeight,
    seed: u64,
}

impl Default for RandomForestParams {
    /// 200 trees of unlimited depth with at least 5 rows per leaf, √features
    /// per split, bootstrap on, equal class weights, seed 0. scikit-learn's
    /// default leaf of 1 row gives leaf shares of 0 or 1 and poorly ranked
    /// churn probabilities; 5 rows keep them graded (Telco AUC in tests/trees.rs).
    fn default() -> Self {
        RandomForestParams {
            n_trees: 200,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 5,
            max_features: MaxFeatures::Sqrt,
            bootstrap: true,
            class_weight: ClassWeight::Uniform,
            seed: 0,
        }
    }
}

impl RandomForestParams {
    /// The number of trees (≥ 1; default 200).
    pub fn n_trees(mut self, trees: usize) -> Self {
        self.n_trees = trees;
        self
    }

    /// The greatest depth of each tree (`None`, the default, for unlimited).
    pub fn max_depth(mut self, depth: Option<usize>) -> Self {
        self.max_depth = depth;
        self
    }

    /// The fewest rows a node needs to be split (≥ 2; default 2).
    pub fn min_samples_split(mut self, rows: usize) -> Self {
        self.min_samples_split = rows;
        self
    }

    /// The fewest rows in each leaf (≥ 1; default 5).
    pub fn min_samples_leaf(mut self, rows: usize) -> Self {
        self.min_samples_leaf = rows;
        self
    }

    /// The candidate features per split (default √features).
    pub fn max_features(mut self, max_features: MaxFeatures) -> Self {
        self.max_features = max_features;
        self
    }

    /// Whether each tree sees a bootstrap sample (default) or all rows.
    pub fn bootstrap(mut self, bootstrap: bool) -> Self {
        self.bootstrap = bootstrap;
        self
    }

    /// The class weights (default equal).
    pub fn class_weight(mut self, weight: ClassWeight) -> Self {
        self.class_weight = weight;
        self
    }

    /// The seed of the bootstrap samples and feature draws (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fits the forest with every row weighing its class weight.
    pub fn fit(&self, set: &TrainingSet) -> Result<RandomForest, MlError> {
        self.fit_weighted(set, None)
    }

    /// Fits the forest with row `i` weighing `sample_weights[i]` times its class weight.
    pub fn fit_weighted(&self, set: &TrainingSet, sample_weights: Option<&[f64]>) -> Result<RandomForest, MlError> {
        if self.n_trees == 0 {
            return Err(MlError::InvalidParameter { name: "n_trees", reason: "must be at least 1" });
        }
        if self.max_depth == Some(0) || self.min_samples_split < 2 || self.min_samples_leaf == 0 {
            return Err(MlError::InvalidParameter { name: "max_depth / min_samples_split / min_samples_leaf", reason: "must be at least 1 / 2 / 1" });
        }
        let n = set.n_rows();
        if n == 0 {
            return Err(MlError::TooFewRows { needed: 1, found: 0 });
        }
        let settings = CartSettings {
            max_depth: self.max_depth.unwrap_or(usize::MAX),
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: Some(self.max_features.resolve(set.features.n_features())?),
        };
        let weights = self.class_weight.row_weights(set, sample_weights)?;
        if weights.iter().all(|&w| w == 0.0) {
            return Err(MlError::InvalidParameter { name: "sample weights", reason: "must not all be zero" });
        }
        let mut master = SplitMix64::new(self.seed);
        let tree_seeds: Vec<u64> = (0..self.n_trees).map(|_| master.next_u64()).collect();
        let columns = RankedColumns::new(set.features.columns());
        let trees: Vec<Tree> = tree_seeds
            .into_par_iter()
            .map(|seed| {
                let mut rng = SplitMix64::new(seed);
                loop {
                    let drawn: Vec<usize> = if self.bootstrap { (0..n).map(|_| rng.below(n)).collect() } else { (0..n).collect() };
                    let rows: Vec<usize> = drawn.into_iter().filter(|&i| weights[i] > 0.0).collect();
                    // A bootstrap of only zero-weight rows would give an empty tree: draw again.
                    if !rows.is_empty() {
                        break grow_cart(&columns, &set.labels, &weights, rows, &settings, Some(&mut rng));
                    }
                }
            })
            .collect();
        Ok(RandomForest { feature_names: set.features.names().to_vec(), trees })
    }
}

/// A fitted random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForest {
    feature_names: Vec<String>,
    trees: Vec<Tree>,
}

impl RandomForest {
    /// The feature names, in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The trees; each leaf holds the weighted share of churned rows.
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Gini decrease per feature averaged over the trees, and the total split count.
    pub fn feature_importance(&self) -> FeatureImportance {
        let mut importance = FeatureImportance::zero(&self.feature_names);
        for tree in &self.trees {
            tree.add_importance(&mut importance);
        }
        let n = self.trees.len() as f64;
        importance.gain.iter_mut().for_each(|g| *g /= n);
        importance
    }

    /// Exact TreeSHAP in probability space: the mean of the trees'
    /// explanations, adding up to the predicted probability.
    pub fn shap_values(&self, features: &FeatureTable) -> ShapValues {
        check_columns(features, self.feature_names.len());
        ShapValues::from_trees(&self.trees, 1.0 / self.trees.len() as f64, 0.0, features)
    }
}

impl Classifier for RandomForest {
    fn predict_proba(&self, features: &FeatureTable) -> Vec<f64> {
        check_columns(features, self.feature_names.len());
        let n = self.trees.len() as f64;
        (0..features.n_rows()).into_par_iter().map(|row| self.trees.iter().map(|t| t.predict_row(features, row)).sum::<f64>() / n).collect()
    }

    fn tree_sum(&self) -> Option<TreeSum<'_>> {
        let n = self.trees.len() as f64;
        Some(TreeSum { trees: &self.trees, finish: Box::new(move |sum| sum / n) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_feature_counts_as_scikit_learn() {
        // 46 features: ⌈√46⌉ = 7, ⌈log₂ 46⌉ = 6, ⌈0.25 × 46⌉ = 12.
        assert_eq!(MaxFeatures::Sqrt.resolve(46), Ok(7));
        assert_eq!(MaxFeatures::Log2.resolve(46), Ok(6));
        assert_eq!(MaxFeatures::Share(0.25).resolve(46), Ok(12));
        assert_eq!(MaxFeatures::Count(100).resolve(46), Ok(46));
        assert!(MaxFeatures::Share(0.0).resolve(46).is_err());
    }

    #[test]
    fn without_bootstrap_and_with_all_features_every_tree_is_the_plain_tree() {
        let x: Vec<f64> = (0..40).map(f64::from).collect();
        let labels: Vec<bool> = (0..40).map(|i| i % 3 == 0 || i > 30).collect();
        let set = TrainingSet::new(FeatureTable::new(vec!["x".into()], vec![x]).unwrap(), labels).unwrap();
        let forest = RandomForestParams::default().n_trees(3).bootstrap(false).max_features(MaxFeatures::All).min_samples_leaf(3).fit(&set).unwrap();
        let tree = crate::ml::classify::DecisionTreeParams::default().max_depth(64).min_samples_leaf(3).fit(&set).unwrap();
        // The mean of three equal trees, up to the rounding of (p + p + p) / 3.
        for (f, t) in forest.predict_proba(&set.features).iter().zip(tree.predict_proba(&set.features)) {
            assert!((f - t).abs() < 1e-15);
        }
    }
}
