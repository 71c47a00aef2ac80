//! `churnlens demo`: the one command that shows the product.
//!
//! Generates the demo business (see the `churnlens-demo` crate for what is
//! planted in it), writes it in every file format users bring (GBK CSV,
//! UTF-8 CSV with BOM, TSV, Excel, Parquet, JSON lines, SQLite), imports
//! each file through the same path `churnlens import` uses, and prints what
//! was read, stored and rejected. Later analysis steps extend it.

use std::path::Path;

use anyhow::{Context, Result};
use arrow::array::Array;
use churnlens_core::{Lang, Table};
use churnlens_demo::{DemoParams, generate};
use churnlens_ingest::{ImportOptions, ImportReport, Workspace};
use churnlens_metrics::calendar::Calendar;
use churnlens_metrics::{Engine, Metrics, MetricsOptions};

use crate::args::{DemoArgs, Format};
use crate::{messages, output, progress};

/// The demo business's time zone: its wall-clock times are Beijing time.
const DEMO_TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

pub fn run(workspace: &Path, args: &DemoArgs, lang: Lang) -> Result<()> {
    let started = std::time::Instant::now();
    let data_dir = args.data_dir.clone().unwrap_or_else(|| workspace.join("demo-data"));
    std::fs::create_dir_all(&data_dir).with_context(|| data_dir.display().to_string())?;
    let params = DemoParams { seed: args.seed, customers: args.customers, ..DemoParams::default() };
    let bar = progress::bar(messages::generating(lang, ""), false);
    let demo = generate(&params, &data_dir, &|step, done, total| {
        bar.set_message(messages::generating(lang, step));
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    if args.no_import {
        if args.format == Format::Json {
            return output::print_json(&serde_json::json!({ "data_dir": data_dir, "ground_truth": demo.ground_truth }));
        }
        println!("{}", messages::demo_files_only(lang, &data_dir.display().to_string()));
        return Ok(());
    }
    let workspace_handle = Workspace::open_or_create(workspace)?;
    let mut files = demo.files.clone();
    // Customers first, so the other tables are checked against them.
    files.sort_by_key(|f| f.table != Table::Customers);
    let mut reports: Vec<ImportReport> = Vec::with_capacity(files.len());
    for file in &files {
        let mut options = ImportOptions::new(file.table);
        options.read.sheet = file.sheet.clone();
        options.read.source_table = file.source_table.clone();
        options.tz = DEMO_TZ;
        options.lang = lang;
        let report = super::import::import_with_progress(&workspace_handle, &file.path, &options, lang)
            .with_context(|| format!("importing demo file {}", file.path.display()))?;
        reports.push(report);
    }
    let headline = headline(&workspace_handle, lang)?;
    let lifetimes = super::survival::demo_step(&workspace_handle, DEMO_TZ, lang)?;
    let segments = super::segment::demo_step(&workspace_handle, Calendar::in_zone(DEMO_TZ), lang)?;
    let clv = super::clv::demo_step(&workspace_handle, DEMO_TZ, lang)?;
    // The churn model first, so the report written next has its section.
    let prediction = super::model::demo_step(&workspace_handle, DEMO_TZ, lang)?;
    let report = super::report::demo_step(&workspace_handle, DEMO_TZ, lang)?;
    if args.format == Format::Json {
        return output::print_json(&serde_json::json!({
            "data_dir": data_dir,
            "ground_truth": demo.ground_truth,
            "imports": reports,
            "headline": headline,
            "survival_forecast": lifetimes,
            "segments": segments,
            "clv": clv,
            "report": report,
            "prediction": prediction,
        }));
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                r.table.clone(),
                r.source.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
                match &r.part {
                    Some(p) => format!("{} ({p})", r.format),
                    None => r.format.clone(),
                },
                r.encoding.clone().unwrap_or_else(|| "-".into()),
                r.rows_read.to_string(),
                r.rows_accepted.to_string(),
                r.rows_rejected.to_string(),
            ]
        })
        .collect();
    if args.format == Format::Csv {
        return output::print_csv(&messages::demo_header(lang), &rows);
    }
    println!("{}", output::people_table(messages::demo_header(lang), rows));
    for report in reports.iter().filter(|r| r.rows_rejected > 0 || r.unknown_customers.unwrap_or(0) > 0) {
        super::import::print_report(report, lang);
    }
    if let Some(h) = &headline {
        println!("{}", messages::headline(lang, h));
    }
    println!("{}", messages::demo_lifetimes(lang, &lifetimes));
    super::segment::print_demo_step(&segments, lang);
    println!("{}", messages::clv_demo(lang, &clv));
    println!("{}", messages::report_written(lang, &report.display().to_string()));
    super::model::print_demo_step(&prediction, lang);
    println!(
        "{}",
        messages::demo_done(
            lang,
            &workspace.display().to_string(),
            &data_dir.display().to_string(),
            &demo.ground_truth.display().to_string(),
            started.elapsed().as_secs_f64()
        )
    );
    Ok(())
}

/// The headline numbers of the last complete month.
#[derive(Debug, serde::Serialize)]
pub struct Headline {
    /// The month.
    pub period: String,
    /// Churn rate, percent (90-day window).
    pub churn_rate_pct: Option<f64>,
    /// Retention rate, percent.
    pub retention_rate_pct: Option<f64>,
    /// Customers active at the month's end.
    pub active_customers: u64,
    /// Historical CLV: net revenue to date per customer who bought.
    pub average_clv: Option<f64>,
    /// NPS of the month's survey answers (% 9–10 − % 0–6).
    pub nps: Option<f64>,
}

fn headline(workspace: &Workspace, lang: Lang) -> Result<Option<Headline>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let engine = Engine::open(workspace).await?;
        let options = MetricsOptions { calendar: Calendar::in_zone(DEMO_TZ), lang, ..MetricsOptions::default() };
        let metrics = Metrics::load(&engine, options).await?;
        let Some(last) = metrics.period_rows().pop() else { return Ok(None) };
        let revenue: f64 = metrics.activity().revenue.iter().flatten().map(|(_, amount)| amount).sum();
        let buyers = metrics.activity().days.iter().filter(|d| !d.is_empty()).count();
        // Survey times are UTC instants; the month is bounded in Beijing time (UTC+8).
        let micros = |day: i32| (i64::from(day) * 86_400 - 8 * 3600) * 1_000_000;
        let query = format!(
            "SELECT 100.0 * avg(CASE WHEN nps >= 9 THEN 1.0 WHEN nps <= 6 THEN -1.0 ELSE 0.0 END) AS nps FROM surveys \
             WHERE CAST(survey_time AS BIGINT) >= {} AND CAST(survey_time AS BIGINT) < {}",
            micros(last.span.start),
            micros(last.span.end + 1)
        );
        let nps = engine.sql(&query).await?.first().and_then(|b| {
            let column = b.column(0).as_any().downcast_ref::<arrow::array::Float64Array>()?;
            (!column.is_empty() && !column.is_null(0)).then(|| column.value(0))
        });
        Ok(Some(Headline {
            period: last.span.label.clone(),
            churn_rate_pct: last.churn_rate(),
            retention_rate_pct: last.retention_rate(),
            active_customers: last.active_end,
            average_clv: (buyers > 0).then(|| revenue / buyers as f64),
            nps,
        }))
    })
}
