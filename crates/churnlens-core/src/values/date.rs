//! Dates and times in the notations real exports use, parsed by hand.
//!
//! chrono's format-string parsing is general but slow per value, and these
//! parsers run on every cell of multi-million-row files; so the known
//! notations are scanned byte by byte here, and chrono is used only for a
//! format the user supplies. Day/month order is never guessed: a column of
//! `01/02/2024`-style values with no day above 12 is reported ambiguous.

use super::civil::{days_from_civil, days_in_month};

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;
/// Excel serial of 1970-01-01 in the 1900 date system.
const EXCEL_UNIX_EPOCH: i64 = 25_569;

/// Microseconds since 1970-01-01T00:00:00 of either a wall-clock (naive) time or a UTC instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedTime {
    /// Wall-clock time with no UTC offset given; the caller applies the import time zone.
    Local(i64),
    /// An instant: the text had `Z` or a `+08:00`-style offset, or was Unix seconds/millis.
    Utc(i64),
}

impl ParsedTime {
    /// The microseconds, whichever kind.
    pub fn micros(self) -> i64 {
        match self {
            ParsedTime::Local(m) | ParsedTime::Utc(m) => m,
        }
    }
}

/// The notation a column's dates are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateForm {
    /// `2024-01-05`, `2024-1-5`, `2024-01-05 10:30`, `2024-01-05T10:30:15.123+08:00`.
    Iso,
    /// `2024/1/5`, `2024/01/05 10:30[:15]`, also `2024.1.5`.
    YmdSlash,
    /// `2024年1月5日`, `2024年1月5日 10:30`, `2024年1月5日10时30分15秒`.
    Chinese,
    /// `20240105`, optionally with `103015` or ` 10:30:15` after it.
    Compact,
    /// `1/5/2024`, `01-05-2024`: month, day, year (US).
    MonthFirst,
    /// `5/1/2024`, `05-01-2024`: day, month, year.
    DayFirst,
    /// `05.01.2024`: day.month.year, the European convention.
    Dotted,
    /// `2024-01`, `2024/01`, `2024年1月`: the month's first day.
    YearMonth,
    /// Excel serial days since 1899-12-30 (`45296.5` = 2024-01-05 12:00).
    ExcelSerial,
    /// Unix seconds (integers 1e8 … 1e10).
    UnixSeconds,
    /// Unix milliseconds (integers 1e11 … 1e13).
    UnixMillis,
    /// A chrono strftime format supplied by the user.
    Custom(String),
}

/// The outcome of looking at a column's values to find its date notation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateDetection {
    /// One notation fits every non-null value looked at.
    Form(DateForm),
    /// Day/month order cannot be told: every slash/dash value has both
    /// numbers ≤ 12. Callers stop and ask for `--date-format`.
    Ambiguous {
        /// Up to three such values.
        examples: Vec<String>,
    },
    /// Values that need opposite orders appear (`13/01/2024` and `01/13/2024`).
    Conflicting {
        /// A value only valid day-first.
        day_first_example: String,
        /// A value only valid month-first.
        month_first_example: String,
    },
    /// Some value fits no known notation.
    Unrecognised {
        /// The first such value.
        example: String,
    },
    /// There were no non-null values.
    Empty,
}

/// The shape of a textual date as scanned, before the column's order is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Iso,
    YmdSlash,
    Chinese,
    Compact,
    /// Two small numbers then the year, with `/` or `-`: order unknown.
    FirstTwo,
    Dotted,
    YearMonth,
}

#[derive(Debug, Clone, Copy)]
struct Scanned {
    shape: Shape,
    year: i32,
    /// Month for year-first shapes; the first number for `FirstTwo`; the day for `Dotted`.
    a: u32,
    /// Day for year-first shapes; the second number for `FirstTwo`; the month for `Dotted`.
    b: u32,
    time_micros: i64,
    has_time: bool,
    offset_seconds: Option<i64>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { bytes: text.as_bytes(), pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Reads 1..=max ASCII digits; returns (value, count).
    fn number(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.pos;
        let mut value: u32 = 0;
        while self.pos < self.bytes.len() && self.pos - start < max && self.bytes[self.pos].is_ascii_digit() {
            value = value * 10 + u32::from(self.bytes[self.pos] - b'0');
            self.pos += 1;
        }
        let count = self.pos - start;
        (count > 0).then_some((value, count))
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, text: &str) -> bool {
        if self.bytes[self.pos..].starts_with(text.as_bytes()) {
            self.pos += text.len();
            true
        } else {
            false
        }
    }

    fn eat_ignore_case(&mut self, text: &str) -> bool {
        let n = text.len();
        if self.bytes.len() - self.pos >= n && self.bytes[self.pos..self.pos + n].eq_ignore_ascii_case(text.as_bytes()) {
            self.pos += n;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos - start
    }
}

/// Scans a textual date (with optional time and offset). `None` when the
/// text is no date notation this module knows or a field is out of range.
fn scan(text: &str) -> Option<Scanned> {
    let text = text.trim();
    let mut c = Cursor::new(text);
    let (first, first_len) = c.number(8)?;
    let (shape, year, a, b) = if first_len == 8 {
        let (y, m, d) = (first / 10_000, first / 100 % 100, first % 100);
        (Shape::Compact, y as i32, m, d)
    } else if first_len == 4 {
        let sep = c.peek()?;
        if c.eat_str("年") {
            let (m, _) = c.number(2)?;
            if !c.eat_str("月") {
                return None;
            }
            if c.done() {
                (Shape::YearMonth, first as i32, m, 1)
            } else {
                let (d, _) = c.number(2)?;
                if !(c.eat_str("日") || c.eat_str("号")) {
                    return None;
                }
                (Shape::Chinese, first as i32, m, d)
            }
        } else if matches!(sep, b'-' | b'/' | b'.') {
            c.pos += 1;
            let (m, _) = c.number(2)?;
            if c.done() {
                (Shape::YearMonth, first as i32, m, 1)
            } else if c.eat(sep) {
                let (d, _) = c.number(2)?;
                (if sep == b'-' { Shape::Iso } else { Shape::YmdSlash }, first as i32, m, d)
            } else {
                return None;
            }
        } else {
            return None;
        }
    } else if first_len <= 2 {
        let sep = c.peek()?;
        if !matches!(sep, b'/' | b'-' | b'.') {
            return None;
        }
        c.pos += 1;
        let (second, _) = c.number(2)?;
        if !c.eat(sep) {
            return None;
        }
        let (y, ylen) = c.number(4)?;
        if ylen != 4 {
            return None;
        }
        (if sep == b'.' { Shape::Dotted } else { Shape::FirstTwo }, y as i32, first, second)
    } else {
        return None;
    };
    let mut scanned = Scanned { shape, year, a, b, time_micros: 0, has_time: false, offset_seconds: None };
    if c.done() {
        return Some(scanned);
    }
    // Compact dates may run straight into a compact time: 20240105103015.
    if shape == Shape::Compact && c.peek().is_some_and(|b| b.is_ascii_digit()) {
        scanned.time_micros = compact_time(&mut c)?;
        scanned.has_time = true;
    } else {
        let spaces = c.skip_spaces();
        let t = c.eat(b'T') || c.eat(b't');
        if spaces == 0 && !t && shape != Shape::Chinese {
            return None;
        }
        scanned.time_micros = time_of_day(&mut c, shape == Shape::Compact)?;
        scanned.has_time = true;
    }
    c.skip_spaces();
    if !c.done() {
        scanned.offset_seconds = Some(offset(&mut c)?);
        c.skip_spaces();
    }
    c.done().then_some(scanned)
}

fn compact_time(c: &mut Cursor<'_>) -> Option<i64> {
    let (h, hl) = c.number(2)?;
    let (m, ml) = c.number(2)?;
    let s = match c.number(2) {
        Some((s, 2)) => s,
        None => 0,
        Some(_) => return None,
    };
    if hl != 2 || ml != 2 {
        return None;
    }
    hms_micros(h, m, s, 0)
}

/// `HH:MM[:SS[.frac]]` with optional AM/PM or a 上午/下午 prefix, or
/// `10时30分[15秒]` / `10点30分`.
fn time_of_day(c: &mut Cursor<'_>, allow_compact: bool) -> Option<i64> {
    let mut meridiem: Option<bool> = None; // Some(true) = afternoon
    if c.eat_str("上午") {
        meridiem = Some(false);
    } else if c.eat_str("下午") || c.eat_str("晚上") {
        meridiem = Some(true);
    }
    c.skip_spaces();
    let (mut hour, hour_len) = c.number(2)?;
    let (minute, second, micros);
    if c.eat(b':') {
        minute = c.number(2).filter(|(_, l)| *l == 2)?.0;
        if c.eat(b':') {
            second = c.number(2).filter(|(_, l)| *l == 2)?.0;
            micros = if c.eat(b'.') || c.eat(b',') { fraction(c)? } else { 0 };
        } else {
            second = 0;
            micros = 0;
        }
    } else if c.eat_str("时") || c.eat_str("点") {
        minute = c.number(2).map(|(m, _)| m).unwrap_or(0);
        c.eat_str("分");
        second = match c.number(2) {
            Some((s, _)) => {
                c.eat_str("秒");
                s
            }
            None => 0,
        };
        micros = 0;
    } else if allow_compact && hour_len == 2 {
        c.pos -= 2;
        return compact_time(c);
    } else {
        return None;
    }
    c.skip_spaces();
    if c.eat_ignore_case("am") || c.eat_ignore_case("a.m.") {
        meridiem = Some(false);
    } else if c.eat_ignore_case("pm") || c.eat_ignore_case("p.m.") {
        meridiem = Some(true);
    }
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (pm, hour) {
            (false, 12) => 0,
            (false, h) => h,
            (true, 12) => 12,
            (true, h) => h + 12,
        };
    }
    hms_micros(hour, minute, second, micros)
}

fn fraction(c: &mut Cursor<'_>) -> Option<i64> {
    let (value, len) = c.number(9)?;
    // Scale to microseconds: keep six digits, drop the rest.
    let micros = match len.cmp(&6) {
        std::cmp::Ordering::Less => i64::from(value) * 10i64.pow(6 - len as u32),
        std::cmp::Ordering::Equal => i64::from(value),
        std::cmp::Ordering::Greater => i64::from(value) / 10i64.pow(len as u32 - 6),
    };
    Some(micros)
}

fn hms_micros(h: u32, m: u32, s: u32, micros: i64) -> Option<i64> {
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(i64::from(h * 3600 + m * 60 + s) * MICROS_PER_SECOND + micros)
}

/// `Z`, `+08:00`, `+0800`, `+08`, `UTC`, `GMT`: seconds east of UTC.
fn offset(c: &mut Cursor<'_>) -> Option<i64> {
    if (c.eat(b'Z') || c.eat(b'z') || c.eat_ignore_case("utc") || c.eat_ignore_case("gmt")) && c.done() {
        return Some(0);
    }
    let sign = match c.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    c.pos += 1;
    let (h, hl) = c.number(2)?;
    let m = if c.eat(b':') {
        c.number(2)?.0
    } else if hl == 2 {
        c.number(2).map(|(m, _)| m).unwrap_or(0)
    } else {
        0
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * i64::from(h * 3600 + m * 60))
}

fn valid_date(year: i32, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) && (1..=9999).contains(&year)
}

fn finish(year: i32, month: u32, day: u32, s: &Scanned) -> Option<ParsedTime> {
    if !valid_date(year, month, day) {
        return None;
    }
    let micros = days_from_civil(year, month, day) * MICROS_PER_DAY + s.time_micros;
    Some(match s.offset_seconds {
        Some(off) => ParsedTime::Utc(micros - off * MICROS_PER_SECOND),
        None => ParsedTime::Local(micros),
    })
}

/// Whether the text is a plain number (digits with at most one `.`).
fn numeric(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') || t.bytes().filter(|&b| b == b'.').count() > 1 {
        return None;
    }
    t.parse().ok()
}

/// A ready parser for one column.
#[derive(Debug, Clone)]
pub struct DateParser {
    form: DateForm,
    custom_has_time: bool,
    custom_has_zone: bool,
}

impl DateParser {
    /// A parser for a detected or named notation.
    pub fn new(form: DateForm) -> DateParser {
        let (custom_has_time, custom_has_zone) = match &form {
            DateForm::Custom(f) => (
                ["%H", "%I", "%M", "%S", "%T", "%R", "%X", "%c", "%s"].iter().any(|d| f.contains(d)),
                f.contains("%z") || f.contains("%:z") || f.contains("%Z"),
            ),
            _ => (false, false),
        };
        DateParser { form, custom_has_time, custom_has_zone }
    }

    /// From a user's `--date-format`: a chrono strftime string
    /// (`%d/%m/%Y`, `%Y%m%d`, `%d.%m.%Y %H:%M`) or one of the shorthands
    /// `dmy`, `mdy`, `ymd`, `iso`, `excel`, `unix`, `unix_ms`.
    pub fn from_user_format(format: &str) -> Result<DateParser, String> {
        let form = match format.trim().to_ascii_lowercase().as_str() {
            "dmy" => DateForm::DayFirst,
            "mdy" => DateForm::MonthFirst,
            "ymd" | "iso" => DateForm::Iso,
            "excel" => DateForm::ExcelSerial,
            "unix" | "unix_s" | "epoch" => DateForm::UnixSeconds,
            "unix_ms" | "epoch_ms" => DateForm::UnixMillis,
            _ => {
                if !format.contains('%') {
                    return Err(format!(
                        "'{format}' is not a date format: use strftime codes such as %d/%m/%Y or %Y%m%d, or dmy, mdy, ymd, excel, unix / 日期格式无效"
                    ));
                }
                // Reject formats chrono cannot even tokenise.
                if chrono::format::StrftimeItems::new(format).any(|i| matches!(i, chrono::format::Item::Error)) {
                    return Err(format!("'{format}' has an unknown % code / 日期格式含有未知的 % 代码"));
                }
                DateForm::Custom(format.to_string())
            }
        };
        Ok(DateParser::new(form))
    }

    /// The notation this parser reads.
    pub fn form(&self) -> &DateForm {
        &self.form
    }

    /// Parses one non-null value; `None` when it is not a valid date in
    /// this column's notation (the caller reports the row). Besides its own
    /// notation, every unambiguous textual notation is accepted, so a column
    /// mixing `2024-01-05` and `2024/1/5` parses fully.
    pub fn parse(&self, value: &str) -> Option<ParsedTime> {
        match &self.form {
            DateForm::Custom(fmt) => self.parse_custom(value.trim(), fmt),
            DateForm::ExcelSerial => excel_serial(numeric(value)?),
            DateForm::UnixSeconds => {
                let v = numeric(value)?;
                Some(ParsedTime::Utc((v * 1e6).round() as i64))
            }
            DateForm::UnixMillis => {
                let v = numeric(value)?;
                Some(ParsedTime::Utc((v * 1e3).round() as i64))
            }
            form => {
                let s = scan(value)?;
                match s.shape {
                    Shape::Iso | Shape::YmdSlash | Shape::Chinese | Shape::YearMonth => finish(s.year, s.a, s.b, &s),
                    Shape::Compact => (*form == DateForm::Compact).then(|| finish(s.year, s.a, s.b, &s))?,
                    Shape::Dotted => finish(s.year, s.b, s.a, &s),
                    Shape::FirstTwo => match form {
                        DateForm::MonthFirst => finish(s.year, s.a, s.b, &s),
                        DateForm::DayFirst => finish(s.year, s.b, s.a, &s),
                        _ => None,
                    },
                }
            }
        }
    }

    fn parse_custom(&self, value: &str, fmt: &str) -> Option<ParsedTime> {
        if self.custom_has_zone {
            let dt = chrono::DateTime::parse_from_str(value, fmt).ok()?;
            return Some(ParsedTime::Utc(dt.timestamp_micros()));
        }
        let naive = if self.custom_has_time {
            chrono::NaiveDateTime::parse_from_str(value, fmt).ok()?
        } else {
            chrono::NaiveDate::parse_from_str(value, fmt).ok()?.and_hms_opt(0, 0, 0)?
        };
        Some(ParsedTime::Local(naive.and_utc().timestamp_micros()))
    }
}

/// Excel's 1900 date system: serial 1 = 1900-01-01, and serial 60 is the
/// 29 February 1900 that never was (kept by Excel for Lotus 1-2-3
/// compatibility), so it has no date; from 61 on, serials count days since
/// 1899-12-30.
fn excel_serial(serial: f64) -> Option<ParsedTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let whole = serial.floor() as i64;
    let days = match whole {
        60 => return None,
        w if w < 60 => w - EXCEL_UNIX_EPOCH + 1,
        w => w - EXCEL_UNIX_EPOCH,
    };
    let time = ((serial - serial.floor()) * MICROS_PER_DAY as f64).round() as i64;
    Some(ParsedTime::Local(days * MICROS_PER_DAY + time))
}

/// Finds the notation of a column from its values (nulls skipped).
/// `numeric_allowed` lets plain numbers be read as `YYYYMMDD`, Excel
/// serials or Unix times — right for a column known to hold dates, wrong
/// for guessing whether an unknown column does.
pub fn detect_date_form<'a>(values: impl IntoIterator<Item = &'a str>, numeric_allowed: bool) -> DateDetection {
    let mut counts = [0usize; 7];
    let mut day_first: Option<String> = None;
    let mut month_first: Option<String> = None;
    let mut ambiguous: Vec<String> = Vec::new();
    let mut numbers: Vec<f64> = Vec::new();
    let mut any = false;
    let mut textual = false;
    for value in values {
        if super::is_null(value) {
            continue;
        }
        any = true;
        let compact_number = value.trim().len() == 8 && value.trim().bytes().all(|b| b.is_ascii_digit());
        if numeric_allowed
            && !compact_number
            && let Some(n) = numeric(value)
        {
            numbers.push(n);
            continue;
        }
        let Some(s) = scan(value) else {
            return DateDetection::Unrecognised { example: value.to_string() };
        };
        if s.shape == Shape::Compact && !numeric_allowed && s.time_micros == 0 && !s.has_time {
            return DateDetection::Unrecognised { example: value.to_string() };
        }
        textual = true;
        let valid = match s.shape {
            Shape::FirstTwo => {
                let (x, y) = (s.a, s.b);
                let as_day_first = valid_date(s.year, y, x);
                let as_month_first = valid_date(s.year, x, y);
                match (as_day_first, as_month_first) {
                    (true, true) => {
                        if ambiguous.len() < 3 {
                            ambiguous.push(value.to_string());
                        }
                    }
                    (true, false) => {
                        day_first.get_or_insert_with(|| value.to_string());
                    }
                    (false, true) => {
                        month_first.get_or_insert_with(|| value.to_string());
                    }
                    (false, false) => return DateDetection::Unrecognised { example: value.to_string() },
                }
                true
            }
            Shape::Dotted => valid_date(s.year, s.b, s.a),
            _ => valid_date(s.year, s.a, s.b),
        };
        if !valid {
            return DateDetection::Unrecognised { example: value.to_string() };
        }
        counts[s.shape as usize] += 1;
    }
    if !any {
        return DateDetection::Empty;
    }
    if textual && !numbers.is_empty() {
        return DateDetection::Unrecognised { example: format!("{}", numbers[0]) };
    }
    if !numbers.is_empty() {
        return detect_numeric(&numbers);
    }
    if counts[Shape::FirstTwo as usize] > 0 {
        return match (day_first, month_first) {
            (Some(d), Some(m)) => DateDetection::Conflicting { day_first_example: d, month_first_example: m },
            (Some(_), None) => DateDetection::Form(DateForm::DayFirst),
            (None, Some(_)) => DateDetection::Form(DateForm::MonthFirst),
            (None, None) => DateDetection::Ambiguous { examples: ambiguous },
        };
    }
    let shapes = [Shape::Iso, Shape::YmdSlash, Shape::Chinese, Shape::Compact, Shape::FirstTwo, Shape::Dotted, Shape::YearMonth];
    let total: usize = counts.iter().sum();
    if counts[Shape::YearMonth as usize] == total {
        return DateDetection::Form(DateForm::YearMonth);
    }
    let best = shapes.iter().filter(|s| **s != Shape::YearMonth).max_by_key(|s| counts[**s as usize]).copied().unwrap_or(Shape::Iso);
    DateDetection::Form(match best {
        Shape::Iso => DateForm::Iso,
        Shape::YmdSlash => DateForm::YmdSlash,
        Shape::Chinese => DateForm::Chinese,
        Shape::Compact => DateForm::Compact,
        Shape::Dotted => DateForm::Dotted,
        Shape::FirstTwo | Shape::YearMonth => DateForm::Iso,
    })
}

fn detect_numeric(numbers: &[f64]) -> DateDetection {
    let all_integers = numbers.iter().all(|n| n.fract() == 0.0);
    if numbers.iter().all(|n| (1.0..=2_958_465.0).contains(n)) {
        return DateDetection::Form(DateForm::ExcelSerial);
    }
    if all_integers && numbers.iter().all(|n| (1e8..1e10).contains(n)) {
        return DateDetection::Form(DateForm::UnixSeconds);
    }
    if all_integers && numbers.iter().all(|n| (1e11..1e13).contains(n)) {
        return DateDetection::Form(DateForm::UnixMillis);
    }
    DateDetection::Unrecognised { example: format!("{}", numbers[0]) }
}

/// Whether a parsed date carries a time of day (for type inference).
pub(super) fn has_time(value: &str) -> bool {
    scan(value).is_some_and(|s| s.has_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-05 is 19,727 days after 1970-01-01 (54 years of 365 days =
    /// 19,710, plus 13 leap days 1972…2020, plus 4 days into January).
    const JAN5: i64 = 19_727 * MICROS_PER_DAY;
    const H: i64 = 3_600 * MICROS_PER_SECOND;
    const M: i64 = 60 * MICROS_PER_SECOND;

    fn p(form: DateForm, v: &str) -> Option<ParsedTime> {
        DateParser::new(form).parse(v)
    }

    #[test]
    fn iso_forms() {
        assert_eq!(p(DateForm::Iso, "2024-01-05"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::Iso, " 2024-1-5 "), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::Iso, "2024-01-05 10:30"), Some(ParsedTime::Local(JAN5 + 10 * H + 30 * M)));
        // 10:30:15.5 = 37,815.5 s into the day.
        assert_eq!(p(DateForm::Iso, "2024-01-05T10:30:15.5"), Some(ParsedTime::Local(JAN5 + 37_815_500_000)));
        assert_eq!(p(DateForm::Iso, "2024-01-05T10:30:15.123456789"), Some(ParsedTime::Local(JAN5 + 37_815_123_456)));
        // +08:00 means 8 hours east: 10:00 there is 02:00 UTC.
        assert_eq!(p(DateForm::Iso, "2024-01-05T10:00:00+08:00"), Some(ParsedTime::Utc(JAN5 + 2 * H)));
        assert_eq!(p(DateForm::Iso, "2024-01-05T10:00:00+0800"), Some(ParsedTime::Utc(JAN5 + 2 * H)));
        assert_eq!(p(DateForm::Iso, "2024-01-05T10:00:00Z"), Some(ParsedTime::Utc(JAN5 + 10 * H)));
        assert_eq!(p(DateForm::Iso, "2024-01-05 10:00:00 -05:00"), Some(ParsedTime::Utc(JAN5 + 15 * H)));
    }

    #[test]
    fn other_textual_forms() {
        assert_eq!(p(DateForm::YmdSlash, "2024/1/5"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::YmdSlash, "2024/01/05 10:30:15"), Some(ParsedTime::Local(JAN5 + 37_815 * MICROS_PER_SECOND)));
        assert_eq!(p(DateForm::Chinese, "2024年1月5日"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::Chinese, "2024年1月5日 10:30"), Some(ParsedTime::Local(JAN5 + 10 * H + 30 * M)));
        assert_eq!(p(DateForm::Chinese, "2024年1月5日10时30分15秒"), Some(ParsedTime::Local(JAN5 + 37_815 * MICROS_PER_SECOND)));
        assert_eq!(p(DateForm::Chinese, "2024年1月5日 下午3:05"), Some(ParsedTime::Local(JAN5 + 15 * H + 5 * M)));
        assert_eq!(p(DateForm::Compact, "20240105"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::Compact, "20240105103015"), Some(ParsedTime::Local(JAN5 + 37_815 * MICROS_PER_SECOND)));
        assert_eq!(p(DateForm::Compact, "20240105 10:30:15"), Some(ParsedTime::Local(JAN5 + 37_815 * MICROS_PER_SECOND)));
        assert_eq!(p(DateForm::MonthFirst, "1/5/2024"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::MonthFirst, "01-05-2024 3:45 PM"), Some(ParsedTime::Local(JAN5 + 15 * H + 45 * M)));
        assert_eq!(p(DateForm::MonthFirst, "1/5/2024 12:10 am"), Some(ParsedTime::Local(JAN5 + 10 * M)));
        assert_eq!(p(DateForm::DayFirst, "5/1/2024"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::Dotted, "05.01.2024"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::Dotted, "05.01.2024 10:30"), Some(ParsedTime::Local(JAN5 + 10 * H + 30 * M)));
        // 2024-01-01 is four days before the 5th.
        assert_eq!(p(DateForm::YearMonth, "2024-01"), Some(ParsedTime::Local(JAN5 - 4 * 24 * H)));
        assert_eq!(p(DateForm::YearMonth, "2024年1月"), Some(ParsedTime::Local(JAN5 - 4 * 24 * H)));
        // Unambiguous forms are accepted in any textual column.
        assert_eq!(p(DateForm::Iso, "2024/1/5"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::YmdSlash, "2024年1月5日"), Some(ParsedTime::Local(JAN5)));
        // … but day/month order only from the column's order.
        assert_eq!(p(DateForm::Iso, "1/5/2024"), None);
        assert_eq!(p(DateForm::MonthFirst, "13/01/2024"), None);
    }

    #[test]
    fn numeric_forms() {
        // Excel shows serial 45296 as 2024-01-05; .5 is noon.
        assert_eq!(p(DateForm::ExcelSerial, "45296"), Some(ParsedTime::Local(JAN5)));
        assert_eq!(p(DateForm::ExcelSerial, "45296.5"), Some(ParsedTime::Local(JAN5 + 12 * H)));
        // Serial 1 = 1900-01-01, 59 = 1900-02-28, 60 = the fictitious 1900-02-29, 61 = 1900-03-01.
        let day = |s: &str| p(DateForm::ExcelSerial, s).map(|t| t.micros().div_euclid(MICROS_PER_DAY));
        assert_eq!(day("1"), Some(days_from_civil(1900, 1, 1)));
        assert_eq!(day("59"), Some(days_from_civil(1900, 2, 28)));
        assert_eq!(day("60"), None);
        assert_eq!(day("61"), Some(days_from_civil(1900, 3, 1)));
        // 1704450600 s = 19,727 days + 37,800 s = 2024-01-05 10:30 UTC.
        assert_eq!(p(DateForm::UnixSeconds, "1704450600"), Some(ParsedTime::Utc(JAN5 + 10 * H + 30 * M)));
        assert_eq!(p(DateForm::UnixMillis, "1704450600123"), Some(ParsedTime::Utc(JAN5 + 10 * H + 30 * M + 123_000)));
    }

    #[test]
    fn invalid_values_are_refused() {
        for v in ["2023-02-29", "2024-13-01", "2024-01-32", "2024-01-05 25:00", "2024-01-05 10:60", "2024-01-05 24:00:00", "abc", "2024-01-05x", "12:30"] {
            assert_eq!(p(DateForm::Iso, v), None, "{v}");
        }
        assert_eq!(p(DateForm::Iso, "2024-02-29"), Some(ParsedTime::Local(JAN5 + 55 * 24 * H)));
        assert_eq!(p(DateForm::MonthFirst, "13/01/2024 1:00 PM"), None);
        assert_eq!(p(DateForm::MonthFirst, "1/5/2024 13:00 PM"), None);
    }

    #[test]
    fn user_formats() {
        let parser = DateParser::from_user_format("%d/%m/%Y").unwrap();
        assert_eq!(parser.parse("05/01/2024"), Some(ParsedTime::Local(JAN5)));
        let parser = DateParser::from_user_format("%Y%m%d").unwrap();
        assert_eq!(parser.parse("20240105"), Some(ParsedTime::Local(JAN5)));
        let parser = DateParser::from_user_format("%d.%m.%Y %H:%M").unwrap();
        assert_eq!(parser.parse("05.01.2024 10:30"), Some(ParsedTime::Local(JAN5 + 10 * H + 30 * M)));
        let parser = DateParser::from_user_format("%Y-%m-%d %H:%M:%S %z").unwrap();
        assert_eq!(parser.parse("2024-01-05 10:00:00 +0800"), Some(ParsedTime::Utc(JAN5 + 2 * H)));
        assert_eq!(DateParser::from_user_format("dmy").unwrap().form(), &DateForm::DayFirst);
        assert!(DateParser::from_user_format("dd/mm/yyyy").is_err());
    }

    #[test]
    fn detection_finds_forms_and_refuses_to_guess_order() {
        let d = |v: &[&str], n: bool| detect_date_form(v.iter().copied(), n);
        assert_eq!(d(&["2024-01-05", "2024-01-06 10:00"], false), DateDetection::Form(DateForm::Iso));
        assert_eq!(d(&["2024/1/5", "2024/1/6", "2024-01-07"], false), DateDetection::Form(DateForm::YmdSlash));
        assert_eq!(d(&["2024年1月5日"], false), DateDetection::Form(DateForm::Chinese));
        assert_eq!(d(&["05.01.2024"], false), DateDetection::Form(DateForm::Dotted));
        assert_eq!(d(&["2024-01", "2024-02"], false), DateDetection::Form(DateForm::YearMonth));
        assert_eq!(d(&["01/02/2024", "13/02/2024"], false), DateDetection::Form(DateForm::DayFirst));
        assert_eq!(d(&["01/02/2024", "02/13/2024"], false), DateDetection::Form(DateForm::MonthFirst));
        assert_eq!(d(&["01/02/2024", "03/04/2024", ""], false), DateDetection::Ambiguous { examples: vec!["01/02/2024".into(), "03/04/2024".into()] });
        assert_eq!(
            d(&["13/01/2024", "01/13/2024"], false),
            DateDetection::Conflicting { day_first_example: "13/01/2024".into(), month_first_example: "01/13/2024".into() }
        );
        assert_eq!(d(&["2024-01-05", "soon"], false), DateDetection::Unrecognised { example: "soon".into() });
        assert_eq!(d(&["", " "], false), DateDetection::Empty);
        assert_eq!(d(&["19970101", "19970118"], true), DateDetection::Form(DateForm::Compact));
        assert_eq!(d(&["45296", "45296.5"], true), DateDetection::Form(DateForm::ExcelSerial));
        assert_eq!(d(&["1704450600"], true), DateDetection::Form(DateForm::UnixSeconds));
        assert_eq!(d(&["1704450600123"], true), DateDetection::Form(DateForm::UnixMillis));
        // Numbers are not dates when guessing an unknown column's type.
        assert!(matches!(d(&["45296"], false), DateDetection::Unrecognised { .. }));
        assert!(matches!(d(&["19970101"], false), DateDetection::Unrecognised { .. }));
    }
}
