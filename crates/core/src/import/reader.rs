//! Opening an import file as a stream of rows with their line numbers (a CSV file's
//! records, or a workbook's rows: `Source`), and deciding its layout (format, encoding,
//! header, code column) from its first rows.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::encoding::{detect, utf8_reader, SAMPLE_BYTES};
use super::record_limit::{Bounded, RecordTooLong};
use super::workbook::{self, Book, SheetRows};
use super::ImportError;
use super::{ColumnChoice, DetectedEncoding, HeaderChoice, ImportFormat, ImportOptions};
use crate::domain::Code;

/// Header cells that name the code column (compared trimmed and lower-cased).
const CODE_HEADERS: &[&str] = &[
    "code",
    "codes",
    "coupon code",
    "coupon_code",
    "couponcode",
    "ticket_code",
    "ticket code",
    "code_secret",
    "codesecret",
    "voucher code",
    "voucher_code",
    "券码",
    "券号",
    "券码号",
    "兑换码",
    "卡密",
    "优惠码",
    "电子码",
    "码",
    "编码",
    "核销码",
    "券码编号",
];

pub fn is_code_header(cell: &str) -> bool {
    let c = cell.trim().to_lowercase();
    CODE_HEADERS.contains(&c.as_str())
}

/// A row as read: its line in the file and its cells.
pub type LineRow = (u64, Vec<String>);

/// How to read a file: decided once, from its first rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub format: ImportFormat,
    /// CSV's; a workbook's text is Unicode, shown as UTF-8.
    pub encoding: DetectedEncoding,
    pub has_header: bool,
    /// Header names, or "1", "2", ... when there is none.
    pub columns: Vec<String>,
    /// 0-based.
    pub code_column: usize,
}

/// Counts bytes read from the file, for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Where the line terminators of the decoded text are, so a record's line number is the
/// line of its first character. (The csv crate's own `line()` counts from before the blank
/// lines, and the `\n` of a CRLF, that it skipped, which puts it off.)
#[derive(Default)]
struct Terminators {
    /// (offset, is '\n') of terminator bytes at or after the last record's start.
    pending: VecDeque<(u64, bool)>,
    /// '\n' bytes already passed.
    newlines: u64,
    /// Offset of the next byte the tracker will see.
    offset: u64,
}

/// Passes bytes through, noting every '\r' and '\n'.
struct Tracking<R> {
    inner: R,
    index: Rc<RefCell<Terminators>>,
}

impl<R: Read> Read for Tracking<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut t = self.index.borrow_mut();
        let base = t.offset;
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' || *b == b'\r' {
                t.pending.push_back((base + i as u64, *b == b'\n'));
            }
        }
        t.offset += n as u64;
        Ok(n)
    }
}

pub struct Opened {
    pub records: csv::Reader<Box<dyn Read>>,
    pub bytes_read: Arc<AtomicU64>,
    pub file_bytes: u64,
    index: Rc<RefCell<Terminators>>,
}

impl Opened {
    /// The 1-based line of the file where `rec` (just read) starts. Records must be asked
    /// about in the order they were read.
    pub fn line_of(&self, rec: &csv::ByteRecord) -> u64 {
        let start = rec.position().map(|p| p.byte()).unwrap_or(0);
        let mut t = self.index.borrow_mut();
        // Terminators before the record, then the blank lines it skipped at its start.
        let mut at = start;
        while let Some(&(off, nl)) = t.pending.front() {
            if off > at {
                break;
            }
            if off == at {
                at += 1;
            }
            t.newlines += u64::from(nl);
            t.pending.pop_front();
        }
        t.newlines + 1
    }
}

fn not_opened(path: &Path, e: std::io::Error) -> ImportError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ImportError::FileNotFound(path.to_owned()),
        _ => unreadable(path, e),
    }
}

/// Err unless `path` is a regular file (links followed). Whoever reads an import file
/// calls it before opening: opening a FIFO waits for a writer, and a device never ends.
pub fn refuse_special(path: &Path) -> Result<(), ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| not_opened(path, e))?;
    if meta.is_file() {
        return Ok(());
    }
    Err(ImportError::NotAFile {
        path: path.to_owned(),
        what: if meta.is_dir() {
            "a folder"
        } else {
            "a device or a pipe"
        },
    })
}

fn open_file(path: &Path) -> Result<File, ImportError> {
    refuse_special(path)?;
    File::open(path).map_err(|e| not_opened(path, e))
}

fn sample(path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut buf = Vec::with_capacity(SAMPLE_BYTES);
    open_file(path)?
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(|source| unreadable(path, source))?;
    Ok(buf)
}

pub fn unreadable(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::FileUnreadable {
        path: path.to_owned(),
        source,
    }
}

/// Opens `path` as CSV records decoded to UTF-8. The caller handles the header itself, so
/// line numbers stay those of the file.
pub fn open(path: &Path, enc: DetectedEncoding) -> Result<Opened, ImportError> {
    let file = open_file(path)?;
    let file_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: BufReader::with_capacity(256 * 1024, file),
        read: bytes_read.clone(),
    };
    let index = Rc::new(RefCell::new(Terminators::default()));
    let tracking = Tracking {
        inner: Bounded::new(utf8_reader(counting, enc)),
        index: index.clone(),
    };
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(Box::new(tracking) as Box<dyn Read>);
    Ok(Opened {
        records,
        bytes_read,
        file_bytes,
        index,
    })
}

/// The code cell of a row as read.
pub enum CodeCell<'r> {
    /// The row has no cell in the code column.
    Missing,
    Text(&'r str),
    /// Not text in the file's encoding (CSV only).
    Undecodable(&'r [u8]),
}

/// The rows of an import file, whatever its format, one at a time; blank rows skipped.
pub enum Source<'a> {
    Csv {
        opened: Box<Opened>,
        rec: csv::ByteRecord,
        path: &'a Path,
    },
    Sheet {
        rows: Box<SheetRows<'a>>,
        file_bytes: u64,
    },
}

impl<'a> Source<'a> {
    /// `book` is the opened workbook of a workbook layout (`Book::open`), None for CSV.
    pub fn open(
        path: &'a Path,
        layout: &Layout,
        book: Option<&'a mut Book>,
    ) -> Result<Source<'a>, ImportError> {
        match book {
            None => Ok(Source::Csv {
                opened: Box::new(open(path, layout.encoding)?),
                rec: csv::ByteRecord::new(),
                path,
            }),
            Some(book) => Ok(Source::Sheet {
                rows: Box::new(book.rows(path)?),
                file_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            }),
        }
    }

    /// The next non-blank row: its line (CSV) or row (sheet) number and its cell in
    /// column `col` (0-based). None at the end.
    pub fn next_row(&mut self, col: usize) -> Result<Option<(u64, CodeCell<'_>)>, ImportError> {
        match self {
            Source::Csv { opened, rec, path } => loop {
                if !opened
                    .records
                    .read_byte_record(rec)
                    .map_err(|e| csv_error(path, e))?
                {
                    return Ok(None);
                }
                if is_blank(rec) {
                    continue;
                }
                let line = opened.line_of(rec);
                let cell = match rec.get(col) {
                    None => CodeCell::Missing,
                    Some(bytes) => match std::str::from_utf8(bytes) {
                        Ok(text) => CodeCell::Text(text),
                        Err(_) => CodeCell::Undecodable(bytes),
                    },
                };
                return Ok(Some((line, cell)));
            },
            Source::Sheet { rows, .. } => Ok(rows.next_row()?.map(|(line, cells)| {
                let cell = cells
                    .get(col)
                    .map_or(CodeCell::Missing, |c| CodeCell::Text(c));
                (line, cell)
            })),
        }
    }

    /// (bytes read, file bytes): a sheet's are estimated from its rows read.
    pub fn progress(&self) -> (u64, u64) {
        match self {
            Source::Csv { opened, .. } => {
                (opened.bytes_read.load(Ordering::Relaxed), opened.file_bytes)
            }
            Source::Sheet { rows, file_bytes } => {
                let (at, last) = rows.position();
                let read = (u128::from(*file_bytes) * u128::from(at.min(last))
                    / u128::from(last.max(1))) as u64;
                (read, *file_bytes)
            }
        }
    }
}

/// A record's cells as text; None when a cell is not valid UTF-8.
pub fn cells(rec: &csv::ByteRecord) -> Option<Vec<String>> {
    rec.iter()
        .map(|c| std::str::from_utf8(c).ok().map(str::to_owned))
        .collect()
}

/// A row with nothing but whitespace in every cell counts as a blank line.
pub fn is_blank(rec: &csv::ByteRecord) -> bool {
    rec.iter().all(|c| c.iter().all(u8::is_ascii_whitespace))
}

/// Reads up to `max_rows` non-blank records from the start of the file.
pub fn first_rows(
    path: &Path,
    enc: DetectedEncoding,
    max_rows: usize,
) -> Result<Vec<LineRow>, ImportError> {
    let mut opened = open(path, enc)?;
    let mut rec = csv::ByteRecord::new();
    let mut rows = Vec::new();
    while rows.len() < max_rows {
        match opened.records.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, e)),
        }
        if is_blank(&rec) {
            continue;
        }
        let line = opened.line_of(&rec);
        let text = cells(&rec).unwrap_or_else(|| {
            rec.iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        });
        rows.push((line, text));
    }
    Ok(rows)
}

pub fn csv_error(path: &Path, e: csv::Error) -> ImportError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => {
            match source
                .get_ref()
                .and_then(|e| e.downcast_ref::<RecordTooLong>())
            {
                Some(long) => ImportError::RecordTooLong {
                    path: path.to_owned(),
                    line: long.line,
                },
                None => unreadable(path, source),
            }
        }
        other => ImportError::Csv {
            path: PathBuf::from(path),
            detail: format!("{other:?}"),
        },
    }
}

/// Decides encoding, header and code column from the options and the first `rows` rows,
/// and returns those rows too.
pub fn decide(
    path: &Path,
    options: &ImportOptions,
    rows: usize,
) -> Result<(Layout, Vec<LineRow>), ImportError> {
    let format = options.format_for(path);
    if format != ImportFormat::Csv {
        let first = workbook::first_rows(path, format == ImportFormat::Xls, rows)?;
        let layout = layout_with(DetectedEncoding::Utf8, options, &first)?;
        return Ok((Layout { format, ..layout }, first));
    }
    let sample = sample(path)?;
    let encoding = detect(&sample, options.encoding);
    // Text in these encodings has no NUL byte: a file whose start has one is binary
    // (an archive, a picture, a database), refused before any row is read.
    if !encoding.is_utf16() && sample.contains(&0) {
        return Err(ImportError::Binary(path.to_owned()));
    }
    let first = first_rows(path, encoding, rows)?;
    Ok((layout_with(encoding, options, &first)?, first))
}

pub fn layout_with(
    encoding: DetectedEncoding,
    options: &ImportOptions,
    first: &[LineRow],
) -> Result<Layout, ImportError> {
    let Some((_, head)) = first.first() else {
        return Err(ImportError::NoDataRows);
    };
    let width = first.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    let named_col = head.iter().position(|c| is_code_header(c));
    let has_header = match options.header {
        HeaderChoice::Present => true,
        HeaderChoice::Absent => false,
        HeaderChoice::Auto => {
            let chosen_index = match &options.column {
                Some(ColumnChoice::Index(i)) if *i >= 1 => Some(*i as usize - 1),
                _ => None,
            };
            let invalid =
                |row: &Vec<String>, i: usize| row.get(i).is_none_or(|c| Code::parse(c).is_err());
            let second = first.get(1).map(|(_, r)| r);
            named_col.is_some()
                || matches!(options.column, Some(ColumnChoice::Name(_)))
                || match chosen_index {
                    Some(i) => invalid(head, i),
                    // A column whose first cell is not a code while the next row's is.
                    None if second.is_some() => second.is_some_and(|next| {
                        (0..head.len()).any(|i| invalid(head, i) && !invalid(next, i))
                    }),
                    None => (0..head.len()).all(|i| invalid(head, i)),
                }
        }
    };
    let columns: Vec<String> = if has_header {
        (0..width.max(head.len()))
            .map(|i| {
                head.get(i)
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| (i + 1).to_string())
            })
            .collect()
    } else {
        (1..=width).map(|i| i.to_string()).collect()
    };
    let code_column = match &options.column {
        Some(ColumnChoice::Index(0)) => return Err(ImportError::ColumnIndexZero),
        Some(ColumnChoice::Index(i)) => {
            let i = *i as usize - 1;
            if i >= columns.len() {
                return Err(ImportError::ColumnNotFound(format!(
                    "the file has no column {}: it has {} column{}; choose a column from 1 to {}",
                    i + 1,
                    columns.len(),
                    if columns.len() == 1 { "" } else { "s" },
                    columns.len()
                )));
            }
            i
        }
        Some(ColumnChoice::Name(name)) => {
            if !has_header {
                return Err(ImportError::ColumnNotFound(format!(
                    "the file has no header row, so no column is named \"{name}\"; choose \
                     the column by number"
                )));
            }
            let want = name.trim().to_lowercase();
            columns
                .iter()
                .position(|c| c.to_lowercase() == want)
                .ok_or_else(|| {
                    ImportError::ColumnNotFound(format!(
                        "no column is named \"{name}\"; the header has: {}",
                        columns.join(", ")
                    ))
                })?
        }
        // Else the first column that holds a code in the first data row.
        None => named_col
            .or_else(|| {
                let data = first.get(usize::from(has_header)).map(|(_, r)| r)?;
                data.iter().position(|c| Code::parse(c).is_ok())
            })
            .unwrap_or(0),
    };
    if has_header && first.len() == 1 {
        return Err(ImportError::NoDataRows);
    }
    Ok(Layout {
        format: ImportFormat::Csv,
        encoding,
        has_header,
        columns,
        code_column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[&str]]) -> Vec<(u64, Vec<String>)> {
        v.iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.iter().map(|c| c.to_string()).collect()))
            .collect()
    }

    fn auto() -> ImportOptions {
        ImportOptions::default()
    }

    #[test]
    fn header_detection() {
        let enc = DetectedEncoding::Utf8;
        let l = layout_with(enc, &auto(), &rows(&[&["code"], &["ABCD1234"]])).expect("layout");
        assert!(
            l.has_header,
            "'code' is a known header even though it is a valid code"
        );
        let l = layout_with(enc, &auto(), &rows(&[&["ABCD1234"], &["EFGH5678"]])).expect("layout");
        assert!(!l.has_header);
        let l = layout_with(
            enc,
            &auto(),
            &rows(&[&["序号", "券码"], &["1", "ABCD1234"]]),
        )
        .expect("layout");
        assert!(l.has_header);
        assert_eq!(l.code_column, 1);
        let l = layout_with(
            enc,
            &auto(),
            &rows(&[&["No.", "Coupon #"], &["1", "ABCD1234"]]),
        )
        .expect("layout");
        assert!(
            l.has_header,
            "a column of codes whose first cell is not a code: a header"
        );
        assert_eq!(l.code_column, 1, "the first column holding codes");
        let l = layout_with(
            enc,
            &auto(),
            &rows(&[&["1", "ABCD1234"], &["2", "EFGH5678"]]),
        )
        .expect("layout");
        assert!(!l.has_header);
        assert_eq!(l.code_column, 1);
    }

    #[test]
    fn column_choice() {
        let enc = DetectedEncoding::Utf8;
        let data = rows(&[&["id", "Coupon"], &["1", "ABCD1234"]]);
        let by = |c| ImportOptions {
            column: Some(c),
            ..auto()
        };
        let l = layout_with(enc, &by(ColumnChoice::Name("coupon".into())), &data).expect("name");
        assert_eq!(l.code_column, 1);
        let l = layout_with(enc, &by(ColumnChoice::Index(2)), &data).expect("index");
        assert_eq!(l.code_column, 1);
        assert!(matches!(
            layout_with(enc, &by(ColumnChoice::Index(3)), &data),
            Err(ImportError::ColumnNotFound(_))
        ));
        assert!(matches!(
            layout_with(enc, &by(ColumnChoice::Index(0)), &data),
            Err(ImportError::ColumnIndexZero)
        ));
        assert!(matches!(
            layout_with(enc, &by(ColumnChoice::Name("nope".into())), &data),
            Err(ImportError::ColumnNotFound(_))
        ));
        let absent = ImportOptions {
            header: HeaderChoice::Absent,
            column: Some(ColumnChoice::Name("x".into())),
            ..auto()
        };
        assert!(matches!(
            layout_with(enc, &absent, &data),
            Err(ImportError::ColumnNotFound(_))
        ));
    }

    #[test]
    fn empty_file_has_no_rows() {
        assert!(matches!(
            layout_with(DetectedEncoding::Utf8, &auto(), &[]),
            Err(ImportError::NoDataRows)
        ));
    }
}
