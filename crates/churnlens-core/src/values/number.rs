//! Numbers and money as exports write them.
//!
//! Amounts arrive as `¥1,234.50`, `1234元`, `$ 12`, `(12.50)` or `-¥12.50`.
//! Thousands separators are accepted only in valid three-digit groups, so a
//! European `1234,50` is refused rather than misread as 123,450.

/// Longest number text cleaned on the stack; longer ones are refused (no
/// real amount has 64 digits).
const MAX_NUMBER_LEN: usize = 64;

/// Currency marks accepted before or after an amount.
const CURRENCY_MARKS: [&str; 12] = ["US$", "RMB", "CNY", "USD", "EUR", "元", "¥", "￥", "$", "€", "£", "HK$"];

/// Plain decimal number: optional sign, digits (thousands groups allowed),
/// optional fraction, optional exponent. `None` otherwise.
pub fn parse_float(value: &str) -> Option<f64> {
    let mut buffer = [0u8; MAX_NUMBER_LEN];
    let cleaned = clean_digits(value.trim(), &mut buffer)?;
    cleaned.parse::<f64>().ok()
}

/// Whole number, optional sign, thousands groups allowed; also `12.0` (an
/// integer written as a float, as Excel exports do) but not `12.5`. `None`
/// on overflow.
pub fn parse_integer(value: &str) -> Option<i64> {
    let mut buffer = [0u8; MAX_NUMBER_LEN];
    let cleaned = clean_digits(value.trim(), &mut buffer)?;
    if cleaned.contains(['e', 'E']) {
        return None;
    }
    let whole = match cleaned.split_once('.') {
        Some((whole, frac)) if frac.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => cleaned,
    };
    if whole.is_empty() || whole == "-" || whole == "+" {
        return None;
    }
    whole.parse::<i64>().ok()
}

/// Money: an optional currency mark before or after (`¥ ￥ $ US$ € £ RMB
/// CNY USD 元`, with or without a space), thousands separators (`,` or
/// full-width `，`) in valid groups, a sign, accounting parentheses for
/// negatives, scientific notation. `None` for anything else.
pub fn parse_amount(value: &str) -> Option<f64> {
    let mut text = value.trim();
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = inner.trim();
    }
    if let Some(rest) = text.strip_prefix('-') {
        negative = !negative;
        text = rest.trim_start();
    } else if let Some(rest) = text.strip_prefix('+') {
        text = rest.trim_start();
    }
    let mut marked = false;
    for mark in CURRENCY_MARKS {
        if let Some(rest) = text.strip_prefix(mark) {
            text = rest.trim_start();
            marked = true;
            break;
        }
    }
    if !marked {
        for mark in CURRENCY_MARKS {
            if let Some(rest) = text.strip_suffix(mark) {
                text = rest.trim_end();
                break;
            }
        }
    }
    if let Some(rest) = text.strip_prefix('-') {
        if negative {
            return None;
        }
        negative = true;
        text = rest;
    }
    if text.starts_with(['+', '-']) {
        return None;
    }
    let v = parse_float(text)?;
    Some(if negative { -v } else { v })
}

/// Copies `text` into `buffer` without thousands separators, checking that
/// it is sign? digits (groups)? (.digits)? (e sign? digits)? and contains a
/// digit. Returns the cleaned text.
fn clean_digits<'b>(text: &str, buffer: &'b mut [u8; MAX_NUMBER_LEN]) -> Option<&'b str> {
    let bytes = text.as_bytes();
    let mut out = 0usize;
    let mut i = 0usize;
    let mut push = |b: u8, out: &mut usize| -> Option<()> {
        if *out >= MAX_NUMBER_LEN {
            return None;
        }
        buffer[*out] = b;
        *out += 1;
        Some(())
    };
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        push(bytes[i], &mut out)?;
        i += 1;
    }
    // Integer part, with optional separators between groups of three.
    let mut digits_in_group = 0usize;
    let mut grouped = false;
    let mut int_digits = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            push(b, &mut out)?;
            digits_in_group += 1;
            int_digits += 1;
            i += 1;
        } else if b == b',' || bytes[i..].starts_with("，".as_bytes()) {
            // A separator needs 1–3 digits before it (first group) or exactly 3.
            if int_digits == 0 || (grouped && digits_in_group != 3) || (!grouped && digits_in_group > 3) {
                return None;
            }
            grouped = true;
            digits_in_group = 0;
            i += if b == b',' { 1 } else { "，".len() };
        } else {
            break;
        }
    }
    if grouped && digits_in_group != 3 {
        return None;
    }
    let mut frac_digits = 0usize;
    if i < bytes.len() && bytes[i] == b'.' {
        push(b'.', &mut out)?;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            push(bytes[i], &mut out)?;
            frac_digits += 1;
            i += 1;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        push(b'e', &mut out)?;
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            push(bytes[i], &mut out)?;
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            push(bytes[i], &mut out)?;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    std::str::from_utf8(&buffer[..out]).ok()
}

/// Whether the text carries a currency mark or a thousands separator, i.e.
/// is written as money rather than as a plain number.
pub(super) fn looks_like_money(value: &str) -> bool {
    value.contains(',') || value.contains('，') || value.trim_start().starts_with('(') || CURRENCY_MARKS.iter().any(|m| value.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_in_the_forms_exports_use() {
        assert_eq!(parse_amount("¥1,234.50"), Some(1234.5));
        assert_eq!(parse_amount("￥1,234.50"), Some(1234.5));
        assert_eq!(parse_amount("1234元"), Some(1234.0));
        assert_eq!(parse_amount("1,234 元"), Some(1234.0));
        assert_eq!(parse_amount("$ 12"), Some(12.0));
        assert_eq!(parse_amount("US$12.5"), Some(12.5));
        assert_eq!(parse_amount("RMB 99"), Some(99.0));
        assert_eq!(parse_amount("(12.50)"), Some(-12.5));
        assert_eq!(parse_amount("-¥12.50"), Some(-12.5));
        assert_eq!(parse_amount("¥-12.50"), Some(-12.5));
        assert_eq!(parse_amount("1.5e3"), Some(1500.0));
        assert_eq!(parse_amount("1，234"), Some(1234.0));
        assert_eq!(parse_amount(" 88 "), Some(88.0));
        for bad in ["1,23", "12.3.4", "abc", "¥", "", "1234,50", "--5", "1,2345", ",123", "N/A金额", "inf", "NaN"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn floats_and_integers() {
        assert_eq!(parse_float("29.85"), Some(29.85));
        assert_eq!(parse_float("-0.5"), Some(-0.5));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("1,000,000.25"), Some(1_000_000.25));
        assert_eq!(parse_float("¥5"), None);
        assert_eq!(parse_integer("42"), Some(42));
        assert_eq!(parse_integer("-1,234"), Some(-1234));
        assert_eq!(parse_integer("12.0"), Some(12));
        assert_eq!(parse_integer("12.5"), None);
        assert_eq!(parse_integer("99999999999999999999"), None);
        assert_eq!(parse_integer("1e3"), None);
        assert_eq!(parse_integer("-"), None);
    }

    proptest! {
        #[test]
        fn grouped_amounts_round_trip(cents in 0i64..1_000_000_000_000) {
            let whole = cents / 100;
            let digits = whole.to_string();
            let mut grouped = String::new();
            for (i, ch) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(ch);
            }
            let text = format!("¥{grouped}.{:02}", cents % 100);
            let expected: f64 = format!("{whole}.{:02}", cents % 100).parse().unwrap();
            prop_assert_eq!(parse_amount(&text), Some(expected));
        }
    }
}
