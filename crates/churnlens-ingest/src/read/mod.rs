//! Readers: every supported file format into [`RawChunk`]s of text cells.
//!
//! The format is told by the file's first bytes (Parquet, SQLite, zip-based
//! Excel, OLE-based `.xls`) and otherwise by its extension; delimited text is
//! then sniffed for encoding and delimiter. Each reader returns the header
//! names and the rows; conversion to typed columns happens in one place
//! ([`crate::convert`]) for all formats.

mod delimited;
mod excel;
mod jsonl;
mod parquet_file;
mod sqlite;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::raw::RawChunk;

pub use delimited::{Decoded, decode_text, sniff_delimiter};

/// File formats churnlens reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Delimited text (CSV, TSV, semicolon, pipe, or whitespace-separated).
    Csv,
    /// Excel workbook (.xlsx, .xlsm, .xlsb, .xls) or OpenDocument sheet.
    Excel,
    /// Apache Parquet.
    Parquet,
    /// JSON lines: one JSON object per line.
    Jsonl,
    /// A table of an SQLite database.
    Sqlite,
}

impl std::str::FromStr for SourceFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" | "text" => Ok(SourceFormat::Csv),
            "xlsx" | "xls" | "excel" | "xlsm" | "xlsb" | "ods" => Ok(SourceFormat::Excel),
            "parquet" => Ok(SourceFormat::Parquet),
            "jsonl" | "ndjson" | "json" => Ok(SourceFormat::Jsonl),
            "sqlite" | "db" => Ok(SourceFormat::Sqlite),
            other => Err(format!("unknown format '{other}': use csv, xlsx, parquet, jsonl or sqlite")),
        }
    }
}

/// How delimited text separates its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Delimiter {
    /// One byte: `,` `\t` `;` `|` …
    Byte(u8),
    /// Runs of spaces or tabs, no quoting (fixed-width-ish text such as the CDNOW sample).
    Whitespace,
}

impl Delimiter {
    /// Readable name for reports.
    pub fn describe(self) -> String {
        match self {
            Delimiter::Byte(b'\t') => "tab".to_string(),
            Delimiter::Byte(b' ') => "space".to_string(),
            Delimiter::Byte(b) => (b as char).to_string(),
            Delimiter::Whitespace => "whitespace".to_string(),
        }
    }
}

impl std::str::FromStr for Delimiter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "whitespace" | "ws" | "spaces" => Ok(Delimiter::Whitespace),
            "tab" | "\\t" | "\t" => Ok(Delimiter::Byte(b'\t')),
            "comma" => Ok(Delimiter::Byte(b',')),
            "semicolon" => Ok(Delimiter::Byte(b';')),
            "pipe" => Ok(Delimiter::Byte(b'|')),
            s if s.len() == 1 => Ok(Delimiter::Byte(s.as_bytes()[0])),
            other => Err(format!("unknown delimiter '{other}': use one character, tab, or whitespace")),
        }
    }
}

/// How to read a file; every field left `None` is detected.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<SourceFormat>,
    /// Text encoding label (`utf-8`, `gbk`, `gb18030`, `big5`, `utf-16le` …).
    pub encoding: Option<String>,
    /// Field delimiter of delimited text.
    pub delimiter: Option<Delimiter>,
    /// Whether the first row holds headers (default: yes).
    pub has_header: Option<bool>,
    /// Column names for a file without a header row.
    pub column_names: Option<Vec<String>>,
    /// Excel sheet name (default: the first sheet).
    pub sheet: Option<String>,
    /// SQLite table name (default: the only table).
    pub source_table: Option<String>,
}

/// What a reader found in a file.
#[derive(Debug)]
pub struct SourceData {
    /// The file read.
    pub path: PathBuf,
    /// Its format.
    pub format: SourceFormat,
    /// Detected or given encoding, for text formats.
    pub encoding: Option<String>,
    /// Detected or given delimiter, for delimited text.
    pub delimiter: Option<Delimiter>,
    /// Excel sheet or SQLite table read.
    pub part: Option<String>,
    /// Column headers, in file order.
    pub headers: Vec<String>,
    /// The rows.
    pub chunks: Vec<RawChunk>,
    /// Size of the file in bytes.
    pub bytes: u64,
}

impl SourceData {
    /// Total rows, including malformed ones.
    pub fn rows(&self) -> usize {
        self.chunks.iter().map(|c| c.rows() + c.malformed.len()).sum()
    }
}

/// Tells a file's format from its first bytes, then its extension.
pub fn detect_format(path: &Path) -> Result<SourceFormat> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).map_err(|e| IngestError::io(path, e))?;
    let head = &head[..n];
    if head.starts_with(b"PAR1") {
        return Ok(SourceFormat::Parquet);
    }
    if head.starts_with(b"SQLite format 3\0") {
        return Ok(SourceFormat::Sqlite);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(SourceFormat::Excel);
    }
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    if head.starts_with(b"PK\x03\x04") {
        return Ok(SourceFormat::Excel);
    }
    Ok(match ext.as_str() {
        "jsonl" | "ndjson" | "json" => SourceFormat::Jsonl,
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => SourceFormat::Excel,
        "parquet" | "pq" => SourceFormat::Parquet,
        "sqlite" | "sqlite3" | "db" => SourceFormat::Sqlite,
        _ => SourceFormat::Csv,
    })
}

/// Progress reports: bytes (or rows, for non-text formats) done of a total.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Reads a whole file into text-cell chunks.
pub fn read_source(path: &Path, options: &ReadOptions, progress: Progress<'_>) -> Result<SourceData> {
    let format = match options.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let bytes = std::fs::metadata(path).map_err(|e| IngestError::io(path, e))?.len();
    let mut data = match format {
        SourceFormat::Csv => delimited::read(path, options, progress)?,
        SourceFormat::Excel => excel::read(path, options)?,
        SourceFormat::Parquet => parquet_file::read(path)?,
        SourceFormat::Jsonl => jsonl::read(path, options, progress)?,
        SourceFormat::Sqlite => sqlite::read(path, options)?,
    };
    data.bytes = bytes;
    if let Some(names) = &options.column_names
        && (options.has_header == Some(false) || format != SourceFormat::Csv)
    {
        if names.len() != data.headers.len() && format != SourceFormat::Csv {
            return Err(IngestError::input(path, format!("{} column names were given but the source has {} columns", names.len(), data.headers.len())));
        }
        data.headers = names.clone();
    }
    Ok(data)
}

/// Makes header names unique and non-empty: blank headers become
/// `column_N`, repeats get `_2`, `_3` … so no column is lost to a clash.
pub(crate) fn unique_headers(headers: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    headers
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let base = h.trim().trim_start_matches('\u{feff}').to_string();
            let base = if base.is_empty() { format!("column_{}", i + 1) } else { base };
            let mut name = base.clone();
            let mut n = 2;
            while !seen.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_made_unique_and_non_empty() {
        let got = unique_headers(vec!["a".into(), "".into(), "a".into(), " b ".into(), "a".into()]);
        assert_eq!(got, vec!["a", "column_2", "a_2", "b", "a_3"]);
    }

    #[test]
    fn delimiter_names_parse() {
        assert_eq!("tab".parse::<Delimiter>(), Ok(Delimiter::Byte(b'\t')));
        assert_eq!(";".parse::<Delimiter>(), Ok(Delimiter::Byte(b';')));
        assert_eq!("whitespace".parse::<Delimiter>(), Ok(Delimiter::Whitespace));
        assert!("ab".parse::<Delimiter>().is_err());
    }
}
