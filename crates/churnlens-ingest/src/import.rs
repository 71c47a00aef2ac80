//! Importing a file into a workspace table: read, plan, convert, check,
//! write, commit — and a report of everything that happened.
//!
//! Checks, in order: ragged rows, blank required values, unparsable values,
//! ranges, negative amounts outside orders, future dates (per row, in
//! parallel); then duplicate keys (within the file and, with `--append`,
//! against the table) and orders/events of customers the workspace does not
//! know (policy: keep and count, or reject). Rejected rows go to the rejects
//! file; `--strict` turns the first problem into an error and writes nothing.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, AsArray, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use churnlens_core::{Lang, Table};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use serde::Serialize;

use crate::convert::{ConvertSettings, Converted, convert_chunk, nullable, output_schema};
use crate::error::{IngestError, Result};
use crate::mapping::MappingFile;
use crate::plan::{DateFormats, ResolvedColumn, plan_columns, resolve_converters};
use crate::read::{Delimiter, ReadOptions, SourceData, read_source};
use crate::reject::{Reject, RejectReason, write_rejects_file};
use crate::workspace::{CommitRecord, Workspace};

/// What to do with rows that refer to a customer the workspace's
/// `customers` table does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownCustomers {
    /// Keep them and count them in the report (default: exports are often
    /// cut at different times, and dropping revenue would be worse).
    #[default]
    Keep,
    /// Reject them into the rejects file.
    Reject,
}

impl std::str::FromStr for UnknownCustomers {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "keep" | "warn" => Ok(UnknownCustomers::Keep),
            "reject" => Ok(UnknownCustomers::Reject),
            other => Err(format!("unknown policy '{other}': use keep or reject")),
        }
    }
}

/// Everything an import can be told.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The canonical table to write.
    pub table: Table,
    /// How to read the file.
    pub read: ReadOptions,
    /// Canonical column → source header, overriding recognition.
    pub columns: BTreeMap<String, String>,
    /// Date notations.
    pub date_formats: DateFormats,
    /// Time zone of wall-clock times in the file.
    pub tz: chrono_tz::Tz,
    /// Fail on the first problem, writing nothing.
    pub strict: bool,
    /// Add to the table instead of replacing it.
    pub append: bool,
    /// Policy for unknown customers.
    pub unknown_customers: UnknownCustomers,
    /// Keep rows dated in the future.
    pub allow_future: bool,
    /// "Now" for the future-date check (µs since epoch, UTC); the clock if `None`.
    pub now_micros: Option<i64>,
    /// Language of the rejects file's reasons.
    pub lang: Lang,
}

impl ImportOptions {
    /// Defaults for a table: detect everything, UTC, replace, keep unknown customers.
    pub fn new(table: Table) -> ImportOptions {
        ImportOptions {
            table,
            read: ReadOptions::default(),
            columns: BTreeMap::new(),
            date_formats: DateFormats::default(),
            tz: chrono_tz::UTC,
            strict: false,
            append: false,
            unknown_customers: UnknownCustomers::Keep,
            allow_future: false,
            now_micros: None,
            lang: Lang::En,
        }
    }

    /// Takes reading options, column mapping, date formats and options from
    /// a mapping file. Call it before applying flags, so flags win.
    pub fn with_mapping(mut self, mapping: &MappingFile) -> Result<ImportOptions> {
        let source = &mapping.source;
        self.read.format = source.format.as_deref().map(str::parse).transpose().map_err(IngestError::Usage)?;
        self.read.encoding = source.encoding.clone();
        self.read.delimiter = source.delimiter.as_deref().map(str::parse).transpose().map_err(IngestError::Usage)?;
        self.read.has_header = source.header;
        self.read.column_names = source.columns.clone();
        self.read.sheet = source.sheet.clone();
        self.read.source_table = source.table.clone();
        self.columns = mapping.columns.clone();
        for (column, format) in &mapping.date_formats {
            if column == "*" {
                self.date_formats.all = Some(format.clone());
            } else {
                self.date_formats.per_column.insert(column.clone(), format.clone());
            }
        }
        if let Some(tz) = &mapping.options.tz {
            self.tz = parse_tz(tz)?;
        }
        if let Some(policy) = &mapping.options.unknown_customers {
            self.unknown_customers = policy.parse().map_err(IngestError::Usage)?;
        }
        Ok(self)
    }
}

/// Parses an IANA time zone name.
pub fn parse_tz(name: &str) -> Result<chrono_tz::Tz> {
    name.parse::<chrono_tz::Tz>()
        .map_err(|_| IngestError::Usage(format!("unknown time zone '{name}': use an IANA name such as Asia/Shanghai or UTC / 未知时区")))
}

/// One stored column in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnReport {
    /// How it was mapped and typed.
    #[serde(flatten)]
    pub column: ResolvedColumn,
    /// Null values among stored rows.
    pub nulls: u64,
    /// Where the nulls are: the row's key (customer id …) or `line N`.
    pub null_examples: Vec<String>,
}

/// A rejected row as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RejectSummary {
    /// Source line.
    pub line: u64,
    /// Source column.
    pub column: String,
    /// The value.
    pub value: String,
    /// Reason code.
    pub reason: String,
    /// Reason in words.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Table written.
    pub table: String,
    /// Source file.
    pub source: PathBuf,
    /// Format read.
    pub format: String,
    /// Encoding, for text.
    pub encoding: Option<String>,
    /// Delimiter, for delimited text.
    pub delimiter: Option<String>,
    /// Sheet or source table.
    pub part: Option<String>,
    /// `replace` or `append`.
    pub mode: String,
    /// Rows read from the file.
    pub rows_read: u64,
    /// Rows stored.
    pub rows_accepted: u64,
    /// Rows rejected.
    pub rows_rejected: u64,
    /// Rejected rows by reason code.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// The first rejected rows.
    pub rejects_preview: Vec<RejectSummary>,
    /// Where all rejected rows were written.
    pub rejects_file: Option<PathBuf>,
    /// Stored rows with a negative amount (refunds).
    pub negative_amounts: u64,
    /// Stored rows whose customer the workspace's customers table lacks
    /// (`None` when there is no customers table to check against).
    pub unknown_customers: Option<u64>,
    /// Examples of such customer ids.
    pub unknown_customer_examples: Vec<String>,
    /// Columns as stored.
    pub columns: Vec<ColumnReport>,
    /// Notes on the mapping.
    pub notes: Vec<String>,
    /// Rows in the table after the import.
    pub table_rows: u64,
    /// Table version written.
    pub version: i64,
    /// Catalog import id.
    pub import_id: i64,
    /// BLAKE3 of the source file.
    pub source_hash: String,
    /// Size of the source file.
    pub source_bytes: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// Stages of an import, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStage {
    /// Reading and splitting the file.
    Reading,
    /// Converting and checking rows.
    Converting,
    /// Writing Parquet.
    Writing,
}

/// Progress callback: stage, done, total.
pub type ImportProgress<'a> = &'a (dyn Fn(ImportStage, u64, u64) + Sync);

const PREVIEW: usize = 20;
const UNKNOWN_EXAMPLES: usize = 20;

/// Imports `path` into the workspace as `options.table`.
pub fn import_file(workspace: &Workspace, path: &Path, options: &ImportOptions, progress: ImportProgress<'_>) -> Result<ImportReport> {
    let started = std::time::Instant::now();
    if !path.exists() {
        return Err(IngestError::Io { path: path.to_path_buf(), source: std::io::Error::from(std::io::ErrorKind::NotFound) });
    }
    let (source, hash) = rayon::join(|| read_source(path, &options.read, &|done, total| progress(ImportStage::Reading, done, total)), || hash_file(path));
    let source = source?;
    let hash = hash?;
    let table = options.table;
    let plan = plan_columns(path, table, &source.headers, &options.columns)?;
    let (converters, resolved) = resolve_converters(path, &plan, &source.chunks, &options.date_formats)?;
    let schema = output_schema(&plan, &converters);
    let loose_schema = nullable(&schema);
    let now = options.now_micros.unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
    let settings = ConvertSettings {
        tz: options.tz,
        future_after_micros: now + 86_400_000_000,
        allow_future: options.allow_future,
        order_id_prefix: path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
    };
    let total_rows = source.rows() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let mut converted: Vec<Converted> = source
        .chunks
        .par_iter()
        .map(|chunk| {
            let out = convert_chunk(chunk, &plan, &converters, &loose_schema, &settings);
            let n = chunk.rows() as u64 + chunk.malformed.len() as u64;
            progress(ImportStage::Converting, done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n, total_rows);
            out
        })
        .collect::<Result<_>>()?;

    if let Some(key) = table.unique_key().filter(|k| plan.columns.iter().any(|c| c.name == *k)) {
        let existing = if options.append { workspace.distinct_strings(table.name(), key)? } else { HashSet::new() };
        mark_duplicates(&mut converted, &source, &schema, key, &existing)?;
    }
    let mut unknown = None;
    let mut unknown_examples = Vec::new();
    if let Some(reference) = table.customer_reference()
        && workspace.dataset(Table::Customers.name())?.is_some()
    {
        let known = workspace.distinct_strings(Table::Customers.name(), "customer_id")?;
        let (count, examples) = mark_unknown_customers(&mut converted, &source, &schema, reference, &known, options.unknown_customers)?;
        unknown = Some(count);
        unknown_examples = examples;
    }

    let mut rejects: Vec<Reject> = converted.iter_mut().flat_map(|c| std::mem::take(&mut c.rejects)).collect();
    rejects.sort_by_key(|r| r.line);
    if options.strict
        && let Some(first) = rejects.first()
    {
        return Err(IngestError::Strict {
            path: path.to_path_buf(),
            line: first.line,
            column: first.column.clone(),
            value: first.value.clone(),
            reason: first.reason.message(options.lang),
        });
    }
    let rejected_lines: HashSet<u64> = rejects.iter().map(|r| r.line).collect();
    let mut null_examples: Vec<Vec<String>> = vec![Vec::new(); plan.columns.len()];
    for c in &converted {
        for (ci, examples) in c.null_examples.iter().enumerate() {
            for (line, key) in examples {
                if null_examples[ci].len() < crate::convert::NULL_EXAMPLES && !rejected_lines.contains(line) {
                    null_examples[ci].push(if key.is_empty() { format!("line {line}") } else { key.clone() });
                }
            }
        }
    }
    let batches: Vec<RecordBatch> = converted
        .into_par_iter()
        .map(|c| {
            let kept = filter_record_batch(&c.batch, &BooleanArray::from(c.keep))?;
            // Only accepted rows are left: required columns hold no nulls now.
            RecordBatch::try_new(schema.clone(), kept.columns().to_vec())
        })
        .collect::<std::result::Result<_, _>>()?;
    drop(source.chunks);
    let existing_schema = if options.append { workspace.schema(table.name())? } else { None };
    let (batches, stored_schema, widened) = match &existing_schema {
        Some(existing) => {
            let target = append_schema(existing, &schema, table)?;
            let batches = batches.iter().map(|b| cast_batch(b, &target)).collect::<Result<Vec<_>>>()?;
            let widened = target.fields() != existing.fields();
            (batches, target, widened)
        }
        None => (batches, schema.clone(), false),
    };

    let accepted: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    let columns = column_reports(&plan, resolved, &batches, null_examples);
    let negative_amounts = count_negative(&batches, "amount", table);

    let staged = workspace.stage(table.name(), options.append && !widened)?;
    let mut write_result = write_parts(&staged.dir, &batches, &stored_schema, table, progress);
    if widened && write_result.is_ok() {
        write_result = rewrite_existing(workspace, table, &stored_schema, &staged.dir);
    }
    if let Err(e) = write_result {
        workspace.abandon(staged);
        return Err(e);
    }
    let mut rejected_by_reason = BTreeMap::new();
    for r in &rejects {
        *rejected_by_reason.entry(r.reason.code().to_string()).or_insert(0u64) += 1;
    }
    let rejects_file = if rejects.is_empty() {
        None
    } else {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let file = workspace.root().join("rejects").join(format!("{}-{stamp}.csv", table.name()));
        if let Err(e) = write_rejects_file(&file, &source.headers, &rejects, options.lang) {
            workspace.abandon(staged);
            return Err(e);
        }
        Some(file)
    };
    let previous_rows = if options.append { workspace.dataset(table.name())?.map(|d| d.rows as u64).unwrap_or(0) } else { 0 };
    let mapping_json = serde_json::to_string(&columns.iter().map(|c| &c.column).collect::<Vec<_>>()).map_err(|e| IngestError::Internal(e.to_string()))?;
    let record = CommitRecord {
        mode: if options.append { "append" } else { "replace" },
        source_path: path.display().to_string(),
        source_hash: hash.clone(),
        source_bytes: source.bytes,
        format: format!("{:?}", source.format).to_lowercase(),
        encoding: source.encoding.clone(),
        delimiter: source.delimiter.map(Delimiter::describe),
        part: source.part.clone(),
        mapping_json: mapping_json.clone(),
        rows_read: total_rows,
        rows_accepted: accepted,
        rows_rejected: rejects.len() as u64,
        reasons_json: serde_json::to_string(&rejected_by_reason).map_err(|e| IngestError::Internal(e.to_string()))?,
        rejects_path: rejects_file.as_ref().map(|p| p.display().to_string()),
        total_rows: previous_rows + accepted,
        schema_json: mapping_json,
    };
    let (version, import_id) = match workspace.commit(staged, &record) {
        Ok(v) => v,
        Err(e) => {
            if let Some(f) = &rejects_file {
                let _ = std::fs::remove_file(f);
            }
            return Err(e);
        }
    };
    Ok(ImportReport {
        table: table.name().to_string(),
        source: path.to_path_buf(),
        format: record.format,
        encoding: record.encoding,
        delimiter: record.delimiter,
        part: record.part,
        mode: record.mode.to_string(),
        rows_read: total_rows,
        rows_accepted: accepted,
        rows_rejected: rejects.len() as u64,
        rejected_by_reason,
        rejects_preview: rejects
            .iter()
            .take(PREVIEW)
            .map(|r| RejectSummary {
                line: r.line,
                column: r.column.clone(),
                value: r.value.clone(),
                reason: r.reason.code().into(),
                message: r.reason.message(options.lang),
            })
            .collect(),
        rejects_file,
        negative_amounts,
        unknown_customers: unknown,
        unknown_customer_examples: unknown_examples,
        columns,
        notes: plan.notes,
        table_rows: record.total_rows,
        version,
        import_id,
        source_hash: hash,
        source_bytes: source.bytes,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

fn hash_file(path: &Path) -> Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    std::io::copy(&mut file, &mut hasher).map_err(|e| IngestError::io(path, e))?;
    Ok(hasher.finalize().to_hex().to_string())
}

fn key_column<'a>(converted: &'a Converted, schema: &SchemaRef, column: &str) -> Result<&'a arrow::array::StringArray> {
    let index = schema.index_of(column)?;
    converted.batch.column(index).as_string_opt::<i32>().ok_or_else(|| IngestError::Internal(format!("{column} is not text")))
}

/// Marks repeated keys as rejected; the first occurrence in file order wins.
fn mark_duplicates(converted: &mut [Converted], source: &SourceData, schema: &SchemaRef, key: &str, existing: &HashSet<String>) -> Result<()> {
    let keys: Vec<arrow::array::StringArray> = converted.iter().map(|c| key_column(c, schema, key).cloned()).collect::<Result<_>>()?;
    let hasher = ahash::RandomState::with_seeds(0x9E37_79B9, 0x7F4A_7C15, 0xF39C_C060, 0x5CED_C834);
    let candidate = |chunk: usize, row: usize| converted[chunk].keep[row] && !keys[chunk].is_null(row);
    // (chunk, row, line of the first occurrence; 0 = already stored)
    let mut duplicates: Vec<(usize, usize, u64)> = Vec::new();
    if !existing.is_empty() {
        for (chunk_index, keys) in keys.iter().enumerate() {
            duplicates
                .extend((0..keys.len()).filter(|&row| candidate(chunk_index, row) && existing.contains(keys.value(row))).map(|row| (chunk_index, row, 0)));
        }
    }
    let fresh = |chunk: usize, row: usize| candidate(chunk, row) && (existing.is_empty() || !existing.contains(keys[chunk].value(row)));
    for (chunk_index, row, (first_chunk, first_row)) in repeated_keys(&keys, fresh, |value| hasher.hash_one(value)) {
        duplicates.push((chunk_index, row, converted[first_chunk].lines[first_row]));
    }
    for (chunk_index, row, first_line) in duplicates {
        let c = &mut converted[chunk_index];
        c.keep[row] = false;
        c.rejects.push(Reject {
            line: c.lines[row],
            column: key.to_string(),
            value: keys[chunk_index].value(row).to_string(),
            reason: RejectReason::DuplicateId { first_line },
            cells: source.chunks[chunk_index].row_cells(row).map(str::to_string).collect(),
        });
    }
    Ok(())
}

/// Every `(chunk, row)` whose key occurred earlier in file order, with the
/// `(chunk, row)` of that first occurrence; only rows where `candidate`
/// holds take part.
///
/// One hash map over ten million keys is slow: every probe misses the CPU
/// caches and the table alone is hundreds of megabytes. So keys are hashed
/// in parallel, spread over [`KEY_SHARDS`] shards by hash, and each shard
/// (a few megabytes for ten million keys) is checked on its own thread, visiting
/// its rows in file order. Shard maps hold hashes, not strings; the strings
/// are compared when hashes meet, so two different ids that share a hash
/// are told apart from a real repeat.
fn repeated_keys(keys: &[arrow::array::StringArray], candidate: impl Fn(usize, usize) -> bool + Sync, hash: impl Fn(&str) -> u64 + Sync) -> Vec<KeyRepeat> {
    // Per chunk, the rows of each shard as (hash, row).
    let spread: Vec<Vec<Vec<(u64, u32)>>> = keys
        .par_iter()
        .enumerate()
        .map(|(chunk_index, keys)| {
            let mut shards: Vec<Vec<(u64, u32)>> = (0..KEY_SHARDS).map(|_| Vec::with_capacity(keys.len() / KEY_SHARDS + 16)).collect();
            for row in (0..keys.len()).filter(|&row| candidate(chunk_index, row)) {
                let hash = hash(keys.value(row));
                shards[shard_of(hash)].push((hash, row as u32));
            }
            shards
        })
        .collect();
    let found: Vec<Vec<KeyRepeat>> = (0..KEY_SHARDS)
        .into_par_iter()
        .map(|shard| {
            let rows: usize = spread.iter().map(|shards| shards[shard].len()).sum();
            let mut first_by_hash: HashMap<u64, (usize, usize), BuildHasherDefault<PrehashedKey>> =
                HashMap::with_capacity_and_hasher(rows, BuildHasherDefault::default());
            let mut first_by_text: HashMap<&str, (usize, usize), ahash::RandomState> = HashMap::default();
            let mut found = Vec::new();
            for (chunk_index, shards) in spread.iter().enumerate() {
                for &(hash, row) in &shards[shard] {
                    let here = (chunk_index, row as usize);
                    let value = keys[chunk_index].value(here.1);
                    let first = match first_by_hash.entry(hash) {
                        Entry::Vacant(slot) => {
                            slot.insert(here);
                            continue;
                        }
                        Entry::Occupied(first) => *first.get(),
                    };
                    let first = if keys[first.0].value(first.1) == value {
                        first
                    } else {
                        // A different id with the same hash: track it by its text.
                        match first_by_text.entry(value) {
                            Entry::Vacant(slot) => {
                                slot.insert(here);
                                continue;
                            }
                            Entry::Occupied(first) => *first.get(),
                        }
                    };
                    found.push((chunk_index, here.1, first));
                }
            }
            found
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// A repeated key: its chunk and row, and the chunk and row of its first occurrence.
type KeyRepeat = (usize, usize, (usize, usize));

/// Shards of the duplicate-key check: enough that each shard's map of a
/// ten-million-row file fits in cache, few enough that tiny files stay cheap.
const KEY_SHARDS: usize = 64;

/// The shard of a key hash: middle bits, because the shard's hash map
/// indexes by the low bits and tags entries with the top ones.
fn shard_of(hash: u64) -> usize {
    ((hash >> 32) as usize) % KEY_SHARDS
}

/// A hasher for keys that are already hashes: passes the value through.
#[derive(Default)]
struct PrehashedKey(u64);

impl std::hash::Hasher for PrehashedKey {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

fn mark_unknown_customers(
    converted: &mut [Converted],
    source: &SourceData,
    schema: &SchemaRef,
    column: &str,
    known: &HashSet<String>,
    policy: UnknownCustomers,
) -> Result<(u64, Vec<String>)> {
    let mut count = 0;
    let mut examples = Vec::new();
    for (chunk_index, c) in converted.iter_mut().enumerate() {
        let ids = key_column(c, schema, column)?.clone();
        for row in 0..c.keep.len() {
            if !c.keep[row] || ids.is_null(row) || known.contains(ids.value(row)) {
                continue;
            }
            let id = ids.value(row);
            match policy {
                UnknownCustomers::Keep => {
                    count += 1;
                    if examples.len() < UNKNOWN_EXAMPLES && !examples.iter().any(|e| e == id) {
                        examples.push(id.to_string());
                    }
                }
                UnknownCustomers::Reject => {
                    c.keep[row] = false;
                    c.rejects.push(Reject {
                        line: c.lines[row],
                        column: column.to_string(),
                        value: id.to_string(),
                        reason: RejectReason::UnknownCustomer,
                        cells: source.chunks[chunk_index].row_cells(row).map(str::to_string).collect(),
                    });
                }
            }
        }
    }
    Ok((count, examples))
}

/// The schema an append writes: the stored table's, widened where the new
/// rows need it (integers that now arrive as decimals become floats; values
/// that no longer agree on a type become text). New columns are refused.
fn append_schema(existing: &SchemaRef, schema: &SchemaRef, table: Table) -> Result<SchemaRef> {
    if let Some(field) = schema.fields().iter().find(|f| existing.field_with_name(f.name()).is_err()) {
        return Err(IngestError::Usage(format!(
            "--append: column '{}' is not in the stored table '{table}'; import without --append to replace the table / 追加的数据含有表中没有的列“{}”",
            field.name(),
            field.name()
        )));
    }
    let fields: Vec<arrow::datatypes::Field> = existing
        .fields()
        .iter()
        .map(|stored| {
            let incoming = schema.field_with_name(stored.name()).map(|f| f.data_type().clone()).unwrap_or_else(|_| stored.data_type().clone());
            let widened = match (stored.data_type(), &incoming) {
                (a, b) if a == b => a.clone(),
                (DataType::Int64, DataType::Float64) | (DataType::Float64, DataType::Int64) => DataType::Float64,
                _ => DataType::Utf8,
            };
            stored.as_ref().clone().with_data_type(widened).with_nullable(stored.is_nullable() || schema.field_with_name(stored.name()).is_err())
        })
        .collect();
    for (stored, target) in existing.fields().iter().zip(&fields) {
        if table.column(stored.name()).is_some() && stored.data_type() != target.data_type() {
            return Err(IngestError::Internal(format!("canonical column {} changed type", stored.name())));
        }
    }
    Ok(Arc::new(arrow::datatypes::Schema::new(fields)))
}

/// Casts a batch to `target`: missing columns become nulls.
fn cast_batch(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch> {
    let columns = target
        .fields()
        .iter()
        .map(|field| match batch.schema().index_of(field.name()) {
            Ok(i) if batch.column(i).data_type() == field.data_type() => Ok(batch.column(i).clone()),
            Ok(i) => Ok(arrow::compute::cast(batch.column(i), field.data_type())?),
            Err(_) => Ok(arrow::array::new_null_array(field.data_type(), batch.num_rows())),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new(target.clone(), columns)?)
}

/// Rewrites the stored parts cast to `target` into `dir` (an append that
/// widened a column type cannot reuse them as they are).
fn rewrite_existing(workspace: &Workspace, table: Table, target: &SchemaRef, dir: &Path) -> Result<()> {
    let mut batches = Vec::new();
    for part in workspace.parts(table.name())? {
        let file = std::fs::File::open(&part).map_err(|e| IngestError::io(&part, e))?;
        for batch in parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)?.build()? {
            batches.push(cast_batch(&batch?, target)?);
        }
    }
    write_parts(dir, &batches, target, table, &|_, _, _| {})
}

fn column_reports(plan: &crate::plan::TablePlan, resolved: Vec<ResolvedColumn>, batches: &[RecordBatch], null_examples: Vec<Vec<String>>) -> Vec<ColumnReport> {
    resolved
        .into_iter()
        .zip(null_examples)
        .map(|(column, examples)| {
            let nulls = batches.iter().map(|b| b.schema().index_of(&column.name).map(|i| b.column(i).null_count() as u64).unwrap_or(0)).sum();
            let required = plan.columns.iter().any(|c| c.name == column.name && c.canonical.is_some_and(|s| s.required));
            ColumnReport { column, nulls, null_examples: if required { Vec::new() } else { examples } }
        })
        .collect()
}

fn count_negative(batches: &[RecordBatch], column: &str, table: Table) -> u64 {
    if table.column(column).is_none() {
        return 0;
    }
    batches
        .iter()
        .filter_map(|b| b.schema().index_of(column).ok().map(|i| b.column(i).clone()))
        .filter_map(|a| a.as_primitive_opt::<arrow::datatypes::Float64Type>().map(|f| f.iter().flatten().filter(|v| *v < 0.0).count() as u64))
        .sum()
}

/// Writes one Parquet part per batch, in parallel.
///
/// The table's unique key is written without dictionary encoding: every
/// value differs, so the writer would intern each one into a dictionary
/// only to give up on it (visible in profiles of large imports).
fn write_parts(dir: &Path, batches: &[RecordBatch], schema: &SchemaRef, table: Table, progress: ImportProgress<'_>) -> Result<()> {
    let mut props = WriterProperties::builder().set_compression(Compression::SNAPPY);
    if let Some(key) = table.unique_key() {
        props = props.set_column_dictionary_enabled(ColumnPath::from(key), false);
    }
    let props = props.build();
    let tag = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    let total = batches.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let write_one = |i: usize, batch: Option<&RecordBatch>| -> Result<()> {
        let path = dir.join(format!("part-{tag}-{i:05}.parquet"));
        let file = std::fs::File::create(&path).map_err(|e| IngestError::io(&path, e))?;
        let mut writer = ArrowWriter::try_new(file, Arc::clone(schema), Some(props.clone()))?;
        if let Some(batch) = batch {
            writer.write(batch)?;
        }
        writer.close()?;
        Ok(())
    };
    let non_empty: Vec<&RecordBatch> = batches.iter().filter(|b| b.num_rows() > 0).collect();
    if non_empty.is_empty() {
        // An empty table still has a schema to query.
        return write_one(0, None);
    }
    non_empty.par_iter().enumerate().try_for_each(|(i, batch)| {
        write_one(i, Some(batch))?;
        progress(ImportStage::Writing, done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::StringArray;

    fn chunks() -> Vec<StringArray> {
        vec![StringArray::from(vec![Some("a"), Some("b"), None, Some("a")]), StringArray::from(vec![Some("c"), Some("b"), Some("a"), Some("d")])]
    }

    fn sorted(mut found: Vec<KeyRepeat>) -> Vec<KeyRepeat> {
        found.sort();
        found
    }

    #[test]
    fn repeats_point_at_the_first_occurrence() {
        let keys = chunks();
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let found = repeated_keys(&keys, |c, r| !keys[c].is_null(r), |v| hasher.hash_one(v));
        assert_eq!(sorted(found), vec![(0, 3, (0, 0)), (1, 1, (0, 1)), (1, 2, (0, 0))]);
    }

    #[test]
    fn ids_sharing_a_hash_are_not_repeats() {
        // Every id gets the same hash: only equal texts may count as repeats.
        let keys = chunks();
        let found = repeated_keys(&keys, |c, r| !keys[c].is_null(r), |_| 42);
        assert_eq!(sorted(found), vec![(0, 3, (0, 0)), (1, 1, (0, 1)), (1, 2, (0, 0))]);
    }

    #[test]
    fn rows_left_out_do_not_count() {
        let keys = chunks();
        // Row (0, 0) was rejected for another reason: the later "a" rows now
        // repeat the one on row (0, 3).
        let found = repeated_keys(&keys, |c, r| !keys[c].is_null(r) && (c, r) != (0, 0), |v| v.len() as u64);
        assert_eq!(sorted(found), vec![(1, 1, (0, 1)), (1, 2, (0, 3))]);
    }
}
