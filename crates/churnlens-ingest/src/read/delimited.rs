//! Delimited text: encoding and delimiter detection, and a parallel parse.
//!
//! The file is read whole and decoded to UTF-8 once: UTF-8 (with or without a
//! byte-order mark) when it is valid UTF-8, otherwise GB18030 — the superset
//! of GBK that Chinese systems export — unless `--encoding` says otherwise.
//! A file that is neither is refused with a message naming `--encoding`,
//! rather than read with replacement characters.
//!
//! The text is then cut into slices at record boundaries (a newline outside
//! quotes, found with one `memchr` pass tracking quote parity) and each slice
//! is parsed by the `csv` crate on its own thread. Line numbers stay exact:
//! each slice knows how many newlines precede it.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

use super::{Delimiter, Progress, ReadOptions, SourceData, SourceFormat, unique_headers};
use crate::error::{IngestError, Result};
use crate::raw::{MAX_CHUNK_BYTES, RawChunk};

/// Text decoded to UTF-8, and what it was.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The UTF-8 text, without a byte-order mark.
    pub text: Cow<'a, str>,
    /// The encoding read: `UTF-8`, `UTF-8 (BOM)`, `GB18030`, or the label given.
    pub encoding: String,
}

/// Decodes file bytes: the given encoding label, or UTF-8/GB18030 detection.
pub fn decode_text<'a>(path: &Path, bytes: &'a [u8], label: Option<&str>) -> Result<Decoded<'a>> {
    if let Some(label) = label {
        let norm = label.trim().to_ascii_lowercase();
        if norm == "utf-8" || norm == "utf8" {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            return match std::str::from_utf8(body) {
                Ok(text) => Ok(Decoded { text: Cow::Borrowed(text), encoding: "UTF-8".into() }),
                Err(e) => Err(IngestError::input(
                    path,
                    format!(
                        "not valid UTF-8 at byte {} (--encoding utf-8 was given); try --encoding gbk / 文件不是有效的 UTF-8 编码，可尝试 --encoding gbk",
                        e.valid_up_to()
                    ),
                )),
            };
        }
        let encoding = encoding_rs::Encoding::for_label(norm.as_bytes())
            .ok_or_else(|| IngestError::Usage(format!("unknown encoding '{label}': use utf-8, gbk, gb18030, big5, shift_jis, utf-16le … / 未知编码")))?;
        let (text, _, had_errors) = encoding.decode(bytes);
        if had_errors {
            return Err(IngestError::input(
                path,
                format!("the file contains bytes that are not valid {} / 文件含有非 {} 编码的字节", encoding.name(), encoding.name()),
            ));
        }
        return Ok(Decoded { text, encoding: encoding.name().to_string() });
    }
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(Decoded { text: Cow::Borrowed(text), encoding: "UTF-8 (BOM)".into() }),
            Err(e) => Err(IngestError::input(path, format!("has a UTF-8 byte-order mark but invalid UTF-8 at byte {}", e.valid_up_to() + 3))),
        };
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, encoding, had_errors) = encoding_rs::UTF_16LE.decode(bytes);
        if had_errors {
            return Err(IngestError::input(path, "invalid UTF-16 text"));
        }
        return Ok(Decoded { text, encoding: encoding.name().to_string() });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded { text: Cow::Borrowed(text), encoding: "UTF-8".into() });
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Decoded { text, encoding: "GB18030".into() }),
        None => Err(IngestError::input(
            path,
            "the file is neither UTF-8 nor GBK/GB18030; name its encoding with --encoding (e.g. big5, shift_jis, windows-1252) / 文件既不是 UTF-8 也不是 GBK/GB18030 编码，请用 --encoding 指定",
        )),
    }
}

/// Guesses the delimiter from the first lines: the candidate (`,` tab `;`
/// `|`) that splits the most lines into the same number of fields; runs of
/// whitespace when none splits anything but whitespace does.
pub fn sniff_delimiter(text: &str) -> Delimiter {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(50).collect();
    if lines.is_empty() {
        return Delimiter::Byte(b',');
    }
    let mut best: Option<(usize, usize, u8)> = None; // (lines agreeing, fields, delimiter)
    for candidate in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, candidate)).collect();
        let mut freq = std::collections::HashMap::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(c).or_insert(0usize) += 1;
        }
        if let Some((&fields, &agreeing)) = freq.iter().max_by_key(|(f, n)| (**n, **f)) {
            let better = match best {
                None => true,
                Some((a, f, _)) => agreeing > a || (agreeing == a && fields > f),
            };
            if better {
                best = Some((agreeing, fields, candidate));
            }
        }
    }
    match best {
        Some((_, _, d)) => Delimiter::Byte(d),
        None => {
            let widths: Vec<usize> = lines.iter().map(|l| l.split_whitespace().count()).collect();
            if widths[0] > 1 && widths.iter().all(|&w| w == widths[0]) { Delimiter::Whitespace } else { Delimiter::Byte(b',') }
        }
    }
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut count = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            count += 1;
        }
    }
    count
}

pub(super) fn read(path: &Path, options: &ReadOptions, progress: Progress<'_>) -> Result<SourceData> {
    let bytes = std::fs::read(path).map_err(|e| IngestError::io(path, e))?;
    let decoded = decode_text(path, &bytes, options.encoding.as_deref())?;
    let text: &str = &decoded.text;
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => sniff_delimiter(&text[..floor_char_boundary(text, 64 * 1024)]),
    };
    let has_header = options.has_header.unwrap_or(options.column_names.is_none());
    let (headers, body_start, body_first_line) = if has_header {
        let (cells, end, lines) = first_record(text, delimiter);
        (cells, end, 1 + lines)
    } else {
        (Vec::new(), 0, 1)
    };
    let body = &text[body_start..];
    let total = body.len() as u64;
    let threads = rayon::current_num_threads().max(1);
    let target = (body.len() / (threads * 4)).clamp(1 << 20, MAX_CHUNK_BYTES / 2);
    let slices = split_records(body, target, delimiter != Delimiter::Whitespace);
    let done = std::sync::atomic::AtomicU64::new(0);
    let chunks: Vec<RawChunk> = slices
        .par_iter()
        .map(|&(start, end, newlines_before)| {
            let chunk = match delimiter {
                Delimiter::Byte(d) => parse_csv_slice(&body[start..end], d, body_first_line + newlines_before),
                Delimiter::Whitespace => parse_whitespace_slice(&body[start..end], body_first_line + newlines_before),
            };
            let now = done.fetch_add((end - start) as u64, std::sync::atomic::Ordering::Relaxed) + (end - start) as u64;
            progress(now, total);
            chunk
        })
        .collect();
    let headers = if has_header {
        headers
    } else {
        let width = chunks.iter().find(|c| c.rows() > 0).map(|c| c.width(0)).unwrap_or(0);
        options.column_names.clone().unwrap_or_else(|| (1..=width).map(|i| format!("column_{i}")).collect())
    };
    Ok(SourceData {
        path: path.to_path_buf(),
        format: SourceFormat::Csv,
        encoding: Some(decoded.encoding),
        delimiter: Some(delimiter),
        part: None,
        headers: unique_headers(headers),
        chunks,
        bytes: 0,
    })
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    let mut i = max.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The first record's cells, the byte offset just after it, and how many
/// newlines it spans.
fn first_record(text: &str, delimiter: Delimiter) -> (Vec<String>, usize, u64) {
    match delimiter {
        Delimiter::Whitespace => {
            let end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
            (text[..end].split_whitespace().map(str::to_string).collect(), end, 1)
        }
        Delimiter::Byte(d) => {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(d).from_reader(text.as_bytes());
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let end = reader.position().byte() as usize;
                    let lines = memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() as u64;
                    (record.iter().map(str::to_string).collect(), end, lines)
                }
                _ => (Vec::new(), text.len(), 0),
            }
        }
    }
}

/// Cuts `body` into slices of about `target` bytes that end at record
/// boundaries. With `quoted`, a newline inside double quotes is not a
/// boundary: quote parity is tracked across the whole text (RFC 4180's
/// doubled quotes flip parity twice, so they keep it right). Returns
/// `(start, end, newlines before start)`.
fn split_records(body: &str, target: usize, quoted: bool) -> Vec<(usize, usize, u64)> {
    let bytes = body.as_bytes();
    let mut slices = Vec::new();
    let mut start = 0usize;
    let mut newlines_before = 0u64;
    let mut newlines_in_slice = 0u64;
    let mut in_quotes = false;
    let has_quotes = quoted && memchr::memchr(b'"', bytes).is_some();
    let mut next_cut = target;
    if has_quotes {
        for pos in memchr::memchr2_iter(b'"', b'\n', bytes) {
            if bytes[pos] == b'"' {
                in_quotes = !in_quotes;
                continue;
            }
            newlines_in_slice += 1;
            if !in_quotes && pos + 1 >= next_cut {
                slices.push((start, pos + 1, newlines_before));
                newlines_before += newlines_in_slice;
                newlines_in_slice = 0;
                start = pos + 1;
                next_cut = start + target;
            }
        }
    } else {
        while next_cut < bytes.len() {
            match memchr::memchr(b'\n', &bytes[next_cut..]) {
                Some(off) => {
                    let end = next_cut + off + 1;
                    slices.push((start, end, newlines_before));
                    newlines_before += memchr::memchr_iter(b'\n', &bytes[start..end]).count() as u64;
                    start = end;
                    next_cut = start + target;
                }
                None => break,
            }
        }
    }
    if start < bytes.len() || slices.is_empty() {
        slices.push((start, bytes.len(), newlines_before));
    }
    slices
}

fn parse_csv_slice(text: &str, delimiter: u8, first_line: u64) -> RawChunk {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let estimated_rows = text.len() / 64 + 1;
    let mut chunk = RawChunk::with_capacity(estimated_rows, 8, text.len());
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let line = first_line + record.position().map(|p| p.line()).unwrap_or(1) - 1;
                if record.len() == 1 && record[0].is_empty() {
                    continue;
                }
                // The record's fields sit back to back in one buffer: it is
                // validated and copied once per row instead of once per field
                // (per-field checks showed up in profiles). The slice is valid
                // UTF-8 and csv splits only at ASCII bytes, so every field end
                // is a character boundary and the check should never fail; if
                // it does, the row is reported, not dropped.
                match std::str::from_utf8(record.as_slice()) {
                    Ok(joined) => {
                        chunk.push_joined_cells(joined, (0..record.len()).map(|i| record.range(i).map_or(0, |r| r.end)));
                        chunk.end_row(line);
                    }
                    Err(e) => chunk.malformed.push(crate::raw::MalformedRow {
                        line,
                        text: String::from_utf8_lossy(record.as_slice()).into_owned(),
                        reason: e.to_string(),
                    }),
                }
            }
            Ok(false) => break,
            Err(e) => {
                let line = first_line + e.position().map(|p| p.line()).unwrap_or(1) - 1;
                chunk.malformed.push(crate::raw::MalformedRow { line, text: String::new(), reason: e.to_string() });
                break;
            }
        }
    }
    chunk
}

fn parse_whitespace_slice(text: &str, first_line: u64) -> RawChunk {
    let mut chunk = RawChunk::with_capacity(text.len() / 48 + 1, 8, text.len());
    for (i, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        for cell in line.split_whitespace() {
            chunk.push_cell(cell);
        }
        chunk.end_row(first_line + i as u64);
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), Delimiter::Byte(b','));
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), Delimiter::Byte(b'\t'));
        assert_eq!(sniff_delimiter("a;b;c\n1;\"2;x\";3\n"), Delimiter::Byte(b';'));
        assert_eq!(sniff_delimiter("a|b\n1|2\n"), Delimiter::Byte(b'|'));
        assert_eq!(sniff_delimiter("00001 1 19970101 1 11.77\n00002 2 19970112 1 12.00\n"), Delimiter::Whitespace);
        // A comma inside quotes does not count.
        assert_eq!(sniff_delimiter("\"a,b\";c\n\"1,2\";3\n"), Delimiter::Byte(b';'));
    }

    #[test]
    fn decodes_utf8_bom_and_gbk() {
        let p = Path::new("x.csv");
        let bom = b"\xEF\xBB\xBFid\n1\n";
        let d = decode_text(p, bom, None).unwrap();
        assert_eq!(d.text, "id\n1\n");
        assert_eq!(d.encoding, "UTF-8 (BOM)");
        let (gbk, _, _) = encoding_rs::GBK.encode("客户编号,城市\nC1,上海\n");
        let d = decode_text(p, &gbk, None).unwrap();
        assert_eq!(d.text, "客户编号,城市\nC1,上海\n");
        assert_eq!(d.encoding, "GB18030");
        let d = decode_text(p, &gbk, Some("gbk")).unwrap();
        assert_eq!(d.text, "客户编号,城市\nC1,上海\n");
        assert!(decode_text(p, &gbk, Some("utf-8")).is_err());
        assert!(decode_text(p, b"x", Some("klingon")).is_err());
    }

    #[test]
    fn split_respects_quoted_newlines_and_counts_lines() {
        let body = "1,\"a\nb\"\n2,c\n3,\"d\"\"\ne\"\n4,f\n";
        // A tiny target forces a cut after every record boundary.
        let slices = split_records(body, 1, true);
        let texts: Vec<&str> = slices.iter().map(|&(s, e, _)| &body[s..e]).collect();
        assert_eq!(texts, vec!["1,\"a\nb\"\n", "2,c\n", "3,\"d\"\"\ne\"\n", "4,f\n"]);
        let before: Vec<u64> = slices.iter().map(|s| s.2).collect();
        assert_eq!(before, vec![0, 2, 3, 5]);
        let chunk = parse_csv_slice(texts[2], b',', 2 + before[2]);
        assert_eq!(chunk.cell(0, 1), Some("d\"\ne"));
        assert_eq!(chunk.line(0), 5);
    }

    #[test]
    fn split_without_quotes_is_exact() {
        let body: String = (0..1000).map(|i| format!("{i},x\n")).collect();
        let slices = split_records(&body, 100, true);
        assert!(slices.len() > 5);
        let rows: usize = slices.iter().map(|&(s, e, l)| parse_csv_slice(&body[s..e], b',', 1 + l).rows()).sum();
        assert_eq!(rows, 1000);
        let last = slices.last().unwrap();
        let chunk = parse_csv_slice(&body[last.0..last.1], b',', 1 + last.2);
        // Line numbers are 1-based over the body: row "999" is on line 1000.
        assert_eq!(chunk.line(chunk.rows() - 1), 1000);
        assert_eq!(chunk.cell(chunk.rows() - 1, 0), Some("999"));
    }
}
