//! Parsing the value forms found in real CRM and ERP exports, and inferring
//! what kind of values an unknown column holds.
//!
//! * [`date`] — dates and times in ISO, `2024/1/5`, `2024年1月5日`,
//!   `1/5/2024`, `05.01.2024`, `20240105`, Excel serials and Unix times,
//!   with day/month ambiguity detection;
//! * [`number`] — amounts with currency marks and thousands separators,
//!   plain numbers and integers;
//! * [`boolean`] — yes/no in English and Chinese;
//! * [`civil`] — calendar arithmetic.
//!
//! Null tokens ([`is_null`]): a blank or whitespace-only value, and
//! (ignoring case and surrounding spaces) `null`, `na`, `n/a`, `nan`,
//! `none`, `nil`, `#n/a`, `空`, `无` — what spreadsheets and databases write
//! for "no value".

pub mod boolean;
pub mod civil;
pub mod date;
pub mod number;

pub use boolean::parse_bool;
pub use civil::{civil_from_days, days_from_civil, days_in_month, is_leap_year};
pub use date::{DateDetection, DateForm, DateParser, ParsedTime, detect_date_form};
pub use number::{parse_amount, parse_float, parse_integer};

/// Whether a value means "no value" (see the module docs for the tokens).
pub fn is_null(value: &str) -> bool {
    let t = value.trim();
    if t.is_empty() {
        return true;
    }
    if t.len() > 4 {
        return false;
    }
    matches!(t, "空" | "无") || ["null", "na", "n/a", "nan", "none", "nil", "#n/a"].iter().any(|token| t.eq_ignore_ascii_case(token))
}

/// What an attribute (non-canonical) column holds, inferred from all its
/// non-null values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InferredKind {
    /// Yes/no words.
    Boolean,
    /// Whole numbers.
    Integer,
    /// Decimal numbers (or money).
    Float,
    /// Calendar dates without a time of day.
    Date,
    /// Dates with a time of day.
    Timestamp,
    /// Anything else.
    Text,
}

/// Infers the kind of a column, in this order: no values → Text; all
/// yes/no with at least one word (a 0/1 column stays Integer, as in
/// pandas) → Boolean; all integers without leading zeros (`007` keeps the
/// column Text, so identifiers survive) → Integer; all numbers, or all
/// amounts when some carry a currency mark or separator → Float; all dates
/// in one unambiguous textual notation → Date or Timestamp; else Text.
pub fn infer_kind<'a>(values: impl IntoIterator<Item = &'a str> + Clone) -> InferredKind {
    let mut scan = KindScan::default();
    for value in values.clone() {
        scan.observe(value);
        if scan.settled() {
            break;
        }
    }
    scan.finish(values)
}

/// The numeric and yes/no evidence behind [`infer_kind`], gathered value by
/// value. Scans of separate parts of a column [`merge`](KindScan::merge), so a
/// large column can be scanned in parallel and finished once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindScan {
    any: bool,
    all_bool: bool,
    has_word: bool,
    all_int: bool,
    all_float: bool,
    all_amount: bool,
    money: bool,
}

impl Default for KindScan {
    fn default() -> Self {
        KindScan { any: false, all_bool: true, has_word: false, all_int: true, all_float: true, all_amount: true, money: false }
    }
}

impl KindScan {
    /// Takes one more value into account.
    pub fn observe(&mut self, value: &str) {
        if is_null(value) {
            return;
        }
        self.any = true;
        let t = value.trim();
        let leading_zero = t.len() > 1 && t.starts_with('0') && t.as_bytes()[1].is_ascii_digit();
        if t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
            // Plain digits, the common case in large files: a whole number and
            // an amount, decided without running the general parsers (which
            // made inference the slowest step of planning a 10M-row import).
            if self.all_bool {
                self.all_bool = t == "0" || t == "1";
            }
            self.all_int &= !leading_zero;
            self.all_float &= !leading_zero;
            return;
        }
        if self.all_bool {
            match parse_bool(t) {
                Some(_) => self.has_word |= !t.bytes().all(|b| b.is_ascii_digit()),
                None => self.all_bool = false,
            }
        }
        if self.all_int {
            self.all_int = !leading_zero && !t.contains(['.', 'e', 'E']) && parse_integer(t).is_some();
        }
        if self.all_float {
            self.all_float = !leading_zero && parse_float(t).is_some();
        }
        if self.all_amount {
            self.all_amount = parse_amount(t).is_some();
            self.money |= number::looks_like_money(t);
        }
    }

    /// True once no further value can make the column yes/no or numeric:
    /// the rest of a scan can be skipped.
    pub fn settled(&self) -> bool {
        self.any && !(self.all_bool || self.all_int || self.all_float || self.all_amount)
    }

    /// The evidence of two parts of a column together.
    pub fn merge(self, other: KindScan) -> KindScan {
        KindScan {
            any: self.any || other.any,
            all_bool: self.all_bool && other.all_bool,
            has_word: self.has_word || other.has_word,
            all_int: self.all_int && other.all_int,
            all_float: self.all_float && other.all_float,
            all_amount: self.all_amount && other.all_amount,
            money: self.money || other.money,
        }
    }

    /// The kind, given the whole column's evidence; `values` (the whole
    /// column) is read again only to tell dates from text.
    pub fn finish<'a>(self, values: impl IntoIterator<Item = &'a str> + Clone) -> InferredKind {
        if !self.any {
            return InferredKind::Text;
        }
        if self.all_bool && self.has_word {
            return InferredKind::Boolean;
        }
        if self.all_int {
            return InferredKind::Integer;
        }
        if self.all_float || (self.all_amount && self.money) {
            return InferredKind::Float;
        }
        if let DateDetection::Form(form) = detect_date_form(values.clone(), false) {
            let parser = DateParser::new(form);
            let mut with_time = false;
            for value in values.into_iter().filter(|v| !is_null(v)) {
                if parser.parse(value).is_none() {
                    return InferredKind::Text;
                }
                with_time |= date::has_time(value);
            }
            return if with_time { InferredKind::Timestamp } else { InferredKind::Date };
        }
        InferredKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_tokens() {
        for v in ["", " ", "\t", "NULL", "null", "NA", "n/a", "NaN", "None", "#N/A", "nil", "空", "无"] {
            assert!(is_null(v), "{v:?}");
        }
        for v in ["0", "No", "-", "none of them", "无效"] {
            assert!(!is_null(v), "{v:?}");
        }
    }

    #[test]
    fn inference() {
        // Telco's TotalCharges: numbers with a blank.
        assert_eq!(infer_kind(["29.85", " ", "1889.5"]), InferredKind::Float);
        assert_eq!(infer_kind(["0", "1", "1"]), InferredKind::Integer);
        assert_eq!(infer_kind(["Yes", "No", ""]), InferredKind::Boolean);
        assert_eq!(infer_kind(["是", "否"]), InferredKind::Boolean);
        assert_eq!(infer_kind(["007", "12"]), InferredKind::Text);
        assert_eq!(infer_kind(["¥1,200", "35"]), InferredKind::Float);
        assert_eq!(infer_kind(["2024-01-05", "2024/1/6"]), InferredKind::Date);
        assert_eq!(infer_kind(["2024-01-05 10:00", "2024-01-06"]), InferredKind::Timestamp);
        assert_eq!(infer_kind(["01/02/2024"]), InferredKind::Text);
        assert_eq!(infer_kind(["Month-to-month", "One year"]), InferredKind::Text);
        assert_eq!(infer_kind(["", "NULL"]), InferredKind::Text);
        assert_eq!(infer_kind(["20240105"]), InferredKind::Integer);
        assert_eq!(infer_kind(["1", "0", "1"]), InferredKind::Integer);
        assert_eq!(infer_kind(["1", "no"]), InferredKind::Boolean);
        assert_eq!(infer_kind(["2", "no"]), InferredKind::Text);
        assert_eq!(infer_kind(["12", "007"]), InferredKind::Text);
        assert_eq!(infer_kind(["12", "¥1,200"]), InferredKind::Float);
        assert_eq!(infer_kind(["99999999999999999999"]), InferredKind::Float);
        // Scans of parts merge to the scan of the whole.
        let parts = [["Yes", "1"], ["0", "No"]];
        let merged = parts.iter().map(|p| {
            let mut scan = KindScan::default();
            p.iter().for_each(|v| scan.observe(v));
            scan
        });
        let merged = merged.fold(KindScan::default(), KindScan::merge);
        let mut whole = KindScan::default();
        parts.iter().flatten().for_each(|v| whole.observe(v));
        assert_eq!(merged, whole);
        assert_eq!(merged.finish(parts.iter().flatten().copied()), InferredKind::Boolean);
        // A part without values does not decide anything.
        let mut numbers = KindScan::default();
        numbers.observe("3.5");
        assert_eq!(KindScan::default().merge(numbers).finish(["3.5"]), InferredKind::Float);
    }
}
