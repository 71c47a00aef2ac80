//! What a score means for a retention team: the risk tier of a
//! probability and, per customer, the top reasons as sentences in zh and
//! en ("90 天内下单次数下降 60%", "Contract: Month-to-month", "90 天未购买"), from
//! per-feature contributions (TreeSHAP values for tree models,
//! coefficient × value for logistic regression).

use churnlens_core::Lang;
use serde::{Deserialize, Serialize};

use super::encode::OTHER_LEVEL;
use super::features::{number, sentence};
use super::frame::FeatureName;

/// A risk tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// P(churn) at or above the high threshold.
    High,
    /// At or above the medium threshold.
    Medium,
    /// Below it.
    Low,
}

impl Tier {
    /// The tier's label in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Tier::High => lang.pick("high", "高"),
            Tier::Medium => lang.pick("medium", "中"),
            Tier::Low => lang.pick("low", "低"),
        }
    }
}

/// Probability thresholds of the tiers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TierThresholds {
    /// High risk from this probability on. Default 0.5.
    pub high: f64,
    /// Medium risk from this probability on. Default 0.25.
    pub medium: f64,
}

impl Default for TierThresholds {
    fn default() -> Self {
        TierThresholds { high: 0.5, medium: 0.25 }
    }
}

impl TierThresholds {
    /// Checks 0 ≤ medium ≤ high ≤ 1.
    pub fn check(&self) -> Result<(), String> {
        if (0.0..=1.0).contains(&self.medium) && (0.0..=1.0).contains(&self.high) && self.medium <= self.high {
            Ok(())
        } else {
            Err(format!("tier thresholds medium {} and high {} need 0 ≤ medium ≤ high ≤ 1 / 分层阈值须满足 0 ≤ 中 ≤ 高 ≤ 1", self.medium, self.high))
        }
    }

    /// The tier of a probability.
    pub fn tier(&self, probability: f64) -> Tier {
        if probability >= self.high {
            Tier::High
        } else if probability >= self.medium {
            Tier::Medium
        } else {
            Tier::Low
        }
    }
}

/// A feature's value as a sentence: an activity feature as
/// [`super::features`] says it (`orders_90d_change` = −0.6 → "orders in the
/// last 90 days down 60%" / "90 天内下单次数下降 60%", `recency_days` = 45 →
/// "45 天未购买"); a one-hot level → "Contract: Month-to-month" /
/// "Contract为 Month-to-month"; a missing indicator → "nps_last unknown";
/// otherwise "name = value". `value` is the feature's value as the model
/// saw it (before imputation for a missing one).
pub fn describe(name: &FeatureName, value: f64, lang: Lang) -> String {
    if let (Some((column, level)), Some((column_zh, _))) = (name.en.split_once('='), name.zh.split_once('=')) {
        let rare = level == OTHER_LEVEL;
        return match (lang, value > 0.5, rare) {
            (Lang::En, true, false) => format!("{column}: {level}"),
            (Lang::En, false, false) => format!("{column} not {level}"),
            (Lang::En, true, true) => format!("{column}: a rare value"),
            (Lang::En, false, true) => format!("{column}: a common value"),
            (Lang::Zh, true, false) => format!("{column_zh}为 {level}"),
            (Lang::Zh, false, false) => format!("{column_zh}不是 {level}"),
            (Lang::Zh, true, true) => format!("{column_zh}为少见取值"),
            (Lang::Zh, false, true) => format!("{column_zh}为常见取值"),
        };
    }
    if let (Some(column), Some(column_zh)) = (name.en.strip_suffix("_missing"), name.zh.strip_suffix("缺失")) {
        return match (lang, value > 0.5) {
            (Lang::En, true) => format!("{column} unknown"),
            (Lang::En, false) => format!("{column} known"),
            (Lang::Zh, true) => format!("{column_zh}未知"),
            (Lang::Zh, false) => format!("{column_zh}已知"),
        };
    }
    if let Some(sentence) = sentence(name, value, lang) {
        return sentence;
    }
    match lang {
        Lang::En if value.is_nan() => format!("{} unknown", name.en),
        Lang::Zh if value.is_nan() => format!("{}未知", name.zh),
        Lang::En => format!("{} = {}", name.en, number(value)),
        Lang::Zh => format!("{}为 {}", name.zh, number(value)),
    }
}

/// One reason for a customer's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The feature (English name).
    pub feature: String,
    /// Its contribution to the score (log-odds or probability units, as the model explains).
    pub contribution: f64,
    /// The sentence, with its direction.
    pub text: String,
}

/// The `k` features with the largest contributions toward churn (positive
/// ones first by size; then, if fewer than `k` push toward churn, none
/// more — a reason is a reason for risk), as sentences.
pub fn top_reasons(names: &[FeatureName], values: &[f64], contributions: &[f64], k: usize, lang: Lang) -> Vec<Reason> {
    top_reasons_among(names, values, contributions, k, lang, |_| true)
}

/// As [`top_reasons`], among the features `among(j)` accepts (the drivers,
/// say: a customer's reasons a save campaign can act on).
pub fn top_reasons_among(names: &[FeatureName], values: &[f64], contributions: &[f64], k: usize, lang: Lang, among: impl Fn(usize) -> bool) -> Vec<Reason> {
    let mut order: Vec<usize> = (0..contributions.len()).filter(|&j| contributions[j] > 0.0 && among(j)).collect();
    order.sort_by(|&a, &b| contributions[b].total_cmp(&contributions[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .take(k)
        .map(|j| Reason { feature: names[j].en.clone(), contribution: contributions[j], text: describe(&names[j], values[j], lang) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_read_as_the_issue_asks() {
        let change = FeatureName::new("orders_90d_change", "90 天内下单次数变化");
        assert_eq!(describe(&change, -0.6, Lang::Zh), "90 天内下单次数下降 60%");
        assert_eq!(describe(&change, -0.6, Lang::En), "orders in the last 90 days down 60%");
        assert_eq!(describe(&change, 0.25, Lang::En), "orders in the last 90 days up 25%");
        let contract = FeatureName::new("Contract=Month-to-month", "Contract=Month-to-month");
        assert_eq!(describe(&contract, 1.0, Lang::En), "Contract: Month-to-month");
        assert_eq!(describe(&contract, 1.0, Lang::Zh), "Contract为 Month-to-month");
        let recency = FeatureName::new("recency_days", "距上次购买天数");
        assert_eq!(describe(&recency, 45.0, Lang::Zh), "45 天未购买");
        let age = FeatureName::verbatim("age");
        assert_eq!(describe(&age, 45.0, Lang::Zh), "age为 45");
        assert_eq!(describe(&age, 45.5, Lang::En), "age = 45.50");
        assert_eq!(describe(&FeatureName::new("nps_last_missing", "最近一次 NPS 评分缺失"), 1.0, Lang::Zh), "最近一次 NPS 评分未知");
    }

    #[test]
    fn tiers_and_top_reasons() {
        let t = TierThresholds::default();
        assert_eq!([t.tier(0.7), t.tier(0.5), t.tier(0.3), t.tier(0.1)], [Tier::High, Tier::High, Tier::Medium, Tier::Low]);
        assert!(TierThresholds { high: 0.2, medium: 0.5 }.check().is_err());
        let names = vec![FeatureName::new("a", "a"), FeatureName::new("b", "b"), FeatureName::new("c", "c")];
        let reasons = top_reasons(&names, &[1.0, 2.0, 3.0], &[0.1, -0.5, 0.4], 2, Lang::En);
        let features: Vec<&str> = reasons.iter().map(|r| r.feature.as_str()).collect();
        assert_eq!(features, ["c", "a"]);
        assert_eq!(reasons[0].text, "c = 3");
        let among = top_reasons_among(&names, &[1.0, 2.0, 3.0], &[0.1, -0.5, 0.4], 2, Lang::En, |j| j != 2);
        assert_eq!(among.iter().map(|r| r.feature.as_str()).collect::<Vec<_>>(), ["a"], "b pushes away from churn");
    }
}
