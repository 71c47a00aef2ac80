//! Writes the simulated customers to the demo files, streaming: one
//! customer is simulated, written to every file, and dropped.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayBuilder, ArrayRef, Float64Builder, Int64Builder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use chrono::Datelike;
use churnlens_core::Table;
use churnlens_core::values::{civil_from_days, days_from_civil};
use parquet::arrow::ArrowWriter;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::names::*;
use crate::sim::{CustomerSim, simulate};
use crate::{DemoError, DemoFile, DemoOutput, DemoParams, PLANTED_DIRTY_ORDER_ROWS};

const DAY: i64 = 86_400;
const ITEM_BATCH: usize = 64 * 1024;

fn datetime(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    let s = secs.rem_euclid(DAY);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> DemoError + '_ {
    move |e| DemoError::write(path, e)
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> DemoError + '_ {
    move |e| DemoError::write(path, e)
}

struct ItemsWriter {
    writer: ArrowWriter<std::fs::File>,
    schema: Arc<Schema>,
    order_id: StringBuilder,
    sku: StringBuilder,
    category: StringBuilder,
    quantity: Int64Builder,
    price: Float64Builder,
    rows: usize,
}

impl ItemsWriter {
    fn new(path: &Path) -> Result<Self, DemoError> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("order_id", DataType::Utf8, false),
            Field::new("sku", DataType::Utf8, false),
            Field::new("category", DataType::Utf8, false),
            Field::new("quantity", DataType::Int64, false),
            Field::new("price", DataType::Float64, false),
        ]));
        let file = std::fs::File::create(path).map_err(io(path))?;
        let props = parquet::file::properties::WriterProperties::builder().set_compression(parquet::basic::Compression::SNAPPY).build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| DemoError::write(path, e))?;
        Ok(ItemsWriter {
            writer,
            schema,
            order_id: StringBuilder::new(),
            sku: StringBuilder::new(),
            category: StringBuilder::new(),
            quantity: Int64Builder::new(),
            price: Float64Builder::new(),
            rows: 0,
        })
    }

    fn push(&mut self, order_id: &str, sku: &str, category: &str, quantity: u32, price: f64, path: &Path) -> Result<(), DemoError> {
        self.order_id.append_value(order_id);
        self.sku.append_value(sku);
        self.category.append_value(category);
        self.quantity.append_value(i64::from(quantity));
        self.price.append_value(price);
        self.rows += 1;
        if self.order_id.len() >= ITEM_BATCH {
            self.flush(path)?;
        }
        Ok(())
    }

    fn flush(&mut self, path: &Path) -> Result<(), DemoError> {
        if self.order_id.len() == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.order_id.finish()),
            Arc::new(self.sku.finish()),
            Arc::new(self.category.finish()),
            Arc::new(self.quantity.finish()),
            Arc::new(self.price.finish()),
        ];
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| DemoError::write(path, e))?;
        self.writer.write(&batch).map_err(|e| DemoError::write(path, e))
    }
}

struct Counts {
    customers: usize,
    orders: usize,
    items: usize,
    events: usize,
    subscriptions: usize,
    feedback: usize,
    surveys: usize,
    leads: usize,
    spend: usize,
}

pub fn write_all(params: &DemoParams, dir: &Path, progress: &dyn Fn(&str, u64, u64)) -> Result<DemoOutput, DemoError> {
    let day_number = |d: chrono::NaiveDate| days_from_civil(d.year(), d.month(), d.day());
    let start = day_number(params.start) * DAY;
    // Data runs to the end of the last day.
    let end = (day_number(params.end) + 1) * DAY;

    let customers_path = dir.join("customers.csv");
    let orders_path = dir.join("orders.csv");
    let items_path = dir.join("order_items.parquet");
    let events_path = dir.join("events.jsonl");
    let feedback_path = dir.join("feedback.csv");
    let surveys_path = dir.join("surveys.tsv");
    let leads_path = dir.join("leads.sqlite");
    let crm_path = dir.join("crm.xlsx");
    let truth_path = dir.join("ground_truth.csv");

    let mut customers_out = std::io::BufWriter::new(std::fs::File::create(&customers_path).map_err(io(&customers_path))?);
    let mut customers_text = String::from("客户编号,姓名,手机号,性别,出生日期,城市,地区,注册渠道,注册时间,会员等级\n");
    // Flexible: the planted ragged row is one field short on purpose.
    let mut orders = csv::WriterBuilder::new().flexible(true).from_path(&orders_path).map_err(csv_err(&orders_path))?;
    orders.write_record(["订单号", "客户编号", "下单时间", "实付金额", "数量", "下单渠道", "订单状态", "配送天数"]).map_err(csv_err(&orders_path))?;
    let mut items = ItemsWriter::new(&items_path)?;
    let mut events = std::io::BufWriter::new(std::fs::File::create(&events_path).map_err(io(&events_path))?);
    let mut feedback_file = std::fs::File::create(&feedback_path).map_err(io(&feedback_path))?;
    feedback_file.write_all(b"\xEF\xBB\xBF").map_err(io(&feedback_path))?;
    let mut feedback = csv::Writer::from_writer(std::io::BufWriter::new(feedback_file));
    feedback.write_record(["customer_id", "feedback_time", "channel", "feedback_type", "topic", "text", "rating"]).map_err(csv_err(&feedback_path))?;
    let mut surveys = csv::WriterBuilder::new().delimiter(b'\t').from_path(&surveys_path).map_err(csv_err(&surveys_path))?;
    surveys.write_record(["客户编号", "调查时间", "推荐意愿", "满意度_商品", "满意度_物流", "满意度_服务"]).map_err(csv_err(&surveys_path))?;
    let mut truth = csv::Writer::from_path(&truth_path).map_err(csv_err(&truth_path))?;
    truth
        .write_record([
            "customer_id",
            "churned",
            "churn_after",
            "late_deliveries",
            "complained",
            "price_rise_region",
            "subscriber",
            "true_purchase_rate_per_month",
        ])
        .map_err(csv_err(&truth_path))?;
    let _ = std::fs::remove_file(&leads_path);
    let mut leads_db = rusqlite::Connection::open(&leads_path).map_err(|e| DemoError::write(&leads_path, e))?;
    leads_db
        .execute_batch("CREATE TABLE leads (lead_id TEXT NOT NULL, created_at TEXT NOT NULL, source TEXT, converted_customer_id TEXT, converted_at TEXT);")
        .map_err(|e| DemoError::write(&leads_path, e))?;
    let leads_tx = leads_db.transaction().map_err(|e| DemoError::write(&leads_path, e))?;
    let mut subscriptions: Vec<(String, usize, i64, Option<i64>)> = Vec::new();
    let mut new_by_month_channel: std::collections::BTreeMap<(i32, u32, usize), u32> = Default::default();

    let mut counts = Counts { customers: 0, orders: 0, items: 0, events: 0, subscriptions: 0, feedback: 0, surveys: 0, leads: 0, spend: 0 };
    let mut next_order = 1u64;
    let mut next_lead = 1u64;
    let n = params.customers;
    let dirty_at: Vec<usize> = (1..=PLANTED_DIRTY_ORDER_ROWS).map(|k| k * n / (PLANTED_DIRTY_ORDER_ROWS + 1)).collect();
    let mut dirty_written = 0usize;
    let mut rng_leads = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(params.seed ^ 0x1EAD);
    for index in 0..n {
        while dirty_written < PLANTED_DIRTY_ORDER_ROWS && dirty_at[dirty_written] <= index {
            write_dirty_row(&mut orders, dirty_written, &orders_path)?;
            dirty_written += 1;
        }
        let sim = simulate(params.seed, index, start, end);
        let p = &sim.profile;
        let (city, region, _) = CITIES[p.city];
        customers_text.push_str(&format!(
            "{},{},{},{},{}/{}/{},{},{},{},{},{}\n",
            p.id,
            p.name,
            p.phone,
            if p.male { "男" } else { "女" },
            p.birth.0,
            p.birth.1,
            p.birth.2,
            city,
            region,
            CHANNELS[p.channel].0,
            datetime(p.signup),
            LEVELS[p.level]
        ));
        if customers_text.len() > 1 << 20 {
            flush_gbk(&mut customers_out, &mut customers_text, &customers_path)?;
        }
        let (y, m, _) = civil_from_days(p.signup.div_euclid(DAY));
        *new_by_month_channel.entry((y, m, p.channel)).or_default() += 1;
        write_orders(&sim, &mut orders, &mut items, &mut next_order, &orders_path, &items_path, &mut counts)?;
        for (time, kind, duration) in &sim.events {
            // Events carry an explicit +08:00 offset, as app logs do.
            let (y, m, d) = civil_from_days(time.div_euclid(DAY));
            let s = time.rem_euclid(DAY);
            writeln!(
                events,
                "{{\"customer_id\":\"{}\",\"event_time\":\"{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00\",\"event_type\":\"{kind}\",\"duration_seconds\":{duration}}}",
                p.id,
                s / 3600,
                s / 60 % 60,
                s % 60
            )
            .map_err(io(&events_path))?;
            counts.events += 1;
        }
        for (time, channel, kind, text, rating) in &sim.feedback {
            let (feedback_type, topic) = if matches!(*kind, "praise" | "question") { (*kind, "") } else { ("complaint", *kind) };
            feedback
                .write_record([p.id.as_str(), &datetime(*time), channel, feedback_type, topic, text, &rating.to_string()])
                .map_err(csv_err(&feedback_path))?;
            counts.feedback += 1;
        }
        for (time, nps, product, logistics, service) in &sim.surveys {
            surveys
                .write_record([p.id.clone(), datetime(*time), nps.to_string(), product.to_string(), logistics.to_string(), service.to_string()])
                .map_err(csv_err(&surveys_path))?;
            counts.surveys += 1;
        }
        if let Some((plan, started, ended)) = sim.subscription {
            subscriptions.extend(subscription_rows(plan, started, ended, end).into_iter().map(|(plan, from, to)| (p.id.clone(), plan, from, to)));
        }
        if let Some((created, source)) = sim.lead {
            leads_tx
                .execute(
                    "INSERT INTO leads VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![format!("L{next_lead:07}"), datetime(created), LEAD_SOURCES[source], p.id, datetime(p.signup)],
                )
                .map_err(|e| DemoError::write(&leads_path, e))?;
            next_lead += 1;
            counts.leads += 1;
        }
        // Leads that never converted: about one for each customer.
        for _ in 0..usize::from(rand::Rng::random_bool(&mut rng_leads, 0.5)) * 2 {
            let created = start + rand::Rng::random_range(&mut rng_leads, 0..(end - start));
            let source = LEAD_SOURCES[rand::Rng::random_range(&mut rng_leads, 0..LEAD_SOURCES.len())];
            leads_tx
                .execute("INSERT INTO leads VALUES (?1, ?2, ?3, NULL, NULL)", rusqlite::params![format!("L{next_lead:07}"), datetime(created), source])
                .map_err(|e| DemoError::write(&leads_path, e))?;
            next_lead += 1;
            counts.leads += 1;
        }
        truth
            .write_record([
                p.id.clone(),
                sim.churned.to_string(),
                if sim.churned { sim.last_order.map(date).unwrap_or_default() } else { String::new() },
                sim.late_deliveries.to_string(),
                sim.complained.to_string(),
                sim.price_rise_exposed.to_string(),
                p.subscriber.to_string(),
                format!("{:.4}", sim.rate_per_month),
            ])
            .map_err(csv_err(&truth_path))?;
        counts.customers += 1;
        if index % 1000 == 0 || index + 1 == n {
            progress("customers", (index + 1) as u64, n as u64);
        }
    }
    while dirty_written < PLANTED_DIRTY_ORDER_ROWS {
        write_dirty_row(&mut orders, dirty_written, &orders_path)?;
        dirty_written += 1;
    }
    flush_gbk(&mut customers_out, &mut customers_text, &customers_path)?;
    customers_out.flush().map_err(io(&customers_path))?;
    orders.flush().map_err(io(&orders_path))?;
    items.flush(&items_path)?;
    counts.items = items.rows;
    items.writer.close().map_err(|e| DemoError::write(&items_path, e))?;
    events.flush().map_err(io(&events_path))?;
    feedback.flush().map_err(io(&feedback_path))?;
    surveys.flush().map_err(io(&surveys_path))?;
    truth.flush().map_err(io(&truth_path))?;
    leads_tx.commit().map_err(|e| DemoError::write(&leads_path, e))?;
    drop(leads_db);
    progress("crm.xlsx", 0, 1);
    counts.subscriptions = subscriptions.len();
    counts.spend = write_workbook(&crm_path, &subscriptions, &new_by_month_channel)?;
    progress("crm.xlsx", 1, 1);

    let file = |table, path: &Path, format, sheet: Option<&str>, source_table: Option<&str>, rows| DemoFile {
        table,
        path: path.to_path_buf(),
        format,
        sheet: sheet.map(str::to_string),
        source_table: source_table.map(str::to_string),
        rows,
    };
    Ok(DemoOutput {
        files: vec![
            file(Table::Customers, &customers_path, "csv-gbk", None, None, counts.customers),
            file(Table::Orders, &orders_path, "csv", None, None, counts.orders + PLANTED_DIRTY_ORDER_ROWS),
            file(Table::OrderItems, &items_path, "parquet", None, None, counts.items),
            file(Table::Events, &events_path, "jsonl", None, None, counts.events),
            file(Table::Subscriptions, &crm_path, "xlsx", Some("会员订阅"), None, counts.subscriptions),
            file(Table::MarketingSpend, &crm_path, "xlsx", Some("营销费用"), None, counts.spend),
            file(Table::Feedback, &feedback_path, "csv", None, None, counts.feedback),
            file(Table::Surveys, &surveys_path, "tsv", None, None, counts.surveys),
            file(Table::Leads, &leads_path, "sqlite", None, Some("leads"), counts.leads),
        ],
        ground_truth: truth_path,
        customers: counts.customers,
        orders: counts.orders,
    })
}

fn flush_gbk(out: &mut impl Write, text: &mut String, path: &Path) -> Result<(), DemoError> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    if unmappable {
        return Err(DemoError::write(path, "a character has no GBK encoding"));
    }
    out.write_all(&bytes).map_err(io(path))?;
    text.clear();
    Ok(())
}

fn write_orders(
    sim: &CustomerSim,
    orders: &mut csv::Writer<std::fs::File>,
    items: &mut ItemsWriter,
    next_order: &mut u64,
    orders_path: &Path,
    items_path: &Path,
    counts: &mut Counts,
) -> Result<(), DemoError> {
    let p = &sim.profile;
    for order in &sim.orders {
        let id = format!("O{:08}", *next_order);
        *next_order += 1;
        // A third of amounts are written as money (¥), the rest as plain numbers.
        let amount = if (*next_order).is_multiple_of(3) {
            if order.amount < 0.0 { format!("-¥{:.2}", -order.amount) } else { format!("¥{:.2}", order.amount) }
        } else {
            format!("{}", order.amount)
        };
        let channel = CHANNELS[(p.channel + (*next_order as usize).is_multiple_of(7) as usize) % CHANNELS.len()].0;
        orders
            .write_record([
                id.as_str(),
                p.id.as_str(),
                &datetime(order.time),
                &amount,
                &order.quantity.to_string(),
                channel,
                if order.refund { "已退款" } else { "已完成" },
                &order.delivery_days.to_string(),
            ])
            .map_err(csv_err(orders_path))?;
        counts.orders += 1;
        for (sku, category, quantity, price) in &order.items {
            items.push(&id, sku, category, *quantity, *price, items_path)?;
        }
    }
    Ok(())
}

/// The planted dirty rows, in order: unparsable amount, repeated order id,
/// impossible date, missing field, unknown customer.
fn write_dirty_row(orders: &mut csv::Writer<std::fs::File>, which: usize, path: &Path) -> Result<(), DemoError> {
    let row: Vec<&str> = match which {
        0 => vec!["X0000001", "C000001", "2024-03-01 10:00:00", "N/A金额", "1", "APP", "已完成", "2"],
        1 => vec!["O00000001", "C000001", "2024-03-02 10:00:00", "99.0", "1", "APP", "已完成", "2"],
        2 => vec!["X0000003", "C000001", "2024-13-45 10:00:00", "99.0", "1", "APP", "已完成", "2"],
        3 => vec!["X0000004", "C000001", "2024-03-04 10:00:00", "99.0", "1", "APP", "已完成"],
        _ => vec!["X0000005", "C999999", "2024-03-05 10:00:00", "99.0", "1", "APP", "已完成", "2"],
    };
    orders.write_record(&row).map_err(csv_err(path))
}

/// The rows of one simulated subscription: as simulated, except that every
/// fourth (by start day) switches to the next plan 90 days in (an MRR
/// expansion or contraction), and every fifth ended one (by end day)
/// restarts 45 days after it ended (a reactivation). The rule reads only
/// the days, so the random streams, and with them every other table, stay
/// as they are.
fn subscription_rows(plan: usize, started: i64, ended: Option<i64>, end: i64) -> Vec<(usize, i64, Option<i64>)> {
    let mut rows = Vec::with_capacity(3);
    let switch = started + 90 * DAY;
    if started.div_euclid(DAY) % 4 == 0 && switch < ended.unwrap_or(end) {
        rows.push((plan, started, Some(switch)));
        rows.push(((plan + 1) % PLANS.len(), switch, ended));
    } else {
        rows.push((plan, started, ended));
    }
    if let Some(ended) = ended {
        let back = ended + 45 * DAY;
        if ended.div_euclid(DAY) % 5 == 0 && back < end {
            rows.push((plan, back, None));
        }
    }
    rows
}

fn write_workbook(
    path: &Path,
    subscriptions: &[(String, usize, i64, Option<i64>)],
    new_customers: &std::collections::BTreeMap<(i32, u32, usize), u32>,
) -> Result<usize, DemoError> {
    let xl = |e: rust_xlsxwriter::XlsxError| DemoError::write(path, e);
    let mut book = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let month_format = Format::new().set_num_format("yyyy-mm");
    let sheet = book.add_worksheet().set_name("会员订阅").map_err(xl)?;
    for (c, h) in ["客户编号", "套餐", "开始日期", "结束日期", "月费"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(xl)?;
    }
    let excel_date = |secs: i64| -> Result<ExcelDateTime, DemoError> {
        let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
        ExcelDateTime::from_ymd(y as u16, m as u8, d as u8).map_err(xl)
    };
    for (row, (id, plan, started, ended)) in subscriptions.iter().enumerate() {
        let r = row as u32 + 1;
        let (name, fee, months) = PLANS[*plan];
        sheet.write_string(r, 0, id).map_err(xl)?;
        sheet.write_string(r, 1, name).map_err(xl)?;
        sheet.write_datetime_with_format(r, 2, &excel_date(*started)?, &date_format).map_err(xl)?;
        if let Some(e) = ended {
            sheet.write_datetime_with_format(r, 3, &excel_date(*e)?, &date_format).map_err(xl)?;
        }
        sheet.write_number(r, 4, (fee / f64::from(months) * 100.0).round() / 100.0).map_err(xl)?;
    }
    let spend = book.add_worksheet().set_name("营销费用").map_err(xl)?;
    for (c, h) in ["月份", "渠道", "花费"].iter().enumerate() {
        spend.write_string(0, c as u16, *h).map_err(xl)?;
    }
    // Spend = new customers × a channel's acquisition cost, with variation
    // that is a deterministic function of the month and channel.
    let cost = [38.0, 25.0, 45.0, 60.0, 52.0];
    let mut row = 1u32;
    for (&(y, m, channel), &count) in new_customers {
        let wobble = 0.85 + f64::from((y as u32 * 31 + m * 7 + channel as u32 * 13) % 30) / 100.0;
        spend.write_datetime_with_format(row, 0, &ExcelDateTime::from_ymd(y as u16, m as u8, 1).map_err(xl)?, &month_format).map_err(xl)?;
        spend.write_string(row, 1, CHANNELS[channel].0).map_err(xl)?;
        spend.write_number(row, 2, (f64::from(count) * cost[channel] * wobble).round()).map_err(xl)?;
        row += 1;
    }
    book.save(path).map_err(xl)?;
    Ok(row as usize - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_switch_plans_and_come_back_by_rule() {
        let end = 1_000 * DAY;
        // Day 400 is a multiple of 4: the plan switches on day 490; day 700
        // (a multiple of 5) ends it, and it restarts on day 745.
        assert_eq!(
            subscription_rows(0, 400 * DAY, Some(700 * DAY), end),
            [(0, 400 * DAY, Some(490 * DAY)), (1, 490 * DAY, Some(700 * DAY)), (0, 745 * DAY, None)]
        );
        // Day 401: no switch; an end on day 703 is not a multiple of 5.
        assert_eq!(subscription_rows(2, 401 * DAY, Some(703 * DAY), end), [(2, 401 * DAY, Some(703 * DAY))]);
        // An open subscription switches (to plan 0 after the last plan) and never returns;
        // one ending before its switch day does not switch; a return past the end is dropped.
        assert_eq!(subscription_rows(2, 400 * DAY, None, end), [(2, 400 * DAY, Some(490 * DAY)), (0, 490 * DAY, None)]);
        assert_eq!(subscription_rows(1, 400 * DAY, Some(480 * DAY), end), [(1, 400 * DAY, Some(480 * DAY)), (1, 525 * DAY, None)]);
        assert_eq!(subscription_rows(1, 401 * DAY, Some(960 * DAY), end), [(1, 401 * DAY, Some(960 * DAY))]);
    }
}
