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
    matches!(t, "空" | "无")
        || ["null", "na", "n/a", "nan", "none", "nil", "#n/a"].iter().any(|token| t.eq_ignore_ascii_case(token))
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
    let mut any = false;
    let (mut all_bool, mut has_word, mut all_int, mut all_float, mut all_amount, mut money) = (true, false, true, true, true, false);
    for value in values.clone() {
        if is_null(value) {
            continue;
        }
        any = true;
        let t = value.trim();
        if all_bool {
            match parse_bool(t) {
                Some(_) => has_word |= !t.bytes().all(|b| b.is_ascii_digit()),
                None => all_bool = false,
            }
        }
        if all_int {
            let leading_zero = t.len() > 1 && t.starts_with('0') && t.as_bytes()[1].is_ascii_digit();
            all_int = !leading_zero && !t.contains(['.', 'e', 'E']) && parse_integer(t).is_some();
        }
        if all_float {
            let leading_zero = t.len() > 1 && t.starts_with('0') && t.as_bytes()[1].is_ascii_digit();
            all_float = !leading_zero && parse_float(t).is_some();
        }
        if all_amount {
            all_amount = parse_amount(t).is_some();
            money |= number::looks_like_money(t);
        }
        if !(all_bool || all_int || all_float || all_amount) {
            break;
        }
    }
    if !any {
        return InferredKind::Text;
    }
    if all_bool && has_word {
        return InferredKind::Boolean;
    }
    if all_int {
        return InferredKind::Integer;
    }
    if all_float || (all_amount && money) {
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
    }
}
