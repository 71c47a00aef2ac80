//! Rejected rows: why, where, and the rejects file.
//!
//! Every row that is not stored is recorded with its source line, the column
//! and value at fault and the reason, and written to a rejects file that
//! holds the row's original cells after four leading columns (`_line`,
//! `_column`, `_value`, `_reason`) — so the rows can be fixed and imported
//! again with `--append`. Nothing is dropped without a line here.

use std::path::Path;

use churnlens_core::Lang;
use serde::Serialize;

use crate::error::{IngestError, Result};

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RejectReason {
    /// The row has another number of fields than the header.
    RaggedRow {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// The reader could not split the row at all.
    MalformedRow {
        /// What the reader said.
        detail: String,
    },
    /// A required column is blank.
    MissingValue,
    /// The value is not of the column's kind.
    Unparsable {
        /// The expected kind.
        expected: String,
    },
    /// A number outside its allowed range (NPS 0–10 …).
    OutOfRange {
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
    /// A negative amount where only orders may be negative (as refunds).
    NegativeAmount,
    /// A date after the import day in a column where that cannot be.
    FutureDate,
    /// A key seen before in this file or, with `--append`, in the table.
    DuplicateId {
        /// Where it was first seen: a line number, or 0 for the existing table.
        first_line: u64,
    },
    /// A customer id that the workspace's `customers` table does not hold
    /// (only with `--unknown-customers reject`).
    UnknownCustomer,
}

impl RejectReason {
    /// Stable code, used for counting and in JSON.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::RaggedRow { .. } => "ragged_row",
            RejectReason::MalformedRow { .. } => "malformed_row",
            RejectReason::MissingValue => "missing_value",
            RejectReason::Unparsable { .. } => "unparsable_value",
            RejectReason::OutOfRange { .. } => "out_of_range",
            RejectReason::NegativeAmount => "negative_amount",
            RejectReason::FutureDate => "future_date",
            RejectReason::DuplicateId { .. } => "duplicate_id",
            RejectReason::UnknownCustomer => "unknown_customer",
        }
    }

    /// What went wrong and what to do, in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (RejectReason::RaggedRow { expected, found }, Lang::En) => {
                format!("row has {found} fields, the header has {expected}: check quoting and delimiters")
            }
            (RejectReason::RaggedRow { expected, found }, Lang::Zh) => format!("该行有 {found} 个字段，表头有 {expected} 个：请检查引号和分隔符"),
            (RejectReason::MalformedRow { detail }, Lang::En) => format!("row cannot be read: {detail}"),
            (RejectReason::MalformedRow { detail }, Lang::Zh) => format!("该行无法读取：{detail}"),
            (RejectReason::MissingValue, Lang::En) => "required value is blank".into(),
            (RejectReason::MissingValue, Lang::Zh) => "必填值为空".into(),
            (RejectReason::Unparsable { expected }, Lang::En) => format!("not a valid {expected}"),
            (RejectReason::Unparsable { expected }, Lang::Zh) => format!("不是有效的{}", kind_zh(expected)),
            (RejectReason::OutOfRange { min, max }, Lang::En) => format!("outside the allowed range {min}–{max}"),
            (RejectReason::OutOfRange { min, max }, Lang::Zh) => format!("超出允许范围 {min}–{max}"),
            (RejectReason::NegativeAmount, Lang::En) => "negative amount (only orders may be negative, as refunds)".into(),
            (RejectReason::NegativeAmount, Lang::Zh) => "金额为负（只有订单可为负，表示退款）".into(),
            (RejectReason::FutureDate, Lang::En) => "date is in the future: check the year and the date format (--allow-future keeps such rows)".into(),
            (RejectReason::FutureDate, Lang::Zh) => "日期在未来：请检查年份和日期格式（--allow-future 可保留）".into(),
            (RejectReason::DuplicateId { first_line: 0 }, Lang::En) => "duplicate id: already in the table (re-import without --append to replace)".into(),
            (RejectReason::DuplicateId { first_line: 0 }, Lang::Zh) => "重复编号：表中已存在（不加 --append 重新导入可替换）".into(),
            (RejectReason::DuplicateId { first_line }, Lang::En) => format!("duplicate id: first seen on line {first_line}"),
            (RejectReason::DuplicateId { first_line }, Lang::Zh) => format!("重复编号：首次出现在第 {first_line} 行"),
            (RejectReason::UnknownCustomer, Lang::En) => "customer id not in the customers table (import customers first, or --unknown-customers keep)".into(),
            (RejectReason::UnknownCustomer, Lang::Zh) => "客户编号不在客户表中（请先导入客户表，或使用 --unknown-customers keep）".into(),
        }
    }
}

fn kind_zh(kind: &str) -> &str {
    match kind {
        "timestamp" => "时间",
        "date" => "日期",
        "amount" => "金额",
        "integer" => "整数",
        "float" => "数值",
        "boolean" => "是/否值",
        other => other,
    }
}

/// One rejected row.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    /// Source line (or sheet row / record number).
    pub line: u64,
    /// Source column at fault (blank for whole-row problems).
    pub column: String,
    /// The offending value.
    pub value: String,
    /// Why.
    pub reason: RejectReason,
    /// The row's original cells.
    #[serde(skip)]
    pub cells: Vec<String>,
}

/// Writes the rejects file: `_line,_column,_value,_reason` then the source
/// columns. Written to a temporary name and renamed, so it is whole or absent.
pub fn write_rejects_file(path: &Path, headers: &[String], rejects: &[Reject], lang: Lang) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let write = || -> std::result::Result<(), csv::Error> {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&tmp)?;
        let mut header: Vec<&str> = vec!["_line", "_column", "_value", "_reason"];
        header.extend(headers.iter().map(String::as_str));
        writer.write_record(&header)?;
        for r in rejects {
            let mut record: Vec<String> = vec![r.line.to_string(), r.column.clone(), r.value.clone(), r.reason.message(lang)];
            record.extend(r.cells.iter().cloned());
            writer.write_record(&record)?;
        }
        writer.flush()?;
        Ok(())
    };
    write().map_err(|e| IngestError::Io { path: tmp.clone(), source: std::io::Error::other(e.to_string()) })?;
    std::fs::rename(&tmp, path).map_err(|e| IngestError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_file_keeps_the_original_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let rejects = vec![Reject {
            line: 7,
            column: "amount".into(),
            value: "N/A金额".into(),
            reason: RejectReason::Unparsable { expected: "amount".into() },
            cells: vec!["O1".into(), "C1".into(), "N/A金额".into()],
        }];
        write_rejects_file(&path, &["id".into(), "cust".into(), "amount".into()], &rejects, Lang::En).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "_line,_column,_value,_reason,id,cust,amount\n7,amount,N/A金额,not a valid amount,O1,C1,N/A金额\n");
    }

    #[test]
    fn every_reason_has_both_languages_and_a_code() {
        let reasons = [
            RejectReason::RaggedRow { expected: 3, found: 2 },
            RejectReason::MalformedRow { detail: "x".into() },
            RejectReason::MissingValue,
            RejectReason::Unparsable { expected: "date".into() },
            RejectReason::OutOfRange { min: 0.0, max: 10.0 },
            RejectReason::NegativeAmount,
            RejectReason::FutureDate,
            RejectReason::DuplicateId { first_line: 3 },
            RejectReason::UnknownCustomer,
        ];
        let mut codes = std::collections::HashSet::new();
        for r in &reasons {
            assert!(codes.insert(r.code()));
            assert_ne!(r.message(Lang::En), r.message(Lang::Zh));
        }
    }
}
