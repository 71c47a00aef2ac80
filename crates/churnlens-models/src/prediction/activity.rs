//! Point-in-time training rows from activity data: for each cutoff day c,
//! the customers active at c, their features from data on or before c, and
//! whether they churned within the horizon after c.
//!
//! ## The rules
//!
//! * **Days** are local days of the business calendar, as everywhere in
//!   churnlens. **Features at c read only rows dated on or before c** (the
//!   cutoff day is observed in full); nothing dated after c is in reach of
//!   [`History::features_at`], which sees each history cut at c.
//! * **Active at c** (the rows): a purchase (an order row with a
//!   non-negative or unknown amount, as in `churnlens_metrics::activity`)
//!   on a day L ≤ c with c < L + W, i.e. the churn date L + W of the window
//!   rule has not come yet.
//! * **Label**, "churned within H days after c": the spell active at c
//!   (purchases joined while gaps are at most W days, as in
//!   `churnlens_metrics::spells`) ends with a churn date L* + W ≤ c + H,
//!   reading purchases up to c + H only. So a customer who buys again
//!   within W days of their previous purchase is not churned, and one whose
//!   last purchase was at L has churned by c + H exactly when L + W ≤ c + H
//!   with no purchase in between. The label needs the data to reach c + H:
//!   a later cutoff is refused, as its outcome is not known yet.
//! * **Stacking**: several cutoffs give one row per customer × cutoff.

use std::collections::HashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMicrosecondType};
use churnlens_core::{Lang, Table};
use churnlens_metrics::calendar::{Calendar, format_day};
use churnlens_metrics::spells::median_of_sorted;
use churnlens_metrics::{DEFAULT_WINDOW, Engine, MetricsError, Result};

use super::frame::{FeatureName, RawColumn, RawFrame, RawValues};
use super::snapshot::identifier_like_column;

/// The default horizon H in days: twice the default churn window. A
/// customer churns W days after their last purchase, so with H ≤ W every
/// churner in the label has already bought for the last time on or before
/// the cutoff, and a model learns to recognise a decision already taken
/// (no recent activity) rather than what leads to one. With H = 2W the
/// label also counts customers who will decide to leave in the W days after
/// the cutoff, which is what late deliveries, complaints or a price rise
/// predict.
pub const DEFAULT_HORIZON: i32 = 2 * DEFAULT_WINDOW;

/// How many cutoffs are stacked when the user names none.
pub const DEFAULT_CUTOFF_COUNT: usize = 4;

/// Orders above this quantile of a numeric order column (over all
/// purchases up to the cutoff) count as unusually high.
pub const HIGH_QUANTILE: f64 = 0.9;

/// The windows of the trend features, in days.
pub const TREND_WINDOWS: [i32; 3] = [30, 90, 180];

/// How to build point-in-time rows.
#[derive(Debug, Clone)]
pub struct ActivityOptions {
    /// Churn window W in days (the metrics churn rule).
    pub window: i32,
    /// Horizon H in days.
    pub horizon: i32,
    /// Language of names and messages.
    pub lang: Lang,
}

impl Default for ActivityOptions {
    fn default() -> Self {
        ActivityOptions { window: DEFAULT_WINDOW, horizon: DEFAULT_HORIZON, lang: Lang::En }
    }
}

/// One order row of a customer.
#[derive(Debug, Clone, PartialEq)]
struct OrderRow {
    day: i32,
    amount: Option<f64>,
    /// Values of the non-canonical numeric order columns (NaN = blank).
    extras: Vec<f64>,
}

impl OrderRow {
    fn is_purchase(&self) -> bool {
        self.amount.is_none_or(|a| a >= 0.0)
    }
}

/// Everything dated about one customer, each list ascending by day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    orders: Vec<OrderRow>,
    events: Vec<i32>,
    /// (day, is a complaint).
    feedback: Vec<(i32, bool)>,
    /// (day, NPS 0–10).
    surveys: Vec<(i32, f64)>,
    /// (start, end, plan).
    subscriptions: Vec<(i32, Option<i32>, Option<String>)>,
}

/// A per-customer attribute from the `customers` table.
#[derive(Debug, Clone, PartialEq)]
enum AttributeValues {
    Numeric(Vec<f64>),
    Text(Vec<Option<String>>),
    /// Days; the feature is the number of days from it to the cutoff.
    Day(Vec<Option<i32>>),
}

/// A workspace's dated activity, read once and cut at any day.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityData {
    /// Customer ids, ascending.
    pub ids: Vec<String>,
    histories: Vec<History>,
    /// The last day with an order row: the end of observation.
    pub last_day: i32,
    extras: Vec<String>,
    attributes: Vec<(String, AttributeValues)>,
    has_events: bool,
    has_feedback: bool,
    has_complaint_type: bool,
    has_surveys: bool,
    has_subscriptions: bool,
    has_plan: bool,
    /// Customer attribute columns left out, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// Days of a time column (Date or Timestamp), local to the calendar.
fn days_of(batch: &RecordBatch, index: usize, calendar: &Calendar) -> Result<Vec<Option<i32>>> {
    let times = arrow::compute::cast(batch.column(index), &DataType::Timestamp(TimeUnit::Microsecond, None))?;
    let times = times.as_primitive::<TimestampMicrosecondType>();
    let mut local = calendar.day_of();
    Ok((0..batch.num_rows()).map(|row| (!times.is_null(row)).then(|| local.of_micros(times.value(row)))).collect())
}

fn strings_of(batch: &RecordBatch, index: usize) -> Result<Vec<Option<String>>> {
    let text = arrow::compute::cast(batch.column(index), &DataType::Utf8)?;
    Ok(text.as_string::<i32>().iter().map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)).collect())
}

fn numbers_of(batch: &RecordBatch, index: usize) -> Result<Vec<f64>> {
    let values = arrow::compute::cast(batch.column(index), &DataType::Float64)?;
    Ok(values.as_primitive::<Float64Type>().iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

fn quote(column: &str) -> String {
    format!("\"{}\"", column.replace('"', "\"\""))
}

/// Customer positions by id, growing as new ids appear.
#[derive(Default)]
struct Index {
    position: HashMap<String, usize>,
    histories: Vec<History>,
    ids: Vec<String>,
}

impl Index {
    fn get(&mut self, id: &str) -> &mut History {
        let next = self.ids.len();
        let i = *self.position.entry(id.to_owned()).or_insert(next);
        if i == next {
            self.ids.push(id.to_owned());
            self.histories.push(History::default());
        }
        &mut self.histories[i]
    }
}

impl ActivityData {
    /// Reads orders (required) and, where the workspace has them, events,
    /// feedback, surveys, subscriptions and customers.
    pub async fn load(engine: &Engine, calendar: &Calendar, lang: Lang) -> Result<ActivityData> {
        let has = |t: &str| engine.tables().iter().any(|x| x == t);
        if !has("orders") {
            return Err(MetricsError::MissingTable { table: "orders", hint: "churnlens import --as orders FILE" });
        }
        let mut index = Index::default();
        let canonical: Vec<&str> = Table::Orders.columns().iter().map(|c| c.name).collect();
        let frame = engine.context().table("orders").await?;
        let extras: Vec<String> = frame
            .schema()
            .fields()
            .iter()
            .filter(|f| f.data_type().is_numeric() && !canonical.contains(&f.name().as_str()))
            .map(|f| f.name().clone())
            .collect();
        let extra_select: String = extras.iter().map(|c| format!(", CAST({} AS DOUBLE)", quote(c))).collect();
        let query = format!(
            "SELECT CAST(customer_id AS VARCHAR), order_time, CAST(amount AS DOUBLE){extra_select} FROM orders \
             WHERE customer_id IS NOT NULL AND order_time IS NOT NULL"
        );
        let mut last_day = None;
        for batch in engine.sql(&query).await? {
            let ids = strings_of(&batch, 0)?;
            let days = days_of(&batch, 1, calendar)?;
            let amounts = numbers_of(&batch, 2)?;
            let extra_values = (0..extras.len()).map(|j| numbers_of(&batch, 3 + j)).collect::<Result<Vec<_>>>()?;
            for row in 0..batch.num_rows() {
                let (Some(id), Some(day)) = (&ids[row], days[row]) else { continue };
                last_day = last_day.max(Some(day));
                let amount = (!amounts[row].is_nan()).then_some(amounts[row]);
                index.get(id).orders.push(OrderRow { day, amount, extras: extra_values.iter().map(|v| v[row]).collect() });
            }
        }
        let Some(last_day) = last_day else {
            return Err(MetricsError::Options(lang.pick("the orders table has no orders", "订单表中没有订单").into()));
        };
        let has_events = has("events");
        if has_events {
            for batch in engine.sql("SELECT CAST(customer_id AS VARCHAR), event_time FROM events WHERE customer_id IS NOT NULL").await? {
                let (ids, days) = (strings_of(&batch, 0)?, days_of(&batch, 1, calendar)?);
                for (id, day) in ids.iter().zip(days) {
                    if let (Some(id), Some(day)) = (id, day) {
                        index.get(id).events.push(day);
                    }
                }
            }
        }
        let has_feedback = has("feedback");
        let mut has_complaint_type = false;
        if has_feedback {
            has_complaint_type = engine.columns("feedback").await?.iter().any(|c| c == "feedback_type");
            let kind = if has_complaint_type { "CAST(feedback_type AS VARCHAR)" } else { "CAST(NULL AS VARCHAR)" };
            for batch in engine.sql(&format!("SELECT CAST(customer_id AS VARCHAR), feedback_time, {kind} FROM feedback WHERE customer_id IS NOT NULL")).await? {
                let (ids, days, kinds) = (strings_of(&batch, 0)?, days_of(&batch, 1, calendar)?, strings_of(&batch, 2)?);
                for row in 0..batch.num_rows() {
                    if let (Some(id), Some(day)) = (&ids[row], days[row]) {
                        index.get(id).feedback.push((day, kinds[row].as_deref().is_some_and(is_complaint)));
                    }
                }
            }
        }
        let has_surveys = has("surveys") && engine.columns("surveys").await?.iter().any(|c| c == "nps");
        if has_surveys {
            for batch in engine.sql("SELECT CAST(customer_id AS VARCHAR), survey_time, CAST(nps AS DOUBLE) FROM surveys WHERE customer_id IS NOT NULL").await? {
                let (ids, days, nps) = (strings_of(&batch, 0)?, days_of(&batch, 1, calendar)?, numbers_of(&batch, 2)?);
                for row in 0..batch.num_rows() {
                    if let (Some(id), Some(day)) = (&ids[row], days[row])
                        && !nps[row].is_nan()
                    {
                        index.get(id).surveys.push((day, nps[row]));
                    }
                }
            }
        }
        let has_subscriptions = has("subscriptions");
        let mut has_plan = false;
        if has_subscriptions {
            let columns = engine.columns("subscriptions").await?;
            has_plan = columns.iter().any(|c| c == "plan");
            let end = if columns.iter().any(|c| c == "end_date") { "end_date" } else { "CAST(NULL AS TIMESTAMP)" };
            let plan = if has_plan { "CAST(plan AS VARCHAR)" } else { "CAST(NULL AS VARCHAR)" };
            let query = format!("SELECT CAST(customer_id AS VARCHAR), start_date, {end}, {plan} FROM subscriptions WHERE customer_id IS NOT NULL");
            for batch in engine.sql(&query).await? {
                let (ids, starts, ends, plans) = (strings_of(&batch, 0)?, days_of(&batch, 1, calendar)?, days_of(&batch, 2, calendar)?, strings_of(&batch, 3)?);
                for row in 0..batch.num_rows() {
                    if let (Some(id), Some(start)) = (&ids[row], starts[row]) {
                        index.get(id).subscriptions.push((start, ends[row], plans[row].clone()));
                    }
                }
            }
        }
        for history in &mut index.histories {
            history.orders.sort_by_key(|o| o.day);
            history.events.sort_unstable();
            history.feedback.sort_by_key(|f| f.0);
            history.surveys.sort_by_key(|s| s.0);
            history.subscriptions.sort_by_key(|s| s.0);
        }
        // Ascending ids, so rows come in a stable order whatever the files' order.
        let mut order: Vec<usize> = (0..index.ids.len()).collect();
        order.sort_by(|&a, &b| index.ids[a].cmp(&index.ids[b]));
        let ids: Vec<String> = order.iter().map(|&i| index.ids[i].clone()).collect();
        let mut histories: Vec<History> = order.iter().map(|&i| std::mem::take(&mut index.histories[i])).collect();
        histories.shrink_to_fit();
        let mut data = ActivityData {
            ids,
            histories,
            last_day,
            extras,
            attributes: Vec::new(),
            has_events,
            has_feedback,
            has_complaint_type,
            has_surveys,
            has_subscriptions,
            has_plan,
            skipped: Vec::new(),
        };
        if has("customers") {
            data.load_attributes(engine, calendar, lang).await?;
        }
        Ok(data)
    }

    /// Customer attributes: every `customers` column except the id,
    /// identifier-like ones and text unique per row.
    async fn load_attributes(&mut self, engine: &Engine, calendar: &Calendar, lang: Lang) -> Result<()> {
        let batches = engine.sql("SELECT * FROM customers WHERE customer_id IS NOT NULL").await?;
        let Some(first) = batches.first() else { return Ok(()) };
        let schema = first.schema();
        let position: HashMap<&str, usize> = self.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let n = self.ids.len();
        let id_column = schema.index_of("customer_id")?;
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        for (column, field) in schema.fields().iter().enumerate() {
            let name = field.name();
            if column == id_column {
                continue;
            }
            if identifier_like_column(name) {
                self.skipped.push((name.clone(), lang.pick("identifier-like name", "名称像标识符").into()));
                continue;
            }
            let temporal = matches!(field.data_type(), DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _));
            let numeric = field.data_type().is_numeric() || *field.data_type() == DataType::Boolean;
            let mut values = if temporal {
                AttributeValues::Day(vec![None; n])
            } else if numeric {
                AttributeValues::Numeric(vec![f64::NAN; n])
            } else {
                AttributeValues::Text(vec![None; n])
            };
            let mut distinct = std::collections::HashSet::new();
            for batch in &batches {
                let ids = strings_of(batch, id_column)?;
                match &mut values {
                    AttributeValues::Day(out) => {
                        for (id, day) in ids.iter().zip(days_of(batch, column, calendar)?) {
                            if let Some(&i) = id.as_deref().and_then(|id| position.get(id)) {
                                out[i] = day;
                            }
                        }
                    }
                    AttributeValues::Numeric(out) => {
                        let column = if *field.data_type() == DataType::Boolean {
                            arrow::compute::cast(&arrow::compute::cast(batch.column(column), &DataType::Int8)?, &DataType::Float64)?
                        } else {
                            arrow::compute::cast(batch.column(column), &DataType::Float64)?
                        };
                        for (id, v) in ids.iter().zip(column.as_primitive::<Float64Type>().iter()) {
                            if let Some(&i) = id.as_deref().and_then(|id| position.get(id)) {
                                out[i] = v.unwrap_or(f64::NAN);
                            }
                        }
                    }
                    AttributeValues::Text(out) => {
                        for (id, v) in ids.iter().zip(strings_of(batch, column)?) {
                            if let Some(v) = &v {
                                distinct.insert(v.clone());
                            }
                            if let Some(&i) = id.as_deref().and_then(|id| position.get(id)) {
                                out[i] = v;
                            }
                        }
                    }
                }
            }
            if matches!(values, AttributeValues::Text(_)) && distinct.len() == rows && rows > 20 {
                self.skipped.push((name.clone(), lang.pick("unique per row, like an identifier", "每行取值都不同，像标识符").into()));
                continue;
            }
            self.attributes.push((name.clone(), values));
        }
        Ok(())
    }

    /// `count` cutoffs H days apart, the last one H days before the end of
    /// observation (the latest whose outcome is known), oldest first.
    pub fn default_cutoffs(&self, horizon: i32, count: usize) -> Vec<i32> {
        (1..=count as i32).rev().map(|k| self.last_day - k * horizon).collect()
    }

    /// Labelled rows at every cutoff, stacked in cutoff order (customers
    /// ascending within a cutoff).
    pub fn training_frame(&self, cutoffs: &[i32], options: &ActivityOptions) -> Result<RawFrame> {
        let lang = options.lang;
        if options.window < 1 || options.horizon < 1 {
            return Err(MetricsError::Options(lang.pick("the churn window and the horizon must be at least 1 day", "流失窗口和预测期至少为 1 天").into()));
        }
        if cutoffs.is_empty() {
            return Err(MetricsError::Options(lang.pick("no cutoff dates", "没有截止日期").into()));
        }
        if let Some(&late) = cutoffs.iter().find(|&&c| c + options.horizon > self.last_day) {
            return Err(MetricsError::Options(match lang {
                Lang::En => format!(
                    "cutoff {} + horizon {} days is after the last order day {}: the outcome is not known yet; use a cutoff on or before {}",
                    format_day(late),
                    options.horizon,
                    format_day(self.last_day),
                    format_day(self.last_day - options.horizon)
                ),
                Lang::Zh => format!(
                    "截止日 {} 加预测期 {} 天晚于最后下单日 {}：结果尚不可知；请使用不晚于 {} 的截止日",
                    format_day(late),
                    options.horizon,
                    format_day(self.last_day),
                    format_day(self.last_day - options.horizon)
                ),
            }));
        }
        let mut rows: Vec<(usize, i32, bool)> = Vec::new();
        for &cutoff in cutoffs {
            for (i, history) in self.histories.iter().enumerate() {
                if let Some(label) = history.churned_within(cutoff, options.window, options.horizon) {
                    rows.push((i, cutoff, label));
                }
            }
        }
        let mut frame = self.frame_of(&rows.iter().map(|&(i, c, _)| (i, c)).collect::<Vec<_>>(), lang);
        frame.labels = rows.iter().map(|r| r.2).collect();
        if options.horizon <= options.window {
            frame.notes.push(match lang {
                Lang::En => format!(
                    "horizon {} days ≤ churn window {} days: every churner in the label has already made their last purchase by the cutoff, so the model finds customers who have stopped, not those about to; a horizon longer than the window (default {DEFAULT_HORIZON}d) also counts decisions still to come",
                    options.horizon, options.window
                ),
                Lang::Zh => format!(
                    "预测期 {} 天 ≤ 流失窗口 {} 天：标签中的每个流失客户在截止日前已完成最后一次购买，模型找到的是已经停止购买的客户，而不是即将流失的客户；预测期长于流失窗口（默认 {DEFAULT_HORIZON} 天）才会包含尚未做出的流失决定",
                    options.horizon, options.window
                ),
            });
        }
        Ok(frame)
    }

    /// Unlabelled rows of the customers active at `cutoff` (for scoring
    /// current data, the last day).
    pub fn scoring_frame(&self, cutoff: i32, window: i32, lang: Lang) -> RawFrame {
        let rows: Vec<(usize, i32)> = self
            .histories
            .iter()
            .enumerate()
            .filter(|(_, h)| h.last_purchase_on_or_before(cutoff).is_some_and(|l| cutoff < l + window))
            .map(|(i, _)| (i, cutoff))
            .collect();
        self.frame_of(&rows, lang)
    }

    /// The raw columns of (customer, cutoff) rows.
    fn frame_of(&self, rows: &[(usize, i32)], lang: Lang) -> RawFrame {
        let names = self.numeric_names();
        let mut numeric: Vec<Vec<f64>> = vec![Vec::with_capacity(rows.len()); names.len()];
        let mut plans = Vec::with_capacity(rows.len());
        let mut highs: HashMap<i32, Vec<f64>> = HashMap::new();
        for &(i, cutoff) in rows {
            let high = highs.entry(cutoff).or_insert_with(|| self.high_thresholds(cutoff));
            let values = self.histories[i].features_at(cutoff, self, high);
            for (column, value) in numeric.iter_mut().zip(values) {
                column.push(value);
            }
            if self.has_plan {
                plans.push(self.histories[i].plan_at(cutoff));
            }
        }
        let mut columns: Vec<RawColumn> = names.into_iter().zip(numeric).map(|(name, values)| RawColumn { name, values: RawValues::Numeric(values) }).collect();
        if self.has_plan {
            columns.push(RawColumn { name: FeatureName::new("subscription_plan", "当前订阅套餐"), values: RawValues::Categorical(plans) });
        }
        for (name, values) in &self.attributes {
            let column = match values {
                AttributeValues::Numeric(v) => {
                    RawColumn { name: FeatureName::verbatim(name), values: RawValues::Numeric(rows.iter().map(|&(i, _)| v[i]).collect()) }
                }
                AttributeValues::Text(v) => {
                    RawColumn { name: FeatureName::verbatim(name), values: RawValues::Categorical(rows.iter().map(|&(i, _)| v[i].clone()).collect()) }
                }
                // A date after the cutoff is not known at the cutoff.
                AttributeValues::Day(v) => RawColumn {
                    name: FeatureName::new(format!("days_since_{name}"), format!("{name} 距截止日天数")),
                    values: RawValues::Numeric(rows.iter().map(|&(i, c)| v[i].filter(|&d| d <= c).map_or(f64::NAN, |d| f64::from(c - d))).collect()),
                },
            };
            columns.push(column);
        }
        let notes = self
            .skipped
            .iter()
            .map(|(column, reason)| match lang {
                Lang::En => format!("customers.{column} left out: {reason}"),
                Lang::Zh => format!("已排除 customers.{column}：{reason}"),
            })
            .collect();
        RawFrame {
            ids: rows.iter().map(|&(i, _)| self.ids[i].clone()).collect(),
            cutoffs: rows.iter().map(|r| r.1).collect(),
            labels: Vec::new(),
            columns,
            notes,
        }
    }

    /// Per non-canonical numeric order column, its 90th percentile over
    /// every purchase on or before `cutoff` (nearest rank): an order above
    /// it is unusually high for the business at that time (a late
    /// delivery, say), without reading anything after the cutoff.
    fn high_thresholds(&self, cutoff: i32) -> Vec<f64> {
        (0..self.extras.len())
            .map(|j| {
                let mut values: Vec<f64> = self
                    .histories
                    .iter()
                    .flat_map(|h| h.orders.iter().take_while(|o| o.day <= cutoff).filter(|o| o.is_purchase()).map(|o| o.extras[j]))
                    .filter(|v| !v.is_nan())
                    .collect();
                if values.is_empty() {
                    return f64::NAN;
                }
                values.sort_by(f64::total_cmp);
                let rank = ((HIGH_QUANTILE * values.len() as f64).ceil() as usize).clamp(1, values.len());
                values[rank - 1]
            })
            .collect()
    }

    /// Names of the numeric features, in the order of [`History::features_at`].
    fn numeric_names(&self) -> Vec<FeatureName> {
        let mut names = vec![
            FeatureName::new("recency_days", "距上次购买天数"),
            FeatureName::new("tenure_days", "首次购买至今天数"),
            FeatureName::new("orders_total", "累计下单次数"),
            FeatureName::new("purchase_days", "累计购买天数"),
            FeatureName::new("spend_total", "累计消费金额"),
            FeatureName::new("avg_order_value", "平均客单价"),
        ];
        for w in TREND_WINDOWS {
            names.push(FeatureName::new(format!("orders_{w}d"), format!("{w} 天内下单次数")));
            names.push(FeatureName::new(format!("orders_{w}d_change"), format!("{w} 天内下单次数变化")));
            names.push(FeatureName::new(format!("spend_{w}d"), format!("{w} 天内消费金额")));
            names.push(FeatureName::new(format!("spend_{w}d_change"), format!("{w} 天内消费金额变化")));
        }
        names.extend([
            FeatureName::new("median_gap_days", "购买间隔中位数（天）"),
            FeatureName::new("last_gap_ratio", "最近一次购买间隔与中位数之比"),
            FeatureName::new("overdue_ratio", "距上次购买天数与间隔中位数之比"),
            FeatureName::new("refunds_total", "累计退款次数"),
            FeatureName::new("refund_amount", "累计退款金额"),
        ]);
        for extra in &self.extras {
            names.push(FeatureName::new(format!("{extra}_mean"), format!("{extra}（每单平均）")));
            names.push(FeatureName::new(format!("{extra}_max"), format!("{extra}（每单最大）")));
            names.push(FeatureName::new(format!("{extra}_high_count"), format!("{extra}偏高的订单数")));
            names.push(FeatureName::new(format!("{extra}_high_90d"), format!("90 天内{extra}偏高的订单数")));
            names.push(FeatureName::new(format!("{extra}_high_share"), format!("{extra}偏高的订单占比")));
        }
        if self.has_events {
            names.extend([
                FeatureName::new("events_total", "累计行为事件数"),
                FeatureName::new("events_30d", "30 天内行为事件数"),
                FeatureName::new("events_90d", "90 天内行为事件数"),
                FeatureName::new("events_90d_change", "90 天内行为事件数变化"),
                FeatureName::new("days_since_last_event", "距上次行为事件天数"),
            ]);
        }
        if self.has_feedback {
            names.push(FeatureName::new("feedback_total", "累计反馈条数"));
            if self.has_complaint_type {
                names.push(FeatureName::new("complaints_total", "累计投诉次数"));
                names.push(FeatureName::new("complaints_90d", "90 天内投诉次数"));
            }
        }
        if self.has_surveys {
            names.extend([
                FeatureName::new("nps_last", "最近一次 NPS 评分"),
                FeatureName::new("nps_mean", "NPS 平均评分"),
                FeatureName::new("surveys_total", "累计问卷次数"),
            ]);
        }
        if self.has_subscriptions {
            names.push(FeatureName::new("subscribed_now", "当前是否订阅"));
            names.push(FeatureName::new("subscriptions_total", "累计订阅次数"));
        }
        names
    }

    /// The history of customer `id`, if any.
    pub fn history(&self, id: &str) -> Option<&History> {
        self.ids.binary_search_by(|x| x.as_str().cmp(id)).ok().map(|i| &self.histories[i])
    }
}

/// Whether a feedback type says complaint (投诉).
fn is_complaint(kind: &str) -> bool {
    let kind = kind.to_lowercase();
    kind.contains("complain") || kind.contains("投诉")
}

/// (recent − prior) ÷ prior; missing when there was nothing before.
fn relative_change(recent: f64, prior: f64) -> f64 {
    if prior > 0.0 { (recent - prior) / prior } else { f64::NAN }
}

impl History {
    /// Distinct purchase days on or before `day`, ascending.
    fn purchase_days_until(&self, day: i32) -> Vec<i32> {
        let mut days: Vec<i32> = self.orders.iter().take_while(|o| o.day <= day).filter(|o| o.is_purchase()).map(|o| o.day).collect();
        days.dedup();
        days
    }

    fn last_purchase_on_or_before(&self, day: i32) -> Option<i32> {
        self.orders.iter().take_while(|o| o.day <= day).filter(|o| o.is_purchase()).map(|o| o.day).last()
    }

    /// The label at `cutoff`: `None` when not active at the cutoff, else
    /// whether the active spell's churn date falls on or before cutoff + horizon.
    pub fn churned_within(&self, cutoff: i32, window: i32, horizon: i32) -> Option<bool> {
        let days = self.purchase_days_until(cutoff + horizon);
        let split = days.partition_point(|&d| d <= cutoff);
        let mut last = *days[..split].last()?;
        if cutoff >= last + window {
            return None;
        }
        for &day in &days[split..] {
            if day - last > window {
                break;
            }
            last = day;
        }
        Some(last + window <= cutoff + horizon)
    }

    /// The current plan: of the subscription started last on or before the cutoff and not ended by it.
    fn plan_at(&self, cutoff: i32) -> Option<String> {
        self.subscriptions[..self.subscriptions.partition_point(|s| s.0 <= cutoff)].iter().rfind(|s| s.1.is_none_or(|e| e > cutoff)).and_then(|s| s.2.clone())
    }

    /// The numeric features at `cutoff` from rows dated on or before it.
    fn features_at(&self, cutoff: i32, data: &ActivityData, high: &[f64]) -> Vec<f64> {
        let orders: Vec<&OrderRow> = self.orders.iter().take_while(|o| o.day <= cutoff).collect();
        let purchases: Vec<&OrderRow> = orders.iter().copied().filter(|o| o.is_purchase()).collect();
        let days = self.purchase_days_until(cutoff);
        // The day after the cutoff is the first unobserved day, as RFM's as-of day.
        let as_of = cutoff + 1;
        let (first, last) = (days.first().copied(), days.last().copied());
        let recency = last.map_or(f64::NAN, |l| f64::from(as_of - l));
        let spend: f64 = orders.iter().filter_map(|o| o.amount).sum();
        let purchase_amounts: f64 = purchases.iter().filter_map(|o| o.amount).sum();
        let priced = purchases.iter().filter(|o| o.amount.is_some()).count();
        let mut out = vec![
            recency,
            first.map_or(f64::NAN, |f| f64::from(as_of - f)),
            purchases.len() as f64,
            days.len() as f64,
            spend,
            if priced > 0 { purchase_amounts / priced as f64 } else { f64::NAN },
        ];
        for w in TREND_WINDOWS {
            let in_window = |from: i32, to: i32| orders.iter().filter(move |o| o.day > from && o.day <= to);
            let recent_orders = in_window(cutoff - w, cutoff).filter(|o| o.is_purchase()).count() as f64;
            let prior_orders = in_window(cutoff - 2 * w, cutoff - w).filter(|o| o.is_purchase()).count() as f64;
            let recent_spend: f64 = in_window(cutoff - w, cutoff).filter_map(|o| o.amount).sum();
            let prior_spend: f64 = in_window(cutoff - 2 * w, cutoff - w).filter_map(|o| o.amount).sum();
            out.extend([recent_orders, relative_change(recent_orders, prior_orders), recent_spend, relative_change(recent_spend, prior_spend)]);
        }
        let mut gaps: Vec<i32> = days.windows(2).map(|p| p[1] - p[0]).collect();
        let last_gap = gaps.last().copied();
        gaps.sort_unstable();
        let median_gap = if gaps.is_empty() { f64::NAN } else { median_of_sorted(&gaps) };
        out.push(median_gap);
        out.push(last_gap.map_or(f64::NAN, |g| f64::from(g) / median_gap));
        out.push(recency / median_gap);
        let refunds: Vec<f64> = orders.iter().filter_map(|o| o.amount).filter(|&a| a < 0.0).collect();
        out.push(refunds.len() as f64);
        out.push(-refunds.iter().sum::<f64>());
        for (j, &threshold) in high.iter().enumerate() {
            let values: Vec<f64> = purchases.iter().map(|o| o.extras[j]).filter(|v| !v.is_nan()).collect();
            let mean = if values.is_empty() { f64::NAN } else { values.iter().sum::<f64>() / values.len() as f64 };
            out.push(mean);
            out.push(values.iter().copied().fold(f64::NAN, f64::max));
            let high = values.iter().filter(|&&v| v > threshold).count() as f64;
            out.push(high);
            // Recent and relative: a late delivery last month weighs more
            // with an analyst than one two years ago, and 2 of 3 orders
            // late is not 2 of 60.
            out.push(purchases.iter().filter(|o| o.day > cutoff - 90 && o.extras[j] > threshold).count() as f64);
            out.push(if values.is_empty() { f64::NAN } else { high / values.len() as f64 });
        }
        if data.has_events {
            let events = &self.events[..self.events.partition_point(|&d| d <= cutoff)];
            let count = |from: i32, to: i32| events.iter().filter(|&&d| d > from && d <= to).count() as f64;
            let recent = count(cutoff - 90, cutoff);
            out.extend([
                events.len() as f64,
                count(cutoff - 30, cutoff),
                recent,
                relative_change(recent, count(cutoff - 180, cutoff - 90)),
                events.last().map_or(f64::NAN, |&d| f64::from(as_of - d)),
            ]);
        }
        if data.has_feedback {
            let feedback = &self.feedback[..self.feedback.partition_point(|f| f.0 <= cutoff)];
            out.push(feedback.len() as f64);
            if data.has_complaint_type {
                out.push(feedback.iter().filter(|f| f.1).count() as f64);
                out.push(feedback.iter().filter(|f| f.1 && f.0 > cutoff - 90).count() as f64);
            }
        }
        if data.has_surveys {
            let surveys = &self.surveys[..self.surveys.partition_point(|s| s.0 <= cutoff)];
            let mean = if surveys.is_empty() { f64::NAN } else { surveys.iter().map(|s| s.1).sum::<f64>() / surveys.len() as f64 };
            out.extend([surveys.last().map_or(f64::NAN, |s| s.1), mean, surveys.len() as f64]);
        }
        if data.has_subscriptions {
            let started: Vec<_> = self.subscriptions.iter().take_while(|s| s.0 <= cutoff).collect();
            let now = started.iter().any(|s| s.1.is_none_or(|e| e > cutoff));
            out.extend([f64::from(u8::from(now)), started.len() as f64]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use churnlens_metrics::activity::Activity;
    use churnlens_metrics::spells::spells;

    fn history(days: &[i32]) -> History {
        History { orders: days.iter().map(|&day| OrderRow { day, amount: Some(10.0), extras: Vec::new() }).collect(), ..History::default() }
    }

    #[test]
    fn labels_follow_the_window_rule_by_hand() {
        // W = 90, H = 90, cutoff 200. Last purchase 150 → active (150 + 90 > 200).
        // Next purchase 230 (gap 80 ≤ 90) continues; then nothing: churn date 320 > 290 → retained.
        assert_eq!(history(&[100, 150, 230]).churned_within(200, 90, 90), Some(false));
        // No purchase after 150: churn date 240 ≤ 290 → churned.
        assert_eq!(history(&[100, 150]).churned_within(200, 90, 90), Some(true));
        // Last purchase 110: churned already at 200 (110 + 90 = 200 ≤ 200) → not a row.
        assert_eq!(history(&[110]).churned_within(200, 90, 90), None);
        // A return after the spell ended (gap 150 > 90) does not save it.
        assert_eq!(history(&[150, 300]).churned_within(200, 90, 90), Some(true));
        // Purchases after c + H are not read: 150, 239 (gap 89), churn date 329 > 290 → retained.
        assert_eq!(history(&[150, 239, 400]).churned_within(200, 90, 90), Some(false));
        // Refunds are not purchases.
        let mut refunded = history(&[150]);
        refunded.orders.push(OrderRow { day: 220, amount: Some(-10.0), extras: Vec::new() });
        assert_eq!(refunded.churned_within(200, 90, 90), Some(true));
    }

    /// Every feature the rows can have is said as a sentence in both
    /// languages (not the "name = value" fallback) and has a kind.
    #[test]
    fn every_feature_reads_as_a_sentence() {
        use crate::prediction::features::FeatureKind;
        use crate::prediction::reasons::describe;
        let data = ActivityData {
            ids: Vec::new(),
            histories: Vec::new(),
            last_day: 0,
            extras: vec!["配送天数".into()],
            attributes: Vec::new(),
            has_events: true,
            has_feedback: true,
            has_complaint_type: true,
            has_surveys: true,
            has_subscriptions: true,
            has_plan: true,
            skipped: Vec::new(),
        };
        let names = data.numeric_names();
        assert_eq!(names.len(), 41);
        for name in &names {
            let (en, zh) = (describe(name, 2.0, Lang::En), describe(name, 2.0, Lang::Zh));
            assert_ne!(en, format!("{} = 2", name.en));
            assert_ne!(zh, format!("{}为 2", name.zh));
        }
        let kinds = |kind: FeatureKind| names.iter().filter(|n| FeatureKind::of(&n.en) == kind).count();
        assert_eq!((kinds(FeatureKind::WarningSign), kinds(FeatureKind::Experience), kinds(FeatureKind::Profile)), (20, 13, 8));
    }

    /// Independent reference: the metrics crate's spells. A customer active
    /// at c is churned within H exactly when the spell covering c has its
    /// churn date in (c, c + H] — and that date is observed by c + H.
    #[test]
    fn labels_agree_with_the_metrics_spells() {
        let mut rng = 12345u64;
        let mut next = || {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (rng >> 33) as i32
        };
        for customer in 0..300 {
            let mut days = Vec::new();
            let mut day = next() % 100;
            while day < 700 {
                days.push(day);
                day += 1 + next() % 160;
            }
            let h = history(&days);
            let rows: Vec<(String, String, f64)> = days.iter().map(|&d| (format!("c{customer}"), churnlens_metrics::calendar::format_day(d), 1.0)).collect();
            let borrowed: Vec<(&str, &str, f64)> = rows.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), *c)).collect();
            let activity = Activity::from_rows(&borrowed);
            let all = spells(&activity, 90);
            for cutoff in [150, 300, 450, 600] {
                let spell = all.iter().find(|s| s.start <= cutoff && cutoff < s.churn);
                let expected = spell.map(|s| s.churn <= cutoff + 90);
                assert_eq!(h.churned_within(cutoff, 90, 90), expected, "customer {customer} cutoff {cutoff} days {days:?}");
            }
        }
    }
}
