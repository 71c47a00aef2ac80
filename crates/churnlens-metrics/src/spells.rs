//! Active spells under the non-contractual churn rule.
//!
//! After a purchase on day L with no later purchase, a customer is active on
//! days L … L+W−1 and churned from day C = L+W (the churn date). A purchase
//! on day C or earlier continues the spell (there was no day on which the
//! customer was inactive); a purchase after C starts a new spell — a
//! reactivation. So two purchases belong to one spell exactly when their gap
//! is at most W days.
//!
//! W is fixed, or adaptive ([`ChurnRule::Adaptive`]): after each purchase
//! the window is k × the median of the customer's own gaps so far, rounded
//! up to whole days (at least 1), because one window does not fit a weekly
//! and a yearly buyer alike. With fewer than [`ADAPTIVE_MIN_GAPS`] gaps
//! there is no usual gap yet and the fixed window applies.

use crate::activity::Activity;

/// Gaps a customer needs before the adaptive rule uses their median.
pub const ADAPTIVE_MIN_GAPS: usize = 2;

/// How long after a purchase a customer counts as churned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChurnRule {
    /// The same window W (days) for everyone.
    Fixed(i32),
    /// k × the customer's median gap so far; `fallback` days until they
    /// have [`ADAPTIVE_MIN_GAPS`] gaps.
    Adaptive {
        /// Multiple of the median gap.
        k: f64,
        /// Window before the median is known.
        fallback: i32,
    },
}

impl ChurnRule {
    /// The window after a purchase, given the customer's gaps up to it
    /// (ascending).
    pub fn window_after(&self, sorted_gaps: &[i32]) -> i32 {
        match *self {
            ChurnRule::Fixed(window) => window,
            ChurnRule::Adaptive { fallback, .. } if sorted_gaps.len() < ADAPTIVE_MIN_GAPS => fallback,
            ChurnRule::Adaptive { k, .. } => ((k * median_of_sorted(sorted_gaps)).ceil() as i32).max(1),
        }
    }

    /// The fixed window, or the adaptive rule's fallback.
    pub fn base_window(&self) -> i32 {
        match *self {
            ChurnRule::Fixed(window) | ChurnRule::Adaptive { fallback: window, .. } => window,
        }
    }
}

/// Median of ascending values (mean of the middle two for an even count);
/// 0 for none.
pub fn median_of_sorted<T: Copy + Into<f64>>(sorted: &[T]) -> f64 {
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2].into(),
        _ => (sorted[n / 2 - 1].into() + sorted[n / 2].into()) / 2.0,
    }
}

/// One continuous active stretch of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    /// Customer position in [`Activity::ids`].
    pub customer: u32,
    /// First purchase day of the spell.
    pub start: i32,
    /// Last purchase day of the spell.
    pub last: i32,
    /// Churn date: `last + W`. Whether it has happened depends on the end
    /// of observation (a churn date after it is not yet a churn).
    pub churn: i32,
    /// Whether this is the customer's first spell.
    pub first: bool,
}

/// Splits every customer's purchase days into spells for window `window`
/// days. Spells come out grouped by customer, in time order.
pub fn spells(activity: &Activity, window: i32) -> Vec<Spell> {
    spells_with(activity, ChurnRule::Fixed(window))
}

/// [`spells`] under any [`ChurnRule`].
pub fn spells_with(activity: &Activity, rule: ChurnRule) -> Vec<Spell> {
    let mut out = Vec::with_capacity(activity.len());
    let mut gaps: Vec<i32> = Vec::new();
    for (customer, days) in activity.days.iter().enumerate() {
        let Some(&first_day) = days.first() else { continue };
        gaps.clear();
        let mut spell = Spell { customer: customer as u32, start: first_day, last: first_day, churn: 0, first: true };
        for &day in &days[1..] {
            let gap = day - spell.last;
            let window = rule.window_after(&gaps);
            if gap <= window {
                spell.last = day;
            } else {
                spell.churn = spell.last + window;
                out.push(spell);
                spell = Spell { customer: customer as u32, start: day, last: day, churn: 0, first: false };
            }
            let at = gaps.partition_point(|g| *g < gap);
            gaps.insert(at, gap);
        }
        spell.churn = spell.last + rule.window_after(&gaps);
        out.push(spell);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_day;

    #[test]
    fn a_gap_of_exactly_the_window_continues_one_more_starts_again() {
        let d = |s| parse_day(s).unwrap();
        // W = 90: 2024-01-10 + 90 days = 2024-04-09 (the example).
        let a = Activity::from_rows(&[
            ("A", "2024-01-10", 1.0),
            ("B", "2024-01-10", 1.0),
            ("B", "2024-04-09", 1.0),
            ("C", "2024-01-10", 1.0),
            ("C", "2024-04-10", 1.0),
            ("E", "2024-01-01", 1.0),
            ("E", "2024-01-31", 1.0),
            ("E", "2024-06-01", 1.0),
        ]);
        let s = spells(&a, 90);
        assert_eq!(s[0], Spell { customer: 0, start: d("2024-01-10"), last: d("2024-01-10"), churn: d("2024-04-09"), first: true });
        // B buys on its churn date: still one spell.
        assert_eq!(s[1].last, d("2024-04-09"));
        assert_eq!(s[1].churn, d("2024-07-08"));
        // C buys the day after: churned on 04-09, reactivated on 04-10.
        assert_eq!((s[2].churn, s[3].start, s[3].first), (d("2024-04-09"), d("2024-04-10"), false));
        // E: a closed spell of two purchases churns 90 days after the later
        // one (01-31 + 90 = 04-30), not the first.
        assert_eq!((s[4].start, s[4].last, s[4].churn), (d("2024-01-01"), d("2024-01-31"), d("2024-04-30")));
        assert_eq!((s[5].start, s[5].first), (d("2024-06-01"), false));
        assert_eq!(s.len(), 6);
    }

    #[test]
    fn adaptive_window_follows_the_customers_own_gaps() {
        let d = |s| parse_day(s).unwrap();
        // Gaps 10, 10, 40: after the third purchase the median of [10, 10]
        // is 10 and k = 3 gives a 30-day window, so the 40-day gap is a
        // churn (01-21 + 30 = 02-20) and 03-01 a return. Then gaps [10, 10,
        // 40] → median 10 → the last spell churns 03-01 + 30 = 03-31.
        // A fixed 90-day window would keep one spell.
        let a = Activity::from_rows(&[("A", "2024-01-01", 1.0), ("A", "2024-01-11", 1.0), ("A", "2024-01-21", 1.0), ("A", "2024-03-01", 1.0)]);
        let rule = ChurnRule::Adaptive { k: 3.0, fallback: 90 };
        let s = spells_with(&a, rule);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].start, s[0].last, s[0].churn), (d("2024-01-01"), d("2024-01-21"), d("2024-02-20")));
        assert_eq!((s[1].start, s[1].churn, s[1].first), (d("2024-03-01"), d("2024-03-31"), false));
        assert_eq!(spells(&a, 90).len(), 1);
        // Fewer than two gaps: the fallback window.
        assert_eq!(rule.window_after(&[]), 90);
        assert_eq!(rule.window_after(&[7]), 90);
        // k × median rounded up: 1.5 × 7 = 10.5 → 11; never below a day.
        assert_eq!(ChurnRule::Adaptive { k: 1.5, fallback: 90 }.window_after(&[7, 7]), 11);
        assert_eq!(ChurnRule::Adaptive { k: 0.1, fallback: 90 }.window_after(&[1, 1]), 1);
        assert_eq!(median_of_sorted(&[1, 2, 3, 10]), 2.5);
    }
}
