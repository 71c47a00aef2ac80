//! RFM over a workspace: the [`CustomerBase`] turned into R, F, M values,
//! quintile scores and the eight- and eleven-segment schemes of
//! [`crate::stats::rfm`] (whose docs give the scores, tie handling and
//! segment grids), and a summary per segment.
//!
//! Per segment: customers; revenue share = the segment's net revenue ÷ all
//! customers' net revenue; churned customers and churn rate at the as-of day
//! under the window rule (see [`super::base`]); average historical CLV = the
//! mean net revenue to date of its customers.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt8Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_metrics::Result;

use super::base::CustomerBase;
use super::data_error;
use crate::stats::rfm::{EightSegment, ElevenSegment, RfmScores, Threshold, eight_segments, eleven_segments, rfm_scores};

/// Which segmentation to summarise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// R, F, M each high or low against a threshold (重要价值客户 …).
    #[default]
    Eight,
    /// The R × FM score grid (Champions … Lost).
    Eleven,
}

/// RFM of every customer of a [`CustomerBase`], in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    /// Customer ids.
    pub ids: Vec<String>,
    /// Days since the last purchase.
    pub recency_days: Vec<f64>,
    /// Distinct orders.
    pub frequency: Vec<f64>,
    /// Net revenue.
    pub monetary: Vec<f64>,
    /// Quintile scores.
    pub scores: RfmScores,
    /// Eight-segment labels.
    pub eight: Vec<EightSegment>,
    /// Eleven-segment labels.
    pub eleven: Vec<ElevenSegment>,
    /// Churned at the as-of day.
    pub churned: Vec<bool>,
}

impl Rfm {
    /// Scores and segments the customers; `threshold` splits high from low
    /// in the eight-segment scheme (the mean by default).
    pub fn compute(base: &CustomerBase, threshold: Threshold) -> Result<Rfm> {
        let recency_days = base.recency_days();
        let (frequency, monetary) = (base.orders.clone(), base.net_revenue.clone());
        let scores = rfm_scores(&recency_days, &frequency, &monetary).map_err(|e| data_error("RFM", e))?;
        let eight = eight_segments(&recency_days, &frequency, &monetary, threshold).map_err(|e| data_error("RFM", e))?;
        let eleven = eleven_segments(&scores);
        Ok(Rfm { ids: base.ids.clone(), recency_days, frequency, monetary, scores, eight, eleven, churned: base.churned() })
    }

    /// Each customer's segment label in `scheme`, in `lang`.
    pub fn labels(&self, scheme: Scheme, lang: Lang) -> Vec<&'static str> {
        match scheme {
            Scheme::Eight => self.eight.iter().map(|s| lang.pick(s.label_en(), s.label_zh())).collect(),
            Scheme::Eleven => self.eleven.iter().map(|s| lang.pick(s.label_en(), s.label_zh())).collect(),
        }
    }

    /// One summary row per non-empty segment of `scheme`, in the scheme's order.
    pub fn summary(&self, scheme: Scheme, lang: Lang) -> Vec<SegmentRow> {
        // The segment's position in its scheme's declared order keeps rows in that order.
        let keys: Vec<(usize, &'static str)> = match scheme {
            Scheme::Eight => self.eight.iter().map(|s| (*s as usize, lang.pick(s.label_en(), s.label_zh()))).collect(),
            Scheme::Eleven => self.eleven.iter().map(|s| (*s as usize, lang.pick(s.label_en(), s.label_zh()))).collect(),
        };
        let total: f64 = self.monetary.iter().sum();
        let mut rows: BTreeMap<usize, SegmentRow> = BTreeMap::new();
        for (i, (key, label)) in keys.into_iter().enumerate() {
            let row = rows.entry(key).or_insert_with(|| SegmentRow { segment: label.to_string(), customers: 0, churned: 0, revenue: 0.0, revenue_share: None });
            row.customers += 1;
            row.churned += u64::from(self.churned[i]);
            row.revenue += self.monetary[i];
        }
        let mut rows: Vec<SegmentRow> = rows.into_values().collect();
        for row in &mut rows {
            row.revenue_share = (total != 0.0).then(|| row.revenue / total);
        }
        rows
    }

    /// Per customer: id, R/F/M values and scores, both segment labels and the churn flag.
    pub fn customers_batch(&self, lang: Lang) -> RecordBatch {
        let f = |v: &[f64]| Arc::new(Float64Array::from(v.to_vec())) as ArrayRef;
        let u = |v: &[u8]| Arc::new(UInt8Array::from(v.to_vec())) as ArrayRef;
        let s = |v: Vec<&str>| Arc::new(StringArray::from(v)) as ArrayRef;
        let schema = Schema::new(vec![
            Field::new("customer_id", DataType::Utf8, false),
            Field::new("recency_days", DataType::Float64, false),
            Field::new("frequency", DataType::Float64, false),
            Field::new("monetary", DataType::Float64, false),
            Field::new("r", DataType::UInt8, false),
            Field::new("f", DataType::UInt8, false),
            Field::new("m", DataType::UInt8, false),
            Field::new("segment8", DataType::Utf8, false),
            Field::new("segment11", DataType::Utf8, false),
            Field::new("churned", DataType::Boolean, false),
        ]);
        let columns = vec![
            s(self.ids.iter().map(String::as_str).collect()),
            f(&self.recency_days),
            f(&self.frequency),
            f(&self.monetary),
            u(&self.scores.r),
            u(&self.scores.f),
            u(&self.scores.m),
            s(self.labels(Scheme::Eight, lang)),
            s(self.labels(Scheme::Eleven, lang)),
            Arc::new(arrow::array::BooleanArray::from(self.churned.clone())),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }
}

/// Moves between segments from an earlier RFM (`before`) to a later one
/// (`after`): one row per (from, to) pair with customers, in the scheme's
/// order; customers first seen after `before` come from "(new)". Each RFM
/// scores its own customers at its own as-of day, so a move can come from
/// the customer or from the others (quintiles are relative).
pub fn transitions(before: &Rfm, after: &Rfm, scheme: Scheme, lang: Lang) -> Vec<TransitionRow> {
    let key = |rfm: &Rfm, i: usize| match scheme {
        Scheme::Eight => (rfm.eight[i] as usize, lang.pick(rfm.eight[i].label_en(), rfm.eight[i].label_zh())),
        Scheme::Eleven => (rfm.eleven[i] as usize, lang.pick(rfm.eleven[i].label_en(), rfm.eleven[i].label_zh())),
    };
    let earlier: std::collections::HashMap<&str, usize> = before.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let new = lang.pick("(new)", "（新客户）");
    // (from position, to position) → (labels, customers); "(new)" sorts first.
    let mut counts: BTreeMap<(Option<usize>, usize), (&str, &str, u64)> = BTreeMap::new();
    for (i, id) in after.ids.iter().enumerate() {
        let (to, to_label) = key(after, i);
        let (from, from_label) = match earlier.get(id.as_str()) {
            Some(&j) => {
                let (k, label) = key(before, j);
                (Some(k), label)
            }
            None => (None, new),
        };
        counts.entry((from, to)).or_insert((from_label, to_label, 0)).2 += 1;
    }
    counts.into_values().map(|(from, to, customers)| TransitionRow { from: from.to_string(), to: to.to_string(), customers }).collect()
}

/// Customers who moved from one segment to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRow {
    /// Segment at the earlier day.
    pub from: String,
    /// Segment at the later day.
    pub to: String,
    /// Customers who made that move.
    pub customers: u64,
}

/// The transition rows as a record batch.
pub fn transitions_batch(rows: &[TransitionRow]) -> RecordBatch {
    let schema =
        Schema::new(vec![Field::new("from", DataType::Utf8, false), Field::new("to", DataType::Utf8, false), Field::new("customers", DataType::UInt64, false)]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.from.as_str()))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.to.as_str()))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.customers))),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

/// One segment's summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentRow {
    /// The segment's label.
    pub segment: String,
    /// Its customers.
    pub customers: u64,
    /// Of those, churned at the as-of day.
    pub churned: u64,
    /// Its customers' net revenue.
    pub revenue: f64,
    /// Its share of all net revenue (`None` when that is 0).
    pub revenue_share: Option<f64>,
}

impl SegmentRow {
    /// churned ÷ customers.
    pub fn churn_rate(&self) -> f64 {
        self.churned as f64 / self.customers as f64
    }

    /// Mean net revenue to date per customer.
    pub fn average_clv(&self) -> f64 {
        self.revenue / self.customers as f64
    }
}

/// The summary rows as a record batch (shares and rates in percent).
pub fn summary_batch(rows: &[SegmentRow]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("segment", DataType::Utf8, false),
        Field::new("customers", DataType::UInt64, false),
        Field::new("revenue", DataType::Float64, false),
        Field::new("revenue_share_pct", DataType::Float64, true),
        Field::new("churned", DataType::UInt64, false),
        Field::new("churn_rate_pct", DataType::Float64, false),
        Field::new("average_clv", DataType::Float64, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.segment.as_str()))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.customers))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.revenue))),
        Arc::new(rows.iter().map(|r| r.revenue_share.map(|s| s * 100.0)).collect::<Float64Array>()),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.churned))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.churn_rate() * 100.0))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(SegmentRow::average_clv))),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four customers worked by hand: as of day 100, W = 30.
    #[test]
    fn segment_summary_by_hand() {
        let base = CustomerBase {
            ids: ["a", "b", "c", "d"].map(String::from).to_vec(),
            first_day: vec![10, 20, 30, 40],
            // Recency 5, 10, 60, 80: c and d churned (last + 30 ≤ 100).
            last_day: vec![95, 90, 40, 20],
            orders: vec![6.0, 4.0, 1.0, 1.0],
            net_revenue: vec![300.0, 100.0, 50.0, 50.0],
            as_of: 100,
            window: 30,
        };
        let rfm = Rfm::compute(&base, Threshold::Mean).unwrap();
        // Means: recency 38.75, frequency 3, monetary 125: a is R high F high M high;
        // b R high, F high, M low; c and d R low, F low, M low.
        assert_eq!(rfm.eight, [EightSegment::ImportantValue, EightSegment::GeneralValue, EightSegment::GeneralWinBack, EightSegment::GeneralWinBack]);
        let rows = rfm.summary(Scheme::Eight, Lang::En);
        assert_eq!(
            rows.iter().map(|r| (r.segment.as_str(), r.customers, r.churned)).collect::<Vec<_>>(),
            [("important value", 1, 0), ("general value", 1, 0), ("general win-back", 2, 2)]
        );
        assert_eq!(rows[0].revenue_share, Some(0.6));
        assert_eq!(rows[2].average_clv(), 50.0);
        assert_eq!(rows[2].churn_rate(), 1.0);
        assert_eq!(rfm.summary(Scheme::Eight, Lang::Zh)[0].segment, "重要价值客户");
        // Ten days later a fifth customer e arrives and d buys again.
        let mut later = base.clone();
        later.as_of = 110;
        later.ids.push("e".into());
        later.first_day.push(105);
        later.last_day.push(105);
        later.orders.push(1.0);
        later.net_revenue.push(10.0);
        (later.last_day[3], later.orders[3], later.net_revenue[3]) = (108, 2.0, 90.0);
        let moves = transitions(&rfm, &Rfm::compute(&later, Threshold::Mean).unwrap(), Scheme::Eight, Lang::En);
        let moves: Vec<(&str, &str, u64)> = moves.iter().map(|m| (m.from.as_str(), m.to.as_str(), m.customers)).collect();
        // At day 110: recency 15, 20, 70, 2, 5 (mean 22.4); frequency 6, 4, 1, 2, 1 (mean 2.8);
        // monetary 300, 100, 50, 90, 10 (mean 110).
        assert_eq!(
            moves,
            [
                ("(new)", "general development", 1),
                ("important value", "important value", 1),
                ("general value", "general value", 1),
                ("general win-back", "general development", 1),
                ("general win-back", "general win-back", 1)
            ]
        );
    }
}
