//! The demo data: deterministic by seed, dirty rows where promised, and the
//! planted drivers visible in the ground truth.

use std::collections::HashMap;
use std::path::Path;

use churnlens_demo::{DemoParams, PLANTED_DIRTY_ORDER_ROWS, generate};

fn make(dir: &Path, seed: u64, customers: usize) -> churnlens_demo::DemoOutput {
    let params = DemoParams { seed, customers, ..DemoParams::default() };
    generate(&params, dir, &|_, _, _| {}).unwrap()
}

fn churn_rate(rows: &[HashMap<String, String>], keep: impl Fn(&HashMap<String, String>) -> bool) -> (usize, f64) {
    let group: Vec<_> = rows.iter().filter(|r| keep(r)).collect();
    let churned = group.iter().filter(|r| r["churned"] == "true").count();
    (group.len(), churned as f64 / group.len() as f64)
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    make(a.path(), 7, 300);
    make(b.path(), 7, 300);
    make(c.path(), 8, 300);
    for name in ["customers.csv", "orders.csv", "events.jsonl", "feedback.csv", "surveys.tsv", "ground_truth.csv", "order_items.parquet"] {
        let first = std::fs::read(a.path().join(name)).unwrap();
        assert_eq!(first, std::fs::read(b.path().join(name)).unwrap(), "{name} differs between two runs with one seed");
        assert_ne!(first, std::fs::read(c.path().join(name)).unwrap(), "{name} is the same for another seed");
    }
}

#[test]
fn files_have_the_promised_encodings_headers_and_dirty_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = make(dir.path(), 42, 600);
    assert_eq!(out.customers, 600);
    // GBK customers file: not valid UTF-8, decodes cleanly as GBK.
    let raw = std::fs::read(dir.path().join("customers.csv")).unwrap();
    assert!(std::str::from_utf8(&raw).is_err());
    let (text, _, bad) = encoding_rs::GBK.decode(&raw);
    assert!(!bad);
    assert!(text.starts_with("客户编号,"), "{}", &text[..40]);
    assert_eq!(text.lines().count(), 601);
    // Feedback starts with a UTF-8 byte order mark.
    assert!(std::fs::read(dir.path().join("feedback.csv")).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let orders = std::fs::read_to_string(dir.path().join("orders.csv")).unwrap();
    for planted in ["N/A金额", "2024-13-45", "C999999"] {
        assert_eq!(orders.matches(planted).count(), 1, "{planted}");
    }
    assert_eq!(orders.matches("O00000001,").count(), 2, "the repeated order id");
    assert_eq!(orders.lines().filter(|l| l.split(',').count() == 7).count(), 1, "the ragged row");
    let orders_file = out.files.iter().find(|f| f.table == churnlens_core::Table::Orders).unwrap();
    assert_eq!(orders_file.rows, orders.lines().count() - 1);
    assert_eq!(orders_file.rows, out.orders + PLANTED_DIRTY_ORDER_ROWS);
}

#[test]
fn planted_drivers_raise_churn_and_orders_are_about_twenty_per_customer() {
    let dir = tempfile::tempdir().unwrap();
    let out = make(dir.path(), 42, 4000);
    let per_customer = out.orders as f64 / out.customers as f64;
    assert!((15.0..25.0).contains(&per_customer), "{per_customer} orders per customer");
    let rows: Vec<HashMap<String, String>> = csv::Reader::from_path(&out.ground_truth).unwrap().deserialize().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4000);
    let (complainers, with) = churn_rate(&rows, |r| r["complained"] == "true");
    let (others, without) = churn_rate(&rows, |r| r["complained"] == "false");
    assert!(complainers > 200 && others > 200);
    assert!(with > without + 0.15, "complainers churn at {with:.3}, others at {without:.3}");
    let (_, late) = churn_rate(&rows, |r| r["late_deliveries"] != "0");
    let (_, on_time) = churn_rate(&rows, |r| r["late_deliveries"] == "0");
    assert!(late > on_time, "late {late:.3} vs on time {on_time:.3}");
    // Subscribers' hazard is halved, but over three years most of either
    // group decides to leave at some point, so the gap in the share who
    // did is modest (0.508 vs 0.573, z 3.31 measured): a two-proportion z-test
    // says whether it is there, one-sided at the 1% level (z > 2.33).
    let (n_subscribers, subscribers) = churn_rate(&rows, |r| r["subscriber"] == "true");
    let (n_others, non_subscribers) = churn_rate(&rows, |r| r["subscriber"] == "false");
    let pooled = (subscribers * n_subscribers as f64 + non_subscribers * n_others as f64) / (n_subscribers + n_others) as f64;
    let z = (non_subscribers - subscribers) / (pooled * (1.0 - pooled) * (1.0 / n_subscribers as f64 + 1.0 / n_others as f64)).sqrt();
    assert!(z > 2.33, "subscribers {subscribers:.3} (n {n_subscribers}) vs {non_subscribers:.3} (n {n_others}), z {z:.2}");
}

#[test]
fn churners_gaps_lengthen_before_they_leave() {
    let dir = tempfile::tempdir().unwrap();
    let out = make(dir.path(), 42, 3000);
    let truth: HashMap<String, bool> = csv::Reader::from_path(&out.ground_truth)
        .unwrap()
        .deserialize::<HashMap<String, String>>()
        .map(Result::unwrap)
        .map(|r| (r["customer_id"].clone(), r["churned"] == "true"))
        .collect();
    let mut times: HashMap<String, Vec<String>> = HashMap::new();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(dir.path().join("orders.csv")).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        // Sale rows only (refunds are negative), and well-formed timestamps.
        if record.len() == 8 && !record[3].starts_with('-') && record[2].starts_with("20") {
            times.entry(record[1].to_string()).or_default().push(record[2].to_string());
        }
    }
    // Ratio of the last gap to the customer's median earlier gap, churners
    // with at least six orders: the planted slowdown makes it well above 1.
    let day = |s: &str| {
        let d = chrono::NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap();
        d.to_epoch_days() as f64
    };
    let mut ratios = Vec::new();
    for (id, mut ts) in times {
        if !truth.get(&id).copied().unwrap_or(false) || ts.len() < 6 {
            continue;
        }
        ts.sort();
        let days: Vec<f64> = ts.iter().map(|t| day(t)).collect();
        let mut gaps: Vec<f64> = days.windows(2).map(|w| (w[1] - w[0]).max(0.5)).collect();
        let last = gaps.pop().unwrap();
        gaps.sort_by(f64::total_cmp);
        ratios.push(last / gaps[gaps.len() / 2]);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!(ratios.len() > 300, "{} churners with six orders", ratios.len());
    assert!(median > 1.4, "median last-gap ratio {median:.2}");
}
