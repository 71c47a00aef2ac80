//! The churnlens domain model, shared by every other crate.
//!
//! * [`schema`] — the canonical tables (`customers`, `orders`, …, `snapshot`),
//!   their columns, value kinds, required flags and the English and Chinese
//!   header synonyms that map a user's file onto them. This is the one place
//!   to extend when a new export format names a column differently.
//! * [`values`] — parsing of the value forms found in real exports: dates in
//!   many notations (with day/month ambiguity detection), amounts with
//!   currency signs and separators, booleans such as 是/否, and nulls.
//! * [`lang`] — the two languages everything a person reads is written in.
//!
//! This crate has no I/O and no query engine, so every other crate can depend
//! on it cheaply.

pub mod lang;
pub mod schema;
pub mod values;

pub use lang::Lang;
pub use schema::{ColumnSpec, Table, ValueKind};
