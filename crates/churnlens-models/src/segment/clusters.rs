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
//!
//! Numeric columns of the `customers` table can be added as features
//! ([`customer_features`], `--features`), standardised like the rest. A
//! customer with a blank value (or missing from the table) takes the
//! column's mean over the customers clustered — 0 after standardising — so
//! the gap does not pull them toward any cluster; the profiles' means are
//! over the known values and the imputed ones alike.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Float64Type, Schema};
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

/// A numeric customer attribute used as an extra feature: its name and a
/// value per customer of the [`CustomerBase`] (`None` = blank or unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraFeature {
    /// The column's name.
    pub name: String,
    /// Its value per customer, in the base's order.
    pub values: Vec<Option<f64>>,
}

/// Reads numeric `columns` of the `customers` table for the customers of
/// `base`. A column that is missing or not numeric is the user's error,
/// which names the numeric columns there are.
pub async fn customer_features(engine: &churnlens_metrics::Engine, base: &CustomerBase, columns: &[String], lang: Lang) -> Result<Vec<ExtraFeature>> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    if !engine.tables().iter().any(|t| t == "customers") {
        return Err(MetricsError::MissingTable { table: "customers", hint: "churnlens import --as customers FILE" });
    }
    let frame = engine.context().table("customers").await?;
    let numeric: Vec<String> = frame.schema().fields().iter().filter(|f| f.data_type().is_numeric()).map(|f| f.name().clone()).collect();
    if let Some(bad) = columns.iter().find(|c| !numeric.iter().any(|n| n == *c)) {
        let available = if numeric.is_empty() { "-".to_string() } else { numeric.join(", ") };
        return Err(MetricsError::Options(match lang {
            Lang::En => format!("--features {bad}: not a numeric column of customers; numeric columns: {available}"),
            Lang::Zh => format!("--features {bad}：不是 customers 表中的数值列；可用的数值列：{available}"),
        }));
    }
    let position: std::collections::HashMap<&str, usize> = base.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let list = columns.iter().map(|c| format!("CAST(\"{}\" AS DOUBLE)", c.replace('"', "\"\""))).collect::<Vec<_>>().join(", ");
    let mut out: Vec<ExtraFeature> = columns.iter().map(|c| ExtraFeature { name: c.clone(), values: vec![None; base.len()] }).collect();
    for batch in engine.sql(&format!("SELECT CAST(customer_id AS VARCHAR), {list} FROM customers WHERE customer_id IS NOT NULL")).await? {
        let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        for (j, feature) in out.iter_mut().enumerate() {
            let values = batch.column(j + 1).as_primitive::<Float64Type>();
            for row in (0..batch.num_rows()).filter(|&r| ids.is_valid(r)) {
                if let Some(&i) = position.get(ids.value(row)) {
                    feature.values[i] = (values.is_valid(row) && values.value(row).is_finite()).then(|| values.value(row));
                }
            }
        }
    }
    Ok(out)
}

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
    /// The features' names, in column order: [`FEATURES`] and then the extra ones.
    pub feature_names: Vec<String>,
}

/// Clusters the customers of `base` as the module docs say.
pub fn clusters(base: &CustomerBase, options: &ClusterOptions, lang: Lang) -> Result<Clusters> {
    clusters_with(base, &[], options, lang)
}

/// [`clusters`] with numeric customer attributes as extra features.
pub fn clusters_with(base: &CustomerBase, extra: &[ExtraFeature], options: &ClusterOptions, lang: Lang) -> Result<Clusters> {
    let churned = base.churned();
    let (recency, tenure) = (base.recency_days(), base.tenure_days());
    let rows: Vec<usize> = (0..base.len()).filter(|&i| !options.churned_only || churned[i]).collect();
    if rows.len() < 3 {
        return Err(MetricsError::Options(
            lang.pick("too few customers to cluster: at least 3 are needed (try --all)", "客户太少，无法聚类：至少需要 3 位（可试 --all）").into(),
        ));
    }
    // Blank extra values take the column's mean over the customers clustered (see the module docs).
    let means: Vec<f64> = extra
        .iter()
        .map(|f| {
            let known: Vec<f64> = rows.iter().filter_map(|&i| f.values[i]).collect();
            if known.is_empty() { 0.0 } else { known.iter().sum::<f64>() / known.len() as f64 }
        })
        .collect();
    let means = &means;
    let width = FEATURES.len() + extra.len();
    let raw: Vec<f64> = rows
        .iter()
        .flat_map(|&i| {
            [recency[i], base.orders[i], base.net_revenue[i], tenure[i]].into_iter().chain(extra.iter().zip(means).map(move |(f, m)| f.values[i].unwrap_or(*m)))
        })
        .collect();
    let points = Points::new(&raw, width).map_err(|e| data_error("k-means", e))?;
    let scaler = StandardScaler::fit(points).map_err(|e| data_error("k-means", e))?;
    let scaled = scaler.transform(points);
    let scaled_points = Points::new(&scaled, width).map_err(|e| data_error("k-means", e))?;
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
        feature_names: FEATURES.iter().map(|f| f.to_string()).chain(extra.iter().map(|f| f.name.clone())).collect(),
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
        for (j, name) in self.feature_names.iter().enumerate() {
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
                    format!("{}{sign}{:.2}σ", self.feature_names[j], c.features[j].standardised_difference.abs())
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

    /// An extra feature that alone separates two groups of otherwise equal
    /// customers: the split follows it, a blank takes the mean, and the
    /// profile names it.
    #[test]
    fn a_numeric_customer_attribute_separates_customers_alike_in_rfm() {
        let n = 10;
        let base = CustomerBase {
            ids: (0..n).map(|i| format!("c{i}")).collect(),
            first_day: vec![100; n],
            last_day: vec![200; n],
            orders: vec![2.0; n],
            net_revenue: vec![50.0; n],
            as_of: 1000,
            window: 90,
        };
        // Ages 20 (c0–c3), 60 (c4–c8) and unknown (c9, imputed as the mean (4·20 + 5·60) / 9 ≈ 42.2).
        let values: Vec<Option<f64>> = (0..n)
            .map(|i| {
                if i < 4 {
                    Some(20.0)
                } else if i < 9 {
                    Some(60.0)
                } else {
                    None
                }
            })
            .collect();
        let extra = [ExtraFeature { name: "age".into(), values }];
        let found = clusters_with(&base, &extra, &ClusterOptions { churned_only: true, k: Some(2), seed: 0 }, Lang::En).unwrap();
        assert_eq!(found.feature_names.last().map(String::as_str), Some("age"));
        assert!(found.labels[..4].iter().all(|&l| l == found.labels[0]));
        assert!(found.labels[4..9].iter().all(|&l| l == found.labels[4] && l != found.labels[0]));
        let young = &found.profiles[found.labels[0]];
        assert_eq!(young.features[4].cluster_mean, 20.0);
        // Only age varies, so it is what sets each cluster apart.
        assert_eq!(young.distinguishing[0], 4);
        assert!(found.profiles_batch().column_by_name("mean_age").is_some());
    }
}
