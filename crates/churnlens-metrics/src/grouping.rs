//! Breakdowns: which group each customer belongs to (`--by COLUMN`).

use std::collections::HashMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use churnlens_core::Lang;

use crate::Engine;
use crate::activity::Activity;
use crate::error::{MetricsError, Result};

/// A numeric breakdown column with more distinct values than this is
/// banded.
pub const MAX_NUMERIC_GROUPS: usize = 10;

/// How a banded column's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandValues {
    /// Whole numbers: inclusive labels, `18–24`.
    Integer,
    /// Real numbers: half-open labels, `[1.5, 3.2)`.
    Decimal,
    /// Day numbers (dates): inclusive labels, `1960-01-01–1975-03-02`.
    Day,
}

/// Quintile bands of ascending `values` (one per customer): cut points at
/// the nearest-rank 20/40/60/80% values, repeated cut points merged.
/// Returns (lower bound, label) per band, ascending; the last band closes
/// at the largest value.
pub fn numeric_bands(values: &[f64], kind: BandValues) -> Vec<(f64, String)> {
    let integer = kind != BandValues::Decimal;
    let (Some(&min), Some(&max)) = (values.first(), values.last()) else { return Vec::new() };
    let n = values.len();
    let mut edges = vec![min];
    for q in [0.2, 0.4, 0.6, 0.8] {
        let cut = values[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        if cut > *edges.last().unwrap_or(&min) {
            edges.push(cut);
        }
    }
    let number = |v: f64| match kind {
        BandValues::Integer => format!("{}", v as i64),
        BandValues::Decimal => format!("{v}"),
        BandValues::Day => crate::calendar::format_day(v as i32),
    };
    edges
        .iter()
        .enumerate()
        .map(|(i, &lo)| {
            let label = match (edges.get(i + 1), integer) {
                (Some(&hi), true) => format!("{}–{}", number(lo), number(hi - 1.0)),
                (Some(&hi), false) => format!("[{}, {})", number(lo), number(hi)),
                (None, true) => format!("{}–{}", number(lo), number(max)),
                (None, false) => format!("[{}, {}]", number(lo), number(max)),
            };
            (lo, label)
        })
        .collect()
}

/// One value as a group label.
fn value_label(value: f64, kind: BandValues) -> String {
    match kind {
        BandValues::Day => crate::calendar::format_day(value as i32),
        _ => value.to_string(),
    }
}

/// Customer → group assignment.
#[derive(Debug, Clone)]
pub struct Grouping {
    labels: Vec<String>,
    /// Group index per customer position; `None` = everyone in group 0.
    of: Option<Vec<u32>>,
}

impl Grouping {
    /// Everyone in one group with an empty label.
    pub fn all() -> Grouping {
        Grouping { labels: vec![String::new()], of: None }
    }

    /// Groups from a label per customer position (labels sorted).
    pub fn from_labels(per_customer: &[String]) -> Grouping {
        let mut labels: Vec<String> = per_customer.to_vec();
        labels.sort();
        labels.dedup();
        let index: HashMap<&str, u32> = labels.iter().enumerate().map(|(i, l)| (l.as_str(), i as u32)).collect();
        let of = per_customer.iter().map(|l| index[l.as_str()]).collect();
        Grouping { labels, of: Some(of) }
    }

    /// Groups by a column of the `customers` table (or `snapshot` if there
    /// is no customers table), or else by a derived attribute of the same
    /// name saved in `customer_attributes` (`churnlens segment rfm --save`;
    /// `churnlens_ingest::derived`). Customers missing from that table are in
    /// "(unknown)", blank values in "(blank)". A numeric column with more
    /// than [`MAX_NUMERIC_GROUPS`] distinct values is cut into bands (see
    /// [`numeric_bands`]) instead of one group per value.
    pub async fn by_column(engine: &Engine, activity: &Activity, column: &str, lang: Lang) -> Result<Grouping> {
        let has = |t: &str| engine.tables().iter().any(|x| x == t);
        let primary = ["customers", "snapshot"].into_iter().find(|t| has(t));
        let derived = churnlens_ingest::derived::DERIVED_TABLE;
        // A customer column wins over a derived attribute of the same name.
        let in_primary = match primary {
            Some(table) => engine.columns(table).await?.iter().any(|c| c == column),
            None => false,
        };
        if !in_primary && has(derived) && engine.columns(derived).await?.iter().any(|c| c == column) {
            return Grouping::by_column_of(engine, derived, activity, column, lang).await;
        }
        let table = primary.ok_or(MetricsError::MissingTable { table: "customers", hint: "churnlens import --as customers FILE" })?;
        Grouping::by_column_of(engine, table, activity, column, lang).await
    }

    /// [`Grouping::by_column`] with the attribute read from `table`
    /// (`customers` or `snapshot`).
    pub async fn by_column_of(engine: &Engine, table: &'static str, activity: &Activity, column: &str, lang: Lang) -> Result<Grouping> {
        let quoted = column.replace('"', "\"\"");
        let batches = engine.sql(&format!("SELECT customer_id, \"{quoted}\" FROM {table}")).await.map_err(|e| match e {
            MetricsError::Query(_) => MetricsError::UnknownColumn { table, column: column.to_string() },
            other => other,
        })?;
        let blank = lang.pick("(blank)", "（空）");
        let unknown = lang.pick("(unknown)", "（未知）");
        let data_type = batches.first().map(|b| b.column(1).data_type().clone());
        let temporal = data_type.as_ref().is_some_and(|t| matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)));
        let numeric = temporal || data_type.as_ref().is_some_and(DataType::is_numeric);
        let mut texts: HashMap<String, String> = HashMap::new();
        let mut numbers: HashMap<String, Option<f64>> = HashMap::new();
        for batch in &batches {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            if numeric {
                // Dates and times band by day number.
                let values = if temporal {
                    let days = arrow::compute::cast(batch.column(1), &DataType::Date32)?;
                    arrow::compute::cast(&arrow::compute::cast(&days, &DataType::Int32)?, &DataType::Float64)?
                } else {
                    arrow::compute::cast(batch.column(1), &DataType::Float64)?
                };
                let values = values.as_primitive::<arrow::datatypes::Float64Type>();
                for row in (0..batch.num_rows()).filter(|&r| !ids.is_null(r)) {
                    numbers.insert(ids.value(row).to_string(), (!values.is_null(row)).then(|| values.value(row)));
                }
            } else {
                let labels = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
                let labels = labels.as_string::<i32>();
                for row in (0..batch.num_rows()).filter(|&r| !ids.is_null(r)) {
                    let label = if labels.is_null(row) || labels.value(row).trim().is_empty() { blank } else { labels.value(row) };
                    texts.insert(ids.value(row).to_string(), label.to_string());
                }
            }
        }
        let kind = match &data_type {
            _ if temporal => BandValues::Day,
            Some(t) if t.is_integer() => BandValues::Integer,
            _ => BandValues::Decimal,
        };
        let mut customer_values: Vec<f64> = numbers.values().flatten().copied().collect();
        customer_values.sort_unstable_by(f64::total_cmp);
        let mut distinct = customer_values.clone();
        distinct.dedup();
        if numeric && distinct.len() > MAX_NUMERIC_GROUPS {
            let bands = numeric_bands(&customer_values, kind);
            let per_customer: Vec<String> = activity
                .ids
                .iter()
                .map(|id| match numbers.get(id) {
                    None => unknown.to_string(),
                    Some(None) => blank.to_string(),
                    Some(Some(v)) => bands[bands.partition_point(|b| b.0 <= *v).saturating_sub(1)].1.clone(),
                })
                .collect();
            let order: Vec<String> = bands.into_iter().map(|b| b.1).chain([blank.to_string(), unknown.to_string()]).collect();
            return Ok(Grouping::from_labels_in_order(&per_customer, &order));
        }
        let per_customer: Vec<String> = activity
            .ids
            .iter()
            .map(|id| match (texts.get(id), numbers.get(id)) {
                (Some(label), _) => label.clone(),
                (None, Some(Some(v))) => value_label(*v, kind),
                (None, Some(None)) => blank.to_string(),
                (None, None) => unknown.to_string(),
            })
            .collect();
        if numeric {
            // A few numeric values: one group each, in numeric order (not 10 before 9).
            let order: Vec<String> = distinct.iter().map(|v| value_label(*v, kind)).chain([blank.to_string(), unknown.to_string()]).collect();
            return Ok(Grouping::from_labels_in_order(&per_customer, &order));
        }
        Ok(Grouping::from_labels(&per_customer))
    }

    /// Groups from a label per customer position, in the order of `order`
    /// (labels not in it are left out of the order and come last, sorted).
    pub fn from_labels_in_order(per_customer: &[String], order: &[String]) -> Grouping {
        let mut labels: Vec<String> = order.iter().filter(|l| per_customer.contains(l)).cloned().collect();
        let mut rest: Vec<String> = per_customer.iter().filter(|l| !labels.contains(l)).cloned().collect();
        rest.sort();
        rest.dedup();
        labels.extend(rest);
        let index: HashMap<&str, u32> = labels.iter().enumerate().map(|(i, l)| (l.as_str(), i as u32)).collect();
        let of = per_customer.iter().map(|l| index[l.as_str()]).collect();
        Grouping { labels, of: Some(of) }
    }

    /// The group labels, in group order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The group of a customer position.
    pub fn group_of(&self, customer: u32) -> Option<usize> {
        match &self.of {
            None => Some(0),
            Some(of) => of.get(customer as usize).map(|g| *g as usize),
        }
    }

    /// The customer positions of each group, in group order, for `customers`
    /// customers.
    pub fn members(&self, customers: usize) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.labels.len()];
        for c in 0..customers {
            if let Some(g) = self.group_of(c as u32) {
                members[g].push(c);
            }
        }
        members
    }

    /// Whether this is a real breakdown.
    pub fn is_grouped(&self) -> bool {
        self.of.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintile_bands_of_ages_and_amounts() {
        // Ages 18 … 37 (20 customers): cuts at the 4th, 8th, 12th and 16th
        // values = 21, 25, 29, 33.
        let ages: Vec<f64> = (18..38).map(f64::from).collect();
        let labels: Vec<String> = numeric_bands(&ages, BandValues::Integer).into_iter().map(|b| b.1).collect();
        assert_eq!(labels, ["18–20", "21–24", "25–28", "29–32", "33–37"]);
        // Repeated cut points merge: half the customers share one value.
        let skewed = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.5, 3.0, 4.0, 9.5];
        let bands = numeric_bands(&skewed, BandValues::Decimal);
        let labels: Vec<&str> = bands.iter().map(|b| b.1.as_str()).collect();
        // Cuts: 2nd → 1, 4th → 1, 6th → 1, 8th → 3 → edges 1, 3.
        assert_eq!(labels, ["[1, 3)", "[3, 9.5]"]);
        // Dates band by day: ten consecutive days → cuts at the 2nd, 4th, 6th, 8th.
        let first = crate::calendar::parse_day("1990-01-01").unwrap();
        let days: Vec<f64> = (0..10).map(|d| f64::from(first + d)).collect();
        let labels: Vec<String> = numeric_bands(&days, BandValues::Day).into_iter().map(|b| b.1).collect();
        assert_eq!(labels, ["1990-01-01–1990-01-01", "1990-01-02–1990-01-03", "1990-01-04–1990-01-05", "1990-01-06–1990-01-07", "1990-01-08–1990-01-10"]);
    }
}
