//! Yes/no values in English and Chinese.

/// `yes/no`, `y/n`, `true/false`, `t/f`, `1/0`, `是/否`, `对/错`, `真/假`
/// (case-insensitive, trimmed). `None` for anything else.
pub fn parse_bool(value: &str) -> Option<bool> {
    let t = value.trim();
    match t {
        "是" | "对" | "真" | "1" => return Some(true),
        "否" | "错" | "假" | "0" => return Some(false),
        _ => {}
    }
    if t.len() > 5 {
        return None;
    }
    match t.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" => Some(true),
        "no" | "n" | "false" | "f" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_in_both_languages() {
        for v in ["Yes", "y", "TRUE", "t", "1", "是", "对", "真", " yes "] {
            assert_eq!(parse_bool(v), Some(true), "{v}");
        }
        for v in ["No", "N", "false", "F", "0", "否", "错", "假"] {
            assert_eq!(parse_bool(v), Some(false), "{v}");
        }
        for v in ["maybe", "2", "", "yess", "有"] {
            assert_eq!(parse_bool(v), None, "{v}");
        }
    }
}
