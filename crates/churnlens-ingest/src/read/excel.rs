//! Excel workbooks (.xlsx, .xlsm, .xlsb, .xls) and OpenDocument sheets, via
//! `calamine`.
//!
//! Cells become text the way a person reads them: whole numbers without a
//! trailing `.0`, date cells as ISO `YYYY-MM-DD[ HH:MM:SS]` (so the date
//! parser needs no Excel special case), errors as their `#N/A`-style code
//! (which then fails validation visibly instead of vanishing). Row numbers
//! are the sheet's own, as Excel shows them.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use churnlens_core::values::civil_from_days;

use super::{ReadOptions, SourceData, SourceFormat, unique_headers};
use crate::error::{IngestError, Result};
use crate::raw::RawChunk;

pub(super) fn read(path: &Path, options: &ReadOptions) -> Result<SourceData> {
    let mut workbook = open_workbook_auto(path).map_err(|e| IngestError::input(path, format!("cannot open workbook: {e}")))?;
    let names = workbook.sheet_names().to_vec();
    let sheet = match &options.sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(IngestError::input(
                    path,
                    format!("no sheet named '{s}'; the workbook has {names:?} (use --sheet) / 工作簿中没有名为“{s}”的工作表"),
                ));
            }
            s.clone()
        }
        None => names.first().cloned().ok_or_else(|| IngestError::input(path, "the workbook has no sheets"))?,
    };
    let range = workbook.worksheet_range(&sheet).map_err(|e| IngestError::input(path, format!("cannot read sheet '{sheet}': {e}")))?;
    let first_row = range.start().map(|(r, _)| r as u64 + 1).unwrap_or(1);
    let has_header = options.has_header.unwrap_or(options.column_names.is_none());
    let mut rows = range.rows();
    let headers = if has_header {
        rows.next().map(|r| r.iter().map(cell_text).collect()).unwrap_or_default()
    } else {
        let width = range.width();
        options.column_names.clone().unwrap_or_else(|| (1..=width).map(|i| format!("column_{i}")).collect())
    };
    let data_first_row = first_row + u64::from(has_header);
    let mut chunk = RawChunk::with_capacity(range.height(), range.width(), range.height() * range.width() * 8);
    for (i, row) in rows.enumerate() {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let last = row.iter().rposition(|c| !matches!(c, Data::Empty)).map(|p| p + 1).unwrap_or(0);
        // Trailing empty cells are padding, not missing fields: keep the header's width.
        let width = last.max(headers.len().min(row.len()));
        for cell in &row[..width] {
            chunk.push_cell(&cell_text(cell));
        }
        chunk.end_row(data_first_row + i as u64);
    }
    Ok(SourceData {
        path: path.to_path_buf(),
        format: SourceFormat::Excel,
        encoding: None,
        delimiter: None,
        part: Some(sheet),
        headers: unique_headers(headers),
        chunks: vec![chunk],
        bytes: 0,
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}

/// Whole numbers print without `.0` so ids and counts stay as typed.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// Excel's serial day (days since 1899-12-30 in the 1900 date system) as
/// ISO text; the fraction is the time of day, rounded to the second.
fn excel_serial_text(serial: f64) -> String {
    let total_seconds = (serial * 86_400.0).round() as i64;
    let days = total_seconds.div_euclid(86_400) - 25_569; // 25,569 days from 1899-12-30 to 1970-01-01
    let secs = total_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if secs == 0 { format!("{y:04}-{m:02}-{d:02}") } else { format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_numbers_read_as_a_person_would() {
        // 45296 = 2024-01-05 (Excel shows that date for the serial); .5 = noon.
        assert_eq!(excel_serial_text(45296.0), "2024-01-05");
        assert_eq!(excel_serial_text(45296.5), "2024-01-05 12:00:00");
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(12.5), "12.5");
    }
}
