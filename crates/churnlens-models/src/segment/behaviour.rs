//! Behavioural segments at the as-of day A: each customer of the
//! [`CustomerBase`] is
//!
//! * **churned** — last purchase L with L + W ≤ A (the window rule);
//! * **dormant** — not churned, but the days from L to A − 1 (the last day
//!   observed) exceed the customer's usual gap: the median of their own
//!   purchase-day gaps, or W/2 with a single purchase day — the rule of the
//!   lifecycle's dormant stage (`churnlens_metrics::lifecycle`);
//! * **active** — otherwise;
//!
//! and crossed with purchase-frequency groups of their orders: 1, 2–3,
//! 4–9, 10 or more.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::spells::median_of_sorted;

use super::base::CustomerBase;

/// Frequency groups: (least orders, label).
const FREQUENCY_GROUPS: [(f64, &str); 4] = [(1.0, "1"), (2.0, "2–3"), (4.0, "4–9"), (10.0, "10+")];

/// Customers per (stage, frequency group); stages active, dormant, churned.
pub fn behaviour(base: &CustomerBase, activity: &Activity) -> Vec<[u64; 4]> {
    let days: HashMap<&str, &[i32]> = activity.ids.iter().zip(&activity.days).map(|(id, d)| (id.as_str(), d.as_slice())).collect();
    let mut counts = vec![[0u64; 4]; 3];
    for (i, id) in base.ids.iter().enumerate() {
        let last = base.last_day[i];
        let stage = if last + base.window <= base.as_of {
            2
        } else {
            let own = days.get(id.as_str()).copied().unwrap_or_default();
            let observed = &own[..own.partition_point(|&d| d < base.as_of)];
            let mut gaps: Vec<i32> = observed.windows(2).map(|w| w[1] - w[0]).collect();
            gaps.sort_unstable();
            let usual = if gaps.is_empty() { f64::from(base.window) / 2.0 } else { median_of_sorted(&gaps) };
            usize::from(f64::from(base.as_of - 1 - last) > usual)
        };
        let group = FREQUENCY_GROUPS.iter().rposition(|(least, _)| base.orders[i] >= *least).unwrap_or(0);
        counts[stage][group] += 1;
    }
    counts
}

/// The counts as rows (stage, orders, customers, share of all customers in percent).
pub fn behaviour_batch(counts: &[[u64; 4]], lang: Lang) -> RecordBatch {
    let stages = [lang.pick("active", "活跃"), lang.pick("dormant", "沉睡"), lang.pick("churned", "流失")];
    let total: u64 = counts.iter().flatten().sum();
    let mut rows: Vec<(&str, &str, u64)> = Vec::new();
    for (s, row) in counts.iter().enumerate() {
        for (g, &n) in row.iter().enumerate() {
            rows.push((stages[s], FREQUENCY_GROUPS[g].1, n));
        }
    }
    let schema = Schema::new(vec![
        Field::new("stage", DataType::Utf8, false),
        Field::new("orders", DataType::Utf8, false),
        Field::new("customers", DataType::UInt64, false),
        Field::new("share_pct", DataType::Float64, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.2))),
        Arc::new(rows.iter().map(|r| (total > 0).then(|| r.2 as f64 / total as f64 * 100.0)).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_dormant_and_churned_by_hand() {
        // As of 2024-04-01 (last observed day 03-31), W = 30: A bought every 10
        // days to 03-30 (1 day since ≤ 10: active); B on 02-20, 03-01, 03-10
        // (gaps 10 and 9, usual 9.5; 21 days since: dormant); C once on 03-20
        // (11 days ≤ W/2 = 15: active); D once on 02-01 (02-01 + 30 ≤ 04-01: churned).
        let activity = Activity::from_rows(&[
            ("A", "2024-03-10", 1.0),
            ("A", "2024-03-20", 1.0),
            ("A", "2024-03-30", 1.0),
            ("B", "2024-02-20", 1.0),
            ("B", "2024-03-01", 1.0),
            ("B", "2024-03-10", 1.0),
            ("C", "2024-03-20", 1.0),
            ("D", "2024-02-01", 1.0),
        ]);
        let day = |s| churnlens_metrics::calendar::parse_day(s).unwrap();
        let base = CustomerBase {
            ids: ["A", "B", "C", "D"].map(String::from).to_vec(),
            first_day: vec![day("2024-03-10"), day("2024-02-20"), day("2024-03-20"), day("2024-02-01")],
            last_day: vec![day("2024-03-30"), day("2024-03-10"), day("2024-03-20"), day("2024-02-01")],
            orders: vec![3.0, 3.0, 1.0, 1.0],
            net_revenue: vec![3.0, 3.0, 1.0, 1.0],
            as_of: day("2024-04-01"),
            window: 30,
        };
        assert_eq!(behaviour(&base, &activity), [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]);
    }
}
