//! Acquisition: lead conversion and customer acquisition cost (CAC).
//!
//! * **Conversion** per period and lead source: leads created in the period
//!   (`leads.created_at`, local day), of which converted (a converted
//!   customer id or a conversion time), conversion rate = converted ÷ leads,
//!   and the median days from creation to conversion. Leads are counted in
//!   the period they were created, so recent periods have had less time to
//!   convert. An `all` row per period sums the sources.
//! * **CAC** per period and channel = marketing spend in the period
//!   (`marketing_spend.period` falls in it) ÷ new customers in the period
//!   (first purchase in it) whose `customers.channel` is that channel; the
//!   `all` row divides all spend by all new customers. A channel with new
//!   customers but no spend has a CAC of 0; spend without new customers has
//!   none.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;

use churnlens_core::Lang;

use crate::Engine;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::error::{MetricsError, Result};
use crate::spells::median_of_sorted;

/// The label of the rows over every source or channel.
pub const ALL: &str = "all";

/// One lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    /// Local day the lead was created.
    pub created: i32,
    /// Lead source ("(blank)" when missing).
    pub source: String,
    /// Whether it converted.
    pub converted: bool,
    /// Local day of conversion, when known.
    pub converted_on: Option<i32>,
}

/// Reads the `leads` table; a lead without a source is labelled "(blank)" in `lang`.
pub async fn load_leads(engine: &Engine, calendar: &Calendar, lang: Lang) -> Result<Vec<Lead>> {
    let blank = lang.pick("(blank)", "（空）");
    if !engine.tables().iter().any(|t| t == "leads") {
        return Err(MetricsError::MissingTable { table: "leads", hint: "churnlens import --as leads FILE" });
    }
    let columns = engine.columns("leads").await?;
    let has = |name: &str| columns.iter().any(|n| n == name);
    let pick = |name: &str, fallback: &str| if has(name) { name.to_string() } else { fallback.to_string() };
    let query = format!(
        "SELECT created_at, {}, {}, {} FROM leads WHERE created_at IS NOT NULL",
        pick("source", "CAST(NULL AS VARCHAR)"),
        pick("converted_customer_id", "CAST(NULL AS VARCHAR)"),
        pick("converted_at", "CAST(NULL AS TIMESTAMP)")
    );
    let mut local = calendar.day_of();
    let mut leads = Vec::new();
    for batch in engine.sql(&query).await? {
        let times = |i: usize| arrow::compute::cast(batch.column(i), &DataType::Timestamp(TimeUnit::Microsecond, None));
        let created = times(0)?;
        let created = created.as_primitive::<TimestampMicrosecondType>();
        let sources = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let sources = sources.as_string::<i32>();
        let customers = arrow::compute::cast(batch.column(2), &DataType::Utf8)?;
        let customers = customers.as_string::<i32>();
        let converted_at = times(3)?;
        let converted_at = converted_at.as_primitive::<TimestampMicrosecondType>();
        for row in 0..batch.num_rows() {
            let source = if sources.is_null(row) || sources.value(row).trim().is_empty() { blank.to_string() } else { sources.value(row).to_string() };
            let converted_on = (!converted_at.is_null(row)).then(|| local.of_micros(converted_at.value(row)));
            let converted = converted_on.is_some() || (!customers.is_null(row) && !customers.value(row).trim().is_empty());
            leads.push(Lead { created: local.of_micros(created.value(row)), source, converted, converted_on });
        }
    }
    Ok(leads)
}

/// Conversion of one period and source.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionRow {
    /// The period of creation.
    pub span: PeriodSpan,
    /// Lead source, or [`ALL`].
    pub source: String,
    /// Leads created.
    pub leads: u64,
    /// Of those, converted.
    pub converted: u64,
    /// Median days from creation to conversion.
    pub median_days: Option<f64>,
}

/// Conversion per period (from the first lead to `as_of`, default the last
/// lead) and source, sources in name order then [`ALL`].
pub fn conversion_rows(leads: &[Lead], calendar: &Calendar, period: Period, as_of: Option<i32>) -> Vec<ConversionRow> {
    let Some(first) = leads.iter().map(|l| l.created).min() else { return Vec::new() };
    let as_of = as_of.unwrap_or_else(|| leads.iter().map(|l| l.created).max().unwrap_or(first));
    let spans = calendar.periods(period, first, as_of);
    // (period, source) → (leads, converted, days to convert)
    let mut cells: BTreeMap<(usize, String), (u64, u64, Vec<i32>)> = BTreeMap::new();
    for lead in leads.iter().filter(|l| l.created <= as_of) {
        let p = spans.partition_point(|s| s.start <= lead.created) - 1;
        for source in [lead.source.as_str(), ALL] {
            let cell = cells.entry((p, source.to_string())).or_default();
            cell.0 += 1;
            cell.1 += u64::from(lead.converted);
            if let Some(on) = lead.converted_on {
                cell.2.push(on - lead.created);
            }
        }
    }
    let mut rows: Vec<ConversionRow> = cells
        .into_iter()
        .map(|((p, source), (leads, converted, mut days))| {
            days.sort_unstable();
            ConversionRow { span: spans[p].clone(), source, leads, converted, median_days: (!days.is_empty()).then(|| median_of_sorted(&days)) }
        })
        .collect();
    rows.sort_by(|a, b| (a.span.start, a.source == ALL, &a.source).cmp(&(b.span.start, b.source == ALL, &b.source)));
    rows
}

/// The conversion rows as a record batch.
pub fn conversion_batch(rows: &[ConversionRow]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("period", DataType::Utf8, false),
        Field::new("period_start", DataType::Date32, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("leads", DataType::UInt64, false),
        Field::new("converted", DataType::UInt64, false),
        Field::new("conversion_rate_pct", DataType::Float64, true),
        Field::new("median_days_to_convert", DataType::Float64, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.span.label.as_str()))),
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.span.start))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.source.as_str()))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.leads))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.converted))),
        Arc::new(rows.iter().map(|r| (r.leads > 0).then(|| r.converted as f64 / r.leads as f64 * 100.0)).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.median_days).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

/// Reads `marketing_spend` as (local day, channel, amount); spend without a
/// channel is labelled "(blank)" in `lang`, as customers without one are.
pub async fn load_spend(engine: &Engine, lang: Lang) -> Result<Vec<(i32, String, f64)>> {
    let blank = lang.pick("(blank)", "（空）");
    if !engine.tables().iter().any(|t| t == "marketing_spend") {
        return Err(MetricsError::MissingTable { table: "marketing_spend", hint: "churnlens import --as marketing_spend FILE" });
    }
    let channel = if engine.columns("marketing_spend").await?.iter().any(|c| c == "channel") { "channel" } else { "CAST(NULL AS VARCHAR)" };
    let mut spend = Vec::new();
    for batch in engine.sql(&format!("SELECT period, {channel}, amount FROM marketing_spend WHERE period IS NOT NULL AND amount IS NOT NULL")).await? {
        let days = arrow::compute::cast(batch.column(0), &DataType::Date32)?;
        let days = days.as_primitive::<arrow::datatypes::Date32Type>();
        let channels = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let channels = channels.as_string::<i32>();
        let amounts = arrow::compute::cast(batch.column(2), &DataType::Float64)?;
        let amounts = amounts.as_primitive::<arrow::datatypes::Float64Type>();
        for row in 0..batch.num_rows() {
            let channel = if channels.is_null(row) || channels.value(row).trim().is_empty() { blank.to_string() } else { channels.value(row).to_string() };
            spend.push((days.value(row), channel, amounts.value(row)));
        }
    }
    Ok(spend)
}

/// CAC of one period and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct CacRow {
    /// The period.
    pub span: PeriodSpan,
    /// Channel, or [`ALL`].
    pub channel: String,
    /// Marketing spend in the period.
    pub spend: f64,
    /// New customers in the period.
    pub new_customers: u64,
    /// The channel's textbook CLV, when known.
    pub clv: Option<f64>,
}

impl CacRow {
    /// Spend ÷ new customers.
    pub fn cac(&self) -> Option<f64> {
        (self.new_customers > 0).then(|| self.spend / self.new_customers as f64)
    }

    /// CLV ÷ CAC; none without both or with a CAC of 0.
    pub fn clv_to_cac(&self) -> Option<f64> {
        let cac = self.cac().filter(|c| *c > 0.0)?;
        Some(self.clv? / cac)
    }
}

/// CAC per complete period from `first_day` to `as_of` and channel. `new`
/// holds each new customer's (first purchase day, channel); `clv` the
/// textbook CLV per channel (and [`ALL`]) where known.
pub fn cac_rows(
    spend: &[(i32, String, f64)],
    new: &[(i32, String)],
    clv: &BTreeMap<String, f64>,
    calendar: &Calendar,
    period: Period,
    first_day: i32,
    as_of: i32,
) -> Vec<CacRow> {
    let spans: Vec<PeriodSpan> = calendar.complete_periods(period, first_day, as_of);
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else { return Vec::new() };
    let (lo, hi) = (first.start, last.end);
    let mut cells: BTreeMap<(usize, String), (f64, u64)> = BTreeMap::new();
    for (day, channel, amount) in spend.iter().filter(|(d, _, _)| (lo..=hi).contains(d)) {
        let p = spans.partition_point(|s| s.start <= *day) - 1;
        for key in [channel.as_str(), ALL] {
            cells.entry((p, key.to_string())).or_default().0 += amount;
        }
    }
    for (day, channel) in new.iter().filter(|(d, _)| (lo..=hi).contains(d)) {
        let p = spans.partition_point(|s| s.start <= *day) - 1;
        for key in [channel.as_str(), ALL] {
            cells.entry((p, key.to_string())).or_default().1 += 1;
        }
    }
    let mut rows: Vec<CacRow> = cells
        .into_iter()
        .map(|((p, channel), (spend, new_customers))| CacRow { span: spans[p].clone(), clv: clv.get(&channel).copied(), channel, spend, new_customers })
        .collect();
    rows.sort_by(|a, b| (a.span.start, a.channel == ALL, &a.channel).cmp(&(b.span.start, b.channel == ALL, &b.channel)));
    rows
}

/// The CAC rows as a record batch.
pub fn cac_batch(rows: &[CacRow]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("period", DataType::Utf8, false),
        Field::new("period_start", DataType::Date32, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("spend", DataType::Float64, false),
        Field::new("new_customers", DataType::UInt64, false),
        Field::new("cac", DataType::Float64, true),
        Field::new("clv", DataType::Float64, true),
        Field::new("clv_to_cac", DataType::Float64, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.span.label.as_str()))),
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.span.start))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.channel.as_str()))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.spend))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.new_customers))),
        Arc::new(rows.iter().map(CacRow::cac).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.clv).collect::<Float64Array>()),
        Arc::new(rows.iter().map(CacRow::clv_to_cac).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
