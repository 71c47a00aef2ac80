//! Printing results: aligned tables for people, CSV and JSON for programs,
//! Parquet files for further work.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use arrow::record_batch::RecordBatch;

use crate::args::Format;
use crate::commands::UserError;

/// Writes record batches in `format` to `out` (or a file for Parquet).
pub fn write_batches(batches: &[RecordBatch], format: Format, output: Option<&Path>) -> Result<()> {
    match (format, output) {
        (Format::Parquet, None) => Err(UserError("--format parquet needs --output FILE / Parquet 输出需要 --output 文件".into()).into()),
        (Format::Parquet, Some(path)) => {
            let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
            let schema = batches.first().map(|b| b.schema()).unwrap_or_else(|| std::sync::Arc::new(arrow::datatypes::Schema::empty()));
            let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None)?;
            for batch in batches {
                writer.write(batch)?;
            }
            writer.close()?;
            Ok(())
        }
        (format, Some(path)) => {
            let mut file = std::io::BufWriter::new(std::fs::File::create(path).with_context(|| path.display().to_string())?);
            write_text(batches, format, &mut file)?;
            file.flush()?;
            Ok(())
        }
        (format, None) => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            write_text(batches, format, &mut lock)?;
            lock.flush()?;
            Ok(())
        }
    }
}

fn write_text(batches: &[RecordBatch], format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Table => writeln!(out, "{}", arrow::util::pretty::pretty_format_batches(batches)?)?,
        Format::Csv => {
            // The CSV writer reports I/O failures as text, so a reader that
            // closed the pipe (`| head`) would look like our bug: watch the
            // writes and say BrokenPipe, which main treats as success.
            let mut watched = PipeWatch { inner: out, broken: false };
            let written: Result<()> = (|| {
                let mut writer = arrow::csv::WriterBuilder::new().with_header(true).build(&mut watched);
                for batch in batches {
                    writer.write(batch)?;
                }
                Ok(())
            })();
            if watched.broken {
                return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe).into());
            }
            written?;
        }
        Format::Json => {
            let mut buffer = Vec::new();
            {
                let mut writer = arrow::json::ArrayWriter::new(&mut buffer);
                for batch in batches {
                    writer.write(batch)?;
                }
                writer.finish()?;
            }
            // An empty result is still a JSON array.
            if buffer.is_empty() {
                buffer.extend_from_slice(b"[]");
            }
            out.write_all(&buffer)?;
            writeln!(out)?;
        }
        Format::Parquet => return Err(UserError("--format parquet needs --output FILE / Parquet 输出需要 --output 文件".into()).into()),
    }
    Ok(())
}

/// Prints a serialisable value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    serde_json::to_writer_pretty(&mut lock, value)?;
    writeln!(lock)?;
    Ok(())
}

/// A people-facing table with a header row.
pub fn people_table(header: Vec<String>, rows: Vec<Vec<String>>) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(header);
    for row in rows {
        table.add_row(row);
    }
    table
}

/// Writes rows as CSV to standard output.
pub fn print_csv(header: &[String], rows: &[Vec<String>]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(())
}

/// A writer that remembers whether the reader went away.
struct PipeWatch<'a> {
    inner: &'a mut dyn Write,
    broken: bool,
}

impl Write for PipeWatch<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.broken |= result.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        result
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.broken |= result.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        result
    }
}
