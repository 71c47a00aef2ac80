//! How prediction rows are split for evaluation, and the baseline a model
//! must beat.
//!
//! * Activity rows are split by time: the rows of the last cutoff are the
//!   test set, the earlier cutoffs train — as the model will be used, on a
//!   future it has not seen. A customer appears in both, at different
//!   cutoffs, with features of different dates.
//! * The **recency-only baseline** ranks customers by days since their last
//!   purchase, the rule of thumb a model has to beat to be worth its
//!   features; its ROC AUC is measured on the same test rows.

use churnlens_core::Lang;
use churnlens_metrics::{MetricsError, Result};

use super::frame::{RawFrame, RawValues};
use crate::ml::evaluate::roc_auc;

/// (train, test) row positions of a time split: the test rows are those of
/// the last cutoff. Needs at least two cutoffs.
pub fn time_split(frame: &RawFrame, lang: Lang) -> Result<(Vec<usize>, Vec<usize>)> {
    let Some(&last) = frame.cutoffs.iter().max() else {
        return Err(MetricsError::Options(lang.pick("a time split needs rows from cutoff dates", "按时间划分需要带截止日的样本").into()));
    };
    let (test, train): (Vec<usize>, Vec<usize>) = (0..frame.n_rows()).partition(|&i| frame.cutoffs[i] == last);
    if train.is_empty() {
        return Err(MetricsError::Options(
            lang.pick(
                "a time split needs rows at two cutoff dates or more, and only the last one has any: the data may be too short for cutoffs --horizon days apart; give a shorter --horizon, or --cutoff twice or more",
                "按时间划分需要至少两个有样本的截止日，目前只有最后一个截止日有样本：数据跨度可能不足以容纳间隔为 --horizon 天的截止日；请缩短 --horizon，或多次指定 --cutoff",
            )
            .into(),
        ));
    }
    Ok((train, test))
}

/// ROC AUC of the recency-only baseline on `rows`: the score is the
/// `recency_days` feature (more days since the last purchase = more risk).
/// `None` without that feature or when the rows hold one class only.
pub fn recency_baseline_auc(frame: &RawFrame, rows: &[usize]) -> Option<f64> {
    let RawValues::Numeric(recency) = &frame.column("recency_days")?.values else { return None };
    let labels: Vec<bool> = rows.iter().map(|&i| frame.labels[i]).collect();
    let scores: Vec<f64> = rows.iter().map(|&i| recency[i]).collect();
    roc_auc(&labels, &scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::frame::{FeatureName, RawColumn};

    #[test]
    fn the_last_cutoff_is_the_test_set_and_recency_ranks_it() {
        let frame = RawFrame {
            ids: vec!["a".into(), "b".into(), "a".into(), "b".into(), "c".into()],
            cutoffs: vec![10, 10, 20, 20, 20],
            labels: vec![false, true, true, false, false],
            columns: vec![RawColumn {
                name: FeatureName::new("recency_days", "距上次购买天数"), values: RawValues::Numeric(vec![1.0, 9.0, 30.0, 5.0, 30.0])
            }],
            ..RawFrame::default()
        };
        let (train, test) = time_split(&frame, Lang::En).unwrap();
        assert_eq!((train, test.clone()), (vec![0, 1], vec![2, 3, 4]));
        // Test rows: positive 30 vs negatives 5 (win) and 30 (tie): (1 + 0.5) / 2.
        assert_eq!(recency_baseline_auc(&frame, &test), Some(0.75));
        let one_cutoff = frame.select_rows(&[2, 3, 4]);
        assert!(time_split(&one_cutoff, Lang::En).is_err());
    }
}
