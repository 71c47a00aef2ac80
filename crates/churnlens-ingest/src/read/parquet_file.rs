//! Apache Parquet files.
//!
//! Columns are rendered to text with Arrow's display formatter (ISO dates,
//! RFC 3339 timestamps with their offset, shortest round-trip floats) and
//! then converted like any other source, so a Parquet file from another
//! system is validated and mapped exactly as a CSV would be. Record numbers
//! count from 1.

use std::path::Path;

use arrow::util::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{SourceData, SourceFormat, unique_headers};
use crate::error::{IngestError, Result};
use crate::raw::RawChunk;

pub(super) fn read(path: &Path) -> Result<SourceData> {
    let file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| IngestError::input(path, format!("not a readable Parquet file: {e}")))?;
    let headers: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
    let reader = builder.with_batch_size(64 * 1024).build()?;
    let options = FormatOptions::default().with_null("");
    let mut chunks = Vec::new();
    let mut row_number = 0u64;
    let mut text = String::new();
    for batch in reader {
        let batch = batch?;
        let formatters = batch.columns().iter().map(|c| ArrayFormatter::try_new(c.as_ref(), &options)).collect::<std::result::Result<Vec<_>, _>>()?;
        let mut chunk = RawChunk::with_capacity(batch.num_rows(), headers.len(), batch.get_array_memory_size());
        for row in 0..batch.num_rows() {
            row_number += 1;
            for formatter in &formatters {
                text.clear();
                use std::fmt::Write;
                write!(text, "{}", formatter.value(row)).map_err(|e| IngestError::Internal(e.to_string()))?;
                chunk.push_cell(&text);
            }
            chunk.end_row(row_number);
        }
        chunks.push(chunk);
    }
    Ok(SourceData {
        path: path.to_path_buf(),
        format: SourceFormat::Parquet,
        encoding: None,
        delimiter: None,
        part: None,
        headers: unique_headers(headers),
        chunks,
        bytes: 0,
    })
}
