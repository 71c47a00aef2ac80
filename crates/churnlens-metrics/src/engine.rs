//! The DataFusion session over a workspace.

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
}
