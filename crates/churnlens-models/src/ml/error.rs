//! The one error type of the machine-learning models: the caller's data or
//! settings cannot give a model. Plain words; no result is ever NaN instead.

use churnlens_core::Lang;
use thiserror::Error;

/// Why a model could not be fitted or evaluated.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MlError {
    /// A data matrix without features.
    #[error("the data need at least one feature")]
    NoFeatures,
    /// The values do not fill whole rows.
    #[error("{values} values do not make whole rows of {features} features")]
    RaggedMatrix {
        /// The number of values.
        values: usize,
        /// The number of features per row.
        features: usize,
    },
    /// A value is infinite or not a number.
    #[error("feature {feature} of row {row} is {value}, not a finite number")]
    InvalidValue {
        /// The row.
        row: usize,
        /// The feature.
        feature: usize,
        /// The offending value.
        value: f64,
    },
    /// Fewer rows than the method needs.
    #[error("{needed} rows are needed, but there are {found}")]
    TooFewRows {
        /// The least number of rows.
        needed: usize,
        /// The number of rows given.
        found: usize,
    },
    /// A setting is out of range.
    #[error("{name} {reason}")]
    InvalidParameter {
        /// The setting.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The given initial centroids do not match the data or the cluster count.
    #[error("the initial centroids have {found} values; {clusters} clusters of {features} features need {expected}")]
    CentroidShape {
        /// The number of clusters.
        clusters: usize,
        /// The number of features.
        features: usize,
        /// clusters × features.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
    /// A labels slice does not have one label per row.
    #[error("there are {found} labels for {expected} rows")]
    LabelCount {
        /// The number of rows.
        expected: usize,
        /// The number of labels.
        found: usize,
    },
    /// The silhouette needs at least two clusters and fewer clusters than points.
    #[error("the silhouette needs between 2 and {max} clusters among the points scored, not {found}")]
    SilhouetteClusterCount {
        /// The number of distinct labels.
        found: usize,
        /// The number of points scored minus one.
        max: usize,
    },
    /// No transactions to mine.
    #[error("there are no transactions to mine")]
    NoTransactions,
    /// The table has missing values where the model needs complete data.
    #[error("feature {feature} has missing values; impute or drop them before fitting this model")]
    MissingValues {
        /// The first feature with a missing value.
        feature: String,
    },
    /// The labels hold one class only, so there is nothing to tell apart.
    #[error("the labels are all churned or all retained; a classifier needs both")]
    SingleClass,
    /// An iterative fit did not converge.
    #[error("{what} did not converge in {iterations} iterations")]
    NotConverged {
        /// The model.
        what: &'static str,
        /// The iterations used.
        iterations: usize,
    },
    /// A tree given node by node is not a valid binary tree.
    #[error("tree node {node}: {reason}")]
    InvalidTree {
        /// The offending node.
        node: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl MlError {
    /// The message in `lang`: English as [`Display`](std::fmt::Display)
    /// gives it, or zh-CN (a setting's reason stays as written).
    pub fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, e) => e.to_string(),
            (Lang::Zh, MlError::NoFeatures) => "数据至少需要一个特征".into(),
            (Lang::Zh, MlError::RaggedMatrix { values, features }) => format!("{values} 个值无法组成每行 {features} 个特征的完整行"),
            (Lang::Zh, MlError::InvalidValue { row, feature, value }) => format!("第 {row} 行的特征 {feature} 为 {value}，不是有限数值"),
            (Lang::Zh, MlError::TooFewRows { needed, found }) => format!("至少需要 {needed} 行，但只有 {found} 行"),
            (Lang::Zh, MlError::InvalidParameter { name, reason }) => format!("参数 {name} 无效：{reason}"),
            (Lang::Zh, MlError::CentroidShape { clusters, features, expected, found }) => {
                format!("初始聚类中心有 {found} 个值；{clusters} 个聚类、每个 {features} 个特征需要 {expected} 个")
            }
            (Lang::Zh, MlError::LabelCount { expected, found }) => format!("{expected} 行数据却有 {found} 个标签"),
            (Lang::Zh, MlError::SilhouetteClusterCount { found, max }) => format!("轮廓系数需要参与评分的点中有 2 到 {max} 个聚类，而不是 {found} 个"),
            (Lang::Zh, MlError::NoTransactions) => "没有可供挖掘的交易".into(),
            (Lang::Zh, MlError::MissingValues { feature }) => format!("特征 {feature} 有缺失值；此模型拟合前需先填补或删除缺失值"),
            (Lang::Zh, MlError::SingleClass) => "标签全是流失或全是留存；分类器需要两类样本".into(),
            (Lang::Zh, MlError::NotConverged { what, iterations }) => format!("{what} 在 {iterations} 次迭代内未收敛"),
            (Lang::Zh, MlError::InvalidTree { node, reason }) => format!("树节点 {node}：{reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_in_both_languages() {
        let error = MlError::TooFewRows { needed: 2, found: 1 };
        assert_eq!(error.message(Lang::En), "2 rows are needed, but there are 1");
        assert_eq!(error.message(Lang::Zh), "至少需要 2 行，但只有 1 行");
        let error = MlError::LabelCount { expected: 5, found: 4 };
        assert_eq!(error.message(Lang::En), "there are 4 labels for 5 rows");
        assert_eq!(error.message(Lang::Zh), "5 行数据却有 4 个标签");
        assert_eq!(MlError::NoTransactions.message(Lang::Zh), "没有可供挖掘的交易");
    }
}
