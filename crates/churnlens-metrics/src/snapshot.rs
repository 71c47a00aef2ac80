//! Churn from a `snapshot` table: one row per customer with a churn label
//! (Telco style), so the churn rate is the share of customers labelled
//! churned — overall or per group of any snapshot column (`--by`).

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;

use crate::Engine;
use crate::activity::Activity;
use crate::error::{MetricsError, Result};
use crate::grouping::Grouping;

/// Churn counts of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotChurnRow {
    /// Group label (empty when not grouped).
    pub group: String,
    /// Customers in the snapshot.
    pub customers: u64,
    /// Of those, labelled churned.
    pub churned: u64,
}

impl SnapshotChurnRow {
    /// `churned` ÷ `customers`, percent.
    pub fn churn_rate(&self) -> Option<f64> {
        (self.customers > 0).then(|| self.churned as f64 / self.customers as f64 * 100.0)
    }
}

/// Churn per group of the snapshot column `by` (all customers when `None`).
pub async fn snapshot_churn_rows(engine: &Engine, by: Option<&str>, lang: Lang) -> Result<Vec<SnapshotChurnRow>> {
    if !engine.tables().iter().any(|t| t == "snapshot") {
        return Err(MetricsError::MissingTable { table: "snapshot", hint: "churnlens import --as snapshot FILE" });
    }
    let mut customers = Activity::default();
    let mut churned = Vec::new();
    for batch in engine.sql("SELECT customer_id, churn FROM snapshot WHERE customer_id IS NOT NULL AND churn IS NOT NULL").await? {
        let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        let labels = arrow::compute::cast(batch.column(1), &DataType::Boolean)?;
        let labels = labels.as_boolean();
        for row in 0..batch.num_rows() {
            customers.ids.push(ids.value(row).to_string());
            churned.push(labels.value(row));
        }
    }
    let grouping = match by {
        Some(column) => Grouping::by_column_of(engine, "snapshot", &customers, column, lang).await?,
        None => Grouping::all(),
    };
    let mut rows: Vec<SnapshotChurnRow> = grouping.labels().iter().map(|g| SnapshotChurnRow { group: g.clone(), customers: 0, churned: 0 }).collect();
    for (customer, churned) in churned.into_iter().enumerate() {
        if let Some(g) = grouping.group_of(customer as u32) {
            rows[g].customers += 1;
            rows[g].churned += u64::from(churned);
        }
    }
    Ok(rows)
}

/// The rows as a record batch (the `group` column only when grouped).
pub fn snapshot_churn_batch(rows: &[SnapshotChurnRow], grouped: bool) -> RecordBatch {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    if grouped {
        fields.push(Field::new("group", DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.group.as_str()))));
    }
    fields.push(Field::new("customers", DataType::UInt64, false));
    columns.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.customers))));
    fields.push(Field::new("churned", DataType::UInt64, false));
    columns.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.churned))));
    fields.push(Field::new("churn_rate_pct", DataType::Float64, true));
    columns.push(Arc::new(rows.iter().map(SnapshotChurnRow::churn_rate).collect::<Float64Array>()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
