//! The sentences of the report, in English and Chinese: what each section
//! shows and what stands out, with the numbers filled in from the data. One
//! catalogue, so a translation is one place to look.

use churnlens_core::Lang;
use churnlens_models::prediction::train::CORRELATED_RHO;

use crate::data::Mover;

/// "all" for the overall curve.
pub fn all(lang: Lang) -> &'static str {
    lang.pick("all", "全部")
}

/// The workspace has orders but not one complete month.
pub fn no_complete_month(lang: Lang) -> &'static str {
    lang.pick("The orders do not cover a complete month yet, so there is nothing to report.", "订单数据尚不足一个完整月份，暂无可报告的内容。")
}

/// No surveys table.
pub fn no_surveys(lang: Lang) -> &'static str {
    lang.pick(
        "NPS is left out: the workspace has no survey answers (churnlens import --as surveys FILE).",
        "未包含 NPS：工作区没有调查问卷数据（churnlens import --as surveys 文件）。",
    )
}

/// Churn prediction is not built yet.
pub fn no_churn_model(lang: Lang) -> &'static str {
    lang.pick(
        "Model comparison, ROC, lift and the at-risk table are left out: no churn model is saved in this workspace (train one with `churnlens model train`).",
        "未包含模型对比、ROC、提升度和高风险客户表：此工作区没有已保存的流失模型（请先运行 churnlens model train）。",
    )
}

/// A section that could not be computed.
pub fn section_failed(lang: Lang, error: &str) -> String {
    match lang {
        Lang::En => format!("Left out: {error}"),
        Lang::Zh => format!("未包含：{error}"),
    }
}

fn points(change: f64, lang: Lang) -> String {
    let size = change.abs();
    match (lang, change >= 0.0) {
        (Lang::En, true) => format!("rose {size:.1} percentage points"),
        (Lang::En, false) => format!("fell {size:.1} percentage points"),
        (Lang::Zh, true) => format!("上升 {size:.1} 个百分点"),
        (Lang::Zh, false) => format!("下降 {size:.1} 个百分点"),
    }
}

/// The trend: the month's churn rate, its change and the group that moved most.
pub fn trend(lang: Lang, month: &str, churn: Option<f64>, previous: Option<f64>, breakdown: Option<&str>, mover: Option<&Mover>) -> String {
    let Some(churn) = churn else {
        return lang.pick("Monthly churn and retention rates (90-day window).", "每月流失率与留存率（90 天窗口）。").to_owned();
    };
    let mut out = match (lang, previous) {
        (Lang::En, Some(p)) => {
            format!("Monthly churn and retention (90-day window). In {month} churn {} vs the month before, to {churn:.1}%", points(churn - p, lang))
        }
        (Lang::Zh, Some(p)) => format!("每月流失率与留存率（90 天窗口）。{month} 流失率较上月{}，为 {churn:.1}%", points(churn - p, lang)),
        (Lang::En, None) => format!("Monthly churn and retention (90-day window). Churn in {month}: {churn:.1}%"),
        (Lang::Zh, None) => format!("每月流失率与留存率（90 天窗口）。{month} 流失率为 {churn:.1}%"),
    };
    if let (Some(by), Some(m)) = (breakdown, mover) {
        out.push_str(&match lang {
            Lang::En => format!("; the biggest mover by {by} was {} ({:.1}% → {:.1}%).", m.group, m.previous, m.value),
            Lang::Zh => format!("，按 {by} 看变化最大的是{}（{:.1}% → {:.1}%）。", m.group, m.previous, m.value),
        });
    } else {
        out.push_str(lang.pick(".", "。"));
    }
    out
}

/// Revenue lost to churn.
pub fn revenue_lost(lang: Lang, last_year: f64, worst: Option<(&str, f64)>) -> String {
    let base = match lang {
        Lang::En => format!(
            "Revenue the month's churners brought in their last 12 months. Over the last 12 months, churners took {last_year:.0} of yearly revenue with them"
        ),
        Lang::Zh => format!("每月流失客户在流失前 12 个月内贡献的收入。近 12 个月流失客户共带走年收入 {last_year:.0}"),
    };
    match (lang, worst) {
        (Lang::En, Some((m, v))) => format!("{base}; the heaviest month was {m} ({v:.0})."),
        (Lang::Zh, Some((m, v))) => format!("{base}，损失最大的月份是 {m}（{v:.0}）。"),
        (Lang::En, None) => format!("{base}."),
        (Lang::Zh, None) => format!("{base}。"),
    }
}

/// Cohorts: mean month-1 retention, the best and the weakest cohort.
pub fn cohorts(lang: Lang, mean: Option<f64>, best: Option<(&str, f64)>, worst: Option<(&str, f64)>) -> String {
    let lead = lang.pick("Share of each first-purchase cohort buying again N months later.", "各首购月份客群在 N 个月后仍有购买的比例。");
    match (mean, best, worst) {
        (Some(m), Some((b, bv)), Some((w, wv))) => match lang {
            Lang::En => format!("{lead} On average {m:.1}% buy again in the month after joining; best cohort {b} ({bv:.1}%), weakest {w} ({wv:.1}%)."),
            Lang::Zh => format!("{lead}平均 {m:.1}% 的新客在次月再次购买；表现最好的是 {b}（{bv:.1}%），最弱的是 {w}（{wv:.1}%）。"),
        },
        _ => lead.to_owned(),
    }
}

/// Lifecycle: the last month's new, churned, reactivated and dormant customers.
pub fn lifecycle(lang: Lang, month: &str, [new, churned, reactivated, dormant]: [u64; 4]) -> String {
    let net = new as i64 + reactivated as i64 - churned as i64;
    match lang {
        Lang::En => format!(
            "Customers by lifecycle stage each month, and the moves into the last month. In {month}: {new} new, {reactivated} reactivated, {churned} churned (net {net:+}); {dormant} active customers are dormant — buying less often than usual."
        ),
        Lang::Zh => format!(
            "每月各生命周期阶段的客户数，以及进入最近一个月的流转。{month}：新客 {new}，回流 {reactivated}，流失 {churned}（净增 {net:+}）；{dormant} 位活跃客户处于沉睡状态，购买频率低于以往。"
        ),
    }
}

/// NPS: the last month's score and its change.
pub fn nps(lang: Lang, month: &str, value: Option<f64>, previous: Option<f64>) -> String {
    match (lang, value, previous) {
        (Lang::En, Some(v), Some(p)) => format!("Net Promoter Score per month (% 9–10 − % 0–6). {month}: {v:.1}, {:+.1} vs the month before.", v - p),
        (Lang::Zh, Some(v), Some(p)) => format!("每月净推荐值（9–10 分占比 − 0–6 分占比）。{month}：{v:.1}，较上月 {:+.1}。", v - p),
        (Lang::En, Some(v), None) => format!("Net Promoter Score per month (% 9–10 − % 0–6). {month}: {v:.1}."),
        (Lang::Zh, Some(v), None) => format!("每月净推荐值（9–10 分占比 − 0–6 分占比）。{month}：{v:.1}。"),
        _ => lang.pick("Net Promoter Score per month (% 9–10 − % 0–6).", "每月净推荐值（9–10 分占比 − 0–6 分占比）。").to_owned(),
    }
}

/// RFM segments: the largest and the one with the highest churn.
pub fn segments(lang: Lang, largest: Option<(&str, f64)>, riskiest: Option<(&str, f64)>) -> String {
    let lead = lang.pick(
        "Customers by RFM segment (recency, frequency, monetary value) with the share of each that has churned.",
        "按 RFM（最近购买、频率、金额）分群的客户数及各群已流失比例。",
    );
    match (largest, riskiest) {
        (Some((l, ls)), Some((r, rr))) => match lang {
            Lang::En => format!("{lead} The largest segment is {l} ({ls:.1}% of customers); {r} has the highest churn ({rr:.1}%)."),
            Lang::Zh => format!("{lead}最大的分群是{l}（占客户 {ls:.1}%）；流失率最高的是{r}（{rr:.1}%）。"),
        },
        _ => lead.to_owned(),
    }
}

/// Drivers: the strongest attributes' sentences.
pub fn drivers(lang: Lang, customers: u64, churned: u64, sentences: Vec<&str>) -> String {
    let lead = match lang {
        Lang::En => format!("Customer attributes ranked by how strongly they go with churn (Cramér's V; {churned} of {customers} customers churned)."),
        Lang::Zh => format!("按与流失关联强度（Cramér's V）排序的客户属性（{customers} 位客户中 {churned} 位已流失）。"),
    };
    if sentences.is_empty() {
        return lead;
    }
    match lang {
        Lang::En => format!("{lead} Strongest: {}.", sentences.join("; ")),
        Lang::Zh => format!("{lead}最显著：{}。", sentences.join("；")),
    }
}

/// Survival: overall survival at a month, the median, and the best and worst groups.
pub fn survival(lang: Lang, at: usize, overall: f64, median: Option<f64>, by: Option<&str>, best: Option<(&str, f64)>, worst: Option<(&str, f64)>) -> String {
    let mut out = match lang {
        Lang::En => format!(
            "Share of customers not yet churned by months since their first purchase (Kaplan–Meier, 95% intervals). After {at} months {overall:.1}% remain"
        ),
        Lang::Zh => format!("按首购后月数计的未流失客户比例（Kaplan–Meier，95% 置信区间）。{at} 个月后仍有 {overall:.1}% 的客户未流失"),
    };
    if let Some(m) = median {
        out.push_str(&match lang {
            Lang::En => format!("; the median lifetime is {m:.1} months"),
            Lang::Zh => format!("，中位生命周期 {m:.1} 个月"),
        });
    }
    if let (Some(by), Some((b, bv)), Some((w, wv))) = (by, best, worst) {
        out.push_str(&match lang {
            Lang::En => format!(". By {by}: {b} keeps most ({bv:.1}%), {w} least ({wv:.1}%)."),
            Lang::Zh => format!("。按 {by}：{b} 留存最好（{bv:.1}%），{w} 最差（{wv:.1}%）。"),
        });
    } else {
        out.push_str(lang.pick(".", "。"));
    }
    out
}

/// Forecast: the last forecast month with its 95% interval.
pub fn forecast(lang: Lang, month: &str, point: f64, (low, high): (f64, f64), now: f64, model: &str) -> String {
    let change = if now > 0.0 { (point / now - 1.0) * 100.0 } else { 0.0 };
    match lang {
        Lang::En => format!(
            "Active customers per month and the next six months forecast by {model} with 80% and 95% intervals. {month}: about {point:.0} ({change:+.1}% vs now; 95% interval {low:.0}–{high:.0})."
        ),
        Lang::Zh => format!(
            "每月活跃客户数，及 {model} 模型对未来六个月的预测（80% 与 95% 区间）。{month} 预计约 {point:.0}（较当前 {change:+.1}%；95% 区间 {low:.0}–{high:.0}）。"
        ),
    }
}

/// Predictive CLV: mean per customer and concentration.
pub fn clv(lang: Lang, model: &str, mean: f64, top20: f64, alive: f64) -> String {
    match lang {
        Lang::En => format!(
            "Predicted value of each customer over the next 12 months ({model} + Gamma-Gamma, 1% monthly discount). Mean {mean:.0} per customer; the top 20% of customers hold {top20:.1}% of it; mean P(alive) {alive:.1}%."
        ),
        Lang::Zh => format!(
            "未来 12 个月每位客户的预测价值（{model} + Gamma-Gamma，月折现率 1%）。人均 {mean:.0}；前 20% 的客户贡献 {top20:.1}%；平均存活概率 {alive:.1}%。"
        ),
    }
}

/// A whole number with thousands separators: 1,234.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The curves cannot be drawn: the rows hold one class only.
pub fn single_class(lang: Lang) -> &'static str {
    lang.pick("the model's training rows hold one class only, so no ROC curve can be drawn", "模型的训练数据只有一个类别，无法绘制 ROC 曲线")
}

/// Churn models: how many were compared, the best and the default, and the recency baseline.
pub fn churn_models(lang: Lang, models: usize, (best, best_auc): (&str, f64), (chosen, chosen_auc): (&str, f64), baseline: Option<f64>) -> String {
    let mut out = match lang {
        Lang::En => format!(
            "Held-out ROC AUC of the {models} saved churn model(s), as measured when they were trained. {best} ranks churners best ({best_auc:.3}); the report uses {chosen} ({chosen_auc:.3})"
        ),
        Lang::Zh => {
            format!("{models} 个已保存流失模型在训练时的留出集 ROC AUC。{best} 区分流失客户的能力最强（{best_auc:.3}）；本报告使用 {chosen}（{chosen_auc:.3}）")
        }
    };
    if let Some(b) = baseline {
        out.push_str(&match lang {
            Lang::En => format!(", {:+.3} over ranking by recency alone ({b:.3}).", chosen_auc - b),
            Lang::Zh => format!("，比只按最近购买时间排序（{b:.3}）高 {:+.3}。", chosen_auc - b),
        });
    } else {
        out.push_str(lang.pick(".", "。"));
    }
    out
}

/// ROC and gains of the default model on its training rows.
pub fn churn_curves(lang: Lang, held_out: bool, rows: usize, auc: f64, top_gain: Option<f64>, top_lift: Option<f64>) -> String {
    let rows = count(rows);
    let lead = match (lang, held_out) {
        (Lang::En, true) => format!("ROC curve and cumulative gains of the report's model on {rows} held-out rows it was not fitted on (AUC {auc:.3})."),
        (Lang::Zh, true) => format!("本报告所用模型在 {rows} 行未参与拟合的留出数据上的 ROC 曲线与累计增益（AUC {auc:.3}）。"),
        (Lang::En, false) => format!(
            "ROC curve and cumulative gains of the report's model on its {rows} training rows (in-sample, so optimistic: AUC {auc:.3}; retrain the model to keep its held-out curves)."
        ),
        (Lang::Zh, false) => {
            format!("本报告所用模型在其 {rows} 行训练数据上的 ROC 曲线与累计增益（样本内，结果偏乐观：AUC {auc:.3}；重新训练模型即可保存留出集曲线）。")
        }
    };
    match (top_gain, top_lift) {
        (Some(gain), Some(lift)) => match lang {
            Lang::En => format!("{lead} The riskiest 10% hold {gain:.1}% of the churners, {lift:.1}× the average rate."),
            Lang::Zh => format!("{lead}风险最高的 10% 客户包含 {gain:.1}% 的流失客户，是平均水平的 {lift:.1} 倍。"),
        },
        _ => lead,
    }
}

/// Global importance: the strongest features, and the strongest drivers
/// (not warning signs) when they are not the same; `grouped` when some
/// entries stand for several correlated features.
pub fn churn_importance(lang: Lang, top: Vec<String>, drivers: Vec<String>, grouped: bool) -> String {
    let list = |names: &[String], separator: &str| if names.is_empty() { "–".to_owned() } else { names.join(separator) };
    let drivers_said = |separator: &str| if drivers == top { None } else { Some(list(&drivers, separator)) };
    match lang {
        Lang::En => {
            let mut text = format!("What the model relies on most: the drop in held-out ROC AUC when a feature is shuffled. Strongest: {}.", list(&top, ", "));
            if grouped {
                text.push_str(&format!(
                    " Features that move together (rank correlation of {CORRELATED_RHO} or more) carry one signal, so they are shuffled together and shown as one entry."
                ));
            }
            if let Some(drivers) = drivers_said(", ") {
                text.push_str(&format!(
                    " Warning signs (recent activity that shows a decision to leave already taken) say who is leaving; the strongest drivers — what customers experienced and who they are, what a save campaign can act on — are: {drivers}."
                ));
            }
            text
        }
        Lang::Zh => {
            let mut text = format!("模型最依赖的特征：打乱该特征后留出集 ROC AUC 的下降。最重要：{}。", list(&top, "、"));
            if grouped {
                text.push_str(&format!("同步变化的特征（秩相关系数不低于 {CORRELATED_RHO}）反映同一信号，因此一起打乱，合为一项显示。"));
            }
            if let Some(drivers) = drivers_said("、") {
                text.push_str(&format!(
                    "预警信号（表明客户已决定离开的近期行为）说明谁在离开；最重要的驱动因素——客户的体验与画像，即挽留活动可以着手之处——是：{drivers}。"
                ));
            }
            text
        }
    }
}

/// The at-risk table: how many customers are high and medium risk today,
/// and over what horizon (activity models; a snapshot's label has none).
pub fn churn_at_risk(lang: Lang, scored: usize, high: usize, medium: usize, high_from: f64, horizon_days: Option<i32>) -> String {
    let (scored, high, medium) = (count(scored), count(high), count(medium));
    match lang {
        Lang::En => {
            let within = horizon_days.map(|days| format!(" within {days} days")).unwrap_or_default();
            format!(
                "Of {scored} customers scored on today's data, the model puts {high} at high risk (churn probability{within} {high_from:.0}% or more) and {medium} at medium risk; the 50 most at risk with their main reasons."
            )
        }
        Lang::Zh => {
            let within = horizon_days.map(|days| format!("{days} 天内")).unwrap_or_default();
            format!(
                "在按当前数据评分的 {scored} 位客户中，模型预计 {high} 位客户为高风险（{within}流失概率不低于 {high_from:.0}%），{medium} 位为中风险；下表为风险最高的 50 位客户及主要原因。"
            )
        }
    }
}

#[cfg(test)]
mod churn_model_tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234), "1,234");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
