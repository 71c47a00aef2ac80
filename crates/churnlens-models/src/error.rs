//! The error of fitting a model: the user's data or settings cannot give a
//! model, said in plain words with what to try instead. Predictions from a
//! fitted model cannot fail, so they have no error.

use churnlens_core::Lang;
use thiserror::Error;

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// A setting is out of its range (a negative penalizer, zero iterations …).
    #[error("the setting {name} is invalid: {reason}")]
    InvalidSetting {
        /// The setting's name as the builder spells it.
        name: &'static str,
        /// What is wrong and what range is accepted.
        reason: String,
    },
    /// The input data cannot be used (mismatched lengths, negative ages, no customers …).
    #[error("the input data is invalid: {0}")]
    InvalidData(String),
    /// The optimiser stopped before the gradient was small enough.
    #[error("the {model} fit did not converge after {iterations} iterations (gradient norm {gradient_norm:.2e}, log-likelihood {log_likelihood:.4}): {hint}")]
    NotConverged {
        /// The model's name ("BG/NBD", "Pareto/NBD" …).
        model: &'static str,
        /// Iterations of the best start.
        iterations: usize,
        /// The largest absolute gradient component at the best start's end point.
        gradient_norm: f64,
        /// The total log-likelihood at that point.
        log_likelihood: f64,
        /// What the user can do about it.
        hint: &'static str,
    },
    /// The likelihood was not finite at any starting point, or the fit ended
    /// at parameters the model's predictions are not defined for.
    #[error("the {model} fit failed: {reason}")]
    Degenerate {
        /// The model's name.
        model: &'static str,
        /// What happened, in plain words.
        reason: String,
    },
}

impl ModelError {
    /// The message in `lang`: English as [`Display`](std::fmt::Display)
    /// gives it, or zh-CN. The fitting hints are translated; reasons built
    /// from the data at run time stay as written.
    pub fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, e) => e.to_string(),
            (Lang::Zh, ModelError::InvalidSetting { name, reason }) => format!("设置 {name} 无效：{reason}"),
            (Lang::Zh, ModelError::InvalidData(reason)) => format!("输入数据无效：{reason}"),
            (Lang::Zh, ModelError::NotConverged { model, iterations, gradient_norm, log_likelihood, hint }) => {
                format!("{model} 模型拟合在 {iterations} 次迭代后仍未收敛（梯度范数 {gradient_norm:.2e}，对数似然 {log_likelihood:.4}）：{}", zh_hint(hint))
            }
            (Lang::Zh, ModelError::Degenerate { model, reason }) => format!("{model} 模型拟合失败：{reason}"),
        }
    }
}

/// The zh-CN text of the fitting hints the models give (the English one for
/// a hint without a translation).
fn zh_hint(hint: &str) -> String {
    let zh = match hint {
        "the data may have too few repeat buyers; try a penalizer such as 0.001" => "数据中的复购客户可能太少；请尝试设置惩罚系数（penalizer），例如 0.001",
        "the repeat customers' mean spends may vary too little or too much; try a penalizer such as 0.001" => {
            "复购客户的平均消费额差异可能过小或过大；请尝试设置惩罚系数（penalizer），例如 0.001"
        }
        "the cohort may be too short or lose no one; try a penalizer such as 0.001" => {
            "该同期群的观察期可能太短或没有客户流失；请尝试设置惩罚系数（penalizer），例如 0.001"
        }
        other => other,
    };
    zh.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_in_both_languages() {
        let error = ModelError::NotConverged {
            model: "BG/NBD",
            iterations: 24,
            gradient_norm: 3.5e-4,
            log_likelihood: -136006.32564,
            hint: "the data may have too few repeat buyers; try a penalizer such as 0.001",
        };
        assert_eq!(
            error.message(Lang::En),
            "the BG/NBD fit did not converge after 24 iterations (gradient norm 3.50e-4, log-likelihood -136006.3256): the data may have too few repeat buyers; try a penalizer such as 0.001"
        );
        assert_eq!(
            error.message(Lang::Zh),
            "BG/NBD 模型拟合在 24 次迭代后仍未收敛（梯度范数 3.50e-4，对数似然 -136006.3256）：数据中的复购客户可能太少；请尝试设置惩罚系数（penalizer），例如 0.001"
        );
        let error = ModelError::InvalidSetting { name: "penalizer", reason: "-1 is not a finite number ≥ 0".into() };
        assert_eq!(error.message(Lang::En), "the setting penalizer is invalid: -1 is not a finite number ≥ 0");
        assert_eq!(error.message(Lang::Zh), "设置 penalizer 无效：-1 is not a finite number ≥ 0");
        assert_eq!(ModelError::Degenerate { model: "sBG", reason: "x".into() }.message(Lang::Zh), "sBG 模型拟合失败：x");
    }

    #[test]
    fn every_model_hint_has_a_translation() {
        for hint in [crate::stats::btyd::bgnbd::HINT, crate::stats::btyd::pareto::HINT, crate::stats::btyd::gamma_gamma::HINT, crate::stats::btyd::sbg::HINT] {
            let zh = zh_hint(hint);
            assert!(zh != hint && zh.contains("惩罚系数"), "{hint}");
        }
    }
}
