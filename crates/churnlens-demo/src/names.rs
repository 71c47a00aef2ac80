//! The demo's vocabulary: cities and regions, channels, names, categories,
//! and feedback texts in Chinese and English.

/// City, region, and whether deliveries there are slow (remote regions).
pub const CITIES: [(&str, &str, bool); 16] = [
    ("上海", "华东", false),
    ("杭州", "华东", false),
    ("南京", "华东", false),
    ("苏州", "华东", false),
    ("北京", "华北", false),
    ("天津", "华北", false),
    ("广州", "华南", false),
    ("深圳", "华南", false),
    ("武汉", "华中", false),
    ("长沙", "华中", false),
    ("成都", "西南", false),
    ("重庆", "西南", false),
    ("西安", "西北", true),
    ("兰州", "西北", true),
    ("沈阳", "东北", true),
    ("哈尔滨", "东北", true),
];

/// City weights (bigger cities, more customers).
pub const CITY_WEIGHTS: [u32; 16] = [14, 8, 6, 6, 12, 5, 10, 10, 6, 4, 6, 5, 3, 2, 2, 2];

/// Signup channels and their churn multipliers.
pub const CHANNELS: [(&str, f64); 5] = [("APP", 1.0), ("小程序", 1.0), ("官网", 1.0), ("门店", 0.8), ("电商平台", 1.2)];

/// Membership levels.
pub const LEVELS: [&str; 3] = ["普通", "银卡", "金卡"];

/// Product categories.
pub const CATEGORIES: [&str; 7] = ["服装", "数码", "美妆", "食品", "家居", "母婴", "图书"];

/// Surnames.
pub const SURNAMES: [&str; 24] =
    ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋"];

/// Given-name characters.
pub const GIVEN: [&str; 30] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍",
    "红", "鹏", "辉", "婷",
];

/// Subscription plans: name, monthly fee, length in months.
pub const PLANS: [(&str, f64, u32); 3] = [("月卡", 19.0, 1), ("季卡", 49.0, 3), ("年卡", 168.0, 12)];

/// Lead sources.
pub const LEAD_SOURCES: [&str; 5] = ["搜索广告", "信息流", "社交媒体", "线下活动", "老客推荐"];

/// Event types of app usage.
pub const EVENT_TYPES: [&str; 5] = ["login", "browse", "add_to_cart", "search", "share"];

/// Complaint texts (Chinese, English); some hold commas, quotes and line breaks.
pub const COMPLAINTS: [(&str, &str); 6] = [
    ("物流太慢", "快递太慢了，等了一个多星期才到。"),
    ("物流太慢", "Delivery was late again, over a week. Not happy."),
    ("质量问题", "收到的商品有破损，\n申请退换也很麻烦。"),
    ("质量问题", "The item arrived damaged, and the \"easy returns\" were not easy."),
    ("客服态度", "客服态度很差，问题一直没解决"),
    ("客服态度", "Support never answered my question, twice."),
];

/// Praise and questions.
pub const OTHER_FEEDBACK: [(&str, &str); 4] = [
    ("praise", "东西不错，物流也快，会回购！"),
    ("praise", "Great quality, fast shipping. Will buy again."),
    ("question", "请问会员积分怎么兑换？"),
    ("question", "How do I change my delivery address?"),
];
