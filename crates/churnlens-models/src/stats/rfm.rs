//! RFM scoring (issue #4): recency, frequency and monetary value per
//! customer turned into scores and named segments.
//!
//! **Quintile scores 1–5.** Values are ranked 1..n in ascending order, ties
//! broken by input order (pandas `rank(method="first")`), and rank r of n
//! gets score max(1, ⌈5(r − 1)/(n − 1)⌉): exactly
//! `pd.qcut(x.rank(method="first"), 5, labels=[1, 2, 3, 4, 5])`, whose bin
//! edges are the quantiles 1 + k(n − 1)/5 of the ranks with the lowest edge
//! included. Equal values can therefore get different scores (the one seen
//! first scores lower); every score holds n/5 customers give or take one. F
//! and M score high for large values; R is reversed (score 6 − quintile of
//! the days since the last order, pandas `labels=[5, 4, 3, 2, 1]`), so the
//! most recent customers score 5. At least two customers are needed.
//!
//! **Eight segments** (the RFM model common in Chinese CRM practice): each
//! of R, F, M is high or low against a threshold, by default the mean over
//! all customers ([`Threshold::Mean`]) or else the median or given values.
//! R is high when the days since the last order are *fewer* than the
//! threshold; F and M are high when *above* it; a value equal to the
//! threshold is low.
//!
//! | R | F | M | segment |
//! |---|---|---|---|
//! | high | high | high | 重要价值客户 important value |
//! | high | low | high | 重要发展客户 important development |
//! | low | high | high | 重要保持客户 important retain |
//! | low | low | high | 重要挽留客户 important win-back |
//! | high | high | low | 一般价值客户 general value |
//! | high | low | low | 一般发展客户 general development |
//! | low | high | low | 一般保持客户 general retain |
//! | low | low | low | 一般挽留客户 general win-back |
//!
//! **Eleven segments** from the R score and the FM score
//! ⌈(F + M)/2⌉ (the mean of the F and M scores, halves rounded up), on the
//! widely used R × FM grid (after Putler's segment table, whose overlapping
//! ranges are resolved as below; rows R, columns FM):
//!
//! | R \ FM | 1 | 2 | 3 | 4 | 5 |
//! |---|---|---|---|---|---|
//! | 5 | New | Potential loyalist | Loyal | Champions | Champions |
//! | 4 | Promising | Potential loyalist | Loyal | Champions | Champions |
//! | 3 | About to sleep | Need attention | Need attention | Loyal | Loyal |
//! | 2 | Hibernating | Hibernating | At risk | At risk | Can't lose |
//! | 1 | Lost | Lost | At risk | Can't lose | Can't lose |
//!
//! Chinese labels: 冠军客户 Champions, 忠诚客户 Loyal, 潜力客户 Potential
//! loyalist, 新客户 New, 有望客户 Promising, 需关注客户 Need attention,
//! 即将沉睡 About to sleep, 有流失风险 At risk, 不能失去 Can't lose,
//! 休眠客户 Hibernating, 已流失 Lost.

use std::collections::BTreeMap;

use thiserror::Error;

/// Why RFM scores or segments could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RfmError {
    /// Fewer than two customers: quintiles need at least two.
    #[error("RFM scores need at least two customers, not {0}")]
    TooFewCustomers(usize),
    /// The inputs do not have one value per customer.
    #[error("{what} has {found} values but recency has {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// The number of recency values.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
    /// A value is infinite or not a number.
    #[error("{what} of customer {index} is {value}, not a finite number")]
    InvalidValue {
        /// Which measure.
        what: &'static str,
        /// The customer's position in the input.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A given segment threshold is infinite or not a number.
    #[error("the segment threshold {0} is not a finite number")]
    InvalidThreshold(f64),
    /// An order after the as-of day.
    #[error("order {index} is on day {day}, after the as-of day {as_of}")]
    OrderAfterAsOf {
        /// The order's position in the input.
        index: usize,
        /// Its day number.
        day: i64,
        /// The as-of day number.
        as_of: i64,
    },
}

/// Per-customer recency (days since the last order), frequency (orders)
/// and monetary value (total spend), in the order customers first appear.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmValues<C> {
    /// The customer of each row.
    pub customers: Vec<C>,
    /// Days from the last order to the as-of day.
    pub recency_days: Vec<f64>,
    /// The number of orders.
    pub frequency: Vec<f64>,
    /// The sum of the order amounts.
    pub monetary: Vec<f64>,
}

/// Aggregates orders (customer, day number, amount) into RFM values as of
/// day `as_of` (commonly the day after the last order): each order counts
/// once towards frequency. Customers come out in order of first appearance.
pub fn aggregate_orders<C: Ord + Clone>(customers: &[C], days: &[i64], amounts: &[f64], as_of: i64) -> Result<RfmValues<C>, RfmError> {
    check_length("days", customers.len(), days.len())?;
    check_length("amounts", customers.len(), amounts.len())?;
    check_finite("amount", amounts)?;
    let mut position: BTreeMap<&C, usize> = BTreeMap::new();
    let mut out = RfmValues { customers: Vec::new(), recency_days: Vec::new(), frequency: Vec::new(), monetary: Vec::new() };
    let mut last_day: Vec<i64> = Vec::new();
    for (index, ((customer, &day), &amount)) in customers.iter().zip(days).zip(amounts).enumerate() {
        if day > as_of {
            return Err(RfmError::OrderAfterAsOf { index, day, as_of });
        }
        let i = *position.entry(customer).or_insert_with(|| {
            out.customers.push(customer.clone());
            out.frequency.push(0.0);
            out.monetary.push(0.0);
            last_day.push(day);
            last_day.len() - 1
        });
        out.frequency[i] += 1.0;
        out.monetary[i] += amount;
        last_day[i] = last_day[i].max(day);
    }
    out.recency_days = last_day.iter().map(|&d| (as_of - d) as f64).collect();
    Ok(out)
}

/// Quintile scores 1–5 of `values` (5 for the largest fifth), ties broken
/// by input order as the module docs say.
pub fn quintile_scores(values: &[f64]) -> Result<Vec<u8>, RfmError> {
    check_finite("value", values)?;
    let n = values.len();
    if n < 2 {
        return Err(RfmError::TooFewCustomers(n));
    }
    let mut order: Vec<usize> = (0..n).collect();
    // A stable sort keeps equal values in input order: rank(method="first").
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut scores = vec![0u8; n];
    for (rank_minus_one, &i) in order.iter().enumerate() {
        let score = (5 * rank_minus_one).div_ceil(n - 1).max(1);
        scores[i] = score as u8;
    }
    Ok(scores)
}

/// The R, F and M scores 1–5 of each customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RfmScores {
    /// Recency scores: 5 for the most recent fifth.
    pub r: Vec<u8>,
    /// Frequency scores: 5 for the most frequent fifth.
    pub f: Vec<u8>,
    /// Monetary scores: 5 for the top-spending fifth.
    pub m: Vec<u8>,
}

/// The quintile scores of each customer, recency reversed.
pub fn rfm_scores(recency_days: &[f64], frequency: &[f64], monetary: &[f64]) -> Result<RfmScores, RfmError> {
    check_length("frequency", recency_days.len(), frequency.len())?;
    check_length("monetary", recency_days.len(), monetary.len())?;
    let r = quintile_scores(recency_days)?.into_iter().map(|q| 6 - q).collect();
    Ok(RfmScores { r, f: quintile_scores(frequency)?, m: quintile_scores(monetary)? })
}

/// What high and low are measured against in the eight-segment scheme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// The mean of each measure over all customers (the default).
    Mean,
    /// The median of each measure (the mean of the middle two for an even count).
    Median,
    /// Given thresholds for recency days, frequency and monetary value.
    Values {
        /// Recency is high below this many days.
        recency_days: f64,
        /// Frequency is high above this.
        frequency: f64,
        /// Monetary value is high above this.
        monetary: f64,
    },
}

/// The eight RFM segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EightSegment {
    /// R high, F high, M high.
    ImportantValue,
    /// R high, F low, M high.
    ImportantDevelopment,
    /// R low, F high, M high.
    ImportantRetain,
    /// R low, F low, M high.
    ImportantWinBack,
    /// R high, F high, M low.
    GeneralValue,
    /// R high, F low, M low.
    GeneralDevelopment,
    /// R low, F high, M low.
    GeneralRetain,
    /// R low, F low, M low.
    GeneralWinBack,
}

impl EightSegment {
    /// All eight, in the order of the module table.
    pub const ALL: [EightSegment; 8] = [
        EightSegment::ImportantValue,
        EightSegment::ImportantDevelopment,
        EightSegment::ImportantRetain,
        EightSegment::ImportantWinBack,
        EightSegment::GeneralValue,
        EightSegment::GeneralDevelopment,
        EightSegment::GeneralRetain,
        EightSegment::GeneralWinBack,
    ];

    /// The segment of a customer whose R, F and M are high (true) or low.
    pub fn from_levels(r_high: bool, f_high: bool, m_high: bool) -> Self {
        match (r_high, f_high, m_high) {
            (true, true, true) => EightSegment::ImportantValue,
            (true, false, true) => EightSegment::ImportantDevelopment,
            (false, true, true) => EightSegment::ImportantRetain,
            (false, false, true) => EightSegment::ImportantWinBack,
            (true, true, false) => EightSegment::GeneralValue,
            (true, false, false) => EightSegment::GeneralDevelopment,
            (false, true, false) => EightSegment::GeneralRetain,
            (false, false, false) => EightSegment::GeneralWinBack,
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            EightSegment::ImportantValue => "important value",
            EightSegment::ImportantDevelopment => "important development",
            EightSegment::ImportantRetain => "important retain",
            EightSegment::ImportantWinBack => "important win-back",
            EightSegment::GeneralValue => "general value",
            EightSegment::GeneralDevelopment => "general development",
            EightSegment::GeneralRetain => "general retain",
            EightSegment::GeneralWinBack => "general win-back",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            EightSegment::ImportantValue => "重要价值客户",
            EightSegment::ImportantDevelopment => "重要发展客户",
            EightSegment::ImportantRetain => "重要保持客户",
            EightSegment::ImportantWinBack => "重要挽留客户",
            EightSegment::GeneralValue => "一般价值客户",
            EightSegment::GeneralDevelopment => "一般发展客户",
            EightSegment::GeneralRetain => "一般保持客户",
            EightSegment::GeneralWinBack => "一般挽留客户",
        }
    }
}

/// The eight-segment label of each customer against the given thresholds.
pub fn eight_segments(recency_days: &[f64], frequency: &[f64], monetary: &[f64], threshold: Threshold) -> Result<Vec<EightSegment>, RfmError> {
    check_length("frequency", recency_days.len(), frequency.len())?;
    check_length("monetary", recency_days.len(), monetary.len())?;
    check_finite("recency", recency_days)?;
    check_finite("frequency", frequency)?;
    check_finite("monetary", monetary)?;
    if recency_days.is_empty() {
        return Err(RfmError::TooFewCustomers(0));
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let (r_cut, f_cut, m_cut) = match threshold {
        Threshold::Mean => (mean(recency_days), mean(frequency), mean(monetary)),
        Threshold::Median => (median(recency_days), median(frequency), median(monetary)),
        Threshold::Values { recency_days, frequency, monetary } => {
            if let Some(&value) = [recency_days, frequency, monetary].iter().find(|v| !v.is_finite()) {
                return Err(RfmError::InvalidThreshold(value));
            }
            (recency_days, frequency, monetary)
        }
    };
    Ok((0..recency_days.len()).map(|i| EightSegment::from_levels(recency_days[i] < r_cut, frequency[i] > f_cut, monetary[i] > m_cut)).collect())
}

/// The eleven score-based RFM segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElevenSegment {
    /// Bought recently, often and much.
    Champions,
    /// Buy often and much, fairly recently.
    Loyal,
    /// Recent, average frequency and spend.
    PotentialLoyalist,
    /// Very recent, little bought yet.
    New,
    /// Recent, little bought yet.
    Promising,
    /// Middling recency, frequency and spend.
    NeedAttention,
    /// Middling recency, little bought.
    AboutToSleep,
    /// Used to buy a fair amount, not recently.
    AtRisk,
    /// Bought much and often, long ago.
    CantLose,
    /// Long ago, little bought.
    Hibernating,
    /// Longest ago, least bought.
    Lost,
}

impl ElevenSegment {
    /// The segment of R and FM scores 1–5 on the grid of the module docs.
    ///
    /// # Panics
    /// If a score is outside 1–5.
    pub fn from_scores(r: u8, fm: u8) -> Self {
        use ElevenSegment::*;
        assert!((1..=5).contains(&r) && (1..=5).contains(&fm), "RFM scores run from 1 to 5, not R {r}, FM {fm}");
        const GRID: [[ElevenSegment; 5]; 5] = [
            [Lost, Lost, AtRisk, CantLose, CantLose],
            [Hibernating, Hibernating, AtRisk, AtRisk, CantLose],
            [AboutToSleep, NeedAttention, NeedAttention, Loyal, Loyal],
            [Promising, PotentialLoyalist, Loyal, Champions, Champions],
            [New, PotentialLoyalist, Loyal, Champions, Champions],
        ];
        GRID[usize::from(r) - 1][usize::from(fm) - 1]
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            ElevenSegment::Champions => "Champions",
            ElevenSegment::Loyal => "Loyal",
            ElevenSegment::PotentialLoyalist => "Potential loyalist",
            ElevenSegment::New => "New",
            ElevenSegment::Promising => "Promising",
            ElevenSegment::NeedAttention => "Need attention",
            ElevenSegment::AboutToSleep => "About to sleep",
            ElevenSegment::AtRisk => "At risk",
            ElevenSegment::CantLose => "Can't lose",
            ElevenSegment::Hibernating => "Hibernating",
            ElevenSegment::Lost => "Lost",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            ElevenSegment::Champions => "冠军客户",
            ElevenSegment::Loyal => "忠诚客户",
            ElevenSegment::PotentialLoyalist => "潜力客户",
            ElevenSegment::New => "新客户",
            ElevenSegment::Promising => "有望客户",
            ElevenSegment::NeedAttention => "需关注客户",
            ElevenSegment::AboutToSleep => "即将沉睡",
            ElevenSegment::AtRisk => "有流失风险",
            ElevenSegment::CantLose => "不能失去",
            ElevenSegment::Hibernating => "休眠客户",
            ElevenSegment::Lost => "已流失",
        }
    }
}

/// The FM score ⌈(F + M)/2⌉.
pub fn fm_score(f: u8, m: u8) -> u8 {
    (f + m).div_ceil(2)
}

/// The eleven-segment label of each customer from its scores.
pub fn eleven_segments(scores: &RfmScores) -> Vec<ElevenSegment> {
    scores.r.iter().zip(&scores.f).zip(&scores.m).map(|((&r, &f), &m)| ElevenSegment::from_scores(r, fm_score(f, m))).collect()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    churnlens_metrics::spells::median_of_sorted(&sorted)
}

fn check_length(what: &'static str, expected: usize, found: usize) -> Result<(), RfmError> {
    if expected == found { Ok(()) } else { Err(RfmError::LengthMismatch { what, expected, found }) }
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<(), RfmError> {
    match values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, &value)) => Err(RfmError::InvalidValue { what, index, value }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_follow_pandas_qcut_of_first_ranks() {
        // pd.qcut(pd.Series([5, 1, 1, 3, 9, 7, 1]).rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
        // gives [4, 1, 1, 3, 5, 5, 2]: the three 1s rank 1, 2, 3 in input order.
        assert_eq!(quintile_scores(&[5.0, 1.0, 1.0, 3.0, 9.0, 7.0, 1.0]).unwrap(), vec![4, 1, 1, 3, 5, 5, 2]);
        // Two customers: ranks 1 and 2 sit at the bottom and top edges.
        assert_eq!(quintile_scores(&[2.0, 1.0]).unwrap(), vec![5, 1]);
        assert_eq!(quintile_scores(&[1.0]), Err(RfmError::TooFewCustomers(1)));
    }

    #[test]
    fn recency_is_reversed_so_recent_customers_score_high() {
        let scores = rfm_scores(&[1.0, 300.0, 40.0, 90.0, 10.0], &[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap();
        assert_eq!(scores.r, vec![5, 1, 3, 2, 4]);
        assert_eq!(scores.f, vec![1, 2, 3, 4, 5]);
        assert_eq!(scores.m, vec![5, 4, 3, 2, 1]);
    }

    #[test]
    fn eight_segments_compare_with_the_mean_and_count_ties_as_low() {
        // Means: recency 20, frequency 3, monetary 100.
        let recency = [10.0, 30.0, 20.0, 20.0];
        let frequency = [5.0, 1.0, 3.0, 3.0];
        let monetary = [150.0, 50.0, 100.0, 100.0];
        let segments = eight_segments(&recency, &frequency, &monetary, Threshold::Mean).unwrap();
        assert_eq!(segments, vec![EightSegment::ImportantValue, EightSegment::GeneralWinBack, EightSegment::GeneralWinBack, EightSegment::GeneralWinBack]);
        let given = Threshold::Values { recency_days: 25.0, frequency: 2.0, monetary: 120.0 };
        let segments = eight_segments(&recency, &frequency, &monetary, given).unwrap();
        assert_eq!(segments[2], EightSegment::GeneralValue);
        let broken = Threshold::Values { recency_days: 25.0, frequency: f64::NAN, monetary: 120.0 };
        assert!(matches!(eight_segments(&recency, &frequency, &monetary, broken), Err(RfmError::InvalidThreshold(v)) if v.is_nan()));
        assert_eq!(segments[1].label_zh(), "一般挽留客户");
        assert_eq!(EightSegment::ALL.len(), 8);
        // Median of recency [10, 20, 20, 30] is 20: only customer 0 is recent.
        let by_median = eight_segments(&recency, &frequency, &monetary, Threshold::Median).unwrap();
        assert_eq!(by_median[0], EightSegment::ImportantValue);
    }

    #[test]
    fn the_eleven_segment_grid_covers_every_score_pair_and_all_segments() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for fm in 1..=5 {
                seen.insert(ElevenSegment::from_scores(r, fm));
            }
        }
        assert_eq!(seen.len(), 11);
        assert_eq!(ElevenSegment::from_scores(5, 5).label_zh(), "冠军客户");
        assert_eq!(ElevenSegment::from_scores(1, 1).label_en(), "Lost");
        assert_eq!(fm_score(4, 5), 5);
        assert_eq!(fm_score(1, 2), 2);
    }

    #[test]
    fn orders_aggregate_per_customer_in_order_of_appearance() {
        let values = aggregate_orders(&["b", "a", "b"], &[3, 5, 9], &[10.0, 2.5, 4.0], 10).unwrap();
        assert_eq!(values.customers, vec!["b", "a"]);
        assert_eq!(values.recency_days, vec![1.0, 5.0]);
        assert_eq!(values.frequency, vec![2.0, 1.0]);
        assert_eq!(values.monetary, vec![14.0, 2.5]);
        assert_eq!(aggregate_orders(&["a"], &[11], &[1.0], 10), Err(RfmError::OrderAfterAsOf { index: 0, day: 11, as_of: 10 }));
    }
}
