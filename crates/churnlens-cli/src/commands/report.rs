//! `churnlens report`: computes the report data of a workspace
//! (`churnlens_report::build`) and writes the self-contained HTML report;
//! and the demo's report step.

use std::path::{Path, PathBuf};

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_metrics::calendar::Calendar;
use churnlens_report::{ReportData, ReportError, ReportOptions};

use crate::args::ReportArgs;
use crate::commands::UserError;
use crate::messages;

/// The user's mistakes as [`UserError`] (exit code 1), our bugs as they are.
fn report_error(error: ReportError) -> anyhow::Error {
    if error.is_user_error() { UserError(error.to_string()).into() } else { error.into() }
}

/// Builds the report data of `workspace`.
fn report_data(workspace: &Workspace, options: &ReportOptions) -> Result<ReportData> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(churnlens_report::build(workspace, options)).map_err(report_error)
}

pub fn run(workspace: &Path, args: &ReportArgs, lang: Lang) -> Result<()> {
    let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| UserError(e.to_string()))?;
    let workspace = Workspace::open(workspace)?;
    let options =
        ReportOptions { calendar: Calendar::in_zone(tz), lang, breakdown: args.by.clone(), survival_by: args.survival_by.clone(), fit_clv: !args.no_fit };
    let data = report_data(&workspace, &options)?;
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&data)?).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
    }
    churnlens_report::html::write(&data, &args.output).map_err(report_error)?;
    println!("{}", messages::report_written(lang, &args.output.display().to_string()));
    if let Some(dir) = &args.charts {
        let written = churnlens_report::charts::write_charts(&data, dir).map_err(report_error)?;
        if let Some(reason) = &written.png_skipped {
            eprintln!("{}", messages::charts_png_skipped(lang, reason));
        }
        println!("{}", messages::charts_written(lang, written.files.len(), &dir.display().to_string()));
    }
    Ok(())
}

/// The demo step: the report of the demo workspace (Beijing time; the CLV
/// model the demo saved), written as WORKSPACE/report.html.
pub fn demo_step(workspace: &Workspace, tz: chrono_tz::Tz, lang: Lang) -> Result<PathBuf> {
    let options = ReportOptions { calendar: Calendar::in_zone(tz), lang, ..ReportOptions::default() };
    let data = report_data(workspace, &options)?;
    let path = workspace.root().join("report.html");
    churnlens_report::html::write(&data, &path).map_err(report_error)?;
    Ok(path)
}
