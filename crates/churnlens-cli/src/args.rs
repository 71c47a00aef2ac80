//! Command-line flags, as clap sees them.

use std::path::PathBuf;

use churnlens_core::{Lang, Table};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Customer churn and retention analytics. 客户流失与留存分析。
#[derive(Debug, Parser)]
#[command(name = "churnlens", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Workspace directory (Parquet tables + catalog). 工作区目录
    #[arg(short = 'w', long, global = true, env = "CHURNLENS_WORKSPACE", default_value = churnlens_ingest::workspace::DEFAULT_WORKSPACE)]
    pub workspace: PathBuf,
    /// Language of everything printed for people: zh or en (default: from the locale). 输出语言
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the demo data set (files in every supported format), import it, and summarise. 生成并导入演示数据
    Demo(DemoArgs),
    /// Import a file into a workspace table, validating every row. 导入文件
    Import(ImportArgs),
    /// Show what churnlens sees in a file: encoding, delimiter, columns, types, mapping, nulls, sample rows. 检查文件
    Inspect(InspectArgs),
    /// Run SQL over the workspace tables (DataFusion). 执行 SQL 查询
    Sql(SqlArgs),
    /// List the workspace's tables and imports. 列出数据表
    Tables(TablesArgs),
    /// Churn and retention metrics from the orders table. 流失与留存指标
    ///
    /// churn: churn dates in a period ÷ customers active on the day before it
    /// (non-contractual rule: after a purchase on day L with no later one the
    /// customer is active on L … L+W−1 and churned from L+W; a purchase after
    /// that is a reactivation). Also the average-base and 30-day-month rates.
    /// retention: (active at end − joined in the period) ÷ active at start.
    /// cohorts: share of each first-purchase cohort buying k periods later, and
    /// its revenue relative to the first period. lifecycle: new / retained /
    /// reactivated / dormant / churned / lost per period (--flows: moves
    /// between periods). window: for each candidate W (--windows), the churn
    /// events, the share of them who came back later (false churn), the share
    /// of repeat-purchase gaps longer than W and the mean churn rate; and the
    /// recommended W: the smallest at which at most --max-false-churn percent
    /// (default 10) of churn labels are reversed by a later purchase.
    /// winback: of the churn events in a period, the share whose customer buys
    /// again within --within days (only events whose --within days have passed).
    /// stickiness: customers by number of purchase days in each period.
    /// intervals: per customer, median and last gap between purchases, days
    /// since the last one, their trend, and a flag when gaps lengthen.
    /// nps: % promoters (9–10) − % detractors (0–6) of each period's survey
    /// answers, and CSI 0–100 from the other numeric survey columns.
    /// --by nps_category breaks churn down by each customer's latest answer.
    /// clv: net revenue to date per customer (mean, median), and AOV × orders
    /// per customer per period × 1 ÷ churn rate over the last year of periods.
    /// revenue: each churned customer's net revenue in the 12 months up to
    /// their last purchase, summed by the period of the churn date.
    /// conversion: leads created in a period and source, and the share converted.
    /// cac: marketing spend ÷ new customers per period and customers.channel,
    /// and CLV/CAC with the channel's textbook CLV.
    /// engagement: weighted percentile scores of recency, purchase days, events
    /// and event duration in the last --window days (--weights, --customers).
    /// mrr: each customer's MRR on the day before a period vs its last day:
    /// new, reactivation, expansion, contraction, churned; GRR, NRR, revenue
    /// churn beside logo churn, ARPA, quick ratio.
    /// --source subscriptions: churn, retention and winback from subscription
    /// start/end dates (subscribed on start … end − 1; churn date = end).
    /// --source snapshot: the share of snapshot customers labelled churned.
    /// core: churn, retention, cohorts, lifecycle and engagement from one read,
    /// written as DIR/churn.csv … (per --format) to the --output directory.
    /// Only periods that have ended by --to are shown.
    #[command(verbatim_doc_comment)]
    Metrics(MetricsArgs),
    /// Survival analysis: how long customers stay and what shortens it. 生存分析（客户留存时长）
    ///
    /// km: Kaplan–Meier survival at --times with 95% Greenwood log(−log)
    /// intervals, and the median lifetime, overall or per --by group.
    /// logrank: the log-rank test of equal churn hazards across the --by groups.
    /// cox: Cox proportional hazards (Efron ties) of --covariates: hazard
    /// ratios, 95% intervals, p-values, concordance, and the proportional-
    /// hazards test; text columns are one-hot against the most frequent level
    /// (or --baseline COL=LEVEL).
    /// --source snapshot (default): duration and churn flag per customer from
    /// the snapshot table (--duration, --event), in the file's unit.
    /// --source orders: months (30.4375 days) from the first purchase to the
    /// churn date of the first spell under the --window rule; customers still
    /// active are censored at the last order day (or --to).
    #[command(verbatim_doc_comment)]
    Survival(SurvivalArgs),
    /// Forecast churn rate, active or new customers, or revenue per period. 预测（流失率、活跃客户、新客户、收入）
    ///
    /// Exponential smoothing (ETS; error, trend, damping and season chosen by
    /// AICc; season 12 for months, 52 for weeks, 4 for quarters) over the
    /// complete periods of `churnlens metrics`, --horizon periods ahead with
    /// 80% and 95% intervals, by default widened to the errors the same
    /// forecasts made on the series' own past (--intervals analytic: the
    /// model's own; `interval_method` says which each row got). The last 12
    /// actual periods are checked against a one-step 95% interval fitted
    /// before each; `anomaly` marks those outside.
    /// --backtest: instead, a rolling-origin backtest (12 origins) with MAPE,
    /// sMAPE and MASE beside seasonal naive, and the intervals' coverage.
    #[command(verbatim_doc_comment)]
    Forecast(ForecastArgs),
    /// Segments and churn diagnosis: RFM segments and what goes with churn. 客户分群与流失诊断
    ///
    /// rfm: per customer at the as-of day (default: the day after the last
    /// order day) R = days since the last purchase, F = distinct orders,
    /// M = net revenue (refunds netted); scores 1–5 by quintiles; per segment
    /// (--scheme 8: 重要价值客户 …, R/F/M high or low against the mean;
    /// --scheme 11: Champions … Lost) customers, revenue share, churn rate
    /// (no purchase in the --window days before the as-of day) and average
    /// historical CLV. --customers prints one row per customer.
    /// drivers: churn rate by every customer attribute (customers / snapshot
    /// columns; numeric ones in quintile bands or --bins), Wilson 95%
    /// intervals, chi-square (Yates on 2 × 2 tables unless --no-yates),
    /// p-value, Cramér's V, Mann–Whitney for numeric attributes; ranked by
    /// Cramér's V, with one sentence each. --levels prints the levels.
    /// clusters: k-means (k-means++, 10 restarts, k by silhouette over 2–8
    /// unless --k) on standardised recency, frequency, monetary value and
    /// tenure of the churned customers (--all: every customer); per cluster
    /// its size, feature means against all clustered, and what sets it apart.
    /// --features a,b adds numeric customers columns (a blank takes the mean).
    /// first-purchase: the share of one-time buyers, and every column of the
    /// first order (channel, amount, delivery days …) for one-time buyers
    /// against those who came back, with the drivers' tests
    /// (churn_rate_pct = share bought only once).
    /// transitions: customers per (segment at --from, segment at --as-of).
    /// behaviour: active / dormant (quieter than their usual gap) / churned at
    /// the as-of day, by orders 1, 2–3, 4–9, 10+.
    /// rules: FP-growth over the items (category, else sku; --item) of each
    /// order; rules with support ≥ --min-support, confidence ≥
    /// --min-confidence and lift ≥ --min-lift, highest lift first.
    /// --contrasts: per frequent itemset, the share of churned and of
    /// retained customers who bought it in one order, the difference and a
    /// chi-square test (Yates), smallest p first.
    /// --save (rfm, clusters): keep the labels as customer attributes
    /// rfm_segment (8 segments), rfm_score_segment (11) or cluster, in the
    /// language of the run, so that any metric takes --by rfm_segment.
    #[command(verbatim_doc_comment)]
    Segment(SegmentArgs),
    /// Predictive CLV: fit buy-till-you-die models to the orders, predict
    /// P(alive), purchases and value per customer, validate on a holdout. 预测客户终身价值
    ///
    /// fit: BG/NBD (default), Pareto/NBD or MBG/NBD for purchase counts and
    /// Gamma-Gamma for order value, saved in WORKSPACE/models/clv.json with the
    /// data summary and the fit report. predict: per customer, ranked by CLV
    /// (or summed per group with --by). validate: fit up to --calibration-end,
    /// compare predicted with actual purchases up to --holdout-end.
    #[command(verbatim_doc_comment)]
    Clv(ClvArgs),
    /// Write the self-contained HTML report: headline cards, churn and
    /// retention, cohorts, lifecycle, NPS, RFM segments, drivers, survival,
    /// forecast and CLV, with interactive charts; opens offline. 生成 HTML 报告
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Churn prediction: train classifiers on point-in-time rows from the
    /// activity data (or a snapshot table), compare them, save them in the
    /// workspace, score current customers with a tier and reasons. 流失预测
    ///
    /// Activity data: for each --cutoff c (default four, --horizon days
    /// apart, the last one --horizon days before the last order day),
    /// customers active at c under the --window churn rule; features from
    /// data on or before c; label = churned within --horizon days after c.
    /// Trained on the earlier cutoffs, tested on the last, against a
    /// recency-only baseline. Snapshot (--source snapshot): --label column,
    /// every other column a feature (identifiers left out with a note),
    /// stratified --folds-fold cross-validation.
    /// train: fit --algo and save it as models/churn/<name>.json.
    /// evaluate: the comparison table of --algo (all = every family; the
    /// SVM is fitted on at most 2,000 stratified rows), with gains,
    /// calibration and, with --offer-cost, the threshold of highest profit.
    /// score: P(churn), tier and top reasons per customer from a saved model;
    /// --save keeps churn_risk and churn_tier as customer attributes (--by).
    /// explain: the saved model's global feature importance, or with
    /// --customer ID that customer's contributions. list: saved models.
    #[command(verbatim_doc_comment)]
    Model(ModelArgs),
    /// Serve the dashboard: login, roles, filters, drill-down and CSV export
    /// over a JSON API, on 127.0.0.1:8080 by default. 启动仪表盘服务
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// Manage the dashboard's accounts (admin / analyst / viewer). 管理仪表盘账户
    User(UserArgs),
}

/// Which survival analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SurvivalKind {
    /// Kaplan–Meier survival curve. 生存曲线
    Km,
    /// Log-rank test across groups. 对数秩检验
    Logrank,
    /// Cox proportional hazards model. Cox 比例风险模型
    Cox,
}

/// Where survival lifetimes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LifetimeSource {
    /// Duration and churn flag columns of the snapshot table. 快照
    #[default]
    Snapshot,
    /// First purchase to churn date under the window rule. 订单
    Orders,
}

/// `churnlens survival`.
#[derive(Debug, Args)]
pub struct SurvivalArgs {
    /// The analysis.
    #[arg(value_enum)]
    pub analysis: SurvivalKind,
    /// Where lifetimes come from. 数据来源
    #[arg(long, value_enum, default_value_t)]
    pub source: LifetimeSource,
    /// Group column (km: one curve per group; logrank: required). 分组列
    #[arg(long)]
    pub by: Option<String>,
    /// Snapshot: the duration column. 时长列
    #[arg(long, default_value = "tenure")]
    pub duration: String,
    /// Snapshot: the churn flag column. 流失标记列
    #[arg(long, default_value = "churn")]
    pub event: String,
    /// Km: times at which to read the curve (the duration's unit; months for orders). 读取时点
    #[arg(long, value_delimiter = ',', default_values_t = [12.0, 24.0, 36.0])]
    pub times: Vec<f64>,
    /// Cox: covariate columns, comma-separated. 协变量
    #[arg(long, value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Cox: the baseline level of a text covariate, COL=LEVEL (repeatable). 基准水平
    #[arg(long, value_parser = parse_baseline)]
    pub baseline: Vec<(String, String)>,
    /// Orders: churn window W, in days (`90` or `90d`). 流失窗口（天）
    #[arg(long, default_value = "90d")]
    pub window: String,
    /// Orders: end of observation (YYYY-MM-DD); default: the last order day.
    #[arg(long)]
    pub to: Option<String>,
    /// Orders: business time zone in which days begin (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file instead of standard output (needed for parquet).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

fn parse_baseline(s: &str) -> Result<(String, String), String> {
    s.split_once('=').map(|(c, l)| (c.trim().to_owned(), l.trim().to_owned())).ok_or_else(|| format!("'{s}': use COLUMN=LEVEL, e.g. Contract=Month-to-month"))
}

/// What to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForecastMeasure {
    /// Churn rate per period, percent. 流失率
    Churn,
    /// Customers active at each period's end. 活跃客户数
    Active,
    /// New (first-purchase) customers per period. 新客户数
    New,
    /// Net revenue per period. 收入
    Revenue,
}

/// Which prediction intervals a forecast shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IntervalKind {
    /// The model's own, widened to the errors its forecasts made on the series' past. 经验校准区间
    Empirical,
    /// The model's own (closed form or simulated). 模型解析区间
    Analytic,
}

/// `churnlens forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// The series.
    #[arg(value_enum)]
    pub measure: ForecastMeasure,
    /// Period: day, week, month, quarter, year. 统计周期
    #[arg(long, default_value = "month")]
    pub period: String,
    /// Periods to forecast. 预测期数
    #[arg(long, default_value_t = 6)]
    pub horizon: usize,
    /// One series per group of a customer attribute (a column of `customers`). 按属性拆分
    #[arg(long)]
    pub by: Option<String>,
    /// Print the rolling-origin backtest instead of the forecast. 回测
    #[arg(long)]
    pub backtest: bool,
    /// Prediction intervals: empirical (calibrated on the series' own past forecast errors) or analytic (the model's own). 预测区间：经验校准或模型解析
    #[arg(long, value_enum, default_value_t = IntervalKind::Empirical)]
    pub intervals: IntervalKind,
    /// Churn window W, in days (`90` or `90d`). 流失窗口（天）
    #[arg(long, default_value = "90d")]
    pub window: String,
    /// End of observation (YYYY-MM-DD); default: the last order day.
    #[arg(long)]
    pub to: Option<String>,
    /// Business time zone in which days begin, e.g. Asia/Shanghai (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file instead of standard output (needed for parquet).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Which segmentation or diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SegmentKind {
    /// RFM scores and segments. RFM 分群
    Rfm,
    /// What goes with churn: attributes ranked by association. 流失驱动因素
    Drivers,
    /// k-means clusters of churned customers and their profiles. 流失客户聚类
    Clusters,
    /// One-time buyers: their first order against the first order of customers who came back. 首购未复购
    FirstPurchase,
    /// Moves between RFM segments from --from to --as-of. 分群迁移
    Transitions,
    /// Association rules of items bought together (FP-growth over order_items). 关联规则
    Rules,
    /// Active / dormant / churned customers by purchase-frequency group. 行为分群
    Behaviour,
}

/// Where the churn label of `segment drivers` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LabelSourceArg {
    /// Orders: churned when no purchase in the --window days before the as-of day. 订单
    #[default]
    Orders,
    /// The churn label of the `snapshot` table. 快照流失标签
    Snapshot,
}

/// `churnlens segment`.
#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// What to compute.
    #[arg(value_enum)]
    pub kind: SegmentKind,
    /// The as-of day (YYYY-MM-DD), the first day not observed; default: the day after the last order day. 观察截止日
    #[arg(long)]
    pub as_of: Option<String>,
    /// Churn window W, in days (`90` or `90d`). 流失窗口（天）
    #[arg(long, default_value = "90d")]
    pub window: String,
    /// Drivers: where the churn label comes from. 流失标签来源
    #[arg(long, value_enum, default_value_t)]
    pub source: LabelSourceArg,
    /// Rules: the item column of order_items (default category, else sku). 商品列
    #[arg(long)]
    pub item: Option<String>,
    /// Rules: least share of orders an itemset appears in. 最小支持度
    #[arg(long, default_value_t = 0.01)]
    pub min_support: f64,
    /// Rules: least confidence. 最小置信度
    #[arg(long, default_value_t = 0.2)]
    pub min_confidence: f64,
    /// Rules: least lift. 最小提升度
    #[arg(long, default_value_t = 1.0)]
    pub min_lift: f64,
    /// Transitions: the earlier as-of day (YYYY-MM-DD) to compare with --as-of. 起始观察日
    #[arg(long)]
    pub from: Option<String>,
    /// RFM: segment scheme, 8 or 11. 分群方案
    #[arg(long, default_value = "8", value_parser = ["8", "11"])]
    pub scheme: String,
    /// RFM (8 segments): high/low against the mean or the median. 高低阈值
    #[arg(long, default_value = "mean", value_parser = ["mean", "median"])]
    pub threshold: String,
    /// RFM: one row per customer instead of the segment summary. 按客户输出
    #[arg(long)]
    pub customers: bool,
    /// Drivers: fixed bins for a numeric column, COLUMN=e0,e1,… giving (e0, e1], (e1, e2], … (repeatable). 固定分箱
    #[arg(long = "bins")]
    pub bins: Vec<String>,
    /// Drivers: chi-square without Yates' continuity correction on 2 × 2 tables. 不做 Yates 校正
    #[arg(long)]
    pub no_yates: bool,
    /// Drivers: print every attribute's levels (customers, churn rate, Wilson interval). 输出各水平
    #[arg(long)]
    pub levels: bool,
    /// Clusters: the number of clusters (default: chosen by silhouette over 2–8). 聚类数
    #[arg(long)]
    pub k: Option<usize>,
    /// Clusters: cluster every customer, not only the churned ones. 对全部客户聚类
    #[arg(long)]
    pub all: bool,
    /// Clusters: random seed; the same seed gives the same clusters. 随机种子
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Business time zone in which days begin, e.g. Asia/Shanghai (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file instead of standard output (needed for parquet).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// RFM, clusters: save the labels as customer attributes (rfm_segment, rfm_score_segment; cluster) for `--by`. 保存为客户属性
    #[arg(long)]
    pub save: bool,
    /// Rules: per frequent itemset, the share of churned vs retained customers who bought it, with chi-square. 流失与留存客户购买对比
    #[arg(long)]
    pub contrasts: bool,
    /// Clusters: numeric customers columns to add as features, comma-separated (standardised like the rest). 追加的聚类特征
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
}

/// Which metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricKind {
    /// Churn rate per period. 流失率
    Churn,
    /// Retention rate per period. 留存率
    Retention,
    /// Cohort retention matrix. 同期群留存
    Cohorts,
    /// Lifecycle stages per period. 生命周期
    Lifecycle,
    /// Choosing the churn window: a sweep over W and a recommendation. 流失窗口选择
    Window,
    /// Win-back rate: churned customers who buy again within --within days. 挽回率
    Winback,
    /// Purchase days per customer per period. 粘性（每期购买天数分布）
    Stickiness,
    /// Gaps between purchases per customer and whether they lengthen. 购买间隔
    Intervals,
    /// NPS and CSI per period from the surveys table. 净推荐值与满意度
    Nps,
    /// Historical and textbook CLV per segment. 客户终身价值
    Clv,
    /// Revenue of churned customers in their last 12 months, per period. 流失收入影响
    Revenue,
    /// Lead conversion rate per period and source. 线索转化率
    Conversion,
    /// Customer acquisition cost per period and channel. 获客成本
    Cac,
    /// Engagement score 0–100: distribution per period, or per customer. 活跃度评分
    Engagement,
    /// Recurring revenue from subscriptions: MRR movements, GRR/NRR, ARPA, quick ratio. 订阅经常性收入
    Mrr,
    /// Churn, retention, cohorts, lifecycle and engagement from one read of the orders,
    /// one file each in the --output directory. 核心指标一次导出
    Core,
}

/// What an order is worth in revenue figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OrderValueArg {
    /// The amount paid. 实付金额
    #[default]
    Revenue,
    /// Amount − cost. 毛利
    Margin,
}

/// Where churn comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ChurnSource {
    /// Purchases in `orders`, with the churn window (non-contractual). 订单
    #[default]
    Orders,
    /// Start and end dates in `subscriptions` (contractual). 订阅
    Subscriptions,
    /// The churn label of the `snapshot` table. 快照流失标签
    Snapshot,
}

/// `churnlens metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The metric.
    #[arg(value_enum)]
    pub metric: MetricKind,
    /// Churn, retention, winback: where churn comes from — orders (window rule),
    /// subscriptions (end dates) or snapshot (churn label, churn only). 流失数据来源
    #[arg(long, value_enum, default_value_t)]
    pub source: ChurnSource,
    /// Revenue figures (clv, revenue, cohorts, cac) from the amount paid, or the
    /// margin = amount − cost (needs a cost column in orders). 收入口径：金额或毛利
    #[arg(long, value_enum, default_value_t)]
    pub value: OrderValueArg,
    /// Period: day, week, month, quarter, year. 统计周期
    #[arg(long, default_value = "month")]
    pub period: String,
    /// Churn window W, in days (`90` or `90d`). 流失窗口（天）
    #[arg(long, default_value = "90d")]
    pub window: String,
    /// Adaptive churn rule: churned after K × the customer's own median gap
    /// between purchases (until a customer has two gaps, --window applies). 自适应流失规则
    #[arg(long, value_name = "K")]
    pub adaptive: Option<f64>,
    /// First day to report (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// End of observation (YYYY-MM-DD); default: the last order day.
    #[arg(long)]
    pub to: Option<String>,
    /// Break down by a customer attribute (a column of `customers`), or nps_category. 按属性拆分
    #[arg(long)]
    pub by: Option<String>,
    /// Business time zone in which days begin, e.g. Asia/Shanghai (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// First day of the week: mon … sun.
    #[arg(long, default_value = "mon")]
    pub week_start: String,
    /// First month (1–12) of the fiscal year, for quarters and years.
    #[arg(long, default_value_t = 1)]
    pub fiscal_year_start: u32,
    /// Cohorts: retention by days since the first purchase instead of the period matrix:
    /// N = on day N, N+ = on or after day N, a-b = days a to b (e.g. 1,7,30,30+,8-30). 按天留存
    #[arg(long, value_delimiter = ',')]
    pub days: Vec<String>,
    /// Lifecycle: print the flows between consecutive periods instead of counts.
    #[arg(long)]
    pub flows: bool,
    /// Winback: days after the churn date within which a purchase counts as won back. 挽回期限（天）
    #[arg(long, default_value = "90d")]
    pub within: String,
    /// Engagement: component weights, e.g. recency=0.4,frequency=0.4,events=0.1,duration=0.1. 权重
    #[arg(long)]
    pub weights: Option<String>,
    /// Engagement: one score per customer at the end of observation instead of the distribution. 按客户输出
    #[arg(long)]
    pub customers: bool,
    /// Window: the windows to compare, in days. 候选窗口（天）
    #[arg(long, value_delimiter = ',', default_values_t = churnlens_metrics::window::DEFAULT_WINDOWS)]
    pub windows: Vec<i32>,
    /// Window: the largest percent of churn labels the recommended window may see reversed. 可接受的误判流失比例（%）
    #[arg(long, default_value_t = 10.0)]
    pub max_false_churn: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file instead of standard output (needed for parquet).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Output formats of commands that print data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned table for people.
    #[default]
    Table,
    /// CSV.
    Csv,
    /// JSON (stable keys, for programs).
    Json,
    /// Parquet (needs --output).
    Parquet,
}

/// `churnlens demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of customers (about 20 orders each; 50,000 ≈ 1M orders). 客户数
    #[arg(long, default_value_t = 50_000)]
    pub customers: usize,
    /// Random seed: the same seed gives the same data. 随机种子
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write the demo files (default: WORKSPACE/demo-data). 演示文件目录
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Only write the files; do not import them.
    #[arg(long)]
    pub no_import: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Reading options shared by import and inspect.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Mapping file (TOML): source options, column mapping, date formats. 映射文件
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Text encoding (utf-8, gbk, gb18030, big5, …; default: detected). 文件编码
    #[arg(long)]
    pub encoding: Option<String>,
    /// Field delimiter: one character, tab, or whitespace (default: sniffed). 分隔符
    #[arg(long)]
    pub delimiter: Option<String>,
    /// The file has no header row; name columns with --column-names or the mapping file.
    #[arg(long)]
    pub no_header: bool,
    /// Column names for a file without a header, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub column_names: Option<Vec<String>>,
    /// Excel sheet to read (default: the first). 工作表
    #[arg(long)]
    pub sheet: Option<String>,
    /// SQLite table to read (default: the only one). SQLite 表名
    #[arg(long)]
    pub source_table: Option<String>,
    /// Map a canonical column to a header: NAME=HEADER (repeatable), e.g. order_time=付款时间. 列映射
    #[arg(long = "column", value_parser = churnlens_ingest::mapping::parse_column_flag)]
    pub columns: Vec<(String, String)>,
    /// Date format for all date columns (strftime, e.g. %d/%m/%Y; or dmy, mdy, excel, unix). 日期格式
    #[arg(long)]
    pub date_format: Option<String>,
}

/// `churnlens import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (CSV/TSV/TXT, XLSX/XLS, Parquet, JSONL, SQLite).
    pub file: PathBuf,
    /// Canonical table the file holds: customers, orders, order_items, events, subscriptions, feedback, surveys, leads, marketing_spend, snapshot. 目标表
    #[arg(long = "as", value_parser = parse_table)]
    pub table: Option<Table>,
    /// Reading and mapping options.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Time zone of times written without an offset (IANA name; default UTC). 时区
    #[arg(long)]
    pub tz: Option<String>,
    /// Stop at the first problem and write nothing (exit code 1). 严格模式
    #[arg(long)]
    pub strict: bool,
    /// Append to the table instead of replacing it. 追加
    #[arg(long)]
    pub append: bool,
    /// Rows of customers not in the customers table: keep (counted) or reject. 未知客户处理
    #[arg(long, value_parser = ["keep", "reject"])]
    pub unknown_customers: Option<String>,
    /// Keep rows dated after today instead of rejecting them.
    #[arg(long)]
    pub allow_future: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `churnlens inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to inspect.
    pub file: PathBuf,
    /// The table the file is meant for (default: guessed from the headers).
    #[arg(long = "as", value_parser = parse_table)]
    pub table: Option<Table>,
    /// Reading and mapping options.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Sample rows to show.
    #[arg(long, default_value_t = 5)]
    pub rows: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `churnlens sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The SQL statement, e.g. "SELECT count(*) FROM orders". Quote Chinese column names: "配送天数".
    pub query: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write the result to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `churnlens tables`.
#[derive(Debug, Args)]
pub struct TablesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn parse_table(s: &str) -> Result<Table, String> {
    s.parse()
}

/// `churnlens clv`.
#[derive(Debug, Args)]
pub struct ClvArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ClvCommand,
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: Format,
    /// Write to this file instead of standard output (needed for parquet).
    #[arg(short, long, global = true)]
    pub output: Option<PathBuf>,
}

/// `churnlens clv` commands.
#[derive(Debug, Subcommand)]
pub enum ClvCommand {
    /// Fit the purchase and spend models and save them in the workspace. 拟合并保存模型
    Fit(ClvFitArgs),
    /// Per-customer P(alive), expected purchases, order value and CLV from the saved model. 预测
    Predict(ClvPredictArgs),
    /// Fit up to --calibration-end and compare with the purchases up to --holdout-end. 留出期验证
    Validate(ClvValidateArgs),
}

/// Model settings shared by `clv fit` and `clv validate`.
#[derive(Debug, Args)]
pub struct ClvModelArgs {
    /// Purchase-count model: bgnbd, pareto or mbgnbd. 购买次数模型
    #[arg(long, default_value = "bgnbd")]
    pub model: String,
    /// Time unit of frequency, recency and age: day, week (7 days) or month (30.415 days). 时间单位
    #[arg(long, default_value = "week")]
    pub unit: String,
    /// L2 penalizer of the fits (0 = plain maximum likelihood; try 0.001 if a fit does not converge). 正则化系数
    #[arg(long, default_value_t = 0.0)]
    pub penalizer: f64,
    /// Business time zone in which days begin, e.g. Asia/Shanghai (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
}

/// `churnlens clv fit`.
#[derive(Debug, Args)]
pub struct ClvFitArgs {
    /// Model settings.
    #[command(flatten)]
    pub model: ClvModelArgs,
    /// Last day of the calibration period (YYYY-MM-DD); default: the last order day. 校准期结束日
    #[arg(long)]
    pub calibration_end: Option<String>,
}

/// `churnlens clv predict`.
#[derive(Debug, Args)]
pub struct ClvPredictArgs {
    /// Horizon of expected purchases and CLV, in months (`12m`, `12`) or years (`1y`). 预测期
    #[arg(long, default_value = "12m")]
    pub horizon: String,
    /// Discount rate per month for CLV, e.g. 0.01 = 1% a month. 月折现率
    #[arg(long, default_value_t = 0.01)]
    pub discount: f64,
    /// Sum per group of a customer attribute (a column of `customers`) instead of one row per customer. 按属性汇总
    #[arg(long)]
    pub by: Option<String>,
    /// Show only the N customers with the highest CLV. 仅显示前 N 位
    #[arg(long)]
    pub top: Option<usize>,
}

/// `churnlens clv validate`.
#[derive(Debug, Args)]
pub struct ClvValidateArgs {
    /// Model settings.
    #[command(flatten)]
    pub model: ClvModelArgs,
    /// Last day of the calibration period (YYYY-MM-DD). 校准期结束日
    #[arg(long)]
    pub calibration_end: String,
    /// Last day of the holdout period (YYYY-MM-DD). 留出期结束日
    #[arg(long)]
    pub holdout_end: String,
    /// For csv and json: which result — frequency (holdout purchases by calibration frequency), errors, or cumulative (over time); tables show all three. 输出内容
    #[arg(long, value_parser = ["frequency", "errors", "cumulative"], default_value = "frequency")]
    pub view: String,
}

/// `churnlens report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the report. 报告文件
    #[arg(short, long, default_value = "report.html")]
    pub output: PathBuf,
    /// Business time zone in which days begin (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Customer attribute in which to look for the biggest churn mover (default: region, channel or city). 流失变化分解属性
    #[arg(long)]
    pub by: Option<String>,
    /// Customer attribute the survival curves are split by (default: channel, region or city). 生存曲线分组属性
    #[arg(long)]
    pub survival_by: Option<String>,
    /// Do not fit a CLV model when the workspace has none saved (fitting takes a while on large workspaces). 不拟合 CLV 模型
    #[arg(long)]
    pub no_fit: bool,
    /// Also write the report data as JSON to this file. 同时输出 JSON 数据
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also write each chart as SVG and PNG into this directory (for slides). 同时将每张图表输出为 SVG 与 PNG
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
}

/// `churnlens model`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ModelCommand,
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: Format,
    /// Write to this file instead of standard output (needed for parquet).
    #[arg(short, long, global = true)]
    pub output: Option<PathBuf>,
}

/// `churnlens model` commands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Train a model, evaluate it and save it in the workspace. 训练并保存模型
    Train(ModelTrainArgs),
    /// Compare models on held-out data (--algo all: every family). 比较模型
    Evaluate(ModelTrainArgs),
    /// Score current customers with a saved model: probability, tier, reasons. 为客户打分
    Score(ModelScoreArgs),
    /// Global feature importance of a saved model, or one customer's reasons (--customer). 解释模型
    Explain(ModelExplainArgs),
    /// The saved models. 列出已保存模型
    List,
}

/// Where training rows come from and how they are built.
#[derive(Debug, Args)]
pub struct ModelDataArgs {
    /// activity (orders and the tables around them) or snapshot; default activity when there is an orders table. 数据来源
    #[arg(long, value_parser = ["activity", "snapshot"])]
    pub source: Option<String>,
    /// Snapshot: the label column (yes/no, 1/0, true/false). 标签列
    #[arg(long, default_value = "churn")]
    pub label: String,
    /// Activity: a cutoff day (YYYY-MM-DD); repeat to stack several. 截止日
    #[arg(long = "cutoff")]
    pub cutoffs: Vec<String>,
    /// Activity: horizon of the label, in days (`180d`, `180`); longer than
    /// the window, so the label counts decisions to leave still to come. 预测期
    #[arg(long, default_value = "180d")]
    pub horizon: String,
    /// Activity: churn window W in days (the metrics churn rule). 流失窗口
    #[arg(long, default_value = "90d")]
    pub window: String,
    /// Business time zone in which days begin, e.g. Asia/Shanghai (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Snapshot: keep a column that looks like an identifier; repeatable. 保留列
    #[arg(long = "keep-column")]
    pub keep_columns: Vec<String>,
    /// Snapshot: leave a column out; repeatable. 排除列
    #[arg(long = "drop-column")]
    pub drop_columns: Vec<String>,
    /// Categories: onehot (rare levels grouped as other) or target (out-of-fold churn rate). 类别编码
    #[arg(long, value_parser = ["onehot", "target"], default_value = "onehot")]
    pub encoding: String,
}

/// `churnlens model train` and `evaluate`.
#[derive(Debug, Args)]
pub struct ModelTrainArgs {
    /// Rows and features.
    #[command(flatten)]
    pub data: ModelDataArgs,
    /// logistic, tree, forest, svm, gbdt (default), a comma-separated list, or all. 算法
    #[arg(long, default_value = "gbdt")]
    pub algo: String,
    /// Snapshot: folds of the stratified cross-validation. 交叉验证折数
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Name of the saved model (default: the algorithm). 模型名
    #[arg(long)]
    pub name: Option<String>,
    /// Cost of a retention offer per customer contacted. 挽留成本
    #[arg(long)]
    pub offer_cost: Option<f64>,
    /// Value saved per churner kept (default: each customer's 12-month CLV when a CLV model is saved, else a year of spend at the last 180 days' rate). 挽留价值
    #[arg(long)]
    pub value_saved: Option<f64>,
    /// Share of contacted churners the offer keeps (0–1). 挽留成功率
    #[arg(long, default_value_t = 1.0)]
    pub success_rate: f64,
    /// Seed of every random choice (splits, bootstraps). 随机种子
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// `churnlens model score`.
#[derive(Debug, Args)]
pub struct ModelScoreArgs {
    /// The saved model (default gbdt). 模型名
    #[arg(long, default_value = "gbdt")]
    pub name: String,
    /// High risk from this probability on. 高风险阈值
    #[arg(long, default_value_t = 0.5)]
    pub high: f64,
    /// Medium risk from this probability on. 中风险阈值
    #[arg(long, default_value_t = 0.25)]
    pub medium: f64,
    /// Reasons per customer. 每位客户的原因数
    #[arg(long, default_value_t = 3)]
    pub reasons: usize,
    /// Show only the N customers most at risk. 仅显示前 N 位
    #[arg(long)]
    pub top: Option<usize>,
    /// Save churn_risk and churn_tier as customer attributes (for --by churn_tier). 保存为客户属性
    #[arg(long)]
    pub save: bool,
}

/// `churnlens model explain`.
#[derive(Debug, Args)]
pub struct ModelExplainArgs {
    /// The saved model (default gbdt). 模型名
    #[arg(long, default_value = "gbdt")]
    pub name: String,
    /// Explain this customer's score: each feature's contribution, as sentences. 客户编号
    #[arg(long)]
    pub customer: Option<String>,
    /// With --customer: how many contributions to show, largest first. 显示条数
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// `churnlens serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback is reachable from other machines. 监听地址
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Mark the session cookie Secure (when the dashboard is served over HTTPS by a proxy). 仅通过 HTTPS 发送会话 Cookie
    #[arg(long)]
    pub secure_cookies: bool,
    /// Business time zone in which days begin (default UTC). 业务时区
    #[arg(long, default_value = "UTC")]
    pub tz: String,
}

/// `churnlens user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: UserCommand,
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from the terminal (or standard input). 新建账户
    Add {
        /// Login name. 用户名
        name: String,
        /// admin, analyst or viewer (viewers see phone, e-mail and name masked). 角色
        #[arg(long, value_parser = ["admin", "analyst", "viewer"], default_value = "viewer")]
        role: String,
        /// Read the password from the first line of standard input (for scripts). 从标准输入读取密码
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts. 列出账户
    List,
    /// Delete an account. 删除账户
    Remove {
        /// Login name. 用户名
        name: String,
    },
    /// Disable an account: no new logins, open sessions end (the account and its audit trail stay). 停用账户
    Disable {
        /// Login name. 用户名
        name: String,
    },
    /// Enable a disabled account again. 启用账户
    Enable {
        /// Login name. 用户名
        name: String,
    },
    /// Set a new password. 修改密码
    Passwd {
        /// Login name. 用户名
        name: String,
        /// Read the password from the first line of standard input (for scripts). 从标准输入读取密码
        #[arg(long)]
        password_stdin: bool,
    },
}
