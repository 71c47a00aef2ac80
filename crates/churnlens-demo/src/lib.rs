//! The demo business: a realistic, deterministic data set with planted
//! ground truth, written in every file format churnlens reads.
//!
//! An online retailer in China, three years (2023-01-01 … 2025-12-31,
//! wall-clock Beijing time), `customers` customers (default 50,000, about
//! 20 orders each, so about 1 million orders; the size scales linearly).
//!
//! ## The simulation
//!
//! * Signups spread over the period with mild growth; 8% of customers never
//!   buy. Each buyer has a latent purchase rate (gamma-distributed, mean about
//!   2.6 orders a month, so intervals vary a lot between customers) and a
//!   spend level (log-normal order value around ¥150).
//! * Seasonality multiplies the purchase rate: × 1.6 in November (双11),
//!   × 1.3 in December, × 0.7 in February (春节).
//! * Before every next order the customer decides to leave with a hazard of
//!   0.025 a month over the coming gap, multiplied by the **planted
//!   drivers**: × 1.8 for each late delivery so far, up to three
//!   (配送天数 > 5, on 6% of orders, 14% in 西北/东北),
//!   × 3.5 once they have complained, × 3.5 for region 华东 after the price
//!   rise on 2024-01-01, × 0.5 for subscribers, × 1.2 for the 电商平台
//!   channel and × 0.8 for 门店. A customer who decides to leave places one
//!   or two final orders with lengthening gaps (× 1.8, then × 2.6 their usual
//!   interval) and then stops — purchase intervals lengthen before churn.
//! * Late deliveries lead to complaints (35% of late orders). A quarter of
//!   buyers answer one or two surveys (while they still buy); late
//!   deliveries and a complaint before a survey lower its NPS, and so does a
//!   decision to leave taken before it. App logins come every 12 days
//!   until the decision, then every 40 days until the customer stops opening
//!   the app (within 45 days of the last order); nothing a customer does
//!   before the decision depends on it, so features at a cutoff cannot see
//!   the future.
//!
//! ## Files
//!
//! | file | table | format |
//! |---|---|---|
//! | `customers.csv` | customers | GBK CSV, Chinese headers |
//! | `orders.csv` | orders | UTF-8 CSV, Chinese headers, `¥` on a third of amounts, refunds as negative rows |
//! | `order_items.parquet` | order_items | Parquet |
//! | `events.jsonl` | events | JSON lines, times with `+08:00` |
//! | `crm.xlsx` sheet `会员订阅` | subscriptions | Excel; plan switches and returns give MRR expansion, contraction and reactivation |
//! | `crm.xlsx` sheet `营销费用` | marketing_spend | Excel, month as date cells |
//! | `feedback.csv` | feedback | UTF-8 with BOM, multi-line quoted texts |
//! | `surveys.tsv` | surveys | tab-separated |
//! | `leads.sqlite` table `leads` | leads | SQLite |
//! | `ground_truth.csv` | — | who churned, when, and their driver exposure |
//!
//! `orders.csv` carries [`PLANTED_DIRTY_ORDER_ROWS`] planted problems, spread
//! through the file: an unparsable amount (`N/A金额`), a repeated order id,
//! an impossible date (`2024-13-45 10:00:00`), a row with a missing field,
//! and an order of the unknown customer `C999999`. The first four are
//! rejected by import; the fifth is kept and counted as an unknown customer.

mod names;
mod sim;
mod write;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use churnlens_core::Table;

pub use names::CITIES;
pub use sim::PRICE_RISE;

/// Problem rows planted in `orders.csv` (4 rejected, 1 unknown customer kept).
pub const PLANTED_DIRTY_ORDER_ROWS: usize = 5;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoParams {
    /// Random seed: the same seed writes byte-identical files.
    pub seed: u64,
    /// Number of customers.
    pub customers: usize,
    /// First day of the business.
    pub start: NaiveDate,
    /// Last day of data.
    pub end: NaiveDate,
}

impl Default for DemoParams {
    fn default() -> Self {
        DemoParams {
            seed: 42,
            customers: 50_000,
            start: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
        }
    }
}

/// One written file.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoFile {
    /// The table it holds.
    pub table: Table,
    /// Where it is.
    pub path: PathBuf,
    /// How it is written: csv-gbk, csv, tsv, xlsx, jsonl, parquet, sqlite.
    pub format: &'static str,
    /// Excel sheet, if any.
    pub sheet: Option<String>,
    /// SQLite table, if any.
    pub source_table: Option<String>,
    /// Data rows written.
    pub rows: usize,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct DemoOutput {
    /// The table files.
    pub files: Vec<DemoFile>,
    /// The ground-truth file.
    pub ground_truth: PathBuf,
    /// Customers written.
    pub customers: usize,
    /// Orders written (refund rows included, planted dirty rows not).
    pub orders: usize,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file could not be written.
    #[error("{path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Bad parameters.
    #[error("{0}")]
    Params(String),
}

impl DemoError {
    pub(crate) fn write(path: &Path, e: impl std::fmt::Display) -> Self {
        DemoError::Write { path: path.to_path_buf(), message: e.to_string() }
    }
}

/// Generates the demo files into `out_dir`; `progress(step, done, total)`.
pub fn generate(params: &DemoParams, out_dir: &Path, progress: &dyn Fn(&str, u64, u64)) -> Result<DemoOutput, DemoError> {
    if params.customers == 0 {
        return Err(DemoError::Params("--customers must be at least 1".into()));
    }
    if params.end <= params.start {
        return Err(DemoError::Params("the end date must be after the start date".into()));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| DemoError::write(out_dir, e))?;
    write::write_all(params, out_dir, progress)
}
