//! The DataFusion session over a workspace.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use churnlens_ingest::Workspace;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::error::Result;

/// A query session with every workspace table registered.
pub struct Engine {
    ctx: SessionContext,
    tables: Vec<String>,
}

impl Engine {
    /// Opens a session over the workspace's current table versions.
    pub async fn open(workspace: &Workspace) -> Result<Engine> {
        let config =
            SessionConfig::new().with_target_partitions(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)).with_information_schema(true);
        let ctx = SessionContext::new_with_config(config);
        let mut tables = Vec::new();
        for dataset in workspace.datasets()? {
            // A trailing slash makes DataFusion list the directory's parts.
            let url = format!("{}/", dataset.path.display());
            ctx.register_parquet(&dataset.name, &url, ParquetReadOptions::default()).await?;
            tables.push(dataset.name);
        }
        Ok(Engine { ctx, tables })
    }

    /// Runs one SQL statement and collects its result.
    pub async fn sql(&self, query: &str) -> Result<Vec<RecordBatch>> {
        let frame = self.ctx.sql(query).await?;
        Ok(frame.collect().await?)
    }

    /// The column names of a registered table.
    pub async fn columns(&self, table: &str) -> Result<Vec<String>> {
        let frame = self.ctx.table(table).await?;
        Ok(frame.schema().fields().iter().map(|f| f.name().clone()).collect())
    }

    /// The tables registered.
    pub fn tables(&self) -> &[String] {
        &self.tables
    }

    /// The underlying DataFusion session, for plans built in code.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Narrows every table with a `customer_id` column to the customers in
    /// `ids` (the dashboard's filters, #8): each such table is replaced by a
    /// view of itself, so every metric computed afterwards sees only them.
    pub async fn restrict_to_customers(&mut self, ids: &[String]) -> Result<()> {
        let schema = Arc::new(Schema::new(vec![Field::new("customer_id", DataType::Utf8, false)]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(ids.to_vec())) as ArrayRef])?;
        self.ctx.register_batch(CUSTOMER_FILTER, batch)?;
        for table in self.tables.clone() {
            if !self.columns(&table).await?.iter().any(|c| c == "customer_id") {
                continue;
            }
            let Some(provider) = self.ctx.deregister_table(&table)? else { continue };
            let unfiltered = format!("{UNFILTERED_PREFIX}{table}");
            self.ctx.register_table(&unfiltered, provider)?;
            let query = format!("SELECT * FROM \"{unfiltered}\" WHERE CAST(customer_id AS VARCHAR) IN (SELECT customer_id FROM {CUSTOMER_FILTER})");
            let view = self.ctx.sql(&query).await?.into_view();
            self.ctx.register_table(&table, view)?;
        }
        Ok(())
    }
}

/// The in-memory table of the customers [`Engine::restrict_to_customers`] keeps.
const CUSTOMER_FILTER: &str = "__churnlens_customer_filter";

/// Prefix under which a restricted table stays registered unfiltered.
const UNFILTERED_PREFIX: &str = "__churnlens_all_";
