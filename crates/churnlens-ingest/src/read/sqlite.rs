//! A table of an SQLite database, read with `rusqlite`.
//!
//! Values become text losslessly: integers and reals as written, blobs as
//! `0x…` hex, NULL as an empty cell. Row numbers count from 1 in the order
//! SQLite returns rows (rowid order for an ordinary table).

use std::path::Path;

use rusqlite::{Connection, OpenFlags, types::ValueRef};

use super::{ReadOptions, SourceData, SourceFormat, unique_headers};
use crate::error::{IngestError, Result};
use crate::raw::RawChunk;

pub(super) fn read(path: &Path, options: &ReadOptions) -> Result<SourceData> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| IngestError::input(path, format!("cannot open SQLite database: {e}")))?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| IngestError::input(path, format!("cannot list tables: {e}")))?;
    let table = match &options.source_table {
        Some(t) if tables.contains(t) => t.clone(),
        Some(t) => {
            return Err(IngestError::input(path, format!("no table '{t}' in the database; it has {tables:?} (use --source-table) / 数据库中没有表“{t}”")));
        }
        None if tables.len() == 1 => tables[0].clone(),
        None => {
            return Err(IngestError::input(
                path,
                format!("the database has {} tables {tables:?}; choose one with --source-table / 数据库有多个表，请用 --source-table 指定", tables.len()),
            ));
        }
    };
    let sql = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
    let mut stmt = conn.prepare(&sql).map_err(|e| IngestError::input(path, e.to_string()))?;
    let headers: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let width = headers.len();
    let mut chunk = RawChunk::with_capacity(1024, width, 64 * 1024);
    let mut rows = stmt.query([]).map_err(|e| IngestError::input(path, e.to_string()))?;
    let mut n = 0u64;
    let mut text = String::new();
    while let Some(row) = rows.next().map_err(|e| IngestError::input(path, e.to_string()))? {
        n += 1;
        for i in 0..width {
            text.clear();
            match row.get_ref(i).map_err(|e| IngestError::input(path, e.to_string()))? {
                ValueRef::Null => {}
                ValueRef::Integer(v) => text.push_str(&v.to_string()),
                ValueRef::Real(v) => text.push_str(&v.to_string()),
                ValueRef::Text(t) => text.push_str(&String::from_utf8_lossy(t)),
                ValueRef::Blob(b) => {
                    text.push_str("0x");
                    for byte in b {
                        text.push_str(&format!("{byte:02x}"));
                    }
                }
            }
            chunk.push_cell(&text);
        }
        chunk.end_row(n);
    }
    Ok(SourceData {
        path: path.to_path_buf(),
        format: SourceFormat::Sqlite,
        encoding: None,
        delimiter: None,
        part: Some(table),
        headers: unique_headers(options.column_names.clone().unwrap_or(headers)),
        chunks: vec![chunk],
        bytes: 0,
    })
}
