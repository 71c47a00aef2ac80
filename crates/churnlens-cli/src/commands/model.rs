//! `churnlens model`: churn prediction (issue #6) — train and compare
//! classifiers on point-in-time rows from the activity data or on a
//! snapshot table, save them in the workspace, score current customers with
//! a tier and reasons, explain a model or one customer. The work is in
//! `churnlens_models::prediction`; this file reads flags and prints.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_ingest::derived::save_customer_attribute;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::{Calendar, format_day, parse_day};
use churnlens_metrics::{DEFAULT_WINDOW, Engine, MetricsError};
use churnlens_models::clv::{ClvData, ClvModel};
use churnlens_models::ml::evaluate::{BinaryMetrics, CampaignEconomics};
use churnlens_models::prediction::activity::{ActivityData, ActivityOptions, DEFAULT_CUTOFF_COUNT, DEFAULT_HORIZON};
use churnlens_models::prediction::encode::{CategoricalEncoding, EncoderParams};
use churnlens_models::prediction::frame::{RawFrame, RawValues};
use churnlens_models::prediction::reasons::{Reason, TierThresholds};
use churnlens_models::prediction::saved::{Importance, SavedModel, TrainingSource, drivers};
use churnlens_models::prediction::snapshot::{SnapshotOptions, snapshot_frame};
use churnlens_models::prediction::train::{Algorithm, EvaluationReport, Scored, TrainOptions, evaluation_report, explain_customer, score, train};

use crate::args::{Format, ModelArgs, ModelCommand, ModelDataArgs, ModelExplainArgs, ModelScoreArgs, ModelTrainArgs};
use crate::commands::UserError;
use crate::{messages, output};

/// CLV horizon in months and monthly discount rate of the value saved per
/// churner when a CLV model is saved: a year, 1 % a month (`clv predict`'s
/// defaults).
const CLV_MONTHS: u32 = 12;
const CLV_DISCOUNT: f64 = 0.01;

fn user(message: String) -> anyhow::Error {
    UserError(message).into()
}

/// A workspace error as the user reads it: their mistakes with exit code 1.
fn metrics_error(e: MetricsError) -> anyhow::Error {
    if e.is_user_error() { user(e.to_string()) } else { e.into() }
}

/// Runs `churnlens model …`.
pub fn run(workspace: &Path, args: &ModelArgs, lang: Lang) -> Result<()> {
    let workspace = Workspace::open(workspace)?;
    match &args.command {
        ModelCommand::Train(train) => run_train(&workspace, train, args, lang, true),
        ModelCommand::Evaluate(train) => run_train(&workspace, train, args, lang, false),
        ModelCommand::Score(score) => run_score(&workspace, score, args, lang),
        ModelCommand::Explain(explain) => run_explain(&workspace, explain, args, lang),
        ModelCommand::List => run_list(&workspace, args, lang),
    }
}

/// Days from `90d` or `90`.
fn days(flag: &str, text: &str) -> Result<i32> {
    text.trim()
        .trim_end_matches('d')
        .parse::<i32>()
        .ok()
        .filter(|&d| d >= 1)
        .ok_or_else(|| user(format!("{flag} '{text}': give days such as 90d / 天数格式如 90d")))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// The labelled rows the flags describe, and where they came from.
pub fn training_rows(workspace: &Workspace, data: &ModelDataArgs, lang: Lang) -> Result<(RawFrame, TrainingSource)> {
    let runtime = runtime()?;
    let engine = runtime.block_on(Engine::open(workspace))?;
    let has_orders = engine.tables().iter().any(|t| t == "orders");
    let snapshot = match data.source.as_deref() {
        Some(source) => source == "snapshot",
        None => !has_orders,
    };
    if snapshot {
        // `--label Churn` finds the column imported as `churn`.
        let present = runtime.block_on(engine.columns("snapshot")).unwrap_or_default();
        let label = present.iter().find(|c| **c == data.label).or_else(|| present.iter().find(|c| c.eq_ignore_ascii_case(&data.label))).cloned();
        let options =
            SnapshotOptions { label: label.unwrap_or_else(|| data.label.clone()), keep: data.keep_columns.clone(), drop: data.drop_columns.clone(), lang };
        let frame = runtime.block_on(snapshot_frame(&engine, &options)).map_err(metrics_error)?;
        return Ok((frame, TrainingSource::Snapshot { label: options.label, keep: options.keep, drop: options.drop }));
    }
    let tz = churnlens_ingest::parse_tz(&data.tz).map_err(|e| user(e.to_string()))?;
    let options = ActivityOptions { window: days("--window", &data.window)?, horizon: days("--horizon", &data.horizon)?, lang };
    let activity = runtime.block_on(ActivityData::load(&engine, &Calendar::in_zone(tz), lang)).map_err(metrics_error)?;
    let mut cutoffs = data
        .cutoffs
        .iter()
        .map(|c| parse_day(c).ok_or_else(|| user(format!("--cutoff '{c}': use YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"))))
        .collect::<Result<Vec<i32>>>()?;
    if cutoffs.is_empty() {
        cutoffs = activity.default_cutoffs(options.horizon, DEFAULT_CUTOFF_COUNT);
    }
    cutoffs.sort_unstable();
    cutoffs.dedup();
    let frame = activity.training_frame(&cutoffs, &options).map_err(metrics_error)?;
    let source = TrainingSource::Activity {
        cutoffs: cutoffs.iter().map(|&c| format_day(c)).collect(),
        horizon_days: options.horizon,
        window_days: options.window,
        tz: data.tz.clone(),
    };
    Ok((frame, source))
}

/// Each customer's CLV over [`CLV_MONTHS`] from the saved CLV model, or
/// `None` when the workspace has none.
fn clv_by_customer(workspace: &Workspace) -> Result<Option<HashMap<String, f64>>> {
    if !workspace.root().join("models").join("clv.json").exists() {
        return Ok(None);
    }
    let model = ClvModel::load(workspace.root()).map_err(|e| user(e.to_string()))?;
    let tz = churnlens_ingest::parse_tz(&model.data.time_zone).map_err(|e| user(e.to_string()))?;
    let runtime = runtime()?;
    let engine = runtime.block_on(Engine::open(workspace))?;
    let activity = runtime.block_on(Activity::from_orders(&engine, &Calendar::in_zone(tz))).map_err(metrics_error)?;
    let data = ClvData::from_activity(&activity, model.data.unit, model.calibration_end(), None).map_err(|e| user(e.to_string()))?;
    let predictions = model.predict(&data, CLV_MONTHS, CLV_DISCOUNT).map_err(|e| user(e.to_string()))?;
    Ok(Some(predictions.iter().map(|p| (data.ids[p.customer].clone(), p.clv)).collect()))
}

/// The mean of a numeric column over the rows of the last cutoff (all rows
/// of a snapshot), ignoring blanks.
fn mean_at_last_cutoff(frame: &RawFrame, column: &str) -> Option<f64> {
    let RawValues::Numeric(values) = &frame.column(column)?.values else { return None };
    let last = frame.cutoffs.iter().max();
    let present: Vec<f64> = (0..frame.n_rows()).filter(|&i| last.is_none_or(|&l| frame.cutoffs[i] == l)).map(|i| values[i]).filter(|v| !v.is_nan()).collect();
    (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

/// Training settings from the flags; the campaign economics need the rows
/// (for the default value saved) and the workspace (for CLV).
fn train_options(workspace: &Workspace, args: &ModelTrainArgs, frame: &RawFrame, lang: Lang) -> Result<(TrainOptions, String)> {
    let categorical = if args.data.encoding == "target" { CategoricalEncoding::Target } else { CategoricalEncoding::OneHot };
    if args.folds < 2 {
        return Err(user(format!("--folds {}: give at least 2 / 折数至少为 2", args.folds)));
    }
    if !(0.0..=1.0).contains(&args.success_rate) {
        return Err(user(format!("--success-rate {}: give a share between 0 and 1 / 挽留成功率须在 0 到 1 之间", args.success_rate)));
    }
    let mut options = TrainOptions {
        encoder: EncoderParams { categorical, seed: args.seed, ..EncoderParams::default() },
        folds: args.folds,
        seed: args.seed,
        economics: None,
        customer_values: None,
        lang,
    };
    let Some(cost) = args.offer_cost else {
        if args.value_saved.is_some() {
            return Err(user(messages::model_needs_offer_cost(lang).into()));
        }
        return Ok((options, String::new()));
    };
    let (value_saved, source) = match args.value_saved {
        Some(value) => (value, messages::model_value_given(lang, value)),
        None => match clv_by_customer(workspace)? {
            Some(values) => {
                let mean = values.values().sum::<f64>() / values.len().max(1) as f64;
                options.customer_values = Some(values);
                (mean, messages::model_value_clv(lang, CLV_MONTHS, mean))
            }
            None => {
                // Half a year's spend at the recent rate, doubled: a year's revenue kept.
                let spend = mean_at_last_cutoff(frame, "spend_180d").ok_or_else(|| user(messages::model_needs_value(lang).into()))?;
                (2.0 * spend, messages::model_value_spend(lang, 2.0 * spend))
            }
        },
    };
    options.economics = Some(CampaignEconomics { cost_per_contact: cost, value_saved, success_rate: args.success_rate, customer_values: None });
    Ok((options, source))
}

fn parse_algorithms(algo: &str) -> Result<Vec<Algorithm>> {
    if algo.trim().eq_ignore_ascii_case("all") {
        return Ok(Algorithm::ALL.to_vec());
    }
    algo.split(',').map(|a| a.parse().map_err(user)).collect()
}

fn run_train(workspace: &Workspace, args: &ModelTrainArgs, cli: &ModelArgs, lang: Lang, save: bool) -> Result<()> {
    let algorithms = parse_algorithms(&args.algo)?;
    if save && algorithms.len() > 1 {
        return Err(user(messages::model_train_one(lang).into()));
    }
    let (frame, source) = training_rows(workspace, &args.data, lang)?;
    for note in &frame.notes {
        eprintln!("{note}");
    }
    let (options, value_source) = train_options(workspace, args, &frame, lang)?;
    // Diagnostics are of the default family when it is compared, else of the first asked.
    let chosen = if algorithms.contains(&Algorithm::Gbdt) { Algorithm::Gbdt } else { algorithms[0] };
    let (report, saved) = if save {
        let name = args.name.clone().unwrap_or_else(|| chosen.name().to_string());
        let trained_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (saved, report) = train(&frame, chosen, source, &name, &trained_at, &options, &value_source).map_err(metrics_error)?;
        let path = saved.save(workspace.root()).map_err(metrics_error)?;
        eprintln!("{}", messages::model_saved(lang, &path.display().to_string()));
        (report, Some(saved))
    } else {
        (evaluation_report(&frame, &algorithms, chosen, &options, &value_source).map_err(metrics_error)?, None)
    };
    print_report(&report, saved.as_ref(), cli.format, cli.output.as_deref(), lang)
}

/// The comparison table: one row per model, and the recency baseline for activity data.
fn comparison_batch(report: &EvaluationReport, lang: Lang) -> Result<RecordBatch> {
    let evaluation = &report.evaluation;
    let mut names: Vec<String> = evaluation.results.iter().map(|r| r.algorithm.name().to_string()).collect();
    let metric = |f: &dyn Fn(&BinaryMetrics) -> f64| -> Vec<Option<f64>> { evaluation.results.iter().map(|r| Some(f(&r.metrics))).collect() };
    let mut columns: Vec<(&str, Vec<Option<f64>>)> = vec![
        ("roc_auc", metric(&|m| m.roc_auc)),
        ("roc_auc_std", evaluation.results.iter().map(|r| r.roc_auc_std).collect()),
        ("pr_auc", metric(&|m| m.pr_auc)),
        ("log_loss", metric(&|m| m.log_loss)),
        ("brier", metric(&|m| m.brier)),
        ("accuracy", metric(&|m| m.accuracy)),
        ("precision", metric(&|m| m.precision)),
        ("recall", metric(&|m| m.recall)),
        ("f1", metric(&|m| m.f1)),
        ("auc_margin_over_recency", evaluation.results.iter().map(|r| r.margin_over_baseline).collect()),
    ];
    if evaluation.baseline.is_none() {
        columns.retain(|(name, _)| *name != "auc_margin_over_recency");
    }
    if evaluation.results.iter().all(|r| r.roc_auc_std.is_none()) {
        columns.retain(|(name, _)| *name != "roc_auc_std");
    }
    let mut fitted: Vec<Option<u64>> = evaluation.results.iter().map(|r| Some(r.fitted_rows as u64)).collect();
    if let Some(baseline) = &evaluation.baseline {
        names.push(messages::model_baseline_row(lang).to_string());
        for (name, values) in &mut columns {
            values.push(match *name {
                "roc_auc" => Some(baseline.roc_auc),
                "pr_auc" => baseline.pr_auc,
                _ => None,
            });
        }
        fitted.push(None);
    }
    let mut fields = vec![Field::new("model", DataType::Utf8, false)];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from(names))];
    for (name, values) in columns {
        fields.push(Field::new(name, DataType::Float64, true));
        arrays.push(Arc::new(Float64Array::from(values)));
    }
    fields.push(Field::new("fitted_rows", DataType::UInt64, true));
    arrays.push(Arc::new(UInt64Array::from(fitted)));
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

/// Rounds floats to 4 decimals for people; programs get full precision.
fn for_people(batch: RecordBatch) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(|c| match c.as_any().downcast_ref::<Float64Array>() {
            Some(f) => Arc::new(f.iter().map(|v| v.map(|x| (x * 1e4).round() / 1e4)).collect::<Float64Array>()) as ArrayRef,
            None => c.clone(),
        })
        .collect();
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

fn print_report(report: &EvaluationReport, saved: Option<&SavedModel>, format: Format, out: Option<&Path>, lang: Lang) -> Result<()> {
    let comparison = comparison_batch(report, lang)?;
    if format == Format::Json {
        return output::print_json(&serde_json::json!({"report": report, "saved": saved.map(|s| &s.name)}));
    }
    if format != Format::Table || out.is_some() {
        return output::write_batches(&[comparison], format, out);
    }
    let evaluation = &report.evaluation;
    println!("{}", messages::model_evaluation_header(lang, &evaluation.method, evaluation.train_rows, evaluation.test_rows));
    output::write_batches(&[for_people(comparison)?], format, None)?;
    if let Some(svm) = evaluation.results.iter().find(|r| r.algorithm == Algorithm::Svm)
        && svm.fitted_rows < evaluation.train_rows
    {
        println!("{}", messages::model_svm_subsample(lang, svm.fitted_rows));
    }
    if let Some(baseline) = &evaluation.baseline {
        for r in &evaluation.results {
            if let Some(margin) = r.margin_over_baseline {
                println!("{}", messages::model_margin(lang, r.algorithm.name(), r.metrics.roc_auc, baseline.roc_auc, margin));
            }
        }
    }
    let chosen = report.chosen.name();
    if let Some(gains) = &report.gains {
        println!("{}", messages::model_gains_header(lang, chosen));
        let rows = gains
            .iter()
            .map(|d| {
                vec![
                    d.decile.to_string(),
                    d.rows.to_string(),
                    d.positives.to_string(),
                    format!("{:.1}%", 100.0 * d.cumulative_gain),
                    format!("{:.2}", d.lift),
                    format!("{:.2}", d.cumulative_lift),
                ]
            })
            .collect();
        let header = ["decile", "rows", "churned", "cumulative_gain", "lift", "cumulative_lift"].map(String::from).to_vec();
        println!("{}", output::people_table(header, rows));
    }
    println!("{}", messages::model_calibration_header(lang, chosen));
    let rows = report
        .calibration
        .iter()
        .map(|b| vec![format!("{:.1}–{:.1}", b.lower, b.upper), b.rows.to_string(), format!("{:.3}", b.mean_predicted), format!("{:.3}", b.fraction_positive)])
        .collect();
    println!("{}", output::people_table(["bin", "rows", "mean_predicted", "churned_share"].map(String::from).to_vec(), rows));
    if let Some(p) = &report.profit {
        println!("{}", messages::model_profit(lang, p.threshold, p.contacted, p.churners_reached, p.profit, p.offer_cost, &p.value_source));
    }
    print_importance(chosen, &report.importance, 10, lang);
    Ok(())
}

fn print_importance(name: &str, importance: &[Importance], top: usize, lang: Lang) {
    println!("{}", messages::model_importance_header(lang, name));
    let row = |rank: String, m: &Importance| {
        vec![
            rank,
            m.label(lang),
            m.kind.label(lang).to_string(),
            format!("{:.4}", m.auc_drop),
            m.gain_share.map_or_else(String::new, |g| format!("{:.1}%", 100.0 * g)),
        ]
    };
    let header = ["rank", "feature", "kind", "auc_drop", "gain_share"].map(String::from).to_vec();
    let rows = importance.iter().take(top).enumerate().map(|(i, m)| row((i + 1).to_string(), m)).collect();
    println!("{}", output::people_table(header.clone(), rows));
    // Only activity data has warning signs; without them the drivers are the table above.
    if importance.iter().any(|m| !m.kind.is_driver()) {
        println!("{}", messages::model_drivers_header(lang));
        let rows = importance.iter().enumerate().filter(|(_, m)| m.kind.is_driver()).take(top).map(|(i, m)| row((i + 1).to_string(), m)).collect();
        println!("{}", output::people_table(header, rows));
    }
}

/// Rows to score with `saved` ([`churnlens_models::prediction::rows::scoring_rows`]).
pub fn scoring_rows(workspace: &Workspace, saved: &SavedModel, lang: Lang) -> Result<RawFrame> {
    let runtime = runtime()?;
    let engine = runtime.block_on(Engine::open(workspace))?;
    runtime.block_on(churnlens_models::prediction::rows::scoring_rows(&engine, saved, lang)).map_err(metrics_error)
}

/// The scored customers of a saved model, most at risk first.
fn scored(workspace: &Workspace, name: &str, tiers: &TierThresholds, reasons: usize, lang: Lang) -> Result<(SavedModel, Vec<Scored>)> {
    let saved = SavedModel::load(workspace.root(), name).map_err(metrics_error)?;
    let frame = scoring_rows(workspace, &saved, lang)?;
    let scored = score(&saved, &frame, tiers, reasons, lang).map_err(metrics_error)?;
    Ok((saved, scored))
}

/// Saves `churn_risk` (the probability, 3 decimals), `churn_tier` and
/// `churn_reasons` (the top reasons joined by "; ", as the dashboard's
/// customer timeline reads them) as derived customer attributes, so
/// `--by churn_tier` breaks metrics down.
fn save_scores(workspace: &Workspace, scored: &[Scored], lang: Lang) -> Result<usize> {
    let ids: Vec<String> = scored.iter().map(|s| s.customer_id.clone()).collect();
    let risk: Vec<Option<String>> = scored.iter().map(|s| Some(format!("{:.3}", s.probability))).collect();
    let tier: Vec<Option<String>> = scored.iter().map(|s| Some(s.tier.label(lang).to_string())).collect();
    let reasons: Vec<Option<String>> = scored.iter().map(|s| Some(s.reasons.iter().map(|r| r.text.replace(';', ",")).collect::<Vec<_>>().join("; "))).collect();
    save_customer_attribute(workspace, "churn_risk", &ids, &risk, "churnlens model score")?;
    save_customer_attribute(workspace, "churn_reasons", &ids, &reasons, "churnlens model score")?;
    Ok(save_customer_attribute(workspace, "churn_tier", &ids, &tier, "churnlens model score")?)
}

fn run_score(workspace: &Workspace, args: &ModelScoreArgs, cli: &ModelArgs, lang: Lang) -> Result<()> {
    let tiers = TierThresholds { high: args.high, medium: args.medium };
    tiers.check().map_err(user)?;
    let (_, mut scored) = scored(workspace, &args.name, &tiers, args.reasons, lang)?;
    if args.save {
        let customers = save_scores(workspace, &scored, lang)?;
        eprintln!("{}", messages::attributes_saved(lang, &["churn_tier", "churn_risk"], customers));
    }
    if let Some(top) = args.top {
        scored.truncate(top);
    }
    // `-o scores.parquet` (or .csv, .json) alone picks the format.
    let format = match (&cli.output, cli.format) {
        (Some(path), Format::Table) => match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("parquet") => Format::Parquet,
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            _ => Format::Table,
        },
        (_, format) => format,
    };
    if format == Format::Json {
        let text = serde_json::to_string_pretty(&scored)?;
        return match &cli.output {
            Some(path) => Ok(std::fs::write(path, text + "\n")?),
            None => output::print_json(&scored),
        };
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("churn_probability", DataType::Float64, false),
        Field::new("tier", DataType::Utf8, false),
        Field::new("reasons", DataType::Utf8, false),
        Field::new("drivers", DataType::Utf8, false),
    ]));
    let separator = lang.pick("; ", "；");
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(scored.iter().map(|s| s.customer_id.as_str()))),
        Arc::new(Float64Array::from_iter_values(
            scored.iter().map(|s| if format == Format::Table { (s.probability * 1000.0).round() / 1000.0 } else { s.probability }),
        )),
        Arc::new(StringArray::from_iter_values(scored.iter().map(|s| s.tier.label(lang)))),
        Arc::new(StringArray::from_iter_values(scored.iter().map(|s| sentences(&s.reasons, separator)))),
        Arc::new(StringArray::from_iter_values(scored.iter().map(|s| sentences(&s.drivers, separator)))),
    ];
    output::write_batches(&[RecordBatch::try_new(schema, columns)?], format, cli.output.as_deref())
}

/// Reasons' sentences joined by `separator`.
fn sentences(reasons: &[Reason], separator: &str) -> String {
    reasons.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join(separator)
}

fn run_explain(workspace: &Workspace, args: &ModelExplainArgs, cli: &ModelArgs, lang: Lang) -> Result<()> {
    let saved = SavedModel::load(workspace.root(), &args.name).map_err(metrics_error)?;
    let Some(id) = &args.customer else {
        if cli.format == Format::Json {
            return output::print_json(
                &serde_json::json!({"name": saved.name, "algorithm": saved.algorithm, "metrics": saved.metrics, "importance": saved.importance}),
            );
        }
        print_importance(&saved.name, &saved.importance, saved.importance.len(), lang);
        return Ok(());
    };
    let frame = scoring_rows(workspace, &saved, lang)?;
    let explanation = explain_customer(&saved, &frame, id, lang).map_err(metrics_error)?.ok_or_else(|| user(messages::model_no_customer(lang, id)))?;
    if cli.format == Format::Json {
        return output::print_json(&explanation);
    }
    println!("{}", messages::model_customer_header(lang, id, &saved.name, explanation.probability));
    if explanation.contributions.is_empty() {
        println!("{}", messages::model_no_contributions(lang));
        return Ok(());
    }
    let rows = explanation
        .contributions
        .iter()
        .take(args.top)
        .map(|c| {
            let direction = if c.contribution > 0.0 { lang.pick("toward churn", "推高流失") } else { lang.pick("toward staying", "降低流失") };
            vec![c.text.clone(), format!("{:+.4}", c.contribution), direction.to_string()]
        })
        .collect();
    println!("{}", output::people_table(["reason", "contribution", "direction"].map(String::from).to_vec(), rows));
    Ok(())
}

fn run_list(workspace: &Workspace, cli: &ModelArgs, lang: Lang) -> Result<()> {
    let models = SavedModel::list(workspace.root()).map_err(metrics_error)?;
    if cli.format == Format::Json {
        return output::print_json(
            &models
                .iter()
                .map(
                    |m| serde_json::json!({"name": m.name, "algorithm": m.algorithm, "trained_at": m.trained_at, "training": m.training, "metrics": m.metrics}),
                )
                .collect::<Vec<_>>(),
        );
    }
    if models.is_empty() {
        println!("{}", messages::model_none(lang));
        return Ok(());
    }
    let rows = models
        .iter()
        .map(|m| {
            let data = match &m.training.data {
                TrainingSource::Activity { cutoffs, horizon_days, .. } => messages::model_activity_source(lang, cutoffs.len(), *horizon_days),
                TrainingSource::Snapshot { label, .. } => messages::model_snapshot_source(lang, label),
            };
            vec![
                m.name.clone(),
                m.algorithm.clone(),
                m.trained_at.clone().unwrap_or_default(),
                data,
                m.training.rows.to_string(),
                format!("{:.1}%", 100.0 * m.training.positive_rate),
                m.metrics.get("roc_auc").map_or(String::new(), |a| format!("{a:.3}")),
            ]
        })
        .collect();
    println!("{}", output::people_table(["name", "algorithm", "trained_at", "data", "rows", "churn_rate", "roc_auc"].map(String::from).to_vec(), rows));
    Ok(())
}

/// What the demo shows of churn prediction.
#[derive(Debug, serde::Serialize)]
pub struct DemoModel {
    /// The label: churned within this many days after a cutoff.
    pub horizon_days: i32,
    /// The default model's ROC AUC on the last cutoff's customers.
    pub roc_auc: f64,
    /// The recency-only baseline's ROC AUC on the same customers.
    pub baseline_auc: Option<f64>,
    /// The top five global features, in the chosen language.
    pub top_features: Vec<String>,
    /// The top five drivers (features that are not warning signs).
    pub top_drivers: Vec<String>,
    /// Customers scored on the last day and saved with their tier.
    pub scored: usize,
    /// The five customers most at risk now, with their reasons.
    pub at_risk: Vec<Scored>,
}

/// Trains the default model on the demo's activity data (four cutoffs,
/// 90-day horizon and window, days in `tz`), saves it, scores the
/// customers active on the last day and saves their tier.
pub fn demo_step(workspace: &Workspace, tz: chrono_tz::Tz, lang: Lang) -> Result<DemoModel> {
    let data = ModelDataArgs {
        source: Some("activity".into()),
        label: "churn".into(),
        cutoffs: Vec::new(),
        horizon: format!("{DEFAULT_HORIZON}d"),
        window: format!("{DEFAULT_WINDOW}d"),
        tz: tz.name().to_string(),
        keep_columns: Vec::new(),
        drop_columns: Vec::new(),
        encoding: "onehot".into(),
    };
    let (frame, source) = training_rows(workspace, &data, lang)?;
    let options = TrainOptions { lang, ..TrainOptions::default() };
    let trained_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (saved, report) = train(&frame, Algorithm::Gbdt, source, Algorithm::Gbdt.name(), &trained_at, &options, "").map_err(metrics_error)?;
    saved.save(workspace.root()).map_err(metrics_error)?;
    let (_, mut at_risk) = scored(workspace, &saved.name, &TierThresholds::default(), 3, lang)?;
    save_scores(workspace, &at_risk, lang)?;
    let scored = at_risk.len();
    at_risk.truncate(5);
    Ok(DemoModel {
        horizon_days: DEFAULT_HORIZON,
        roc_auc: report.evaluation.results[0].metrics.roc_auc,
        baseline_auc: report.evaluation.baseline.as_ref().map(|b| b.roc_auc),
        top_features: saved.importance.iter().take(5).map(|m| m.label(lang)).collect(),
        top_drivers: drivers(&saved.importance).take(5).map(|m| m.label(lang)).collect(),
        scored,
        at_risk,
    })
}

/// Prints the demo's prediction step.
pub fn print_demo_step(demo: &DemoModel, lang: Lang) {
    println!("{}", messages::model_demo(lang, demo.horizon_days, demo.roc_auc, demo.baseline_auc, &demo.top_features, &demo.top_drivers, demo.scored));
    let separator = lang.pick("; ", "；");
    let rows = demo
        .at_risk
        .iter()
        .map(|s| {
            vec![
                s.customer_id.clone(),
                format!("{:.3}", s.probability),
                s.tier.label(lang).to_string(),
                sentences(&s.reasons, separator),
                sentences(&s.drivers, separator),
            ]
        })
        .collect();
    println!("{}", output::people_table(["customer_id", "churn_probability", "tier", "reasons", "drivers"].map(String::from).to_vec(), rows));
}
