//! Rows as text cells, the common form every reader produces.
//!
//! Readers differ (CSV bytes, Excel cells, JSON objects, SQLite values,
//! Parquet arrays) but validation and conversion must not: a date is parsed,
//! an amount checked and a row rejected the same way whatever the file
//! format. So each reader turns its rows into [`RawChunk`]s — cells as UTF-8
//! text in one buffer with offsets, plus each row's source line — and one
//! converter ([`crate::convert`]) does the rest. For CSV, the dominant large
//! input, a chunk is a contiguous slice of the file parsed on its own thread.

/// A block of source rows held as text cells.
#[derive(Debug, Default, Clone)]
pub struct RawChunk {
    data: String,
    /// End offset in `data` of each cell, row after row.
    cell_ends: Vec<u32>,
    /// Index into `cell_ends` where each row begins; one more entry than rows.
    row_starts: Vec<u32>,
    /// Source line (CSV/text), sheet row (Excel) or record number of each row.
    lines: Vec<u64>,
    /// Rows the reader itself could not take apart (bad JSON, undecodable text).
    pub malformed: Vec<MalformedRow>,
}

/// A source row that could not be split into cells at all.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedRow {
    /// Source line or row number.
    pub line: u64,
    /// The row's text, as far as it could be read.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl RawChunk {
    /// An empty chunk with room for about `rows` rows of `cells` cells.
    pub fn with_capacity(rows: usize, cells: usize, bytes: usize) -> RawChunk {
        let mut row_starts = Vec::with_capacity(rows + 1);
        row_starts.push(0);
        RawChunk {
            data: String::with_capacity(bytes),
            cell_ends: Vec::with_capacity(rows * cells),
            row_starts,
            lines: Vec::with_capacity(rows),
            malformed: Vec::new(),
        }
    }

    /// Appends one cell to the row being built.
    pub fn push_cell(&mut self, text: &str) {
        if self.row_starts.is_empty() {
            self.row_starts.push(0);
        }
        self.data.push_str(text);
        self.cell_ends.push(self.offset());
    }

    /// Appends cells given as one text and each cell's end offset in it
    /// (ascending, on character boundaries): the layout the `csv` crate
    /// already holds a record in, so a row costs one copy.
    pub fn push_joined_cells(&mut self, joined: &str, ends: impl Iterator<Item = usize>) {
        if self.row_starts.is_empty() {
            self.row_starts.push(0);
        }
        let base = self.offset();
        self.data.push_str(joined);
        self.cell_ends.extend(ends.map(|end| base + end as u32));
    }

    /// Finishes the row being built, recording its source line.
    pub fn end_row(&mut self, line: u64) {
        if self.row_starts.is_empty() {
            self.row_starts.push(0);
        }
        self.row_starts.push(self.cell_ends.len() as u32);
        self.lines.push(line);
    }

    fn offset(&self) -> u32 {
        // Chunks are bounded far below 4 GiB by the readers (see MAX_CHUNK_BYTES).
        self.data.len() as u32
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Number of cells in row `row`.
    pub fn width(&self, row: usize) -> usize {
        (self.row_starts[row + 1] - self.row_starts[row]) as usize
    }

    /// Cell `col` of row `row`, or `None` when the row is shorter.
    pub fn cell(&self, row: usize, col: usize) -> Option<&str> {
        let start_index = self.row_starts[row] as usize + col;
        if start_index >= self.row_starts[row + 1] as usize {
            return None;
        }
        let end = self.cell_ends[start_index] as usize;
        let start = if start_index == 0 { 0 } else { self.cell_ends[start_index - 1] as usize };
        Some(&self.data[start..end])
    }

    /// The source line of row `row`.
    pub fn line(&self, row: usize) -> u64 {
        self.lines[row]
    }

    /// Row `row`'s cells.
    pub fn row_cells(&self, row: usize) -> impl Iterator<Item = &str> + '_ {
        (0..self.width(row)).filter_map(move |c| self.cell(row, c))
    }

    /// Bytes of cell text held, for progress and memory accounting.
    pub fn text_bytes(&self) -> usize {
        self.data.len()
    }
}

/// Upper bound on the text one chunk holds, so cell offsets fit in `u32`.
pub const MAX_CHUNK_BYTES: usize = 1 << 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_rows_and_lines_round_trip() {
        let mut chunk = RawChunk::with_capacity(2, 3, 16);
        for c in ["a", "", "ccc"] {
            chunk.push_cell(c);
        }
        chunk.end_row(2);
        chunk.push_cell("x");
        chunk.end_row(5);
        assert_eq!(chunk.rows(), 2);
        assert_eq!(chunk.width(0), 3);
        assert_eq!(chunk.width(1), 1);
        assert_eq!(chunk.cell(0, 0), Some("a"));
        assert_eq!(chunk.cell(0, 1), Some(""));
        assert_eq!(chunk.cell(0, 2), Some("ccc"));
        assert_eq!(chunk.cell(1, 0), Some("x"));
        assert_eq!(chunk.cell(1, 1), None);
        assert_eq!(chunk.line(1), 5);
        assert_eq!(chunk.row_cells(0).collect::<Vec<_>>(), vec!["a", "", "ccc"]);
        // A row given as joined text and cell ends reads back cell by cell.
        chunk.push_joined_cells("p城q", [1, 4, 5].into_iter());
        chunk.end_row(6);
        assert_eq!(chunk.row_cells(2).collect::<Vec<_>>(), vec!["p", "城", "q"]);
        assert_eq!(chunk.line(2), 6);
    }
}
