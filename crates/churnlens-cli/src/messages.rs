//! Everything the CLI prints for people, in English and Chinese, in one place.

use churnlens_core::Lang;
use churnlens_models::prediction::train::CORRELATED_RHO;

/// Prefix of an error line.
pub fn error_prefix(lang: Lang, user: bool) -> &'static str {
    match (user, lang) {
        (true, Lang::En) => "error",
        (true, Lang::Zh) => "错误",
        (false, Lang::En) => "internal error",
        (false, Lang::Zh) => "内部错误",
    }
}

/// Added after an internal error.
pub fn report_bug(lang: Lang) -> &'static str {
    lang.pick("This is a bug in churnlens; please report it with the command you ran.", "这是 churnlens 的缺陷，请连同所运行的命令一起报告。")
}

/// Progress label while reading.
pub fn reading(lang: Lang) -> &'static str {
    lang.pick("reading", "读取")
}

/// Progress label while converting.
pub fn checking(lang: Lang) -> &'static str {
    lang.pick("checking rows", "校验行")
}

/// Progress label while writing.
pub fn writing(lang: Lang) -> &'static str {
    lang.pick("writing parquet", "写入 Parquet")
}

/// Progress label while generating demo data.
pub fn generating(lang: Lang, step: &str) -> String {
    match lang {
        Lang::En => format!("generating {step}"),
        Lang::Zh => format!("生成 {step}"),
    }
}

/// Labels of the import summary.
pub struct ImportLabels {
    pub imported: &'static str,
    pub version: &'static str,
    pub format: &'static str,
    pub encoding: &'static str,
    pub delimiter: &'static str,
    pub rows_read: &'static str,
    pub stored: &'static str,
    pub rejected: &'static str,
    pub by_reason: &'static str,
    pub rejects_file: &'static str,
    pub first_rejects: &'static str,
    pub refunds: &'static str,
    pub unknown_customers: &'static str,
    pub column: &'static str,
    pub source: &'static str,
    pub kind: &'static str,
    pub nulls: &'static str,
    pub null_where: &'static str,
    pub notes: &'static str,
    pub line: &'static str,
    pub value: &'static str,
    pub reason: &'static str,
}

/// The import summary's labels in `lang`.
pub fn import_labels(lang: Lang) -> ImportLabels {
    match lang {
        Lang::En => ImportLabels {
            imported: "Imported",
            version: "version",
            format: "format",
            encoding: "encoding",
            delimiter: "delimiter",
            rows_read: "rows read",
            stored: "stored",
            rejected: "rejected",
            by_reason: "rejected by reason",
            rejects_file: "rejected rows written to",
            first_rejects: "first rejected rows",
            refunds: "refunds (negative amounts, kept)",
            unknown_customers: "rows of customers not in the customers table (kept)",
            column: "column",
            source: "from",
            kind: "type",
            nulls: "nulls",
            null_where: "null at (key or line)",
            notes: "notes",
            line: "line",
            value: "value",
            reason: "reason",
        },
        Lang::Zh => ImportLabels {
            imported: "已导入",
            version: "版本",
            format: "格式",
            encoding: "编码",
            delimiter: "分隔符",
            rows_read: "读取行数",
            stored: "入库",
            rejected: "拒绝",
            by_reason: "拒绝原因",
            rejects_file: "被拒绝的行已写入",
            first_rejects: "前几条被拒绝的行",
            refunds: "退款（负金额，已保留）",
            unknown_customers: "客户表中不存在的客户的行（已保留）",
            column: "列",
            source: "来源列",
            kind: "类型",
            nulls: "空值",
            null_where: "空值位置（主键或行号）",
            notes: "说明",
            line: "行",
            value: "值",
            reason: "原因",
        },
    }
}

/// Header of the demo summary table.
pub fn demo_header(lang: Lang) -> Vec<String> {
    let cols: &[&str] = match lang {
        Lang::En => &["table", "file", "format", "encoding", "rows read", "stored", "rejected"],
        Lang::Zh => &["表", "文件", "格式", "编码", "读取行数", "入库", "拒绝"],
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// Lines printed after the demo.
pub fn demo_done(lang: Lang, workspace: &str, data_dir: &str, truth: &str, seconds: f64) -> String {
    match lang {
        Lang::En => format!(
            "Demo data written to {data_dir} and imported into workspace {workspace} in {seconds:.1} s.\n\
             Planted ground truth (who churned and why): {truth}\n\
             Try: churnlens sql -w {workspace} \"SELECT count(*) AS orders, sum(amount) AS revenue FROM orders\""
        ),
        Lang::Zh => format!(
            "演示数据已写入 {data_dir}，并在 {seconds:.1} 秒内导入工作区 {workspace}。\n\
             预设的真实情况（谁流失了、为什么）：{truth}\n\
             试试：churnlens sql -w {workspace} \"SELECT count(*) AS orders, sum(amount) AS revenue FROM orders\""
        ),
    }
}

/// Printed when the demo only writes files.
pub fn demo_files_only(lang: Lang, data_dir: &str) -> String {
    match lang {
        Lang::En => format!("Demo files written to {data_dir} (not imported)."),
        Lang::Zh => format!("演示文件已写入 {data_dir}（未导入）。"),
    }
}

/// Header of the inspect column table.
pub fn inspect_header(lang: Lang) -> Vec<String> {
    let cols: &[&str] = match lang {
        Lang::En => &["column", "maps to", "type", "date form", "nulls", "examples"],
        Lang::Zh => &["列", "映射到", "类型", "日期格式", "空值", "示例"],
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// Inspect's summary line.
pub fn inspect_summary(lang: Lang, format: &str, encoding: &str, delimiter: &str, rows: u64, table: &str) -> String {
    match lang {
        Lang::En => format!("format {format} · encoding {encoding} · delimiter {delimiter} · {rows} data rows · table {table}"),
        Lang::Zh => format!("格式 {format} · 编码 {encoding} · 分隔符 {delimiter} · {rows} 行数据 · 目标表 {table}"),
    }
}

/// Inspect's heading for problems.
pub fn problems(lang: Lang) -> &'static str {
    lang.pick("would stop an import", "导入将因此中止")
}

/// Inspect's heading for sample rows.
pub fn sample_rows(lang: Lang) -> &'static str {
    lang.pick("sample rows", "示例行")
}

/// Header of the tables listing.
pub fn tables_header(lang: Lang) -> Vec<String> {
    let cols: &[&str] = match lang {
        Lang::En => &["table", "rows", "version", "updated (UTC)", "last source", "last import rejected"],
        Lang::Zh => &["表", "行数", "版本", "更新时间 (UTC)", "最近来源", "最近导入拒绝行数"],
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// Printed when the workspace has no tables.
pub fn no_tables(lang: Lang) -> &'static str {
    lang.pick(
        "The workspace has no tables yet: run `churnlens demo` or `churnlens import --as TABLE FILE`.",
        "工作区还没有数据表：请运行 `churnlens demo` 或 `churnlens import --as 表名 文件`。",
    )
}

/// Asked when import has no table.
pub fn import_needs_table(lang: Lang) -> &'static str {
    lang.pick(
        "say which table the file holds with --as (customers, orders, order_items, events, subscriptions, feedback, surveys, leads, marketing_spend, snapshot), or run `churnlens inspect FILE` to see what it looks like",
        "请用 --as 指定文件对应的表（customers、orders、order_items、events、subscriptions、feedback、surveys、leads、marketing_spend、snapshot），或先运行 `churnlens inspect 文件` 查看",
    )
}

/// The demo's headline numbers.
pub fn headline(lang: Lang, h: &crate::commands::demo::Headline) -> String {
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}%"));
    let num = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    match lang {
        Lang::Zh => format!(
            "{} 月度概览（90 天流失窗口）：流失率 {} · 留存率 {} · 月末活跃客户 {} · 平均历史 CLV ¥{} · NPS {}",
            h.period,
            pct(h.churn_rate_pct),
            pct(h.retention_rate_pct),
            h.active_customers,
            num(h.average_clv),
            num(h.nps)
        ),
        Lang::En => format!(
            "{} at a glance (90-day churn window): churn rate {} · retention rate {} · active customers at month end {} · average historical CLV ¥{} · NPS {}",
            h.period,
            pct(h.churn_rate_pct),
            pct(h.retention_rate_pct),
            h.active_customers,
            num(h.average_clv),
            num(h.nps)
        ),
    }
}

/// The repeat-gap quantiles and the recommended churn window in words.
pub fn window_summary(lang: Lang, sweep: &churnlens_metrics::window::WindowSweep) -> String {
    let Some(recommended) = sweep.recommended else {
        return lang
            .pick("No customer bought twice: the gaps between purchases cannot suggest a window.", "没有客户复购：无法根据复购间隔建议流失窗口。")
            .to_string();
    };
    let quantiles: Vec<String> = sweep.quantiles.iter().map(|(q, gap)| format!("p{} {gap}", (q * 100.0).round())).collect();
    let limit = sweep.max_false_churn * 100.0;
    match lang {
        Lang::En => format!(
            "Gaps between repeat purchases ({} gaps, days): {}.\nRecommended window: {recommended} days — the shortest at which at most {limit:.0}% of churns are followed by a later purchase.",
            sweep.gaps,
            quantiles.join(", ")
        ),
        Lang::Zh => format!(
            "复购间隔（共 {} 个，天）：{}。\n建议流失窗口：{recommended} 天——在此窗口下，被判为流失后又回购的比例不超过 {limit:.0}%（满足条件的最短窗口）。",
            sweep.gaps,
            quantiles.join("，")
        ),
    }
}

/// Subscription rows left out of contractual metrics.
pub fn subscriptions_ignored(lang: Lang, rows: u64) -> String {
    match lang {
        Lang::En => format!("note: {rows} subscription rows end on or before their start day and were left out (check their dates)"),
        Lang::Zh => format!("提示：{rows} 条订阅记录的结束日期不晚于开始日期，已排除（请检查日期）"),
    }
}

/// `survival logrank` without groups.
pub fn logrank_needs_by(lang: Lang) -> &'static str {
    lang.pick("a log-rank test compares groups: say which column with --by, e.g. --by Contract", "对数秩检验需要分组：请用 --by 指定列，例如 --by Contract")
}

/// `survival cox` without covariates.
pub fn cox_needs_covariates(lang: Lang) -> &'static str {
    lang.pick(
        "a Cox model needs covariates: name them with --covariates, e.g. --covariates Contract,MonthlyCharges",
        "Cox 模型需要协变量：请用 --covariates 指定，例如 --covariates Contract,MonthlyCharges",
    )
}

/// `forecast --horizon 0`.
pub fn horizon_zero(lang: Lang) -> &'static str {
    lang.pick("--horizon 0: forecast at least one period, e.g. --horizon 6", "--horizon 0：至少预测 1 期，例如 --horizon 6")
}

/// The demo's survival curves and active-customer forecast.
pub fn demo_lifetimes(lang: Lang, d: &crate::commands::survival::DemoLifetimes) -> String {
    let months: Vec<String> = d.months.iter().map(|m| format!("{m}")).collect();
    let mut lines = vec![match lang {
        Lang::En => format!("Customer survival since the first purchase (90-day window), share still active at {} months:", months.join("/")),
        Lang::Zh => format!("首购后客户存活率（90 天流失窗口），第 {} 个月仍活跃的比例：", months.join("/")),
    }];
    for c in &d.curves {
        let survival: Vec<String> = c.survival.iter().map(|s| format!("{:.1}%", s * 100.0)).collect();
        let median = c.median_months.map_or_else(|| lang.pick("not reached", "未达到").to_string(), |m| format!("{m:.1}"));
        lines.push(match lang {
            Lang::En => format!("  {} ({} customers): {} · median {median} months", c.group, c.customers, survival.join(" / ")),
            Lang::Zh => format!("  {}（{} 位客户）：{} · 中位留存 {median} 个月", c.group, c.customers, survival.join(" / ")),
        });
    }
    lines.push(match lang {
        Lang::En => format!("Active customers, next 6 months ({}; 80% and 95% intervals):", d.model),
        Lang::Zh => format!("未来 6 个月活跃客户预测（{}；80% 与 95% 区间）：", d.model),
    });
    for m in &d.forecast {
        lines.push(format!(
            "  {}: {:.0} [{:.0}, {:.0}] [{:.0}, {:.0}]",
            m.period, m.active, m.interval_80[0], m.interval_80[1], m.interval_95[0], m.interval_95[1]
        ));
    }
    lines.join("\n")
}

/// Below the driver table: who was compared, and the columns left out.
pub fn drivers_note(lang: Lang, customers: u64, churned: u64, skipped: &[(String, String)]) -> String {
    let mut text = match lang {
        Lang::En => {
            format!("{customers} customers, {churned} churned; ranked by Cramér's V. Chi-square with Yates' correction on 2 × 2 tables (column yates).")
        }
        Lang::Zh => format!("共 {customers} 位客户，其中流失 {churned} 位；按 Cramér's V 排序。2 × 2 表的卡方检验使用 Yates 校正（yates 列）。"),
    };
    for (column, why) in skipped {
        text.push('\n');
        text.push_str(&match lang {
            Lang::En => format!("left out: {column} ({why})"),
            Lang::Zh => format!("未纳入：{column}（{why}）"),
        });
    }
    text
}

/// The demo's segmentation step: RFM segment sizes and the top churn drivers.
pub fn demo_segments(lang: Lang, segments: &[churnlens_models::segment::rfm::SegmentRow], drivers: &[String]) -> String {
    let sizes: Vec<String> = segments.iter().map(|s| format!("{} {}", s.segment, s.customers)).collect();
    let mut text = match lang {
        Lang::En => format!("RFM segments: {}", sizes.join(", ")),
        Lang::Zh => format!("RFM 分群：{}", sizes.join("，")),
    };
    text.push('\n');
    text.push_str(lang.pick("What goes with churn:", "与流失相关的因素："));
    for line in drivers {
        text.push_str("\n  ");
        text.push_str(line);
    }
    text
}

/// Below the first-purchase table: the share of one-time buyers.
pub fn one_time_buyers(lang: Lang, once: u64, buyers: u64) -> String {
    let pct = if buyers > 0 { once as f64 / buyers as f64 * 100.0 } else { 0.0 };
    match lang {
        Lang::En => format!("{once} of {buyers} buyers ({pct:.1}%) bought only once; churn_rate_pct above is the share of one-time buyers per level."),
        Lang::Zh => format!("{buyers} 位购买客户中 {once} 位（{pct:.1}%）只购买过一次；上表 churn_rate_pct 为各水平中只购买一次的比例。"),
    }
}

/// After `clv fit`: what was fitted on what, how the fit went, where it was saved.
pub fn clv_fitted(lang: Lang, model: &churnlens_models::clv::ClvModel, path: &str) -> String {
    let d = &model.data;
    let (ll, iterations) = model.count_fit.as_ref().map_or((f64::NAN, 0), |f| (f.log_likelihood, f.iterations));
    let correlation = model.spend_model.frequency_monetary_correlation;
    let unit = match (lang, d.unit) {
        (Lang::En, u) => format!("{u:?}").to_lowercase(),
        (Lang::Zh, churnlens_models::clv::TimeUnit::Day) => "天".into(),
        (Lang::Zh, churnlens_models::clv::TimeUnit::Week) => "周".into(),
        (Lang::Zh, churnlens_models::clv::TimeUnit::Month) => "月".into(),
    };
    match lang {
        Lang::En => format!(
            "Fitted {} + Gamma-Gamma on {} customers ({} repeat buyers; spend model on {}), {} – {}, time unit {unit}.\nLog-likelihood {ll:.2} after {iterations} iterations. Frequency–monetary correlation {correlation:.3} (Gamma-Gamma assumes they are independent: near 0 is good).\nSaved to {path}.",
            model.count_model.model_name(),
            d.customers,
            d.repeat_buyers,
            model.spend_model.customers,
            d.first_purchase,
            d.calibration_end
        ),
        Lang::Zh => format!(
            "已在 {} 位客户（复购客户 {} 位；消费模型使用 {} 位）上拟合 {} + Gamma-Gamma，{} 至 {}，时间单位：{unit}。\n对数似然 {ll:.2}，迭代 {iterations} 次。购买频次与客单价相关系数 {correlation:.3}（Gamma-Gamma 假设二者独立，接近 0 为好）。\n已保存到 {path}。",
            d.customers,
            d.repeat_buyers,
            model.spend_model.customers,
            model.count_model.model_name(),
            d.first_purchase,
            d.calibration_end
        ),
    }
}

/// After `clv predict`: the totals in words.
pub fn clv_totals(lang: Lang, t: &churnlens_models::clv::PredictionTotals, months: u32, calibration_end: &str) -> String {
    match lang {
        Lang::En => format!(
            "{} customers (as of {calibration_end}), next {months} months: {:.1} expected purchases, CLV {:.2} in total, {:.2} per customer; {:.1}% have P(alive) > 0.5.",
            t.customers,
            t.expected_purchases,
            t.clv,
            t.clv_per_customer,
            t.share_alive * 100.0
        ),
        Lang::Zh => format!(
            "{} 位客户（截至 {calibration_end}），未来 {months} 个月：预计购买 {:.1} 次，CLV 合计 {:.2}，人均 {:.2}；{:.1}% 的客户存活概率 > 0.5。",
            t.customers,
            t.expected_purchases,
            t.clv,
            t.clv_per_customer,
            t.share_alive * 100.0
        ),
    }
}

/// Titles of the `clv validate` tables.
pub fn clv_by_frequency(lang: Lang) -> &'static str {
    lang.pick("Holdout purchases per customer by calibration frequency (7 = 7 or more):", "按校准期购买频次分组的留出期人均购买次数（7 表示 7 次及以上）：")
}

/// See [`clv_by_frequency`].
pub fn clv_errors(lang: Lang) -> &'static str {
    lang.pick("Holdout purchases in total and errors per customer:", "留出期购买总数与每位客户的误差：")
}

/// See [`clv_by_frequency`].
pub fn clv_cumulative(lang: Lang) -> &'static str {
    lang.pick(
        "Cumulative repeat purchases, actual and model (time in units since the first purchase):",
        "累计复购次数：实际与模型（时间为自首次购买起的单位数）：",
    )
}

/// The demo's CLV step in one line.
pub fn clv_demo(lang: Lang, c: &crate::commands::clv::DemoClv) -> String {
    let t = &c.totals;
    match lang {
        Lang::En => format!(
            "Predictive CLV ({} + Gamma-Gamma, penalizer {}, {} customers, {} repeat buyers): next {} months {:.0} expected purchases ({:.2} per customer), CLV ¥{:.0} in total, ¥{:.2} per customer at {:.0}% a month; {:.1}% have P(alive) > 0.5.",
            c.model,
            c.penalizer,
            c.customers,
            c.repeat_buyers,
            c.horizon_months,
            t.expected_purchases,
            t.expected_purchases / t.customers.max(1) as f64,
            t.clv,
            t.clv_per_customer,
            c.discount_rate * 100.0,
            t.share_alive * 100.0
        ),
        Lang::Zh => format!(
            "预测 CLV（{} + Gamma-Gamma，正则化系数 {}，{} 位客户，复购 {} 位）：未来 {} 个月预计购买 {:.0} 次（人均 {:.2} 次），CLV 合计 ¥{:.0}，人均 ¥{:.2}（月折现率 {:.0}%）；{:.1}% 的客户存活概率 > 0.5。",
            c.model,
            c.penalizer,
            c.customers,
            c.repeat_buyers,
            c.horizon_months,
            t.expected_purchases,
            t.expected_purchases / t.customers.max(1) as f64,
            t.clv,
            t.clv_per_customer,
            c.discount_rate * 100.0,
            t.share_alive * 100.0
        ),
    }
}

/// After `segment … --save`: which attributes were saved, and how to use them.
pub fn attributes_saved(lang: Lang, names: &[&str], customers: usize) -> String {
    let list = names.join(", ");
    let first = names.first().copied().unwrap_or_default();
    match lang {
        Lang::En => {
            format!("saved {list} for {customers} customers as customer attributes; break any metric down by them, e.g. churnlens metrics churn --by {first}")
        }
        Lang::Zh => format!("已将 {list} 保存为 {customers} 位客户的客户属性；任何指标都可按其拆分，例如 churnlens metrics churn --by {first}"),
    }
}

/// Printed when the HTML report is written.
pub fn report_written(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En => format!("Report written to {path} (one self-contained file; open it in a browser, no network needed)."),
        Lang::Zh => format!("报告已写入 {path}（单个自包含文件，可直接用浏览器离线打开）。"),
    }
}

/// Printed when `report --charts` has written the chart files.
pub fn charts_written(lang: Lang, files: usize, dir: &str) -> String {
    match lang {
        Lang::En => format!("{files} chart files (SVG and PNG) written to {dir}."),
        Lang::Zh => format!("已将 {files} 个图表文件（SVG 与 PNG）写入 {dir}。"),
    }
}

/// Printed when no font for PNG text was found and only SVG charts were written.
pub fn charts_png_skipped(lang: Lang, reason: &str) -> String {
    match lang {
        Lang::En => format!("PNG charts skipped, SVG written: {reason}"),
        Lang::Zh => format!("未生成 PNG 图表（已生成 SVG）：{reason}"),
    }
}

/// `--value-saved` without `--offer-cost`.
pub fn model_needs_offer_cost(lang: Lang) -> &'static str {
    lang.pick(
        "--value-saved needs --offer-cost (the cost of one retention offer) to choose the threshold by expected profit",
        "--value-saved 需要与 --offer-cost（每次挽留的成本）一起使用，才能按预期收益选择阈值",
    )
}

/// No value saved could be derived (snapshot data without a CLV model).
pub fn model_needs_value(lang: Lang) -> &'static str {
    lang.pick(
        "give --value-saved (the value kept per churner who stays): these rows have no spend to derive it from, and no CLV model is saved (churnlens clv fit)",
        "请指定 --value-saved（每挽留一位流失客户保住的价值）：这些数据没有消费金额可推算，工作区也没有已保存的 CLV 模型（churnlens clv fit）",
    )
}

/// The value saved given on the command line.
pub fn model_value_given(lang: Lang, value: f64) -> String {
    match lang {
        Lang::En => format!("value saved per churner kept: {value:.2} (--value-saved)"),
        Lang::Zh => format!("每挽留一位流失客户的价值：{value:.2}（--value-saved）"),
    }
}

/// The value saved from the saved CLV model.
pub fn model_value_clv(lang: Lang, months: u32, mean: f64) -> String {
    match lang {
        Lang::En => format!("value saved per churner kept: each customer's {months}-month CLV from the saved CLV model (mean {mean:.2})"),
        Lang::Zh => format!("每挽留一位流失客户的价值：已保存 CLV 模型给出的该客户 {months} 个月 CLV（平均 {mean:.2}）"),
    }
}

/// The value saved from recent spend.
pub fn model_value_spend(lang: Lang, value: f64) -> String {
    match lang {
        Lang::En => format!(
            "value saved per churner kept: {value:.2}, a year of spend at the rate of the last 180 days (mean over the last cutoff's customers; no CLV model saved, no --value-saved)"
        ),
        Lang::Zh => format!(
            "每挽留一位流失客户的价值：{value:.2}，按最近 180 天消费速度折算的一年消费（最后一个截止日客户的平均值；未保存 CLV 模型，也未指定 --value-saved）"
        ),
    }
}

/// `model train` saves one model at a time.
pub fn model_train_one(lang: Lang) -> &'static str {
    lang.pick(
        "train saves one model: give one --algo, or compare them all with `churnlens model evaluate --algo all`",
        "train 每次保存一个模型：请指定一个 --algo，或用 churnlens model evaluate --algo all 比较全部模型",
    )
}

/// Where a trained model was saved.
pub fn model_saved(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En => format!("model saved in {path}"),
        Lang::Zh => format!("模型已保存到 {path}"),
    }
}

/// Heading of the comparison table.
pub fn model_evaluation_header(lang: Lang, method: &str, train: usize, test: usize) -> String {
    match lang {
        Lang::En => format!("Models compared ({method}: {train} training rows, {test} held-out rows)"),
        Lang::Zh => format!("模型比较（{method}：训练样本 {train} 行，评估样本 {test} 行）"),
    }
}

/// The chosen model against the recency-only baseline.
pub fn model_margin(lang: Lang, model: &str, auc: f64, baseline: f64, margin: f64) -> String {
    match lang {
        Lang::En => format!("{model}: ROC AUC {auc:.3} vs {baseline:.3} for recency alone — a margin of {margin:+.3}"),
        Lang::Zh => format!("{model}：ROC AUC {auc:.3}，仅用距上次购买天数为 {baseline:.3}，高出 {margin:+.3}"),
    }
}

/// Heading of the gains table.
pub fn model_gains_header(lang: Lang, model: &str) -> String {
    match lang {
        Lang::En => format!("Gains and lift by decile ({model}, held-out rows)"),
        Lang::Zh => format!("按十分位的累积增益与提升度（{model}，评估样本）"),
    }
}

/// Heading of the calibration table.
pub fn model_calibration_header(lang: Lang, model: &str) -> String {
    match lang {
        Lang::En => format!("Calibration of {model}: predicted probability vs churned share (held-out rows)"),
        Lang::Zh => format!("{model} 的校准：预测概率与实际流失比例（评估样本）"),
    }
}

/// The profit-maximising threshold.
pub fn model_profit(lang: Lang, threshold: f64, contacted: usize, reached: usize, profit: f64, cost: f64, value_source: &str) -> String {
    match lang {
        Lang::En => format!(
            "Best threshold by expected profit: {threshold:.3} — contact {contacted} held-out customers, {reached} of them churners, profit {profit:.2} (offer cost {cost:.2}; {value_source})"
        ),
        Lang::Zh => format!(
            "按预期收益的最佳阈值：{threshold:.3}——联系 {contacted} 位评估客户，其中 {reached} 位会流失，收益 {profit:.2}（每次挽留成本 {cost:.2}；{value_source}）"
        ),
    }
}

/// Heading of the importance table.
pub fn model_importance_header(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!(
            "Global feature importance of {name} (ROC AUC drop when shuffled; features that move together, rank correlation {CORRELATED_RHO} or more, are shuffled together as one entry)"
        ),
        Lang::Zh => {
            format!("{name} 的全局特征重要性（打乱该特征后 ROC AUC 的下降；同步变化的特征，即秩相关系数不低于 {CORRELATED_RHO} 的，一起打乱、合为一项）")
        }
    }
}

/// Heading of the drivers table: the importance without the warning signs.
pub fn model_drivers_header(lang: Lang) -> &'static str {
    lang.pick(
        "Drivers: the same importance without the warning signs (recent activity that shows a decision to leave already taken) — what customers experienced and who they are, what a save campaign can act on",
        "驱动因素：去掉预警信号（表明客户已决定离开的近期行为）后的同一重要性排序——客户的体验与画像，即挽留活动可以着手之处",
    )
}

/// No saved models.
pub fn model_none(lang: Lang) -> &'static str {
    lang.pick("no churn models saved yet: run `churnlens model train` first", "尚未保存流失模型：请先运行 churnlens model train")
}

/// The baseline's row in the comparison table.
pub fn model_baseline_row(lang: Lang) -> &'static str {
    lang.pick("recency only (baseline)", "仅距上次购买天数（基线）")
}

/// The SVM was fitted on a subsample.
pub fn model_svm_subsample(lang: Lang, rows: usize) -> String {
    match lang {
        Lang::En => format!("svm: fitted on a stratified subsample of {rows} training rows (at most 2,000: its solver is slow on more)"),
        Lang::Zh => format!("svm：在 {rows} 行分层抽样的训练样本上拟合（最多 2,000 行：样本更多时求解很慢）"),
    }
}

/// `model explain --customer` for a customer the model cannot score.
pub fn model_no_customer(lang: Lang, id: &str) -> String {
    match lang {
        Lang::En => format!("customer {id} is not among the rows this model scores (activity models score customers active on the data's last day)"),
        Lang::Zh => format!("客户 {id} 不在该模型可评分的范围内（活动数据模型只为数据最后一天仍活跃的客户评分）"),
    }
}

/// Heading of one customer's explanation.
pub fn model_customer_header(lang: Lang, id: &str, model: &str, probability: f64) -> String {
    match lang {
        Lang::En => format!("Customer {id}: churn probability {probability:.3} ({model}); contributions, largest first"),
        Lang::Zh => format!("客户 {id}：流失概率 {probability:.3}（{model}）；各特征贡献，按大小排序"),
    }
}

/// An SVM has no per-feature contributions.
pub fn model_no_contributions(lang: Lang) -> &'static str {
    lang.pick(
        "this model (an RBF SVM) has no per-feature contributions; train a tree model or logistic regression for reasons",
        "该模型（RBF 核 SVM）无法分解到各特征；如需原因，请训练树模型或逻辑回归",
    )
}

/// The training data of a saved activity model, for `model list`.
pub fn model_activity_source(lang: Lang, cutoffs: usize, horizon: i32) -> String {
    match lang {
        Lang::En => format!("activity, {cutoffs} cutoffs, {horizon}d horizon"),
        Lang::Zh => format!("活动数据，{cutoffs} 个截止日，预测期 {horizon} 天"),
    }
}

/// The training data of a saved snapshot model, for `model list`.
pub fn model_snapshot_source(lang: Lang, label: &str) -> String {
    match lang {
        Lang::En => format!("snapshot, label {label}"),
        Lang::Zh => format!("快照，标签列 {label}"),
    }
}

/// The demo's prediction step in one line.
pub fn model_demo(lang: Lang, horizon_days: i32, auc: f64, baseline: Option<f64>, top: &[String], drivers: &[String], scored: usize) -> String {
    let (baseline, margin) = match baseline {
        Some(b) => (format!("{b:.3}"), format!("{:+.3}", auc - b)),
        None => ("-".to_string(), "-".to_string()),
    };
    match lang {
        Lang::En => format!(
            "Churn prediction (who churns within {horizon_days} days; gradient boosting, trained on earlier cutoffs, tested on the last): ROC AUC {auc:.3} vs {baseline} for recency alone (margin {margin}); top features: {}; top drivers (leaving out the warning signs): {}. {scored} active customers scored, churn_tier saved (churnlens metrics churn --by churn_tier). Most at risk now:",
            top.join(", "),
            drivers.join(", ")
        ),
        Lang::Zh => format!(
            "流失预测（{horizon_days} 天内是否流失；梯度提升树，用较早截止日训练、最后一个截止日评估）：ROC AUC {auc:.3}，仅用距上次购买天数为 {baseline}（高出 {margin}）；最重要的特征：{}；最重要的驱动因素（不含预警信号）：{}。已为 {scored} 位活跃客户评分并保存 churn_tier（churnlens metrics churn --by churn_tier）。当前风险最高的客户：",
            top.join("、"),
            drivers.join("、")
        ),
    }
}
