//! Reports of churnlens (issue #8).
//!
//! * [`data`]: [`ReportData`], everything a report or dashboard view shows,
//!   serialised as JSON — the one model the HTML report inlines and the
//!   dashboard serves.
//! * [`build`]: computes it from a workspace with the metrics and models crates.
//! * [`html`]: the self-contained HTML report: the front end built from
//!   `web/` (TypeScript + ECharts, bundled into `web/dist/report.js`) and the
//!   data inlined, nothing fetched.
//! * [`text`]: the sentences each section says about its data, in zh and en.
//! * [`charts`]: each chart as SVG and PNG files (`report --charts DIR`).
//! * [`churn_model`]: the churn-prediction section from the saved churn
//!   models, scored through the library.

pub mod build;
pub mod charts;
pub mod churn_model;
pub mod data;
pub mod error;
pub mod html;
pub mod text;

pub use build::{ReportOptions, build};
pub use build::{Subset, build_subset};
pub use data::ReportData;
pub use error::ReportError;
