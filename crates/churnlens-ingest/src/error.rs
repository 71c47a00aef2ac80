//! The one error type of the ingest crate.
//!
//! Variants separate the user's mistakes (a file that cannot be read as
//! asked, a missing column, an ambiguous date column, a strict-mode
//! rejection) from our own faults, so the CLI can exit with 1 or 2 and say
//! what to do next.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;

/// Everything that can stop an import, inspection or workspace operation.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The input is not what it should be; `message` says what to do.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do about it, in the user's language.
        message: String,
    },
    /// Required canonical columns were not found among the file's headers.
    #[error(
        "{path}: missing required column(s) {missing:?} for table '{table}'; the file has {found:?}. Map them with --column NAME=HEADER or a mapping file (--mapping)."
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The table being imported.
        table: String,
        /// Canonical names not found.
        missing: Vec<String>,
        /// The headers the file has.
        found: Vec<String>,
    },
    /// `--strict` and a row was rejected.
    #[error("{path}:{line}: column '{column}', value '{value}': {reason} (--strict stops at the first problem)")]
    Strict {
        /// The file.
        path: PathBuf,
        /// Line (or row) number in the source.
        line: u64,
        /// Source column.
        column: String,
        /// The offending value.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A bad option value (mapping file, time zone, date format …).
    #[error("{0}")]
    Usage(String),
    /// The workspace does not hold what was asked for.
    #[error("{0}")]
    Workspace(String),
    /// Catalog database failure.
    #[error("workspace catalog: {0}")]
    Catalog(#[from] rusqlite::Error),
    /// Arrow failure (our bug unless it wraps an I/O error).
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Parquet failure.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// An internal invariant broke: a bug to report.
    #[error("internal error: {0}")]
    Internal(String),
}

impl IngestError {
    /// Whether the user can fix this (exit code 1) rather than it being our
    /// fault or the machine's (exit code 2).
    pub fn is_user_error(&self) -> bool {
        match self {
            IngestError::Input { .. } | IngestError::MissingColumns { .. } | IngestError::Strict { .. } | IngestError::Usage(_) | IngestError::Workspace(_) => {
                true
            }
            IngestError::Io { source, .. } => {
                matches!(source.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::InvalidData)
            }
            IngestError::Catalog(_) | IngestError::Arrow(_) | IngestError::Parquet(_) | IngestError::Internal(_) => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IngestError::Io { path: path.into(), source }
    }

    pub(crate) fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        IngestError::Input { path: path.into(), message: message.into() }
    }
}
