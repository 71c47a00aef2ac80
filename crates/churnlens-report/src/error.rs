//! The report crate's one error: the workspace's orders could not be read,
//! or the report could not be written. Gaps in single sections are not
//! errors; they become notes in the report.

use thiserror::Error;

/// Why a report could not be made.
#[derive(Debug, Error)]
pub enum ReportError {
    /// Reading the workspace failed (no orders table, a bad column …).
    #[error(transparent)]
    Metrics(#[from] churnlens_metrics::MetricsError),
    /// The report data could not be serialised.
    #[error("the report data could not be serialised: {0}")]
    Json(#[from] serde_json::Error),
    /// A static chart could not be drawn (`--charts`).
    #[error("chart {chart}: {reason}")]
    Chart {
        /// The chart's name.
        chart: &'static str,
        /// The drawing backend's error.
        reason: String,
    },
    /// The report file could not be written.
    #[error("{path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl ReportError {
    /// Whether the user can fix it (a missing table, an unwritable path) rather than it being our bug.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ReportError::Json(_) | ReportError::Chart { .. })
    }
}
