//! Association rules from `order_items`: which items are bought together.
//!
//! A transaction is one order's set of items; the item is the `category`
//! column when the table has one, else the `sku` (or a column the caller
//! names). Frequent itemsets by FP-growth at `min_support`, then the rules
//! A → C with confidence ≥ `min_confidence` and lift ≥ `min_lift`
//! ([`crate::ml::association`], as mlxtend computes them), strongest lift
//! first.
//!
//! **Churned vs retained** ([`contrasts`]): per frequent itemset, the share
//! of churned and of retained customers (at the as-of day of a
//! [`CustomerBase`], window rule) who bought all its items in one order
//! before that day, the difference, and the chi-square test of bought /
//! not bought × churned / retained customers (Yates' correction, as
//! scipy's `chi2_contingency` on a 2 × 2 table). Customers, not orders, are
//! counted, so a customer's many orders do not weigh as many observations.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_metrics::{Engine, MetricsError, Result};

use super::base::{CustomerBase, day_start_micros};
use super::data_error;
use crate::ml::association::{AssociationRule, FrequentItemsets, RuleMetric, association_rules, fpgrowth};
use crate::stats::significance::{ChiSquareIndependence, Continuity, chi_square_independence};

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
    /// The order id of each transaction, ascending.
    pub order_ids: Vec<String>,
    /// Each transaction's items, in the order of `order_ids`.
    pub baskets: Vec<Vec<usize>>,
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
    let order_ids = keys.iter().map(|k| k.to_string()).collect();
    Ok(Rules { items, rules: found, transactions: transactions.len(), frequent, order_ids, baskets: transactions })
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

/// One frequent itemset bought by churned against retained customers.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsetContrast {
    /// The itemset (indices into [`Rules::items`]).
    pub items: Vec<usize>,
    /// Churned customers who bought it in one order.
    pub churned_buyers: u64,
    /// All churned customers.
    pub churned: u64,
    /// Retained customers who bought it in one order.
    pub retained_buyers: u64,
    /// All retained customers.
    pub retained: u64,
    /// The chi-square test of bought / not bought × churned / retained, when both groups have customers.
    pub chi_square: Option<ChiSquareIndependence>,
}

impl ItemsetContrast {
    /// Share of churned customers who bought the itemset.
    pub fn churned_share(&self) -> f64 {
        self.churned_buyers as f64 / self.churned as f64
    }

    /// Share of retained customers who bought the itemset.
    pub fn retained_share(&self) -> f64 {
        self.retained_buyers as f64 / self.retained as f64
    }
}

/// The churned-vs-retained contrast of every frequent itemset of `found`
/// (see the module docs), strongest evidence (smallest p) first.
pub async fn contrasts(engine: &Engine, found: &Rules, base: &CustomerBase, calendar: &churnlens_metrics::calendar::Calendar) -> Result<Vec<ItemsetContrast>> {
    let position: HashMap<&str, usize> = base.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let transaction_of: HashMap<&str, usize> = found.order_ids.iter().enumerate().map(|(t, id)| (id.as_str(), t)).collect();
    let query = format!(
        "SELECT CAST(order_id AS VARCHAR), CAST(customer_id AS VARCHAR) FROM orders \
         WHERE order_id IS NOT NULL AND customer_id IS NOT NULL AND CAST(order_time AS BIGINT) < {}",
        day_start_micros(calendar, base.as_of)
    );
    // Item sets of each transaction, for the subset tests.
    let baskets: Vec<BTreeSet<usize>> = found.baskets.iter().map(|t| t.iter().copied().collect()).collect();
    let itemsets = found.frequent.itemsets();
    let mut bought = vec![vec![false; base.len()]; itemsets.len()];
    for batch in engine.sql(&query).await? {
        let orders = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let customers = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let (orders, customers) = (orders.as_string::<i32>(), customers.as_string::<i32>());
        for row in 0..batch.num_rows() {
            let (Some(&t), Some(&c)) = (transaction_of.get(orders.value(row)), position.get(customers.value(row))) else { continue };
            for (k, set) in itemsets.iter().enumerate() {
                if !bought[k][c] && set.items.iter().all(|i| baskets[t].contains(i)) {
                    bought[k][c] = true;
                }
            }
        }
    }
    let churned = base.churned();
    let churned_total = churned.iter().filter(|&&c| c).count() as u64;
    let retained_total = churned.len() as u64 - churned_total;
    let mut out: Vec<ItemsetContrast> = itemsets
        .iter()
        .zip(&bought)
        .map(|(set, who)| {
            let churned_buyers = who.iter().zip(&churned).filter(|(b, c)| **b && **c).count() as u64;
            let retained_buyers = who.iter().zip(&churned).filter(|(b, c)| **b && !**c).count() as u64;
            let table = [[churned_buyers as f64, (churned_total - churned_buyers) as f64], [retained_buyers as f64, (retained_total - retained_buyers) as f64]];
            ItemsetContrast {
                items: set.items.clone(),
                churned_buyers,
                churned: churned_total,
                retained_buyers,
                retained: retained_total,
                chi_square: chi_square_independence(&table, Continuity::Yates).ok(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let p = |c: &ItemsetContrast| c.chi_square.as_ref().map_or(f64::INFINITY, |x| x.p_value);
        p(a).total_cmp(&p(b)).then_with(|| a.items.cmp(&b.items))
    });
    Ok(out)
}

/// The contrasts as rows: itemset, customers who bought it per group, the
/// shares in percent, their difference in percentage points, chi-square and p.
pub fn contrasts_batch(found: &Rules, rows: &[ItemsetContrast]) -> RecordBatch {
    let names = |set: &[usize]| set.iter().map(|&i| found.items[i].as_str()).collect::<Vec<_>>().join(" + ");
    let u = |f: fn(&ItemsetContrast) -> u64| Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let schema = Schema::new(vec![
        Field::new("itemset", DataType::Utf8, false),
        Field::new("churned_buyers", DataType::UInt64, false),
        Field::new("churned_pct", DataType::Float64, true),
        Field::new("retained_buyers", DataType::UInt64, false),
        Field::new("retained_pct", DataType::Float64, true),
        Field::new("difference_pp", DataType::Float64, true),
        Field::new("chi_square", DataType::Float64, true),
        Field::new("p_value", DataType::Float64, true),
    ]);
    let pct = |x: f64| x.is_finite().then_some(x * 100.0);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| names(&r.items)))),
        u(|r| r.churned_buyers),
        Arc::new(rows.iter().map(|r| pct(r.churned_share())).collect::<Float64Array>()),
        u(|r| r.retained_buyers),
        Arc::new(rows.iter().map(|r| pct(r.retained_share())).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| pct(r.churned_share() - r.retained_share())).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.chi_square.as_ref().map(|c| c.statistic)).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.chi_square.as_ref().map(|c| c.p_value)).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}
