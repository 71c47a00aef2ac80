//! `churnlens inspect FILE`: what churnlens sees in a file before importing it.
//!
//! Reports the detected format, encoding and delimiter, the table the headers
//! suggest, each column's mapping and type, null counts over the whole file
//! and sample rows — and any problem an import would stop on (a missing
//! required column, an ambiguous date column), with what to do about it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use churnlens_core::Table;
use churnlens_core::values::{infer_kind, is_null};
use serde::Serialize;

use crate::error::Result;
use crate::plan::{DateFormats, column_values, plan_columns, resolve_converters};
use crate::read::{Delimiter, ReadOptions, read_source};

/// One source column.
#[derive(Debug, Clone, Serialize)]
pub struct InspectColumn {
    /// Header in the file.
    pub header: String,
    /// Canonical column it maps to, if any.
    pub maps_to: Option<String>,
    /// Kind it would be stored as.
    pub kind: String,
    /// Date notation, for time columns.
    pub date_form: Option<String>,
    /// Blank or null values.
    pub nulls: u64,
    /// First distinct non-null values.
    pub examples: Vec<String>,
}

/// What `inspect` found.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// The file.
    pub path: PathBuf,
    /// Format.
    pub format: String,
    /// Encoding, for text.
    pub encoding: Option<String>,
    /// Delimiter, for delimited text.
    pub delimiter: Option<String>,
    /// Sheet or source table.
    pub part: Option<String>,
    /// Data rows.
    pub rows: u64,
    /// The table, given or guessed from the headers.
    pub table: Option<String>,
    /// Columns in file order.
    pub columns: Vec<InspectColumn>,
    /// The first rows, as text.
    pub sample: Vec<Vec<String>>,
    /// Notes on the mapping.
    pub notes: Vec<String>,
    /// What would stop an import, and what to do.
    pub problems: Vec<String>,
}

/// Inspects a file. With `table` unset, the table whose columns the headers
/// match best (all required columns present) is assumed.
pub fn inspect_file(
    path: &Path,
    read: &ReadOptions,
    table: Option<Table>,
    columns: &BTreeMap<String, String>,
    formats: &DateFormats,
    sample_rows: usize,
) -> Result<InspectReport> {
    let source = read_source(path, read, &|_, _| {})?;
    let table = table.or_else(|| guess_table(&source.headers));
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut mapped: BTreeMap<usize, (String, String, Option<String>)> = BTreeMap::new();
    if let Some(table) = table {
        match plan_columns(path, table, &source.headers, columns) {
            Ok(plan) => {
                notes.extend(plan.notes.iter().cloned());
                match resolve_converters(path, &plan, &source.chunks, formats) {
                    Ok((_, resolved)) => {
                        for (column, r) in plan.columns.iter().zip(resolved) {
                            mapped.insert(column.source_index, (if r.canonical { r.name.clone() } else { String::new() }, r.kind.to_string(), r.date_form));
                        }
                    }
                    Err(e) => problems.push(e.to_string()),
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    } else {
        problems.push("no table's required columns are all present; name the table with --as and map columns with --column".into());
    }
    let mut out_columns = Vec::with_capacity(source.headers.len());
    for (i, header) in source.headers.iter().enumerate() {
        let values = column_values(&source.chunks, i);
        let nulls = values.clone().filter(|v| is_null(v)).count() as u64;
        let mut examples: Vec<String> = Vec::new();
        for v in values.clone().filter(|v| !is_null(v)) {
            if !examples.iter().any(|e| e == v) {
                examples.push(v.to_string());
            }
            if examples.len() == 3 {
                break;
            }
        }
        let (maps_to, kind, date_form) = match mapped.remove(&i) {
            Some((name, kind, form)) => ((!name.is_empty()).then_some(name), kind, form),
            None => (None, format!("{:?}", infer_kind(values)).to_lowercase(), None),
        };
        out_columns.push(InspectColumn { header: header.clone(), maps_to, kind, date_form, nulls, examples });
    }
    let sample =
        source.chunks.iter().flat_map(|c| (0..c.rows()).map(move |r| c.row_cells(r).map(str::to_string).collect::<Vec<_>>())).take(sample_rows).collect();
    let malformed: usize = source.chunks.iter().map(|c| c.malformed.len()).sum();
    if malformed > 0 {
        problems.push(format!("{malformed} row(s) cannot be read and would be rejected"));
    }
    Ok(InspectReport {
        path: path.to_path_buf(),
        format: format!("{:?}", source.format).to_lowercase(),
        encoding: source.encoding.clone(),
        delimiter: source.delimiter.map(Delimiter::describe),
        part: source.part.clone(),
        rows: source.rows() as u64,
        table: table.map(|t| t.name().to_string()),
        columns: out_columns,
        sample,
        notes,
        problems,
    })
}

/// The table whose required columns are all recognised among the headers,
/// preferring the one that recognises the most columns.
pub fn guess_table(headers: &[String]) -> Option<Table> {
    Table::ALL
        .into_iter()
        .filter(|t| t.columns().iter().filter(|c| c.required).all(|c| headers.iter().any(|h| t.recognise(h).map(|s| s.name) == Some(c.name))))
        .max_by_key(|t| {
            let recognised = headers.iter().filter(|h| t.recognise(h).is_some()).count();
            // On a tie, the table listed first wins (max_by_key keeps the last max).
            (recognised, std::cmp::Reverse(Table::ALL.iter().position(|x| x == t)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn guesses_tables_from_headers() {
        assert_eq!(guess_table(&h(&["客户编号", "性别", "注册时间", "城市"])), Some(Table::Customers));
        assert_eq!(guess_table(&h(&["订单号", "客户ID", "下单时间", "实付金额"])), Some(Table::Orders));
        assert_eq!(guess_table(&h(&["customerID", "gender", "tenure", "Churn"])), Some(Table::Snapshot));
        assert_eq!(guess_table(&h(&["a", "b"])), None);
    }
}
