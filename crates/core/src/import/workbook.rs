//! Excel workbooks as import files (calamine): the FIRST sheet's rows, each with its row
//! number as Excel shows it (1-based), so per-row errors point at the spreadsheet's row.
//!
//! - `.xlsx` is streamed: `Xlsx::worksheet_cells_reader` yields the sheet's cells one by
//!   one from the zip, so only one row is held at a time. calamine still loads the
//!   workbook's shared-string table whole when it opens the file (a sheet of 1M distinct
//!   codes typed in Excel holds them there: about 50 MB); files CouponDesk itself writes
//!   use inline strings and have none.
//! - `.xls` (Excel 97-2003, BIFF) has no streaming reader: the sheet is read whole. The
//!   format holds at most 65,536 rows a sheet, and files over `XLS_MAX_BYTES` are
//!   refused with a clear message, so memory stays bounded.
//!
//! Cells become text the way staff typed them: a number typed as a code (`123456789012`)
//! comes back as its digits, with no `.0` and no exponent; a number with a fraction as
//! Rust's shortest exact decimal. Leading zeros that Excel itself dropped when the code
//! was typed into a Number cell are gone from the file and cannot come back (docs/excel.md
//! says how to keep them: Text cells, or CouponDesk's own XLSX export).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{open_workbook, Data, DataRef, Reader, Xls, XlsError, Xlsx, XlsxError};

use super::reader::{refuse_special, LineRow};
use super::ImportError;

/// The largest `.xls` read (it is read whole).
pub const XLS_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A cell as text; see the module's comment for numbers.
pub fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

fn data_text(d: &Data) -> String {
    match d {
        Data::Float(f) => float_text(*f),
        other => other.to_string(),
    }
}

/// Whole numbers as their digits (Excel keeps 15 significant digits; `{}` on an f64
/// never writes an exponent), anything else as the shortest decimal that reads back.
fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

fn workbook_error(path: &Path, password: bool, detail: String) -> ImportError {
    if password {
        ImportError::WorkbookPassword(path.to_owned())
    } else {
        ImportError::Workbook {
            path: path.to_owned(),
            detail,
        }
    }
}

fn xlsx_error(path: &Path, e: XlsxError) -> ImportError {
    match e {
        XlsxError::Io(source) => super::reader::unreadable(path, source),
        e => workbook_error(path, matches!(e, XlsxError::Password), e.to_string()),
    }
}

fn xls_error(path: &Path, e: XlsError) -> ImportError {
    match e {
        XlsError::Io(source) => super::reader::unreadable(path, source),
        e => workbook_error(path, matches!(e, XlsError::Password), e.to_string()),
    }
}

/// An opened workbook: what `rows` reads from. The streaming reader borrows it.
pub enum Book {
    Xlsx(Box<Xlsx<BufReader<File>>>, String),
    /// The first sheet, read whole.
    Xls(calamine::Range<Data>),
}

impl Book {
    pub fn open(path: &Path, xls: bool) -> Result<Book, ImportError> {
        refuse_special(path)?;
        if xls {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if bytes > XLS_MAX_BYTES {
                return Err(ImportError::XlsTooLarge {
                    path: path.to_owned(),
                    mb: bytes.div_ceil(1024 * 1024),
                });
            }
            let mut book: Xls<_> = open_workbook(path).map_err(|e| xls_error(path, e))?;
            let sheet = first_sheet(path, book.sheet_names())?;
            let range = book
                .worksheet_range(&sheet)
                .map_err(|e| xls_error(path, e))?;
            if range.is_empty() {
                return Err(ImportError::SheetEmpty {
                    path: path.to_owned(),
                    sheet,
                });
            }
            Ok(Book::Xls(range))
        } else {
            let book: Xlsx<_> = open_workbook(path).map_err(|e| xlsx_error(path, e))?;
            let sheet = first_sheet(path, book.sheet_names())?;
            Ok(Book::Xlsx(Box::new(book), sheet))
        }
    }

    /// The sheet's rows, from the first.
    pub fn rows<'a>(&'a mut self, path: &'a Path) -> Result<SheetRows<'a>, ImportError> {
        let inner = match self {
            Book::Xlsx(book, sheet) => {
                let sheet = sheet.clone();
                let cells = book
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| xlsx_error(path, e))?;
                let last_row = cells.dimensions().end.0;
                Inner::Xlsx {
                    cells: Box::new(cells),
                    pending: None,
                    ended: false,
                    last_row,
                    sheet,
                }
            }
            Book::Xls(range) => {
                let start = range.start().unwrap_or((0, 0));
                let last_row = range.end().map(|e| e.0).unwrap_or(0);
                Inner::Xls {
                    rows: range.rows(),
                    start,
                    next: start.0,
                    last_row,
                }
            }
        };
        Ok(SheetRows {
            inner,
            path,
            cells: Vec::new(),
            row: 0,
            seen_cell: false,
        })
    }
}

fn first_sheet(path: &Path, names: Vec<String>) -> Result<String, ImportError> {
    names
        .into_iter()
        .next()
        .ok_or_else(|| ImportError::Workbook {
            path: path.to_owned(),
            detail: "it has no sheet".into(),
        })
}

type CellsReader<'a> = calamine::XlsxCellReader<'a, BufReader<File>>;

enum Inner<'a> {
    Xlsx {
        cells: Box<CellsReader<'a>>,
        /// The first cell of the next row, read while finding the end of this one.
        pending: Option<calamine::Cell<DataRef<'a>>>,
        /// The reader said the sheet ended (asking again is an XML error).
        ended: bool,
        last_row: u32,
        sheet: String,
    },
    Xls {
        rows: calamine::Rows<'a, Data>,
        start: (u32, u32),
        next: u32,
        last_row: u32,
    },
}

/// The non-blank rows of a sheet, one at a time.
pub struct SheetRows<'a> {
    inner: Inner<'a>,
    path: &'a Path,
    cells: Vec<String>,
    /// 0-based row of `cells`.
    row: u32,
    seen_cell: bool,
}

impl SheetRows<'_> {
    /// The next row with a non-blank cell: its 1-based row number and its cells (from
    /// column A). None at the end of the sheet.
    pub fn next_row(&mut self) -> Result<Option<(u64, &[String])>, ImportError> {
        loop {
            if !self.read_row()? {
                if !self.seen_cell {
                    if let Inner::Xlsx { sheet, .. } = &self.inner {
                        return Err(ImportError::SheetEmpty {
                            path: self.path.to_owned(),
                            sheet: sheet.clone(),
                        });
                    }
                }
                return Ok(None);
            }
            if self.cells.iter().any(|c| !c.trim().is_empty()) {
                self.seen_cell = true;
                return Ok(Some((u64::from(self.row) + 1, &self.cells)));
            }
        }
    }

    /// How far through the sheet the last row is, and the sheet's last row (both
    /// 1-based), for progress.
    pub fn position(&self) -> (u64, u64) {
        let last = match &self.inner {
            Inner::Xlsx { last_row, .. } | Inner::Xls { last_row, .. } => *last_row,
        };
        (u64::from(self.row) + 1, u64::from(last) + 1)
    }

    /// Reads the next row (blank or not) into `cells`; false at the end.
    fn read_row(&mut self) -> Result<bool, ImportError> {
        self.cells.clear();
        match &mut self.inner {
            Inner::Xlsx {
                cells,
                pending,
                ended,
                ..
            } => {
                let first = match pending.take() {
                    Some(c) => c,
                    None if *ended => return Ok(false),
                    None => match cells.next_cell().map_err(|e| xlsx_error(self.path, e))? {
                        Some(c) => c,
                        None => {
                            *ended = true;
                            return Ok(false);
                        }
                    },
                };
                let row = first.get_position().0;
                self.row = row;
                put(&mut self.cells, first.get_position().1, first.get_value());
                loop {
                    let Some(c) = cells.next_cell().map_err(|e| xlsx_error(self.path, e))? else {
                        *ended = true;
                        break;
                    };
                    if c.get_position().0 != row {
                        *pending = Some(c);
                        break;
                    }
                    put(&mut self.cells, c.get_position().1, c.get_value());
                }
                Ok(true)
            }
            Inner::Xls {
                rows, start, next, ..
            } => {
                let Some(r) = rows.next() else {
                    return Ok(false);
                };
                self.row = *next;
                *next += 1;
                self.cells.resize(start.1 as usize, String::new());
                self.cells.extend(r.iter().map(data_text));
                Ok(true)
            }
        }
    }
}

fn put(cells: &mut Vec<String>, col: u32, value: &DataRef<'_>) {
    let col = col as usize;
    // Cells come left to right; a gap is empty cells.
    if cells.len() <= col {
        cells.resize(col + 1, String::new());
    }
    cells[col] = cell_text(value);
}

/// Up to `max_rows` non-blank rows from the start of the first sheet.
pub fn first_rows(path: &Path, xls: bool, max_rows: usize) -> Result<Vec<LineRow>, ImportError> {
    let mut book = Book::open(path, xls)?;
    let mut rows = book.rows(path)?;
    let mut out = Vec::new();
    while out.len() < max_rows {
        match rows.next_row()? {
            Some((line, cells)) => out.push((line, cells.to_vec())),
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_back_as_typed() {
        assert_eq!(cell_text(&DataRef::Float(123456789012.0)), "123456789012");
        assert_eq!(cell_text(&DataRef::Float(1e20)), "100000000000000000000");
        assert_eq!(cell_text(&DataRef::Float(12.5)), "12.5");
        assert_eq!(cell_text(&DataRef::Float(-3.0)), "-3");
        assert_eq!(cell_text(&DataRef::Int(42)), "42");
        assert_eq!(cell_text(&DataRef::SharedString("000123")), "000123");
        assert_eq!(data_text(&Data::Float(987654321098.0)), "987654321098");
        assert_eq!(data_text(&Data::String("0001".into())), "0001");
    }
}
