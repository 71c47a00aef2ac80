//! The business calendar: which local day an instant falls on, and which
//! period (day, week, month, quarter, year) a day belongs to.
//!
//! Days are `i32` counts since 1970-01-01 *in the business time zone*. The
//! zone is applied to each UTC instant before anything is bucketed, so an
//! order at 2024-01-31 20:00 UTC is a February order in Shanghai (UTC+8) —
//! the off-by-one-day retention other tools show at UTC+8 cannot happen.
//! Weeks start on a chosen weekday (Monday by default); quarters and years
//! can be fiscal, starting in any month.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Offset, TimeZone, Weekday};
use churnlens_core::values::{civil_from_days, days_from_civil};

/// A reporting period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Period {
    /// One day.
    Day,
    /// Seven days from the calendar's week start.
    Week,
    /// A calendar month.
    #[default]
    Month,
    /// Three months, aligned to the fiscal year's first month.
    Quarter,
    /// Twelve months from the fiscal year's first month.
    Year,
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "day" | "d" | "日" => Ok(Period::Day),
            "week" | "w" | "周" => Ok(Period::Week),
            "month" | "m" | "月" => Ok(Period::Month),
            "quarter" | "q" | "季度" => Ok(Period::Quarter),
            "year" | "y" | "年" => Ok(Period::Year),
            _ => Err(format!("unknown period '{s}': use day, week, month, quarter or year")),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        })
    }
}

/// The business's calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    /// Time zone in which days begin and end.
    pub tz: chrono_tz::Tz,
    /// First day of a week.
    pub week_start: Weekday,
    /// First month (1–12) of the fiscal year; quarters follow it.
    pub fiscal_year_start: u32,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar { tz: chrono_tz::UTC, week_start: Weekday::Mon, fiscal_year_start: 1 }
    }
}

/// One period: its first and last day (inclusive) and a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodSpan {
    /// First day.
    pub start: i32,
    /// Last day, inclusive.
    pub end: i32,
    /// `2024-03`, `2024-W10` (the week's first day is shown), `2024-Q1`,
    /// `FY2024` (a fiscal year is named after the calendar year it starts in).
    pub label: String,
}

impl PeriodSpan {
    /// Number of days in the period.
    pub fn days(&self) -> i32 {
        self.end - self.start + 1
    }
}

impl Calendar {
    /// A calendar in time zone `tz`, weeks from Monday, years from January.
    pub fn in_zone(tz: chrono_tz::Tz) -> Self {
        Calendar { tz, ..Calendar::default() }
    }

    /// First day of the period containing `day`.
    pub fn period_start(&self, period: Period, day: i32) -> i32 {
        match period {
            Period::Day => day,
            Period::Week => {
                // 1970-01-01 was a Thursday (Monday-based index 3).
                let weekday = (i64::from(day) + 3).rem_euclid(7) as i32;
                let offset = (weekday - self.week_start.num_days_from_monday() as i32).rem_euclid(7);
                day - offset
            }
            Period::Month | Period::Quarter | Period::Year => {
                let (y, m, _) = civil_from_days(i64::from(day));
                let months = match period {
                    Period::Month => 1,
                    Period::Quarter => 3,
                    _ => 12,
                };
                // Months since the fiscal year's start, in whole periods.
                let index = (y * 12 + m as i32 - 1) - (self.fiscal_year_start as i32 - 1);
                let first = index - index.rem_euclid(months) + (self.fiscal_year_start as i32 - 1);
                days_from_civil(first.div_euclid(12), (first.rem_euclid(12) + 1) as u32, 1) as i32
            }
        }
    }

    /// The period that begins on `start` (which must be a period start).
    pub fn span(&self, period: Period, start: i32) -> PeriodSpan {
        let (y, m, d) = civil_from_days(i64::from(start));
        let add_months = |n: i32| {
            let index = y * 12 + m as i32 - 1 + n;
            days_from_civil(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32, 1) as i32
        };
        let (next, label) = match period {
            Period::Day => (start + 1, format!("{y:04}-{m:02}-{d:02}")),
            Period::Week => (start + 7, format!("{y:04}-{m:02}-{d:02}")),
            Period::Month => (add_months(1), format!("{y:04}-{m:02}")),
            Period::Quarter => {
                let fiscal = self.fiscal_year_start != 1;
                let offset = (m as i32 - self.fiscal_year_start as i32).rem_euclid(12);
                let fy = if m as i32 >= self.fiscal_year_start as i32 { y } else { y - 1 };
                let label = if fiscal { format!("FY{fy:04}-Q{}", offset / 3 + 1) } else { format!("{y:04}-Q{}", offset / 3 + 1) };
                (add_months(3), label)
            }
            Period::Year => {
                let label = if self.fiscal_year_start == 1 { format!("{y:04}") } else { format!("FY{y:04}") };
                (add_months(12), label)
            }
        };
        PeriodSpan { start, end: next - 1, label }
    }

    /// Every period overlapping `first ..= last`, in order.
    pub fn periods(&self, period: Period, first: i32, last: i32) -> Vec<PeriodSpan> {
        let mut out = Vec::new();
        let mut start = self.period_start(period, first);
        while start <= last {
            let span = self.span(period, start);
            start = span.end + 1;
            out.push(span);
        }
        out
    }

    /// The periods from the one holding `first` that have ended by `as_of`:
    /// the ones whose figures are final.
    pub fn complete_periods(&self, period: Period, first: i32, as_of: i32) -> Vec<PeriodSpan> {
        self.periods(period, first, as_of).into_iter().filter(|s| s.end <= as_of).collect()
    }

    /// A converter from UTC instants to local days for this calendar.
    pub fn day_of(&self) -> LocalDay {
        LocalDay { tz: self.tz, days: HashMap::default(), quarters: HashMap::default() }
    }
}

/// Converts UTC instants (microseconds) to local day numbers.
///
/// A time-zone rule search per row is slow, so offsets are cached per UTC
/// day: the offsets at the day's start and end, and when they agree (every
/// day but the few with a daylight-saving change — no zone changes and
/// changes back within one day) that offset holds all day. On change days
/// the offset is looked up per quarter hour (zones such as Asia/Kathmandu,
/// UTC+5:45, change on quarter hours). A per-quarter-hour cache alone held
/// ~100k entries for three years of data and cost a third of a 10M-row load
/// in cache misses; the per-day one holds ~1,100.
pub struct LocalDay {
    tz: chrono_tz::Tz,
    /// UTC day → offsets (seconds) at its start and at its end.
    days: HashMap<i64, (i64, i64), ahash::RandomState>,
    /// Quarter hour → offset, for change days.
    quarters: HashMap<i64, i64, ahash::RandomState>,
}

impl LocalDay {
    /// The zone's offset at a UTC instant in seconds.
    fn offset_at(tz: chrono_tz::Tz, seconds: i64) -> i64 {
        match chrono::DateTime::from_timestamp(seconds, 0) {
            Some(utc) => i64::from(tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()),
            None => 0,
        }
    }

    /// The local day of a UTC instant in microseconds since the epoch.
    pub fn of_micros(&mut self, micros: i64) -> i32 {
        let seconds = micros.div_euclid(1_000_000);
        let offset = if self.tz == chrono_tz::UTC {
            0
        } else {
            let tz = self.tz;
            let day = seconds.div_euclid(86_400);
            let (start, end) = *self.days.entry(day).or_insert_with(|| (Self::offset_at(tz, day * 86_400), Self::offset_at(tz, day * 86_400 + 86_399)));
            if start == end {
                start
            } else {
                let quarter = seconds.div_euclid(900);
                *self.quarters.entry(quarter).or_insert_with(|| Self::offset_at(tz, quarter * 900))
            }
        };
        (seconds + offset).div_euclid(86_400) as i32
    }
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(day));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<i32> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.to_epoch_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i32 {
        parse_day(s).unwrap()
    }

    #[test]
    fn months_quarters_and_fiscal_years() {
        let cal = Calendar::default();
        assert_eq!(
            cal.span(Period::Month, cal.period_start(Period::Month, day("2024-02-17"))),
            PeriodSpan { start: day("2024-02-01"), end: day("2024-02-29"), label: "2024-02".into() }
        );
        let q = cal.span(Period::Quarter, cal.period_start(Period::Quarter, day("2024-05-31")));
        assert_eq!((q.start, q.end, q.label.as_str()), (day("2024-04-01"), day("2024-06-30"), "2024-Q2"));
        // Fiscal year from April: 2024-02 is in FY2023 Q4, 2024-04 starts FY2024.
        let fiscal = Calendar { fiscal_year_start: 4, ..Calendar::default() };
        let q = fiscal.span(Period::Quarter, fiscal.period_start(Period::Quarter, day("2024-02-10")));
        assert_eq!((q.start, q.end, q.label.as_str()), (day("2024-01-01"), day("2024-03-31"), "FY2023-Q4"));
        let y = fiscal.span(Period::Year, fiscal.period_start(Period::Year, day("2024-02-10")));
        assert_eq!((y.start, y.end, y.label.as_str()), (day("2023-04-01"), day("2024-03-31"), "FY2023"));
        assert_eq!(cal.periods(Period::Month, day("2023-12-31"), day("2024-02-01")).len(), 3);
    }

    #[test]
    fn weeks_start_on_the_chosen_day() {
        // 2024-03-06 is a Wednesday.
        let monday = Calendar::default();
        assert_eq!(monday.period_start(Period::Week, day("2024-03-06")), day("2024-03-04"));
        let sunday = Calendar { week_start: Weekday::Sun, ..Calendar::default() };
        assert_eq!(sunday.period_start(Period::Week, day("2024-03-06")), day("2024-03-03"));
        assert_eq!(sunday.period_start(Period::Week, day("2024-03-03")), day("2024-03-03"));
    }

    #[test]
    fn days_begin_in_the_business_time_zone() {
        // 2024-01-31 20:00 UTC is 2024-02-01 04:00 in Shanghai.
        let micros = (i64::from(day("2024-01-31")) * 86_400 + 20 * 3600) * 1_000_000;
        assert_eq!(Calendar::default().day_of().of_micros(micros), day("2024-01-31"));
        assert_eq!(Calendar::in_zone(chrono_tz::Asia::Shanghai).day_of().of_micros(micros), day("2024-02-01"));
        // New York in summer is UTC−4: 2024-07-01 02:00 UTC is still 30 June there.
        let micros = (i64::from(day("2024-07-01")) * 86_400 + 2 * 3600) * 1_000_000;
        assert_eq!(Calendar::in_zone(chrono_tz::America::New_York).day_of().of_micros(micros), day("2024-06-30"));
    }

    #[test]
    fn daylight_saving_change_days_use_the_offset_of_the_moment() {
        let at = |date: &str, hour: i64, minute: i64| (i64::from(day(date)) * 86_400 + hour * 3600 + minute * 60) * 1_000_000;
        let mut new_york = Calendar::in_zone(chrono_tz::America::New_York).day_of();
        // 2024-11-03: EDT (UTC−4) until 06:00 UTC, then EST (UTC−5).
        // 04:30 UTC is 00:30 EDT on the 3rd (under EST it would be the 2nd).
        assert_eq!(new_york.of_micros(at("2024-11-03", 4, 30)), day("2024-11-03"));
        // 2024-11-04 04:30 UTC is 23:30 EST on the 3rd (under EDT, the 4th).
        assert_eq!(new_york.of_micros(at("2024-11-04", 4, 30)), day("2024-11-03"));
        // 2024-03-10: EST until 07:00 UTC. 04:30 UTC is 23:30 on the 9th;
        // 23:30 UTC is 19:30 EDT on the 10th.
        assert_eq!(new_york.of_micros(at("2024-03-10", 4, 30)), day("2024-03-09"));
        assert_eq!(new_york.of_micros(at("2024-03-10", 23, 30)), day("2024-03-10"));
        // Kathmandu is UTC+5:45 all year: 18:14 UTC is 23:59, 18:15 the next day.
        let mut kathmandu = Calendar::in_zone(chrono_tz::Asia::Kathmandu).day_of();
        assert_eq!(kathmandu.of_micros(at("2024-05-01", 18, 14)), day("2024-05-01"));
        assert_eq!(kathmandu.of_micros(at("2024-05-01", 18, 15)), day("2024-05-02"));
    }
}
