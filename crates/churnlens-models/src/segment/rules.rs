//! Association rules from `order_items`: which items are bought together.
//!
//! A transaction is one order's set of items; the item is the `category`
//! column when the table has one, else the `sku` (or a column the caller
//! names). Frequent itemsets by FP-growth at `min_support`, then the rules
//! A → C with confidence ≥ `min_confidence` and lift ≥ `min_lift`
//! ([`crate::ml::association`], as mlxtend computes them), strongest lift
//! first.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_metrics::{Engine, MetricsError, Result};

use super::data_error;
use crate::ml::association::{AssociationRule, FrequentItemsets, RuleMetric, association_rules, fpgrowth};

/// The thresholds of the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOptions {
    /// The item column; default `category`, else `sku`.
    pub item: Option<String>,
    /// Least share of orders an itemset must appear in (default 0.01).
    pub min_support: f64,
    /// Least confidence of a rule (default 0.2).
    pub min_confidence: f64,
    /// Least lift of a rule (default 1: no worse than chance).
    pub min_lift: f64,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions { item: None, min_support: 0.01, min_confidence: 0.2, min_lift: 1.0 }
    }
}

/// The rules found, with the item names.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Item names; rules refer to them by index.
    pub items: Vec<String>,
    /// The rules, strongest lift first.
    pub rules: Vec<AssociationRule>,
    /// Orders read.
    pub transactions: usize,
    /// The frequent itemsets the rules come from (items by index into `items`).
    pub frequent: FrequentItemsets,
}

/// Reads `order_items` and finds the rules.
pub async fn rules(engine: &Engine, options: &RuleOptions) -> Result<Rules> {
    if !engine.tables().iter().any(|t| t == "order_items") {
        return Err(MetricsError::MissingTable { table: "order_items", hint: "churnlens import --as order_items FILE" });
    }
    let columns = engine.columns("order_items").await?;
    let item = match &options.item {
        Some(item) if columns.contains(item) => item.clone(),
        Some(item) => return Err(MetricsError::UnknownColumn { table: "order_items", column: item.clone() }),
        None if columns.iter().any(|c| c == "category") => "category".into(),
        None => "sku".into(),
    };
    let quoted = item.replace('"', "\"\"");
    let query =
        format!("SELECT CAST(order_id AS VARCHAR), CAST(\"{quoted}\" AS VARCHAR) FROM order_items WHERE order_id IS NOT NULL AND \"{quoted}\" IS NOT NULL");
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for batch in engine.sql(&query).await? {
        let orders = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let values = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let (orders, values) = (orders.as_string::<i32>(), values.as_string::<i32>());
        for row in 0..batch.num_rows() {
            if !values.is_null(row) {
                names.insert(values.value(row).to_string());
                pairs.push((orders.value(row).to_string(), values.value(row).to_string()));
            }
        }
    }
    let items: Vec<String> = names.into_iter().collect();
    let index: HashMap<&str, usize> = items.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let mut baskets: HashMap<&str, Vec<usize>> = HashMap::new();
    for (order, item) in &pairs {
        baskets.entry(order.as_str()).or_default().push(index[item.as_str()]);
    }
    // Order ids sorted, so the transactions (and any tie in the output) do not depend on hashing.
    let mut keys: Vec<&str> = baskets.keys().copied().collect();
    keys.sort_unstable();
    let transactions: Vec<Vec<usize>> = keys.iter().map(|k| baskets[k].clone()).collect();
    let frequent = fpgrowth(&transactions, options.min_support, None).map_err(|e| data_error("FP-growth", e))?;
    let mut found: Vec<AssociationRule> =
        association_rules(&frequent, RuleMetric::Confidence, options.min_confidence).into_iter().filter(|r| r.lift >= options.min_lift).collect();
    found.sort_by(|a, b| b.lift.total_cmp(&a.lift).then(b.support.total_cmp(&a.support)));
    Ok(Rules { items, rules: found, transactions: transactions.len(), frequent })
}

impl Rules {
    /// One row per rule: antecedent, consequent (item names joined by " + ") and the main metrics.
    pub fn batch(&self) -> RecordBatch {
        let names = |set: &[usize]| set.iter().map(|&i| self.items[i].as_str()).collect::<Vec<_>>().join(" + ");
        let f = |g: fn(&AssociationRule) -> f64| Arc::new(Float64Array::from_iter_values(self.rules.iter().map(g))) as ArrayRef;
        let schema = Schema::new(vec![
            Field::new("antecedent", DataType::Utf8, false),
            Field::new("consequent", DataType::Utf8, false),
            Field::new("support", DataType::Float64, false),
            Field::new("confidence", DataType::Float64, false),
            Field::new("lift", DataType::Float64, false),
            Field::new("leverage", DataType::Float64, false),
            Field::new("conviction", DataType::Float64, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(self.rules.iter().map(|r| names(&r.antecedent)))),
            Arc::new(StringArray::from_iter_values(self.rules.iter().map(|r| names(&r.consequent)))),
            f(|r| r.support),
            f(|r| r.confidence),
            f(|r| r.lift),
            f(|r| r.leverage),
            f(|r| r.conviction),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }
}
