//! The churn-prediction section (issues #6 and #8): read the workspace's
//! saved churn models, score today's customers with the default one through
//! the library (`prediction::train::score`, the same call as `churnlens
//! model score`), and describe its curves and importance.
//!
//! The saved models keep their held-out metrics but not the held-out
//! predictions, so the ROC curve and the gains are computed here on the
//! default model's training rows, rebuilt from the workspace as the model
//! describes them (snapshot label and columns, or the activity cutoffs,
//! horizon and window) and scored by it — in-sample, and said so in the
//! section; the comparison table shows the held-out figures.

use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::calendar::{Calendar, parse_day};
use churnlens_metrics::{Engine, MetricsError};
use churnlens_models::ml::classify::Classifier;
use churnlens_models::ml::evaluate::{Decile, gains_by_decile, roc_auc};
use churnlens_models::prediction::activity::{ActivityData, ActivityOptions};
use churnlens_models::prediction::frame::RawFrame;
use churnlens_models::prediction::reasons::{Tier, TierThresholds};
use churnlens_models::prediction::saved::{SavedModel, TrainingSource, thin};
use churnlens_models::prediction::snapshot::{SnapshotOptions, snapshot_frame};
use churnlens_models::prediction::train::{fitted_model, roc_points, score};

use crate::data::{AT_RISK_ROWS, AtRiskCustomer, ChurnModelSection, FeatureImportance, GainsDecile, ModelScore, ROC_POINTS, TOP_FEATURES};
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

    let (training, scoring) = rows(engine, chosen, lang).await.map_err(|e| e.to_string())?;
    let curves = match &chosen.held_out {
        Some(held_out) => Curves {
            held_out: true,
            rows: held_out.rows,
            auc: held_out.roc_auc,
            roc: thin(held_out.roc.clone(), ROC_POINTS),
            gains: held_out.gains.iter().map(gains_decile).collect(),
        },
        None => in_sample_curves(chosen, &training, lang)?,
    };
    let importance: Vec<FeatureImportance> = chosen
        .importance
        .iter()
        .take(TOP_FEATURES)
        .map(|i| FeatureImportance {
            feature: if lang == Lang::Zh { i.feature_zh.clone() } else { i.feature.clone() },
            auc_drop: i.auc_drop,
            gain_share: i.gain_share.map(|g| g * 100.0),
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
        importance_summary: text::churn_importance(lang, importance.iter().take(3).map(|f| f.feature.as_str()).collect()),
        at_risk_summary: text::churn_at_risk(lang, scored.len(), high_risk, medium_risk, tiers.high * 100.0),
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

/// The model's labelled training rows and today's rows to score, rebuilt
/// from the workspace as `churnlens model train` and `score` build them.
async fn rows(engine: &Engine, model: &SavedModel, lang: Lang) -> Result<(RawFrame, RawFrame), MetricsError> {
    match &model.training.data {
        TrainingSource::Snapshot { label, keep, drop } => {
            let options = SnapshotOptions { label: label.clone(), keep: keep.clone(), drop: drop.clone(), lang };
            let frame = snapshot_frame(engine, &options).await?;
            Ok((frame.clone(), frame))
        }
        TrainingSource::Activity { cutoffs, horizon_days, window_days, tz } => {
            let tz = churnlens_ingest::parse_tz(tz).map_err(|e| MetricsError::Options(e.to_string()))?;
            let activity = ActivityData::load(engine, &Calendar::in_zone(tz), lang).await?;
            let cutoffs: Vec<i32> = cutoffs
                .iter()
                .map(|c| parse_day(c).ok_or_else(|| MetricsError::Options(format!("model {}: cutoff {c} is not a day", model.name))))
                .collect::<Result<_, _>>()?;
            let training = activity.training_frame(&cutoffs, &ActivityOptions { window: *window_days, horizon: *horizon_days, lang })?;
            let scoring = activity.scoring_frame(activity.last_day, *window_days, lang);
            Ok((training, scoring))
        }
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
