//! Active spells under the non-contractual churn rule.
//!
//! After a purchase on day L with no later purchase, a customer is active on
//! days L … L+W−1 and churned from day C = L+W (the churn date). A purchase
//! on day C or earlier continues the spell (there was no day on which the
//! customer was inactive); a purchase after C starts a new spell — a
//! reactivation. So two purchases belong to one spell exactly when their gap
//! is at most W days.

use crate::activity::Activity;

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
    let mut out = Vec::with_capacity(activity.len());
    for (customer, days) in activity.days.iter().enumerate() {
        let Some(&first_day) = days.first() else { continue };
        let mut spell = Spell { customer: customer as u32, start: first_day, last: first_day, churn: first_day + window, first: true };
        for &day in &days[1..] {
            if day - spell.last <= window {
                spell.last = day;
            } else {
                spell.churn = spell.last + window;
                out.push(spell);
                spell = Spell { customer: customer as u32, start: day, last: day, churn: day + window, first: false };
            }
        }
        spell.churn = spell.last + window;
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
}
