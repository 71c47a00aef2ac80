//! The languages of everything a person reads: zh-CN and English.

use std::fmt;

/// A language for messages, reports and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese (zh-CN).
    Zh,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// The language the environment asks for: `CHURNLENS_LANG`, then the POSIX
    /// locale variables (`LC_ALL`, `LC_MESSAGES`, `LANG`); Chinese when the
    /// first one set starts with `zh`, English otherwise.
    pub fn from_env() -> Lang {
        Self::from_locale_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_env`] over an arbitrary variable lookup (testable).
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        for name in ["CHURNLENS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(value) = get(name).filter(|v| !v.is_empty()) {
                return if value.to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En };
            }
        }
        Lang::En
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" => Ok(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}': use zh or en / 未知语言，请用 zh 或 en")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_precedence_and_chinese_detection() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        assert_eq!(Lang::from_locale_vars(vars(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(Lang::from_locale_vars(vars(&[("LANG", "en_US.UTF-8")])), Lang::En);
        // LC_ALL wins over LANG; CHURNLENS_LANG wins over both.
        assert_eq!(Lang::from_locale_vars(vars(&[("LC_ALL", "en_US"), ("LANG", "zh_CN")])), Lang::En);
        assert_eq!(Lang::from_locale_vars(vars(&[("CHURNLENS_LANG", "zh"), ("LC_ALL", "C")])), Lang::Zh);
        assert_eq!(Lang::from_locale_vars(vars(&[])), Lang::En);
    }

    #[test]
    fn parses_language_names() {
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }
}
