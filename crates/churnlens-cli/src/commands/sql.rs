//! `churnlens sql`: ad-hoc SQL over the workspace tables.

use std::path::Path;

use anyhow::Result;
use churnlens_ingest::Workspace;
use churnlens_metrics::Engine;

use crate::args::SqlArgs;
use crate::output;

pub fn run(workspace: &Path, args: &SqlArgs) -> Result<()> {
    let workspace = Workspace::open(workspace)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let batches = runtime.block_on(async {
        let engine = Engine::open(&workspace).await?;
        engine.sql(&args.query).await
    })?;
    output::write_batches(&batches, args.format, args.output.as_deref())
}
