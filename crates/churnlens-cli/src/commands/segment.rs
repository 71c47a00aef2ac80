//! `churnlens segment`: RFM segments and the churn-driver table over a
//! workspace (definitions in `churnlens_models::segment` and in
//! `churnlens segment --help`), and the demo's segmentation step.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use arrow::array::{ArrayRef, Float64Array};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_ingest::derived::save_customer_attribute;
use churnlens_metrics::Engine;
use churnlens_metrics::calendar::{Calendar, parse_day};
use churnlens_models::segment::base::{BaseOptions, CustomerBase};
use churnlens_models::segment::behaviour::{behaviour, behaviour_batch};
use churnlens_models::segment::clusters::{ClusterOptions, clusters_with, customer_features};
use churnlens_models::segment::drivers::{DriverOptions, DriverReport, LabelSource, drivers, first_purchase};
use churnlens_models::segment::rfm::{Rfm, Scheme, SegmentRow, summary_batch, transitions, transitions_batch};
use churnlens_models::segment::rules::{RuleOptions, contrasts, contrasts_batch, rules};
use churnlens_models::stats::rfm::Threshold;
use churnlens_models::stats::significance::Continuity;
use std::sync::Arc;

use crate::args::{Format, LabelSourceArg, SegmentArgs, SegmentKind};
use crate::commands::UserError;
use crate::{messages, output};

fn user(message: String) -> anyhow::Error {
    UserError(message).into()
}

/// Rounds figures for people: percentages and money to 2 decimals,
/// Cramér's V to 4; p-values keep 3 significant digits, since the small ones
/// are the finding. Programs get full precision.
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
                let name = field.name();
                let round: fn(f64) -> f64 = if name.ends_with("p_value") || name.ends_with("_p") {
                    |x| if x == 0.0 { 0.0 } else { format!("{x:.2e}").parse().unwrap_or(x) }
                } else if name == "cramers_v" {
                    |x| (x * 1e4).round() / 1e4
                } else {
                    |x| (x * 100.0).round() / 100.0
                };
                Arc::new(values.iter().map(|v| v.map(round)).collect::<Float64Array>()) as ArrayRef
            }
            None => c.clone(),
        })
        .collect();
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// `--bins COLUMN=e0,e1,…` as (column, ascending edges).
fn parse_bins(text: &str) -> Result<(String, Vec<f64>)> {
    let bad = || user(format!("--bins '{text}': give COLUMN=e0,e1,… with at least two ascending numbers, e.g. tenure=-1,12,24,48,72"));
    let (column, edges) = text.split_once('=').ok_or_else(bad)?;
    let edges: Vec<f64> = edges.split(',').map(|e| e.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    if edges.len() < 2 || edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad());
    }
    Ok((column.trim().to_string(), edges))
}

pub fn run(workspace: &Path, args: &SegmentArgs, lang: Lang) -> Result<()> {
    let window = args.window.trim_end_matches(['d', 'D']).parse::<i32>().ok().filter(|w| *w >= 1);
    let window = window.ok_or_else(|| user(format!("--window '{}': give a number of days such as 90 or 90d", args.window)))?;
    let as_of = match &args.as_of {
        None => None,
        Some(t) => Some(parse_day(t).ok_or_else(|| user(format!("--as-of '{t}': use YYYY-MM-DD")))?),
    };
    let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| user(e.to_string()))?;
    let calendar = Calendar::in_zone(tz);
    let base_options = BaseOptions { calendar, as_of, window, lang };
    let workspace = Workspace::open(workspace)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = runtime.block_on(Engine::open(&workspace))?;
    match args.kind {
        SegmentKind::Rfm => {
            let base = runtime.block_on(CustomerBase::load(&engine, &base_options))?;
            let threshold = if args.threshold == "median" { Threshold::Median } else { Threshold::Mean };
            let rfm = Rfm::compute(&base, threshold)?;
            let scheme = if args.scheme == "11" { Scheme::Eleven } else { Scheme::Eight };
            let batch = if args.customers { rfm.customers_batch(lang) } else { summary_batch(&rfm.summary(scheme, lang)) };
            output::write_batches(&[for_people(batch, args.format)?], args.format, args.output.as_deref())?;
            if args.save {
                let eight: Vec<Option<String>> = rfm.labels(Scheme::Eight, lang).into_iter().map(|l| Some(l.to_string())).collect();
                let eleven: Vec<Option<String>> = rfm.labels(Scheme::Eleven, lang).into_iter().map(|l| Some(l.to_string())).collect();
                save_customer_attribute(&workspace, "rfm_segment", &rfm.ids, &eight, "churnlens segment rfm")?;
                let customers = save_customer_attribute(&workspace, "rfm_score_segment", &rfm.ids, &eleven, "churnlens segment rfm")?;
                eprintln!("{}", messages::attributes_saved(lang, &["rfm_segment", "rfm_score_segment"], customers));
            }
            Ok(())
        }
        SegmentKind::Behaviour => {
            let (base, activity) = runtime.block_on(async {
                let base = CustomerBase::load(&engine, &base_options).await?;
                let activity = churnlens_metrics::activity::Activity::from_orders(&engine, &calendar).await?;
                Ok::<_, churnlens_metrics::MetricsError>((base, activity))
            })?;
            let batch = behaviour_batch(&behaviour(&base, &activity), lang);
            output::write_batches(&[for_people(batch, args.format)?], args.format, args.output.as_deref())
        }
        SegmentKind::Rules => {
            let options = RuleOptions { item: args.item.clone(), min_support: args.min_support, min_confidence: args.min_confidence, min_lift: args.min_lift };
            let found = runtime.block_on(rules(&engine, &options))?;
            let batch = if args.contrasts {
                let rows = runtime.block_on(async {
                    let base = CustomerBase::load(&engine, &base_options).await?;
                    contrasts(&engine, &found, &base, &calendar).await
                })?;
                contrasts_batch(&found, &rows)
            } else {
                found.batch()
            };
            output::write_batches(&[for_people(batch, args.format)?], args.format, args.output.as_deref())
        }
        SegmentKind::Transitions => {
            let from = args.from.as_deref().ok_or_else(|| user("transitions needs --from YYYY-MM-DD, the earlier day / 需要 --from 起始日期".into()))?;
            let from = parse_day(from).ok_or_else(|| user(format!("--from '{from}': use YYYY-MM-DD")))?;
            let threshold = if args.threshold == "median" { Threshold::Median } else { Threshold::Mean };
            let scheme = if args.scheme == "11" { Scheme::Eleven } else { Scheme::Eight };
            let (before, after) = runtime.block_on(async {
                let before = CustomerBase::load(&engine, &BaseOptions { as_of: Some(from), ..base_options.clone() }).await?;
                let after = CustomerBase::load(&engine, &base_options).await?;
                Ok::<_, churnlens_metrics::MetricsError>((before, after))
            })?;
            if after.as_of <= from {
                return Err(user(format!(
                    "--from {}: give a day before the as-of day {}",
                    args.from.as_deref().unwrap_or_default(),
                    churnlens_metrics::calendar::format_day(after.as_of)
                )));
            }
            let rows = transitions(&Rfm::compute(&before, threshold)?, &Rfm::compute(&after, threshold)?, scheme, lang);
            output::write_batches(&[transitions_batch(&rows)], args.format, args.output.as_deref())
        }
        SegmentKind::Clusters => {
            let (base, extra) = runtime.block_on(async {
                let base = CustomerBase::load(&engine, &base_options).await?;
                let extra = customer_features(&engine, &base, &args.features, lang).await?;
                Ok::<_, churnlens_metrics::MetricsError>((base, extra))
            })?;
            let options = ClusterOptions { churned_only: !args.all, k: args.k, seed: args.seed };
            let found = clusters_with(&base, &extra, &options, lang)?;
            output::write_batches(&[for_people(found.profiles_batch(), args.format)?], args.format, args.output.as_deref())?;
            if args.save {
                let labels: Vec<Option<String>> = found.labels.iter().map(|l| Some(l.to_string())).collect();
                let customers = save_customer_attribute(&workspace, "cluster", &found.ids, &labels, "churnlens segment clusters")?;
                eprintln!("{}", messages::attributes_saved(lang, &["cluster"], customers));
            }
            Ok(())
        }
        SegmentKind::FirstPurchase => {
            let options = DriverOptions { continuity: if args.no_yates { Continuity::None } else { Continuity::Yates }, lang, ..DriverOptions::default() };
            let (once, buyers, report) = runtime.block_on(async {
                let base = CustomerBase::load(&engine, &base_options).await?;
                first_purchase(&engine, &base, &calendar, &options).await
            })?;
            // The sentences speak of churn; here the label is "bought once", so they are left out.
            let batch = if args.levels { report.levels_batch() } else { report.attributes_batch(lang) };
            let keep: Vec<usize> = (0..batch.num_columns()).filter(|&i| batch.schema().field(i).name() != "finding").collect();
            output::write_batches(&[for_people(batch.project(&keep)?, args.format)?], args.format, args.output.as_deref())?;
            if args.format == Format::Table && args.output.is_none() {
                println!("{}", messages::one_time_buyers(lang, once, buyers));
            }
            Ok(())
        }
        SegmentKind::Drivers => {
            let bins: BTreeMap<String, Vec<f64>> = args.bins.iter().map(|b| parse_bins(b)).collect::<Result<_>>()?;
            let source = match args.source {
                LabelSourceArg::Orders => LabelSource::Orders,
                LabelSourceArg::Snapshot => LabelSource::Snapshot,
            };
            let options = DriverOptions { source, continuity: if args.no_yates { Continuity::None } else { Continuity::Yates }, bins, lang };
            let report = runtime.block_on(async {
                let base = match source {
                    LabelSource::Orders => Some(CustomerBase::load(&engine, &base_options).await?),
                    LabelSource::Snapshot => None,
                };
                drivers(&engine, base.as_ref(), &calendar, &options).await
            })?;
            let batch = if args.levels { report.levels_batch() } else { report.attributes_batch(lang) };
            output::write_batches(&[for_people(batch, args.format)?], args.format, args.output.as_deref())?;
            if args.format == Format::Table && args.output.is_none() {
                println!("{}", messages::drivers_note(lang, report.customers, report.churned, &report.skipped));
            }
            Ok(())
        }
    }
}

/// The demo's segmentation step: RFM segment sizes and the top churn drivers.
#[derive(Debug, serde::Serialize)]
pub struct DemoSegments {
    /// The eight RFM segments at the day after the last order.
    pub rfm_segments: Vec<SegmentRow>,
    /// The three attributes most associated with churn, as sentences.
    pub top_drivers: Vec<String>,
}

/// Runs the demo step over the imported demo workspace (orders-derived churn, 90-day window).
pub fn demo_step(workspace: &Workspace, calendar: Calendar, lang: Lang) -> Result<DemoSegments> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (rfm, report): (Rfm, DriverReport) = runtime.block_on(async {
        let engine = Engine::open(workspace).await?;
        let base = CustomerBase::load(&engine, &BaseOptions { calendar, lang, ..BaseOptions::default() }).await?;
        let report = drivers(&engine, Some(&base), &calendar, &DriverOptions { lang, ..DriverOptions::default() }).await?;
        Ok::<_, anyhow::Error>((Rfm::compute(&base, Threshold::Mean)?, report))
    })?;
    Ok(DemoSegments {
        rfm_segments: rfm.summary(Scheme::Eight, lang),
        top_drivers: report.attributes.iter().filter_map(|a| a.sentence(lang)).take(3).collect(),
    })
}

/// Prints the demo step for people.
pub fn print_demo_step(step: &DemoSegments, lang: Lang) {
    println!("{}", messages::demo_segments(lang, &step.rfm_segments, &step.top_drivers));
}
