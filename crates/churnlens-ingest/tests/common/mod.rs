//! Helpers shared by the ingest integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use churnlens_core::Table;
use churnlens_ingest::{ImportOptions, ImportReport, IngestError, Workspace, import_file};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// This crate's directory, as cargo gives it to the running test (not as
/// compiled in: see [`shared_data`]).
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// The reference data of `../shared/data` (Telco, CDNOW), or `None` — said
/// loudly — when this checkout has none. `CHURNLENS_SHARED_DATA` names the
/// directory explicitly (`.ci/run` sets it), and then it must exist. The
/// path is found at run time: a test binary reused from another checkout
/// through a shared target directory must not look in that checkout.
pub fn shared_data() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CHURNLENS_SHARED_DATA") {
        let dir = PathBuf::from(dir);
        assert!(dir.join("telco").is_dir() && dir.join("cdnow").is_dir(), "CHURNLENS_SHARED_DATA={} holds no telco/ and cdnow/", dir.display());
        return Some(dir);
    }
    let dir = manifest_dir().join("../../../shared/data");
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {} is absent; set CHURNLENS_SHARED_DATA to run the reference-data tests", dir.display());
        None
    }
}

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
