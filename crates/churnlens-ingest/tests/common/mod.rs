//! Helpers shared by the ingest integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use churnlens_core::Table;
use churnlens_ingest::{ImportOptions, ImportReport, IngestError, Workspace, import_file};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

#[path = "../../../../tests/support/shared_data.rs"]
mod location;
#[allow(unused_imports)] // each test binary uses a part of this module
pub use location::{manifest_dir, shared_data};

pub fn repo_root() -> PathBuf {
    manifest_dir().join("../..")
}

/// 2025-06-01T00:00:00Z: "now" for the future-date check in tests.
pub const TEST_NOW_MICROS: i64 = 1_748_736_000_000_000;

pub fn options(table: Table) -> ImportOptions {
    let mut o = ImportOptions::new(table);
    o.now_micros = Some(TEST_NOW_MICROS);
    o
}

pub fn import(ws: &Workspace, path: &Path, options: &ImportOptions) -> Result<ImportReport, IngestError> {
    import_file(ws, path, options, &|_, _, _| {})
}

/// All stored rows of a table, in part order.
pub fn read_table(ws: &Workspace, table: &str) -> Vec<RecordBatch> {
    ws.parts(table)
        .unwrap()
        .into_iter()
        .flat_map(|p| {
            let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(p).unwrap()).unwrap().build().unwrap();
            reader.map(|b| b.unwrap()).collect::<Vec<_>>()
        })
        .collect()
}

pub fn concat(batches: &[RecordBatch]) -> RecordBatch {
    arrow::compute::concat_batches(&batches[0].schema(), batches).unwrap()
}

pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn reason_count(report: &ImportReport, code: &str) -> u64 {
    report.rejected_by_reason.get(code).copied().unwrap_or(0)
}
