//! Import of codes from CSV, XLSX or XLS: encoding detection (CSV), header and column
//! detection, a preview before committing, and the streaming run (one transaction per
//! chunk) with progress, cancel, and per-row outcomes with line numbers (CSV lines, or
//! spreadsheet rows). Workbooks are read by `workbook.rs`; every format then goes through
//! the same rows -> layout -> run pipeline (`reader::RowSource`).

pub mod encoding;
pub mod preview;
pub mod reader;
pub mod record_limit;
pub mod run;
pub mod workbook;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::batch::BatchFieldError;
/// A run's state is the domain's (the store keeps runs too).
pub use crate::domain::run::RunState;
use crate::domain::Batch;
use crate::store::StoreError;

/// Data rows shown in an import's preview.
pub const PREVIEW_ROWS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file {0} does not exist; check the path or pick the file again")]
    FileNotFound(PathBuf),
    #[error("could not read the file {path}: {source}; {}", read_hint(source))]
    FileUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is {what}, not a file; choose the CSV file of codes")]
    NotAFile { path: PathBuf, what: &'static str },
    #[error(
        "the file {0} holds binary data (NUL bytes), not CSV text; choose the CSV file of \
         codes (a UTF-16 text needs its BOM, or save it again as CSV UTF-8)"
    )]
    Binary(PathBuf),
    #[error(
        "line {line} of {path} starts a row longer than 64 KiB (no line end, or a quote that \
         is never closed); this is not a list of codes: check the file, or save it again as CSV"
    )]
    RecordTooLong { path: PathBuf, line: u64 },
    #[error("the file {path} is not readable as CSV ({detail}); save it again as CSV")]
    Csv { path: PathBuf, detail: String },
    #[error(
        "{0} is CouponDesk's own credentials file (the platforms' secrets), not a list of \
         codes; choose the CSV of codes"
    )]
    RefusedSecretFile(PathBuf),
    #[error("{0} is a CouponDesk database file, not a list of codes; choose the CSV of codes")]
    RefusedDatabaseFile(PathBuf),
    /// The whole sentence: which column was asked for, what the file has, what to do.
    #[error("{0}")]
    ColumnNotFound(String),
    #[error("columns are numbered from 1; choose column 1 or higher")]
    ColumnIndexZero,
    #[error("the file has no data rows; choose a file with codes in it")]
    NoDataRows,
    #[error(
        "{path} is not a readable Excel workbook ({detail}); open it in Excel and save it \
         again as .xlsx, or as CSV"
    )]
    Workbook { path: PathBuf, detail: String },
    #[error(
        "{0} is protected by a password; open it in Excel, remove the password, save it and \
         import it again"
    )]
    WorkbookPassword(PathBuf),
    #[error(
        "{path} is an old-style .xls workbook of {mb} MB; .xls files are read whole, so at \
         most 64 MB; save it as .xlsx (read as a stream, any size) or CSV and import that"
    )]
    XlsTooLarge { path: PathBuf, mb: u64 },
    #[error(
        "the first sheet (\"{sheet}\") of {path} is empty; put the codes on the workbook's \
         first sheet"
    )]
    SheetEmpty { path: PathBuf, sheet: String },
    #[error(transparent)]
    Field(#[from] BatchFieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to do about a file that could not be read, by why.
fn read_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "this user may not read it: give this user read access, or copy the file \
             somewhere this user can read"
        }
        _ => {
            "check that the file is complete and still there (a removed USB stick, a \
              network folder gone), then try again"
        }
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Store(StoreError::Sqlite(e))
    }
}

crate::error_codes::impl_error_code! {
    ImportError {
        codes {
            ImportError::FileNotFound(_) => "file_not_found",
            ImportError::FileUnreadable { .. } => "file_unreadable",
            ImportError::NotAFile { .. } => "file_not_regular",
            ImportError::Binary(_) => "file_binary",
            ImportError::RecordTooLong { .. } => "csv_record_too_long",
            ImportError::Csv { .. } => "csv_unreadable",
            ImportError::RefusedSecretFile(_) => "import_refused_secret_file",
            ImportError::RefusedDatabaseFile(_) => "import_refused_database_file",
            ImportError::ColumnNotFound(_) | ImportError::ColumnIndexZero => "column_not_found",
            ImportError::NoDataRows => "no_data_rows",
            ImportError::Workbook { .. } => "workbook_unreadable",
            ImportError::WorkbookPassword(_) => "workbook_password",
            ImportError::XlsTooLarge { .. } => "xls_too_large",
            ImportError::SheetEmpty { .. } => "sheet_empty",
        }
        wraps {
            Field(crate::domain::batch::BatchFieldError),
            Store(crate::store::StoreError),
        }
    }
}

/// Which text encoding to read the file in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum EncodingChoice {
    /// UTF-8 (with or without BOM) when the start of the file is valid UTF-8, else GB18030.
    #[default]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    /// GBK as Excel writes it in China; read as GB18030, its superset.
    Gbk,
}

/// The encoding actually used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum DetectedEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    #[serde(rename = "gb18030")]
    Gb18030,
    /// Found by its BOM (Excel's "Unicode text"), whatever was chosen.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
}

impl DetectedEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            DetectedEncoding::Utf8 => "utf-8",
            DetectedEncoding::Utf8Bom => "utf-8-bom",
            DetectedEncoding::Gb18030 => "gb18030",
            DetectedEncoding::Utf16Le => "utf-16le",
            DetectedEncoding::Utf16Be => "utf-16be",
        }
    }

    pub fn is_utf16(self) -> bool {
        matches!(self, DetectedEncoding::Utf16Le | DetectedEncoding::Utf16Be)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum HeaderChoice {
    /// The first row is a header when it names a known code column or its code cell is
    /// not a valid code.
    #[default]
    Auto,
    Present,
    Absent,
}

/// Which column holds the code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ColumnChoice {
    /// A header name, matched after trimming, case-insensitively.
    Name(String),
    /// 1-based, as staff count columns in a spreadsheet.
    Index(u32),
}

impl ColumnChoice {
    /// Reads the CLI's `--column NAME|INDEX`: a whole number is an index, anything else a name.
    pub fn from_arg(arg: &str) -> ColumnChoice {
        match arg.trim().parse::<u32>() {
            Ok(i) => ColumnChoice::Index(i),
            Err(_) => ColumnChoice::Name(arg.trim().to_owned()),
        }
    }
}

/// The kind of file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ImportFormat {
    Csv,
    /// Excel 2007 and later, streamed.
    Xlsx,
    /// Excel 97-2003, read whole (at most `workbook::XLS_MAX_BYTES`).
    Xls,
}

impl ImportFormat {
    pub fn parse(s: &str) -> Option<ImportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(ImportFormat::Csv),
            "xlsx" => Some(ImportFormat::Xlsx),
            "xls" => Some(ImportFormat::Xls),
            _ => None,
        }
    }

    /// By the extension: `.xlsx`, `.xls` (any case); anything else is read as CSV text.
    pub fn of_path(p: &std::path::Path) -> ImportFormat {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("xlsx") {
            ImportFormat::Xlsx
        } else if ext.eq_ignore_ascii_case("xls") {
            ImportFormat::Xls
        } else {
            ImportFormat::Csv
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportOptions {
    /// None: by the file's extension (`ImportFormat::of_path`).
    #[serde(default)]
    #[ts(optional)]
    pub format: Option<ImportFormat>,
    /// CSV only (a workbook's text is Unicode).
    #[serde(default)]
    pub encoding: EncodingChoice,
    #[serde(default)]
    pub header: HeaderChoice,
    /// None: the column whose header is a known code name, else column 1.
    #[serde(default)]
    pub column: Option<ColumnChoice>,
}

impl ImportOptions {
    pub fn format_for(&self, path: &std::path::Path) -> ImportFormat {
        self.format.unwrap_or_else(|| ImportFormat::of_path(path))
    }
}

/// What staff see before committing an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportPreview {
    pub format: ImportFormat,
    pub encoding: DetectedEncoding,
    pub has_header: bool,
    /// Header names, or "1", "2", ... when the file has no header.
    pub columns: Vec<String>,
    /// 1-based index of the code column that will be read.
    pub code_column: u32,
    /// The first data rows, as text, each with its line number in the file.
    pub rows: Vec<PreviewRow>,
    #[ts(type = "number")]
    pub file_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreviewRow {
    #[ts(type = "number")]
    pub line: u64,
    pub cells: Vec<String>,
}

/// Why a data row was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RowIssueKind {
    Empty,
    TooShort,
    TooLong,
    BadCharacter,
    BadFirstCharacter,
    /// The row has fewer columns than the code column.
    MissingColumn,
    /// The row could not be decoded or parsed as CSV.
    Unreadable,
    DuplicateInFile,
    DuplicateInDatabase,
}

impl RowIssueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RowIssueKind::Empty => "empty",
            RowIssueKind::TooShort => "too_short",
            RowIssueKind::TooLong => "too_long",
            RowIssueKind::BadCharacter => "bad_character",
            RowIssueKind::BadFirstCharacter => "bad_first_character",
            RowIssueKind::MissingColumn => "missing_column",
            RowIssueKind::Unreadable => "unreadable",
            RowIssueKind::DuplicateInFile => "duplicate_in_file",
            RowIssueKind::DuplicateInDatabase => "duplicate_in_database",
        }
    }

    /// The kind `as_str` wrote (into `code_run_issues`), back.
    pub fn parse(s: &str) -> Option<RowIssueKind> {
        use RowIssueKind::*;
        [
            Empty,
            TooShort,
            TooLong,
            BadCharacter,
            BadFirstCharacter,
            MissingColumn,
            Unreadable,
            DuplicateInFile,
            DuplicateInDatabase,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn is_duplicate(self) -> bool {
        matches!(
            self,
            RowIssueKind::DuplicateInFile | RowIssueKind::DuplicateInDatabase
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            RowIssueKind::Empty => "the code cell is empty",
            RowIssueKind::TooShort => "the code is shorter than 4 characters",
            RowIssueKind::TooLong => "the code is longer than 64 characters",
            RowIssueKind::BadCharacter => {
                "the code has a character other than A-Z, a-z, 0-9, '-' or '_'"
            }
            RowIssueKind::BadFirstCharacter => "the code must start with a letter or a digit",
            RowIssueKind::MissingColumn => "the row has no cell in the code column",
            RowIssueKind::Unreadable => "the row is not valid CSV text in the chosen encoding",
            RowIssueKind::DuplicateInFile => "the code appears earlier in this file",
            RowIssueKind::DuplicateInDatabase => "the code is already in the database",
        }
    }
}

impl From<crate::domain::CodeRejection> for RowIssueKind {
    fn from(r: crate::domain::CodeRejection) -> Self {
        use crate::domain::CodeRejection as R;
        match r {
            R::Empty => RowIssueKind::Empty,
            R::TooShort => RowIssueKind::TooShort,
            R::TooLong => RowIssueKind::TooLong,
            R::BadCharacter => RowIssueKind::BadCharacter,
            R::BadFirstCharacter => RowIssueKind::BadFirstCharacter,
        }
    }
}

/// One data row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RowIssue {
    /// 1-based line in the file where the row starts (the header is line 1 when present).
    #[ts(type = "number")]
    pub line: u64,
    pub kind: RowIssueKind,
    /// The cell as read, cut to 100 characters.
    pub value: String,
    /// English sentence; the UI translates `kind` instead.
    pub reason: String,
}

/// Sent while an import runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub run_id: i64,
    #[ts(type = "number")]
    pub rows_read: u64,
    #[ts(type = "number")]
    pub imported: u64,
    #[ts(type = "number")]
    pub skipped_duplicate: u64,
    #[ts(type = "number")]
    pub skipped_invalid: u64,
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
}

/// Where imported codes go.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum ImportTarget {
    /// Supplement an existing batch, by ticket_type.
    Existing(String),
    /// Create the batch in the same run (it is removed again if the import is cancelled).
    New { ticket_type: String, name: String },
}

/// The outcome of an import. Every data row is in exactly one of imported,
/// skipped_duplicate and skipped_invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportReport {
    #[ts(type = "number")]
    pub run_id: i64,
    pub state: RunState,
    /// The batch as it is after the run (as before it, when cancelled); None when a batch
    /// created by a cancelled run was removed again.
    pub batch: Option<Batch>,
    pub encoding: DetectedEncoding,
    pub has_header: bool,
    pub code_column: u32,
    #[ts(type = "number")]
    pub rows_read: u64,
    #[ts(type = "number")]
    pub imported: u64,
    #[ts(type = "number")]
    pub skipped_duplicate: u64,
    #[ts(type = "number")]
    pub skipped_invalid: u64,
    /// The invalid rows, in file order (at most `issues_limit` of them; all are kept in
    /// the database and can be listed by run).
    pub errors: Vec<RowIssue>,
    /// The duplicate rows, in file order, likewise limited.
    pub duplicates: Vec<RowIssue>,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let path = || PathBuf::from("c.csv");
        let unreadable = ImportError::FileUnreadable {
            path: path(),
            source: std::io::Error::other("x"),
        };
        let csv = ImportError::Csv {
            path: path(),
            detail: "d".into(),
        };
        let not_a_file = ImportError::NotAFile {
            path: path(),
            what: "a folder",
        };
        let too_long = ImportError::RecordTooLong {
            path: path(),
            line: 1,
        };
        let workbook = ImportError::Workbook {
            path: path(),
            detail: "d".into(),
        };
        let xls = ImportError::XlsTooLarge {
            path: path(),
            mb: 65,
        };
        let sheet = ImportError::SheetEmpty {
            path: path(),
            sheet: "Sheet1".into(),
        };
        assert_codes(vec![
            (workbook, "workbook_unreadable"),
            (ImportError::WorkbookPassword(path()), "workbook_password"),
            (xls, "xls_too_large"),
            (sheet, "sheet_empty"),
            (ImportError::FileNotFound(path()), "file_not_found"),
            (unreadable, "file_unreadable"),
            (csv, "csv_unreadable"),
            (not_a_file, "file_not_regular"),
            (ImportError::Binary(path()), "file_binary"),
            (too_long, "csv_record_too_long"),
            (
                ImportError::RefusedSecretFile(path()),
                "import_refused_secret_file",
            ),
            (
                ImportError::RefusedDatabaseFile(path()),
                "import_refused_database_file",
            ),
            (
                ImportError::ColumnNotFound("code".into()),
                "column_not_found",
            ),
            (ImportError::ColumnIndexZero, "column_not_found"),
            (ImportError::NoDataRows, "no_data_rows"),
            (
                ImportError::Field(BatchFieldError::NameEmpty),
                "invalid_batch_name",
            ),
            (
                ImportError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
