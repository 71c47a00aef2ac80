//! `churnlens clv`: predictive customer lifetime value from the orders table
//! (issue #5) — fit and save the buy-till-you-die models, predict per
//! customer or per group, validate on a holdout period. The work is in
//! `churnlens_models::clv`; this file reads flags and prints.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use arrow::array::{Array, ArrayRef, Float64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::Engine;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::{Calendar, parse_day};
use churnlens_metrics::grouping::Grouping;
use churnlens_models::clv::{ClvData, ClvError, ClvModel, FitOptions, ModelKind, PredictionTotals, TimeUnit, predictions_batch, summary_by_group, validate};

use crate::args::{ClvArgs, ClvCommand, ClvFitArgs, ClvModelArgs, ClvPredictArgs, ClvValidateArgs, Format};
use crate::commands::UserError;
use crate::{messages, output};

fn user(message: String) -> anyhow::Error {
    UserError(message).into()
}

/// A CLV error as the user reads it: their mistakes in their language, with exit code 1.
fn clv_error(e: ClvError, lang: Lang) -> anyhow::Error {
    if e.is_user_error() { user(e.message(lang)) } else { e.into() }
}

pub fn run(workspace: &Path, args: &ClvArgs, lang: Lang) -> Result<()> {
    let workspace = Workspace::open(workspace)?;
    match &args.command {
        ClvCommand::Fit(fit) => run_fit(&workspace, fit, args, lang),
        ClvCommand::Predict(predict) => run_predict(&workspace, predict, args, lang),
        ClvCommand::Validate(validate) => run_validate(&workspace, validate, args, lang),
    }
}

/// The model settings from the flags: model, unit, penalizer, time zone.
fn model_settings(args: &ClvModelArgs) -> Result<(FitOptions, TimeUnit, chrono_tz::Tz)> {
    let model: ModelKind = args.model.parse().map_err(user)?;
    let unit: TimeUnit = args.unit.parse().map_err(user)?;
    if !(args.penalizer.is_finite() && args.penalizer >= 0.0) {
        return Err(user(format!("--penalizer {}: give a number ≥ 0, such as 0.001 / 正则化系数须 ≥ 0", args.penalizer)));
    }
    let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| user(e.to_string()))?;
    Ok((FitOptions { model, penalizer: args.penalizer }, unit, tz))
}

fn day(flag: &str, text: &str) -> Result<i32> {
    parse_day(text).ok_or_else(|| user(format!("{flag} '{text}': use YYYY-MM-DD / 日期格式应为 YYYY-MM-DD")))
}

/// A horizon in months: `12m`, `12` or `1y`, at least one month.
fn horizon_months(text: &str) -> Result<u32> {
    let t = text.trim().to_ascii_lowercase();
    let months = match t.strip_suffix('y') {
        Some(years) => years.parse::<u32>().ok().and_then(|y| y.checked_mul(12)),
        None => t.trim_end_matches('m').parse::<u32>().ok(),
    };
    months
        .filter(|&m| (1..=1200).contains(&m))
        .ok_or_else(|| user(format!("--horizon '{text}': give months such as 12m or years such as 1y / 预测期格式如 12m 或 1y")))
}

/// The orders of the workspace as per-customer activity, days counted in `tz`.
fn activity(workspace: &Workspace, tz: chrono_tz::Tz, lang: Lang) -> Result<(tokio::runtime::Runtime, Engine, Activity)> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = runtime.block_on(Engine::open(workspace))?;
    let activity = runtime.block_on(Activity::from_orders(&engine, &Calendar::in_zone(tz))).map_err(|e| clv_error(e.into(), lang))?;
    Ok((runtime, engine, activity))
}

/// Rounds floats for people (probabilities to 3 decimals, the rest to 2); programs get full precision.
fn for_people(batch: RecordBatch, format: Format) -> Result<RecordBatch> {
    if format != Format::Table {
        return Ok(batch);
    }
    let schema = batch.schema();
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, field)| match c.as_any().downcast_ref::<Float64Array>() {
            Some(values) => {
                let scale = if field.name().contains("p_alive") { 1000.0 } else { 100.0 };
                Arc::new(values.iter().map(|v| v.map(|x| (x * scale).round() / scale)).collect::<Float64Array>()) as ArrayRef
            }
            None => c.clone(),
        })
        .collect();
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// Parameter, estimate and standard error of both fitted models.
fn parameters_batch(model: &ClvModel) -> RecordBatch {
    let count_se = model.count_fit.as_ref().and_then(|f| f.standard_errors.clone());
    let spend_se = model.spend_fit.as_ref().and_then(|f| f.standard_errors.clone());
    let spend = &model.spend_model;
    let mut rows: Vec<(String, String, f64, Option<f64>)> = Vec::new();
    for (i, (name, value)) in model.count_model.named().into_iter().enumerate() {
        rows.push((model.count_model.model_name().into(), name.into(), value, count_se.as_ref().map(|s| s[i])));
    }
    for (i, (name, value)) in [("p", spend.p), ("q", spend.q), ("v", spend.v)].into_iter().enumerate() {
        rows.push(("Gamma-Gamma".into(), name.into(), value, spend_se.as_ref().map(|s| s[i])));
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("model", DataType::Utf8, false),
        Field::new("parameter", DataType::Utf8, false),
        Field::new("estimate", DataType::Float64, false),
        Field::new("standard_error", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| Some(r.0.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.1.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.2)).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.3).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(schema, columns).expect("columns match the schema")
}

fn run_fit(workspace: &Workspace, args: &ClvFitArgs, common: &ClvArgs, lang: Lang) -> Result<()> {
    let (options, unit, tz) = model_settings(&args.model)?;
    let calibration_end = args.calibration_end.as_deref().map(|t| day("--calibration-end", t)).transpose()?;
    let (_runtime, _engine, activity) = activity(workspace, tz, lang)?;
    let data = ClvData::from_activity(&activity, unit, calibration_end, None).map_err(|e| clv_error(e, lang))?;
    let model = churnlens_models::clv::fit(&data, &options, tz.name()).map_err(|e| clv_error(e, lang))?;
    let path = model.save(workspace.root()).map_err(|e| clv_error(e, lang))?;
    if common.format == Format::Json && common.output.is_none() {
        return output::print_json(&serde_json::json!({ "path": path, "model": model }));
    }
    output::write_batches(&[for_people(parameters_batch(&model), common.format)?], common.format, common.output.as_deref())?;
    if common.format == Format::Table && common.output.is_none() {
        println!("{}", messages::clv_fitted(lang, &model, &path.display().to_string()));
    }
    Ok(())
}

fn run_predict(workspace: &Workspace, args: &ClvPredictArgs, common: &ClvArgs, lang: Lang) -> Result<()> {
    let months = horizon_months(&args.horizon)?;
    if !(args.discount.is_finite() && args.discount > -1.0) {
        return Err(user(format!("--discount {}: give a rate per month above -1, such as 0.01 / 月折现率须大于 -1", args.discount)));
    }
    let model = ClvModel::load(workspace.root()).map_err(|e| clv_error(e, lang))?;
    let tz = churnlens_ingest::parse_tz(&model.data.time_zone).map_err(|e| user(e.to_string()))?;
    let (runtime, engine, activity) = activity(workspace, tz, lang)?;
    let data = ClvData::from_activity(&activity, model.data.unit, model.calibration_end(), None).map_err(|e| clv_error(e, lang))?;
    let predictions = model.predict(&data, months, args.discount).map_err(|e| clv_error(e, lang))?;
    let batch = match &args.by {
        Some(column) => {
            let grouping = runtime.block_on(Grouping::by_column(&engine, &activity, column, lang)).map_err(|e| clv_error(e.into(), lang))?;
            summary_by_group(&predictions, &grouping)
        }
        None => predictions_batch(&data, &predictions, args.top),
    };
    output::write_batches(&[for_people(batch, common.format)?], common.format, common.output.as_deref())?;
    if common.format == Format::Table && common.output.is_none() {
        println!("{}", messages::clv_totals(lang, &PredictionTotals::of(&predictions), months, &model.data.calibration_end));
    }
    Ok(())
}

fn run_validate(workspace: &Workspace, args: &ClvValidateArgs, common: &ClvArgs, lang: Lang) -> Result<()> {
    let (options, unit, tz) = model_settings(&args.model)?;
    let calibration_end = day("--calibration-end", &args.calibration_end)?;
    let holdout_end = day("--holdout-end", &args.holdout_end)?;
    let (_runtime, _engine, activity) = activity(workspace, tz, lang)?;
    let data = ClvData::from_activity(&activity, unit, Some(calibration_end), Some(holdout_end)).map_err(|e| clv_error(e, lang))?;
    let validation = validate(&data, &options, tz.name()).map_err(|e| clv_error(e, lang))?;
    if common.format == Format::Table && common.output.is_none() {
        for (title, batch) in [
            (messages::clv_by_frequency(lang), validation.frequency_batch()),
            (messages::clv_errors(lang), validation.errors_batch()),
            (messages::clv_cumulative(lang), validation.cumulative_batch()),
        ] {
            println!("{title}");
            output::write_batches(&[for_people(batch, Format::Table)?], Format::Table, None)?;
        }
        return Ok(());
    }
    let batch = match args.view.as_str() {
        "errors" => validation.errors_batch(),
        "cumulative" => validation.cumulative_batch(),
        _ => validation.frequency_batch(),
    };
    output::write_batches(&[for_people(batch, common.format)?], common.format, common.output.as_deref())
}

/// The CLV step of `churnlens demo`: its headline figures.
#[derive(Debug, serde::Serialize)]
pub struct DemoClv {
    /// The count model fitted ("BG/NBD").
    pub model: &'static str,
    /// Its parameters.
    pub parameters: Vec<(&'static str, f64)>,
    /// The L2 penalizer the fit needed (0 when plain maximum likelihood converged).
    pub penalizer: f64,
    /// Customers predicted for.
    pub customers: usize,
    /// Of them, customers who bought on more than one day.
    pub repeat_buyers: usize,
    /// The horizon in months.
    pub horizon_months: u32,
    /// The monthly discount rate of the CLV.
    pub discount_rate: f64,
    /// Expected purchases, CLV and P(alive) over all customers.
    pub totals: PredictionTotals,
    /// Where the model was saved.
    pub saved_to: std::path::PathBuf,
}

/// Fits BG/NBD + Gamma-Gamma (weeks, calibration to the last order day) on
/// the demo workspace, saves it, and predicts 12 months at 1% a month.
pub fn demo_step(workspace: &Workspace, tz: chrono_tz::Tz, lang: Lang) -> Result<DemoClv> {
    let (months, discount_rate) = (12, 0.01);
    let (_runtime, _engine, activity) = activity(workspace, tz, lang)?;
    let data = ClvData::from_activity(&activity, TimeUnit::Week, None, None).map_err(|e| clv_error(e, lang))?;
    let model = churnlens_models::clv::fit_default(&data, tz.name()).map_err(|e| clv_error(e, lang))?;
    let saved_to = model.save(workspace.root()).map_err(|e| clv_error(e, lang))?;
    let predictions = model.predict(&data, months, discount_rate).map_err(|e| clv_error(e, lang))?;
    Ok(DemoClv {
        model: model.count_model.model_name(),
        parameters: model.count_model.named(),
        penalizer: model.data.penalizer,
        customers: model.data.customers,
        repeat_buyers: model.data.repeat_buyers,
        horizon_months: months,
        discount_rate,
        totals: PredictionTotals::of(&predictions),
        saved_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_in_months_or_years() {
        assert_eq!(horizon_months("12m").unwrap(), 12);
        assert_eq!(horizon_months("6").unwrap(), 6);
        assert_eq!(horizon_months("2y").unwrap(), 24);
        assert!(horizon_months("0m").is_err());
        assert!(horizon_months("a year").is_err());
    }
}
