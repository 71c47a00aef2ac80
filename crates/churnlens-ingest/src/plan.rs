//! The column plan: which source column becomes which stored column, and how
//! its text is converted.
//!
//! Planning happens in two steps. [`plan_columns`] matches headers to the
//! table's canonical columns (explicit mapping first, then header synonyms)
//! and keeps every other column as an attribute under its own name. Then
//! [`resolve_converters`] looks at the values: canonical columns get their
//! fixed kind (time columns get their date notation detected, stopping on
//! day/month ambiguity), attribute columns get a kind inferred from all
//! their values.

use std::collections::BTreeMap;
use std::path::Path;

use churnlens_core::schema::{ColumnSpec, Table, ValueKind};
use churnlens_core::values::{DateDetection, DateForm, DateParser, InferredKind, KindScan, detect_date_form, is_null};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::raw::RawChunk;

/// Where a stored column comes from.
#[derive(Debug, Clone)]
pub struct PlannedColumn {
    /// Index of the source column.
    pub source_index: usize,
    /// The source header.
    pub source_header: String,
    /// The stored column name: the canonical name, or the header for attributes.
    pub name: String,
    /// The canonical column, if it is one.
    pub canonical: Option<&'static ColumnSpec>,
}

/// All stored columns of one import.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// The target table.
    pub table: Table,
    /// Stored columns in output order: canonical first (schema order), then attributes (file order).
    pub columns: Vec<PlannedColumn>,
    /// Number of source columns (a row with another count is ragged).
    pub source_width: usize,
    /// `orders` without an order id column: ids are made from file name and line.
    pub synthesize_order_id: bool,
    /// Things the user should know about the mapping.
    pub notes: Vec<String>,
}

/// Matches headers to canonical columns. `explicit` maps canonical names to
/// headers and wins over recognition.
pub fn plan_columns(path: &Path, table: Table, headers: &[String], explicit: &BTreeMap<String, String>) -> Result<TablePlan> {
    let mut assigned: Vec<Option<&'static ColumnSpec>> = vec![None; headers.len()];
    let mut notes = Vec::new();
    for (name, header) in explicit {
        let spec = table.column(name).ok_or_else(|| {
            let names: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
            IngestError::Usage(format!("'{name}' is not a column of table '{table}'; its columns are {names:?}"))
        })?;
        let index = headers
            .iter()
            .position(|h| h == header || h.trim() == header.trim())
            .ok_or_else(|| IngestError::input(path, format!("mapping names header '{header}' for {name}, but the file's headers are {headers:?}")))?;
        assigned[index] = Some(spec);
    }
    for spec in table.columns() {
        if assigned.iter().any(|a| a.map(|s| s.name) == Some(spec.name)) {
            continue;
        }
        let candidates: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(i, h)| assigned[*i].is_none() && table.recognise(h).map(|s| s.name) == Some(spec.name))
            .map(|(i, _)| i)
            .collect();
        if let Some(&first) = candidates.first() {
            assigned[first] = Some(spec);
            for &other in &candidates[1..] {
                notes.push(format!(
                    "'{}' also looks like {} but '{}' was used; it is kept as an attribute (map it with --column to choose)",
                    headers[other], spec.name, headers[first]
                ));
            }
        }
    }
    let missing: Vec<String> =
        table.columns().iter().filter(|c| c.required && !assigned.iter().any(|a| a.map(|s| s.name) == Some(c.name))).map(|c| c.name.to_string()).collect();
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns { path: path.to_path_buf(), table: table.name().into(), missing, found: headers.to_vec() });
    }
    let mut columns: Vec<PlannedColumn> = Vec::with_capacity(headers.len());
    for spec in table.columns() {
        if let Some(i) = assigned.iter().position(|a| a.map(|s| s.name) == Some(spec.name)) {
            columns.push(PlannedColumn { source_index: i, source_header: headers[i].clone(), name: spec.name.to_string(), canonical: Some(spec) });
        }
    }
    let canonical_names: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    for (i, header) in headers.iter().enumerate() {
        if assigned[i].is_none() {
            // An attribute whose header equals a canonical name it does not
            // fill would collide with it in SQL: keep it under a suffixed name.
            let name = if canonical_names.contains(&header.as_str()) { format!("{header}_source") } else { header.clone() };
            columns.push(PlannedColumn { source_index: i, source_header: header.clone(), name, canonical: None });
        }
    }
    let synthesize_order_id = table == Table::Orders && !columns.iter().any(|c| c.name == "order_id");
    if synthesize_order_id {
        notes.push("the file has no order id column: each row's id is made from the file name and line (file:line)".into());
    }
    Ok(TablePlan { table, columns, source_width: headers.len(), synthesize_order_id, notes })
}

/// How one column's text becomes a typed value.
#[derive(Debug, Clone)]
pub enum Converter {
    /// Identifier: trimmed text.
    Id,
    /// Free text, as written.
    Text,
    /// Category: trimmed text.
    Category,
    /// A point in time.
    Timestamp(DateParser),
    /// A calendar date.
    Date(DateParser),
    /// Money.
    Amount,
    /// Whole number.
    Integer,
    /// Decimal number.
    Float,
    /// Yes/no.
    Boolean,
}

impl Converter {
    /// The kind stored.
    pub fn kind(&self) -> ValueKind {
        match self {
            Converter::Id => ValueKind::Id,
            Converter::Text => ValueKind::Text,
            Converter::Category => ValueKind::Category,
            Converter::Timestamp(_) => ValueKind::Timestamp,
            Converter::Date(_) => ValueKind::Date,
            Converter::Amount => ValueKind::Amount,
            Converter::Integer => ValueKind::Integer,
            Converter::Float => ValueKind::Float,
            Converter::Boolean => ValueKind::Boolean,
        }
    }
}

/// What the user said about date notations.
#[derive(Debug, Clone, Default)]
pub struct DateFormats {
    /// For every date column.
    pub all: Option<String>,
    /// Per column, by canonical name or source header.
    pub per_column: BTreeMap<String, String>,
}

impl DateFormats {
    fn for_column(&self, column: &PlannedColumn) -> Option<&str> {
        self.per_column.get(&column.name).or_else(|| self.per_column.get(&column.source_header)).or(self.all.as_ref()).map(String::as_str)
    }
}

/// How a column's kind was settled, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedColumn {
    /// Stored name.
    pub name: String,
    /// Source header.
    pub source_header: String,
    /// Whether it is a canonical column.
    pub canonical: bool,
    /// Stored kind.
    pub kind: ValueKind,
    /// Date notation, for time columns.
    pub date_form: Option<String>,
}

/// Values looked at to detect a date notation before, if inconclusive, the
/// whole column is scanned.
const DATE_SAMPLE: usize = 20_000;

/// Settles every column's converter by looking at the values.
pub fn resolve_converters(path: &Path, plan: &TablePlan, chunks: &[RawChunk], formats: &DateFormats) -> Result<(Vec<Converter>, Vec<ResolvedColumn>)> {
    let mut converters = Vec::with_capacity(plan.columns.len());
    let mut resolved = Vec::with_capacity(plan.columns.len());
    for column in &plan.columns {
        let values = || column_values(chunks, column.source_index);
        let converter = match column.canonical {
            Some(spec) => match spec.kind {
                ValueKind::Id => Converter::Id,
                ValueKind::Text => Converter::Text,
                ValueKind::Category => Converter::Category,
                ValueKind::Amount => Converter::Amount,
                ValueKind::Integer => Converter::Integer,
                ValueKind::Float => Converter::Float,
                ValueKind::Boolean => Converter::Boolean,
                ValueKind::Timestamp => Converter::Timestamp(date_parser(path, column, formats, values, true)?),
                ValueKind::Date => Converter::Date(date_parser(path, column, formats, values, true)?),
            },
            None => match formats.per_column.get(&column.source_header) {
                Some(fmt) => Converter::Timestamp(DateParser::from_user_format(fmt).map_err(IngestError::Usage)?),
                None => match infer_column_kind(chunks, column.source_index) {
                    InferredKind::Boolean => Converter::Boolean,
                    InferredKind::Integer => Converter::Integer,
                    InferredKind::Float => Converter::Float,
                    InferredKind::Text => Converter::Text,
                    InferredKind::Date => Converter::Date(date_parser(path, column, formats, values, false)?),
                    InferredKind::Timestamp => Converter::Timestamp(date_parser(path, column, formats, values, false)?),
                },
            },
        };
        let date_form = match &converter {
            Converter::Timestamp(p) | Converter::Date(p) => Some(describe_form(p.form())),
            _ => None,
        };
        resolved.push(ResolvedColumn {
            name: column.name.clone(),
            source_header: column.source_header.clone(),
            canonical: column.canonical.is_some(),
            kind: converter.kind(),
            date_form,
        });
        converters.push(converter);
    }
    Ok((converters, resolved))
}

/// Infers an attribute column's kind from all its values, scanning chunks
/// in parallel (on one core a 10M-row column took over a second).
fn infer_column_kind(chunks: &[RawChunk], index: usize) -> InferredKind {
    let scan = chunks
        .par_iter()
        .map(|chunk| {
            let mut scan = KindScan::default();
            for row in 0..chunk.rows() {
                scan.observe(chunk.cell(row, index).unwrap_or(""));
                if scan.settled() {
                    break;
                }
            }
            scan
        })
        .reduce(KindScan::default, KindScan::merge);
    scan.finish(column_values(chunks, index))
}

/// Every cell of one source column, across chunks (blank where a row is short).
pub(crate) fn column_values(chunks: &[RawChunk], index: usize) -> impl Iterator<Item = &str> + Clone {
    chunks.iter().flat_map(move |c| (0..c.rows()).map(move |r| c.cell(r, index).unwrap_or("")))
}

fn date_parser<'a, I>(path: &Path, column: &PlannedColumn, formats: &DateFormats, values: impl Fn() -> I, numeric_allowed: bool) -> Result<DateParser>
where
    I: Iterator<Item = &'a str> + Clone,
{
    if let Some(fmt) = formats.for_column(column) {
        return DateParser::from_user_format(fmt).map_err(IngestError::Usage);
    }
    let sample: Vec<&str> = values().filter(|v| !is_null(v)).take(DATE_SAMPLE).collect();
    let mut detection = detect_date_form(sample.iter().copied(), numeric_allowed);
    if let DateDetection::Unrecognised { .. } = detection {
        // A few bad values must not hide the notation of the rest: they are
        // rejected row by row later. Detect on the values that fit a form.
        let fitting: Vec<&str> =
            sample.iter().copied().filter(|v| !matches!(detect_date_form(std::iter::once(*v), numeric_allowed), DateDetection::Unrecognised { .. })).collect();
        if fitting.len() * 2 >= sample.len() && !fitting.is_empty() {
            detection = detect_date_form(fitting.iter().copied(), numeric_allowed);
        }
    }
    if let DateDetection::Ambiguous { .. } = detection {
        // The sample could not tell day/month order; the whole column may.
        let all: Vec<&str> = values().filter(|v| !is_null(v)).collect();
        if all.len() > sample.len() {
            detection = detect_date_form(all.iter().copied(), numeric_allowed);
        }
    }
    let header = &column.source_header;
    match detection {
        DateDetection::Form(form) => Ok(DateParser::new(form)),
        // An all-blank optional column: any parser will do, nothing will be parsed.
        DateDetection::Empty => Ok(DateParser::new(DateForm::Iso)),
        DateDetection::Ambiguous { examples } => Err(IngestError::input(
            path,
            format!(
                "column '{header}': dates such as {examples:?} can be read day-first or month-first; say which with --date-format %d/%m/%Y or --date-format %m/%d/%Y / 列“{header}”的日期无法判断日、月顺序，请用 --date-format 指定"
            ),
        )),
        DateDetection::Conflicting { day_first_example, month_first_example } => Err(IngestError::input(
            path,
            format!(
                "column '{header}': '{day_first_example}' is day-first but '{month_first_example}' is month-first; fix the file or give --date-format / 列“{header}”同时出现日在前和月在前的日期"
            ),
        )),
        DateDetection::Unrecognised { example } => Err(IngestError::input(
            path,
            format!(
                "column '{header}': '{example}' is not a date churnlens recognises; give its format with --date-format (e.g. %d-%b-%Y) / 列“{header}”的值“{example}”不是可识别的日期，请用 --date-format 指定格式"
            ),
        )),
    }
}

fn describe_form(form: &DateForm) -> String {
    match form {
        DateForm::Custom(f) => format!("custom {f}"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_chinese_orders_and_keeps_attributes() {
        let plan =
            plan_columns(Path::new("o.csv"), Table::Orders, &headers(&["订单号", "客户编号", "下单时间", "实付金额", "配送天数"]), &BTreeMap::new()).unwrap();
        let names: Vec<&str> = plan.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["order_id", "customer_id", "order_time", "amount", "配送天数"]);
        assert!(plan.columns[4].canonical.is_none());
        assert!(!plan.synthesize_order_id);
    }

    #[test]
    fn missing_required_columns_are_named() {
        let err = plan_columns(Path::new("o.csv"), Table::Orders, &headers(&["客户编号", "金额"]), &BTreeMap::new()).unwrap_err();
        match err {
            IngestError::MissingColumns { missing, .. } => assert_eq!(missing, vec!["order_time"]),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn explicit_mapping_wins_and_second_candidate_is_kept() {
        let mut explicit = BTreeMap::new();
        explicit.insert("order_time".to_string(), "paid_at".to_string());
        let plan = plan_columns(Path::new("o.csv"), Table::Orders, &headers(&["cust", "paid_at", "date", "amount"]), &{
            let mut m = explicit.clone();
            m.insert("customer_id".into(), "cust".into());
            m
        })
        .unwrap();
        let time = plan.columns.iter().find(|c| c.name == "order_time").unwrap();
        assert_eq!(time.source_header, "paid_at");
        // "date" is also a synonym of order_time but the mapping chose paid_at:
        // "date" stays, as an attribute under its own name.
        assert!(plan.columns.iter().any(|c| c.name == "date" && c.canonical.is_none()));
        assert!(plan.synthesize_order_id);
    }

    #[test]
    fn second_synonym_is_kept_as_attribute() {
        let plan = plan_columns(Path::new("o.csv"), Table::Orders, &headers(&["客户编号", "下单时间", "实付金额", "金额"]), &BTreeMap::new()).unwrap();
        // 实付金额 and 金额 both mean amount; the first wins, the second is kept.
        assert!(plan.columns.iter().any(|c| c.name == "金额" && c.canonical.is_none()));
        // One note for 金额, one for the synthesized order ids.
        assert_eq!(plan.notes.len(), 2);
    }

    #[test]
    fn attribute_named_like_a_canonical_column_is_renamed() {
        let mut explicit = BTreeMap::new();
        explicit.insert("order_id".to_string(), "单号".to_string());
        let plan = plan_columns(Path::new("o.csv"), Table::Orders, &headers(&["单号", "order_id", "客户编号", "下单时间", "实付金额"]), &explicit).unwrap();
        let kept = plan.columns.iter().find(|c| c.source_header == "order_id").unwrap();
        assert_eq!(kept.name, "order_id_source");
        assert!(kept.canonical.is_none());
    }
}
