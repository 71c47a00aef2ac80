//! One module per command; [`run`] dispatches.

pub mod clv;
pub mod demo;
mod forecast;
mod import;
mod inspect;
mod metrics;
pub mod model;
pub mod report;
pub mod segment;
mod serve;
mod sql;
pub mod survival;
mod tables;
mod user;

use anyhow::Result;
use churnlens_core::{Lang, Table};
use churnlens_ingest::{ImportOptions, MappingFile};

use crate::args::{Cli, Command, SourceArgs};

/// A mistake in how the program was called; exit code 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// Runs the command the user asked for.
pub fn run(cli: Cli, lang: Lang) -> Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(&cli.workspace, &args, lang),
        Command::Import(args) => import::run(&cli.workspace, &args, lang),
        Command::Inspect(args) => inspect::run(&args, lang),
        Command::Sql(args) => sql::run(&cli.workspace, &args),
        Command::Tables(args) => tables::run(&cli.workspace, &args, lang),
        Command::Metrics(args) => metrics::run(&cli.workspace, &args, lang),
        Command::Survival(args) => survival::run(&cli.workspace, &args, lang),
        Command::Forecast(args) => forecast::run(&cli.workspace, &args, lang),
        Command::Segment(args) => segment::run(&cli.workspace, &args, lang),
        Command::Clv(args) => clv::run(&cli.workspace, &args, lang),
        Command::Report(args) => report::run(&cli.workspace, &args, lang),
        Command::Model(args) => model::run(&cli.workspace, &args, lang),
        Command::Serve(args) => serve::run(&cli.workspace, &args, lang),
        Command::User(args) => user::run(&cli.workspace, &args, lang),
    }
}

/// Import options from the mapping file, then flags (flags win).
fn source_options(table: Option<Table>, source: &SourceArgs, lang: Lang) -> Result<ImportOptions> {
    let mapping = match &source.mapping {
        Some(path) => MappingFile::load(path)?,
        None => MappingFile::default(),
    };
    let table = match table.or(mapping.table()?) {
        Some(t) => t,
        None => return Err(UserError(crate::messages::import_needs_table(lang).into()).into()),
    };
    let mut options = ImportOptions::new(table).with_mapping(&mapping)?;
    options.lang = lang;
    if let Some(encoding) = &source.encoding {
        options.read.encoding = Some(encoding.clone());
    }
    if let Some(delimiter) = &source.delimiter {
        options.read.delimiter = Some(delimiter.parse().map_err(UserError)?);
    }
    if source.no_header {
        options.read.has_header = Some(false);
    }
    if let Some(names) = &source.column_names {
        options.read.column_names = Some(names.clone());
        options.read.has_header.get_or_insert(false);
    }
    if let Some(sheet) = &source.sheet {
        options.read.sheet = Some(sheet.clone());
    }
    if let Some(table) = &source.source_table {
        options.read.source_table = Some(table.clone());
    }
    for (name, header) in &source.columns {
        options.columns.insert(name.clone(), header.clone());
    }
    if let Some(format) = &source.date_format {
        options.date_formats.all = Some(format.clone());
    }
    Ok(options)
}
