//! The one error type of the metrics crate.

/// Result alias for this crate.
pub type Result<T, E = MetricsError> = std::result::Result<T, E>;

/// What can go wrong while querying.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The workspace could not be read.
    #[error(transparent)]
    Workspace(#[from] churnlens_ingest::IngestError),
    /// DataFusion refused or failed the query.
    #[error("{0}")]
    Query(#[from] datafusion::error::DataFusionError),
    /// A metric needs a table the workspace does not have.
    #[error("this needs the `{table}` table, which the workspace does not have: import it first ({hint})")]
    MissingTable {
        /// The table.
        table: &'static str,
        /// The command that imports it.
        hint: &'static str,
    },
    /// `--by` names a column that does not exist.
    #[error("the `{table}` table has no column `{column}`: list its columns with `churnlens sql \"SELECT * FROM {table} LIMIT 1\"`")]
    UnknownColumn {
        /// The table searched.
        table: &'static str,
        /// The column asked for.
        column: String,
    },
    /// Options that cannot work together or are out of range.
    #[error("{0}")]
    Options(String),
    /// Arrow failure.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

impl MetricsError {
    /// Whether the user can fix this (a bad query, a missing table) rather
    /// than it being our fault.
    pub fn is_user_error(&self) -> bool {
        use datafusion::error::DataFusionError as D;
        match self {
            MetricsError::Workspace(e) => e.is_user_error(),
            MetricsError::Query(e) => matches!(e.find_root(), D::Plan(_) | D::SQL(..) | D::SchemaError(..) | D::NotImplemented(_) | D::Configuration(_)),
            MetricsError::MissingTable { .. } | MetricsError::UnknownColumn { .. } | MetricsError::Options(_) => true,
            MetricsError::Arrow(_) => false,
        }
    }
}
