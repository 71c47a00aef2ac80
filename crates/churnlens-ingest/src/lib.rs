//! Getting users' files into a churnlens workspace, checked and typed.
//!
//! The flow, one module each:
//!
//! 1. [`read`] — CSV/TSV/whitespace text (UTF-8 with or without BOM, GBK/
//!    GB18030 detected), Excel, Parquet, JSON lines and SQLite tables into
//!    text cells ([`raw`]);
//! 2. [`plan`] — headers to canonical columns (synonyms, mapping files —
//!    [`mapping`] — and flags), and each column's type and date notation;
//! 3. [`convert`] — cells to Arrow arrays, row by row, recording problems
//!    ([`reject`]);
//! 4. [`import`] — cross-row checks, Parquet parts, the rejects file and an
//!    atomic commit to the [`workspace`] catalog, with a full report;
//! 5. [`inspect`] — the same reading and planning, reported without writing.
//!
//! ```no_run
//! use churnlens_core::Table;
//! use churnlens_ingest::{ImportOptions, Workspace, import_file};
//!
//! # fn main() -> Result<(), churnlens_ingest::IngestError> {
//! let workspace = Workspace::open_or_create("churnlens-workspace")?;
//! let report = import_file(&workspace, "orders.csv".as_ref(), &ImportOptions::new(Table::Orders), &|_, _, _| {})?;
//! println!("{} rows stored, {} rejected", report.rows_accepted, report.rows_rejected);
//! # Ok(())
//! # }
//! ```

pub mod convert;
pub mod derived;
pub mod error;
pub mod import;
pub mod inspect;
pub mod mapping;
pub mod plan;
pub mod raw;
pub mod read;
pub mod reject;
pub mod workspace;

pub use error::{IngestError, Result};
pub use import::{ImportOptions, ImportReport, ImportStage, UnknownCustomers, import_file, parse_tz};
pub use inspect::{InspectReport, inspect_file};
pub use mapping::MappingFile;
pub use read::{Delimiter, ReadOptions, SourceFormat};
pub use workspace::{DatasetInfo, ImportRecord, Workspace};
