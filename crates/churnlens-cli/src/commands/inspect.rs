//! `churnlens inspect`: what a file looks like to churnlens, before import.

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::inspect_file;

use crate::args::{Format, InspectArgs};
use crate::{messages, output};

pub fn run(args: &InspectArgs, lang: Lang) -> Result<()> {
    // The table is optional here: with none given, inspect guesses it.
    let options = super::source_options(Some(args.table.unwrap_or(churnlens_core::Table::Customers)), &args.source, lang)?;
    let mapping_table = match &args.source.mapping {
        Some(path) => churnlens_ingest::MappingFile::load(path)?.table()?,
        None => None,
    };
    let table = args.table.or(mapping_table);
    let report = inspect_file(&args.file, &options.read, table, &options.columns, &options.date_formats, args.rows)?;
    let header = messages::inspect_header(lang);
    let rows: Vec<Vec<String>> = report
        .columns
        .iter()
        .map(|c| {
            vec![
                c.header.clone(),
                c.maps_to.clone().unwrap_or_default(),
                c.kind.clone(),
                c.date_form.clone().unwrap_or_default(),
                c.nulls.to_string(),
                c.examples.join(" | "),
            ]
        })
        .collect();
    match args.format {
        Format::Json => output::print_json(&report),
        Format::Csv => output::print_csv(&header, &rows),
        Format::Table | Format::Parquet => {
            println!("{}", report.path.display());
            println!(
                "{}",
                messages::inspect_summary(
                    lang,
                    &report.format,
                    report.encoding.as_deref().unwrap_or("-"),
                    report.delimiter.as_deref().unwrap_or("-"),
                    report.rows,
                    report.table.as_deref().unwrap_or("?")
                )
            );
            if let Some(part) = &report.part {
                println!("  {part}");
            }
            println!("{}", output::people_table(header, rows));
            for note in &report.notes {
                println!("  - {note}");
            }
            if !report.problems.is_empty() {
                println!("{}:", messages::problems(lang));
                for p in &report.problems {
                    println!("  ! {p}");
                }
            }
            if !report.sample.is_empty() {
                println!("{}:", messages::sample_rows(lang));
                let headers = report.columns.iter().map(|c| c.header.clone()).collect();
                println!("{}", output::people_table(headers, report.sample.clone()));
            }
            Ok(())
        }
    }
}
