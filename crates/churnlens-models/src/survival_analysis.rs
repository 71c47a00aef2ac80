//! Survival analysis of a workspace (issue #7): customer lifetimes read from
//! the `snapshot` table or from the orders, and the Kaplan–Meier,
//! log-rank and Cox results of [`crate::stats::survival`] as Arrow record
//! batches.
//!
//! ## Where lifetimes come from
//!
//! * **Snapshot** ([`from_snapshot`]): one row per customer, a duration
//!   column (default `tenure`, in whatever unit the file uses — months for
//!   Telco) and an event column (default `churn`: Boolean, 0/1, or
//!   yes/no/true/false/是/否 text). Any other column can be a group or a
//!   covariate. A row without a duration or event is refused, not dropped,
//!   so the customer count always matches the table. A Cox model leaves out
//!   the customers with a blank covariate and says how many (`left_out`), as
//!   a customer missing from `customers` has none.
//! * **Orders** ([`from_orders`]): the time from a customer's first purchase
//!   to the churn date of their first active spell under the window rule
//!   (`churnlens_metrics::spells`): churned when that date is on or before
//!   the end of observation, otherwise right-censored at the end of
//!   observation. Durations are counted in days and reported in months of
//!   [`DAYS_PER_MONTH`] days (the mean Gregorian month), so `--times 12`
//!   means 365.25 days. Under a W-day window nobody churns before W days,
//!   so the curve is flat at 1 for the first W days by construction.
//!   Attributes come from the `customers` table, joined by customer id.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Float64Type, Schema};
use churnlens_core::Lang;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::Calendar;
use churnlens_metrics::grouping::Grouping;
use churnlens_metrics::spells::{ChurnRule, spells_with};
use churnlens_metrics::{Engine, MetricsError};
use thiserror::Error;

use crate::stats::survival::{Covariates, CoxParams, KaplanMeier, SurvivalError, multivariate_logrank_test};

/// Days in the month unit of durations read from orders: 365.25 / 12.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// The interval level of every survival table (lifelines' default).
const LEVEL: f64 = 0.95;

/// Why a survival analysis of a workspace could not be done.
#[derive(Debug, Error)]
pub enum SurvivalAnalysisError {
    /// Reading the workspace failed, or a table or column is missing.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The data cannot give the estimate.
    #[error(transparent)]
    Survival(#[from] SurvivalError),
    /// The columns asked for do not fit the analysis.
    #[error("{0}")]
    Input(String),
    /// Building the result table failed (a bug).
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

impl SurvivalAnalysisError {
    /// Whether the person who chose the data or flags can fix it.
    pub fn is_user_error(&self) -> bool {
        match self {
            SurvivalAnalysisError::Metrics(e) => e.is_user_error(),
            SurvivalAnalysisError::Survival(_) | SurvivalAnalysisError::Input(_) => true,
            SurvivalAnalysisError::Arrow(_) => false,
        }
    }
}

type Result<T> = std::result::Result<T, SurvivalAnalysisError>;

/// One attribute column, one value per customer (`None` = blank).
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    /// Numbers: a numeric covariate.
    Numeric(Vec<Option<f64>>),
    /// Labels: a categorical covariate or a group.
    Text(Vec<Option<String>>),
    /// Yes/no (a Boolean column, such as an imported Yes/No): a 0/1
    /// covariate named after the column, the effect of `true`.
    Flag(Vec<Option<bool>>),
}

/// Customers' lifetimes and the attributes asked for, row-aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    /// Time from start to churn or to the end of observation.
    pub durations: Vec<f64>,
    /// `true` = churned at that duration, `false` = censored.
    pub events: Vec<bool>,
    /// Attribute columns by name.
    pub attributes: Vec<(String, Attribute)>,
}

impl SurvivalData {
    fn attribute(&self, name: &str) -> Result<&Attribute> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, a)| a).ok_or_else(|| SurvivalAnalysisError::Input(format!("column {name} was not read")))
    }

    /// A group label per customer from an attribute: blanks are "(blank)",
    /// numbers print as numbers.
    pub fn group_labels(&self, name: &str, lang: Lang) -> Result<Vec<String>> {
        let blank = lang.pick("(blank)", "（空）");
        Ok(match self.attribute(name)? {
            Attribute::Text(values) => values.iter().map(|v| v.clone().unwrap_or_else(|| blank.to_owned())).collect(),
            Attribute::Numeric(values) => values.iter().map(|v| v.map_or_else(|| blank.to_owned(), |x| x.to_string())).collect(),
            Attribute::Flag(values) => values.iter().map(|v| v.map_or_else(|| blank.to_owned(), |x| x.to_string())).collect(),
        })
    }
}

/// Quotes a column name for SQL.
fn quote(column: &str) -> String {
    format!("\"{}\"", column.replace('"', "\"\""))
}

/// Refuses columns the table does not have, naming the ones it has.
async fn check_columns(engine: &Engine, table: &'static str, columns: &[&str]) -> Result<()> {
    let present = engine.columns(table).await?;
    if let Some(missing) = columns.iter().find(|c| !present.iter().any(|p| p == *c)) {
        return Err(SurvivalAnalysisError::Input(format!("the {table} table has no column {missing}; its columns are {}", present.join(", "))));
    }
    Ok(())
}

fn require_table(engine: &Engine, table: &'static str, hint: &'static str) -> Result<()> {
    if engine.tables().iter().any(|t| t == table) { Ok(()) } else { Err(MetricsError::MissingTable { table, hint }.into()) }
}

/// Reads one column of a query result as an attribute.
fn attribute_of(batches: &[RecordBatch], index: usize) -> Result<Attribute> {
    let data_type = batches.first().map_or(DataType::Utf8, |b| b.column(index).data_type().clone());
    if data_type == DataType::Boolean {
        return Ok(Attribute::Flag(batches.iter().flat_map(|b| b.column(index).as_boolean().iter().collect::<Vec<_>>()).collect()));
    }
    if data_type.is_numeric() {
        let mut values = Vec::new();
        for batch in batches {
            let column = arrow::compute::cast(batch.column(index), &DataType::Float64)?;
            values.extend(column.as_primitive::<Float64Type>().iter());
        }
        return Ok(Attribute::Numeric(values));
    }
    let mut values = Vec::new();
    for batch in batches {
        let column = arrow::compute::cast(batch.column(index), &DataType::Utf8)?;
        values.extend(column.as_string::<i32>().iter().map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)));
    }
    Ok(Attribute::Text(values))
}

/// An event flag from a Boolean, number or yes/no text.
fn event_of(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "流失" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "未流失" => Some(false),
        _ => None,
    }
}

/// Lifetimes from the `snapshot` table: `duration` and `event` columns,
/// plus the `attributes` columns, in table order.
pub async fn from_snapshot(engine: &Engine, duration: &str, event: &str, attributes: &[String]) -> Result<SurvivalData> {
    require_table(engine, "snapshot", "churnlens import --as snapshot FILE")?;
    let mut columns: Vec<&str> = vec![duration, event];
    columns.extend(attributes.iter().map(String::as_str));
    check_columns(engine, "snapshot", &columns).await?;
    let query = format!("SELECT {} FROM snapshot", columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "));
    let batches = engine.sql(&query).await?;
    let Attribute::Numeric(raw_durations) = attribute_of(&batches, 0)? else {
        return Err(SurvivalAnalysisError::Input(format!("the duration column {duration} is not numeric")));
    };
    let mut durations = Vec::with_capacity(raw_durations.len());
    for (row, value) in raw_durations.iter().enumerate() {
        durations.push(value.ok_or_else(|| SurvivalAnalysisError::Input(format!("row {} has no {duration}; every customer needs a duration", row + 1)))?);
    }
    let mut events = Vec::with_capacity(durations.len());
    for batch in &batches {
        let text = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        for value in text.as_string::<i32>().iter() {
            let row = events.len() + 1;
            let flag = value
                .and_then(event_of)
                .ok_or_else(|| SurvivalAnalysisError::Input(format!("row {row}: {event} = {value:?} is not a churn flag (true/false, 1/0, yes/no)")))?;
            events.push(flag);
        }
    }
    let attributes = attributes.iter().enumerate().map(|(i, name)| Ok((name.clone(), attribute_of(&batches, i + 2)?))).collect::<Result<_>>()?;
    Ok(SurvivalData { durations, events, attributes })
}

/// Durations in months from each customer's first purchase to the churn
/// date of their first spell, churned when that date is on or before
/// `as_of`, else censored at `as_of`; customers whose first purchase is
/// after `as_of` are left out. Also returns each row's position in
/// `activity`.
pub fn first_spell_lifetimes(activity: &Activity, rule: ChurnRule, as_of: i32) -> (Vec<usize>, Vec<f64>, Vec<bool>) {
    let (mut customers, mut durations, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for spell in spells_with(activity, rule).into_iter().filter(|s| s.first && s.start <= as_of) {
        let churned = spell.churn <= as_of;
        let end = if churned { spell.churn } else { as_of };
        customers.push(spell.customer as usize);
        durations.push(f64::from(end - spell.start) / DAYS_PER_MONTH);
        events.push(churned);
    }
    (customers, durations, events)
}

/// Lifetimes from the orders (see the module docs), purchase days in the
/// business `calendar`'s time zone, with the churn `rule` and end of
/// observation `as_of` (default: the last order day). `by` is a
/// group column of `customers` (numeric columns banded, as the metrics
/// do); `covariates` are read from `customers` as they are.
pub async fn from_orders(
    engine: &Engine,
    calendar: &Calendar,
    rule: ChurnRule,
    as_of: Option<i32>,
    by: Option<&str>,
    covariates: &[String],
    lang: Lang,
) -> Result<SurvivalData> {
    let activity = Activity::from_orders(engine, calendar).await?;
    let Some(as_of) = as_of.or(activity.last_day) else { return Err(SurvivalError::Empty.into()) };
    let (customers, durations, events) = first_spell_lifetimes(&activity, rule, as_of);
    let mut attributes = Vec::new();
    if let Some(column) = by {
        let grouping = Grouping::by_column(engine, &activity, column, lang).await?;
        let labels = customers.iter().map(|&c| grouping.group_of(c as u32).map(|g| grouping.labels()[g].clone())).collect();
        attributes.push((column.to_owned(), Attribute::Text(labels)));
    }
    if !covariates.is_empty() {
        require_table(engine, "customers", "churnlens import --as customers FILE")?;
        let mut columns = vec!["customer_id"];
        columns.extend(covariates.iter().map(String::as_str));
        check_columns(engine, "customers", &columns).await?;
        let query = format!("SELECT {} FROM customers", columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "));
        let batches = engine.sql(&query).await?;
        let Attribute::Text(ids) = attribute_of(&batches, 0)? else { unreachable!("customer ids are read as text") };
        let row_of: HashMap<&str, usize> = ids.iter().enumerate().filter_map(|(i, id)| Some((id.as_deref()?, i))).collect();
        let rows: Vec<Option<usize>> = customers.iter().map(|&c| row_of.get(activity.ids[c].as_str()).copied()).collect();
        for (i, name) in covariates.iter().enumerate() {
            let aligned = match attribute_of(&batches, i + 1)? {
                Attribute::Numeric(v) => Attribute::Numeric(rows.iter().map(|r| r.and_then(|r| v[r])).collect()),
                Attribute::Text(v) => Attribute::Text(rows.iter().map(|r| r.and_then(|r| v[r].clone())).collect()),
                Attribute::Flag(v) => Attribute::Flag(rows.iter().map(|r| r.and_then(|r| v[r])).collect()),
            };
            attributes.push((name.clone(), aligned));
        }
    }
    Ok(SurvivalData { durations, events, attributes })
}

/// The groups of `by`, or everyone as one group labelled "all".
fn groups(data: &SurvivalData, by: Option<&str>, lang: Lang) -> Result<Vec<String>> {
    match by {
        Some(column) => data.group_labels(column, lang),
        None => Ok(vec![lang.pick("all", "全部").to_owned(); data.durations.len()]),
    }
}

/// Kaplan–Meier survival at `times` with 95% log(−log) Greenwood
/// intervals, per group of `by` (or overall), with each group's size,
/// churns and median lifetime (null when fewer than half churn).
pub fn kaplan_meier_batch(data: &SurvivalData, by: Option<&str>, times: &[f64], lang: Lang) -> Result<RecordBatch> {
    let labels = groups(data, by, lang)?;
    let curves = KaplanMeier::fit_by_group(&data.durations, &data.events, &labels)?;
    let (mut group, mut time, mut customers, mut churned) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut survival, mut lower, mut upper, mut median) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (label, km) in &curves {
        let size = km.table().at_risk.first().copied().unwrap_or(0) as u64;
        let churns = km.table().observed.iter().sum::<usize>() as u64;
        for &t in times {
            let ci = km.confidence_interval_at(t, LEVEL);
            group.push(label.clone());
            time.push(t);
            customers.push(size);
            churned.push(churns);
            survival.push(km.survival_at(t));
            lower.push(ci.lower);
            upper.push(ci.upper);
            median.push(km.median());
        }
    }
    let schema = Schema::new(vec![
        Field::new("group", DataType::Utf8, false),
        Field::new("time", DataType::Float64, false),
        Field::new("customers", DataType::UInt64, false),
        Field::new("churned", DataType::UInt64, false),
        Field::new("survival", DataType::Float64, false),
        Field::new("lower_95", DataType::Float64, false),
        Field::new("upper_95", DataType::Float64, false),
        Field::new("median", DataType::Float64, true),
    ]);
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(group)),
        Arc::new(Float64Array::from(time)),
        Arc::new(UInt64Array::from(customers)),
        Arc::new(UInt64Array::from(churned)),
        Arc::new(Float64Array::from(survival)),
        Arc::new(Float64Array::from(lower)),
        Arc::new(Float64Array::from(upper)),
        Arc::new(Float64Array::from(median)),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), arrays)?)
}

/// The log-rank test of equal hazards across the groups of `by` (two or
/// more): per group its customers, observed and expected churns, and the
/// test's statistic, degrees of freedom and p-value on every row.
pub fn logrank_batch(data: &SurvivalData, by: &str, lang: Lang) -> Result<RecordBatch> {
    let labels = groups(data, Some(by), lang)?;
    let test = multivariate_logrank_test(&data.durations, &data.events, &labels)?;
    let mut names: Vec<String> = labels.clone();
    names.sort();
    names.dedup();
    let sizes: Vec<u64> = names.iter().map(|n| labels.iter().filter(|l| *l == n).count() as u64).collect();
    let k = names.len();
    let schema = Schema::new(vec![
        Field::new("group", DataType::Utf8, false),
        Field::new("customers", DataType::UInt64, false),
        Field::new("observed", DataType::Float64, false),
        Field::new("expected", DataType::Float64, false),
        Field::new("statistic", DataType::Float64, false),
        Field::new("df", DataType::UInt64, false),
        Field::new("p_value", DataType::Float64, false),
    ]);
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(names)),
        Arc::new(UInt64Array::from(sizes)),
        Arc::new(Float64Array::from(test.observed.clone())),
        Arc::new(Float64Array::from(test.expected.clone())),
        Arc::new(Float64Array::from(vec![test.test.statistic; k])),
        Arc::new(UInt64Array::from(vec![test.test.degrees_of_freedom as u64; k])),
        Arc::new(Float64Array::from(vec![test.test.p_value; k])),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), arrays)?)
}

/// The most frequent label (the first in ascending order among equals).
fn most_frequent(values: &[String]) -> String {
    let mut counts: Vec<(&String, usize)> = Vec::new();
    let mut sorted: Vec<&String> = values.iter().collect();
    sorted.sort();
    for value in sorted {
        match counts.last_mut() {
            Some((last, n)) if *last == value => *n += 1,
            _ => counts.push((value, 1)),
        }
    }
    counts.iter().fold((String::new(), 0), |best, (v, n)| if *n > best.1 { ((*v).clone(), *n) } else { best }).0
}

/// Whether customer `i` has a value in every one of `covariates`.
fn complete(data: &SurvivalData, covariates: &[String], i: usize) -> Result<bool> {
    for name in covariates {
        let present = match data.attribute(name)? {
            Attribute::Numeric(v) => v[i].is_some(),
            Attribute::Text(v) => v[i].is_some(),
            Attribute::Flag(v) => v[i].is_some(),
        };
        if !present {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The customers at `rows` only.
fn subset(data: &SurvivalData, rows: &[usize]) -> SurvivalData {
    let attributes = data
        .attributes
        .iter()
        .map(|(name, a)| {
            let a = match a {
                Attribute::Numeric(v) => Attribute::Numeric(rows.iter().map(|&i| v[i]).collect()),
                Attribute::Text(v) => Attribute::Text(rows.iter().map(|&i| v[i].clone()).collect()),
                Attribute::Flag(v) => Attribute::Flag(rows.iter().map(|&i| v[i]).collect()),
            };
            (name.clone(), a)
        })
        .collect();
    SurvivalData { durations: rows.iter().map(|&i| data.durations[i]).collect(), events: rows.iter().map(|&i| data.events[i]).collect(), attributes }
}

/// The design matrix of `covariates` (every customer must have a value in
/// each): numeric columns as they are, yes/no columns as 0/1, text columns
/// one-hot against the most frequent level or the level `baselines` names
/// for them.
pub fn design(data: &SurvivalData, covariates: &[String], baselines: &[(String, String)]) -> Result<Covariates> {
    if let Some((column, _)) = baselines.iter().find(|(c, _)| !covariates.contains(c)) {
        return Err(SurvivalAnalysisError::Input(format!("--baseline {column}=…: {column} is not among the covariates")));
    }
    let mut design = Covariates::new();
    for name in covariates {
        let blanks = || SurvivalAnalysisError::Input(format!("covariate {name} is blank for some customers"));
        design = match data.attribute(name)? {
            Attribute::Numeric(values) => design.with_numeric(name, values.iter().copied().collect::<Option<Vec<f64>>>().ok_or_else(blanks)?)?,
            Attribute::Flag(values) => {
                let values = values.iter().map(|v| v.map(|x| f64::from(u8::from(x)))).collect::<Option<Vec<f64>>>().ok_or_else(blanks)?;
                design.with_numeric(name, values)?
            }
            Attribute::Text(values) => {
                let values: Vec<String> = values.iter().cloned().collect::<Option<Vec<String>>>().ok_or_else(blanks)?;
                let baseline = baselines.iter().find(|(c, _)| c == name).map_or_else(|| most_frequent(&values), |(_, level)| level.clone());
                design.with_categorical(name, &values, &baseline)?
            }
        };
    }
    Ok(design)
}

/// The Cox proportional hazards model (Efron ties) of `covariates`: per
/// covariate its coefficient, hazard ratio with 95% interval, p-value and
/// proportional-hazards test (Schoenfeld residuals, rank time transform),
/// and the model's concordance, log partial likelihood, customers, churns
/// and the customers left out for a blank covariate on every row.
pub fn cox_batch(data: &SurvivalData, covariates: &[String], baselines: &[(String, String)]) -> Result<RecordBatch> {
    let rows: Vec<usize> =
        (0..data.durations.len()).filter_map(|i| complete(data, covariates, i).map(|c| c.then_some(i)).transpose()).collect::<Result<_>>()?;
    let left_out = (data.durations.len() - rows.len()) as u64;
    let data = &subset(data, &rows);
    let design = design(data, covariates, baselines)?;
    let model = CoxParams::new().fit(&data.durations, &data.events, &design)?;
    let summary = model.summary(LEVEL);
    let ph = model.proportional_hazards_test();
    let k = summary.len();
    let float = |f: &dyn Fn(usize) -> f64| -> ArrayRef { Arc::new(Float64Array::from((0..k).map(f).collect::<Vec<f64>>())) };
    let schema = Schema::new(vec![
        Field::new("covariate", DataType::Utf8, false),
        Field::new("coef", DataType::Float64, false),
        Field::new("hazard_ratio", DataType::Float64, false),
        Field::new("se", DataType::Float64, false),
        Field::new("z", DataType::Float64, false),
        Field::new("p_value", DataType::Float64, false),
        Field::new("hr_lower_95", DataType::Float64, false),
        Field::new("hr_upper_95", DataType::Float64, false),
        Field::new("ph_statistic", DataType::Float64, false),
        Field::new("ph_p_value", DataType::Float64, false),
        Field::new("concordance", DataType::Float64, true),
        Field::new("log_likelihood", DataType::Float64, false),
        Field::new("customers", DataType::UInt64, false),
        Field::new("churned", DataType::UInt64, false),
        Field::new("left_out", DataType::UInt64, false),
    ]);
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(summary.iter().map(|c| c.name.clone()).collect::<Vec<_>>())),
        float(&|i| summary[i].coefficient),
        float(&|i| summary[i].hazard_ratio),
        float(&|i| summary[i].standard_error),
        float(&|i| summary[i].z),
        float(&|i| summary[i].p_value),
        float(&|i| summary[i].hazard_ratio_lower),
        float(&|i| summary[i].hazard_ratio_upper),
        float(&|i| ph[i].statistic),
        float(&|i| ph[i].p_value),
        Arc::new(Float64Array::from(vec![model.concordance(); k])),
        float(&|_| model.log_likelihood()),
        Arc::new(UInt64Array::from(vec![model.n_customers() as u64; k])),
        Arc::new(UInt64Array::from(vec![model.n_events() as u64; k])),
        Arc::new(UInt64Array::from(vec![left_out; k])),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), arrays)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_flags_read_booleans_numbers_and_words() {
        for (text, flag) in [("true", Some(true)), ("No", Some(false)), ("1", Some(true)), ("0", Some(false)), ("是", Some(true)), ("maybe", None)] {
            assert_eq!(event_of(text), flag, "{text}");
        }
    }

    #[test]
    fn baseline_is_the_most_frequent_level_first_alphabetically_among_equals() {
        let values: Vec<String> = ["b", "a", "b", "c", "a"].iter().map(|s| s.to_string()).collect();
        assert_eq!(most_frequent(&values), "a");
    }

    #[test]
    fn cox_leaves_out_customers_with_a_blank_covariate_and_counts_them() {
        let data = SurvivalData {
            durations: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            events: vec![true, true, false, true, true, true, false],
            attributes: vec![("x".to_owned(), Attribute::Numeric(vec![Some(2.0), Some(0.0), Some(1.0), Some(1.0), None, Some(0.0), Some(1.0)]))],
        };
        let batch = cox_batch(&data, &["x".to_owned()], &[]).unwrap();
        let count = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().value(0);
        assert_eq!((count("customers"), count("churned"), count("left_out")), (6, 4, 1));
    }

    #[test]
    fn first_spell_churns_at_the_window_or_is_censored() {
        // a buys on day 0 and 10 (window 30: churn date 40 ≤ 100, churned after
        // 40 days); b buys on day 90 (churn date 120 > 100: censored after 10 days).
        let activity = Activity::from_rows(&[("a", "1970-01-01", 1.0), ("a", "1970-01-11", 1.0), ("b", "1970-04-01", 1.0)]);
        let (customers, durations, events) = first_spell_lifetimes(&activity, ChurnRule::Fixed(30), 100);
        assert_eq!(customers.len(), 2);
        let a = customers.iter().position(|&c| activity.ids[c] == "a").unwrap();
        let b = 1 - a;
        assert_eq!((durations[a] * DAYS_PER_MONTH, events[a]), (40.0, true));
        assert!((durations[b] * DAYS_PER_MONTH - 10.0).abs() < 1e-9);
        assert!(!events[b]);
    }
}
