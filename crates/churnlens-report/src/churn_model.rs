//! The churn-prediction section (issues #6 and #8): read the workspace's
//! saved churn models, score today's customers with the default one through
//! the library (`prediction::train::score`, the same call as `churnlens
//! model score`), and describe its curves and importance.
//!
//! The ROC curve and the gains are the held-out ones saved with the model
//! (`SavedModel::held_out`). A model saved before they were kept gets them
//! from its training rows, rebuilt from the workspace as the model describes
//! them and scored by it — in-sample, and said so in the section; the
//! comparison table always shows the held-out figures.

use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::Engine;
use churnlens_models::ml::classify::Classifier;
use churnlens_models::ml::evaluate::{Decile, gains_by_decile, roc_auc};
use churnlens_models::prediction::frame::RawFrame;
use churnlens_models::prediction::reasons::{Tier, TierThresholds};
use churnlens_models::prediction::rows::{scoring_rows, training_rows};
use churnlens_models::prediction::saved::{Importance, SavedModel, drivers, thin};
use churnlens_models::prediction::train::{fitted_model, roc_points, score};

use crate::data::{AT_RISK_ROWS, AtRiskCustomer, ChurnModelSection, FeatureImportance, GainsDecile, ModelScore, ROC_POINTS, TOP_DRIVERS, TOP_FEATURES};
use crate::text;

/// Reasons shown per at-risk customer.
const REASONS: usize = 3;

/// The name of the CLI's default model (`churnlens model train` without `--name`).
const DEFAULT_MODEL: &str = "gbdt";

/// The section, `Ok(None)` when the workspace has no saved churn model.
pub async fn churn_model_section(workspace: &Workspace, engine: &Engine, lang: Lang) -> Result<Option<ChurnModelSection>, String> {
    let saved = SavedModel::list(workspace.root()).map_err(|e| e.to_string())?;
    let Some(chosen) = default_model(&saved) else { return Ok(None) };
    let models = saved.iter().map(|m| model_score(m, m.name == chosen.name)).collect::<Vec<_>>();

    let scoring = scoring_rows(engine, chosen, lang).await.map_err(|e| e.to_string())?;
    let curves = match &chosen.held_out {
        Some(held_out) => Curves {
            held_out: true,
            rows: held_out.rows,
            auc: held_out.roc_auc,
            roc: thin(held_out.roc.clone(), ROC_POINTS),
            gains: held_out.gains.iter().map(gains_decile).collect(),
        },
        None => in_sample_curves(chosen, &training_rows(engine, chosen, lang).await.map_err(|e| e.to_string())?, lang)?,
    };
    let top_drivers: Vec<&str> = drivers(&chosen.importance).take(TOP_DRIVERS).map(|i| i.feature.as_str()).collect();
    let shown: Vec<&Importance> =
        chosen.importance.iter().enumerate().filter(|(rank, i)| *rank < TOP_FEATURES || top_drivers.contains(&i.feature.as_str())).map(|(_, i)| i).collect();
    let importance: Vec<FeatureImportance> = shown
        .iter()
        .map(|i| FeatureImportance {
            feature: i.name(lang).to_string(),
            correlated: i.correlated(lang).to_vec(),
            auc_drop: i.auc_drop,
            gain_share: i.gain_share.map(|g| g * 100.0),
            kind: i.kind.label(lang).to_string(),
            driver: i.kind.is_driver(),
        })
        .collect();

    let tiers = TierThresholds::default();
    let scored = score(chosen, &scoring, &tiers, REASONS, lang).map_err(|e| e.to_string())?;
    let count = |tier: Tier| scored.iter().filter(|s| s.tier == tier).count();
    let (high_risk, medium_risk) = (count(Tier::High), count(Tier::Medium));
    let at_risk: Vec<AtRiskCustomer> = scored
        .iter()
        .take(AT_RISK_ROWS)
        .map(|s| AtRiskCustomer {
            customer_id: s.customer_id.clone(),
            probability: s.probability * 100.0,
            tier: s.tier.label(lang).to_string(),
            reasons: s.reasons.iter().map(|r| r.text.clone()).collect(),
            drivers: s.drivers.iter().map(|r| r.text.clone()).collect(),
        })
        .collect();

    let best = models.iter().max_by(|a, b| a.auc.total_cmp(&b.auc)).expect("at least the default model");
    let default_score = models.iter().find(|m| m.default).expect("the default model is listed");
    Ok(Some(ChurnModelSection {
        summary: text::churn_models(lang, models.len(), (&best.name, best.auc), (&default_score.name, default_score.auc), default_score.baseline_auc),
        curves_summary: text::churn_curves(
            lang,
            curves.held_out,
            curves.rows,
            curves.auc,
            curves.gains.first().map(|d| d.cumulative_gain),
            curves.gains.first().map(|d| d.lift),
        ),
        importance_summary: text::churn_importance(
            lang,
            shown.iter().take(3).map(|i| i.label(lang)).collect(),
            shown.iter().filter(|i| i.kind.is_driver()).take(3).map(|i| i.label(lang)).collect(),
            shown.iter().any(|i| !i.correlated.is_empty()),
        ),
        at_risk_summary: text::churn_at_risk(lang, scored.len(), high_risk, medium_risk, tiers.high * 100.0, chosen.training.data.horizon_days()),
        model: chosen.name.clone(),
        algorithm: chosen.algorithm.clone(),
        trained_at: chosen.trained_at.clone(),
        models,
        curves_held_out: curves.held_out,
        curve_rows: curves.rows,
        curve_auc: curves.auc,
        roc: curves.roc,
        gains: curves.gains,
        importance,
        scored: scored.len(),
        high_risk,
        medium_risk,
        at_risk,
    }))
}

/// The model named [`DEFAULT_MODEL`], else the one with the best held-out ROC AUC.
pub fn default_model(saved: &[SavedModel]) -> Option<&SavedModel> {
    let auc = |m: &SavedModel| m.metrics.get("roc_auc").copied().unwrap_or(f64::NEG_INFINITY);
    saved.iter().find(|m| m.name == DEFAULT_MODEL).or_else(|| saved.iter().max_by(|a, b| auc(a).total_cmp(&auc(b))))
}

fn model_score(model: &SavedModel, default: bool) -> ModelScore {
    let metric = |key: &str| model.metrics.get(key).copied();
    ModelScore {
        name: model.name.clone(),
        algorithm: model.algorithm.clone(),
        auc: metric("roc_auc").unwrap_or(f64::NAN),
        pr_auc: metric("pr_auc"),
        log_loss: metric("log_loss"),
        brier: metric("brier"),
        f1: metric("f1"),
        baseline_auc: metric("recency_baseline_roc_auc"),
        rows: model.training.rows,
        default,
    }
}

/// The ROC curve and gains the section shows, and on which rows.
struct Curves {
    held_out: bool,
    rows: usize,
    auc: f64,
    roc: Vec<(f64, f64)>,
    gains: Vec<GainsDecile>,
}

fn gains_decile(d: &Decile) -> GainsDecile {
    GainsDecile { decile: d.decile, cumulative_gain: d.cumulative_gain * 100.0, lift: d.lift, cumulative_lift: d.cumulative_lift }
}

/// For a model saved before its held-out curves were kept: its training
/// rows rebuilt from the workspace and scored by it (in-sample, so
/// optimistic; the section says so).
fn in_sample_curves(model: &SavedModel, training: &RawFrame, lang: Lang) -> Result<Curves, String> {
    let fitted = fitted_model(model).map_err(|e| e.to_string())?;
    let probabilities = fitted.predict_proba(&model.encoder.transform(training).map_err(|e| e.to_string())?);
    let auc = roc_auc(&training.labels, &probabilities).ok_or_else(|| text::single_class(lang).to_string())?;
    Ok(Curves {
        held_out: false,
        rows: training.n_rows(),
        auc,
        roc: thin(roc_points(&training.labels, &probabilities).iter().map(|p| (p.false_positive_rate, p.true_positive_rate)).collect(), ROC_POINTS),
        gains: gains_by_decile(&training.labels, &probabilities).unwrap_or_default().iter().map(gains_decile).collect(),
    })
}
