//! The count models' input prepared for cheap likelihoods: validated,
//! customers with identical (frequency, recency, age) collapsed into one
//! weighted row, and the distinct frequencies listed once with their total
//! weight so per-frequency terms are computed once per evaluation.

use super::Rfm;
use crate::error::ModelError;

/// One distinct (frequency, recency, age) with the number of customers it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    /// Index into [`CountData::frequencies`].
    pub k: usize,
    pub recency: f64,
    pub age: f64,
    pub weight: f64,
}

/// Collapsed, validated count data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CountData {
    /// Distinct frequencies, ascending.
    pub frequencies: Vec<f64>,
    /// Total weight of each distinct frequency.
    pub frequency_weights: Vec<f64>,
    pub rows: Vec<Row>,
    pub total_weight: f64,
    pub max_age: f64,
}

impl CountData {
    /// Validates and collapses the customers (each with weight 1).
    pub fn new(model: &'static str, customers: &[Rfm]) -> Result<Self, ModelError> {
        if customers.is_empty() {
            return Err(ModelError::InvalidData(format!("the {model} fit needs at least one customer")));
        }
        for (i, c) in customers.iter().enumerate() {
            let valid = c.frequency.is_finite()
                && c.frequency >= 0.0
                && c.frequency == c.frequency.round()
                && c.age.is_finite()
                && c.age > 0.0
                && c.recency.is_finite()
                && c.recency >= 0.0
                && c.recency <= c.age
                && (c.frequency > 0.0 || c.recency == 0.0);
            if !valid {
                return Err(ModelError::InvalidData(format!(
                    "customer {i} has frequency {}, recency {}, age {}: the frequency must be a whole number ≥ 0 and 0 ≤ recency ≤ age with age > 0 (recency 0 without repeat purchases)",
                    c.frequency, c.recency, c.age
                )));
            }
        }
        if customers.iter().all(|c| c.frequency == 0.0) {
            return Err(ModelError::InvalidData(format!(
                "no customer has a repeat purchase, so the {model} purchase rate cannot be estimated; fit on a longer calibration period"
            )));
        }
        let mut sorted: Vec<(f64, f64, f64)> = customers.iter().map(|c| (c.frequency, if c.frequency == 0.0 { 0.0 } else { c.recency }, c.age)).collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2)));
        let mut data = CountData { frequencies: Vec::new(), frequency_weights: Vec::new(), rows: Vec::new(), total_weight: 0.0, max_age: 0.0 };
        let mut previous: Option<(f64, f64, f64)> = None;
        for c in sorted {
            if previous == Some(c) {
                data.rows.last_mut().expect("a previous row").weight += 1.0;
            } else {
                if data.frequencies.last() != Some(&c.0) {
                    data.frequencies.push(c.0);
                    data.frequency_weights.push(0.0);
                }
                data.rows.push(Row { k: data.frequencies.len() - 1, recency: c.1, age: c.2, weight: 1.0 });
                previous = Some(c);
            }
            *data.frequency_weights.last_mut().expect("a frequency") += 1.0;
            data.total_weight += 1.0;
            data.max_age = data.max_age.max(c.2);
        }
        Ok(data)
    }

    /// The same data with every time multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Self {
        let mut scaled = self.clone();
        for row in &mut scaled.rows {
            row.recency *= factor;
            row.age *= factor;
        }
        scaled.max_age *= factor;
        scaled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_identical_customers_and_counts_frequencies() {
        let customers = [Rfm::new(2.0, 5.0, 10.0), Rfm::new(0.0, 0.0, 7.0), Rfm::new(2.0, 5.0, 10.0), Rfm::new(0.0, 0.0, 7.0), Rfm::new(1.0, 3.0, 9.0)];
        let data = CountData::new("test", &customers).expect("valid");
        assert_eq!(data.frequencies, vec![0.0, 1.0, 2.0]);
        assert_eq!(data.frequency_weights, vec![2.0, 1.0, 2.0]);
        assert_eq!(data.rows.len(), 3);
        assert_eq!(data.rows[0], Row { k: 0, recency: 0.0, age: 7.0, weight: 2.0 });
        assert_eq!(data.rows[2], Row { k: 2, recency: 5.0, age: 10.0, weight: 2.0 });
        assert_eq!(data.total_weight, 5.0);
        assert_eq!(data.max_age, 10.0);
    }

    #[test]
    fn refuses_impossible_customers() {
        assert!(CountData::new("test", &[Rfm::new(1.0, 11.0, 10.0)]).is_err());
        assert!(CountData::new("test", &[Rfm::new(1.5, 1.0, 10.0)]).is_err());
        assert!(CountData::new("test", &[Rfm::new(1.0, 1.0, f64::NAN)]).is_err());
        assert!(CountData::new("test", &[Rfm::new(0.0, 1.0, 10.0)]).is_err());
        assert!(CountData::new("test", &[]).is_err());
        assert!(
            matches!(CountData::new("test", &[Rfm::new(0.0, 0.0, 3.0)]), Err(ModelError::InvalidData(m)) if m.contains("no customer has a repeat purchase"))
        );
    }
}
