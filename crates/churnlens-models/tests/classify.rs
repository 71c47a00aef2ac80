//! Churn classifiers and their evaluation (issue #6) against scikit-learn
//! 1.9.1, scipy 1.17.1 and numpy 2.4.6.
//!
//! The expected values are tests/fixtures/classify_*.json, written by
//! reference/classify_reference.py, which states every choice (the
//! synthetic data, the Telco encoding — the one the library's snapshot
//! rows and encoder give, read here through that path — the decile rule).
//! Tolerances:
//! * ROC AUC, average precision, log loss, Brier score, accuracy,
//!   precision, recall, F1, calibration curve, gains and lift: 1e-12
//!   absolute; confusion counts equal; on scores with heavy ties;
//! * logistic regression coefficients and intercepts: 1e-4 absolute
//!   (the acceptance bar; the measured deviation is printed);
//! * Telco: 5-fold stratified CV mean ROC AUC of logistic regression at
//!   least 0.84 (the acceptance bar);
//! * SVM decision values (linear, RBF with gamma "scale", RBF with class
//!   weights) 1e-5 absolute against scikit-learn's SVC at tolerance 1e-10,
//!   intercepts 1e-6, gamma 1e-12, the same number of support vectors;
//! * Platt's sigmoid (A, B) 1e-5 against scipy's BFGS minimisation of the
//!   same objective;
//! * the correlated-feature groups of global importance
//!   (tests/fixtures/correlation_groups.json, reference/correlation_reference.py):
//!   Spearman's rho 1e-12 absolute against pandas, the complete-linkage
//!   groups equal to scipy's.
//!
//! The Telco tests read ../shared/data and are skipped (loudly) without it.

mod shared_data;

use std::path::Path;

use churnlens_models::ml::classify::svm::fit_sigmoid;
use churnlens_models::ml::classify::{
    ClassWeight, Classifier, DecisionTreeParams, FeatureTable, Gamma, GbdtParams, Kernel, LogisticParams, RandomForestParams, SvmParams, TrainingSet,
};
use churnlens_models::ml::evaluate::{
    BinaryMetrics, ConfusionMatrix, average_precision, brier_score, calibration_curve, cross_validate, gains_by_decile, log_loss, permutation_importance,
    roc_auc, stratified_folds,
};
use churnlens_models::prediction::encode::{EncoderParams, MissingValues};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = shared_data::manifest_dir().join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn number(value: &Value) -> f64 {
    value.as_f64().expect("a number")
}

fn numbers(value: &Value) -> Vec<f64> {
    value.as_array().expect("an array").iter().map(number).collect()
}

fn flags(value: &Value) -> Vec<bool> {
    value.as_array().expect("an array").iter().map(|v| v.as_bool().expect("a boolean")).collect()
}

fn count(value: &Value) -> usize {
    value.as_u64().expect("a count") as usize
}

/// Asserts |actual − expected| ≤ tolerance and returns the deviation.
fn check(what: &str, actual: f64, expected: f64, tolerance: f64) -> f64 {
    let deviation = (actual - expected).abs();
    assert!(deviation <= tolerance, "{what}: {actual} vs {expected} (deviation {deviation:e} > {tolerance:e})");
    deviation
}

#[test]
fn metrics_match_scikit_learn_on_tied_and_continuous_scores() {
    let expected = fixture("classify_metrics.json");
    let mut worst: f64 = 0.0;
    for case in ["ties", "continuous", "edges"] {
        let e = &expected[case];
        let labels = flags(&e["labels"]);
        let scores = numbers(&e["scores"]);
        worst = worst.max(check(&format!("{case} roc auc"), roc_auc(&labels, &scores).unwrap(), number(&e["roc_auc"]), 1e-12));
        worst = worst.max(check(&format!("{case} average precision"), average_precision(&labels, &scores).unwrap(), number(&e["average_precision"]), 1e-12));
        worst = worst.max(check(&format!("{case} log loss"), log_loss(&labels, &scores).unwrap(), number(&e["log_loss"]), 1e-12));
        worst = worst.max(check(&format!("{case} brier"), brier_score(&labels, &scores).unwrap(), number(&e["brier"]), 1e-12));
        for at in e["at_threshold"].as_array().unwrap() {
            let threshold = number(&at["threshold"]);
            let m = ConfusionMatrix::at_threshold(&labels, &scores, threshold);
            let counts = [m.true_negatives, m.false_positives, m.false_negatives, m.true_positives];
            assert_eq!(counts, [count(&at["tn"]), count(&at["fp"]), count(&at["fn"]), count(&at["tp"])], "{case} at {threshold}");
            for (name, actual) in [("accuracy", m.accuracy()), ("precision", m.precision()), ("recall", m.recall()), ("f1", m.f1())] {
                worst = worst.max(check(&format!("{case} {name} at {threshold}"), actual, number(&at[name]), 1e-12));
            }
        }
        for bins in [5, 10] {
            let curve = calibration_curve(&labels, &scores, bins);
            let reference = &e["calibration"][bins.to_string()];
            let (fraction, mean) = (numbers(&reference["fraction_positive"]), numbers(&reference["mean_predicted"]));
            assert_eq!(curve.len(), fraction.len(), "{case}: non-empty bins of {bins}");
            for (bin, (f, m)) in curve.iter().zip(fraction.iter().zip(&mean)) {
                worst = worst.max(check(&format!("{case} calibration fraction"), bin.fraction_positive, *f, 1e-12));
                worst = worst.max(check(&format!("{case} calibration mean"), bin.mean_predicted, *m, 1e-12));
            }
        }
        let deciles = gains_by_decile(&labels, &scores).unwrap();
        let g = &e["gains"];
        for (d, decile) in deciles.iter().enumerate() {
            assert_eq!((decile.rows, decile.positives), (count(&g["rows"][d]), count(&g["positives"][d])), "{case} decile {}", d + 1);
            worst = worst.max(check(&format!("{case} gain"), decile.cumulative_gain, number(&g["cumulative_gain"][d]), 1e-12));
            worst = worst.max(check(&format!("{case} lift"), decile.lift, number(&g["lift"][d]), 1e-12));
            worst = worst.max(check(&format!("{case} cumulative lift"), decile.cumulative_lift, number(&g["cumulative_lift"][d]), 1e-12));
        }
    }
    println!("metrics: largest deviation from scikit-learn/numpy {worst:e}");
}

fn table_of(columns: Vec<Vec<f64>>, names: Vec<String>) -> FeatureTable {
    FeatureTable::new(names, columns).expect("a valid table")
}

fn logistic_params(fit: &Value) -> LogisticParams {
    let weights = if fit["balanced"].as_bool().unwrap() { ClassWeight::Balanced } else { ClassWeight::Uniform };
    LogisticParams::new().c(number(&fit["c"])).standardize(fit["standardize"].as_bool().unwrap()).class_weight(weights)
}

/// Fits every reference configuration on `set` and compares coefficients,
/// intercept and the first probabilities; returns the largest deviation.
fn compare_logistic(what: &str, set: &TrainingSet, fits: &Value) -> f64 {
    let mut worst: f64 = 0.0;
    for fit in fits.as_array().unwrap() {
        let model = logistic_params(fit).fit(set).expect("the fit converges");
        let label = format!("{what} C={} standardize={} balanced={}", fit["c"], fit["standardize"], fit["balanced"]);
        for (j, (actual, expected)) in model.fitted_coefficients().iter().zip(numbers(&fit["coefficients"])).enumerate() {
            worst = worst.max(check(&format!("{label} coefficient {j}"), *actual, expected, 1e-4));
        }
        worst = worst.max(check(&format!("{label} intercept"), model.fitted_intercept(), number(&fit["intercept"]), 1e-4));
        let first = set.select_rows(&(0..10).collect::<Vec<_>>());
        for (p, expected) in model.predict_proba(&first.features).iter().zip(numbers(&fit["proba_first_rows"])) {
            worst = worst.max(check(&format!("{label} probability"), *p, expected, 1e-6));
        }
        println!("{label}: {} Newton iterations (scikit-learn newton-cholesky {})", model.iterations(), fit["iterations"]);
    }
    worst
}

#[test]
fn logistic_regression_matches_scikit_learn_on_synthetic_data() {
    let expected = fixture("classify_logistic.json");
    let synthetic = &expected["synthetic"];
    let columns: Vec<Vec<f64>> = synthetic["columns"].as_array().unwrap().iter().map(numbers).collect();
    let names = (0..columns.len()).map(|j| format!("x{j}")).collect();
    let set = TrainingSet::new(table_of(columns, names), flags(&synthetic["labels"])).unwrap();
    let worst = compare_logistic("synthetic", &set, &synthetic["fits"]);
    println!("synthetic logistic regression: largest deviation from scikit-learn {worst:e}");
}

/// The Telco table through the library path: the snapshot rows
/// (shared_data::telco_frame) one-hot encoded by `prediction::encode` with
/// imputation, the encoding the SVM and logistic regression get — every
/// level a column ("Column=level", most frequent first) plus an `other`
/// column for rare levels (none in Telco, so it is all zero), the 11 blank
/// TotalCharges (tenure 0) as the median with a `TotalCharges_missing`
/// indicator. reference/classify_reference.py encodes it the same way.
fn telco(dir: &Path) -> TrainingSet {
    let frame = shared_data::telco_frame(dir);
    let (_, features) = EncoderParams { missing: MissingValues::Impute, ..EncoderParams::default() }.fit(&frame).expect("the encoder fits");
    TrainingSet::new(features, frame.labels).unwrap()
}

#[test]
fn logistic_regression_matches_scikit_learn_on_telco() {
    let Some(dir) = shared_data::shared_data() else { return };
    let expected = fixture("classify_logistic.json");
    let set = telco(&dir);
    let names: Vec<String> = expected["telco"]["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(set.features.names(), names.as_slice(), "the same one-hot encoding as the reference script");
    assert_eq!((set.n_rows(), set.labels.iter().filter(|&&y| y).count()), (count(&expected["telco"]["rows"]), count(&expected["telco"]["positives"])));
    let worst = compare_logistic("telco", &set, &expected["telco"]["fits"]);
    println!("telco logistic regression: largest deviation from scikit-learn {worst:e}");
}

#[test]
fn telco_five_fold_cross_validated_auc_of_logistic_regression_reaches_0_84() {
    let Some(dir) = shared_data::shared_data() else { return };
    let set = telco(&dir);
    let cv = cross_validate(&set, 5, 42, 0.5, |train| LogisticParams::new().fit(train)).unwrap();
    let aucs: Vec<String> = cv.per_fold.iter().map(|f| format!("{:.4}", f.roc_auc)).collect();
    println!(
        "telco logistic regression, 5-fold stratified CV: ROC AUC per fold [{}], mean {:.4}; PR AUC {:.4}; log loss {:.4}; Brier {:.4}; F1 at 0.5 {:.4}",
        aucs.join(", "),
        cv.mean.roc_auc,
        cv.mean.pr_auc,
        cv.mean.log_loss,
        cv.mean.brier,
        cv.mean.f1
    );
    assert!(cv.mean.roc_auc >= 0.84, "mean CV ROC AUC {:.4} is below the 0.84 acceptance bar", cv.mean.roc_auc);
    // The pooled out-of-fold AUC agrees with the fold mean to within fold noise.
    assert!((cv.pooled.roc_auc - cv.mean.roc_auc).abs() < 0.01);

    // Permutation importance of a model fitted on everything: the contract
    // length is the strongest churn driver in Telco (the diagnosis issue's
    // Cramér's V ranks it first), so some Contract level must be among the
    // five features whose shuffling hurts AUC most.
    let model = LogisticParams::new().fit(&set).unwrap();
    let mut importances = permutation_importance(&model, &set, 3, 7).unwrap();
    importances.sort_by(|a, b| b.mean_drop.total_cmp(&a.mean_drop));
    let top: Vec<&str> = importances[..5].iter().map(|i| i.feature.as_str()).collect();
    println!("telco permutation importance, top five: {top:?}");
    assert!(top.iter().any(|f| f.starts_with("Contract=") || *f == "tenure"), "{top:?}");
}

fn columns_of(value: &Value) -> Vec<Vec<f64>> {
    value.as_array().unwrap().iter().map(numbers).collect()
}

#[test]
fn svm_decision_values_match_scikit_learn_svc() {
    let expected = fixture("classify_svm.json");
    let train_columns = columns_of(&expected["train_columns"]);
    let names: Vec<String> = (0..train_columns.len()).map(|j| format!("x{j}")).collect();
    let set = TrainingSet::new(table_of(train_columns, names.clone()), flags(&expected["train_labels"])).unwrap();
    let test = table_of(columns_of(&expected["test_columns"]), names);
    let mut worst: f64 = 0.0;
    for fit in expected["fits"].as_array().unwrap() {
        let kernel = match (fit["kernel"].as_str().unwrap(), fit["gamma"].as_f64()) {
            ("linear", _) => Kernel::Linear,
            (_, Some(gamma)) => Kernel::Rbf(Gamma::Value(gamma)),
            (_, None) => Kernel::Rbf(Gamma::Scale),
        };
        let weights = if fit["balanced"].as_bool().unwrap() { ClassWeight::Balanced } else { ClassWeight::Uniform };
        // scikit-learn's SVC does not standardise; its tolerance was 1e-10.
        let model = SvmParams::new().kernel(kernel).c(number(&fit["c"])).class_weight(weights).standardize(false).tolerance(1e-10).fit(&set).unwrap();
        let label = format!("{} C={}", fit["kernel"], fit["c"]);
        if let Some(gamma) = model.gamma() {
            worst = worst.max(check(&format!("{label} gamma"), gamma, number(&fit["gamma_used"]), 1e-12));
        }
        worst = worst.max(check(&format!("{label} intercept"), model.intercept(), number(&fit["intercept"]), 1e-6));
        for (rows, key) in [(&set.features, "decision_train"), (&test, "decision_test")] {
            for (actual, expected) in model.decision_function(rows).iter().zip(numbers(&fit[key])) {
                worst = worst.max(check(&format!("{label} {key}"), *actual, expected, 1e-5));
            }
        }
        assert_eq!(model.n_support(), count(&fit["support_vectors"]), "{label} support vectors");
        let p = model.predict_proba(&test);
        assert!(p.iter().all(|p| (0.0..=1.0).contains(p)));
    }
    println!("svm: largest deviation from scikit-learn SVC {worst:e}");
}

#[test]
fn platt_sigmoid_matches_a_direct_minimisation_with_scipy() {
    let platt = &fixture("classify_svm.json")["platt"];
    let (a, b) = fit_sigmoid(&numbers(&platt["decision"]), &flags(&platt["labels"]));
    // libsvm's Newton stops at a gradient below 1e-5; BFGS went to 1e-12.
    let worst = check("A", a, number(&platt["a"]), 1e-5).max(check("B", b, number(&platt["b"]), 1e-5));
    println!("platt: A = {a}, B = {b}; largest deviation from scipy {worst:e}");
}

#[test]
fn telco_five_fold_cross_validated_svms_rank_churners_well() {
    let Some(dir) = shared_data::shared_data() else { return };
    // Every fifth customer (1,409 rows): even with shrinking, the full
    // table's 2 × 5 × 6 fits take several minutes in the test profile (the
    // figures are in the svm module's documentation); the figures on a
    // fifth of Telco are the same kind of check.
    let full = telco(&dir);
    let set = full.select_rows(&(0..full.n_rows()).step_by(5).collect::<Vec<_>>());
    // The linear kernel at C = 0.1: at C = 1 the solver needs about a million
    // iterations per fit on these collinear one-hot columns (90 s here).
    for (name, kernel, c) in [("linear", Kernel::Linear, 0.1), ("RBF", Kernel::Rbf(Gamma::Scale), 1.0)] {
        let started = std::time::Instant::now();
        let cv = cross_validate(&set, 5, 42, 0.5, |train| SvmParams::new().kernel(kernel).c(c).fit(train)).unwrap();
        println!(
            "telco every fifth row ({} rows), SVM ({name}, C = {c}, Platt-scaled), 5-fold stratified CV: mean ROC AUC {:.4}, PR AUC {:.4}, log loss {:.4}, Brier {:.4} ({:.1} s)",
            set.n_rows(),
            cv.mean.roc_auc,
            cv.mean.pr_auc,
            cv.mean.log_loss,
            cv.mean.brier,
            started.elapsed().as_secs_f64()
        );
        // On a fifth of Telco the SVMs rank below logistic regression on all of
        // it (0.846); measured 0.82 (linear, C = 1) and 0.79 (RBF). A broken
        // solver or sigmoid falls to 0.5; 0.75 leaves room for fold noise.
        assert!(cv.mean.roc_auc >= 0.75, "{name} SVM mean CV ROC AUC {:.4}", cv.mean.roc_auc);
        // Platt scaling gives calibrated probabilities: the mean predicted churn
        // probability is close to the observed churn rate (26.5 %).
        let mean_probability = cv.out_of_fold.iter().sum::<f64>() / cv.out_of_fold.len() as f64;
        assert!((mean_probability - set.positive_rate()).abs() < 0.02, "{name}: mean probability {mean_probability:.4}");
    }
}

/// Every `share`-th row of each class of `set` (a stratified thinning that keeps the churn rate).
fn thinned(set: &TrainingSet, share: usize) -> TrainingSet {
    let (mut seen, mut keep) = ([0usize; 2], Vec::new());
    for (i, &y) in set.labels.iter().enumerate() {
        let class = usize::from(y);
        if seen[class] % share == 0 {
            keep.push(i);
        }
        seen[class] += 1;
    }
    set.select_rows(&keep)
}

#[test]
fn telco_five_families_through_the_library_path_in_one_comparison_table() {
    let Some(dir) = shared_data::shared_data() else { return };
    let frame = shared_data::telco_frame(&dir);
    let folds = stratified_folds(&frame.labels, 5, 42);
    // The SVM trains on every third row of each training fold: the full
    // 5-fold CV takes 4.5 (RBF) to 8 (linear) minutes in the test profile
    // (six solves per fit); the other families train on everything.
    const SVM_SHARE: usize = 3;
    let families = ["logistic", "tree", "forest", "svm", "gbdt"];
    let mut per_family: Vec<Vec<BinaryMetrics>> = vec![Vec::new(); families.len()];
    let mut seconds = vec![0.0; families.len()];
    for fold in 0..5 {
        let train: Vec<usize> = (0..frame.n_rows()).filter(|&i| folds[i] != fold).collect();
        let test: Vec<usize> = (0..frame.n_rows()).filter(|&i| folds[i] == fold).collect();
        let (train_frame, test_frame) = (frame.select_rows(&train), frame.select_rows(&test));
        // Each fold fits its own encoders on its training rows only (medians, levels).
        let encoded = |missing: MissingValues| {
            let (encoder, features) = EncoderParams { missing, ..EncoderParams::default() }.fit(&train_frame).expect("the encoder fits");
            let test_features = encoder.transform(&test_frame).expect("the test rows encode");
            (TrainingSet::new(features, train_frame.labels.clone()).unwrap(), test_features)
        };
        let (linear_train, linear_test) = encoded(MissingValues::Impute);
        let (tree_train, tree_test) = encoded(MissingValues::Keep);
        for (f, family) in families.iter().enumerate() {
            let started = std::time::Instant::now();
            let probabilities = match *family {
                "logistic" => LogisticParams::new().fit(&linear_train).unwrap().predict_proba(&linear_test),
                "tree" => DecisionTreeParams::default().fit(&tree_train).unwrap().predict_proba(&tree_test),
                "forest" => RandomForestParams::default().n_trees(50).fit(&tree_train).unwrap().predict_proba(&tree_test),
                "svm" => SvmParams::new().fit(&thinned(&linear_train, SVM_SHARE)).unwrap().predict_proba(&linear_test),
                _ => GbdtParams::default().fit(&tree_train).unwrap().predict_proba(&tree_test),
            };
            seconds[f] += started.elapsed().as_secs_f64();
            per_family[f].push(BinaryMetrics::measure(&test_frame.labels, &probabilities, 0.5).unwrap());
        }
    }
    let mean = |metrics: &[BinaryMetrics], pick: fn(&BinaryMetrics) -> f64| metrics.iter().map(pick).sum::<f64>() / metrics.len() as f64;
    println!("Telco, 5-fold stratified CV (seed 42), library snapshot rows and encoder; means over folds");
    println!("{:<44} {:>8} {:>8} {:>8} {:>8} {:>8}", "model", "ROC AUC", "PR AUC", "log loss", "Brier", "seconds");
    let labels = [
        "logistic regression (L2, C = 1)",
        "decision tree (depth 5)",
        "random forest (50 trees)",
        "SVM (RBF, C = 1, Platt; 1/3 of training rows)",
        "gradient boosting (defaults)",
    ];
    let mut auc = Vec::new();
    for ((label, metrics), time) in labels.iter().zip(&per_family).zip(&seconds) {
        let roc = mean(metrics, |m| m.roc_auc);
        auc.push(roc);
        println!(
            "{label:<44} {roc:>8.4} {:>8.4} {:>8.4} {:>8.4} {time:>8.1}",
            mean(metrics, |m| m.pr_auc),
            mean(metrics, |m| m.log_loss),
            mean(metrics, |m| m.brier)
        );
    }
    // The acceptance bars.
    assert!(auc[0] >= 0.84, "logistic regression mean ROC AUC {:.4} < 0.84", auc[0]);
    assert!(auc[4] >= 0.845, "gradient boosting mean ROC AUC {:.4} < 0.845", auc[4]);
    // The trees rank churners well too (as in tests/trees.rs); the RBF SVM
    // ranks below them on Telco (0.798 with all training rows, measured
    // with the svm module's figures); a broken model falls toward 0.5.
    for (label, value) in labels.iter().zip(&auc).skip(1).take(2) {
        assert!(*value > 0.80, "{label}: mean ROC AUC {value:.4}");
    }
    assert!(auc[3] > 0.75, "{}: mean ROC AUC {:.4}", labels[3], auc[3]);
}

/// The groups global importance shuffles together: Spearman's rho with
/// missing values and ties equal to pandas, and complete-linkage groups
/// cut at |rho| ≥ 0.7 equal to scipy's, over all columns and within kinds.
#[test]
fn correlated_groups_match_pandas_and_scipy() {
    use churnlens_models::ml::linkage::complete_linkage_groups;
    use churnlens_models::ml::spearman::spearman_matrix;
    let expected = fixture("correlation_groups.json");
    let columns: Vec<Vec<f64>> =
        expected["columns"].as_array().unwrap().iter().map(|c| c.as_array().unwrap().iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()).collect();
    let p = columns.len();
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let rho = spearman_matrix(&refs);
    let reference: Vec<f64> = expected["spearman"].as_array().unwrap().iter().flat_map(numbers).collect();
    let worst = rho.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    eprintln!("Spearman rho: largest deviation from pandas {worst:.1e}");
    assert!(worst < 1e-12, "rho deviates by {worst}");
    let groups = |value: &Value| -> Vec<Vec<usize>> { value.as_array().unwrap().iter().map(|g| g.as_array().unwrap().iter().map(count).collect()).collect() };
    let distance: Vec<f64> = rho.iter().map(|r| 1.0 - r.abs()).collect();
    let threshold = number(&expected["threshold"]);
    assert_eq!(complete_linkage_groups(&distance, &vec![0; p], threshold), groups(&expected["groups_all"]));
    let kinds: Vec<usize> = expected["kinds"].as_array().unwrap().iter().map(count).collect();
    assert_eq!(complete_linkage_groups(&distance, &kinds, threshold), groups(&expected["groups_by_kind"]));
}
