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
    churnlens()
        .args(["tables", "-w"])
        .arg(&ws)
        .args(["--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("orders,2,1,"));
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
    churnlens()
        .args(["sql", "--format", "csv", "-w"])
        .arg(&ws)
        .arg("SELECT count(*) AS n FROM customers")
        .assert()
        .success()
        .stdout("n\n300\n");
}
