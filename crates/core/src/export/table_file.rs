//! One exported table, as CSV or as XLSX, written the same way whatever the rows:
//! to a temporary file beside the target, renamed over it by `finish`, so a cancelled or
//! failed export never leaves half a file.
//!
//! - CSV: UTF-8 with BOM (so Excel opens it right), every cell a spreadsheet would run as
//!   a formula neutralised (`neutralise.rs`).
//! - XLSX (rust_xlsxwriter, constant-memory mode: each row goes to a temporary file as it
//!   is written, so memory stays flat at any row count): header row bold and frozen,
//!   columns as wide as their kind needs; codes, phones and every other `Kind::Text` cell
//!   are text cells (a code `000123456789` keeps its zeros; a text cell is never run as a
//!   formula, so no apostrophe goes in); ids and counts are numbers, money is a number
//!   with two decimals, times are text in the shop's zone (`2026-12-07 20:15:03`, which
//!   sorts as it reads). A sheet holds at most 1,048,576 rows (Excel's limit): the rows
//!   past it go on to a second sheet, with the header again.
//!
//! What must stay true: both formats hold the same header words and the same cell texts
//! (but the CSV's formula apostrophes), in the same order.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::FixedOffset;
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::words::{zone_label, Lang, Word};
use super::{neutralise, ExportError, ExportReport};

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Excel's rows per sheet (header included).
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    /// By the path's extension: `.xlsx` (any case) is XLSX, anything else CSV (as every
    /// export was before XLSX existed).
    pub fn of_path(p: &Path) -> ExportFormat {
        match p.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => ExportFormat::Xlsx,
            _ => ExportFormat::Csv,
        }
    }
}

/// How an export writes its file: the words' language and the format (None: by the
/// path's extension). Every export command takes it; absent, it is zh-CN by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ExportOptions {
    pub lang: Lang,
    pub format: Option<ExportFormat>,
}

impl ExportOptions {
    pub fn format_for(&self, out: &Path) -> ExportFormat {
        self.format.unwrap_or_else(|| ExportFormat::of_path(out))
    }
}

/// What a column holds, for the XLSX cell type and width (CSV writes all as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text cell whatever it looks like: codes, phones, names.
    Text,
    /// A whole number when the cell reads as one (ids, positions, row numbers).
    Number,
    /// Yuan with two decimals (`format_yuan`'s text), a number cell.
    Money,
    /// A time in the shop's zone (`words::shop_time`); its header names the zone.
    Time,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub word: Word,
    pub kind: Kind,
}

pub const fn col(word: Word, kind: Kind) -> Column {
    Column { word, kind }
}

/// What a table looks like: its columns, the language of their headers, and the shop's
/// zone (named in the time columns' headers).
pub struct TableSpec<'a> {
    pub columns: &'a [Column],
    pub lang: Lang,
    pub zone: FixedOffset,
}

impl TableSpec<'_> {
    fn headers(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| match c.kind {
                Kind::Time => format!("{} ({})", c.word.text(self.lang), zone_label(self.zone)),
                _ => c.word.text(self.lang).to_owned(),
            })
            .collect()
    }
}

enum Sink {
    Csv(Box<csv::Writer<BufWriter<tempfile::NamedTempFile>>>),
    Xlsx(Box<XlsxSink>),
}

struct XlsxSink {
    book: Workbook,
    tmp: tempfile::NamedTempFile,
    sheet: usize,
    /// The next row to write on the current sheet.
    row: u32,
    rows_per_sheet: u32,
    kinds: Vec<Kind>,
    headers: Vec<String>,
    bold: Format,
    money: Format,
}

/// An export file being written; see the module's comment.
pub struct TableFile {
    sink: Sink,
    out: String,
    target: PathBuf,
    rows: u64,
    started: Instant,
}

fn io_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl TableFile {
    pub fn create(
        out: &Path,
        format: ExportFormat,
        spec: &TableSpec<'_>,
    ) -> Result<TableFile, ExportError> {
        Self::create_with_sheet_rows(out, format, spec, XLSX_MAX_ROWS)
    }

    fn create_with_sheet_rows(
        out: &Path,
        format: ExportFormat,
        spec: &TableSpec<'_>,
        rows_per_sheet: u32,
    ) -> Result<TableFile, ExportError> {
        let started = Instant::now();
        let path = out.display().to_string();
        let werr = |source| ExportError::Write {
            path: path.clone(),
            source,
        };
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
        let headers = spec.headers();
        let sink = match format {
            ExportFormat::Csv => {
                let mut buffered = BufWriter::with_capacity(256 * 1024, tmp);
                buffered.write_all(BOM).map_err(werr)?;
                let mut w = csv::Writer::from_writer(buffered);
                w.write_record(&headers).map_err(|e| werr(csv_io(e)))?;
                Sink::Csv(Box::new(w))
            }
            ExportFormat::Xlsx => {
                let mut book = Workbook::new();
                // Deflate level 1: a 1M-code export took 2.9 s instead of 7.3 s at the
                // default level 6, for a file 40% larger (39 MB, still 20% under the CSV's;
                // docs/benchmarks.md).
                book.set_zip_compression_level(1);
                // The sheets' row files go beside the target: the space the export needs
                // is where the staff chose to put it, not in a small /tmp.
                book.set_tempdir(dir).map_err(|e| werr(io_err(e)))?;
                let mut x = XlsxSink {
                    book,
                    tmp,
                    sheet: 0,
                    row: 0,
                    rows_per_sheet,
                    kinds: spec.columns.iter().map(|c| c.kind).collect(),
                    headers,
                    bold: Format::new().set_bold(),
                    money: Format::new().set_num_format("0.00"),
                };
                x.new_sheet().map_err(|e| werr(io_err(e)))?;
                Sink::Xlsx(Box::new(x))
            }
        };
        Ok(TableFile {
            sink,
            out: path,
            target: out.to_owned(),
            rows: 0,
            started,
        })
    }

    fn err(&self, source: std::io::Error) -> ExportError {
        ExportError::Write {
            path: self.out.clone(),
            source,
        }
    }

    /// One data row: as many cells as the spec has columns, each as text.
    pub fn row(&mut self, cells: &[&str]) -> Result<(), ExportError> {
        let done = match &mut self.sink {
            Sink::Csv(w) => {
                let cells: Vec<_> = cells.iter().map(|c| neutralise(c)).collect();
                w.write_record(cells.iter().map(|c| c.as_ref()))
                    .map_err(csv_io)
            }
            Sink::Xlsx(x) => x.row(cells).map_err(io_err),
        };
        done.map_err(|e| self.err(e))?;
        self.rows += 1;
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Stops here: the temporary file is removed, the target is left as it was.
    pub fn cancel(self) -> ExportReport {
        ExportReport {
            path: self.out,
            rows: self.rows,
            cancelled: true,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
        }
    }

    /// Completes the file, syncs it to disk and renames it over the target.
    pub fn finish(self) -> Result<ExportReport, ExportError> {
        let werr = |source| ExportError::Write {
            path: self.out.clone(),
            source,
        };
        let tmp = match self.sink {
            Sink::Csv(w) => {
                let buffered = (*w).into_inner().map_err(|e| werr(io_err(e)))?;
                buffered.into_inner().map_err(|e| werr(io_err(e)))?
            }
            Sink::Xlsx(x) => {
                let XlsxSink { mut book, tmp, .. } = *x;
                {
                    let mut w = BufWriter::with_capacity(256 * 1024, tmp.as_file());
                    book.save_to_writer(&mut w).map_err(|e| werr(io_err(e)))?;
                    w.flush().map_err(werr)?;
                }
                tmp
            }
        };
        tmp.as_file().sync_all().map_err(werr)?;
        tmp.persist(&self.target).map_err(|e| werr(e.error))?;
        Ok(ExportReport {
            path: self.out.clone(),
            rows: self.rows,
            cancelled: false,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
        })
    }
}

fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => source,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl XlsxSink {
    /// A new sheet (constant memory) with the bold, frozen header row and the widths.
    fn new_sheet(&mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        let ws = self.book.add_worksheet_with_constant_memory()?;
        for (i, (h, k)) in self.headers.iter().zip(&self.kinds).enumerate() {
            let i = i as u16;
            ws.set_column_width(i, width(h, *k))?;
            ws.write_string_with_format(0, i, h, &self.bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        self.sheet = self.book.worksheets().len() - 1;
        self.row = 1;
        Ok(())
    }

    fn row(&mut self, cells: &[&str]) -> Result<(), rust_xlsxwriter::XlsxError> {
        if self.row >= self.rows_per_sheet {
            self.new_sheet()?;
        }
        let (r, money) = (self.row, &self.money);
        let ws = self.book.worksheet_from_index(self.sheet)?;
        for (i, (cell, kind)) in cells.iter().zip(&self.kinds).enumerate() {
            let c = i as u16;
            if cell.is_empty() {
                continue;
            }
            match kind {
                Kind::Number => match cell.parse::<i64>() {
                    // Exact as a double up to 2^53; larger ids stay text.
                    Ok(n) if n.unsigned_abs() < (1 << 53) => ws.write_number(r, c, n as f64)?,
                    _ => ws.write_string(r, c, *cell)?,
                },
                Kind::Money => match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => ws.write_number_with_format(r, c, v, money)?,
                    _ => ws.write_string(r, c, *cell)?,
                },
                Kind::Text | Kind::Time => ws.write_string(r, c, *cell)?,
            };
        }
        self.row += 1;
        Ok(())
    }
}

/// A column as wide as its header (a CJK character counts two) or its kind's usual cell.
fn width(header: &str, kind: Kind) -> f64 {
    let head: usize = header
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    let cell = match kind {
        Kind::Text => 18,
        Kind::Number => 8,
        Kind::Money => 12,
        Kind::Time => 20,
    };
    (head.max(cell) + 2) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook, Data, Reader, Xlsx};

    const COLS: [Column; 3] = [
        col(Word::Code, Kind::Text),
        col(Word::Position, Kind::Number),
        col(Word::CreatedAt, Kind::Time),
    ];

    fn spec(lang: Lang) -> TableSpec<'static> {
        let Some(zone) = FixedOffset::east_opt(8 * 3600) else {
            panic!("zone")
        };
        TableSpec {
            columns: &COLS,
            lang,
            zone,
        }
    }

    #[test]
    fn format_by_extension_or_choice() {
        assert_eq!(
            ExportFormat::of_path(Path::new("a/b.XLSX")),
            ExportFormat::Xlsx
        );
        assert_eq!(
            ExportFormat::of_path(Path::new("a/b.csv")),
            ExportFormat::Csv
        );
        assert_eq!(ExportFormat::of_path(Path::new("a/b")), ExportFormat::Csv);
        let chosen = ExportOptions {
            lang: Lang::En,
            format: Some(ExportFormat::Xlsx),
        };
        assert_eq!(chosen.format_for(Path::new("x.csv")), ExportFormat::Xlsx);
        let absent: ExportOptions = serde_json::from_str("{}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(absent, ExportOptions::default());
        assert_eq!(absent.lang, Lang::ZhCn);
    }

    /// Rows past a sheet's limit go on to the next sheet, under the header again.
    #[test]
    fn xlsx_spills_to_a_second_sheet_with_the_header_again() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = dir.path().join("t.xlsx");
        let mut f = TableFile::create_with_sheet_rows(&out, ExportFormat::Xlsx, &spec(Lang::En), 3)
            .unwrap_or_else(|e| panic!("{e}"));
        for (i, code) in ["0001AB", "0002AB", "0003AB", "0004AB", "0005AB"]
            .iter()
            .enumerate()
        {
            let pos = (i + 1).to_string();
            f.row(&[code, &pos, "2026-12-07 20:00:00"])
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let r = f.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.rows, 5);
        let mut book: Xlsx<_> = open_workbook(&out).unwrap_or_else(|e| panic!("{e}"));
        let names = book.sheet_names();
        assert_eq!(names.len(), 3, "{names:?}");
        let mut codes = Vec::new();
        for name in names {
            let range = book
                .worksheet_range(&name)
                .unwrap_or_else(|e| panic!("{e}"));
            let mut rows = range.rows();
            let Some(head) = rows.next() else {
                panic!("no header on {name}")
            };
            assert_eq!(head[0], Data::String("Code".into()));
            assert_eq!(head[2], Data::String("Created (UTC+08:00)".into()));
            for r in rows {
                codes.push(r[0].clone());
                assert!(matches!(r[1], Data::Float(_)), "{:?}", r[1]);
            }
        }
        let want: Vec<Data> = ["0001AB", "0002AB", "0003AB", "0004AB", "0005AB"]
            .iter()
            .map(|c| Data::String((*c).into()))
            .collect();
        assert_eq!(codes, want);
    }

    #[test]
    fn a_cancelled_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
            let out = dir.path().join("gone");
            let mut f = TableFile::create(&out, format, &spec(Lang::ZhCn))
                .unwrap_or_else(|e| panic!("{e}"));
            f.row(&["ABCD1", "1", ""]).unwrap_or_else(|e| panic!("{e}"));
            let r = f.cancel();
            assert!(r.cancelled);
            assert!(!out.exists());
            let left = std::fs::read_dir(dir.path())
                .map(|d| d.count())
                .unwrap_or(99);
            assert_eq!(left, 0, "a temporary file was left ({format:?})");
        }
    }

    #[test]
    fn csv_headers_are_localised_and_formulas_neutralised() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = dir.path().join("t.csv");
        let mut f = TableFile::create(&out, ExportFormat::Csv, &spec(Lang::ZhCn))
            .unwrap_or_else(|e| panic!("{e}"));
        f.row(&["＝1+1", "1", ""]).unwrap_or_else(|e| panic!("{e}"));
        f.row(&["\u{FEFF}=cmd", "2", ""])
            .unwrap_or_else(|e| panic!("{e}"));
        f.finish().unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            "\u{FEFF}券码,序号,创建时间 (UTC+08:00)\n'＝1+1,1,\n'\u{FEFF}=cmd,2,\n"
        );
    }
}
