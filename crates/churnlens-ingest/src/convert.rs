//! Text cells to typed Arrow columns, row by row, with every problem recorded.
//!
//! One function converts one [`RawChunk`] under a [`TablePlan`]; chunks are
//! converted in parallel. A row with any problem (ragged, blank required
//! value, unparsable value, out of range, future date) is still appended —
//! with nulls where values failed — and marked in `keep`, so the arrays stay
//! aligned and the row can be filtered out in one vectorised step after the
//! cross-chunk checks (duplicates, unknown customers) have marked theirs.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::{Offset, TimeZone};
use churnlens_core::values::{ParsedTime, is_null, parse_amount, parse_bool, parse_float, parse_integer};

use crate::error::{IngestError, Result};
use crate::plan::{Converter, TablePlan};
use crate::raw::RawChunk;
use crate::reject::{Reject, RejectReason};

/// Null values remembered per column for the import report.
pub const NULL_EXAMPLES: usize = 50;

const MICROS_PER_DAY: i64 = 86_400_000_000;
const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// Settings that apply to every cell.
#[derive(Debug, Clone)]
pub struct ConvertSettings {
    /// Time zone of wall-clock times.
    pub tz: chrono_tz::Tz,
    /// Values after this instant (µs since epoch, UTC) are future dates.
    pub future_after_micros: i64,
    /// Keep rows with future dates.
    pub allow_future: bool,
    /// Prefix of synthesized order ids (`file:line`).
    pub order_id_prefix: String,
}

/// One chunk, converted.
#[derive(Debug)]
pub struct Converted {
    /// All rows that could be split into cells, rejected ones included.
    pub batch: RecordBatch,
    /// Whether each row of `batch` is kept.
    pub keep: Vec<bool>,
    /// Source line of each row of `batch`.
    pub lines: Vec<u64>,
    /// Problems found, one per rejected row (the first problem of the row).
    pub rejects: Vec<Reject>,
    /// Nulls per planned column among kept-so-far rows.
    pub nulls: Vec<u64>,
    /// Up to [`NULL_EXAMPLES`] (line, key) pairs per column where the value is null.
    pub null_examples: Vec<Vec<(u64, String)>>,
    /// Rows with a negative amount (refunds), among kept-so-far rows.
    pub negative_amounts: u64,
}

/// The Arrow type a converter produces.
pub fn arrow_type(converter: &Converter) -> DataType {
    match converter {
        Converter::Id | Converter::Text | Converter::Category => DataType::Utf8,
        Converter::Timestamp(_) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Converter::Date(_) => DataType::Date32,
        Converter::Amount | Converter::Float => DataType::Float64,
        Converter::Integer => DataType::Int64,
        Converter::Boolean => DataType::Boolean,
    }
}

/// The stored schema: planned columns, then a synthesized `order_id` if needed.
pub fn output_schema(plan: &TablePlan, converters: &[Converter]) -> SchemaRef {
    let mut fields: Vec<Field> =
        plan.columns.iter().zip(converters).map(|(c, conv)| Field::new(&c.name, arrow_type(conv), !c.canonical.is_some_and(|s| s.required))).collect();
    if plan.synthesize_order_id {
        fields.insert(0, Field::new("order_id", DataType::Utf8, false));
    }
    Arc::new(Schema::new(fields))
}

enum Builder {
    Utf8(StringBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    Float(Float64Builder),
    Integer(Int64Builder),
    Boolean(BooleanBuilder),
}

impl Builder {
    fn new(converter: &Converter, rows: usize) -> Builder {
        match converter {
            Converter::Id | Converter::Text | Converter::Category => Builder::Utf8(StringBuilder::with_capacity(rows, rows * 12)),
            Converter::Timestamp(_) => Builder::Timestamp(TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC")),
            Converter::Date(_) => Builder::Date(Date32Builder::with_capacity(rows)),
            Converter::Amount | Converter::Float => Builder::Float(Float64Builder::with_capacity(rows)),
            Converter::Integer => Builder::Integer(Int64Builder::with_capacity(rows)),
            Converter::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(rows)),
        }
    }

    fn append_null(&mut self) {
        match self {
            Builder::Utf8(b) => b.append_null(),
            Builder::Timestamp(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Float(b) => b.append_null(),
            Builder::Integer(b) => b.append_null(),
            Builder::Boolean(b) => b.append_null(),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Builder::Utf8(mut b) => Arc::new(b.finish()),
            Builder::Timestamp(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
            Builder::Float(mut b) => Arc::new(b.finish()),
            Builder::Integer(mut b) => Arc::new(b.finish()),
            Builder::Boolean(mut b) => Arc::new(b.finish()),
        }
    }
}

/// Wall-clock to UTC in the import time zone, remembering the last hour's
/// offset because consecutive rows are usually close in time and zone
/// lookups are the slow part.
struct ZoneConverter {
    tz: chrono_tz::Tz,
    utc: bool,
    cached_hour: i64,
    cached_offset_micros: i64,
}

impl ZoneConverter {
    fn new(tz: chrono_tz::Tz) -> Self {
        ZoneConverter { tz, utc: tz == chrono_tz::UTC, cached_hour: i64::MIN, cached_offset_micros: 0 }
    }

    /// UTC micros of a wall-clock time; `None` for a time skipped by a
    /// daylight-saving jump. In a repeated hour the earlier instant is taken.
    fn local_to_utc(&mut self, local_micros: i64) -> Option<i64> {
        if self.utc {
            return Some(local_micros);
        }
        let hour = local_micros.div_euclid(MICROS_PER_HOUR);
        if hour != self.cached_hour {
            let secs = hour * 3600;
            let naive = chrono::DateTime::from_timestamp(secs, 0)?.naive_utc();
            let offset = self.tz.offset_from_local_datetime(&naive).earliest()?;
            self.cached_offset_micros = i64::from(offset.fix().local_minus_utc()) * 1_000_000;
            self.cached_hour = hour;
        }
        Some(local_micros - self.cached_offset_micros)
    }

    /// Wall-clock micros of a UTC instant.
    fn utc_to_local(&self, utc_micros: i64) -> Option<i64> {
        if self.utc {
            return Some(utc_micros);
        }
        let dt = chrono::DateTime::from_timestamp_micros(utc_micros)?;
        let offset = self.tz.offset_from_utc_datetime(&dt.naive_utc());
        Some(utc_micros + i64::from(offset.fix().local_minus_utc()) * 1_000_000)
    }
}

/// The same schema with every field nullable: rejected rows keep nulls in
/// required columns until they are filtered out.
pub fn nullable(schema: &SchemaRef) -> SchemaRef {
    Arc::new(Schema::new(schema.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect::<Vec<_>>()))
}

/// Converts one chunk into a batch of `schema` (see [`nullable`]).
pub fn convert_chunk(chunk: &RawChunk, plan: &TablePlan, converters: &[Converter], schema: &SchemaRef, settings: &ConvertSettings) -> Result<Converted> {
    let rows = chunk.rows();
    let mut builders: Vec<Builder> = converters.iter().map(|c| Builder::new(c, rows)).collect();
    let mut synthesized = plan.synthesize_order_id.then(|| StringBuilder::with_capacity(rows, rows * 16));
    let mut keep = Vec::with_capacity(rows);
    let mut lines = Vec::with_capacity(rows);
    let mut rejects = Vec::new();
    let mut nulls = vec![0u64; plan.columns.len()];
    let mut null_examples: Vec<Vec<(u64, String)>> = vec![Vec::new(); plan.columns.len()];
    let mut negative_amounts = 0u64;
    let mut zone = ZoneConverter::new(settings.tz);
    let key_index = plan.table.unique_key().and_then(|k| plan.columns.iter().find(|c| c.name == k)).map(|c| c.source_index);
    let mut row_nulls: Vec<usize> = Vec::new();

    for row in 0..rows {
        let line = chunk.line(row);
        let mut problem: Option<(String, String, RejectReason)> = None;
        let width = chunk.width(row);
        if width != plan.source_width {
            problem = Some((String::new(), String::new(), RejectReason::RaggedRow { expected: plan.source_width, found: width }));
        }
        row_nulls.clear();
        let mut negative = false;
        for (ci, (column, converter)) in plan.columns.iter().zip(converters).enumerate() {
            let raw = chunk.cell(row, column.source_index).unwrap_or("");
            let builder = &mut builders[ci];
            let spec = column.canonical;
            if is_null(raw) {
                builder.append_null();
                if spec.is_some_and(|s| s.required) {
                    if problem.is_none() && width == plan.source_width {
                        problem = Some((column.source_header.clone(), raw.to_string(), RejectReason::MissingValue));
                    }
                } else {
                    row_nulls.push(ci);
                }
                continue;
            }
            let outcome: std::result::Result<(), RejectReason> = match (converter, builder) {
                (Converter::Id | Converter::Category, Builder::Utf8(b)) => {
                    b.append_value(raw.trim());
                    Ok(())
                }
                (Converter::Text, Builder::Utf8(b)) => {
                    b.append_value(raw);
                    Ok(())
                }
                (Converter::Timestamp(parser), Builder::Timestamp(b)) => {
                    let utc = parser.parse(raw).and_then(|t| match t {
                        ParsedTime::Local(m) => zone.local_to_utc(m),
                        ParsedTime::Utc(m) => Some(m),
                    });
                    match utc {
                        Some(m) => {
                            b.append_value(m);
                            check_future(m, spec.is_some_and(|s| s.future_ok), settings)
                        }
                        None => {
                            b.append_null();
                            Err(RejectReason::Unparsable { expected: "timestamp".into() })
                        }
                    }
                }
                (Converter::Date(parser), Builder::Date(b)) => {
                    let local = parser.parse(raw).and_then(|t| match t {
                        ParsedTime::Local(m) => Some(m),
                        ParsedTime::Utc(m) => zone.utc_to_local(m),
                    });
                    match local {
                        Some(m) => {
                            b.append_value(m.div_euclid(MICROS_PER_DAY) as i32);
                            // A date is in the future when its day starts after the limit.
                            check_future(m, spec.is_some_and(|s| s.future_ok), settings)
                        }
                        None => {
                            b.append_null();
                            Err(RejectReason::Unparsable { expected: "date".into() })
                        }
                    }
                }
                (Converter::Amount, Builder::Float(b)) => match parse_amount(raw) {
                    Some(v) => {
                        b.append_value(v);
                        check_number(v, spec, &mut negative)
                    }
                    None => {
                        b.append_null();
                        Err(RejectReason::Unparsable { expected: "amount".into() })
                    }
                },
                (Converter::Float, Builder::Float(b)) => match parse_float(raw).or_else(|| parse_amount(raw)) {
                    Some(v) => {
                        b.append_value(v);
                        check_number(v, spec, &mut negative)
                    }
                    None => {
                        b.append_null();
                        Err(RejectReason::Unparsable { expected: "float".into() })
                    }
                },
                (Converter::Integer, Builder::Integer(b)) => match parse_integer(raw) {
                    Some(v) => {
                        b.append_value(v);
                        check_number(v as f64, spec, &mut negative)
                    }
                    None => {
                        b.append_null();
                        Err(RejectReason::Unparsable { expected: "integer".into() })
                    }
                },
                (Converter::Boolean, Builder::Boolean(b)) => match parse_bool(raw) {
                    Some(v) => {
                        b.append_value(v);
                        Ok(())
                    }
                    None => {
                        b.append_null();
                        Err(RejectReason::Unparsable { expected: "boolean".into() })
                    }
                },
                _ => return Err(IngestError::Internal(format!("converter and builder disagree for column {}", column.name))),
            };
            if let Err(reason) = outcome
                && problem.is_none()
            {
                problem = Some((column.source_header.clone(), raw.to_string(), reason));
            }
        }
        if let Some(b) = synthesized.as_mut() {
            b.append_value(format!("{}:{line}", settings.order_id_prefix));
        }
        lines.push(line);
        match problem {
            Some((column, value, reason)) => {
                keep.push(false);
                rejects.push(Reject { line, column, value, reason, cells: chunk.row_cells(row).map(str::to_string).collect() });
            }
            None => {
                keep.push(true);
                negative_amounts += u64::from(negative);
                for &ci in &row_nulls {
                    nulls[ci] += 1;
                    if null_examples[ci].len() < NULL_EXAMPLES {
                        let key = key_index.and_then(|k| chunk.cell(row, k)).map(|k| k.trim().to_string()).unwrap_or_default();
                        null_examples[ci].push((line, key));
                    }
                }
            }
        }
    }
    for m in &chunk.malformed {
        rejects.push(Reject {
            line: m.line,
            column: String::new(),
            value: String::new(),
            reason: RejectReason::MalformedRow { detail: m.reason.clone() },
            cells: vec![m.text.clone()],
        });
    }
    let mut arrays: Vec<ArrayRef> = builders.into_iter().map(Builder::finish).collect();
    if let Some(mut b) = synthesized {
        arrays.insert(0, Arc::new(b.finish()));
    }
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;
    Ok(Converted { batch, keep, lines, rejects, nulls, null_examples, negative_amounts })
}

fn check_future(micros: i64, future_ok: bool, settings: &ConvertSettings) -> std::result::Result<(), RejectReason> {
    if !future_ok && !settings.allow_future && micros > settings.future_after_micros { Err(RejectReason::FutureDate) } else { Ok(()) }
}

fn check_number(value: f64, spec: Option<&churnlens_core::ColumnSpec>, negative: &mut bool) -> std::result::Result<(), RejectReason> {
    let Some(spec) = spec else { return Ok(()) };
    if !value.is_finite() {
        return Err(RejectReason::Unparsable { expected: spec.kind.name().into() });
    }
    if let Some(bounds) = spec.bounds
        && (value < bounds.min || value > bounds.max)
    {
        return Err(RejectReason::OutOfRange { min: bounds.min, max: bounds.max });
    }
    if value < 0.0 {
        if spec.allows_negative {
            *negative |= spec.kind == churnlens_core::ValueKind::Amount;
        } else {
            return Err(RejectReason::NegativeAmount);
        }
    }
    Ok(())
}
