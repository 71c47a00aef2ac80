//! The canonical data model: ten tables, their columns, and the header names
//! users' files give those columns.
//!
//! Every imported file becomes one of these tables. Columns the model knows
//! are recognised by header (see [`ColumnSpec::synonyms`]) and converted to a
//! fixed type; every other column is kept as it is, with an inferred type, as
//! an attribute (for `customers` and `snapshot` these are the customer
//! attributes every metric can be broken down by). Nothing is dropped.
//!
//! | table | one row per | key |
//! |---|---|---|
//! | `customers` | customer (CRM export) | `customer_id` |
//! | `orders` | order (refunds as negative amounts) | `order_id` |
//! | `order_items` | order line | — |
//! | `events` | usage event | — |
//! | `subscriptions` | subscription spell | — |
//! | `feedback` | complaint, review or comment | — |
//! | `surveys` | survey answer (NPS 0–10, satisfaction items) | — |
//! | `leads` | lead | `lead_id` |
//! | `marketing_spend` | period × channel | — |
//! | `snapshot` | customer with a churn label (Telco style) | `customer_id` |
//!
//! Time columns are stored as UTC instants (`Timestamp(µs, "UTC")`): a value
//! written without a UTC offset is read as wall-clock time in the import's
//! time zone (default UTC). Business-calendar bucketing converts back with the
//! business time zone, so a 23:30 order in Shanghai stays on its local day.

use std::fmt;

/// The kind of value a canonical column holds, which fixes its stored type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// An identifier, kept as text exactly as written (leading zeros too).
    Id,
    /// Free text.
    Text,
    /// A label with few distinct values (gender, city, channel …), as text.
    Category,
    /// A point in time, stored as a UTC instant with microsecond precision.
    Timestamp,
    /// A calendar date (birth dates, months of marketing spend).
    Date,
    /// Money: currency signs, thousands separators and 元 are accepted.
    Amount,
    /// A whole number.
    Integer,
    /// A decimal number.
    Float,
    /// Yes/No, 是/否, Y/N, true/false, 1/0.
    Boolean,
}

impl ValueKind {
    /// Stable lower-case name, used in the catalog and in `inspect` output.
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Id => "id",
            ValueKind::Text => "text",
            ValueKind::Category => "category",
            ValueKind::Timestamp => "timestamp",
            ValueKind::Date => "date",
            ValueKind::Amount => "amount",
            ValueKind::Integer => "integer",
            ValueKind::Float => "float",
            ValueKind::Boolean => "boolean",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Inclusive bounds a numeric column's values must respect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
}

/// One canonical column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    /// Canonical name, as stored and queried (`customer_id`).
    pub name: &'static str,
    /// The value kind, which fixes the stored type.
    pub kind: ValueKind,
    /// Whether the table cannot be imported without this column, and a row
    /// without a value in it is rejected.
    pub required: bool,
    /// Header names that mean this column, English and Chinese. Matching
    /// ignores case, spaces, `_`, `-`, `.`, `/`, `:` and brackets (see
    /// [`normalize_header`]), so `Customer ID`, `customer_id` and `CustomerID`
    /// are one entry.
    pub synonyms: &'static [&'static str],
    /// Allowed range for numeric kinds, if any (NPS is 0–10).
    pub bounds: Option<Bounds>,
    /// Whether negative amounts are accepted (order refunds) rather than rejected.
    pub allows_negative: bool,
    /// Personal data that the dashboard masks for viewers.
    pub pii: bool,
    /// Whether a date after the import day is legitimate (a scheduled
    /// subscription end, a planned spend month) rather than an error.
    pub future_ok: bool,
}

const fn col(name: &'static str, kind: ValueKind, required: bool, synonyms: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec { name, kind, required, synonyms, bounds: None, allows_negative: false, pii: false, future_ok: false }
}

const fn pii(spec: ColumnSpec) -> ColumnSpec {
    ColumnSpec { pii: true, ..spec }
}

const fn bounded(spec: ColumnSpec, min: f64, max: f64) -> ColumnSpec {
    ColumnSpec { bounds: Some(Bounds { min, max }), ..spec }
}

const fn future_ok(spec: ColumnSpec) -> ColumnSpec {
    ColumnSpec { future_ok: true, ..spec }
}

const fn signed(spec: ColumnSpec) -> ColumnSpec {
    ColumnSpec { allows_negative: true, ..spec }
}

use ValueKind::*;

const CUSTOMER_ID_NAMES: &[&str] = &[
    "customer_id",
    "customer",
    "customer_no",
    "customer_number",
    "customer_code",
    "cust_id",
    "custid",
    "client_id",
    "user_id",
    "userid",
    "member_id",
    "buyer_id",
    "account_id",
    "uid",
    "客户id",
    "客户编号",
    "客户编码",
    "客户代码",
    "客户号",
    "用户id",
    "用户编号",
    "会员id",
    "会员编号",
    "会员号",
    "买家id",
    "顾客id",
    "顾客编号",
    "客户",
];

const CUSTOMERS: &[ColumnSpec] = &[
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col(
        "signup_date",
        Timestamp,
        true,
        &[
            "signup_date",
            "signup",
            "signup_time",
            "sign_up_date",
            "registration_date",
            "register_date",
            "registered_at",
            "created_at",
            "create_time",
            "join_date",
            "joined",
            "first_seen",
            "customer_since",
            "注册时间",
            "注册日期",
            "开户时间",
            "开户日期",
            "入会时间",
            "入会日期",
            "创建时间",
            "加入时间",
            "成为客户时间",
        ],
    ),
    pii(col("name", Text, false, &["name", "customer_name", "full_name", "姓名", "客户姓名", "客户名称", "名称", "用户名"])),
    pii(col("phone", Text, false, &["phone", "mobile", "phone_number", "telephone", "tel", "手机", "手机号", "手机号码", "电话", "联系电话"])),
    pii(col("email", Text, false, &["email", "e_mail", "mail", "email_address", "邮箱", "电子邮箱", "电子邮件"])),
    col("gender", Category, false, &["gender", "sex", "性别"]),
    col("birth_date", Date, false, &["birth_date", "birthday", "date_of_birth", "dob", "出生日期", "生日"]),
    bounded(col("age", Integer, false, &["age", "年龄"]), 0.0, 130.0),
    col("region", Category, false, &["region", "area", "province", "state", "地区", "区域", "大区", "省份", "省"]),
    col("city", Category, false, &["city", "town", "城市", "所在城市", "市"]),
    col("channel", Category, false, &["channel", "acquisition_channel", "source", "signup_channel", "渠道", "来源", "注册渠道", "获客渠道", "来源渠道"]),
];

const ORDERS: &[ColumnSpec] = &[
    col(
        "order_id",
        Id,
        false,
        &[
            "order_id",
            "order",
            "order_no",
            "order_number",
            "orderid",
            "transaction_id",
            "invoice",
            "invoice_no",
            "invoiceno",
            "订单号",
            "订单id",
            "订单编号",
            "单号",
            "交易号",
        ],
    ),
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col(
        "order_time",
        Timestamp,
        true,
        &[
            "order_time",
            "order_date",
            "order_datetime",
            "ordered_at",
            "purchase_date",
            "purchase_time",
            "invoice_date",
            "invoicedate",
            "transaction_date",
            "date",
            "time",
            "created_at",
            "create_time",
            "下单时间",
            "下单日期",
            "订单时间",
            "订单日期",
            "购买时间",
            "购买日期",
            "交易时间",
            "交易日期",
            "成交时间",
            "支付时间",
            "付款时间",
            "日期",
        ],
    ),
    signed(col(
        "amount",
        Amount,
        true,
        &[
            "amount",
            "order_amount",
            "total",
            "total_amount",
            "revenue",
            "sales",
            "price",
            "value",
            "paid",
            "paid_amount",
            "payment",
            "dollar_value",
            "gmv",
            "实付金额",
            "实付",
            "订单金额",
            "金额",
            "支付金额",
            "付款金额",
            "销售额",
            "成交金额",
            "消费金额",
            "订单总额",
            "应付金额",
        ],
    )),
    signed(col("quantity", Integer, false, &["quantity", "qty", "units", "number_of_items", "items", "number_of_cds", "数量", "件数", "购买数量", "商品数量"])),
    col("channel", Category, false, &["channel", "sales_channel", "order_channel", "platform", "渠道", "下单渠道", "销售渠道", "平台"]),
    col("status", Category, false, &["status", "order_status", "state", "订单状态", "状态"]),
    signed(col("cost", Amount, false, &["cost", "cogs", "成本", "成本金额"])),
];

const ORDER_ITEMS: &[ColumnSpec] = &[
    col("order_id", Id, true, &["order_id", "order", "order_no", "order_number", "invoice", "invoice_no", "订单号", "订单id", "订单编号"]),
    col(
        "sku",
        Id,
        true,
        &["sku", "product_id", "item_id", "product", "stockcode", "stock_code", "product_code", "商品id", "商品编号", "商品编码", "货号", "sku编码", "商品"],
    ),
    col("category", Category, false, &["category", "product_category", "品类", "类目", "商品类别", "商品品类", "分类"]),
    signed(col("quantity", Integer, false, &["quantity", "qty", "units", "数量", "件数"])),
    col("price", Amount, false, &["price", "unit_price", "unitprice", "单价", "价格", "售价"]),
];

const EVENTS: &[ColumnSpec] = &[
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col("event_time", Timestamp, true, &["event_time", "timestamp", "time", "ts", "occurred_at", "event_date", "date", "事件时间", "发生时间", "时间", "日期"]),
    col("event_type", Category, true, &["event_type", "event", "type", "action", "event_name", "事件类型", "事件", "行为", "行为类型", "动作"]),
    bounded(
        col(
            "duration_seconds",
            Float,
            false,
            &["duration_seconds", "duration", "duration_s", "seconds", "session_length", "时长", "停留时长", "时长秒", "持续时间"],
        ),
        0.0,
        f64::MAX,
    ),
];

const SUBSCRIPTIONS: &[ColumnSpec] = &[
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col("plan", Category, false, &["plan", "plan_name", "product", "tier", "package", "套餐", "会员类型", "套餐名称", "计划", "会员等级"]),
    col(
        "start_date",
        Timestamp,
        true,
        &["start_date", "start", "started_at", "subscription_start", "开始时间", "开始日期", "生效日期", "订阅开始", "开通时间"],
    ),
    future_ok(col(
        "end_date",
        Timestamp,
        false,
        &[
            "end_date",
            "end",
            "ended_at",
            "cancel_date",
            "cancelled_at",
            "canceled_at",
            "cancellation_date",
            "churn_date",
            "结束时间",
            "结束日期",
            "取消时间",
            "取消日期",
            "退订时间",
            "退订日期",
            "到期时间",
            "到期日期",
            "解约日期",
        ],
    )),
    col(
        "recurring_amount",
        Amount,
        false,
        &["recurring_amount", "mrr", "monthly_fee", "monthly_charges", "monthlycharges", "fee", "price", "月费", "月租", "订阅费", "每月费用", "月付金额"],
    ),
];

const FEEDBACK: &[ColumnSpec] = &[
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col("feedback_time", Timestamp, true, &["feedback_time", "created_at", "time", "date", "submitted_at", "反馈时间", "提交时间", "投诉时间", "时间", "日期"]),
    col("channel", Category, false, &["channel", "source", "渠道", "来源", "反馈渠道"]),
    col("feedback_type", Category, false, &["feedback_type", "type", "category", "topic", "反馈类型", "类型", "类别", "问题类型"]),
    col(
        "text",
        Text,
        true,
        &["text", "feedback", "comment", "content", "message", "review", "body", "反馈内容", "内容", "评价", "评论", "留言", "投诉内容", "意见"],
    ),
    col("rating", Float, false, &["rating", "score", "stars", "评分", "星级", "打分"]),
];

const SURVEYS: &[ColumnSpec] = &[
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col(
        "survey_time",
        Timestamp,
        true,
        &["survey_time", "survey_date", "response_date", "responded_at", "date", "time", "调查时间", "调研时间", "填写时间", "提交时间", "日期"],
    ),
    bounded(
        col(
            "nps",
            Integer,
            true,
            &[
                "nps",
                "nps_score",
                "recommend",
                "likelihood_to_recommend",
                "recommendation_score",
                "推荐意愿",
                "推荐分",
                "推荐得分",
                "净推荐值",
                "nps得分",
                "nps评分",
            ],
        ),
        0.0,
        10.0,
    ),
];

const LEADS: &[ColumnSpec] = &[
    col("lead_id", Id, true, &["lead_id", "lead", "prospect_id", "线索id", "线索编号", "线索号"]),
    col("created_at", Timestamp, true, &["created_at", "created", "create_time", "lead_date", "date", "创建时间", "创建日期", "线索时间", "获取时间"]),
    col("source", Category, false, &["source", "lead_source", "channel", "来源", "线索来源", "渠道"]),
    col("converted_customer_id", Id, false, &["converted_customer_id", "customer_id", "converted_to", "转化客户id", "转化客户编号", "客户编号", "客户id"]),
    col("converted_at", Timestamp, false, &["converted_at", "conversion_date", "converted_date", "转化时间", "转化日期", "成交时间"]),
];

const MARKETING_SPEND: &[ColumnSpec] = &[
    future_ok(col("period", Date, true, &["period", "month", "date", "week", "期间", "月份", "日期", "周"])),
    col("channel", Category, false, &["channel", "source", "campaign_channel", "渠道", "投放渠道", "来源"]),
    col("amount", Amount, true, &["amount", "spend", "cost", "budget", "花费", "费用", "投放金额", "营销费用", "金额", "成本"]),
];

const SNAPSHOT: &[ColumnSpec] = &[
    col("customer_id", Id, true, CUSTOMER_ID_NAMES),
    col(
        "churn",
        Boolean,
        true,
        &["churn", "churned", "is_churn", "is_churned", "exited", "attrition", "left", "流失", "是否流失", "已流失", "流失标记", "流失标签"],
    ),
];

/// A canonical table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// Customers from a CRM or ERP export.
    Customers,
    /// Orders; refunds are negative amounts.
    Orders,
    /// Order lines.
    OrderItems,
    /// Usage events.
    Events,
    /// Subscription spells.
    Subscriptions,
    /// Feedback and complaints.
    Feedback,
    /// Survey answers (NPS).
    Surveys,
    /// Sales leads.
    Leads,
    /// Marketing spend per period and channel.
    MarketingSpend,
    /// One row per customer with a churn label.
    Snapshot,
}

impl Table {
    /// Every canonical table, in data-flow order.
    pub const ALL: [Table; 10] = [
        Table::Customers,
        Table::Orders,
        Table::OrderItems,
        Table::Events,
        Table::Subscriptions,
        Table::Feedback,
        Table::Surveys,
        Table::Leads,
        Table::MarketingSpend,
        Table::Snapshot,
    ];

    /// The stored (and SQL) name.
    pub fn name(self) -> &'static str {
        match self {
            Table::Customers => "customers",
            Table::Orders => "orders",
            Table::OrderItems => "order_items",
            Table::Events => "events",
            Table::Subscriptions => "subscriptions",
            Table::Feedback => "feedback",
            Table::Surveys => "surveys",
            Table::Leads => "leads",
            Table::MarketingSpend => "marketing_spend",
            Table::Snapshot => "snapshot",
        }
    }

    /// The table's canonical columns.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Customers => CUSTOMERS,
            Table::Orders => ORDERS,
            Table::OrderItems => ORDER_ITEMS,
            Table::Events => EVENTS,
            Table::Subscriptions => SUBSCRIPTIONS,
            Table::Feedback => FEEDBACK,
            Table::Surveys => SURVEYS,
            Table::Leads => LEADS,
            Table::MarketingSpend => MARKETING_SPEND,
            Table::Snapshot => SNAPSHOT,
        }
    }

    /// A canonical column by name.
    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// The column whose values must be unique, if the table has one.
    pub fn unique_key(self) -> Option<&'static str> {
        match self {
            Table::Customers | Table::Snapshot => Some("customer_id"),
            Table::Orders => Some("order_id"),
            Table::Leads => Some("lead_id"),
            _ => None,
        }
    }

    /// The column that refers to a customer, for the unknown-customer check.
    pub fn customer_reference(self) -> Option<&'static str> {
        match self {
            Table::Orders | Table::Events | Table::Subscriptions | Table::Feedback | Table::Surveys => Some("customer_id"),
            _ => None,
        }
    }

    /// One-line description in the given language.
    pub fn describe(self, lang: crate::Lang) -> &'static str {
        match self {
            Table::Customers => lang.pick("customers (CRM export)", "客户表（CRM 导出）"),
            Table::Orders => lang.pick("orders (refunds as negative amounts)", "订单表（退款为负金额）"),
            Table::OrderItems => lang.pick("order lines", "订单明细"),
            Table::Events => lang.pick("usage events", "行为事件"),
            Table::Subscriptions => lang.pick("subscriptions", "订阅/会员"),
            Table::Feedback => lang.pick("feedback and complaints", "反馈与投诉"),
            Table::Surveys => lang.pick("surveys (NPS)", "问卷（NPS）"),
            Table::Leads => lang.pick("leads", "销售线索"),
            Table::MarketingSpend => lang.pick("marketing spend", "营销费用"),
            Table::Snapshot => lang.pick("customer snapshot with churn label", "带流失标签的客户快照"),
        }
    }

    /// Recognises a canonical column from a file's header, if any.
    pub fn recognise(self, header: &str) -> Option<&'static ColumnSpec> {
        let key = normalize_header(header);
        if key.is_empty() {
            return None;
        }
        self.columns().iter().find(|c| normalize_header(c.name) == key || c.synonyms.iter().any(|s| normalize_header(s) == key))
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Table {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = normalize_header(s);
        Table::ALL.into_iter().find(|t| normalize_header(t.name()) == key).ok_or_else(|| {
            let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
            format!("unknown table '{s}'; expected one of: {}", names.join(", "))
        })
    }
}

/// The form of a header used for matching: lower case, with spaces,
/// underscores, hyphens, dots, slashes, colons and brackets (ASCII and
/// full-width) removed, and a leading byte-order mark dropped.
pub fn normalize_header(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '/' | ':' | '(' | ')' | '[' | ']' | '（' | '）' | '：' | '【' | '】' | '\u{3000}'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_english_and_chinese_headers() {
        let orders = Table::Orders;
        assert_eq!(orders.recognise("订单号").map(|c| c.name), Some("order_id"));
        assert_eq!(orders.recognise("客户ID").map(|c| c.name), Some("customer_id"));
        assert_eq!(orders.recognise("下单时间").map(|c| c.name), Some("order_time"));
        assert_eq!(orders.recognise("实付金额").map(|c| c.name), Some("amount"));
        assert_eq!(orders.recognise("Order Date").map(|c| c.name), Some("order_time"));
        assert_eq!(Table::Customers.recognise("客户编号").map(|c| c.name), Some("customer_id"));
        assert_eq!(Table::Customers.recognise("注册时间").map(|c| c.name), Some("signup_date"));
        assert_eq!(Table::Customers.recognise("性别").map(|c| c.name), Some("gender"));
        assert_eq!(Table::Customers.recognise("城市").map(|c| c.name), Some("city"));
        assert_eq!(Table::Snapshot.recognise("customerID").map(|c| c.name), Some("customer_id"));
        assert_eq!(Table::Snapshot.recognise("Churn").map(|c| c.name), Some("churn"));
        assert_eq!(Table::Snapshot.recognise("tenure"), None);
        assert_eq!(Table::Surveys.recognise("推荐意愿").map(|c| c.name), Some("nps"));
    }

    #[test]
    fn normalisation_ignores_case_separators_and_bom() {
        assert_eq!(normalize_header("\u{feff}Customer_ID "), "customerid");
        assert_eq!(normalize_header("客户（ID）"), "客户id");
        assert_eq!(normalize_header("Dollar-Value"), "dollarvalue");
    }

    /// Within one table a synonym must not point at two columns, or
    /// recognition would depend on column order.
    #[test]
    fn synonyms_are_unambiguous_within_each_table() {
        for table in Table::ALL {
            let mut seen = std::collections::HashMap::new();
            for column in table.columns() {
                let mut names: Vec<&str> = column.synonyms.to_vec();
                names.push(column.name);
                for name in names {
                    if let Some(other) = seen.insert(normalize_header(name), column.name) {
                        assert_eq!(other, column.name, "{table}: '{name}' maps to both {other} and {}", column.name);
                    }
                }
            }
        }
    }

    #[test]
    fn every_table_has_required_columns_and_parses_by_name() {
        for table in Table::ALL {
            assert!(table.columns().iter().any(|c| c.required), "{table}");
            assert_eq!(table.name().parse::<Table>(), Ok(table));
        }
        assert!("nope".parse::<Table>().is_err());
    }
}
