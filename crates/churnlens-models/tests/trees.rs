//! Tree models for churn prediction (issue #6) on the IBM Telco data and on
//! a fixture from the `shap` package.
//!
//! The Telco feature table comes through the library path (snapshot rows
//! and the one-hot encoder, [`telco`]); the 11 blank TotalCharges stay
//! NaN, a missing value the trees must route. Cross-validation uses the
//! workspace's own `stratified_folds` (5 folds, seed 42) and `roc_auc`
//! (checked against scikit-learn by the evaluation tests).

mod shared_data;

use churnlens_models::ml::classify::{
    Classifier, DecisionTreeParams, FeatureTable, GbdtParams, RandomForestParams, ShapValues, Split, TrainingSet, Tree, TreeNode,
};
use churnlens_models::ml::evaluate::{roc_auc, stratified_folds};
use churnlens_models::prediction::encode::EncoderParams;

/// The Telco table as a training set through the library path, or None
/// when the shared data are absent: the snapshot rows
/// (shared_data::telco_frame) one-hot encoded by `prediction::encode` with
/// its defaults for trees — every level a column, an all-zero `other`
/// column per category (Telco has no rare levels), the 11 blank
/// TotalCharges kept missing (NaN) for the trees to route.
fn telco() -> Option<TrainingSet> {
    let frame = shared_data::telco_frame(&shared_data::shared_data()?);
    let (_, features) = EncoderParams::default().fit(&frame).expect("the encoder fits");
    Some(TrainingSet::new(features, frame.labels).expect("training set"))
}

/// Mean 5-fold stratified ROC AUC (seed 42) of the model `fit` makes, and the per-fold values.
fn cross_validated_auc<M: Classifier>(set: &TrainingSet, fit: impl Fn(&TrainingSet) -> M) -> (f64, Vec<f64>) {
    let folds = stratified_folds(&set.labels, 5, 42);
    let aucs: Vec<f64> = (0..5)
        .map(|fold| {
            let train: Vec<usize> = (0..set.n_rows()).filter(|&i| folds[i] != fold).collect();
            let test: Vec<usize> = (0..set.n_rows()).filter(|&i| folds[i] == fold).collect();
            let model = fit(&set.select_rows(&train));
            let test_set = set.select_rows(&test);
            roc_auc(&test_set.labels, &model.predict_proba(&test_set.features)).expect("both classes in every fold")
        })
        .collect();
    (aucs.iter().sum::<f64>() / aucs.len() as f64, aucs)
}

/// The largest |base + Σ contributions − output| over all rows.
fn additivity_error(shap: &ShapValues, outputs: &[f64]) -> f64 {
    outputs.iter().enumerate().map(|(row, output)| (shap.output(row) - output).abs()).fold(0.0, f64::max)
}

#[test]
fn gradient_boosting_reaches_the_acceptance_auc_on_telco() {
    let Some(set) = telco() else { return };
    assert_eq!((set.n_rows(), set.labels.iter().filter(|&&y| y).count()), (7043, 1869));
    let started = std::time::Instant::now();
    let (mean, folds) = cross_validated_auc(&set, |train| GbdtParams::default().fit(train).expect("gbdt fits"));
    println!("gbdt (defaults): 5-fold ROC AUC {mean:.4} {folds:.4?} in {:.1?}", started.elapsed());
    assert!(mean >= 0.845, "issue #6 acceptance: mean ROC AUC {mean:.4} < 0.845");
}

#[test]
fn the_decision_tree_is_a_reasonable_readable_model_on_telco() {
    let Some(set) = telco() else { return };
    let (mean, folds) = cross_validated_auc(&set, |train| DecisionTreeParams::default().fit(train).expect("tree fits"));
    println!("decision tree (depth 5, leaf 20): 5-fold ROC AUC {mean:.4} {folds:.4?}");
    // A depth-5 tree on Telco ranks well but below boosting; far above chance.
    assert!(mean > 0.80, "decision tree AUC {mean:.4}");
    let tree = DecisionTreeParams::default().max_depth(2).fit(&set).expect("tree fits");
    for rule in tree.rules(churnlens_core::Lang::Zh) {
        println!("{rule}");
    }
    // The classic first split of Telco: month-to-month contracts churn most.
    let root = tree.tree().nodes()[0].split.expect("the root splits");
    assert_eq!(set.features.names()[root.feature], "Contract=Month-to-month");
}

#[test]
fn the_random_forest_ranks_telco_churn_well() {
    let Some(set) = telco() else { return };
    let started = std::time::Instant::now();
    // 50 trees instead of the default 200 keep the dev-profile run short; the ranking barely changes.
    let (mean, folds) = cross_validated_auc(&set, |train| RandomForestParams::default().n_trees(50).fit(train).expect("forest fits"));
    println!("random forest (50 trees): 5-fold ROC AUC {mean:.4} {folds:.4?} in {:.1?}", started.elapsed());
    // Published Telco forests reach about 0.82–0.84; below 0.82 something is wrong.
    assert!(mean > 0.82, "random forest AUC {mean:.4}");
}

#[test]
fn the_random_forest_is_reproducible_by_seed_whatever_the_thread_count() {
    let Some(set) = telco() else { return };
    // Shallow trees: exact TreeSHAP costs leaves × depth² per row and tree.
    let params = RandomForestParams::default().n_trees(8).max_depth(Some(8)).seed(3);
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let a = one_thread.install(|| params.fit(&set).expect("fit"));
    let b = params.fit(&set).expect("fit");
    assert_eq!(a, b, "equal seeds, different thread counts, different forests");
    let c = params.clone().seed(4).fit(&set).expect("fit");
    assert_ne!(a.predict_proba(&set.features), c.predict_proba(&set.features), "the seed has no effect");
    let error = additivity_error(&a.shap_values(&set.features), &a.predict_proba(&set.features));
    println!("forest probability additivity over all {} rows", set.n_rows());
    println!("forest probability additivity: max error {error:.2e}");
    assert!(error < 1e-12);
    let importance = a.feature_importance();
    assert_eq!(importance.splits.iter().sum::<usize>(), a.trees().iter().map(|t| t.n_leaves() - 1).sum::<usize>());
}

#[test]
fn gradient_boosting_is_reproducible_by_seed_whatever_the_thread_count() {
    let Some(set) = telco() else { return };
    let params = GbdtParams::default().n_trees(40).seed(7);
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let a = one_thread.install(|| params.fit(&set).expect("fit"));
    let b = params.fit(&set).expect("fit");
    assert_eq!(a, b, "equal seeds, different thread counts, different models");
    let c = params.clone().seed(8).fit(&set).expect("fit");
    assert_ne!(a.predict_proba(&set.features), c.predict_proba(&set.features), "the seed has no effect");
}

#[test]
fn early_stopping_keeps_the_best_validation_round() {
    let Some(set) = telco() else { return };
    let folds = stratified_folds(&set.labels, 4, 1);
    let train = set.select_rows(&(0..set.n_rows()).filter(|&i| folds[i] != 0).collect::<Vec<_>>());
    let valid = set.select_rows(&(0..set.n_rows()).filter(|&i| folds[i] == 0).collect::<Vec<_>>());
    // A fast learning rate overfits soon, so stopping must cut the ensemble.
    let model = GbdtParams::default().learning_rate(0.5).n_trees(200).early_stopping_rounds(Some(10)).fit_with_validation(&train, &valid).expect("fit");
    let losses = model.validation_loss();
    let best = losses.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).expect("losses");
    assert_eq!(model.trees().len(), best + 1);
    assert_eq!(losses.len(), best + 11, "stopped 10 rounds after the best");
}

#[test]
fn treeshap_adds_up_to_every_telco_prediction() {
    let Some(set) = telco() else { return };
    let gbdt = GbdtParams::default().n_trees(100).fit(&set).expect("gbdt");
    let shap = gbdt.shap_values(&set.features);
    let error = additivity_error(&shap, &gbdt.predict_margin(&set.features));
    println!("gbdt margin additivity: max error {error:.2e} over {} rows", set.n_rows());
    assert!(error < 1e-9);
    let tree = DecisionTreeParams::default().fit(&set).expect("tree");
    let error = additivity_error(&tree.shap_values(&set.features), &tree.predict_proba(&set.features));
    println!("tree probability additivity: max error {error:.2e}");
    assert!(error < 1e-12);
    // Missing TotalCharges rows are explained like the others.
    let total_charges = set.features.names().iter().position(|n| n == "TotalCharges").expect("TotalCharges");
    let missing = (0..set.n_rows()).find(|&i| set.features.column(total_charges)[i].is_nan()).expect("a blank TotalCharges");
    assert!(shap.values[missing].iter().all(|v| v.is_finite()));
}

#[test]
fn gain_importance_ranks_contract_and_tenure_first() {
    let Some(set) = telco() else { return };
    let gbdt = GbdtParams::default().fit(&set).expect("gbdt");
    let importance = gbdt.feature_importance();
    let top: Vec<&str> = importance.ranked().iter().take(5).map(|&j| importance.names[j].as_str()).collect();
    println!("gbdt gain top 5: {top:?}");
    assert!(top.contains(&"Contract=Month-to-month") && top.contains(&"tenure"), "{top:?}");
    assert!((importance.gain_shares().iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(importance.splits.iter().sum::<usize>(), gbdt.trees().iter().map(|t| t.n_leaves() - 1).sum::<usize>());
}

/// A tree built from explicit nodes, as the shap fixture exports them.
fn explicit_tree(children_left: &[i64], children_right: &[i64], feature: &[i64], threshold: &[f64], value: &[f64], cover: &[f64]) -> Tree {
    let nodes = (0..children_left.len())
        .map(|i| {
            let split = (children_left[i] >= 0).then(|| Split {
                feature: feature[i] as usize,
                threshold: threshold[i],
                missing_left: true,
                left: children_left[i] as usize,
                right: children_right[i] as usize,
                gain: 0.0,
            });
            TreeNode { split, value: value[i], cover: cover[i], samples: cover[i].round() as usize }
        })
        .collect();
    Tree::from_nodes(nodes).expect("a valid fixture tree")
}

/// The fixture's trees of one ensemble.
fn fixture_trees(ensemble: &serde_json::Value) -> Vec<Tree> {
    let ints = |t: &serde_json::Value, key: &str| -> Vec<i64> { t[key].as_array().expect(key).iter().map(|v| v.as_i64().expect("integer")).collect() };
    let floats = |t: &serde_json::Value, key: &str| -> Vec<f64> { t[key].as_array().expect(key).iter().map(|v| v.as_f64().expect("number")).collect() };
    ensemble["trees"]
        .as_array()
        .expect("trees")
        .iter()
        .map(|t| {
            explicit_tree(
                &ints(t, "children_left"),
                &ints(t, "children_right"),
                &ints(t, "feature"),
                &floats(t, "threshold"),
                &floats(t, "value"),
                &floats(t, "cover"),
            )
        })
        .collect()
}

/// Largest |ours − shap's| over the base value and every contribution.
fn largest_shap_deviation(ours: &ShapValues, ensemble: &serde_json::Value) -> f64 {
    let expected = ensemble["shap_values"].as_array().expect("shap_values");
    let mut deviation = (ours.base_value - ensemble["expected_value"].as_f64().expect("expected_value")).abs();
    for (row, values) in expected.iter().enumerate() {
        for (feature, value) in values.as_array().expect("row").iter().enumerate() {
            deviation = deviation.max((ours.values[row][feature] - value.as_f64().expect("number")).abs());
        }
    }
    deviation
}

#[test]
fn treeshap_matches_the_shap_package_on_scikit_learn_ensembles() {
    // tests/fixtures/trees_shap.json: reference/shap_reference.py (shap 0.51.0,
    // scikit-learn 1.9.1): 3 random-forest trees (probability, mean) and 3
    // boosting trees (log-odds, initial score + sum) of depth 3 on 120 rows.
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared_data::manifest_dir().join("tests/fixtures/trees_shap.json")).expect("fixture")).expect("json");
    let rows: Vec<Vec<f64>> =
        fixture["rows"].as_array().expect("rows").iter().map(|r| r.as_array().expect("row").iter().map(|v| v.as_f64().expect("x")).collect()).collect();
    let columns = (0..rows[0].len()).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let table = FeatureTable::new((0..rows[0].len()).map(|j| format!("x{j}")).collect(), columns).expect("table");

    let forest = fixture_trees(&fixture["forest"]);
    let ours = ShapValues::from_trees(&forest, 1.0 / forest.len() as f64, 0.0, &table);
    let deviation = largest_shap_deviation(&ours, &fixture["forest"]);
    println!("forest: largest deviation from shap {deviation:.2e}");
    assert!(deviation < 1e-9);
    let predictions = fixture["forest"]["predictions"].as_array().expect("predictions");
    for (row, p) in predictions.iter().enumerate() {
        let mean = forest.iter().map(|t| t.predict_row(&table, row)).sum::<f64>() / forest.len() as f64;
        assert!((mean - p.as_f64().expect("p")).abs() < 1e-12, "the rebuilt forest predicts row {row} differently");
    }

    let boosting = fixture_trees(&fixture["boosting"]);
    let initial = fixture["boosting"]["initial_score"].as_f64().expect("initial_score");
    let ours = ShapValues::from_trees(&boosting, 1.0, initial, &table);
    let deviation = largest_shap_deviation(&ours, &fixture["boosting"]);
    println!("boosting: largest deviation from shap {deviation:.2e}");
    assert!(deviation < 1e-9);
    let margins = fixture["boosting"]["margins"].as_array().expect("margins");
    for (row, m) in margins.iter().enumerate() {
        assert!((ours.output(row) - m.as_f64().expect("margin")).abs() < 1e-9, "row {row}: SHAP does not add up to scikit-learn's margin");
    }
}
