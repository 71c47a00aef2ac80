//! Masking of personal data for viewers: phone `138****5678`, e-mail
//! `z***@example.com`, name `张*`. Applied to every row a viewer receives —
//! the customers list, a timeline and every export — by column name.

/// The columns holding personal data (the canonical PII columns of the customers table).
pub const PII_COLUMNS: [&str; 3] = ["name", "phone", "email"];

/// Masks a phone number: the first three and last four characters stay (`138****5678`); short ones are all stars.
pub fn phone(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len().max(4));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Masks an e-mail address: the first character of the local part and the domain stay (`z***@example.com`).
pub fn email(value: &str) -> String {
    match value.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().map(String::from).unwrap_or_default()),
        None => name(value),
    }
}

/// Masks a name: the first character stays, every other becomes a star (`张三` → `张*`).
pub fn name(value: &str) -> String {
    let mut chars = value.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// The masked form of `value` when `column` holds personal data, else `None`.
pub fn column(column: &str, value: &str) -> Option<String> {
    match column {
        "phone" => Some(phone(value)),
        "email" => Some(email(value)),
        "name" => Some(name(value)),
        _ => None,
    }
}

/// Masks the personal fields of a JSON object in place.
pub fn object(row: &mut serde_json::Map<String, serde_json::Value>) {
    for key in PII_COLUMNS {
        if let Some(serde_json::Value::String(text)) = row.get(key) {
            let masked = column(key, text).unwrap_or_default();
            row.insert(key.to_owned(), serde_json::Value::String(masked));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_match_the_contract_examples() {
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(phone("+86 138 1234 5678"), "+86****5678");
        assert_eq!(phone("12345"), "*****");
        assert_eq!(email("zhang.san@example.com"), "z***@example.com");
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("欧阳小明"), "欧***");
        assert_eq!(name("A"), "A*");
        assert_eq!(column("city", "北京"), None);
        let mut row = serde_json::json!({"name": "李四", "phone": "13900001111", "city": "上海"}).as_object().unwrap().clone();
        object(&mut row);
        assert_eq!(serde_json::Value::Object(row), serde_json::json!({"name": "李*", "phone": "139****1111", "city": "上海"}));
    }
}
