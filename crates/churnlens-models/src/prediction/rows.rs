//! The rows a saved churn model is applied to, rebuilt from the workspace
//! as the model describes its data: today's rows to score (`churnlens model
//! score`, the report, the dashboard) and, for a model whose held-out curves
//! were not saved, its labelled training rows.

use churnlens_core::Lang;
use churnlens_metrics::calendar::{Calendar, parse_day};
use churnlens_metrics::{Engine, MetricsError, Result};

use super::activity::{ActivityData, ActivityOptions};
use super::frame::RawFrame;
use super::saved::{SavedModel, TrainingSource};
use super::snapshot::{SnapshotOptions, snapshot_frame};

/// The activity data in the model's time zone.
async fn activity(engine: &Engine, tz: &str, lang: Lang) -> Result<ActivityData> {
    let tz = churnlens_ingest::parse_tz(tz).map_err(|e| MetricsError::Options(e.to_string()))?;
    ActivityData::load(engine, &Calendar::in_zone(tz), lang).await
}

fn snapshot_options(label: &str, keep: &[String], drop: &[String], lang: Lang) -> SnapshotOptions {
    SnapshotOptions { label: label.to_owned(), keep: keep.to_vec(), drop: drop.to_vec(), lang }
}

/// Rows to score: the customers active on the data's last day (activity
/// data), or every snapshot row.
pub async fn scoring_rows(engine: &Engine, model: &SavedModel, lang: Lang) -> Result<RawFrame> {
    match &model.training.data {
        TrainingSource::Activity { window_days, tz, .. } => {
            let activity = activity(engine, tz, lang).await?;
            Ok(activity.scoring_frame(activity.last_day, *window_days, lang))
        }
        TrainingSource::Snapshot { label, keep, drop } => snapshot_frame(engine, &snapshot_options(label, keep, drop, lang)).await,
    }
}

/// The model's labelled training rows: the saved cutoffs, horizon and window
/// over today's activity data, or the snapshot rows.
pub async fn training_rows(engine: &Engine, model: &SavedModel, lang: Lang) -> Result<RawFrame> {
    match &model.training.data {
        TrainingSource::Activity { cutoffs, horizon_days, window_days, tz } => {
            let activity = activity(engine, tz, lang).await?;
            let cutoffs: Vec<i32> = cutoffs
                .iter()
                .map(|c| parse_day(c).ok_or_else(|| MetricsError::Options(format!("model {}: cutoff {c} is not a day", model.name))))
                .collect::<Result<_>>()?;
            activity.training_frame(&cutoffs, &ActivityOptions { window: *window_days, horizon: *horizon_days, lang })
        }
        TrainingSource::Snapshot { label, keep, drop } => snapshot_frame(engine, &snapshot_options(label, keep, drop, lang)).await,
    }
}
