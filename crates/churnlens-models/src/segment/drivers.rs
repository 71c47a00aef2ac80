//! What goes with churn: the churn rate by every customer attribute, with
//! its significance, ranked.
//!
//! **Churn label** per customer: the `churn` column of the `snapshot` table
//! ([`LabelSource::Snapshot`], Telco style), or derived from orders
//! ([`LabelSource::Orders`]): churned at the as-of day under the window
//! rule (see [`super::base`]).
//!
//! **Attributes**: every column of `snapshot` and `customers` other than
//! `customer_id` and `churn`. Categorical columns are used as they are;
//! numeric and date columns with more than
//! [`MAX_NUMERIC_GROUPS`] distinct values are cut into the quintile bands
//! of [`numeric_bands`] (the same bands `--by` uses), or into fixed bins
//! (a, b] the caller gives ([`DriverOptions::bins`]); fewer distinct values
//! are one level each. A blank value is the level "(blank)"; a labelled
//! customer missing from the attribute's table is "(unknown)".
//! Identifier-like columns (see [`identifier_like`]; and text columns
//! unique per row) say nothing about groups of customers, and the signup
//! date is a cohort rather than a driver (the earliest customers have had
//! longest to churn): they are left out with a note. With labels from orders, behaviour before the as-of
//! day is added: the per-customer mean of every numeric `orders` column
//! that is not a canonical one (e.g. 配送天数, delivery days) and the number
//! of `feedback` rows.
//!
//! **Per level**: customers, churned, churn rate and its Wilson 95%
//! interval. **Per attribute**: the chi-square test of levels × {retained,
//! churned} — with Yates' correction on 2 × 2 tables by default, as scipy's
//! `chi2_contingency`, or without ([`DriverOptions::continuity`]); the
//! report says which — its p-value and Cramér's V (always uncorrected);
//! for numeric attributes the churned and retained means and the two-sided
//! asymptotic Mann–Whitney p-value. Attributes are ranked in two groups,
//! those with a chi-square p below [`SIGNIFICANCE`] (5%) first, each by
//! Cramér's V, largest first; those without a test come last. V alone
//! would let an attribute of many small levels (a city) outrank a real
//! driver on noise; p alone would rank by sample size, not strength.
//!
//! **Sentence**: the level with the highest churn rate among levels holding
//! at least 1% of the customers (and at least 10), against all other
//! customers: "Contract = Month-to-month: churn 42.7% vs 6.8% for the rest,
//! p < 0.001" / "Contract 为 Month-to-month 的客户流失率 42.7%，其余客户
//! 6.8%，p < 0.001"; the p-value is the attribute's chi-square p.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::{Lang, Table};
use churnlens_metrics::grouping::{BandValues, MAX_NUMERIC_GROUPS, numeric_bands};
use churnlens_metrics::{Engine, MetricsError, Result};

use super::base::{CustomerBase, day_start_micros};
use crate::stats::significance::{ChiSquareIndependence, Continuity, MannWhitneyMethod, chi_square_independence, mann_whitney_u, wilson_interval};

/// Where the churn label comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelSource {
    /// Derived from orders: churned at the as-of day under the window rule.
    #[default]
    Orders,
    /// The `churn` column of the `snapshot` table.
    Snapshot,
}

/// How to build the driver table.
#[derive(Debug, Clone)]
pub struct DriverOptions {
    /// The churn label's source.
    pub source: LabelSource,
    /// Yates' correction on 2 × 2 tables (default, as scipy) or none.
    pub continuity: Continuity,
    /// Fixed bin edges per numeric column: bins (e₀, e₁], (e₁, e₂], … instead of quintile bands.
    pub bins: BTreeMap<String, Vec<f64>>,
    /// Language of labels and sentences.
    pub lang: Lang,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions { source: LabelSource::Orders, continuity: Continuity::Yates, bins: BTreeMap::new(), lang: Lang::En }
    }
}

/// The p-value below which an attribute ranks among the significant ones.
pub const SIGNIFICANCE: f64 = 0.05;

/// Confidence level of the Wilson intervals.
pub const CONFIDENCE: f64 = 0.95;

/// Customers and their churn labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnLabels {
    /// Customer ids.
    pub ids: Vec<String>,
    /// Churned or not.
    pub churned: Vec<bool>,
    /// The as-of day when the labels come from orders.
    pub as_of: Option<i32>,
}

impl ChurnLabels {
    /// Labels from the window rule at the base's as-of day.
    pub fn from_base(base: &CustomerBase) -> ChurnLabels {
        ChurnLabels { ids: base.ids.clone(), churned: base.churned(), as_of: Some(base.as_of) }
    }

    /// Labels from the `snapshot` table's `churn` column (rows without an id or label are left out).
    pub async fn from_snapshot(engine: &Engine) -> Result<ChurnLabels> {
        if !engine.tables().iter().any(|t| t == "snapshot") {
            return Err(MetricsError::MissingTable { table: "snapshot", hint: "churnlens import --as snapshot FILE" });
        }
        let mut labels = ChurnLabels { ids: Vec::new(), churned: Vec::new(), as_of: None };
        for batch in engine.sql("SELECT customer_id, churn FROM snapshot WHERE customer_id IS NOT NULL AND churn IS NOT NULL").await? {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let churn = arrow::compute::cast(batch.column(1), &DataType::Boolean)?;
            let (ids, churn) = (ids.as_string::<i32>(), churn.as_boolean());
            for row in 0..batch.num_rows() {
                labels.ids.push(ids.value(row).to_string());
                labels.churned.push(churn.value(row));
            }
        }
        Ok(labels)
    }
}

/// One level of an attribute.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelRow {
    /// The level's label.
    pub level: String,
    /// Its customers.
    pub customers: u64,
    /// Of those, churned.
    pub churned: u64,
    /// churned ÷ customers.
    pub rate: f64,
    /// Wilson 95% interval of the rate.
    pub lower: f64,
    /// Upper end of that interval.
    pub upper: f64,
}

/// One attribute's association with churn.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDriver {
    /// The attribute's name (a column, or a behaviour measure).
    pub attribute: String,
    /// The table it comes from.
    pub table: String,
    /// Whether it is numeric (then banded or one level per value).
    pub numeric: bool,
    /// Its levels in order (numeric order for numbers, ascending labels otherwise).
    pub levels: Vec<LevelRow>,
    /// The chi-square test of levels × {retained, churned}, when it can be computed.
    pub chi_square: Option<ChiSquareIndependence>,
    /// Numeric attributes: the mean of churned and of retained customers.
    pub means: Option<(f64, f64)>,
    /// Numeric attributes: the Mann–Whitney p-value of churned against retained.
    pub mann_whitney_p: Option<f64>,
}

impl AttributeDriver {
    /// Cramér's V, when the test could be computed.
    pub fn cramers_v(&self) -> Option<f64> {
        self.chi_square.as_ref().map(|c| c.cramers_v)
    }

    /// The sentence of the module docs, when there is a level to single out.
    pub fn sentence(&self, lang: Lang) -> Option<String> {
        let total: u64 = self.levels.iter().map(|l| l.customers).sum();
        let churned: u64 = self.levels.iter().map(|l| l.churned).sum();
        let floor = (total / 100).max(10);
        let large: Vec<&LevelRow> = self.levels.iter().filter(|l| l.customers >= floor && l.customers < total).collect();
        let top = large.into_iter().max_by(|a, b| a.rate.total_cmp(&b.rate))?;
        let rest = (churned - top.churned) as f64 / (total - top.customers) as f64;
        let p = match self.chi_square.as_ref().map(|c| c.p_value) {
            Some(p) if p < 0.001 => "p < 0.001".to_string(),
            Some(p) => format!("p = {p:.3}"),
            None => String::new(),
        };
        let (a, r) = (top.rate * 100.0, rest * 100.0);
        Some(match lang {
            Lang::En => format!("{} = {}: churn {a:.1}% vs {r:.1}% for the rest, {p}", self.attribute, top.level),
            Lang::Zh => format!("{} 为 {} 的客户流失率 {a:.1}%，其余客户 {r:.1}%，{p}", self.attribute, top.level),
        })
    }
}

/// The ranked driver table and the columns left out.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverReport {
    /// Attributes, most associated with churn first.
    pub attributes: Vec<AttributeDriver>,
    /// (column, why) of the columns left out.
    pub skipped: Vec<(String, String)>,
    /// Whether Yates' correction was asked for (it applies to 2 × 2 tables only).
    pub continuity: Continuity,
    /// Labelled customers.
    pub customers: u64,
    /// Of those, churned.
    pub churned: u64,
}

/// An attribute's value per labelled customer.
enum Values {
    /// Text; `None` for blank.
    Text(Vec<Option<String>>),
    /// Numbers (dates as day numbers); `None` for blank.
    Number(Vec<Option<f64>>, BandValues),
}

/// One attribute before its levels are built: values per labelled customer, `None` = not in the table.
struct RawAttribute {
    name: String,
    table: String,
    values: Values,
    present: Vec<bool>,
}

/// Whether a column name says it identifies a person or a record: its last
/// word (split at separators and lower-to-upper case changes) is id, name,
/// phone, mobile or email (`customerID`, `full_name`, but not
/// `PhoneService`), or it contains 编号, 姓名, 电话, 手机 or 邮箱.
pub fn identifier_like(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            previous_lower = false;
            words.push(String::new());
            continue;
        }
        if c.is_uppercase() && previous_lower || words.is_empty() {
            words.push(String::new());
        }
        previous_lower = c.is_lowercase();
        if let Some(word) = words.last_mut() {
            word.extend(c.to_lowercase());
        }
    }
    let last = words.iter().rev().find(|w| !w.is_empty()).map_or("", String::as_str);
    ["id", "name", "phone", "mobile", "email"].contains(&last) || ["编号", "姓名", "电话", "手机", "邮箱"].iter().any(|w| name.contains(w))
}

/// Columns that date a customer's arrival: a cohort, not a driver — the
/// earliest customers have simply had longest to churn
/// (`churnlens metrics cohorts` is the view for them).
const COHORT_COLUMNS: [&str; 1] = ["signup_date"];

/// Reads every column of `table` as an attribute of the labelled customers.
async fn table_attributes(
    engine: &Engine,
    table: &str,
    labels: &ChurnLabels,
    out: &mut Vec<RawAttribute>,
    skipped: &mut Vec<(String, String)>,
    lang: Lang,
) -> Result<()> {
    let query = format!("SELECT * FROM {table} WHERE customer_id IS NOT NULL");
    query_attributes(engine, &query, table, &[], labels, out, skipped, lang).await
}

/// Reads every column of a query's result (one row per customer, with
/// `customer_id`; columns named in `exclude` left out) as attributes.
#[allow(clippy::too_many_arguments)]
async fn query_attributes(
    engine: &Engine,
    query: &str,
    table: &str,
    exclude: &[&str],
    labels: &ChurnLabels,
    out: &mut Vec<RawAttribute>,
    skipped: &mut Vec<(String, String)>,
    lang: Lang,
) -> Result<()> {
    let batches = engine.sql(query).await?;
    let Some(first) = batches.first() else { return Ok(()) };
    let schema = first.schema();
    let position: HashMap<&str, usize> = labels.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let n = labels.ids.len();
    for (column, field) in schema.fields().iter().enumerate() {
        let name = field.name();
        if name == "customer_id" || name == "churn" || exclude.contains(&name.as_str()) || out.iter().any(|a| &a.name == name) {
            continue;
        }
        if identifier_like(name) {
            skipped.push((name.clone(), lang.pick("identifier-like name", "名称像标识符").into()));
            continue;
        }
        if COHORT_COLUMNS.contains(&name.as_str()) {
            skipped.push((name.clone(), lang.pick("a cohort, not a driver: see metrics cohorts", "属于同期群而非驱动因素：见 metrics cohorts").into()));
            continue;
        }
        let data_type = field.data_type();
        let temporal = matches!(data_type, DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _));
        let numeric = temporal || data_type.is_numeric();
        let mut present = vec![false; n];
        let mut texts: Vec<Option<String>> = vec![None; n];
        let mut numbers: Vec<Option<f64>> = vec![None; n];
        let mut rows = 0usize;
        let mut distinct_texts = std::collections::HashSet::new();
        for batch in &batches {
            let ids = arrow::compute::cast(batch.column_by_name("customer_id").unwrap_or(batch.column(0)), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let values = batch.column(column);
            let (numbers_here, texts_here) = if numeric {
                let as_f64 = if temporal {
                    let days = arrow::compute::cast(values, &DataType::Date32)?;
                    arrow::compute::cast(&arrow::compute::cast(&days, &DataType::Int32)?, &DataType::Float64)?
                } else {
                    arrow::compute::cast(values, &DataType::Float64)?
                };
                (Some(as_f64), None)
            } else {
                (None, Some(arrow::compute::cast(values, &DataType::Utf8)?))
            };
            for row in 0..batch.num_rows() {
                rows += 1;
                if let Some(t) = &texts_here {
                    let t = t.as_string::<i32>();
                    if !t.is_null(row) {
                        distinct_texts.insert(t.value(row).to_string());
                    }
                }
                let Some(&i) = position.get(ids.value(row)) else { continue };
                present[i] = true;
                if let Some(v) = &numbers_here {
                    let v = v.as_primitive::<Float64Type>();
                    numbers[i] = (!v.is_null(row) && v.value(row).is_finite()).then(|| v.value(row));
                }
                if let Some(t) = &texts_here {
                    let t = t.as_string::<i32>();
                    texts[i] = (!t.is_null(row) && !t.value(row).trim().is_empty()).then(|| t.value(row).to_string());
                }
            }
        }
        if !numeric && distinct_texts.len() == rows && rows > MAX_NUMERIC_GROUPS {
            skipped.push((name.clone(), lang.pick("unique per row, like an identifier", "每行取值都不同，像标识符").into()));
            continue;
        }
        let values = if numeric {
            let kind = if temporal {
                BandValues::Day
            } else if numbers.iter().flatten().all(|v| v.fract() == 0.0) {
                BandValues::Integer
            } else {
                BandValues::Decimal
            };
            Values::Number(numbers, kind)
        } else {
            Values::Text(texts)
        };
        out.push(RawAttribute { name: name.clone(), table: table.to_string(), values, present });
    }
    Ok(())
}

/// Behaviour before the as-of day: per-customer means of the non-canonical numeric order columns and feedback counts.
async fn behaviour_attributes(
    engine: &Engine,
    labels: &ChurnLabels,
    calendar: &churnlens_metrics::calendar::Calendar,
    out: &mut Vec<RawAttribute>,
    lang: Lang,
) -> Result<()> {
    let Some(as_of) = labels.as_of else { return Ok(()) };
    let bound = day_start_micros(calendar, as_of);
    let position: HashMap<&str, usize> = labels.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let n = labels.ids.len();
    let canonical: Vec<&str> = Table::Orders.columns().iter().map(|c| c.name).collect();
    let has = |t: &str| engine.tables().iter().any(|x| x == t);
    if has("orders") {
        let frame = engine.context().table("orders").await?;
        let numeric: Vec<String> = frame
            .schema()
            .fields()
            .iter()
            .filter(|f| f.data_type().is_numeric() && !canonical.contains(&f.name().as_str()))
            .map(|f| f.name().clone())
            .collect();
        for column in numeric {
            let quoted = column.replace('"', "\"\"");
            let query = format!(
                "SELECT CAST(customer_id AS VARCHAR), AVG(CAST(\"{quoted}\" AS DOUBLE)) FROM orders \
                 WHERE customer_id IS NOT NULL AND CAST(order_time AS BIGINT) < {bound} AND (amount IS NULL OR amount >= 0) GROUP BY 1"
            );
            let mut values = vec![None; n];
            for batch in engine.sql(&query).await? {
                let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
                let ids = ids.as_string::<i32>();
                let means = batch.column(1).as_primitive::<Float64Type>();
                for row in 0..batch.num_rows() {
                    if let Some(&i) = position.get(ids.value(row)) {
                        // Two decimals keep the band labels readable (3.33, not 3.3333333333333335).
                        values[i] = (!means.is_null(row)).then(|| (means.value(row) * 100.0).round() / 100.0);
                    }
                }
            }
            let name = match lang {
                Lang::En => format!("{column} (mean per order)"),
                Lang::Zh => format!("{column}（每单平均）"),
            };
            out.push(RawAttribute { name, table: "orders".into(), values: Values::Number(values, BandValues::Decimal), present: vec![true; n] });
        }
    }
    if has("feedback") {
        let query = format!(
            "SELECT CAST(customer_id AS VARCHAR), COUNT(*) FROM feedback WHERE customer_id IS NOT NULL AND CAST(feedback_time AS BIGINT) < {bound} GROUP BY 1"
        );
        let mut counts = vec![Some(0.0); n];
        for batch in engine.sql(&query).await? {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let count = arrow::compute::cast(batch.column(1), &DataType::Int64)?;
            let count = count.as_primitive::<Int64Type>();
            for row in 0..batch.num_rows() {
                if let Some(&i) = position.get(ids.value(row)) {
                    counts[i] = Some(count.value(row) as f64);
                }
            }
        }
        let name = lang.pick("feedback rows", "反馈条数").to_string();
        out.push(RawAttribute { name, table: "feedback".into(), values: Values::Number(counts, BandValues::Integer), present: vec![true; n] });
    }
    Ok(())
}

/// Label of a fixed bin (lo, hi]: `13–24` for whole numbers, `(12.5, 24]` otherwise.
fn bin_label(lo: f64, hi: f64, kind: BandValues) -> String {
    match kind {
        BandValues::Integer if lo.fract() == 0.0 && hi.fract() == 0.0 => format!("{}–{}", lo as i64 + 1, hi as i64),
        _ => format!("({lo}, {hi}]"),
    }
}

/// The level of every labelled customer and the levels in display order.
fn levels_of(attribute: &RawAttribute, bins: Option<&Vec<f64>>, lang: Lang) -> (Vec<String>, Vec<String>) {
    let blank = lang.pick("(blank)", "（空）").to_string();
    let unknown = lang.pick("(unknown)", "（未知）").to_string();
    let outside = lang.pick("(outside the bins)", "（不在分箱内）").to_string();
    let tail = [blank.clone(), unknown.clone()];
    match &attribute.values {
        Values::Text(texts) => {
            let per: Vec<String> = texts
                .iter()
                .zip(&attribute.present)
                .map(|(t, &p)| match (p, t) {
                    (false, _) => unknown.clone(),
                    (true, None) => blank.clone(),
                    (true, Some(t)) => t.clone(),
                })
                .collect();
            let mut order: Vec<String> = per.clone();
            order.sort();
            order.dedup();
            (per, order)
        }
        Values::Number(numbers, kind) => {
            let mut sorted: Vec<f64> = numbers.iter().flatten().copied().collect();
            sorted.sort_unstable_by(f64::total_cmp);
            let mut distinct = sorted.clone();
            distinct.dedup();
            let label_of: Box<dyn Fn(f64) -> String> = if let Some(edges) = bins {
                let edges = edges.clone();
                let kind = *kind;
                let outside = outside.clone();
                Box::new(move |v| edges.windows(2).find(|w| v > w[0] && v <= w[1]).map_or(outside.clone(), |w| bin_label(w[0], w[1], kind)))
            } else if distinct.len() > MAX_NUMERIC_GROUPS {
                let bands = numeric_bands(&sorted, *kind);
                Box::new(move |v| bands[bands.partition_point(|b| b.0 <= v).saturating_sub(1)].1.clone())
            } else {
                let kind = *kind;
                Box::new(move |v| match kind {
                    BandValues::Day => churnlens_metrics::calendar::format_day(v as i32),
                    _ => v.to_string(),
                })
            };
            let per: Vec<String> = numbers
                .iter()
                .zip(&attribute.present)
                .map(|(v, &p)| match (p, v) {
                    (false, _) => unknown.clone(),
                    (true, None) => blank.clone(),
                    (true, Some(v)) => label_of(*v),
                })
                .collect();
            // Numeric order: the level of each distinct value, first seen first.
            let mut order: Vec<String> = Vec::new();
            for v in &distinct {
                let label = label_of(*v);
                if !order.contains(&label) {
                    order.push(label);
                }
            }
            order.extend(tail.iter().filter(|t| per.contains(t)).cloned());
            if per.contains(&outside) && !order.contains(&outside) {
                order.push(outside);
            }
            (per, order)
        }
    }
}

/// Levels, the test and the numeric comparison of one attribute.
fn analyse(attribute: &RawAttribute, labels: &ChurnLabels, options: &DriverOptions) -> Result<AttributeDriver> {
    let (per, order) = levels_of(attribute, options.bins.get(&attribute.name), options.lang);
    let index: HashMap<&str, usize> = order.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    // counts[level] = [retained, churned], the column order of scipy's table of [No, Yes].
    let mut counts = vec![[0u64; 2]; order.len()];
    for (level, &churned) in per.iter().zip(&labels.churned) {
        counts[index[level.as_str()]][usize::from(churned)] += 1;
    }
    let levels = order
        .iter()
        .zip(&counts)
        .map(|(level, &[retained, churned])| {
            let customers = retained + churned;
            let interval = wilson_interval(churned, customers, CONFIDENCE).map_err(|e| super::data_error(&attribute.name, e))?;
            Ok(LevelRow { level: level.clone(), customers, churned, rate: churned as f64 / customers as f64, lower: interval.lower, upper: interval.upper })
        })
        .collect::<Result<Vec<_>>>()?;
    let table: Vec<[f64; 2]> = counts.iter().map(|&[a, b]| [a as f64, b as f64]).collect();
    // One level, or nobody (or everybody) churned: no test to run.
    let chi_square = chi_square_independence(&table, options.continuity).ok();
    let (mut means, mut mann_whitney_p) = (None, None);
    if let Values::Number(numbers, _) = &attribute.values {
        let (mut churned, mut retained) = (Vec::new(), Vec::new());
        for (v, &c) in numbers.iter().zip(&labels.churned) {
            if let Some(v) = v {
                if c { churned.push(*v) } else { retained.push(*v) }
            }
        }
        if let Ok(test) = mann_whitney_u(&churned, &retained, MannWhitneyMethod::Asymptotic) {
            means = Some((test.first.mean, test.second.mean));
            mann_whitney_p = Some(test.p_value);
        }
    }
    Ok(AttributeDriver {
        attribute: attribute.name.clone(),
        table: attribute.table.clone(),
        numeric: matches!(attribute.values, Values::Number(..)),
        levels,
        chi_square,
        means,
        mann_whitney_p,
    })
}

/// The driver table of the module docs. `base` gives the labels from orders
/// (and the as-of day of the behaviour attributes); it is not used with
/// [`LabelSource::Snapshot`].
pub async fn drivers(
    engine: &Engine,
    base: Option<&CustomerBase>,
    calendar: &churnlens_metrics::calendar::Calendar,
    options: &DriverOptions,
) -> Result<DriverReport> {
    let lang = options.lang;
    let labels = match (options.source, base) {
        (LabelSource::Snapshot, _) => ChurnLabels::from_snapshot(engine).await?,
        (LabelSource::Orders, Some(base)) => ChurnLabels::from_base(base),
        (LabelSource::Orders, None) => {
            ChurnLabels::from_base(&CustomerBase::load(engine, &super::base::BaseOptions { calendar: *calendar, lang, ..Default::default() }).await?)
        }
    };
    if labels.ids.is_empty() {
        return Err(MetricsError::Options(lang.pick("no customers to compare", "没有可比较的客户").into()));
    }
    let mut raw = Vec::new();
    let mut skipped = Vec::new();
    for table in ["snapshot", "customers"] {
        if engine.tables().iter().any(|t| t == table) {
            table_attributes(engine, table, &labels, &mut raw, &mut skipped, lang).await?;
        }
    }
    if options.source == LabelSource::Orders {
        behaviour_attributes(engine, &labels, calendar, &mut raw, lang).await?;
    }
    for column in options.bins.keys() {
        if !raw.iter().any(|a| &a.name == column && matches!(a.values, Values::Number(..))) {
            return Err(MetricsError::Options(format!("--bins {column}: {}", lang.pick("no numeric attribute of that name", "没有该名称的数值属性"))));
        }
    }
    let attributes = rank(raw.iter().map(|a| analyse(a, &labels, options)).collect::<Result<Vec<_>>>()?);
    let churned = labels.churned.iter().filter(|&&c| c).count() as u64;
    Ok(DriverReport { attributes, skipped, continuity: options.continuity, customers: labels.ids.len() as u64, churned })
}

/// First purchase, no repeat: each customer's first purchase (the earliest
/// purchase row before the as-of day, the lowest order id on a tie) compared
/// between one-time buyers (one order) and customers who came back — every
/// column of that order row other than the customer, order id and time
/// (channel, amount, quantity, status, delivery days …), with the same
/// levels and tests as the driver table, "churned" there meaning "bought
/// only once" here. Returns the one-time buyers, all buyers and the report.
pub async fn first_purchase(
    engine: &Engine,
    base: &CustomerBase,
    calendar: &churnlens_metrics::calendar::Calendar,
    options: &DriverOptions,
) -> Result<(u64, u64, DriverReport)> {
    let labels = ChurnLabels { ids: base.ids.clone(), churned: base.orders.iter().map(|&f| f <= 1.0).collect(), as_of: Some(base.as_of) };
    let has_order_id = engine.columns("orders").await?.iter().any(|c| c == "order_id");
    let tie = if has_order_id { ", CAST(order_id AS VARCHAR)" } else { "" };
    let query = format!(
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY order_time{tie}) AS first_rank__ FROM orders \
         WHERE customer_id IS NOT NULL AND order_time IS NOT NULL AND CAST(order_time AS BIGINT) < {bound} AND (amount IS NULL OR amount >= 0)) \
         WHERE first_rank__ = 1",
        bound = day_start_micros(calendar, base.as_of)
    );
    let (mut raw, mut skipped) = (Vec::new(), Vec::new());
    query_attributes(engine, &query, "orders", &["order_id", "order_time", "first_rank__"], &labels, &mut raw, &mut skipped, options.lang).await?;
    let attributes = rank(raw.iter().map(|a| analyse(a, &labels, options)).collect::<Result<Vec<_>>>()?);
    let once = labels.churned.iter().filter(|&&c| c).count() as u64;
    let report = DriverReport { attributes, skipped, continuity: options.continuity, customers: labels.ids.len() as u64, churned: once };
    Ok((once, labels.ids.len() as u64, report))
}

/// Significant at [`SIGNIFICANCE`] first, then the rest, each by Cramér's V
/// (largest first); attributes without a test last, by name.
fn rank(mut attributes: Vec<AttributeDriver>) -> Vec<AttributeDriver> {
    let key = |a: &AttributeDriver| (a.chi_square.as_ref().map_or(2, |c| u8::from(c.p_value >= SIGNIFICANCE)), -a.cramers_v().unwrap_or(0.0));
    attributes.sort_by(|a, b| {
        let (x, y) = (key(a), key(b));
        x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then_with(|| a.attribute.cmp(&b.attribute))
    });
    attributes
}

impl DriverReport {
    /// One row per attribute, ranked: test figures and the sentence.
    pub fn attributes_batch(&self, lang: Lang) -> RecordBatch {
        let a = &self.attributes;
        let f = |g: &dyn Fn(&AttributeDriver) -> Option<f64>| Arc::new(a.iter().map(g).collect::<Float64Array>()) as ArrayRef;
        let schema = Schema::new(vec![
            Field::new("rank", DataType::UInt64, false),
            Field::new("attribute", DataType::Utf8, false),
            Field::new("table", DataType::Utf8, false),
            Field::new("levels", DataType::UInt64, false),
            Field::new("chi_square", DataType::Float64, true),
            Field::new("dof", DataType::UInt64, true),
            Field::new("yates", DataType::Boolean, true),
            Field::new("p_value", DataType::Float64, true),
            Field::new("cramers_v", DataType::Float64, true),
            Field::new("mean_churned", DataType::Float64, true),
            Field::new("mean_retained", DataType::Float64, true),
            Field::new("mann_whitney_p", DataType::Float64, true),
            Field::new("finding", DataType::Utf8, true),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(1..=a.len() as u64)),
            Arc::new(StringArray::from_iter_values(a.iter().map(|d| d.attribute.as_str()))),
            Arc::new(StringArray::from_iter_values(a.iter().map(|d| d.table.as_str()))),
            Arc::new(UInt64Array::from_iter_values(a.iter().map(|d| d.levels.len() as u64))),
            f(&|d| d.chi_square.as_ref().map(|c| c.statistic)),
            Arc::new(a.iter().map(|d| d.chi_square.as_ref().map(|c| c.degrees_of_freedom as u64)).collect::<UInt64Array>()),
            Arc::new(a.iter().map(|d| d.chi_square.as_ref().map(|c| c.corrected)).collect::<arrow::array::BooleanArray>()),
            f(&|d| d.chi_square.as_ref().map(|c| c.p_value)),
            f(&AttributeDriver::cramers_v),
            f(&|d| d.means.map(|m| m.0)),
            f(&|d| d.means.map(|m| m.1)),
            f(&|d| d.mann_whitney_p),
            Arc::new(a.iter().map(|d| d.sentence(lang)).collect::<StringArray>()),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }

    /// One row per (attribute, level), attributes in rank order; rates in percent.
    pub fn levels_batch(&self) -> RecordBatch {
        let rows: Vec<(&AttributeDriver, &LevelRow)> = self.attributes.iter().flat_map(|a| a.levels.iter().map(move |l| (a, l))).collect();
        let f = |g: fn(&LevelRow) -> f64| Arc::new(Float64Array::from_iter_values(rows.iter().map(|(_, l)| g(l) * 100.0))) as ArrayRef;
        let schema = Schema::new(vec![
            Field::new("attribute", DataType::Utf8, false),
            Field::new("level", DataType::Utf8, false),
            Field::new("customers", DataType::UInt64, false),
            Field::new("churned", DataType::UInt64, false),
            Field::new("churn_rate_pct", DataType::Float64, false),
            Field::new("wilson_lower_pct", DataType::Float64, false),
            Field::new("wilson_upper_pct", DataType::Float64, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|(a, _)| a.attribute.as_str()))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|(_, l)| l.level.as_str()))),
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(|(_, l)| l.customers))),
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(|(_, l)| l.churned))),
            f(|l| l.rate),
            f(|l| l.lower),
            f(|l| l.upper),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_like_names() {
        for name in ["customerID", "order_id", "id", "客户编号", "name", "full_name", "姓名", "phone", "手机号", "email"] {
            assert!(identifier_like(name), "{name}");
        }
        for name in ["Contract", "tenure", "地区", "PaperlessBilling", "Dependents", "PhoneService", "paid"] {
            assert!(!identifier_like(name), "{name}");
        }
    }

    #[test]
    fn fixed_bins_read_as_inclusive_whole_numbers() {
        assert_eq!(bin_label(-1.0, 12.0, BandValues::Integer), "0–12");
        assert_eq!(bin_label(48.0, 72.0, BandValues::Integer), "49–72");
        assert_eq!(bin_label(0.5, 2.0, BandValues::Decimal), "(0.5, 2]");
    }
}
