//! Lifecycle stage of every customer in every period, and the flows
//! between stages from one period to the next.
//!
//! For period P, a customer seen by P's end is in exactly one stage,
//! checked in this order:
//!
//! 1. `new` — first purchase in P;
//! 2. `reactivated` — started a new spell in P after having churned;
//! 3. `churned` — a churn date in P (and no return later in P);
//! 4. `dormant` — still active at P's end, but the days since the last
//!    purchase exceed the customer's usual gap: the median of their own
//!    purchase intervals so far, or half the window for a customer with a
//!    single purchase;
//! 5. `retained` — active at P's end, within the usual gap;
//! 6. `lost` — churned in an earlier period and not back.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::activity::Activity;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::spells::{ChurnRule, median_of_sorted};

/// A lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// First purchase in the period.
    New,
    /// Active, buying as usual.
    Retained,
    /// Back after churning.
    Reactivated,
    /// Active but quieter than usual.
    Dormant,
    /// Churn date in the period.
    Churned,
    /// Churned earlier, not back.
    Lost,
}

impl Stage {
    /// All stages in display order.
    pub const ALL: [Stage; 6] = [Stage::New, Stage::Retained, Stage::Reactivated, Stage::Dormant, Stage::Churned, Stage::Lost];

    /// Stable machine name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Retained => "retained",
            Stage::Reactivated => "reactivated",
            Stage::Dormant => "dormant",
            Stage::Churned => "churned",
            Stage::Lost => "lost",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Stage::New => "新客",
            Stage::Retained => "留存",
            Stage::Reactivated => "回流",
            Stage::Dormant => "沉睡",
            Stage::Churned => "流失",
            Stage::Lost => "已流失",
        }
    }
}

/// Stage counts per period and flows between consecutive periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    /// The periods.
    pub spans: Vec<PeriodSpan>,
    /// `counts[p][stage as usize]`.
    pub counts: Vec<[u64; 6]>,
    /// `flows[p][from][to]` for the move from period p−1 to p (p ≥ 1).
    pub flows: Vec<[[u64; 6]; 6]>,
}

/// Computes the lifecycle for every complete period up to `as_of`.
pub fn lifecycle(activity: &Activity, rule: ChurnRule, calendar: &Calendar, period: Period, as_of: i32) -> Lifecycle {
    let spans: Vec<PeriodSpan> = match activity.first_day {
        Some(first) => calendar.complete_periods(period, first, as_of),
        None => Vec::new(),
    };
    let n = spans.len();
    let mut counts = vec![[0u64; 6]; n];
    let mut flows = vec![[[0u64; 6]; 6]; n];
    let mut intervals: Vec<i32> = Vec::new();
    for days in &activity.days {
        let Some(&first) = days.first() else { continue };
        intervals.clear();
        // Index of the next purchase not yet taken into account.
        let mut next = 0usize;
        let mut previous: Option<Stage> = None;
        let start_period = spans.partition_point(|s| s.end < first);
        for (p, span) in spans.iter().enumerate().skip(start_period) {
            let mut started_in_period = None;
            while next < days.len() && days[next] <= span.end {
                let day = days[next];
                if next == 0 {
                    started_in_period = Some(Stage::New);
                } else {
                    let gap = day - days[next - 1];
                    // A gap over the window: the earlier spell churned (in
                    // this or an earlier period) and this purchase is a return.
                    if gap > rule.window_after(&intervals) && started_in_period.is_none() {
                        started_in_period = Some(Stage::Reactivated);
                    }
                    let at = intervals.partition_point(|x| *x < gap);
                    intervals.insert(at, gap);
                }
                next += 1;
            }
            let last = days[next - 1];
            let churn = last + rule.window_after(&intervals);
            let stage = if let Some(stage) = started_in_period {
                stage
            } else if churn >= span.start && churn <= span.end {
                Stage::Churned
            } else if churn > span.end {
                let usual = if intervals.is_empty() { f64::from(rule.base_window()) / 2.0 } else { median_of_sorted(&intervals) };
                if f64::from(span.end - last) > usual { Stage::Dormant } else { Stage::Retained }
            } else {
                Stage::Lost
            };
            counts[p][stage as usize] += 1;
            if let Some(before) = previous {
                flows[p][before as usize][stage as usize] += 1;
            }
            previous = Some(stage);
        }
    }
    Lifecycle { spans, counts, flows }
}

impl Lifecycle {
    /// Counts as a record batch: period, then one column per stage.
    pub fn counts_batch(&self) -> RecordBatch {
        let mut fields = vec![Field::new("period", DataType::Utf8, false)];
        let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(self.spans.iter().map(|s| s.label.as_str())))];
        for stage in Stage::ALL {
            fields.push(Field::new(stage.name(), DataType::UInt64, false));
            columns.push(Arc::new(UInt64Array::from_iter_values(self.counts.iter().map(|c| c[stage as usize]))));
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }

    /// Flows as a record batch: period, from, to, customers (non-zero only).
    pub fn flows_batch(&self) -> RecordBatch {
        let (mut period, mut from, mut to, mut customers) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (p, matrix) in self.flows.iter().enumerate().skip(1) {
            for a in Stage::ALL {
                for b in Stage::ALL {
                    let count = matrix[a as usize][b as usize];
                    if count > 0 {
                        period.push(self.spans[p].label.as_str());
                        from.push(a.name());
                        to.push(b.name());
                        customers.push(count);
                    }
                }
            }
        }
        let schema = Schema::new(vec![
            Field::new("period", DataType::Utf8, false),
            Field::new("from", DataType::Utf8, false),
            Field::new("to", DataType::Utf8, false),
            Field::new("customers", DataType::UInt64, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(period)),
            Arc::new(StringArray::from(from)),
            Arc::new(StringArray::from(to)),
            Arc::new(UInt64Array::from(customers)),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }
}
