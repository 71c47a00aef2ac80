//! Derived customer attributes: labels churnlens computes per customer
//! (the RFM segment, a cluster, a churn-risk tier) saved back into the
//! workspace so every metric can be broken down by them (`--by rfm_segment`).
//!
//! They live in one table, [`DERIVED_TABLE`]: `customer_id` plus one text
//! column per attribute, one row per customer that has at least one of
//! them. Saving an attribute replaces a column of the same name as a whole
//! (customers missing from the new values get none) and keeps the others.
//! Every save writes a new version of the table the way an import does —
//! staged, renamed into place, made current in one catalog transaction and
//! recorded in the catalog's import history (mode `derived`) — so a failed
//! save leaves the previous version current and readable.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{IngestError, Result};
use crate::workspace::{CommitRecord, Workspace};

/// The workspace table of derived customer attributes.
pub const DERIVED_TABLE: &str = "customer_attributes";

/// The attributes saved so far: (name, value per customer id), in column order.
fn read_current(workspace: &Workspace) -> Result<Vec<(String, HashMap<String, String>)>> {
    let mut columns: Vec<(String, HashMap<String, String>)> = Vec::new();
    for part in workspace.parts(DERIVED_TABLE)? {
        let file = std::fs::File::open(&part).map_err(|e| IngestError::io(&part, e))?;
        for batch in ParquetRecordBatchReaderBuilder::try_new(file)?.build()? {
            let batch = batch?;
            let ids = batch.column(0).as_string_opt::<i32>().ok_or_else(|| IngestError::Internal(format!("{DERIVED_TABLE}.customer_id is not text")))?;
            for (index, field) in batch.schema().fields().iter().enumerate().skip(1) {
                let values =
                    batch.column(index).as_string_opt::<i32>().ok_or_else(|| IngestError::Internal(format!("{DERIVED_TABLE}.{} is not text", field.name())))?;
                let position = match columns.iter().position(|(name, _)| name == field.name()) {
                    Some(p) => p,
                    None => {
                        columns.push((field.name().clone(), HashMap::new()));
                        columns.len() - 1
                    }
                };
                for row in (0..batch.num_rows()).filter(|&r| ids.is_valid(r) && values.is_valid(r)) {
                    columns[position].1.insert(ids.value(row).to_string(), values.value(row).to_string());
                }
            }
        }
    }
    Ok(columns)
}

/// Saves `values` (one per id of `ids`; `None` = no value) as the derived
/// attribute `name`, replacing a saved attribute of that name. `source`
/// says what computed it (e.g. `churnlens segment rfm`), for the catalog.
/// Returns the number of customers in the table afterwards.
pub fn save_customer_attribute(workspace: &Workspace, name: &str, ids: &[String], values: &[Option<String>], source: &str) -> Result<usize> {
    if name.trim().is_empty() || name == "customer_id" {
        return Err(IngestError::Workspace(format!("'{name}' cannot name a derived attribute / 不能用作派生属性名")));
    }
    if ids.len() != values.len() {
        return Err(IngestError::Internal(format!("{} ids but {} values", ids.len(), values.len())));
    }
    let mut columns = read_current(workspace)?;
    let fresh: HashMap<String, String> = ids.iter().zip(values).filter_map(|(id, v)| v.as_ref().map(|v| (id.clone(), v.clone()))).collect();
    match columns.iter_mut().find(|(existing, _)| existing == name) {
        Some(column) => column.1 = fresh,
        None => columns.push((name.to_string(), fresh)),
    }
    // Ascending ids, so a save is the same file whatever the hashing.
    let customers: BTreeSet<&str> = columns.iter().flat_map(|(_, values)| values.keys().map(String::as_str)).collect();
    let mut fields = vec![Field::new("customer_id", DataType::Utf8, false)];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(customers.iter().copied()))];
    for (column, values) in &columns {
        fields.push(Field::new(column, DataType::Utf8, true));
        arrays.push(Arc::new(customers.iter().map(|id| values.get(*id).map(String::as_str)).collect::<StringArray>()));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays)?;
    let staged = workspace.stage(DERIVED_TABLE, false)?;
    if let Err(e) = write_part(&staged.dir.join("part-00000.parquet"), &batch) {
        workspace.abandon(staged);
        return Err(e);
    }
    let summary: BTreeMap<&str, usize> = columns.iter().map(|(column, values)| (column.as_str(), values.len())).collect();
    let record = CommitRecord {
        mode: "derived",
        source_path: source.to_string(),
        source_hash: String::new(),
        source_bytes: 0,
        format: "derived".into(),
        encoding: None,
        delimiter: None,
        part: Some(name.to_string()),
        mapping_json: serde_json::to_string(&summary).unwrap_or_default(),
        rows_read: ids.len() as u64,
        rows_accepted: fresh_count(values),
        rows_rejected: 0,
        reasons_json: "{}".into(),
        rejects_path: None,
        total_rows: customers.len() as u64,
        schema_json: serde_json::to_string(&schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>()).unwrap_or_default(),
    };
    workspace.commit(staged, &record)?;
    Ok(customers.len())
}

/// Writes `batch` as one Parquet file.
fn write_part(path: &std::path::Path, batch: &RecordBatch) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| IngestError::io(path, e))?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props))?;
    writer.write(batch)?;
    writer.close()?;
    Ok(())
}

/// The number of values given (not `None`).
fn fresh_count(values: &[Option<String>]) -> u64 {
    values.iter().filter(|v| v.is_some()).count() as u64
}

/// The names of the derived attributes saved in `workspace`, in column order.
pub fn derived_attributes(workspace: &Workspace) -> Result<Vec<String>> {
    Ok(workspace.schema(DERIVED_TABLE)?.map(|s| s.fields().iter().skip(1).map(|f| f.name().clone()).collect()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ws: &Workspace) -> Vec<(String, HashMap<String, String>)> {
        read_current(ws).unwrap()
    }

    #[test]
    fn saving_replaces_a_column_of_the_same_name_and_keeps_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open_or_create(dir.path()).unwrap();
        let ids: Vec<String> = ["c1", "c2", "c3"].map(String::from).to_vec();
        let some = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
        assert_eq!(save_customer_attribute(&ws, "rfm_segment", &ids, &some(&["a", "b", "a"]), "test").unwrap(), 3);
        // c4 only has a cluster; c1 none.
        let cluster_ids: Vec<String> = ["c2", "c4", "c1"].map(String::from).to_vec();
        let clusters = vec![Some("0".to_string()), Some("1".to_string()), None];
        assert_eq!(save_customer_attribute(&ws, "cluster", &cluster_ids, &clusters, "test").unwrap(), 4);
        assert_eq!(derived_attributes(&ws).unwrap(), ["rfm_segment", "cluster"]);
        // A second save of rfm_segment replaces the whole column: c3 now has none.
        save_customer_attribute(&ws, "rfm_segment", &ids[..2], &some(&["b", "b"]), "test").unwrap();
        let saved = labels(&ws);
        assert_eq!(saved[0].0, "rfm_segment");
        assert_eq!(saved[0].1, HashMap::from([("c1".into(), "b".into()), ("c2".into(), "b".into())]));
        assert_eq!(saved[1].1, HashMap::from([("c2".into(), "0".into()), ("c4".into(), "1".into())]));
        let info = ws.dataset(DERIVED_TABLE).unwrap().unwrap();
        // c3 holds nothing now and is gone; three saves, three versions, each recorded.
        assert_eq!((info.rows, info.version), (3, 3));
        assert_eq!(ws.imports().unwrap().iter().filter(|i| i.dataset == DERIVED_TABLE && i.mode == "derived").count(), 3);
    }

    #[test]
    fn a_failed_save_leaves_the_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open_or_create(dir.path()).unwrap();
        let ids: Vec<String> = vec!["c1".into()];
        save_customer_attribute(&ws, "tier", &ids, &[Some("high".into())], "test").unwrap();
        // Mismatched lengths and a reserved name fail before anything is written.
        assert!(save_customer_attribute(&ws, "tier", &ids, &[], "test").is_err());
        assert!(save_customer_attribute(&ws, "customer_id", &ids, &[Some("x".into())], "test").is_err());
        // A staging directory that cannot be created (the table folder is a file) fails the write.
        let table_dir = dir.path().join("tables").join(DERIVED_TABLE);
        let moved = dir.path().join("moved");
        std::fs::rename(&table_dir, &moved).unwrap();
        std::fs::write(&table_dir, b"not a directory").unwrap();
        assert!(save_customer_attribute(&ws, "tier", &ids, &[Some("low".into())], "test").is_err());
        std::fs::remove_file(&table_dir).unwrap();
        std::fs::rename(&moved, &table_dir).unwrap();
        assert_eq!(labels(&ws)[0].1["c1"], "high");
        assert_eq!(ws.dataset(DERIVED_TABLE).unwrap().unwrap().version, 1);
    }
}
