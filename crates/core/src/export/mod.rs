//! CSV export of a batch's codes: UTF-8 with BOM so Excel opens it right, and every
//! cell a spreadsheet would run as a formula (starting with = + - @ tab CR, or their
//! full-width forms, also behind zero-width characters: `neutralise.rs`) neutralised
//! with a leading apostrophe. Written to a temporary file beside the target and renamed
//! at the end, so a cancelled or failed export never leaves half a file.

mod neutralise;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use rusqlite::Connection;

pub use export_types::*;
pub use neutralise::neutralise;

use crate::domain::CodeStatus;
use crate::progress::CancelToken;
use crate::store::{batches, code_id, from_ms, seq_of, StoreError};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const PROGRESS_EVERY: u64 = 10_000;
pub const HEADER: [&str; 5] = ["code", "status", "position", "created_at", "updated_at"];

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

pub fn export_codes(
    conn: &Connection,
    ticket_type: &str,
    out: &Path,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportReport, ExportError> {
    let started = Instant::now();
    let key = batches::key(conn, ticket_type)?;
    let total = (key.next_seq - 1).max(0) as u64;
    let werr = |source: std::io::Error| ExportError::Write {
        path: out.display().to_string(),
        source,
    };
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, tmp);
    buffered.write_all(BOM).map_err(werr)?;
    let mut w = csv::Writer::from_writer(buffered);
    let csv_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(source) => werr(source),
        other => werr(std::io::Error::other(format!("{other:?}"))),
    };
    w.write_record(HEADER).map_err(csv_err)?;
    let mut stmt = conn.prepare(
        "SELECT c.id, c.code, c.status, r.started_at, c.updated_at
         FROM codes c JOIN code_runs r ON r.id = c.run_id
         WHERE c.id BETWEEN ?1 AND ?2 ORDER BY c.id",
    )?;
    let mut rows = stmt.query([code_id(key.id, 1), code_id(key.id, key.next_seq - 1)])?;
    let mut written = 0u64;
    while let Some(r) = rows.next()? {
        let code: String = r.get(1)?;
        let status = CodeStatus::from_db(r.get(2)?).unwrap_or(CodeStatus::Issued);
        let created = from_ms(r.get(3)?).to_rfc3339();
        let updated = r
            .get::<_, Option<i64>>(4)?
            .map(|ms| from_ms(ms).to_rfc3339())
            .unwrap_or_default();
        let position = seq_of(r.get(0)?).to_string();
        w.write_record([
            neutralise(&code).as_ref(),
            status.as_str(),
            position.as_str(),
            created.as_str(),
            updated.as_str(),
        ])
        .map_err(csv_err)?;
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            if cancel.is_cancelled() {
                return Ok(ExportReport {
                    path: out.display().to_string(),
                    rows: written,
                    cancelled: true,
                    elapsed_ms: started.elapsed().as_millis() as u64,
                });
            }
            on_progress(ExportProgress { written, total });
        }
    }
    let buffered = w
        .into_inner()
        .map_err(|e| werr(std::io::Error::other(e.to_string())))?;
    let tmp = buffered
        .into_inner()
        .map_err(|e| werr(std::io::Error::other(e.to_string())))?;
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist(out).map_err(|e| werr(e.error))?;
    on_progress(ExportProgress { written, total });
    Ok(ExportReport {
        path: out.display().to_string(),
        rows: written,
        cancelled: false,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
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
