//! The query engine of churnlens: an in-process Apache DataFusion session
//! over a workspace's Parquet tables.
//!
//! [`Engine::open`] registers every table in the workspace catalog under its
//! canonical name (`customers`, `orders`, …), so `churnlens sql` and every
//! metric query the same data the same way. The churn and retention metrics
//! themselves arrive as plans over this session (issue #3).

mod engine;
mod error;

pub use engine::Engine;
pub use error::{MetricsError, Result};
