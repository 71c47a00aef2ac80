//! End-to-end tests of the `churnlens` binary: flags, output formats, exit
//! codes and languages, on small files whose contents are known.

use assert_cmd::Command;
use predicates::prelude::*;

fn churnlens() -> Command {
    let mut cmd = Command::cargo_bin("churnlens").unwrap();
    cmd.env_remove("CHURNLENS_WORKSPACE").env("CHURNLENS_LANG", "en");
    cmd
}

fn orders_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("orders.csv");
    std::fs::write(
        &path,
        "订单号,客户编号,下单时间,实付金额\nO1,C1,2024-01-05 10:30:00,¥100.50\nO2,C1,2024-02-05 10:30:00,50\nO3,C2,2024-02-06 11:00:00,bad\n",
    )
    .unwrap();
    path
}

#[test]
fn import_then_query_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let file = orders_file(dir.path());
    let out = churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders", "--format", "json"]).arg(&file).assert().success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["rows_read"], 3);
    assert_eq!(report["rows_accepted"], 2);
    assert_eq!(report["rejected_by_reason"]["unparsable_value"], 1);
    assert_eq!(report["rejects_preview"][0]["line"], 4);

    churnlens()
        .args(["sql", "-w"])
        .arg(&ws)
        .args(["--format", "csv", "SELECT customer_id, sum(amount) AS revenue FROM orders GROUP BY customer_id"])
        .assert()
        .success()
        .stdout("customer_id,revenue\nC1,150.5\n");
    let out = churnlens().args(["sql", "-w"]).arg(&ws).args(["--format", "json", "SELECT count(*) AS n FROM orders"]).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(rows, serde_json::json!([{ "n": 2 }]));
    churnlens()
        .args(["sql", "-w"])
        .arg(&ws)
        .arg("SELECT order_id FROM orders ORDER BY order_id")
        .assert()
        .success()
        .stdout(predicate::str::contains("| O1       |").and(predicate::str::contains("| O2       |")));
    let parquet = dir.path().join("out.parquet");
    churnlens().args(["sql", "-w"]).arg(&ws).args(["--format", "parquet", "-o"]).arg(&parquet).arg("SELECT * FROM orders").assert().success();
    assert!(std::fs::read(&parquet).unwrap().starts_with(b"PAR1"));
    churnlens().args(["tables", "-w"]).arg(&ws).args(["--format", "csv"]).assert().success().stdout(predicate::str::contains("orders,2,1,"));
}

#[test]
fn exit_codes_say_whose_problem_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // A file that does not exist: the user's to fix.
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders", "nope.csv"]).assert().code(1).stderr(predicate::str::contains("nope.csv"));
    // A bad flag value.
    churnlens().args(["import", "--as", "planets", "x.csv"]).assert().code(1).stderr(predicate::str::contains("unknown table"));
    // --strict with a bad row.
    let file = orders_file(dir.path());
    churnlens()
        .args(["import", "--strict", "-w"])
        .arg(&ws)
        .args(["--as", "orders"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(":4:").and(predicate::str::contains("bad")));
    // SQL mistakes and missing workspaces are the user's too.
    churnlens().args(["sql", "-w"]).arg(dir.path().join("none")).arg("SELECT 1").assert().code(1).stderr(predicate::str::contains("churnlens demo"));
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(&file).assert().success();
    churnlens().args(["sql", "-w"]).arg(&ws).arg("SELECT nope FROM orders").assert().code(1);
    churnlens().arg("--version").assert().success();
}

#[test]
fn chinese_output_with_lang_zh() {
    let dir = tempfile::tempdir().unwrap();
    let file = orders_file(dir.path());
    churnlens()
        .args(["--lang", "zh", "import", "-w"])
        .arg(dir.path().join("ws"))
        .args(["--as", "orders"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("已导入").and(predicate::str::contains("不是有效的金额")));
    churnlens().args(["--lang", "zh", "import", "--as", "orders", "missing.csv"]).assert().code(1).stderr(predicate::str::starts_with("错误"));
}

#[test]
fn inspect_shows_the_mapping_of_a_gbk_file() {
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode("客户编号,性别,注册时间,城市\nC1,男,2024年1月5日,上海\nC2,女,2024年2月1日,\n");
    let path = dir.path().join("c.csv");
    std::fs::write(&path, gbk).unwrap();
    let out = churnlens().args(["inspect", "--format", "json"]).arg(&path).assert().success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["encoding"], "GB18030");
    assert_eq!(report["table"], "customers");
    assert_eq!(report["columns"][2]["maps_to"], "signup_date");
    assert_eq!(report["columns"][3]["nulls"], 1);
    churnlens().arg("inspect").arg(&path).assert().success().stdout(predicate::str::contains("signup_date").and(predicate::str::contains("上海")));
}

#[test]
fn demo_writes_every_format_and_imports_it_with_no_flags() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let out = churnlens().args(["demo", "--customers", "300", "--format", "json", "-w"]).arg(&ws).assert().success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let imports = report["imports"].as_array().unwrap();
    let tables: Vec<&str> = imports.iter().map(|r| r["table"].as_str().unwrap()).collect();
    assert_eq!(tables, ["customers", "orders", "order_items", "events", "subscriptions", "marketing_spend", "feedback", "surveys", "leads"]);
    let by_table = |t: &str| imports.iter().find(|r| r["table"] == t).unwrap();
    assert_eq!(by_table("customers")["encoding"], "GB18030");
    assert_eq!(by_table("customers")["rows_accepted"], 300);
    let orders = by_table("orders");
    assert_eq!(orders["rows_rejected"], 4);
    assert_eq!(orders["unknown_customers"], 1);
    assert_eq!(orders["rejected_by_reason"]["duplicate_id"], 1);
    assert_eq!(orders["rejected_by_reason"]["ragged_row"], 1);
    for import in imports {
        assert_eq!(import["rows_read"].as_u64().unwrap(), import["rows_accepted"].as_u64().unwrap() + import["rows_rejected"].as_u64().unwrap());
    }
    // Headline of the last complete month; its churn rate is the one
    // `metrics churn` reports for that month.
    let headline = &report["headline"];
    let period = headline["period"].as_str().unwrap().to_string();
    assert!(period.starts_with("2025-"), "{period}");
    let nps = headline["nps"].as_f64().unwrap();
    assert!((-100.0..=100.0).contains(&nps));
    let out = churnlens().args(["metrics", "churn", "--tz", "Asia/Shanghai", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let last = rows.as_array().unwrap().last().unwrap();
    assert_eq!(last["period"].as_str().unwrap(), period);
    assert_eq!(last["churn_rate_pct"], headline["churn_rate_pct"]);
    assert_eq!(last["active_end"], headline["active_customers"]);
    churnlens().args(["sql", "--format", "csv", "-w"]).arg(&ws).arg("SELECT count(*) AS n FROM customers").assert().success().stdout("n\n300\n");
    // The demo writes the report (issue #8); `churnlens report` shows the same headline.
    let html = std::path::PathBuf::from(report["report"].as_str().unwrap());
    assert_eq!(html, ws.join("report.html"));
    assert!(std::fs::read_to_string(&html).unwrap().contains("id=\"churnlens-data\""));
    let (page, json) = (dir.path().join("r.html"), dir.path().join("r.json"));
    churnlens()
        .args(["report", "--tz", "Asia/Shanghai", "--lang", "zh", "-w"])
        .arg(&ws)
        .arg("-o")
        .arg(&page)
        .arg("--json")
        .arg(&json)
        .arg("--charts")
        .arg(dir.path().join("charts"))
        .assert()
        .success()
        .stdout(predicate::str::contains("报告已写入"))
        .stdout(predicate::str::contains("个图表文件"));
    // `--charts`: every chart as SVG (and PNG when a font is found; the report crate's test checks the files).
    assert!(std::fs::read_to_string(dir.path().join("charts/trend.svg")).unwrap().contains("流失与留存趋势"));
    let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(data["period"].as_str().unwrap(), period);
    assert_eq!(data["kpis"][0]["key"], "churn_rate");
    assert_eq!(data["kpis"][0]["value"], headline["churn_rate_pct"]);
    assert_eq!(data["kpis"][2]["value"].as_f64(), headline["active_customers"].as_f64());
    assert!(std::fs::read_to_string(&page).unwrap().starts_with("<!DOCTYPE html>"));
}

/// The hand-worked data set of crates/churnlens-metrics/tests/hand_worked.rs.
fn hand_worked_orders(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("hand.csv");
    std::fs::write(
        &path,
        "order_id,customer_id,order_time,amount\n\
         1,A,2024-01-10,100\n2,B,2024-01-15,50\n3,B,2024-01-15,30\n4,B,2024-02-20,40\n5,B,2024-02-25,-20\n\
         6,C,2024-02-01,60\n7,C,2024-06-15,70\n8,D,2024-03-31,25\n",
    )
    .unwrap();
    path
}

#[test]
fn metrics_churn_retention_cohorts_and_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "--as", "orders", "-w"]).arg(&ws).arg(hand_worked_orders(dir.path())).assert().success();
    // Worked out in hand_worked.rs: April 1 of 4 churn (25%), May 2 of 3.
    let out = churnlens().args(["metrics", "churn", "--to", "2024-06-30", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6);
    assert_eq!(rows[3]["period"], "2024-04");
    assert_eq!(rows[3]["churn_rate_pct"], 25.0);
    assert_eq!(rows[4]["churned"], 2);
    churnlens()
        .args(["metrics", "retention", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-04,4,0,0,3,3,75.0"));
    churnlens()
        .args(["metrics", "lifecycle", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-06,0,0,1,0,1,2"));
    churnlens()
        .args(["metrics", "lifecycle", "--flows", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-06,churned,reactivated,1"));
    churnlens()
        .args(["metrics", "cohorts", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-02,1,4,2024-06,1,100.0,70.0,"));
    // Day-based retention (hand_worked.rs): over all four customers, day 30
    // or later: B and C.
    churnlens()
        .args(["metrics", "cohorts", "--days", "36,30+,1-30", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("all,4,day 30+,4,2,50.0"));
    churnlens().args(["metrics", "cohorts", "--days", "7-1", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--days"));
    // CLV and revenue lost (hand_worked.rs): mean net revenue 88.75; May's
    // two churns took 180 of yearly revenue.
    churnlens()
        .args(["metrics", "clv", "--to", "2024-06-30", "--format", "json", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"historical_clv_mean\":88.75"));
    churnlens()
        .args(["metrics", "revenue", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-05,2024-05-01,2,180.0,90.0"));
    // Win-back within 60 days (hand_worked.rs): May has two churns, one of
    // them observable and won back.
    churnlens()
        .args(["metrics", "winback", "--within", "60d", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-05,2024-05-01,2,1,1,100.0"));
    churnlens().args(["metrics", "winback", "--within", "soon", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--within"));
    // Stickiness: in January A and B each bought on one day.
    churnlens()
        .args(["metrics", "stickiness", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-01,2024-01-01,2,2,0,0,0,0,0,1.0,1.0"));
    // NPS needs the surveys table and says how to import it; with it, churn
    // breaks down by each customer's latest answer.
    churnlens().args(["metrics", "nps", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("churnlens import --as surveys"));
    let surveys = dir.path().join("surveys.csv");
    std::fs::write(&surveys, "customer_id,survey_time,nps\nA,2024-01-20,10\nB,2024-01-21,3\nC,2024-03-01,8\nB,2024-02-01,9\n").unwrap();
    churnlens().args(["import", "--as", "surveys", "-w"]).arg(&ws).arg(&surveys).assert().success();
    // January: A promoter, B detractor → 0; February: B promoter → 100;
    // March: C passive → 0.
    churnlens()
        .args(["metrics", "nps", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-01,2024-01-01,2,1,0,1,0.0,,"))
        .stdout(predicate::str::contains("2024-02,2024-02-01,1,1,0,0,100.0,,"));
    // April's churn (A, hand_worked.rs) falls in the promoter group.
    churnlens()
        .args(["metrics", "churn", "--by", "nps_category", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("promoter,2024-04,2024-04-01,2024-04-30,2,1,1,50.0"))
        .stdout(predicate::str::contains("(no answer),2024-06"));
    // The adaptive rule needs two gaps per customer; here nobody has them,
    // so the 90-day fallback gives April's 25% again. A bad k is refused.
    churnlens()
        .args(["metrics", "churn", "--adaptive", "3", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-04,2024-04-01,2024-04-30,4,1,3,25.0"));
    churnlens().args(["metrics", "churn", "--adaptive", "0", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--adaptive"));
    // Engagement on 2024-06-30 without events: C bought 06-15 (most recent,
    // and the only purchase in the last 90 days) → 100; bad weights are refused.
    churnlens()
        .args(["metrics", "engagement", "--customers", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("C,100.0"));
    churnlens().args(["metrics", "engagement", "--weights", "loyalty=1", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--weights"));
    // Quarterly with a one-day window still works; a bad window does not.
    churnlens()
        .args(["metrics", "churn", "--period", "quarter", "--window", "1d", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-Q1"));
    churnlens().args(["metrics", "churn", "--window", "ninety", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--window"));
    // --by needs a customers table, and says how to get one.
    churnlens().args(["metrics", "churn", "--by", "city", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("churnlens import --as customers"));
    // Conversion and CAC need their tables and say how to import them.
    churnlens().args(["metrics", "conversion", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("churnlens import --as leads"));
    churnlens().args(["metrics", "cac", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("churnlens import --as marketing_spend"));
    let leads = dir.path().join("leads.csv");
    std::fs::write(&leads, "lead_id,created_at,source,converted_customer_id,converted_at\nL1,2024-01-05,ads,A,2024-01-15\nL2,2024-01-10,ads,,\n").unwrap();
    churnlens().args(["import", "--as", "leads", "-w"]).arg(&ws).arg(&leads).assert().success();
    churnlens()
        .args(["metrics", "conversion", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-01,2024-01-01,ads,2,1,50.0,10.0"));
    // CAC: A and B joined in January through the app; ¥300 spent there.
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, "customer_id,signup_date,channel\nA,2024-01-01,app\nB,2024-01-02,app\nC,2024-01-03,store\nD,2024-01-04,store\n").unwrap();
    churnlens().args(["import", "--as", "customers", "-w"]).arg(&ws).arg(&customers).assert().success();
    let spend = dir.path().join("spend.csv");
    std::fs::write(&spend, "period,channel,amount\n2024-01-01,app,300\n").unwrap();
    churnlens().args(["import", "--as", "marketing_spend", "-w"]).arg(&ws).arg(&spend).assert().success();
    churnlens()
        .args(["metrics", "cac", "--to", "2024-06-30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-01,2024-01-01,app,300.0,2,150.0"));
}

#[test]
fn metrics_window_sweep_recommends_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "--as", "orders", "-w"]).arg(&ws).arg(hand_worked_orders(dir.path())).assert().success();
    // Worked out in hand_worked.rs: gaps 36 and 135 days; W = 90 has four
    // churns of which one came back; at most 10% false churn needs 135 days.
    let out = churnlens().args(["metrics", "window", "--windows", "30,90", "--to", "2024-06-30", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let windows: Vec<i64> = rows.as_array().unwrap().iter().map(|r| r["window_days"].as_i64().unwrap()).collect();
    assert_eq!(windows, [30, 90, 135]);
    assert_eq!(rows[1]["churned"], 4);
    assert_eq!(rows[1]["false_churn_pct"], 25.0);
    assert_eq!(rows[2]["recommended"], true);
    churnlens()
        .args(["metrics", "window", "--windows", "90", "--to", "2024-06-30", "--lang", "en", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("Recommended window: 135 days"));
    churnlens()
        .args(["metrics", "window", "--to", "2024-06-30", "--lang", "zh", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("建议流失窗口：135 天"));
    churnlens().args(["metrics", "window", "--max-false-churn", "150", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--max-false-churn"));
}

#[test]
fn numeric_breakdowns_are_banded_in_numeric_order() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // Twenty customers aged 18 … 37, one order each in January 2024;
    // customer 21 has no customers row.
    let mut customers = String::from("customer_id,signup_date,age,visits\n");
    let mut orders = String::from("order_id,customer_id,order_time,amount\n");
    for i in 0..20 {
        customers.push_str(&format!("K{i},2024-01-01,{},{}\n", 18 + i, 9 + i % 3));
        orders.push_str(&format!("{i},K{i},2024-01-{:02},10\n", 1 + i));
    }
    orders.push_str("99,K99,2024-01-05,10\n");
    std::fs::write(dir.path().join("customers.csv"), customers).unwrap();
    std::fs::write(dir.path().join("orders.csv"), orders).unwrap();
    churnlens().args(["import", "--as", "customers", "-w"]).arg(&ws).arg(dir.path().join("customers.csv")).assert().success();
    churnlens().args(["import", "--as", "orders", "-w"]).arg(&ws).arg(dir.path().join("orders.csv")).assert().success();
    // Quintile cuts at the 4th, 8th, 12th and 16th ages: 21, 25, 29, 33.
    let out = churnlens().args(["metrics", "churn", "--by", "age", "--to", "2024-06-30", "--format", "csv", "-w"]).arg(&ws).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let groups: Vec<&str> = text.lines().skip(1).filter(|l| l.contains(",2024-01,")).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(groups, ["18–20", "21–24", "25–28", "29–32", "33–37", "(unknown)"]);
    // Few distinct values (9, 10, 11): one group each, 9 before 10.
    let out = churnlens().args(["metrics", "churn", "--by", "visits", "--to", "2024-06-30", "--format", "csv", "-w"]).arg(&ws).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let groups: Vec<&str> = text.lines().skip(1).filter(|l| l.contains(",2024-01,")).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(groups, ["9", "10", "11", "(unknown)"]);
}

#[test]
fn snapshot_and_subscription_churn_and_mrr() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // Snapshot: month-to-month 2 of 3 churned, two-year 0 of 2; overall 2 of 5.
    let snapshot = dir.path().join("snapshot.csv");
    std::fs::write(&snapshot, "customerID,Contract,Churn\nA,Month-to-month,Yes\nB,Month-to-month,Yes\nC,Month-to-month,No\nD,Two year,No\nE,Two year,No\n")
        .unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "snapshot"]).arg(&snapshot).assert().success();
    churnlens()
        .args(["metrics", "churn", "--source", "snapshot", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout("customers,churned,churn_rate_pct\n5,2,40.0\n");
    churnlens()
        .args(["metrics", "churn", "--source", "snapshot", "--by", "Contract", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("Month-to-month,3,2,66.66666666666").and(predicate::str::contains("Two year,2,0,0")));
    // Snapshot data has no periods: other metrics say so.
    churnlens().args(["metrics", "retention", "--source", "snapshot", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("churn metric only"));

    // Subscriptions: P pays 10 from January; Q 20 from January, cancelled
    // 03-05; S 15 from January, upgraded to 25 on 02-10; R's dates are
    // reversed. Observed to 03-31:
    // Jan new 45; Feb expansion 10 (55); Mar Q churned (35): logo churn
    // 1/3, revenue churn 20/55.
    let subscriptions = dir.path().join("subscriptions.csv");
    std::fs::write(
        &subscriptions,
        "客户编号,套餐,开始日期,结束日期,月费\nP,基础,2024-01-10,,10\nQ,高级,2024-01-20,2024-03-05,20\nS,基础,2024-01-05,2024-02-10,15\nS,高级,2024-02-10,,25\nR,基础,2024-02-10,2024-02-01,10\n",
    )
    .unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "subscriptions"]).arg(&subscriptions).assert().success();
    // R's row ends before it starts: left out, and said so.
    let out = churnlens()
        .args(["metrics", "mrr", "--to", "2024-03-31", "--format", "json", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 subscription rows end on or before their start day"));
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let column = |name: &str| rows.as_array().unwrap().iter().map(|r| r[name].clone()).collect::<Vec<_>>();
    assert_eq!(column("period"), ["2024-01", "2024-02", "2024-03"]);
    assert_eq!(column("mrr_end"), [45.0, 55.0, 35.0]);
    assert_eq!(column("expansion"), [0.0, 10.0, 0.0]);
    assert_eq!(column("churned"), [0.0, 0.0, 20.0]);
    let march = &rows[2];
    assert!((march["logo_churn_pct"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert!((march["gross_revenue_churn_pct"].as_f64().unwrap() - 2000.0 / 55.0).abs() < 1e-9);
    // Contractual churn: Q's cancellation is March's one churn of a base of 3.
    churnlens()
        .args(["metrics", "churn", "--source", "subscriptions", "--to", "2024-03-31", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-03,2024-03-01,2024-03-31,3,1,2,33.3333333"));
}

#[test]
fn clv_by_margin_when_orders_carry_a_cost() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // Margins: A 100 − 60 = 40; B 50 − 20 = 30, the refund −20 − (−8) = −12
    // (the goods' cost comes back), and an order without a cost adds 0
    // margin: B 18. Mean historical margin (40 + 18) / 2 = 29; revenue mean
    // (100 + 50 − 20 + 30) / 2 = 80.
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "order_id,customer_id,order_time,amount,cost\n1,A,2024-01-10,100,60\n2,B,2024-01-15,50,20\n3,B,2024-01-20,-20,-8\n4,B,2024-02-01,30,\n",
    )
    .unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(&orders).assert().success();
    let mean = |value: &str| -> f64 {
        let out = churnlens().args(["metrics", "clv", "--value", value, "--format", "json", "-w"]).arg(&ws).assert().success();
        let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        rows[0]["historical_clv_mean"].as_f64().unwrap()
    };
    assert_eq!(mean("margin"), 29.0);
    assert_eq!(mean("revenue"), 80.0);
    // Without a cost column, margin says what to import.
    let plain = dir.path().join("plain");
    churnlens().args(["import", "-w"]).arg(&plain).args(["--as", "orders"]).arg(hand_worked_orders(dir.path())).assert().success();
    churnlens().args(["metrics", "clv", "--value", "margin", "-w"]).arg(&plain).assert().code(1).stderr(predicate::str::contains("cost column"));
}

#[test]
fn survival_and_forecast_answer_or_say_plainly_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // Orders only: no snapshot table yet, and four months are too few to forecast.
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(hand_worked_orders(dir.path())).assert().success();
    churnlens().args(["survival", "km", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("snapshot"));
    churnlens()
        .args(["forecast", "active", "-w"])
        .arg(&ws)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("values but 10 are needed to fit any exponential smoothing model"));
    // --intervals takes analytic or empirical and reaches the same fit; anything else is refused with the choices.
    churnlens().args(["forecast", "active", "--intervals", "analytic", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("10 are needed"));
    churnlens()
        .args(["forecast", "active", "--intervals", "normal", "-w"])
        .arg(&ws)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("possible values: empirical, analytic"));
    // Six customers: churned at 1; churned, churned and censored at 2;
    // churned at 4; censored at 5. S(1) = 5/6, S(2) = 5/6 · 3/5 = 1/2,
    // S(4) = 1/2 · 1/2 = 1/4; the median is 2.
    let snapshot = dir.path().join("snapshot.csv");
    std::fs::write(&snapshot, "customerID,tenure,Churn,Contract\nA,2,Yes,m\nB,1,Yes,m\nC,2,No,y\nD,4,Yes,y\nE,2,Yes,m\nF,5,No,y\n").unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "snapshot"]).arg(&snapshot).assert().success();
    let out = churnlens().args(["survival", "km", "--times", "1,2,4", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let survival: Vec<f64> = rows.as_array().unwrap().iter().map(|r| r["survival"].as_f64().unwrap()).collect();
    for (got, want) in survival.iter().zip([5.0 / 6.0, 0.5, 0.25]) {
        assert!((got - want).abs() < 1e-12, "{survival:?}");
    }
    assert_eq!(rows[0]["median"], 2.0);
    churnlens().args(["survival", "logrank", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--by"));
    churnlens().args(["survival", "cox", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--covariates"));
    churnlens().args(["survival", "cox", "--covariates", "Plan", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("no column Plan"));
    churnlens()
        .args(["survival", "logrank", "--by", "Contract", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("group,customers,observed,expected,statistic,df,p_value\nm,3,3.0,"));
}

#[test]
fn segment_rfm_and_drivers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // C1 buys on 01-05 (100) and 03-01 (50); C2 on 02-10 (30); C3 on 03-10
    // (200) and gets 20 back on 03-12. As of 03-13 (the day after the last
    // order): R = 12, 32, 3 days; F = 2, 1, 1; M = 150, 30, 180 (refund netted).
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "订单号,客户编号,下单时间,实付金额\nO1,C1,2024-01-05 10:00:00,100\nO2,C1,2024-03-01 10:00:00,50\nO3,C2,2024-02-10 10:00:00,30\n\
         O4,C3,2024-03-10 10:00:00,200\nO5,C3,2024-03-12 10:00:00,-20\n",
    )
    .unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(&orders).assert().success();
    let out = churnlens().args(["segment", "rfm", "--customers", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    // id, R, F, M, R/F/M scores, eight-segment label.
    type RfmRow = (String, f64, f64, f64, u64, u64, u64, String);
    let got: Vec<RfmRow> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_f64().unwrap();
            let s = |k: &str| r[k].as_u64().unwrap();
            (
                r["customer_id"].as_str().unwrap().into(),
                n("recency_days"),
                n("frequency"),
                n("monetary"),
                s("r"),
                s("f"),
                s("m"),
                r["segment8"].as_str().unwrap().into(),
            )
        })
        .collect();
    // Quintile scores of 3 customers: ranks 1, 2, 3 → 1, 3, 5 (R reversed).
    // Means R 15.7 days, F 1.33, M 120: C1 high/high/high, C2 low/low/low, C3 high/low/high.
    assert_eq!(
        got,
        [
            ("C1".into(), 12.0, 2.0, 150.0, 3, 5, 3, "important value".into()),
            ("C2".into(), 32.0, 1.0, 30.0, 1, 1, 1, "general win-back".into()),
            ("C3".into(), 3.0, 1.0, 180.0, 5, 3, 5, "important development".into()),
        ]
    );
    // With W = 30 only C2 (02-10 + 30 ≤ 03-13) is churned.
    churnlens()
        .args(["segment", "rfm", "--window", "30", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("segment,customers,revenue,revenue_share_pct,churned,churn_rate_pct,average_clv\n"))
        .stdout(predicate::str::contains("general win-back,1,30.0,8.333333333333332,1,100.0,30.0"));
    churnlens().args(["--lang", "zh", "segment", "rfm", "-w"]).arg(&ws).assert().success().stdout(predicate::str::contains("重要价值客户"));
    // Saved as a customer attribute, the labels break any metric down (`--by rfm_segment`).
    churnlens().args(["segment", "rfm", "--save", "-w"]).arg(&ws).assert().success().stderr(predicate::str::contains("rfm_segment"));
    let out = churnlens().args(["metrics", "churn", "--by", "rfm_segment", "--window", "30", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let cell = |group: &str, period: &str, key: &str| {
        let row = rows.as_array().unwrap().iter().find(|r| r["group"] == group && r["period"] == period).unwrap();
        row[key].as_f64().unwrap()
    };
    // W = 30: C1 (important value) is active through January and churns on 02-04 (01-05 + 30);
    // C2 (general win-back) starts on 02-10 and is still active at the end of February.
    assert_eq!(cell("important value", "2024-02", "active_start"), 1.0);
    assert_eq!(cell("important value", "2024-02", "churned"), 1.0);
    assert_eq!(cell("important value", "2024-02", "churn_rate_pct"), 100.0);
    assert_eq!(cell("general win-back", "2024-02", "churned"), 0.0);
    assert_eq!(cell("general win-back", "2024-02", "active_end"), 1.0);
    // First purchase: C2 and C3 bought once (first orders 30 and 200), C1 came back (first order 100).
    let out = churnlens().args(["segment", "first-purchase", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let amount = rows.as_array().unwrap().iter().find(|r| r["attribute"] == "amount").unwrap();
    assert_eq!((amount["mean_churned"].as_f64(), amount["mean_retained"].as_f64()), (Some(115.0), Some(100.0)));
    assert!(amount.get("finding").is_none());
    churnlens()
        .args(["segment", "first-purchase", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 of 3 buyers (66.7%) bought only once"));
    // Transitions from 03-01 (C1 and C2 had bought by then) to 03-13: C3, first buying on 03-10, is new.
    let out = churnlens().args(["segment", "transitions", "--from", "2024-03-01", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let total: u64 = rows.as_array().unwrap().iter().map(|r| r["customers"].as_u64().unwrap()).sum();
    assert_eq!(total, 3);
    assert_eq!(rows[0]["from"], "(new)");
    assert_eq!(rows[0]["to"], "important development");
    churnlens().args(["segment", "transitions", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--from"));
    // Rules: baskets {A, B}, {A, B}, {A}, {C}: s(A) = 3/4, s(B) = 1/2, s(AB) = 1/2;
    // A → B confidence 2/3, B → A confidence 1, both lift (1/2) / (3/4 · 1/2) = 4/3.
    let items = dir.path().join("items.csv");
    std::fs::write(&items, "order_id,sku,category\nO1,s1,A\nO1,s2,B\nO2,s1,A\nO2,s2,B\nO3,s1,A\nO4,s3,C\n").unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "order_items"]).arg(&items).assert().success();
    let out = churnlens().args(["segment", "rules", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rules: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 2);
    let b_to_a = rules.iter().find(|r| r["antecedent"] == "B").unwrap();
    assert_eq!((b_to_a["consequent"].as_str(), b_to_a["support"].as_f64(), b_to_a["confidence"].as_f64()), (Some("A"), Some(0.5), Some(1.0)));
    assert!((b_to_a["lift"].as_f64().unwrap() - 4.0 / 3.0).abs() < 1e-12);
    churnlens().args(["segment", "rules", "--item", "colour", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("colour"));
    // Clusters: nobody is churned at W = 90, so there is nothing to cluster unless --all.
    churnlens().args(["segment", "clusters", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("too few customers"));
    churnlens()
        .args(["segment", "clusters", "--all", "--k", "2", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("cluster,customers,share_pct,mean_recency_days,all_recency_days,"))
        .stdout(predicate::function(|out: &str| out.lines().count() == 3));

    // Drivers from a snapshot: Month-to-month 2 of 3 churned, Two year 0 of 2.
    // Yates: |O − E| = 0.8 → 0.3; χ² = 0.09 (1/1.8 + 2/1.2 + 1/0.8) = 0.3125;
    // uncorrected 0.64 × 3.4722 = 2.2222, V = √(2.2222/5) = 2/3.
    let snapshot = dir.path().join("snapshot.csv");
    std::fs::write(&snapshot, "customerID,Contract,Churn\nA,Month-to-month,Yes\nB,Month-to-month,Yes\nC,Month-to-month,No\nD,Two year,No\nE,Two year,No\n")
        .unwrap();
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "snapshot"]).arg(&snapshot).assert().success();
    let out = churnlens().args(["segment", "drivers", "--source", "snapshot", "--format", "json", "-w"]).arg(&ws).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let contract = &rows[0];
    assert_eq!(contract["attribute"], "Contract");
    assert_eq!(contract["yates"], true);
    assert!((contract["chi_square"].as_f64().unwrap() - 0.3125).abs() < 1e-12);
    assert!((contract["cramers_v"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // No sentence: a level needs at least 10 customers to be singled out.
    assert_eq!(contract["finding"], serde_json::Value::Null);
    assert!((contract["p_value"].as_f64().unwrap() - 0.5761).abs() < 1e-4);
    churnlens()
        .args(["segment", "drivers", "--source", "snapshot", "--levels", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("attribute,level,customers,churned,churn_rate_pct,wilson_lower_pct,wilson_upper_pct\n"))
        .stdout(predicate::str::contains("Contract,Two year,2,0,0.0,0.0,"));
    // Plain-word mistakes exit 1.
    churnlens()
        .args(["segment", "drivers", "--source", "snapshot", "--bins", "tenure=1", "-w"])
        .arg(&ws)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--bins"));
    churnlens().args(["segment", "rfm", "--as-of", "13/03/2024", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("YYYY-MM-DD"));
    let empty = dir.path().join("empty");
    churnlens().args(["import", "-w"]).arg(&empty).args(["--as", "snapshot"]).arg(&snapshot).assert().success();
    churnlens().args(["segment", "rfm", "-w"]).arg(&empty).assert().code(1).stderr(predicate::str::contains("orders"));
}

/// 40 customers buying every few days through 2024 (issue #5): enough
/// repeat buyers for the CLV models, small enough to fit in milliseconds.
fn clv_orders(dir: &std::path::Path) -> std::path::PathBuf {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut text = String::from("order_id,customer_id,order_time,amount\n");
    let mut n = 0;
    for i in 0..40i64 {
        let (gap, first, count) = (5 + (i * 7) % 23, i % 30, 1 + (i * 5) % 8);
        for k in 0..count {
            n += 1;
            let day = start + chrono::Duration::days(first + k * gap * (1 + k % 2));
            text.push_str(&format!("O{n},C{i:02},{day} 10:00:00,{}\n", 20 + (i * 13) % 50 + k));
        }
    }
    let path = dir.join("clv_orders.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn clv_fit_predict_validate_and_a_plain_failure() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(clv_orders(dir.path())).assert().success();
    // Before any fit, predict says what to do (exit 1, in words).
    churnlens().args(["clv", "-w"]).arg(&ws).arg("predict").assert().code(1).stderr(predicate::str::contains("run `churnlens clv fit` first"));
    // 40 customers: a small penalizer keeps the BG/NBD fit identified.
    let out = churnlens().args(["clv", "-w"]).arg(&ws).args(["fit", "--penalizer", "0.001", "--format", "json"]).assert().success();
    let fitted: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(fitted["model"]["count_model"]["model"], "bgnbd");
    assert_eq!(fitted["model"]["data"]["customers"], 40);
    // The saved model is the one printed.
    let saved_text = std::fs::read_to_string(ws.join("models/clv.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&saved_text).unwrap();
    assert_eq!(saved, fitted["model"]);
    let out = churnlens().args(["clv", "-w"]).arg(&ws).args(["predict", "--top", "3", "--format", "json"]).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    assert!(rows[0]["clv"].as_f64().unwrap() >= rows[1]["clv"].as_f64().unwrap());
    churnlens().args(["clv", "-w"]).arg(&ws).arg("predict").assert().success().stdout(predicate::str::contains("40 customers"));
    churnlens()
        .args(["clv", "-w"])
        .arg(&ws)
        .args(["validate", "--penalizer", "0.001", "--calibration-end", "2024-06-30", "--holdout-end", "2024-12-31", "--view", "errors", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("actual_total,predicted_total,total_error_pct,mae,rmse\n11.0,"));
    // Three months of 40 customers drive a and b towards 0, where the closed
    // forms give NaN; the fit stops once a parameter runs off to the boundary
    // (#5): said in words, with what to try, not printed as NaN.
    churnlens()
        .args(["clv", "-w"])
        .arg(&ws)
        .args(["validate", "--penalizer", "0.001", "--calibration-end", "2024-03-31", "--holdout-end", "2024-06-30"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did not converge").and(predicate::str::contains("penalizer")));
    // Too early a calibration end leaves too few repeat buyers: exit 1, in plain words, in Chinese too.
    churnlens()
        .args(["clv", "-w"])
        .arg(&ws)
        .args(["fit", "--calibration-end", "2024-01-10"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("repeat buyers are needed"));
    churnlens()
        .args(["clv", "-w"])
        .arg(&ws)
        .args(["--lang", "zh", "fit", "--calibration-end", "2024-01-10"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("复购客户"));
    // The failed fit left the saved model as it was.
    // Compared as written: serde_json's default float parsing does not always
    // round-trip the last digit, so re-serialising the parsed model could differ.
    assert_eq!(std::fs::read_to_string(ws.join("models/clv.json")).unwrap(), saved_text);
}

#[test]
fn metrics_core_writes_the_five_metrics_from_one_read() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(hand_worked_orders(dir.path())).assert().success();
    let out = dir.path().join("core");
    churnlens().args(["metrics", "core", "--format", "csv", "-o"]).arg(&out).arg("-w").arg(&ws).assert().success();
    // Each file is what the single metric prints.
    for name in ["churn", "retention", "cohorts", "lifecycle", "engagement"] {
        let alone = churnlens().args(["metrics", name, "--format", "csv", "-w"]).arg(&ws).assert().success();
        let written = std::fs::read(out.join(format!("{name}.csv"))).unwrap();
        assert_eq!(written, alone.get_output().stdout, "{name}");
    }
    churnlens().args(["metrics", "core", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("--output"));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(hand_worked_orders(dir.path())).assert().success();
    // 300,000 CSV lines overflow the pipe; the reader takes one and leaves, as `| head -1` does.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("churnlens"))
        .env_remove("CHURNLENS_WORKSPACE")
        .args(["sql", "--format", "csv", "-w"])
        .arg(&ws)
        .arg("SELECT value FROM generate_series(1, 300000)")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(first, "value\n");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
}

/// Churn prediction on the demo business (issue #6): the demo trains and
/// saves the default model and saves each active customer's tier; evaluate
/// compares every family with the recency-only baseline on the last cutoff;
/// score exports tiers and reasons and saves them for `--by churn_tier`;
/// explain shows global importance and one customer's contributions; a
/// missing model and a corrupt snapshot label are the user's to fix (exit 1).
#[test]
fn model_train_evaluate_score_list_explain() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let out = churnlens().args(["demo", "--customers", "800", "--format", "json", "-w"]).arg(&ws).assert().success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let prediction = &report["prediction"];
    assert_eq!(prediction["horizon_days"], 180, "the default horizon: twice the 90-day churn window");
    let (auc, baseline) = (prediction["roc_auc"].as_f64().unwrap(), prediction["baseline_auc"].as_f64().unwrap());
    assert!(auc > baseline, "model {auc} vs recency {baseline}");
    assert_eq!(prediction["top_features"].as_array().unwrap().len(), 5);
    let top_drivers: Vec<&str> = prediction["top_drivers"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(top_drivers.len(), 5);
    assert_eq!(prediction["at_risk"].as_array().unwrap().len(), 5);
    let scored = prediction["scored"].as_u64().unwrap();
    // The demo saved every scored customer's tier: the breakdown by it counts them all.
    let out = churnlens().args(["sql", "--format", "csv", "-w"]).arg(&ws).arg("SELECT count(churn_tier) AS n FROM customer_attributes").assert().success();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout), format!("n\n{scored}\n"));
    // … and the riskiest customer's reasons, as the dashboard's timeline reads them.
    let top = &prediction["at_risk"][0];
    let reasons: Vec<&str> = top["reasons"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert!(!reasons.is_empty());
    let query = format!("SELECT churn_reasons FROM customer_attributes WHERE customer_id = '{}'", top["customer_id"].as_str().unwrap());
    let out = churnlens().args(["sql", "--format", "csv", "-w"]).arg(&ws).arg(query).assert().success();
    let stored = String::from_utf8_lossy(&out.get_output().stdout).lines().nth(1).unwrap().trim_matches('"').to_owned();
    assert_eq!(stored, reasons.join("; "));

    let out = churnlens().args(["model", "evaluate", "--algo", "all", "--tz", "Asia/Shanghai", "--format", "json", "-w"]).arg(&ws).assert().success();
    let evaluation: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let report = &evaluation["report"];
    let results = report["evaluation"]["results"].as_array().unwrap();
    let algorithms: Vec<&str> = results.iter().map(|r| r["algorithm"].as_str().unwrap()).collect();
    assert_eq!(algorithms, ["logistic", "tree", "forest", "svm", "gbdt"]);
    let baseline = report["evaluation"]["baseline"]["roc_auc"].as_f64().unwrap();
    for r in results {
        let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
        assert!((r["margin_over_baseline"].as_f64().unwrap() - (auc - baseline)).abs() < 1e-12);
    }
    assert_eq!(report["chosen"], "gbdt");
    assert_eq!(report["gains"].as_array().unwrap().len(), 10);
    let roc = report["roc_curve"].as_array().unwrap();
    assert_eq!((roc[0]["false_positive_rate"].as_f64(), roc[0]["true_positive_rate"].as_f64()), (Some(0.0), Some(0.0)));
    let last = roc.last().unwrap();
    assert_eq!((last["false_positive_rate"].as_f64(), last["true_positive_rate"].as_f64()), (Some(1.0), Some(1.0)));
    // Every feature has its kind; the demo's drivers are none of its warning
    // signs. An entry stands for its feature and the columns correlated with it.
    let importance = report["importance"].as_array().unwrap();
    let columns = |i: &serde_json::Value| -> Vec<String> {
        std::iter::once(&i["feature"]).chain(i["correlated"].as_array().unwrap()).map(|c| c.as_str().unwrap().to_owned()).collect()
    };
    let warning_signs: Vec<String> = importance.iter().filter(|i| i["kind"] == "warning_sign").flat_map(columns).collect();
    let warning_signs: Vec<&str> = warning_signs.iter().map(String::as_str).collect();
    assert!(importance.iter().all(|i| ["warning_sign", "experience", "profile"].contains(&i["kind"].as_str().unwrap())));
    assert!(warning_signs.contains(&"recency_days") && importance.iter().any(|i| i["kind"] == "experience"), "{warning_signs:?}");
    // A label names its entry's lead feature first ("feedback_total + complaints_total").
    assert!(top_drivers.iter().all(|f| !warning_signs.contains(&f.split(" + ").next().unwrap())), "{top_drivers:?}");
    // The comparison table for people names the baseline and each margin;
    // the importance is shown again for the drivers alone.
    churnlens().args(["model", "evaluate", "--algo", "logistic,gbdt", "--tz", "Asia/Shanghai", "-w"]).arg(&ws).assert().success().stdout(
        predicate::str::contains("recency only (baseline)")
            .and(predicate::str::contains("logistic: ROC AUC"))
            .and(predicate::str::contains("a margin of"))
            .and(predicate::str::contains("Drivers: the same importance without the warning signs"))
            .and(predicate::str::contains("warning sign")),
    );

    // An offer costing 5 per contact, valued by the CLV model the demo saved.
    let out = churnlens()
        .args(["model", "train", "--algo", "logistic", "--name", "lr", "--offer-cost", "5", "--tz", "Asia/Shanghai", "--format", "json", "-w"])
        .arg(&ws)
        .assert()
        .success();
    let trained: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(trained["saved"], "lr");
    assert!(trained["report"]["profit"]["value_source"].as_str().unwrap().contains("CLV"), "{}", trained["report"]["profit"]);
    let out = churnlens().args(["model", "list", "-w"]).arg(&ws).assert().success();
    let list = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(list.contains("gbdt") && list.contains("lr") && list.contains("logistic"), "{list}");

    let out = churnlens().args(["model", "score", "--top", "20", "--format", "csv", "-w"]).arg(&ws).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("customer_id,churn_probability,tier,reasons,drivers"));
    let rows: Vec<(String, f64)> = lines.map(|l| l.split(',').take(2).collect::<Vec<_>>()).map(|f| (f[0].to_string(), f[1].parse().unwrap())).collect();
    assert_eq!(rows.len(), 20);
    assert!(rows.windows(2).all(|p| p[0].1 >= p[1].1), "most at risk first");
    let parquet = dir.path().join("scores.parquet");
    churnlens().args(["model", "score", "-o"]).arg(&parquet).arg("-w").arg(&ws).assert().success();
    assert_eq!(&std::fs::read(&parquet).unwrap()[..4], b"PAR1");
    let json = dir.path().join("scores.json");
    churnlens().args(["model", "score", "--name", "lr", "--save", "-o"]).arg(&json).arg("-w").arg(&ws).assert().success();
    let lr_scores: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(lr_scores.as_array().unwrap().len() as u64, scored);
    // Each customer's drivers are reasons too, never a warning sign.
    let drivers: Vec<&str> =
        lr_scores.as_array().unwrap().iter().flat_map(|c| c["drivers"].as_array().unwrap()).map(|r| r["feature"].as_str().unwrap()).collect();
    assert!(!drivers.is_empty());
    assert!(drivers.iter().all(|f| !warning_signs.iter().any(|w| f == w || f.starts_with(&format!("{w}_missing")))), "{drivers:?}");
    churnlens()
        .args(["metrics", "churn", "--by", "churn_tier", "--tz", "Asia/Shanghai", "--format", "csv", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("high").and(predicate::str::contains("low")));

    churnlens().args(["model", "explain", "--lang", "zh", "-w"]).arg(&ws).assert().success().stdout(predicate::str::contains("全局特征重要性"));
    // One customer's contributions: the same probability as its score.
    let (top_id, top_probability) = &rows[0];
    let out = churnlens().args(["model", "explain", "--customer", top_id, "--format", "json", "-w"]).arg(&ws).assert().success();
    let explained: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!((explained["probability"].as_f64().unwrap() - top_probability).abs() < 1e-12);
    assert!(!explained["contributions"].as_array().unwrap().is_empty());
    churnlens().args(["model", "explain", "--customer", "nobody", "-w"]).arg(&ws).assert().code(1);
    churnlens().args(["model", "score", "--name", "nothing", "-w"]).arg(&ws).assert().code(1).stderr(predicate::str::contains("churnlens model train"));
    churnlens().args(["model", "train", "--algo", "all", "-w"]).arg(&ws).assert().code(1);

    let bank = dir.path().join("bank.csv");
    let mut text = String::from("customer_id,churn,CreditScore,Exited_2025\n");
    for i in 1..=30 {
        text.push_str(&format!("{i},{},{},{}\n", ["Yes", "No"][i % 2], 500 + i, if i == 17 { 50000 } else { i % 2 }));
    }
    std::fs::write(&bank, text).unwrap();
    let ws2 = dir.path().join("ws2");
    churnlens().args(["import", "--as", "snapshot", "-w"]).arg(&ws2).arg(&bank).assert().success();
    churnlens()
        .args(["model", "train", "--source", "snapshot", "--label", "Exited_2025", "-w"])
        .arg(&ws2)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("17: 50000"));
}

#[path = "../../churnlens-models/tests/shared_data/mod.rs"]
mod shared_data;

/// Telco acceptance (#6) through a workspace: `model evaluate --algo all
/// --label Churn --folds 5` on the imported snapshot compares the five
/// families in one table; 5-fold stratified CV mean ROC AUC ≥ 0.84 for
/// logistic regression and ≥ 0.845 for gradient boosting (issue #6). The
/// SVM is fitted on its documented subsample (at most 2,000 rows).
#[test]
fn model_evaluate_all_families_on_telco() {
    let Some(data) = shared_data::shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "--as", "snapshot", "-w"]).arg(&ws).arg(data.join("telco/Telco-Customer-Churn.csv")).assert().success();
    let out =
        churnlens().args(["model", "evaluate", "--algo", "all", "--label", "Churn", "--folds", "5", "--format", "json", "-w"]).arg(&ws).assert().success();
    let evaluation: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let results = evaluation["report"]["evaluation"]["results"].as_array().unwrap();
    let auc = |algorithm: &str| results.iter().find(|r| r["algorithm"] == algorithm).unwrap()["metrics"]["roc_auc"].as_f64().unwrap();
    for r in results {
        eprintln!("{} mean AUC {:.4} ± {:.4}, fitted on {}", r["algorithm"], r["metrics"]["roc_auc"], r["roc_auc_std"], r["fitted_rows"]);
    }
    assert_eq!(results.len(), 5);
    assert_eq!(evaluation["report"]["evaluation"]["method"], "5-fold");
    assert!(auc("logistic") >= 0.84, "logistic {}", auc("logistic"));
    assert!(auc("gbdt") >= 0.845, "gbdt {}", auc("gbdt"));
    let svm = results.iter().find(|r| r["algorithm"] == "svm").unwrap();
    assert!(svm["fitted_rows"].as_u64().unwrap() <= 2000);
}

#[test]
fn user_add_with_password_stdin_and_serve_refusing_without_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    churnlens().args(["import", "-w"]).arg(&ws).args(["--as", "orders"]).arg(orders_file(dir.path())).assert().success();
    // No admin yet: serve refuses, says how to make one, and exits 1 without binding.
    churnlens()
        .args(["serve", "-w"])
        .arg(&ws)
        .args(["--addr", "127.0.0.1:0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("churnlens user add NAME --role admin"));
    churnlens()
        .args(["serve", "--lang", "zh", "-w"])
        .arg(&ws)
        .args(["--addr", "127.0.0.1:0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("工作区还没有管理员账户"));
    // Too short a password is refused; no terminal and no --password-stdin is refused too.
    churnlens().args(["user", "-w"]).arg(&ws).args(["add", "boss", "--role", "admin", "--password-stdin"]).write_stdin("short\n").assert().code(1);
    churnlens()
        .args(["user", "-w"])
        .arg(&ws)
        .args(["add", "boss", "--role", "admin"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--password-stdin"));
    churnlens()
        .args(["user", "-w"])
        .arg(&ws)
        .args(["add", "boss", "--role", "admin", "--password-stdin"])
        .write_stdin("a long enough password\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Added user boss (admin)"));
    churnlens().args(["user", "-w"]).arg(&ws).args(["add", "boss", "--password-stdin"]).write_stdin("another password\n").assert().code(1);
    churnlens().args(["user", "-w"]).arg(&ws).arg("list").assert().success().stdout(predicate::str::contains("boss").and(predicate::str::contains("admin")));
    // The hash in the catalog is argon2id, never the password.
    let conn = rusqlite_free_hash(&ws);
    assert!(conn.starts_with("$argon2id$v=19$"), "{conn}");
    churnlens().args(["user", "-w"]).arg(&ws).args(["passwd", "boss", "--password-stdin"]).write_stdin("a newer long password\n").assert().success();
    // The last admin cannot be removed, nor disabled.
    churnlens().args(["user", "-w"]).arg(&ws).args(["remove", "boss"]).assert().code(1).stderr(predicate::str::contains("last admin"));
    churnlens().args(["user", "-w"]).arg(&ws).args(["disable", "boss"]).assert().code(1).stderr(predicate::str::contains("last admin"));
    // Another account disabled, listed so, and enabled again.
    churnlens()
        .args(["user", "-w"])
        .arg(&ws)
        .args(["add", "ann", "--role", "analyst", "--password-stdin"])
        .write_stdin("ann's long password\n")
        .assert()
        .success();
    churnlens().args(["user", "-w"]).arg(&ws).args(["disable", "ann"]).assert().success().stdout(predicate::str::contains("Disabled user ann"));
    let disabled = |ws: &std::path::Path| churnlens_server::Accounts::open(ws).unwrap().user("ann").unwrap().unwrap().disabled;
    assert!(disabled(&ws));
    churnlens().args(["user", "-w"]).arg(&ws).arg("list").assert().success().stdout(predicate::str::contains("✗"));
    churnlens().args(["user", "-w"]).arg(&ws).args(["enable", "ann"]).assert().success().stdout(predicate::str::contains("Enabled user ann"));
    assert!(!disabled(&ws));
    churnlens().args(["user", "-w"]).arg(&ws).args(["disable", "nobody"]).assert().code(1);
}

/// The stored hash of `boss`, read through the server crate (the CLI test has no SQLite of its own).
fn rusqlite_free_hash(ws: &std::path::Path) -> String {
    churnlens_server::Accounts::open(ws).unwrap().password_hash("boss").unwrap().unwrap()
}
