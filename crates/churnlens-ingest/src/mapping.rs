//! Mapping files: how a user tells churnlens what their columns are.
//!
//! Header recognition (see `churnlens_core::schema`) handles common English
//! and Chinese names. Where it cannot — a file without a header, an unusual
//! name — a TOML mapping file or `--column NAME=HEADER` flags say it. An
//! example, for the CDNOW sample (whitespace-separated, no header):
//!
//! ```toml
//! table = "orders"
//!
//! [source]
//! delimiter = "whitespace"
//! header = false
//! columns = ["master_id", "customer_id", "date", "cds", "dollar_value"]
//!
//! [columns]            # canonical column = header in the file
//! customer_id = "customer_id"
//! order_time = "date"
//! quantity = "cds"
//! amount = "dollar_value"
//!
//! [date_formats]       # per column (canonical name or header); "*" for all
//! order_time = "%Y%m%d"
//!
//! [options]
//! tz = "America/New_York"
//! ```
//!
//! Flags given on the command line win over the file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{IngestError, Result};

/// A parsed mapping file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// The canonical table the file holds, if the mapping fixes it.
    pub table: Option<String>,
    /// How to read the source.
    #[serde(default)]
    pub source: SourceSection,
    /// Canonical column name → header in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Column (canonical name or header, or `*`) → date format.
    #[serde(default)]
    pub date_formats: BTreeMap<String, String>,
    /// Other import options.
    #[serde(default)]
    pub options: OptionsSection,
}

/// `[source]`: reading options.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceSection {
    /// Format: csv, xlsx, parquet, jsonl, sqlite.
    pub format: Option<String>,
    /// Encoding label.
    pub encoding: Option<String>,
    /// Delimiter: one character, `tab` or `whitespace`.
    pub delimiter: Option<String>,
    /// Whether the first row is a header.
    pub header: Option<bool>,
    /// Column names for a file without header.
    pub columns: Option<Vec<String>>,
    /// Excel sheet.
    pub sheet: Option<String>,
    /// SQLite table.
    pub table: Option<String>,
}

/// `[options]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OptionsSection {
    /// Time zone of wall-clock times in the file (IANA name).
    pub tz: Option<String>,
    /// What to do with rows of customers the workspace does not know.
    pub unknown_customers: Option<String>,
}

impl MappingFile {
    /// Reads and checks a mapping file.
    pub fn load(path: &Path) -> Result<MappingFile> {
        let text = std::fs::read_to_string(path).map_err(|e| IngestError::io(path, e))?;
        toml::from_str(&text).map_err(|e| IngestError::input(path, format!("invalid mapping file: {e} / 映射文件格式错误")))
    }

    /// The table the mapping names, if any.
    pub fn table(&self) -> Result<Option<churnlens_core::Table>> {
        self.table.as_deref().map(str::parse).transpose().map_err(IngestError::Usage)
    }
}

/// Parses `NAME=HEADER` as given to `--column`.
pub fn parse_column_flag(flag: &str) -> std::result::Result<(String, String), String> {
    match flag.split_once('=') {
        Some((name, header)) if !name.trim().is_empty() && !header.is_empty() => Ok((name.trim().to_string(), header.to_string())),
        _ => Err(format!("expected NAME=HEADER (e.g. order_time=下单日期), got '{flag}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_example() {
        let text = r#"
table = "orders"
[source]
delimiter = "whitespace"
header = false
columns = ["master_id", "customer_id", "date", "cds", "dollar_value"]
[columns]
customer_id = "customer_id"
order_time = "date"
[date_formats]
order_time = "%Y%m%d"
[options]
tz = "America/New_York"
"#;
        let m: MappingFile = toml::from_str(text).unwrap();
        assert_eq!(m.table.as_deref(), Some("orders"));
        assert_eq!(m.source.header, Some(false));
        assert_eq!(m.source.columns.as_ref().map(Vec::len), Some(5));
        assert_eq!(m.columns["order_time"], "date");
        assert_eq!(m.date_formats["order_time"], "%Y%m%d");
        assert_eq!(m.options.tz.as_deref(), Some("America/New_York"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<MappingFile>("[source]\ndelimeter = \",\"\n").is_err());
    }

    #[test]
    fn column_flags_parse() {
        assert_eq!(parse_column_flag("order_time=下单日期"), Ok(("order_time".into(), "下单日期".into())));
        assert!(parse_column_flag("order_time").is_err());
        assert!(parse_column_flag("=x").is_err());
    }
}
