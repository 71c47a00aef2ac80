"""TreeSHAP reference values for churnlens (issue #6): exact path-dependent
SHAP values from the `shap` package for two small scikit-learn ensembles,
with every tree's structure, so the Rust test can rebuild the same trees and
compare its TreeSHAP to 1e-9.

- forest: RandomForestClassifier, 3 trees of depth 3 (bootstrap on), in
  probability space: the mean of the trees' leaf shares of class 1.
- boosting: GradientBoostingClassifier, 3 trees of depth 3, learning rate
  0.5, in log-odds margin space: initial log-odds + 0.5 × Σ tree outputs.

Data: 120 synthetic rows of 5 features, rounded to float32 (scikit-learn
compares float32 features with float64 thresholds; exporting the float32
values as float64 keeps every comparison the same in Rust). Each tree node
exports children (-1 for a leaf), feature, threshold (x <= threshold goes
left), value and cover (weighted_n_node_samples, what shap uses).

Run: ~/.cache/churnlens/ref-venv-shap/bin/python reference/shap_reference.py
writes crates/churnlens-models/tests/fixtures/trees_shap.json.
"""

import json
from pathlib import Path

import numpy as np
import shap
import sklearn
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

rng = np.random.default_rng(6)
n, p = 120, 5
X = np.round(rng.normal(size=(n, p)), 2).astype(np.float32)
logit = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] * X[:, 3]
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)


def export_tree(tree, scale):
    t = tree.tree_
    return {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "value": (scale(t.value)).tolist(),
        "cover": t.weighted_n_node_samples.tolist(),
    }


forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
forest_explainer = shap.TreeExplainer(forest)
forest_shap = np.asarray(forest_explainer.shap_values(X))
# Newer shap returns (rows, features, classes); class 1 is churned.
forest_shap = forest_shap[:, :, 1] if forest_shap.ndim == 3 else forest_shap[1]
# Leaf values: share of class 1 (scikit-learn >= 1.4 stores class shares).
forest_trees = [export_tree(e, lambda v: v[:, 0, 1] / v[:, 0, :].sum(axis=1)) for e in forest.estimators_]

boosting = GradientBoostingClassifier(n_estimators=3, max_depth=3, learning_rate=0.5, random_state=0).fit(X, y)
boosting_explainer = shap.TreeExplainer(boosting)
boosting_shap = np.asarray(boosting_explainer.shap_values(X))
boosting_trees = [export_tree(e[0], lambda v: 0.5 * v[:, 0, 0]) for e in boosting.estimators_]
initial = float(boosting._raw_predict_init(X[:1])[0, 0])

fixture = {
    "source": "reference/shap_reference.py",
    "versions": {"shap": shap.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__},
    "rows": X.astype(np.float64).tolist(),
    "forest": {
        "trees": forest_trees,
        "expected_value": float(np.ravel(forest_explainer.expected_value)[1]),
        "shap_values": forest_shap.tolist(),
        "predictions": forest.predict_proba(X)[:, 1].tolist(),
    },
    "boosting": {
        "trees": boosting_trees,
        "initial_score": initial,
        "expected_value": float(np.ravel(boosting_explainer.expected_value)[0]),
        "shap_values": boosting_shap.tolist(),
        "margins": boosting.decision_function(X).tolist(),
    },
}
out = Path(__file__).resolve().parent.parent / "crates/churnlens-models/tests/fixtures/trees_shap.json"
out.write_text(json.dumps(fixture, indent=1) + "\n")
print("wrote", out)
