//! k-means clusters of customers, by default of the churned ones: what do
//! the customers we lost have in common?
//!
//! Features per customer of the [`CustomerBase`]: recency (days since the
//! last purchase), frequency (orders), monetary (net revenue) and tenure
//! (days since the first purchase), standardised to z-scores
//! ([`StandardScaler`]) before k-means (k-means++ seeding, 10 restarts, k
//! by the highest silhouette over 2–8 unless given; [`crate::ml::kmeans`]).
//! The fit is deterministic for a seed. Each cluster's profile compares its
//! feature means, in the original units, with those of all customers
//! clustered ([`cluster_profiles`]); the features that set it apart most
//! come first.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_core::Lang;
use churnlens_metrics::{MetricsError, Result};

use super::base::CustomerBase;
use super::data_error;
use crate::ml::Points;
use crate::ml::kmeans::KMeansParams;
use crate::ml::profile::{ClusterProfile, cluster_profiles};
use crate::ml::scaler::StandardScaler;

/// Names of the features, in column order.
pub const FEATURES: [&str; 4] = ["recency_days", "frequency", "monetary", "tenure_days"];

/// Whom to cluster and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOptions {
    /// Only the customers churned at the as-of day (the default), or everyone.
    pub churned_only: bool,
    /// A fixed number of clusters; `None` chooses k by silhouette over 2–8.
    pub k: Option<usize>,
    /// Seed of the k-means++ seeding and the silhouette sample.
    pub seed: u64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions { churned_only: true, k: None, seed: 0 }
    }
}

/// The clusters found.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// Ids of the customers clustered.
    pub ids: Vec<String>,
    /// Cluster of each.
    pub labels: Vec<usize>,
    /// Profile of each cluster.
    pub profiles: Vec<ClusterProfile>,
    /// Silhouette of each k tried (empty when k was given).
    pub silhouettes: Vec<(usize, f64)>,
}

/// Clusters the customers of `base` as the module docs say.
pub fn clusters(base: &CustomerBase, options: &ClusterOptions, lang: Lang) -> Result<Clusters> {
    let churned = base.churned();
    let (recency, tenure) = (base.recency_days(), base.tenure_days());
    let rows: Vec<usize> = (0..base.len()).filter(|&i| !options.churned_only || churned[i]).collect();
    if rows.len() < 3 {
        return Err(MetricsError::Options(
            lang.pick("too few customers to cluster: at least 3 are needed (try --all)", "客户太少，无法聚类：至少需要 3 位（可试 --all）").into(),
        ));
    }
    let raw: Vec<f64> = rows.iter().flat_map(|&i| [recency[i], base.orders[i], base.net_revenue[i], tenure[i]]).collect();
    let points = Points::new(&raw, FEATURES.len()).map_err(|e| data_error("k-means", e))?;
    let scaler = StandardScaler::fit(points).map_err(|e| data_error("k-means", e))?;
    let scaled = scaler.transform(points);
    let scaled_points = Points::new(&scaled, FEATURES.len()).map_err(|e| data_error("k-means", e))?;
    let params = match options.k {
        Some(k) => KMeansParams::new().n_clusters(k),
        // No more clusters than customers allow.
        None => KMeansParams::new().choose_k(2..=8.min(rows.len() - 1)),
    };
    let model = params.seed(options.seed).check().and_then(|p| p.fit(scaled_points)).map_err(|e| data_error("k-means", e))?;
    let profiles = cluster_profiles(points, model.labels()).map_err(|e| data_error("k-means", e))?;
    Ok(Clusters {
        ids: rows.iter().map(|&i| base.ids[i].clone()).collect(),
        labels: model.labels().to_vec(),
        profiles,
        silhouettes: model.candidates().iter().map(|c| (c.k, c.silhouette)).collect(),
    })
}

impl Clusters {
    /// One row per cluster: size, share, each feature's cluster and population
    /// mean, and the features that set it apart, most first.
    pub fn profiles_batch(&self) -> RecordBatch {
        let p = &self.profiles;
        let mut fields = vec![
            Field::new("cluster", DataType::UInt64, false),
            Field::new("customers", DataType::UInt64, false),
            Field::new("share_pct", DataType::Float64, false),
        ];
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(p.iter().map(|c| c.cluster as u64))),
            Arc::new(UInt64Array::from_iter_values(p.iter().map(|c| c.size as u64))),
            Arc::new(Float64Array::from_iter_values(p.iter().map(|c| c.share * 100.0))),
        ];
        for (j, name) in FEATURES.iter().enumerate() {
            fields.push(Field::new(format!("mean_{name}"), DataType::Float64, true));
            columns.push(Arc::new(p.iter().map(|c| c.features.get(j).map(|f| f.cluster_mean)).collect::<Float64Array>()));
            fields.push(Field::new(format!("all_{name}"), DataType::Float64, true));
            columns.push(Arc::new(p.iter().map(|c| c.features.get(j).map(|f| f.population_mean)).collect::<Float64Array>()));
        }
        fields.push(Field::new("sets_apart", DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from_iter_values(p.iter().map(|c| {
            c.distinguishing
                .iter()
                .take(2)
                .map(|&j| {
                    let sign = if c.features[j].standardised_difference >= 0.0 { "+" } else { "−" };
                    format!("{}{sign}{:.2}σ", FEATURES[j], c.features[j].standardised_difference.abs())
                })
                .collect::<Vec<_>>()
                .join(", ")
        }))));
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| unreachable!("columns match their fields: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two obvious groups of churned customers: six who bought once, little,
    /// long ago, and six who bought often and much until recently.
    #[test]
    fn two_groups_of_churned_customers_are_found_and_profiled() {
        let n = 14;
        let mut base = CustomerBase {
            ids: (0..n).map(|i| format!("c{i:02}")).collect(),
            first_day: vec![0; n],
            last_day: vec![0; n],
            orders: vec![0.0; n],
            net_revenue: vec![0.0; n],
            as_of: 1000,
            window: 90,
        };
        for i in 0..6 {
            (base.first_day[i], base.last_day[i], base.orders[i], base.net_revenue[i]) = (100 + i as i32, 100 + i as i32, 1.0, 20.0 + i as f64);
        }
        for i in 6..12 {
            (base.first_day[i], base.last_day[i], base.orders[i], base.net_revenue[i]) = (200 + i as i32, 800 + i as i32, 30.0 + i as f64, 3000.0 + i as f64);
        }
        // Two active customers, not churned: left out by default.
        for i in 12..14 {
            (base.first_day[i], base.last_day[i], base.orders[i], base.net_revenue[i]) = (500, 990, 5.0, 500.0);
        }
        let found = clusters(&base, &ClusterOptions::default(), Lang::En).unwrap();
        assert_eq!(found.ids.len(), 12);
        assert_eq!(found.profiles.len(), 2, "silhouettes {:?}", found.silhouettes);
        assert!(found.labels[..6].iter().all(|&l| l == found.labels[0]));
        assert!(found.labels[6..].iter().all(|&l| l == found.labels[6] && l != found.labels[0]));

        // The one-time buyers' cluster: mean frequency 1 against (6 × 1 + 36 + … + 41) / 12 = 19.75 overall.
        let once = &found.profiles[found.labels[0]];
        assert_eq!(once.features[1].cluster_mean, 1.0);
        assert!((once.features[1].population_mean - (6.0 + (36..42).sum::<i32>() as f64) / 12.0).abs() < 1e-12);
        let again = clusters(&base, &ClusterOptions::default(), Lang::En).unwrap();
        assert_eq!(again, found, "deterministic for a seed");
        assert!(clusters(&base, &ClusterOptions { churned_only: true, k: Some(3), seed: 1 }, Lang::En).unwrap().profiles.len() == 3);
    }
}
