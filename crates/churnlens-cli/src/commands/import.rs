//! `churnlens import`: one file into one workspace table, with a report.

use std::path::Path;

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::{ImportReport, ImportStage, Workspace, import_file, parse_tz};

use crate::args::{Format, ImportArgs};
use crate::{messages, output, progress};

pub fn run(workspace: &Path, args: &ImportArgs, lang: Lang) -> Result<()> {
    let mut options = super::source_options(args.table, &args.source, lang)?;
    if let Some(tz) = &args.tz {
        options.tz = parse_tz(tz)?;
    }
    options.strict = args.strict;
    options.append = args.append;
    options.allow_future = args.allow_future;
    if let Some(policy) = &args.unknown_customers {
        options.unknown_customers = policy.parse().map_err(super::UserError)?;
    }
    let workspace = Workspace::open_or_create(workspace)?;
    let report = import_with_progress(&workspace, &args.file, &options, lang)?;
    match args.format {
        Format::Json => output::print_json(&report),
        Format::Csv => {
            let (header, rows) = column_rows(&report, lang);
            output::print_csv(&header, &rows)
        }
        Format::Table | Format::Parquet => {
            print_report(&report, lang);
            Ok(())
        }
    }
}

/// Imports with progress bars for reading, checking and writing.
pub fn import_with_progress(workspace: &Workspace, file: &Path, options: &churnlens_ingest::ImportOptions, lang: Lang) -> Result<ImportReport> {
    let read = progress::bar(messages::reading(lang), true);
    let check = progress::bar(messages::checking(lang), false);
    let write = progress::bar(messages::writing(lang), false);
    let report = import_file(workspace, file, options, &|stage, done, total| {
        let bar = match stage {
            ImportStage::Reading => &read,
            ImportStage::Converting => &check,
            ImportStage::Writing => &write,
        };
        bar.set_length(total);
        bar.set_position(done);
    });
    read.finish_and_clear();
    check.finish_and_clear();
    write.finish_and_clear();
    Ok(report?)
}

fn column_rows(report: &ImportReport, lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let l = messages::import_labels(lang);
    let header = vec![l.column, l.source, l.kind, l.nulls, l.null_where].into_iter().map(String::from).collect();
    let rows = report
        .columns
        .iter()
        .map(|c| {
            let kind = match &c.column.date_form {
                Some(form) => format!("{} ({form})", c.column.kind),
                None => c.column.kind.to_string(),
            };
            let mut examples = c.null_examples.iter().take(12).cloned().collect::<Vec<_>>().join(", ");
            if c.nulls as usize > c.null_examples.len().min(12) {
                examples.push_str(", …");
            }
            vec![c.column.name.clone(), c.column.source_header.clone(), kind, c.nulls.to_string(), if c.nulls > 0 { examples } else { String::new() }]
        })
        .collect();
    (header, rows)
}

/// The people-facing summary of an import.
pub fn print_report(report: &ImportReport, lang: Lang) {
    let l = messages::import_labels(lang);
    println!("{} {} → {} ({}, {} {})", l.imported, report.source.display(), report.table, report.mode, l.version, report.version);
    let mut facts = vec![format!("{} {}", l.format, report.format)];
    if let Some(e) = &report.encoding {
        facts.push(format!("{} {e}", l.encoding));
    }
    if let Some(d) = &report.delimiter {
        facts.push(format!("{} {d}", l.delimiter));
    }
    if let Some(p) = &report.part {
        facts.push(p.clone());
    }
    println!("  {}", facts.join(" · "));
    println!("  {} {} · {} {} · {} {}", l.rows_read, report.rows_read, l.stored, report.rows_accepted, l.rejected, report.rows_rejected);
    if !report.rejected_by_reason.is_empty() {
        let reasons: Vec<String> = report.rejected_by_reason.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("  {}: {}", l.by_reason, reasons.join(", "));
    }
    if let Some(file) = &report.rejects_file {
        println!("  {}: {}", l.rejects_file, file.display());
    }
    if !report.rejects_preview.is_empty() {
        println!("  {}:", l.first_rejects);
        let rows = report.rejects_preview.iter().take(10).map(|r| vec![r.line.to_string(), r.column.clone(), r.value.clone(), r.message.clone()]).collect();
        println!("{}", output::people_table(vec![l.line.into(), l.column.into(), l.value.into(), l.reason.into()], rows));
    }
    if report.negative_amounts > 0 {
        println!("  {}: {}", l.refunds, report.negative_amounts);
    }
    if let Some(n) = report.unknown_customers.filter(|n| *n > 0) {
        println!("  {}: {n} ({})", l.unknown_customers, report.unknown_customer_examples.join(", "));
    }
    for note in &report.notes {
        println!("  {}: {note}", l.notes);
    }
    let (header, rows) = column_rows(report, lang);
    println!("{}", output::people_table(header, rows));
}
