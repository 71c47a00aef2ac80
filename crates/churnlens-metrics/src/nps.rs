//! NPS and CSI from the `surveys` table, per period, and NPS categories as a
//! breakdown for churn.
//!
//! * Each answer is a promoter (9–10), passive (7–8) or detractor (0–6);
//!   NPS = % promoters − % detractors of the period's answers (every answer
//!   counts, as in the standard definition, so a customer who answers twice
//!   counts twice).
//! * CSI (customer satisfaction index, 0–100): the satisfaction items are
//!   the survey's other numeric columns (满意度_商品, satisfaction_delivery …).
//!   Each answer's items are averaged (blank items skipped) and rescaled
//!   from the items' scale to 0–100, then averaged over the period's
//!   answers. The scale is read from the data: values up to 5 → 1–5, up to
//!   7 → 1–7, up to 10 → 0–10, else 0–100; it is reported with the result.
//! * Periods run from the first answer to the end of observation (the last
//!   answer unless `--to`); the last period may be partial.
//! * `--by nps_category` groups customers by the category of their latest
//!   answer up to the end of observation ("(no answer)" when none).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;

use crate::Engine;
use crate::calendar::{Calendar, Period, PeriodSpan};
use crate::error::{MetricsError, Result};

/// The breakdown name that groups by NPS category.
pub const NPS_CATEGORY: &str = "nps_category";

/// NPS category of a 0–10 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpsCategory {
    /// 9–10.
    Promoter,
    /// 7–8.
    Passive,
    /// 0–6.
    Detractor,
}

impl NpsCategory {
    /// The category of a score.
    pub fn of(score: i64) -> NpsCategory {
        match score {
            9.. => NpsCategory::Promoter,
            7..=8 => NpsCategory::Passive,
            _ => NpsCategory::Detractor,
        }
    }

    /// The label people read.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            NpsCategory::Promoter => lang.pick("promoter", "推荐者"),
            NpsCategory::Passive => lang.pick("passive", "中立者"),
            NpsCategory::Detractor => lang.pick("detractor", "贬损者"),
        }
    }
}

/// One survey answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Customer id.
    pub customer: String,
    /// Local day of the answer.
    pub day: i32,
    /// NPS score 0–10.
    pub score: i64,
    /// Satisfaction items, in [`Surveys::item_names`] order.
    pub items: Vec<Option<f64>>,
}

/// All survey answers.
#[derive(Debug, Clone, Default)]
pub struct Surveys {
    /// Answers, in no particular order.
    pub answers: Vec<Answer>,
    /// Names of the satisfaction item columns.
    pub item_names: Vec<String>,
}

/// The scale satisfaction items are on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemScale {
    /// Lowest possible value.
    pub low: f64,
    /// Highest possible value.
    pub high: f64,
}

impl ItemScale {
    /// The scale the largest item value suggests (see the module docs).
    pub fn from_max(max: f64) -> ItemScale {
        match max {
            m if m <= 5.0 => ItemScale { low: 1.0, high: 5.0 },
            m if m <= 7.0 => ItemScale { low: 1.0, high: 7.0 },
            m if m <= 10.0 => ItemScale { low: 0.0, high: 10.0 },
            _ => ItemScale { low: 0.0, high: 100.0 },
        }
    }

    /// A value rescaled to 0–100.
    pub fn to_percent(self, value: f64) -> f64 {
        (value - self.low) / (self.high - self.low) * 100.0
    }
}

/// One period's survey figures.
#[derive(Debug, Clone, PartialEq)]
pub struct NpsRow {
    /// The period.
    pub span: PeriodSpan,
    /// Answers in the period.
    pub responses: u64,
    /// Answers of 9–10.
    pub promoters: u64,
    /// Answers of 7–8.
    pub passives: u64,
    /// Answers of 0–6.
    pub detractors: u64,
    /// CSI 0–100, when there are satisfaction items.
    pub csi: Option<f64>,
}

impl NpsRow {
    /// % promoters − % detractors; `None` without answers.
    pub fn nps(&self) -> Option<f64> {
        (self.responses > 0).then(|| (self.promoters as f64 - self.detractors as f64) / self.responses as f64 * 100.0)
    }
}

impl Surveys {
    /// Reads the `surveys` table; days in the calendar's time zone.
    pub async fn load(engine: &Engine, calendar: &Calendar) -> Result<Surveys> {
        if !engine.tables().iter().any(|t| t == "surveys") {
            return Err(MetricsError::MissingTable { table: "surveys", hint: "churnlens import --as surveys FILE" });
        }
        let batches = engine.sql("SELECT * FROM surveys WHERE customer_id IS NOT NULL AND survey_time IS NOT NULL AND nps IS NOT NULL").await?;
        let mut surveys = Surveys::default();
        let Some(first) = batches.first() else { return Ok(surveys) };
        let schema = first.schema();
        let item_indices: Vec<usize> = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| !["customer_id", "survey_time", "nps"].contains(&f.name().as_str()) && f.data_type().is_numeric())
            .map(|(i, _)| i)
            .collect();
        surveys.item_names = item_indices.iter().map(|&i| schema.field(i).name().clone()).collect();
        let mut local = calendar.day_of();
        for batch in &batches {
            let column = |name: &str| batch.column(schema.index_of(name).unwrap_or(0)).clone();
            let ids = arrow::compute::cast(&column("customer_id"), &DataType::Utf8)?;
            let ids = ids.as_string::<i32>();
            let times = arrow::compute::cast(&column("survey_time"), &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let times = times.as_primitive::<TimestampMicrosecondType>();
            let scores = arrow::compute::cast(&column("nps"), &DataType::Int64)?;
            let scores = scores.as_primitive::<arrow::datatypes::Int64Type>();
            let items: Vec<ArrayRef> =
                item_indices.iter().map(|&i| arrow::compute::cast(batch.column(i), &DataType::Float64)).collect::<std::result::Result<_, _>>()?;
            for row in 0..batch.num_rows() {
                surveys.answers.push(Answer {
                    customer: ids.value(row).to_string(),
                    day: local.of_micros(times.value(row)),
                    score: scores.value(row),
                    items: items
                        .iter()
                        .map(|a| {
                            let a = a.as_primitive::<arrow::datatypes::Float64Type>();
                            (!a.is_null(row)).then(|| a.value(row))
                        })
                        .collect(),
                });
            }
        }
        Ok(surveys)
    }

    /// The scale of the satisfaction items, `None` without item values.
    pub fn item_scale(&self) -> Option<ItemScale> {
        let max = self.answers.iter().flat_map(|a| a.items.iter().flatten()).copied().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))?;
        Some(ItemScale::from_max(max))
    }

    /// NPS and CSI per period from the first answer to `as_of` (default:
    /// the last answer).
    pub fn rows(&self, calendar: &Calendar, period: Period, as_of: Option<i32>) -> Vec<NpsRow> {
        let Some(first) = self.answers.iter().map(|a| a.day).min() else { return Vec::new() };
        let as_of = as_of.unwrap_or_else(|| self.answers.iter().map(|a| a.day).max().unwrap_or(first));
        let spans = calendar.periods(period, first, as_of);
        let scale = self.item_scale();
        let mut rows: Vec<NpsRow> =
            spans.iter().map(|span| NpsRow { span: span.clone(), responses: 0, promoters: 0, passives: 0, detractors: 0, csi: None }).collect();
        let mut csi_sums = vec![(0.0f64, 0u64); spans.len()];
        for answer in self.answers.iter().filter(|a| a.day >= first && a.day <= as_of) {
            let p = spans.partition_point(|s| s.start <= answer.day) - 1;
            let row = &mut rows[p];
            row.responses += 1;
            match NpsCategory::of(answer.score) {
                NpsCategory::Promoter => row.promoters += 1,
                NpsCategory::Passive => row.passives += 1,
                NpsCategory::Detractor => row.detractors += 1,
            }
            let given: Vec<f64> = answer.items.iter().flatten().copied().collect();
            if let (Some(scale), false) = (scale, given.is_empty()) {
                let mean = given.iter().sum::<f64>() / given.len() as f64;
                csi_sums[p].0 += scale.to_percent(mean);
                csi_sums[p].1 += 1;
            }
        }
        for (row, (sum, n)) in rows.iter_mut().zip(csi_sums) {
            row.csi = (n > 0).then(|| sum / n as f64);
        }
        rows
    }

    /// Each customer's category at their latest answer on or before `as_of`.
    pub fn latest_categories(&self, as_of: i32) -> HashMap<&str, NpsCategory> {
        let mut latest: HashMap<&str, (i32, NpsCategory)> = HashMap::new();
        for answer in self.answers.iter().filter(|a| a.day <= as_of) {
            let entry = latest.entry(answer.customer.as_str()).or_insert((answer.day, NpsCategory::of(answer.score)));
            if answer.day > entry.0 {
                *entry = (answer.day, NpsCategory::of(answer.score));
            }
        }
        latest.into_iter().map(|(customer, (_, category))| (customer, category)).collect()
    }
}

/// The rows as a record batch; `csi_scale` names the item scale used.
pub fn nps_batch(rows: &[NpsRow], scale: Option<ItemScale>) -> RecordBatch {
    let u = |f: fn(&NpsRow) -> u64| Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let scale_label = scale.map(|s| format!("{}-{}", s.low, s.high));
    let schema = Schema::new(vec![
        Field::new("period", DataType::Utf8, false),
        Field::new("period_start", DataType::Date32, false),
        Field::new("responses", DataType::UInt64, false),
        Field::new("promoters", DataType::UInt64, false),
        Field::new("passives", DataType::UInt64, false),
        Field::new("detractors", DataType::UInt64, false),
        Field::new("nps", DataType::Float64, true),
        Field::new("csi", DataType::Float64, true),
        Field::new("csi_scale", DataType::Utf8, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.span.label.as_str()))),
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.span.start))),
        u(|r| r.responses),
        u(|r| r.promoters),
        u(|r| r.passives),
        u(|r| r.detractors),
        Arc::new(rows.iter().map(NpsRow::nps).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.csi).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.csi.and(scale_label.as_deref())).collect::<StringArray>()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_scales() {
        assert_eq!(NpsCategory::of(10), NpsCategory::Promoter);
        assert_eq!(NpsCategory::of(9), NpsCategory::Promoter);
        assert_eq!(NpsCategory::of(8), NpsCategory::Passive);
        assert_eq!(NpsCategory::of(7), NpsCategory::Passive);
        assert_eq!(NpsCategory::of(6), NpsCategory::Detractor);
        assert_eq!(NpsCategory::of(0), NpsCategory::Detractor);
        assert_eq!(ItemScale::from_max(5.0), ItemScale { low: 1.0, high: 5.0 });
        assert_eq!(ItemScale::from_max(7.0), ItemScale { low: 1.0, high: 7.0 });
        assert_eq!(ItemScale::from_max(9.0), ItemScale { low: 0.0, high: 10.0 });
        assert_eq!(ItemScale::from_max(85.0), ItemScale { low: 0.0, high: 100.0 });
        // 1–5: 1 → 0, 3 → 50, 5 → 100.
        let five = ItemScale::from_max(5.0);
        assert_eq!([five.to_percent(1.0), five.to_percent(3.0), five.to_percent(5.0)], [0.0, 50.0, 100.0]);
    }
}
