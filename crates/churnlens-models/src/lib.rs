//! The statistical models of churnlens.
//!
//! Everything here works on plain slices of numbers, so it is testable
//! against published values and independent libraries without a workspace;
//! the metrics crate turns workspace tables into those slices.
//!
//! * [`stats::special`]: log-gamma, digamma and the other special
//!   functions the likelihoods need.
//! * [`stats::linalg`]: small dense symmetric systems (Hessians, Newton steps).

pub mod error;
pub mod stats;
