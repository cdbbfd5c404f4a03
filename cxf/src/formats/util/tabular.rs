//! CSV tables: a header matched by name (case-insensitive, order-free) and rows that may be
//! shorter or longer than the header. Uses the `csv` crate (RFC 4180 with `\r`, `\n` and `\r\n`
//! record terminators), after stripping a byte order mark.

use zeroize::Zeroizing;

use crate::formats::loss::ItemRef;
use crate::formats::{Format, LossReason, LossReport, ReadError};

/// Decodes input text: UTF-8, byte order mark removed.
pub(crate) fn text(bytes: &[u8], format: Format) -> Result<&str, ReadError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    core::str::from_utf8(bytes).map_err(|e| {
        ReadError::syntax(
            format,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// One data row.
pub(crate) struct Row {
    cells: Vec<Zeroizing<String>>,
    /// Position among the data rows, from 0.
    pub(crate) index: usize,
}

impl Row {
    /// The cell of column `col` (trailing missing cells read as empty).
    pub(crate) fn get(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.cells.get(c))
            .map_or("", |s| s.as_str())
    }

    /// Number of cells.
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether every cell is blank.
    pub(crate) fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A parsed CSV file.
pub(crate) struct Table {
    /// Header names, trimmed and lower-cased.
    pub(crate) headers: Vec<String>,
    /// Header names as written (trimmed).
    pub(crate) raw: Vec<String>,
    /// Data rows (blank lines dropped by the CSV parser).
    pub(crate) rows: Vec<Row>,
    /// Which columns the reader looked up (see [`Table::report_unread`]).
    used: Vec<std::cell::Cell<bool>>,
}

impl Table {
    /// Parses CSV text whose first record is the header.
    pub(crate) fn parse(text: &str, format: Format) -> Result<Self, ReadError> {
        Self::parse_builder(text, format, csv::ReaderBuilder::new())
    }

    /// Parses CSV whose quoted fields escape quotes with `escape` (`\"`) instead of doubling
    /// them (1Password 6/7 for Mac).
    pub(crate) fn parse_with_escape(
        text: &str,
        format: Format,
        escape: u8,
    ) -> Result<Self, ReadError> {
        let mut b = csv::ReaderBuilder::new();
        b.escape(Some(escape)).double_quote(false);
        Self::parse_builder(text, format, b)
    }

    fn parse_builder(
        text: &str,
        format: Format,
        mut builder: csv::ReaderBuilder,
    ) -> Result<Self, ReadError> {
        let mut reader = builder
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let raw: Vec<String> = match records.next() {
            Some(Ok(h)) => h
                .iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_owned())
                .collect(),
            Some(Err(e)) => return Err(csv_error(format, &e)),
            None => return Err(ReadError::syntax(format, "empty file: no header row")),
        };
        let headers: Vec<String> = raw.iter().map(|h| h.to_lowercase()).collect();
        let used = vec![std::cell::Cell::new(false); headers.len()];
        let mut rows = Vec::new();
        for (index, record) in records.enumerate() {
            let record = record.map_err(|e| csv_error(format, &e))?;
            rows.push(Row {
                cells: record
                    .iter()
                    .map(|c| Zeroizing::new(c.to_owned()))
                    .collect(),
                index,
            });
        }
        Ok(Table {
            headers,
            raw,
            rows,
            used,
        })
    }

    /// Parses CSV text that has no header row (Keeper): `names` (lower case) name the leading
    /// columns, and every record is a data row (cells past the named columns stay in the rows).
    pub(crate) fn parse_headerless(
        text: &str,
        format: Format,
        names: &[&str],
    ) -> Result<Self, ReadError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let record = record.map_err(|e| csv_error(format, &e))?;
            rows.push(Row {
                cells: record
                    .iter()
                    .map(|c| Zeroizing::new(c.to_owned()))
                    .collect(),
                index,
            });
        }
        Ok(Table {
            headers: names.iter().map(|n| (*n).to_owned()).collect(),
            raw: names.iter().map(|n| (*n).to_owned()).collect(),
            rows,
            used: vec![std::cell::Cell::new(false); names.len()],
        })
    }

    /// Column of a header name (given in lower case); marks it read.
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        let c = self.headers.iter().position(|h| h == name)?;
        self.used[c].set(true);
        Some(c)
    }

    /// Reports a column the reader knows but CXF has no place for (once, when some row has a
    /// value), and marks it read.
    pub(crate) fn not_carried(&self, name: &str, detail: &str, loss: &mut LossReport) {
        let Some(c) = self.col(name) else { return };
        if self.rows.iter().any(|r| !r.get(Some(c)).trim().is_empty()) {
            loss.add(
                &ItemRef::default(),
                self.raw[c].clone(),
                LossReason::NoEquivalent,
                detail,
            );
        }
    }

    /// Names every column the reader did not look up and that holds a value in some row: its
    /// values were not carried. Readers call this once they have read the rows.
    pub(crate) fn report_unread(&self, format: Format, loss: &mut LossReport) {
        for (c, used) in self.used.iter().enumerate() {
            if used.get() || self.headers[c].is_empty() {
                continue;
            }
            let rows = self
                .rows
                .iter()
                .filter(|r| !r.get(Some(c)).trim().is_empty())
                .count();
            if rows == 0 {
                continue;
            }
            loss.add(
                &ItemRef::default(),
                self.raw[c].clone(),
                LossReason::Unsupported,
                format!(
                    "the {} reader does not know the column {:?}; its values in {rows} row(s) were not carried (if the file is another manager's export, read it as that format)",
                    format.display_name(),
                    self.raw[c]
                ),
            );
        }
    }

    /// The first of several names that is present.
    pub(crate) fn col_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.col(n))
    }

    /// Whether every name is a column.
    pub(crate) fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.headers.iter().any(|h| h == n))
    }
}

fn csv_error(format: Format, e: &csv::Error) -> ReadError {
    let line = e.position().map_or(0, |p| p.line());
    let what = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8",
        _ => "malformed CSV",
    };
    ReadError::syntax(format, format!("{what} near line {line}"))
}

/// Writes CSV records (all fields quoted when needed, CRLF or LF terminated).
pub(crate) struct CsvOut {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    /// A writer; `always_quote` quotes every field (Firefox style).
    pub(crate) fn new(crlf: bool, always_quote: bool) -> Self {
        let mut b = csv::WriterBuilder::new();
        b.flexible(true);
        b.terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        });
        if always_quote {
            b.quote_style(csv::QuoteStyle::Always);
        }
        Self {
            writer: b.from_writer(Vec::new()),
        }
    }

    /// Writes one record.
    pub(crate) fn record<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        // Writing to a Vec cannot fail.
        let _ = self.writer.write_record(cells);
    }

    /// The bytes written.
    pub(crate) fn finish(self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.writer.into_inner().unwrap_or_default())
    }
}
