//! JSON lines: one JSON object per line.
//!
//! Columns are the union of the objects' keys in order of first appearance,
//! so a key that only some lines carry is kept (blank elsewhere). Strings are
//! taken as they are, numbers and booleans as written, `null` as blank, and
//! nested arrays or objects as their JSON text. A line that is not a JSON
//! object is a malformed row, reported with its line number — never skipped
//! silently. Lines are parsed in parallel.

use std::path::Path;

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::{Progress, ReadOptions, SourceData, SourceFormat, decode_text, unique_headers};
use crate::error::{IngestError, Result};
use crate::raw::{MalformedRow, RawChunk};

type ParsedLines = (Vec<(u64, Map<String, Value>)>, Vec<MalformedRow>);

pub(super) fn read(path: &Path, options: &ReadOptions, progress: Progress<'_>) -> Result<SourceData> {
    let bytes = std::fs::read(path).map_err(|e| IngestError::io(path, e))?;
    let decoded = decode_text(path, &bytes, options.encoding.as_deref())?;
    let text: &str = &decoded.text;
    let total = text.len() as u64;
    let threads = rayon::current_num_threads().max(1);
    let target = (text.len() / (threads * 4)).max(1 << 20);
    // JSON strings cannot contain a raw newline, so every newline ends a line.
    let mut slices = Vec::new();
    let (mut start, mut line) = (0usize, 1u64);
    while start < text.len() {
        let probe = (start + target).min(text.len());
        let end = memchr::memchr(b'\n', &text.as_bytes()[probe..]).map(|o| probe + o + 1).unwrap_or(text.len());
        slices.push((start, end, line));
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[start..end]).count() as u64;
        start = end;
    }
    let done = std::sync::atomic::AtomicU64::new(0);
    let parsed: Vec<ParsedLines> = slices
        .par_iter()
        .map(|&(s, e, first_line)| {
            let mut objects = Vec::new();
            let mut malformed = Vec::new();
            for (i, raw) in text[s..e].split('\n').enumerate() {
                let raw = raw.trim_end_matches('\r');
                if raw.trim().is_empty() {
                    continue;
                }
                let line = first_line + i as u64;
                match serde_json::from_str::<Value>(raw) {
                    Ok(Value::Object(map)) => objects.push((line, map)),
                    Ok(_) => malformed.push(MalformedRow { line, text: raw.to_string(), reason: "not a JSON object".into() }),
                    Err(err) => malformed.push(MalformedRow { line, text: raw.to_string(), reason: format!("invalid JSON: {err}") }),
                }
            }
            progress(done.fetch_add((e - s) as u64, std::sync::atomic::Ordering::Relaxed) + (e - s) as u64, total);
            (objects, malformed)
        })
        .collect();
    let mut headers: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (objects, _) in &parsed {
        for (_, map) in objects {
            for key in map.keys() {
                if !index.contains_key(key) {
                    index.insert(key.clone(), headers.len());
                    headers.push(key.clone());
                }
            }
        }
    }
    let chunks = parsed
        .into_par_iter()
        .map(|(objects, malformed)| {
            let mut chunk = RawChunk::with_capacity(objects.len(), headers.len(), objects.len() * 64);
            let mut cells: Vec<String> = vec![String::new(); headers.len()];
            for (line, map) in objects {
                cells.iter_mut().for_each(String::clear);
                for (key, value) in map {
                    let slot = &mut cells[index[&key]];
                    match value {
                        Value::Null => {}
                        Value::String(s) => *slot = s,
                        Value::Bool(b) => slot.push_str(if b { "true" } else { "false" }),
                        Value::Number(n) => slot.push_str(&n.to_string()),
                        other => slot.push_str(&other.to_string()),
                    }
                }
                for cell in &cells {
                    chunk.push_cell(cell);
                }
                chunk.end_row(line);
            }
            chunk.malformed = malformed;
            chunk
        })
        .collect();
    Ok(SourceData {
        path: path.to_path_buf(),
        format: SourceFormat::Jsonl,
        encoding: Some(decoded.encoding),
        delimiter: None,
        part: None,
        headers: unique_headers(headers),
        chunks,
        bytes: 0,
    })
}
