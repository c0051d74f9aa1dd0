//! Exports: a batch's codes here, and the shared pieces every other export (bonuses,
//! vouchers, audit, an import's rejected rows; in `desk/`) writes through:
//! - `table_file.rs`: one table as CSV (UTF-8 with BOM, formulas neutralised) or XLSX
//!   (text cells for codes, bold frozen header, constant memory), temporary file renamed
//!   at the end, so a cancelled or failed export never leaves half a file;
//! - `words.rs`: the headers and statuses in the UI's language (zh-CN, en), and times in
//!   the shop's zone;
//! - `neutralise.rs`: cells a spreadsheet would run as a formula (= + - @ tab CR, their
//!   full-width forms, also behind zero-width characters) get a leading apostrophe.

mod neutralise;
pub mod table_file;
pub mod words;

use std::path::Path;

use rusqlite::Connection;

pub use export_types::*;
pub use neutralise::neutralise;
pub use table_file::{col, Column, ExportFormat, ExportOptions, Kind, TableFile, TableSpec};
pub use words::{Lang, Word};

use crate::domain::CodeStatus;
use crate::progress::CancelToken;
use crate::store::{self, batches, code_id, from_ms, seq_of, StoreError};

const PROGRESS_EVERY: u64 = 10_000;

/// The columns of a batch's codes.
pub const CODE_COLUMNS: [Column; 5] = [
    col(Word::Code, Kind::Text),
    col(Word::Status, Kind::Text),
    col(Word::Position, Kind::Number),
    col(Word::CreatedAt, Kind::Time),
    col(Word::UpdatedAt, Kind::Time),
];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write {path}: {source}; choose a folder you may write to")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        ExportError::Store(StoreError::Sqlite(e))
    }
}

crate::error_codes::impl_error_code! {
    ExportError {
        codes { ExportError::Write { .. } => "export_failed" }
        wraps { Store(crate::store::StoreError) }
    }
}

/// The shop's zone, as its settings give it (reports count days in the same zone).
pub fn shop_zone(conn: &Connection) -> Result<chrono::FixedOffset, StoreError> {
    Ok(store::settings::clock(&store::settings::get(conn)?).offset)
}

/// Every code of the batch, in position order, in the format and language `opts` choose.
pub fn export_codes(
    conn: &Connection,
    ticket_type: &str,
    out: &Path,
    opts: &ExportOptions,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportReport, ExportError> {
    let key = batches::key(conn, ticket_type)?;
    let total = (key.next_seq - 1).max(0) as u64;
    let zone = shop_zone(conn)?;
    let spec = TableSpec {
        columns: &CODE_COLUMNS,
        lang: opts.lang,
        zone,
    };
    let mut file = TableFile::create(out, opts.format_for(out), &spec)?;
    let mut stmt = conn.prepare(
        "SELECT c.id, c.code, c.status, r.started_at, c.updated_at
         FROM codes c JOIN code_runs r ON r.id = c.run_id
         WHERE c.id BETWEEN ?1 AND ?2 ORDER BY c.id",
    )?;
    let mut rows = stmt.query([code_id(key.id, 1), code_id(key.id, key.next_seq - 1)])?;
    let time = |ms: i64| words::shop_time(zone, from_ms(ms));
    while let Some(r) = rows.next()? {
        let code: String = r.get(1)?;
        let status = CodeStatus::from_db(r.get(2)?).unwrap_or(CodeStatus::Issued);
        let created = time(r.get(3)?);
        let updated = r.get::<_, Option<i64>>(4)?.map(time).unwrap_or_default();
        let position = seq_of(r.get(0)?).to_string();
        file.row(&[
            &code,
            words::code_status(status).text(opts.lang),
            &position,
            &created,
            &updated,
        ])?;
        let written = file.rows();
        if written.is_multiple_of(PROGRESS_EVERY) {
            if cancel.is_cancelled() {
                return Ok(file.cancel());
            }
            on_progress(ExportProgress { written, total });
        }
    }
    let written = file.rows();
    let report = file.finish()?;
    on_progress(ExportProgress { written, total });
    Ok(report)
}

mod export_types {
    use serde::Serialize;
    use ts_rs::TS;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
    #[serde(rename_all = "camelCase")]
    #[ts(export)]
    pub struct ExportProgress {
        #[ts(type = "number")]
        pub written: u64,
        #[ts(type = "number")]
        pub total: u64,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
    #[serde(rename_all = "camelCase")]
    #[ts(export)]
    pub struct ExportReport {
        pub path: String,
        #[ts(type = "number")]
        pub rows: u64,
        pub cancelled: bool,
        #[ts(type = "number")]
        pub elapsed_ms: u64,
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (
                ExportError::Write {
                    path: "x.csv".into(),
                    source: std::io::Error::other("x"),
                },
                "export_failed",
            ),
            (
                ExportError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
