//! Training rows from a `snapshot` table (Telco, bank style): one row per
//! customer, a label column and every other column as a feature.
//!
//! * **Label**: a Boolean, a number that is 0 or 1, or yes/no text
//!   (true/false, y/n, 是/否, 流失/未流失). Anything else — a blank, a
//!   corrupt 50000 in a 0/1 column — is refused with its row (1-based, in
//!   table order) and value, never coerced.
//! * **Left out automatically**, each with a note: the label, the customer
//!   id, columns whose name says they identify a person or a record
//!   ([`identifier_like_column`]: id, name, surname, phone, row number,
//!   编号, 姓名 …), text unique per row, and whole numbers that count the
//!   rows (1, 2, 3 … in table order). `keep` puts a column back, `drop`
//!   leaves one more out.
//! * **Types**: numbers stay numbers (blank = missing), Booleans become
//!   0/1, dates the day number, everything else is a category.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type};
use churnlens_core::Lang;
use churnlens_metrics::{Engine, MetricsError, Result};

use super::frame::{FeatureName, RawColumn, RawFrame, RawValues};
use crate::segment::drivers::identifier_like;

/// What to read from the snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    /// The label column (default `churn`).
    pub label: String,
    /// Columns to keep although they look like identifiers.
    pub keep: Vec<String>,
    /// Columns to leave out in addition.
    pub drop: Vec<String>,
    /// Language of notes and messages.
    pub lang: Lang,
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        SnapshotOptions { label: "churn".into(), keep: Vec::new(), drop: Vec::new(), lang: Lang::En }
    }
}

/// Rows with a label value that is not yes/no are listed up to this many.
const LISTED_BAD_LABELS: usize = 10;

/// Text columns with more rows than this that are unique per row are identifiers.
const UNIQUE_TEXT_MIN_ROWS: usize = 20;

/// Whether a column's name says it identifies a person or a record:
/// [`identifier_like`] (…id, …name, phone, email, 编号, 姓名 …) or one of
/// surname, first/last name, row number, row id, index, 姓氏, 序号, 行号.
pub fn identifier_like_column(name: &str) -> bool {
    let folded: String = name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    identifier_like(name)
        || ["surname", "lastname", "firstname", "rownumber", "rowid", "rowno", "index", "uuid", "guid"].contains(&folded.as_str())
        || ["姓氏", "序号", "行号"].iter().any(|w| name.contains(w))
}

/// A label from a text value.
fn label_of_text(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "1.0" | "是" | "流失" => Some(true),
        "false" | "no" | "n" | "0" | "0.0" | "否" | "未流失" => Some(false),
        _ => None,
    }
}

/// Reads the snapshot table as a labelled frame.
pub async fn snapshot_frame(engine: &Engine, options: &SnapshotOptions) -> Result<RawFrame> {
    let lang = options.lang;
    if !engine.tables().iter().any(|t| t == "snapshot") {
        return Err(MetricsError::MissingTable { table: "snapshot", hint: "churnlens import --as snapshot FILE" });
    }
    let present = engine.columns("snapshot").await?;
    for asked in std::iter::once(&options.label).chain(&options.keep).chain(&options.drop) {
        if !present.iter().any(|p| p == asked) {
            return Err(MetricsError::Options(match lang {
                Lang::En => format!("the snapshot table has no column {asked}; its columns are {}", present.join(", ")),
                Lang::Zh => format!("snapshot 表没有列 {asked}；它的列为 {}", present.join("、")),
            }));
        }
    }
    let batches = engine.sql("SELECT * FROM snapshot").await?;
    let Some(first) = batches.first() else {
        return Err(MetricsError::Options(lang.pick("the snapshot table is empty", "snapshot 表为空").into()));
    };
    let schema = first.schema();
    let label_index = schema.index_of(&options.label)?;
    let label_type = schema.field(label_index).data_type().clone();
    let mut labels = Vec::new();
    let mut bad: Vec<(usize, String)> = Vec::new();
    for batch in &batches {
        let column = batch.column(label_index);
        let text = arrow::compute::cast(column, &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        for row in 0..batch.num_rows() {
            let value = (!text.is_null(row)).then(|| text.value(row));
            let label = match (&label_type, value) {
                (_, None) => None,
                (DataType::Boolean, Some(v)) => Some(v == "true"),
                (t, Some(v)) if t.is_numeric() => v.parse::<f64>().ok().and_then(|x| {
                    if x == 1.0 {
                        Some(true)
                    } else if x == 0.0 {
                        Some(false)
                    } else {
                        None
                    }
                }),
                (_, Some(v)) => label_of_text(v),
            };
            match label {
                Some(y) => labels.push(y),
                None => {
                    bad.push((labels.len() + bad.len() + 1, value.map_or_else(|| lang.pick("(blank)", "（空）").to_string(), str::to_owned)));
                }
            }
        }
    }
    if !bad.is_empty() {
        let listed: Vec<String> = bad.iter().take(LISTED_BAD_LABELS).map(|(row, value)| format!("{row}: {value}")).collect();
        return Err(MetricsError::Options(match lang {
            Lang::En => format!(
                "{} rows of the snapshot have a {} value that is not yes/no (true/false, 1/0, yes/no) — fix or remove them; row: value {}",
                bad.len(),
                options.label,
                listed.join(", ")
            ),
            Lang::Zh => format!(
                "snapshot 表有 {} 行的 {} 不是有效的是/否值（true/false、1/0、yes/no），请修正或删除；行：值 {}",
                bad.len(),
                options.label,
                listed.join("，")
            ),
        }));
    }
    let n = labels.len();
    let mut frame = RawFrame { labels, ..RawFrame::default() };
    let id_index = schema.index_of("customer_id").ok();
    frame.ids = match id_index {
        Some(i) => batches
            .iter()
            .flat_map(|b| {
                arrow::compute::cast(b.column(i), &DataType::Utf8).map(|a| a.as_string::<i32>().iter().map(|v| v.unwrap_or("").to_owned()).collect::<Vec<_>>())
            })
            .flatten()
            .collect(),
        None => (1..=n).map(|i| i.to_string()).collect(),
    };
    let note = |column: &str, reason: (&str, &str)| match lang {
        Lang::En => format!("{column} left out: {} (--keep-column {column} keeps it)", reason.0),
        Lang::Zh => format!("已排除 {column}：{}（--keep-column {column} 可保留）", reason.1),
    };
    for (index, field) in schema.fields().iter().enumerate() {
        let name = field.name();
        if index == label_index {
            continue;
        }
        let kept = options.keep.contains(name);
        if options.drop.contains(name) {
            frame.notes.push(match lang {
                Lang::En => format!("{name} left out as asked"),
                Lang::Zh => format!("已按要求排除 {name}"),
            });
            continue;
        }
        if !kept && (Some(index) == id_index || identifier_like_column(name)) {
            frame.notes.push(note(name, ("identifier-like name", "名称像标识符")));
            continue;
        }
        let data_type = field.data_type();
        let values = if data_type.is_numeric() || *data_type == DataType::Boolean || matches!(data_type, DataType::Date32) {
            let mut values = Vec::with_capacity(n);
            for batch in &batches {
                let column = batch.column(index);
                let column = match data_type {
                    DataType::Boolean => arrow::compute::cast(column, &DataType::Int8)?,
                    DataType::Date32 => arrow::compute::cast(column, &DataType::Int32)?,
                    _ => column.clone(),
                };
                let column = arrow::compute::cast(&column, &DataType::Float64)?;
                values.extend(column.as_primitive::<Float64Type>().iter().map(|v| v.unwrap_or(f64::NAN)));
            }
            if !kept && n > UNIQUE_TEXT_MIN_ROWS && values.iter().enumerate().all(|(i, &v)| v == i as f64 + 1.0 || v == i as f64) {
                frame.notes.push(note(name, ("counts the rows, like a row number", "按行递增，像行号")));
                continue;
            }
            RawValues::Numeric(values)
        } else {
            let mut values = Vec::with_capacity(n);
            for batch in &batches {
                let text = arrow::compute::cast(batch.column(index), &DataType::Utf8)?;
                values.extend(text.as_string::<i32>().iter().map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)));
            }
            let distinct: std::collections::HashSet<&String> = values.iter().flatten().collect();
            if !kept && n > UNIQUE_TEXT_MIN_ROWS && distinct.len() == n {
                frame.notes.push(note(name, ("unique per row, like an identifier", "每行取值都不同，像标识符")));
                continue;
            }
            RawValues::Categorical(values)
        };
        frame.columns.push(RawColumn { name: FeatureName::verbatim(name), values });
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_names_are_recognised() {
        for name in ["customerID", "RowNumber", "Surname", "客户编号", "full_name", "row_id"] {
            assert!(identifier_like_column(name), "{name}");
        }
        for name in ["tenure", "Contract", "PhoneService", "CreditScore", "NumOfProducts"] {
            assert!(!identifier_like_column(name), "{name}");
        }
    }

    #[test]
    fn label_text_is_yes_or_no_only() {
        assert_eq!(label_of_text(" Yes "), Some(true));
        assert_eq!(label_of_text("否"), Some(false));
        assert_eq!(label_of_text("50000"), None);
        assert_eq!(label_of_text("maybe"), None);
    }
}
