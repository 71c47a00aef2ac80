//! `churnlens tables`: what the workspace holds.

use std::path::Path;

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;

use crate::args::{Format, TablesArgs};
use crate::{messages, output};

pub fn run(workspace: &Path, args: &TablesArgs, lang: Lang) -> Result<()> {
    let workspace = Workspace::open(workspace)?;
    let datasets = workspace.datasets()?;
    let imports = workspace.imports()?;
    if args.format == Format::Json {
        return output::print_json(&serde_json::json!({ "tables": datasets, "imports": imports }));
    }
    let rows: Vec<Vec<String>> = datasets
        .iter()
        .map(|d| {
            let last = imports.iter().find(|i| i.dataset == d.name);
            vec![
                d.name.clone(),
                d.rows.to_string(),
                d.version.to_string(),
                d.updated_at.clone(),
                last.map(|i| i.source_path.clone()).unwrap_or_default(),
                last.map(|i| i.rows_rejected.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    if args.format == Format::Csv {
        return output::print_csv(&messages::tables_header(lang), &rows);
    }
    if rows.is_empty() {
        println!("{}", messages::no_tables(lang));
    } else {
        println!("{}", output::people_table(messages::tables_header(lang), rows));
    }
    Ok(())
}
