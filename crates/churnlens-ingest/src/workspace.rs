//! The workspace: a directory of Parquet tables and an embedded SQLite catalog.
//!
//! ```text
//! WS/
//!   catalog.sqlite            datasets, their current version, schema, and every import
//!   tables/<table>/v<N>/      part-*.parquet of the current version N
//!   rejects/<table>-<id>.csv  rows each import rejected
//! ```
//!
//! Imports never touch the current version. A new version is written to a
//! staging directory, renamed into place as `v<N+1>`, and only then does one
//! catalog transaction make it current; the old version is removed after.
//! A failed or interrupted import therefore leaves the previous table intact
//! and readable; leftover staging or orphaned version directories are
//! cleaned up by the next import of that table. `--append` builds the new
//! version from hard links to the old parts plus the new ones.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray};
use arrow::datatypes::SchemaRef;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rusqlite::{Connection, OptionalExtension, params};

use serde::Serialize;

use crate::error::{IngestError, Result};

/// Default workspace directory name.
pub const DEFAULT_WORKSPACE: &str = "churnlens-workspace";

const SCHEMA_SQL: &str = "
CREATE TABLE IF NOT EXISTS datasets (
    name        TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    schema_json TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    mode          TEXT NOT NULL,
    source_path   TEXT NOT NULL,
    source_hash   TEXT NOT NULL,
    source_bytes  INTEGER NOT NULL,
    format        TEXT NOT NULL,
    encoding      TEXT,
    delimiter     TEXT,
    part          TEXT,
    mapping_json  TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    reasons_json  TEXT NOT NULL,
    rejects_path  TEXT,
    imported_at   TEXT NOT NULL
);
";

/// A table held in the workspace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DatasetInfo {
    /// Table name.
    pub name: String,
    /// Current version.
    pub version: i64,
    /// Rows in the current version.
    pub rows: i64,
    /// Directory of the current version's Parquet parts.
    pub path: PathBuf,
    /// When it was last written (UTC, RFC 3339).
    pub updated_at: String,
}

/// One import as the catalog recorded it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportRecord {
    /// Import id.
    pub id: i64,
    /// Table written.
    pub dataset: String,
    /// Version it produced.
    pub version: i64,
    /// `replace` or `append`.
    pub mode: String,
    /// Source file.
    pub source_path: String,
    /// BLAKE3 hash of the source file.
    pub source_hash: String,
    /// Rows read.
    pub rows_read: i64,
    /// Rows stored.
    pub rows_accepted: i64,
    /// Rows rejected.
    pub rows_rejected: i64,
    /// Rejects file, if any rows were rejected.
    pub rejects_path: Option<String>,
    /// When (UTC, RFC 3339).
    pub imported_at: String,
}

/// What an import tells the catalog when it commits.
#[derive(Debug, Clone)]
pub(crate) struct CommitRecord {
    pub mode: &'static str,
    pub source_path: String,
    pub source_hash: String,
    pub source_bytes: u64,
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub part: Option<String>,
    pub mapping_json: String,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    pub reasons_json: String,
    pub rejects_path: Option<String>,
    pub total_rows: u64,
    pub schema_json: String,
}

/// A new table version being written.
#[derive(Debug)]
pub(crate) struct StagedVersion {
    pub table: String,
    pub dir: PathBuf,
    pub base_version: i64,
}

/// An open workspace.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// Opens the workspace at `root`, creating it if needed.
    pub fn open_or_create(root: impl AsRef<Path>) -> Result<Workspace> {
        let root = root.as_ref().to_path_buf();
        for dir in [root.clone(), root.join("tables"), root.join("rejects")] {
            std::fs::create_dir_all(&dir).map_err(|e| IngestError::io(&dir, e))?;
        }
        let ws = Workspace { root };
        ws.connect()?.execute_batch(SCHEMA_SQL)?;
        Ok(ws)
    }

    /// Opens an existing workspace; an error says how to create one.
    pub fn open(root: impl AsRef<Path>) -> Result<Workspace> {
        let root = root.as_ref();
        if !root.join("catalog.sqlite").exists() {
            return Err(IngestError::Workspace(format!(
                "no churnlens workspace at {}: import a file first (churnlens import -w {} --as TABLE FILE) or run churnlens demo / 该目录不是 churnlens 工作区，请先导入数据或运行 churnlens demo",
                root.display(),
                root.display()
            )));
        }
        Workspace::open_or_create(root)
    }

    /// The workspace directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn connect(&self) -> Result<Connection> {
        let conn = Connection::open(self.root.join("catalog.sqlite"))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(conn)
    }

    fn version_dir(&self, table: &str, version: i64) -> PathBuf {
        self.root.join("tables").join(table).join(format!("v{version}"))
    }

    /// Every table in the workspace.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        let conn = self.connect()?;
        let mut stmt = conn.prepare("SELECT name, version, rows, updated_at FROM datasets ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, version, rows, updated_at) = row?;
            out.push(DatasetInfo { path: self.version_dir(&name, version), name, version, rows, updated_at });
        }
        Ok(out)
    }

    /// One table, if present.
    pub fn dataset(&self, name: &str) -> Result<Option<DatasetInfo>> {
        Ok(self.datasets()?.into_iter().find(|d| d.name == name))
    }

    /// The stored Arrow schema of a table, read from its first Parquet part.
    pub fn schema(&self, name: &str) -> Result<Option<SchemaRef>> {
        let Some(part) = self.parts(name)?.into_iter().next() else { return Ok(None) };
        let file = std::fs::File::open(&part).map_err(|e| IngestError::io(&part, e))?;
        Ok(Some(ParquetRecordBatchReaderBuilder::try_new(file)?.schema().clone()))
    }

    /// Every import, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>> {
        let conn = self.connect()?;
        let mut stmt = conn.prepare(
            "SELECT id, dataset, version, mode, source_path, source_hash, rows_read, rows_accepted, rows_rejected, rejects_path, imported_at
             FROM imports ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                dataset: r.get(1)?,
                version: r.get(2)?,
                mode: r.get(3)?,
                source_path: r.get(4)?,
                source_hash: r.get(5)?,
                rows_read: r.get(6)?,
                rows_accepted: r.get(7)?,
                rows_rejected: r.get(8)?,
                rejects_path: r.get(9)?,
                imported_at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The Parquet part files of a table's current version.
    pub fn parts(&self, name: &str) -> Result<Vec<PathBuf>> {
        let Some(info) = self.dataset(name)? else { return Ok(Vec::new()) };
        let mut parts: Vec<PathBuf> = std::fs::read_dir(&info.path)
            .map_err(|e| IngestError::io(&info.path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
            .collect();
        parts.sort();
        Ok(parts)
    }

    /// The distinct non-null values of a text column of a stored table.
    pub fn distinct_strings(&self, table: &str, column: &str) -> Result<HashSet<String>> {
        let mut out = HashSet::new();
        for part in self.parts(table)? {
            let file = std::fs::File::open(&part).map_err(|e| IngestError::io(&part, e))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
            let Some(index) = builder.schema().fields().iter().position(|f| f.name() == column) else {
                return Ok(out);
            };
            let mask = ProjectionMask::roots(builder.parquet_schema(), [index]);
            for batch in builder.with_projection(mask).build()? {
                let batch = batch?;
                let col = batch.column(0);
                let strings = col.as_string_opt::<i32>().ok_or_else(|| IngestError::Internal(format!("{table}.{column} is not text")))?;
                for i in 0..strings.len() {
                    if strings.is_valid(i) {
                        out.insert(strings.value(i).to_string());
                    }
                }
            }
        }
        Ok(out)
    }

    /// Starts a new version of `table` in a staging directory; with
    /// `link_current`, the current version's parts are hard-linked into it.
    pub(crate) fn stage(&self, table: &str, link_current: bool) -> Result<StagedVersion> {
        let table_dir = self.root.join("tables").join(table);
        std::fs::create_dir_all(&table_dir).map_err(|e| IngestError::io(&table_dir, e))?;
        let base_version = self.dataset(table)?.map(|d| d.version).unwrap_or(0);
        self.clean_leftovers(table, base_version)?;
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = table_dir.join(format!(".staging-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| IngestError::io(&dir, e))?;
        if link_current && base_version > 0 {
            for part in self.parts(table)? {
                let target = dir.join(part.file_name().unwrap_or_default());
                if std::fs::hard_link(&part, &target).is_err() {
                    std::fs::copy(&part, &target).map_err(|e| IngestError::io(&target, e))?;
                }
            }
        }
        Ok(StagedVersion { table: table.to_string(), dir, base_version })
    }

    /// Makes a staged version current: rename into place, then one catalog
    /// transaction; returns the new version number and import id.
    pub(crate) fn commit(&self, staged: StagedVersion, record: &CommitRecord) -> Result<(i64, i64)> {
        let mut conn = self.connect()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("SELECT version FROM datasets WHERE name = ?1", [&staged.table], |r| r.get(0)).optional()?.unwrap_or(0);
        if current != staged.base_version {
            drop(tx);
            let _ = std::fs::remove_dir_all(&staged.dir);
            return Err(IngestError::Workspace(format!(
                "table '{}' was changed by another import while this one ran; run it again / 导入期间表“{}”被另一导入修改，请重试",
                staged.table, staged.table
            )));
        }
        let version = self.next_free_version(&staged.table, current);
        let final_dir = self.version_dir(&staged.table, version);
        std::fs::rename(&staged.dir, &final_dir).map_err(|e| IngestError::io(&final_dir, e))?;
        let now = now_rfc3339();
        tx.execute(
            "INSERT INTO datasets (name, version, rows, schema_json, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(name) DO UPDATE SET version = excluded.version, rows = excluded.rows,
               schema_json = excluded.schema_json, updated_at = excluded.updated_at",
            params![staged.table, version, record.total_rows as i64, record.schema_json, now],
        )?;
        tx.execute(
            "INSERT INTO imports (dataset, version, mode, source_path, source_hash, source_bytes, format, encoding, delimiter, part,
               mapping_json, rows_read, rows_accepted, rows_rejected, reasons_json, rejects_path, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            params![
                staged.table,
                version,
                record.mode,
                record.source_path,
                record.source_hash,
                record.source_bytes as i64,
                record.format,
                record.encoding,
                record.delimiter,
                record.part,
                record.mapping_json,
                record.rows_read as i64,
                record.rows_accepted as i64,
                record.rows_rejected as i64,
                record.reasons_json,
                record.rejects_path,
                now
            ],
        )?;
        let import_id = tx.last_insert_rowid();
        if let Err(e) = tx.commit() {
            // The catalog still points at the old version: take the new one away.
            let _ = std::fs::remove_dir_all(&final_dir);
            return Err(e.into());
        }
        if current > 0 {
            let old = self.version_dir(&staged.table, current);
            let _ = std::fs::remove_dir_all(old);
        }
        Ok((version, import_id))
    }

    /// Removes a staged version that will not be committed.
    pub(crate) fn abandon(&self, staged: StagedVersion) {
        let _ = std::fs::remove_dir_all(staged.dir);
    }

    /// A version number above the current one whose directory does not exist
    /// (an interrupted import may have left one behind).
    fn next_free_version(&self, table: &str, current: i64) -> i64 {
        let mut v = current + 1;
        while self.version_dir(table, v).exists() {
            v += 1;
        }
        v
    }

    /// Removes staging directories and versions the catalog does not point
    /// at, left by interrupted imports of `table`.
    fn clean_leftovers(&self, table: &str, current: i64) -> Result<()> {
        let table_dir = self.root.join("tables").join(table);
        let Ok(entries) = std::fs::read_dir(&table_dir) else { return Ok(()) };
        let current_name = format!("v{current}");
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            // Another process's staging directory may be in use right now:
            // only remove our own process's and versions no one points at.
            let stale_staging = name.starts_with(&format!(".staging-{}-", std::process::id()));
            let orphan_version = name.starts_with('v') && name != current_name && name[1..].parse::<i64>().is_ok();
            if stale_staging || orphan_version {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        Ok(())
    }
}

/// Current UTC time as RFC 3339 with seconds.
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
