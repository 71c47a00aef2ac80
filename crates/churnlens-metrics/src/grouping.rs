//! Breakdowns: which group each customer belongs to (`--by COLUMN`).

use std::collections::HashMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use churnlens_core::Lang;

use crate::Engine;
use crate::activity::Activity;
use crate::error::{MetricsError, Result};

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
    /// is no customers table). Customers missing from that table are in
    /// "(unknown)", blank values in "(blank)".
    pub async fn by_column(engine: &Engine, activity: &Activity, column: &str, lang: Lang) -> Result<Grouping> {
        let table = ["customers", "snapshot"]
            .into_iter()
            .find(|t| engine.tables().iter().any(|x| x == t))
            .ok_or(MetricsError::MissingTable { table: "customers", hint: "churnlens import --as customers FILE" })?;
        let quoted = column.replace('"', "\"\"");
        let batches = engine.sql(&format!("SELECT customer_id, \"{quoted}\" FROM {table}")).await.map_err(|e| match e {
            MetricsError::Query(_) => MetricsError::UnknownColumn { table, column: column.to_string() },
            other => other,
        })?;
        let mut values: HashMap<String, String> = HashMap::new();
        for batch in &batches {
            let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let labels = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
            let labels = labels.as_string::<i32>();
            for row in 0..batch.num_rows() {
                if ids.is_null(row) {
                    continue;
                }
                let label = if labels.is_null(row) || labels.value(row).trim().is_empty() {
                    lang.pick("(blank)", "（空）").to_string()
                } else {
                    labels.value(row).to_string()
                };
                values.insert(ids.value(row).to_string(), label);
            }
        }
        let unknown = lang.pick("(unknown)", "（未知）");
        let per_customer: Vec<String> = activity.ids.iter().map(|id| values.get(id).cloned().unwrap_or_else(|| unknown.to_string())).collect();
        Ok(Grouping::from_labels(&per_customer))
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

    /// Whether this is a real breakdown.
    pub fn is_grouped(&self) -> bool {
        self.of.is_some()
    }
}
