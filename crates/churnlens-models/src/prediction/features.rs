//! What each feature of [`super::activity`] means to a retention team: its
//! kind — a warning sign, an experience, or part of the customer's profile —
//! and its value said as a sentence in zh or en ("90 天未购买", "2 orders
//! with unusually high 配送天数").
//!
//! ## Why kinds
//!
//! With the window rule, many customers who churn within the horizon have
//! made their last purchase already (all of them when the horizon is no
//! longer than the window), and what they did since — fewer app visits, a
//! longer gap than usual — predicts the label better than what made them
//! decide (late deliveries, complaints, a price rise).
//! Those **warning signs** say *who* is leaving; the **experience** and
//! **profile** features say *why*, and are what a save campaign can act on.
//! Importance is reported for all features, and again for the drivers alone
//! (every kind but warning signs), so the causes are not hidden behind the
//! symptoms of a decision already taken.
//!
//! The kind and the sentence come from the English name the activity rows
//! give a feature; any other column (a customer attribute, a snapshot
//! column) is profile and is said as "name = value".

use churnlens_core::Lang;
use serde::{Deserialize, Serialize};

use super::activity::TREND_WINDOWS;
use super::frame::FeatureName;

/// What a feature tells a retention team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// Recent behaviour that shows a decision to leave already taken:
    /// recency, recent orders/spend/events and their trends, gaps, and the
    /// current subscription (a cancelled plan is a customer leaving).
    WarningSign,
    /// What happened to the customer: refunds, order quality columns
    /// (such as delivery days), feedback, complaints, NPS.
    Experience,
    /// Who the customer is: tenure, lifetime totals, usual purchase
    /// interval, subscriptions taken, and every customer attribute.
    #[default]
    Profile,
}

impl FeatureKind {
    /// The kind of the feature named `en` (the English name; for an encoded
    /// feature, its source column).
    pub fn of(en: &str) -> FeatureKind {
        match Known::parse(en) {
            Some(known) => known.kind(),
            None => FeatureKind::Profile,
        }
    }

    /// Whether it can explain why a customer leaves (not a warning sign).
    pub fn is_driver(self) -> bool {
        self != FeatureKind::WarningSign
    }

    /// Its label in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FeatureKind::WarningSign => lang.pick("warning sign", "预警信号"),
            FeatureKind::Experience => lang.pick("experience", "体验"),
            FeatureKind::Profile => lang.pick("profile", "画像"),
        }
    }
}

/// A feature the activity rows build, recognised by its English name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Known<'a> {
    Recency,
    Tenure,
    OrdersTotal,
    PurchaseDays,
    SpendTotal,
    AverageOrder,
    Orders(u32),
    OrdersChange(u32),
    Spend(u32),
    SpendChange(u32),
    MedianGap,
    LastGapRatio,
    OverdueRatio,
    Refunds,
    RefundAmount,
    ExtraMean(&'a str),
    ExtraMax(&'a str),
    ExtraHighCount(&'a str),
    ExtraHigh90(&'a str),
    ExtraHighShare(&'a str),
    EventsTotal,
    Events(u32),
    EventsChange(u32),
    DaysSinceLastEvent,
    Feedback,
    Complaints,
    Complaints90,
    NpsLast,
    NpsMean,
    Surveys,
    SubscribedNow,
    Subscriptions,
    SubscriptionPlan,
    DaysSince(&'a str),
}

/// `{stem}_{w}d` or `{stem}_{w}d_change` with w one of the trend windows.
fn windowed(en: &str, stem: &str) -> Option<(u32, bool)> {
    let rest = en.strip_prefix(stem)?.strip_prefix('_')?;
    let (days, change) = match rest.strip_suffix("d_change") {
        Some(days) => (days, true),
        None => (rest.strip_suffix('d')?, false),
    };
    let days: u32 = days.parse().ok()?;
    TREND_WINDOWS.iter().any(|&w| w as u32 == days).then_some((days, change))
}

impl<'a> Known<'a> {
    fn parse(en: &'a str) -> Option<Known<'a>> {
        let fixed = match en {
            "recency_days" => Some(Known::Recency),
            "tenure_days" => Some(Known::Tenure),
            "orders_total" => Some(Known::OrdersTotal),
            "purchase_days" => Some(Known::PurchaseDays),
            "spend_total" => Some(Known::SpendTotal),
            "avg_order_value" => Some(Known::AverageOrder),
            "median_gap_days" => Some(Known::MedianGap),
            "last_gap_ratio" => Some(Known::LastGapRatio),
            "overdue_ratio" => Some(Known::OverdueRatio),
            "refunds_total" => Some(Known::Refunds),
            "refund_amount" => Some(Known::RefundAmount),
            "events_total" => Some(Known::EventsTotal),
            "days_since_last_event" => Some(Known::DaysSinceLastEvent),
            "feedback_total" => Some(Known::Feedback),
            "complaints_total" => Some(Known::Complaints),
            "complaints_90d" => Some(Known::Complaints90),
            "nps_last" => Some(Known::NpsLast),
            "nps_mean" => Some(Known::NpsMean),
            "surveys_total" => Some(Known::Surveys),
            "subscribed_now" => Some(Known::SubscribedNow),
            "subscriptions_total" => Some(Known::Subscriptions),
            "subscription_plan" => Some(Known::SubscriptionPlan),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        if let Some((days, change)) = windowed(en, "orders") {
            return Some(if change { Known::OrdersChange(days) } else { Known::Orders(days) });
        }
        if let Some((days, change)) = windowed(en, "spend") {
            return Some(if change { Known::SpendChange(days) } else { Known::Spend(days) });
        }
        if let Some((days, change)) = windowed(en, "events") {
            return Some(if change { Known::EventsChange(days) } else { Known::Events(days) });
        }
        if let Some(attribute) = en.strip_prefix("days_since_").filter(|a| !a.is_empty()) {
            return Some(Known::DaysSince(attribute));
        }
        let column = |suffix: &str| en.strip_suffix(suffix).filter(|c| !c.is_empty());
        if let Some(column) = column("_high_count") {
            return Some(Known::ExtraHighCount(column));
        }
        if let Some(column) = column("_high_90d") {
            return Some(Known::ExtraHigh90(column));
        }
        if let Some(column) = column("_high_share") {
            return Some(Known::ExtraHighShare(column));
        }
        if let Some(column) = column("_mean") {
            return Some(Known::ExtraMean(column));
        }
        column("_max").map(Known::ExtraMax)
    }

    fn kind(self) -> FeatureKind {
        use Known::*;
        match self {
            Recency | Orders(_) | OrdersChange(_) | Spend(_) | SpendChange(_) | LastGapRatio | OverdueRatio | Events(_) | EventsChange(_)
            | DaysSinceLastEvent | SubscribedNow | SubscriptionPlan => FeatureKind::WarningSign,
            Refunds | RefundAmount | ExtraMean(_) | ExtraMax(_) | ExtraHighCount(_) | ExtraHigh90(_) | ExtraHighShare(_) | Feedback | Complaints
            | Complaints90 | NpsLast | NpsMean | Surveys => FeatureKind::Experience,
            Tenure | OrdersTotal | PurchaseDays | SpendTotal | AverageOrder | MedianGap | EventsTotal | Subscriptions | DaysSince(_) => FeatureKind::Profile,
        }
    }
}

/// A number for a sentence: whole numbers without decimals, others with two.
pub(super) fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{value:.0}") } else { format!("{value:.2}") }
}

/// "1 order", "3 orders".
fn count(value: f64, one: &str, many: &str) -> String {
    format!("{} {}", number(value), if value == 1.0 { one } else { many })
}

/// A relative change as "down 60%" / "下降 60%".
fn change(value: f64, lang: Lang) -> String {
    let percent = (value.abs() * 100.0).round();
    match (lang, value < 0.0) {
        (Lang::En, true) => format!("down {percent:.0}%"),
        (Lang::En, false) => format!("up {percent:.0}%"),
        (Lang::Zh, true) => format!("下降 {percent:.0}%"),
        (Lang::Zh, false) => format!("上升 {percent:.0}%"),
    }
}

/// The value of an activity feature as a sentence, or `None` for a column
/// the activity rows do not build (its zh name equals its en name: taken
/// verbatim from the user's data) or a missing value.
pub(super) fn sentence(name: &FeatureName, value: f64, lang: Lang) -> Option<String> {
    if name.en == name.zh {
        return None;
    }
    let known = Known::parse(&name.en)?;
    let v = number(value);
    let zh = lang == Lang::Zh;
    let said = |en: String, zh_text: String| if zh { zh_text } else { en };
    if value.is_nan() {
        // A trend with nothing in the window before, the one case whose
        // missing value says something by itself.
        return match known {
            Known::OrdersChange(days) | Known::SpendChange(days) | Known::EventsChange(days) => {
                let (en, zh_subject) = match known {
                    Known::OrdersChange(_) => ("orders", "下单"),
                    Known::SpendChange(_) => ("spend", "消费"),
                    _ => ("app activity", "行为事件"),
                };
                Some(said(format!("no {en} in the {days} days before the last {days}"), format!("此前 {days} 天内没有{zh_subject}")))
            }
            _ => None,
        };
    }
    Some(match known {
        Known::Recency => said(format!("no purchase for {v} days"), format!("{v} 天未购买")),
        Known::Tenure => said(format!("first purchase {v} days ago"), format!("首次购买于 {v} 天前")),
        Known::OrdersTotal => said(format!("{} in all", count(value, "order", "orders")), format!("累计下单 {v} 次")),
        Known::PurchaseDays => said(format!("bought on {} in all", count(value, "day", "days")), format!("累计 {v} 天有购买")),
        Known::SpendTotal => said(format!("spent {v} in all"), format!("累计消费 {v}")),
        Known::AverageOrder => said(format!("average order {v}"), format!("平均客单价 {v}")),
        Known::Orders(days) if value == 0.0 => said(format!("no orders in the last {days} days"), format!("{days} 天内没有下单")),
        Known::Orders(days) => said(format!("{} in the last {days} days", count(value, "order", "orders")), format!("{days} 天内下单 {v} 次")),
        Known::OrdersChange(days) => {
            said(format!("orders in the last {days} days {}", change(value, lang)), format!("{days} 天内下单次数{}", change(value, lang)))
        }
        Known::Spend(days) if value == 0.0 => said(format!("no spend in the last {days} days"), format!("{days} 天内没有消费")),
        Known::Spend(days) => said(format!("spent {v} in the last {days} days"), format!("{days} 天内消费 {v}")),
        Known::SpendChange(days) => {
            said(format!("spend in the last {days} days {}", change(value, lang)), format!("{days} 天内消费金额{}", change(value, lang)))
        }
        Known::MedianGap => said(format!("usually buys every {v} days"), format!("通常每 {v} 天购买一次")),
        Known::LastGapRatio => said(format!("last gap between purchases {v}× the usual"), format!("最近一次购买间隔是平时的 {v} 倍")),
        Known::OverdueRatio => said(format!("time since the last purchase {v}× the usual gap"), format!("距上次购买已是平时间隔的 {v} 倍")),
        Known::Refunds => said(count(value, "refund", "refunds"), format!("退款 {v} 次")),
        Known::RefundAmount => said(format!("refunds of {v} in all"), format!("累计退款金额 {v}")),
        Known::ExtraMean(column) => said(format!("{column} {v} per order on average"), format!("{column}每单平均 {v}")),
        Known::ExtraMax(column) => said(format!("{column} up to {v}"), format!("{column}最高 {v}")),
        Known::ExtraHighCount(column) => said(format!("{} with unusually high {column}", count(value, "order", "orders")), format!("{v} 笔订单{column}偏高")),
        Known::ExtraHigh90(column) => {
            said(format!("{} with unusually high {column} in the last 90 days", count(value, "order", "orders")), format!("90 天内 {v} 笔订单{column}偏高"))
        }
        Known::ExtraHighShare(column) => {
            let percent = format!("{:.0}%", value * 100.0);
            said(format!("{percent} of orders with unusually high {column}"), format!("{percent} 的订单{column}偏高"))
        }
        Known::EventsTotal => said(format!("{} in all", count(value, "app event", "app events")), format!("累计行为事件 {v} 次")),
        Known::Events(days) if value == 0.0 => said(format!("no app activity in the last {days} days"), format!("{days} 天内没有行为事件")),
        Known::Events(days) => said(format!("{} in the last {days} days", count(value, "app event", "app events")), format!("{days} 天内行为事件 {v} 次")),
        Known::EventsChange(days) => {
            said(format!("app activity in the last {days} days {}", change(value, lang)), format!("{days} 天内行为事件数{}", change(value, lang)))
        }
        Known::DaysSinceLastEvent => said(format!("no app activity for {v} days"), format!("{v} 天没有行为事件")),
        Known::Feedback => said(count(value, "feedback message", "feedback messages"), format!("反馈 {v} 条")),
        Known::Complaints => said(count(value, "complaint", "complaints"), format!("投诉 {v} 次")),
        Known::Complaints90 => said(format!("{} in the last 90 days", count(value, "complaint", "complaints")), format!("90 天内投诉 {v} 次")),
        Known::NpsLast => said(format!("last NPS score {v}"), format!("最近一次 NPS 评分 {v}")),
        Known::NpsMean => said(format!("average NPS score {v}"), format!("NPS 平均评分 {v}")),
        Known::Surveys => said(format!("{} answered", count(value, "survey", "surveys")), format!("填写问卷 {v} 次")),
        Known::SubscribedNow if value > 0.5 => said("subscribed now".into(), "当前已订阅".into()),
        Known::SubscribedNow => said("not subscribed now".into(), "当前未订阅".into()),
        Known::Subscriptions => said(count(value, "subscription", "subscriptions"), format!("订阅 {v} 次")),
        Known::SubscriptionPlan => return None,
        // Two years and more (a birth date) read better in years.
        Known::DaysSince(attribute) if value >= 730.0 => {
            let years = (value / 365.25).floor();
            said(format!("{attribute} {years:.0} years ago"), format!("{attribute}距今 {years:.0} 年"))
        }
        Known::DaysSince(attribute) => said(format!("{attribute} {v} days ago"), format!("{attribute}距今 {v} 天")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_split_warning_signs_from_drivers() {
        for en in [
            "recency_days",
            "orders_30d",
            "spend_180d_change",
            "events_90d",
            "events_90d_change",
            "days_since_last_event",
            "last_gap_ratio",
            "overdue_ratio",
            "subscribed_now",
            "subscription_plan",
        ] {
            assert_eq!(FeatureKind::of(en), FeatureKind::WarningSign, "{en}");
        }
        for en in ["配送天数_high_count", "配送天数_high_90d", "complaints_total", "nps_last", "refund_amount"] {
            assert_eq!(FeatureKind::of(en), FeatureKind::Experience, "{en}");
        }
        for en in ["region", "tenure_days", "median_gap_days", "days_since_signup_date", "subscriptions_total", "Contract", "orders_45d"] {
            assert_eq!(FeatureKind::of(en), FeatureKind::Profile, "{en}");
        }
        assert!(FeatureKind::Experience.is_driver() && FeatureKind::Profile.is_driver() && !FeatureKind::WarningSign.is_driver());
    }

    #[test]
    fn sentences_name_the_value() {
        let say = |en: &str, zh: &str, value: f64, lang: Lang| sentence(&FeatureName::new(en, zh), value, lang);
        assert_eq!(say("recency_days", "距上次购买天数", 90.0, Lang::Zh).unwrap(), "90 天未购买");
        assert_eq!(say("recency_days", "距上次购买天数", 90.0, Lang::En).unwrap(), "no purchase for 90 days");
        assert_eq!(say("events_30d", "30 天内行为事件数", 0.0, Lang::En).unwrap(), "no app activity in the last 30 days");
        assert_eq!(say("orders_90d", "90 天内下单次数", 1.0, Lang::En).unwrap(), "1 order in the last 90 days");
        assert_eq!(say("配送天数_high_count", "配送天数偏高的订单数", 2.0, Lang::Zh).unwrap(), "2 笔订单配送天数偏高");
        assert_eq!(say("配送天数_high_count", "配送天数偏高的订单数", 2.0, Lang::En).unwrap(), "2 orders with unusually high 配送天数");
        assert_eq!(say("complaints_total", "累计投诉次数", 1.0, Lang::En).unwrap(), "1 complaint");
        assert_eq!(say("last_gap_ratio", "最近一次购买间隔与中位数之比", 2.5, Lang::Zh).unwrap(), "最近一次购买间隔是平时的 2.50 倍");
        assert_eq!(say("配送天数_high_share", "配送天数偏高的订单占比", 0.25, Lang::En).unwrap(), "25% of orders with unusually high 配送天数");
        assert_eq!(say("orders_90d_change", "90 天内下单次数变化", f64::NAN, Lang::Zh).unwrap(), "此前 90 天内没有下单");
        assert_eq!(say("nps_last", "最近一次 NPS 评分", f64::NAN, Lang::En), None, "missing: said by the caller");
        assert_eq!(say("days_since_birth_date", "birth_date 距截止日天数", 20099.0, Lang::En).unwrap(), "birth_date 55 years ago");
        assert_eq!(say("days_since_signup_date", "signup_date 距截止日天数", 324.0, Lang::Zh).unwrap(), "signup_date距今 324 天");
        // A customer attribute taken verbatim is not an activity feature.
        assert_eq!(say("recency_days", "recency_days", 5.0, Lang::En), None);
    }
}
