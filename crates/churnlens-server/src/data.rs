//! What the API reads from the workspace: the customers table with its
//! derived attributes and RFM segments (kept in memory), the customer
//! filters, reports per filter (cached), timelines and the tables the
//! dashboard exports.
//!
//! What is kept is read again when the workspace changes — an import, a
//! `--save`, a churn model trained — so a running server shows it at the
//! next request: each request compares the workspace's [`Stamp`] (every
//! table's version, every saved churn model's file time) with the one the
//! kept data was read at.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_ingest::derived::DERIVED_TABLE;
use churnlens_metrics::calendar::{Calendar, Period};
use churnlens_metrics::{Engine, Metrics, MetricsOptions};
use churnlens_models::prediction::saved::models_dir;
use churnlens_models::segment::base::{BaseOptions, CustomerBase};
use churnlens_models::segment::rfm::Rfm;
use churnlens_models::stats::rfm::{EightSegment, Threshold};
use churnlens_report::{ReportData, ReportOptions, Subset, build_subset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ServerError;

/// Columns with at most this many distinct values are offered as filters.
pub const MAX_FILTER_VALUES: usize = 50;

/// The tables a timeline shows, each with the customer's rows.
pub const TIMELINE_TABLES: [&str; 4] = ["orders", "events", "feedback", "subscriptions"];

/// The segment filter's key of an RFM segment: its English label in snake case (`important_value`).
pub fn segment_key(segment: EightSegment) -> String {
    segment.label_en().replace([' ', '-'], "_")
}

/// The dashboard's filters, as the query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Filters {
    /// The report's current month, `YYYY-MM`.
    pub period: Option<String>,
    /// An RFM segment key ([`segment_key`]).
    pub segment: Option<String>,
    /// A customer column or derived attribute …
    pub attr: Option<String>,
    /// … and the value it must have.
    pub value: Option<String>,
}

impl Filters {
    /// Whether a customer filter (segment or attribute) is set.
    fn narrows_customers(&self) -> bool {
        self.segment.as_deref().is_some_and(|s| !s.is_empty()) || self.attr.as_deref().is_some_and(|a| !a.is_empty())
    }
}

/// One complete month of the data: its label and last day.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Month {
    label: String,
    end: i32,
}

/// The customers of the workspace with everything the list shows.
#[derive(Debug)]
pub struct Customers {
    /// The customers table's columns, `customer_id` first.
    pub columns: Vec<String>,
    /// Each customer's values as text (`None` = empty), in `columns` order.
    pub rows: Vec<Vec<Option<String>>>,
    /// Derived attributes (name → customer id → value), in the order saved.
    pub derived: Vec<(String, HashMap<String, String>)>,
    /// RFM eight-segment and net revenue to date per customer who bought.
    pub rfm: HashMap<String, (EightSegment, f64)>,
    months: Vec<Month>,
    /// The whole workspace's end of observation: filtered reports are observed at the same day.
    as_of: Option<i32>,
    index: HashMap<String, usize>,
}

impl Customers {
    /// The index in [`Customers::rows`] of customer `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// A derived attribute's value for a customer.
    pub fn derived_value(&self, attribute: &str, id: &str) -> Option<&str> {
        self.derived.iter().find(|(name, _)| name == attribute).and_then(|(_, values)| values.get(id)).map(String::as_str)
    }

    /// The value of `attr` (a customer column or derived attribute) for the row at `index`.
    fn attribute(&self, index: usize, attr: &str) -> Option<&str> {
        match self.columns.iter().position(|c| c == attr) {
            Some(column) => self.rows[index][column].as_deref(),
            None => self.derived_value(attr, self.rows[index][0].as_deref()?),
        }
    }

    /// Indexes of the customers matching the segment and attribute filters.
    pub fn matching(&self, filters: &Filters) -> Result<Vec<usize>, ServerError> {
        let segment = match filters.segment.as_deref().filter(|s| !s.is_empty()) {
            Some(key) => Some(EightSegment::ALL.into_iter().find(|s| segment_key(*s) == key).ok_or_else(|| ServerError::BadRequest(format!("segment={key}")))?),
            None => None,
        };
        let attr = filters.attr.as_deref().filter(|a| !a.is_empty());
        if let Some(attr) = attr
            && !self.columns.iter().any(|c| c == attr)
            && !self.derived.iter().any(|(name, _)| name == attr)
        {
            return Err(ServerError::BadRequest(format!("attr={attr}")));
        }
        let value = filters.value.as_deref().unwrap_or_default();
        Ok((0..self.rows.len())
            .filter(|&i| segment.is_none_or(|s| self.rows[i][0].as_deref().and_then(|id| self.rfm.get(id)).is_some_and(|(seg, _)| *seg == s)))
            .filter(|&i| attr.is_none_or(|a| self.attribute(i, a) == Some(value)))
            .collect())
    }

    /// The list row of customer at `index`: every column, then `rfm_segment`, the saved churn attributes and `clv` when known.
    pub fn json_row(&self, index: usize, lang: Lang) -> Map<String, Value> {
        let row = &self.rows[index];
        let mut out = Map::new();
        for (column, value) in self.columns.iter().zip(row) {
            out.insert(column.clone(), value.clone().map_or(Value::Null, Value::String));
        }
        let id = row[0].as_deref().unwrap_or_default();
        for (name, values) in &self.derived {
            if let Some(value) = values.get(id) {
                let value = match name.as_str() {
                    "churn_risk" => value.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::String(value.clone()), Value::Number),
                    _ => Value::String(value.clone()),
                };
                out.entry(name.clone()).or_insert(value);
            }
        }
        if let Some((segment, revenue)) = self.rfm.get(id) {
            // A saved rfm_segment attribute (`segment rfm --save`) wins over the one computed here; both come from the same function.
            out.entry("rfm_segment").or_insert_with(|| Value::String(lang.pick(segment.label_en(), segment.label_zh()).to_owned()));
            out.insert("clv".into(), serde_json::Number::from_f64(*revenue).map_or(Value::Null, Value::Number));
        }
        out
    }
}

/// Text of every value of a column (`None` for nulls).
fn strings(column: &dyn Array) -> Result<Vec<Option<String>>, ServerError> {
    let text = arrow::compute::cast(column, &DataType::Utf8).map_err(|e| ServerError::Internal(format!("cast to text: {e}")))?;
    let text = text.as_string::<i32>();
    Ok((0..text.len()).map(|i| text.is_valid(i).then(|| text.value(i).to_owned())).collect())
}

/// Key of a cached report.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReportKey {
    lang: &'static str,
    filters: Filters,
}

/// What the kept data was read from: every table's version and every saved
/// churn model's file name and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    tables: Vec<(String, i64)>,
    models: Vec<(String, Option<SystemTime>)>,
}

/// The workspace as the API sees it.
pub struct DataSource {
    root: PathBuf,
    calendar: Calendar,
    customers: Mutex<Option<(Stamp, Arc<Customers>)>>,
    reports: Mutex<ReportCache>,
}

/// Reports computed at one workspace stamp.
type ReportCache = (Option<Stamp>, HashMap<ReportKey, Arc<ReportData>>);

impl std::fmt::Debug for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSource").field("root", &self.root).finish_non_exhaustive()
    }
}

/// Runs an async workspace computation to completion on the calling (blocking) thread.
fn block_on<F: Future>(future: F) -> F::Output {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.block_on(future),
        Err(_) => {
            tokio::runtime::Builder::new_current_thread().enable_all().build().map(|rt| rt.block_on(future)).unwrap_or_else(|e| panic!("tokio runtime: {e}"))
        }
    }
}

impl DataSource {
    /// The workspace at `root`, read in the business calendar `calendar`.
    pub fn new(root: PathBuf, calendar: Calendar) -> DataSource {
        DataSource { root, calendar, customers: Mutex::new(None), reports: Mutex::new((None, HashMap::new())) }
    }

    fn workspace(&self) -> Result<Workspace, ServerError> {
        Ok(Workspace::open(&self.root)?)
    }

    /// The workspace's stamp now (one catalog query and one folder listing).
    fn stamp(&self) -> Result<Stamp, ServerError> {
        let tables = self.workspace()?.datasets()?.into_iter().map(|d| (d.name, d.version)).collect();
        let mut models: Vec<(String, Option<SystemTime>)> = match std::fs::read_dir(models_dir(&self.root)) {
            Ok(entries) => entries.flatten().map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().and_then(|m| m.modified()).ok())).collect(),
            Err(_) => Vec::new(),
        };
        models.sort();
        Ok(Stamp { tables, models })
    }

    /// The customers, read again when the workspace has changed since they
    /// were last read. Blocks: call it under `spawn_blocking`.
    pub fn customers(&self) -> Result<Arc<Customers>, ServerError> {
        self.customers_at(self.stamp()?)
    }

    /// The customers as of `stamp` (the workspace's stamp now).
    fn customers_at(&self, stamp: Stamp) -> Result<Arc<Customers>, ServerError> {
        // Held while loading: requests that arrive meanwhile wait for the same data instead of reading it again.
        let mut kept = self.customers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((read_at, customers)) = kept.as_ref()
            && *read_at == stamp
        {
            return Ok(Arc::clone(customers));
        }
        let customers = Arc::new(self.load_customers().inspect_err(|e| tracing::error!(error = %e, "customers could not be loaded"))?);
        *kept = Some((stamp, Arc::clone(&customers)));
        Ok(customers)
    }

    fn load_customers(&self) -> Result<Customers, ServerError> {
        let workspace = self.workspace()?;
        block_on(async {
            let engine = Engine::open(&workspace).await?;
            let has = |table: &str| engine.tables().iter().any(|t| t == table);
            let (mut columns, mut rows) = (Vec::new(), Vec::new());
            if has("customers") {
                let batches = engine.sql("SELECT * FROM customers ORDER BY customer_id").await?;
                columns = engine.columns("customers").await?;
                // customer_id first: the list and the filters key on it.
                if let Some(p) = columns.iter().position(|c| c == "customer_id") {
                    columns.swap(0, p);
                }
                for batch in &batches {
                    let values: Vec<Vec<Option<String>>> = columns
                        .iter()
                        .map(|c| batch.column_by_name(c).map(|a| strings(a.as_ref())).unwrap_or_else(|| Ok(vec![None; batch.num_rows()])))
                        .collect::<Result<_, _>>()?;
                    rows.extend((0..batch.num_rows()).map(|r| values.iter().map(|v| v[r].clone()).collect::<Vec<_>>()));
                }
            }
            let mut derived = Vec::new();
            if has(DERIVED_TABLE) {
                for batch in engine.sql(&format!("SELECT * FROM {DERIVED_TABLE}")).await? {
                    let ids = strings(batch.column(0).as_ref())?;
                    for (index, field) in batch.schema().fields().iter().enumerate().skip(1) {
                        let values = strings(batch.column(index).as_ref())?;
                        let position = match derived.iter().position(|(name, _): &(String, HashMap<String, String>)| name == field.name()) {
                            Some(p) => p,
                            None => {
                                derived.push((field.name().clone(), HashMap::new()));
                                derived.len() - 1
                            }
                        };
                        for (id, value) in ids.iter().zip(values) {
                            if let (Some(id), Some(value)) = (id, value) {
                                derived[position].1.insert(id.clone(), value);
                            }
                        }
                    }
                }
            }
            let mut rfm = HashMap::new();
            let mut months = Vec::new();
            let mut as_of = None;
            if has("orders") {
                let base = CustomerBase::load(&engine, &BaseOptions { calendar: self.calendar, ..BaseOptions::default() }).await?;
                if let Ok(scores) = Rfm::compute(&base, Threshold::Mean) {
                    rfm = scores.ids.iter().cloned().zip(scores.eight.iter().copied().zip(scores.monetary.iter().copied())).collect();
                }
                let metrics = Metrics::load(&engine, MetricsOptions { calendar: self.calendar, period: Period::Month, ..MetricsOptions::default() }).await?;
                months = metrics.period_rows().iter().map(|r| Month { label: r.span.label.clone(), end: r.span.end }).collect();
                as_of = metrics.as_of();
            }
            let index = rows.iter().enumerate().filter_map(|(i, r)| r[0].clone().map(|id| (id, i))).collect();
            Ok::<_, ServerError>(Customers { columns, rows, derived, rfm, months, as_of, index })
        })
    }

    /// The filter choices: months, RFM segments, attributes with few values.
    pub fn filters(&self, lang: Lang) -> Result<Value, ServerError> {
        let customers = self.customers()?;
        let mut attributes = Map::new();
        for (i, column) in customers.columns.iter().enumerate().skip(1) {
            if crate::mask::PII_COLUMNS.contains(&column.as_str()) {
                continue;
            }
            let values: BTreeSet<&str> = customers.rows.iter().filter_map(|r| r[i].as_deref()).collect();
            if !values.is_empty() && values.len() <= MAX_FILTER_VALUES {
                attributes.insert(column.clone(), values.into_iter().collect::<Vec<_>>().into());
            }
        }
        for (name, by_id) in &customers.derived {
            let values: BTreeSet<&str> = by_id.values().map(String::as_str).collect();
            if !values.is_empty() && values.len() <= MAX_FILTER_VALUES {
                attributes.insert(name.clone(), values.into_iter().collect::<Vec<_>>().into());
            }
        }
        let segments: Vec<Value> =
            EightSegment::ALL.iter().map(|s| serde_json::json!({"key": segment_key(*s), "label": lang.pick(s.label_en(), s.label_zh())})).collect();
        let periods: Vec<&str> = customers.months.iter().map(|m| m.label.as_str()).collect();
        Ok(serde_json::json!({"periods": periods, "segments": segments, "attributes": attributes}))
    }

    /// The report on the customers matching `filters`, computed once per
    /// filter combination and workspace state. Blocks.
    pub fn report(&self, filters: &Filters, lang: Lang) -> Result<Arc<ReportData>, ServerError> {
        let key = ReportKey { lang: lang.pick("en", "zh"), filters: filters.clone() };
        let stamp = self.stamp()?;
        {
            let mut cache = self.reports.lock().unwrap_or_else(|e| e.into_inner());
            if cache.0.as_ref() != Some(&stamp) {
                *cache = (Some(stamp.clone()), HashMap::new());
            }
            if let Some(report) = cache.1.get(&key) {
                return Ok(Arc::clone(report));
            }
        }
        let customers = self.customers_at(stamp.clone())?;
        let as_of = match filters.period.as_deref().filter(|p| !p.is_empty()) {
            Some(label) => Some(customers.months.iter().find(|m| m.label == label).ok_or_else(|| ServerError::BadRequest(format!("period={label}")))?.end),
            // A subset's own last order may be earlier than the workspace's: it is observed at the same day as the whole.
            None if filters.narrows_customers() => customers.as_of,
            None => None,
        };
        let ids = if filters.narrows_customers() {
            Some(customers.matching(filters)?.into_iter().filter_map(|i| customers.rows[i][0].clone()).collect())
        } else {
            None
        };
        let subset = Subset { customers: ids, as_of };
        let workspace = self.workspace()?;
        let options = ReportOptions { calendar: self.calendar, lang, ..ReportOptions::default() };
        let report = Arc::new(block_on(build_subset(&workspace, &options, &subset))?);
        let mut cache = self.reports.lock().unwrap_or_else(|e| e.into_inner());
        // Kept only if the workspace did not change while it was computed.
        if cache.0.as_ref() == Some(&stamp) {
            cache.1.insert(key, Arc::clone(&report));
        }
        Ok(report)
    }

    /// The rows of `table` for one customer, as JSON objects (none when the table is absent). Blocks.
    pub fn customer_rows(&self, table: &str, id: &str) -> Result<Vec<Map<String, Value>>, ServerError> {
        let workspace = self.workspace()?;
        block_on(async {
            let engine = Engine::open(&workspace).await?;
            if !engine.tables().iter().any(|t| t == table) || !engine.columns(table).await?.iter().any(|c| c == "customer_id") {
                return Ok::<_, ServerError>(Vec::new());
            }
            let quoted = id.replace('\'', "''");
            let batches = engine.sql(&format!("SELECT * FROM {table} WHERE CAST(customer_id AS VARCHAR) = '{quoted}'")).await?;
            json_rows(&batches)
        })
    }
}

/// Record batches as JSON objects (arrow's JSON writer: timestamps as ISO text, nulls left out).
fn json_rows(batches: &[RecordBatch]) -> Result<Vec<Map<String, Value>>, ServerError> {
    let mut writer = arrow::json::ArrayWriter::new(Vec::new());
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    writer.write_batches(&refs).map_err(|e| ServerError::Internal(format!("json: {e}")))?;
    writer.finish().map_err(|e| ServerError::Internal(format!("json: {e}")))?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_slice(&bytes).map_err(|e| ServerError::Internal(format!("json: {e}")))
}

/// The risk of a customer from the saved `churn_risk` / `churn_tier` / `churn_reasons` attributes, or `None`.
pub fn risk(customers: &Customers, id: &str) -> Option<Value> {
    let probability = customers.derived_value("churn_risk", id).and_then(|v| v.parse::<f64>().ok());
    let tier = customers.derived_value("churn_tier", id);
    if probability.is_none() && tier.is_none() {
        return None;
    }
    let reasons: Vec<&str> =
        customers.derived_value("churn_reasons", id).map(|r| r.split(';').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    Some(serde_json::json!({"probability": probability, "tier": tier, "reasons": reasons}))
}

/// One exportable table: header and rows as text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// The tables of the report the dashboard shows, by export name (`customers` is exported from the list).
pub const REPORT_TABLES: [&str; 13] =
    ["kpis", "trend", "revenue_lost", "cohorts", "lifecycle", "nps", "segments", "drivers", "survival", "forecast", "clv", "models", "at_risk"];

fn num(value: f64) -> String {
    value.to_string()
}

fn opt(value: Option<f64>) -> String {
    value.map(num).unwrap_or_default()
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// The report table `name`; an empty table when its section is absent, `None` for an unknown name.
pub fn report_table(report: &ReportData, name: &str) -> Option<Table> {
    let empty = |names: &[&str]| Table { header: header(names), rows: Vec::new() };
    Some(match name {
        "kpis" => Table {
            header: header(&["key", "value", "previous", "change"]),
            rows: report
                .kpis
                .iter()
                .map(|k| {
                    vec![
                        serde_json::to_value(k.key).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                        opt(k.value),
                        opt(k.previous),
                        opt(k.change),
                    ]
                })
                .collect(),
        },
        "trend" => {
            let names = ["period", "churn_rate", "retention_rate", "active", "new", "churned"];
            match &report.trend {
                Some(t) => Table {
                    header: header(&names),
                    rows: (0..t.periods.len())
                        .map(|i| {
                            vec![
                                t.periods[i].clone(),
                                opt(t.churn_rate[i]),
                                opt(t.retention_rate[i]),
                                t.active[i].to_string(),
                                t.new[i].to_string(),
                                t.churned[i].to_string(),
                            ]
                        })
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "revenue_lost" => {
            let names = ["period", "revenue_lost", "churned"];
            match &report.revenue_lost {
                Some(r) => Table {
                    header: header(&names),
                    rows: (0..r.periods.len()).map(|i| vec![r.periods[i].clone(), num(r.revenue_lost[i]), r.churned[i].to_string()]).collect(),
                },
                None => empty(&names),
            }
        }
        "cohorts" => {
            let names = ["cohort", "size", "offset", "retention"];
            match &report.cohorts {
                Some(c) => Table {
                    header: header(&names),
                    rows: c
                        .cells
                        .iter()
                        .map(|(offset, cohort, retention)| vec![c.cohorts[*cohort].clone(), c.sizes[*cohort].to_string(), offset.to_string(), num(*retention)])
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "lifecycle" => {
            let names = ["period", "stage", "customers"];
            match &report.lifecycle {
                Some(l) => Table {
                    header: header(&names),
                    rows: l
                        .periods
                        .iter()
                        .enumerate()
                        .flat_map(|(p, period)| {
                            l.stages.iter().enumerate().map(move |(s, stage)| vec![period.clone(), stage.clone(), l.counts[s][p].to_string()])
                        })
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "nps" => {
            let names = ["period", "nps", "responses"];
            match &report.nps {
                Some(n) => Table {
                    header: header(&names),
                    rows: (0..n.periods.len()).map(|i| vec![n.periods[i].clone(), opt(n.nps[i]), n.responses[i].to_string()]).collect(),
                },
                None => empty(&names),
            }
        }
        "segments" => {
            let names = ["segment", "customers", "churn_rate", "revenue_share", "average_clv"];
            match &report.segments {
                Some(s) => Table {
                    header: header(&names),
                    rows: s
                        .segments
                        .iter()
                        .map(|g| vec![g.name.clone(), g.customers.to_string(), num(g.churn_rate), opt(g.revenue_share), num(g.average_clv)])
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "drivers" => {
            let names = ["attribute", "cramers_v", "p_value", "sentence"];
            match &report.drivers {
                Some(d) => Table {
                    header: header(&names),
                    rows: d
                        .drivers
                        .iter()
                        .map(|x| vec![x.attribute.clone(), opt(x.cramers_v), opt(x.p_value), x.sentence.clone().unwrap_or_default()])
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "survival" => {
            let names = ["group", "customers", "month", "survival", "lower", "upper"];
            match &report.survival {
                Some(s) => Table {
                    header: header(&names),
                    rows: s
                        .curves
                        .iter()
                        .flat_map(|c| {
                            s.months.iter().enumerate().map(move |(i, m)| {
                                vec![c.group.clone(), c.customers.to_string(), num(*m), num(c.survival[i]), num(c.lower[i]), num(c.upper[i])]
                            })
                        })
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "forecast" => {
            let names = ["period", "kind", "value", "lower_80", "upper_80", "lower_95", "upper_95"];
            match &report.forecast {
                Some(f) => {
                    let history = f
                        .history_periods
                        .iter()
                        .zip(&f.history)
                        .map(|(p, v)| vec![p.clone(), "history".into(), num(*v), String::new(), String::new(), String::new(), String::new()]);
                    let forecast = (0..f.periods.len()).map(|i| {
                        vec![
                            f.periods[i].clone(),
                            "forecast".into(),
                            num(f.point[i]),
                            num(f.lower_80[i]),
                            num(f.upper_80[i]),
                            num(f.lower_95[i]),
                            num(f.upper_95[i]),
                        ]
                    });
                    Table { header: header(&names), rows: history.chain(forecast).collect() }
                }
                None => empty(&names),
            }
        }
        "clv" => {
            let names = ["lower", "upper", "customers"];
            match &report.clv {
                Some(c) => Table { header: header(&names), rows: c.bins.iter().map(|b| vec![num(b.lower), num(b.upper), b.customers.to_string()]).collect() },
                None => empty(&names),
            }
        }
        "models" => {
            let names = ["model", "algorithm", "default", "roc_auc", "pr_auc", "log_loss", "brier", "f1", "recency_baseline_roc_auc", "training_rows"];
            match &report.churn_model {
                Some(m) => Table {
                    header: header(&names),
                    rows: m
                        .models
                        .iter()
                        .map(|x| {
                            vec![
                                x.name.clone(),
                                x.algorithm.clone(),
                                x.default.to_string(),
                                num(x.auc),
                                opt(x.pr_auc),
                                opt(x.log_loss),
                                opt(x.brier),
                                opt(x.f1),
                                opt(x.baseline_auc),
                                x.rows.to_string(),
                            ]
                        })
                        .collect(),
                },
                None => empty(&names),
            }
        }
        "at_risk" => {
            let names = ["customer_id", "probability_pct", "tier", "reasons", "drivers"];
            match &report.churn_model {
                Some(m) => Table {
                    header: header(&names),
                    rows: m
                        .at_risk
                        .iter()
                        .map(|c| vec![c.customer_id.clone(), num(c.probability), c.tier.clone(), c.reasons.join("; "), c.drivers.join("; ")])
                        .collect(),
                },
                None => empty(&names),
            }
        }
        _ => return None,
    })
}

/// A table as CSV with a UTF-8 byte-order mark, so Excel opens Chinese text correctly.
pub fn csv_bytes(table: &Table) -> Result<Vec<u8>, ServerError> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(&table.header).map_err(|e| ServerError::Internal(format!("csv: {e}")))?;
    for row in &table.rows {
        writer.write_record(row).map_err(|e| ServerError::Internal(format!("csv: {e}")))?;
    }
    writer.into_inner().map_err(|e| ServerError::Internal(format!("csv: {e}")))
}
