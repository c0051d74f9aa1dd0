//! Running an import: stream the file (CSV or a workbook's first sheet, `reader::Source`),
//! one transaction per chunk of rows, every data row
//! ending in exactly one of imported / skipped_duplicate / skipped_invalid.
//!
//! What must stay true:
//! - memory stays bounded whatever the file size (one chunk, plus at most
//!   `REPORT_LIMIT` issues of each kind for the report; all issues go to the database);
//! - the batch's counts are right after every committed chunk, so a kill at any moment
//!   leaves a consistent database; the next `Desk::open` undoes the interrupted run;
//! - cancel undoes the whole run, leaving the batch as it was before it began.

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::reader::{self, CodeCell, Layout, Source};
use super::workbook::Book;
use super::{
    ImportError, ImportFormat, ImportOptions, ImportProgress, ImportReport, ImportTarget, RowIssue,
    RowIssueKind, RunState, PREVIEW_ROWS,
};
use crate::domain::{BatchName, Code, TicketType};
use crate::progress::CancelToken;
use crate::search_index;
use crate::store::code_writes::CodeAdder;
use crate::store::counter_lane::GiveWay;
use crate::store::runs::{self, Claim, RunCounts, RunKind, MAX_SEQ};
use crate::store::{batches, code_id, StoreError};

/// Rows per transaction: large enough that the random pages of the unique-code index are
/// written to the WAL about once per chunk rather than once per small commit, small enough
/// that a kill loses under a second of work. Cancel is checked every 1,024 rows.
/// Whether each chunk's codes go into the substring search index in the chunk's own
/// transaction (what front ends want: searchable when the import returns, and no second
/// pass over the rows), or are left for `search_index::catch_up` (the benchmark's
/// import-only figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexing {
    EachChunk,
    Later,
}

pub const CHUNK_ROWS: usize = 100_000;
/// Rows between two looks at the counter's lane (`store::counter_lane`): about a
/// millisecond of work.
const YIELD_CHECK_ROWS: usize = 256;
/// How many invalid (and, separately, duplicate) rows the report carries.
pub const REPORT_LIMIT: usize = 1_000;
const VALUE_CHARS: usize = 100;

fn cut(s: &str) -> String {
    s.chars().take(VALUE_CHARS).collect()
}

fn issue(line: u64, kind: RowIssueKind, value: &str) -> RowIssue {
    RowIssue {
        line,
        kind,
        value: cut(value),
        reason: kind.describe().to_owned(),
    }
}

pub fn claim(
    conn: &mut Connection,
    db: &Path,
    target: &ImportTarget,
    kind: RunKind,
    source: Option<&str>,
) -> Result<Claim, ImportError> {
    Ok(match target {
        ImportTarget::Existing(t) => runs::claim_existing(conn, db, t, kind, source)?,
        ImportTarget::New { ticket_type, name } => {
            let t = TicketType::parse(ticket_type)?;
            let n = BatchName::parse(name)?;
            runs::claim_new(conn, db, &t, &n, kind, source)?
        }
    })
}

pub fn import(
    conn: &mut Connection,
    db: &Path,
    file: &Path,
    target: &ImportTarget,
    options: &ImportOptions,
    (cancel, index): (&CancelToken, Indexing),
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    // The same rows as the preview, so the import reads the file as staff saw it.
    let (layout, _) = reader::decide(file, options, PREVIEW_ROWS + 1)?;
    let source = file.display().to_string();
    let claim = claim(conn, db, target, RunKind::Import, Some(&source))?;
    let mut report = ImportReport {
        run_id: claim.run_id,
        state: RunState::Running,
        batch: None,
        encoding: layout.encoding,
        has_header: layout.has_header,
        code_column: layout.code_column as u32 + 1,
        rows_read: 0,
        imported: 0,
        skipped_duplicate: 0,
        skipped_invalid: 0,
        errors: Vec::new(),
        duplicates: Vec::new(),
        elapsed_ms: 0,
    };
    let outcome = stream(
        conn,
        (db, file),
        &layout,
        &claim,
        (cancel, index),
        on_progress,
        &mut report,
    );
    report.state = match outcome {
        Ok(true) => {
            runs::finish(conn, claim.run_id)?;
            RunState::Done
        }
        Ok(false) => {
            runs::abandon(conn, db, claim.run_id, RunState::Cancelled)?;
            RunState::Cancelled
        }
        Err(e) => {
            // Leave nothing half-done behind; the error says what went wrong.
            let _ = runs::abandon(conn, db, claim.run_id, RunState::Interrupted);
            return Err(e);
        }
    };
    report.batch = batches::get_by_id(conn, claim.batch_id)?;
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Streams the rows in; Ok(true) when the file was read to its end, Ok(false) when
/// cancelled (the current chunk rolled back, earlier ones still to be undone).
fn stream(
    conn: &mut Connection,
    (db, file): (&Path, &Path),
    layout: &Layout,
    claim: &Claim,
    (cancel, index): (&CancelToken, Indexing),
    on_progress: &mut dyn FnMut(ImportProgress),
    report: &mut ImportReport,
) -> Result<bool, ImportError> {
    let mut book = match layout.format {
        ImportFormat::Csv => None,
        f => Some(Book::open(file, f == ImportFormat::Xls)?),
    };
    let mut source = Source::open(file, layout, book.as_mut())?;
    let mut header_pending = layout.has_header;
    let mut totals = RunCounts::default();
    let mut next_seq = claim.first_seq;
    let col = layout.code_column;
    let (run_id, batch_id) = (claim.run_id, claim.batch_id);
    let mut lane = GiveWay::open(db);
    // The import indexes its own codes (search_index::ImportChunk): gathered as rows go
    // in, written after each chunk's commit, so they are searchable chunk by chunk.
    let mut indexing = None;
    if index == Indexing::EachChunk {
        // Whatever an earlier run left unindexed, so the indexed part stays a prefix.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        search_index::index_batch(&tx, batch_id)?;
        tx.commit()?;
        indexing = Some(search_index::ImportChunk::new(batch_id, next_seq));
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0u64;
        let mut eof = false;
        let mut give_way = false;
        {
            let mut adder = CodeAdder::new(&tx, run_id)?;
            let mut owner = tx.prepare_cached("SELECT run_id FROM codes WHERE code = ?1")?;
            let mut rows = 0usize;
            while rows < CHUNK_ROWS {
                if rows.is_multiple_of(1024) && cancel.is_cancelled() {
                    return Ok(false);
                }
                if rows.is_multiple_of(YIELD_CHECK_ROWS) && rows > 0 && lane.should_give_way() {
                    give_way = true;
                    break;
                }
                let Some((line, cell)) = source.next_row(col)? else {
                    eof = true;
                    break;
                };
                if header_pending {
                    header_pending = false;
                    continue;
                }
                rows += 1;
                totals.rows_read += 1;
                let parsed = match cell {
                    CodeCell::Missing => Err((RowIssueKind::MissingColumn, String::new())),
                    CodeCell::Undecodable(bytes) => Err((
                        RowIssueKind::Unreadable,
                        String::from_utf8_lossy(bytes).into_owned(),
                    )),
                    CodeCell::Text(text) => {
                        Code::parse(text).map_err(|r| (r.into(), text.to_owned()))
                    }
                };
                let found = match parsed {
                    Ok(code) => {
                        if next_seq > MAX_SEQ {
                            return Err(StoreError::BatchFull(format!("#{batch_id}")).into());
                        }
                        let id = code_id(batch_id, next_seq);
                        // Codes are unique across the database, bonus codes included.
                        if adder.add(id, code.as_str())? {
                            if let Some(chunk) = indexing.as_mut() {
                                chunk.add(next_seq, code.as_str());
                            }
                            next_seq += 1;
                            added += 1;
                            totals.imported += 1;
                            continue;
                        }
                        // No owner: a bonus has the code.
                        let first_owner: Option<i64> =
                            owner.query_row([code.as_str()], |r| r.get(0)).optional()?;
                        totals.skipped_duplicate += 1;
                        let kind = if first_owner == Some(run_id) {
                            RowIssueKind::DuplicateInFile
                        } else {
                            RowIssueKind::DuplicateInDatabase
                        };
                        (kind, code.into_string())
                    }
                    Err((kind, value)) => {
                        totals.skipped_invalid += 1;
                        (kind, value)
                    }
                };
                let (kind, value) = found;
                let value = cut(&value);
                runs::add_issue(&tx, run_id, line, kind.as_str(), &value)?;
                let list = if kind.is_duplicate() {
                    &mut report.duplicates
                } else {
                    &mut report.errors
                };
                if list.len() < REPORT_LIMIT {
                    list.push(issue(line, kind, &value));
                }
            }
        }
        runs::save_chunk(&tx, run_id, batch_id, next_seq, added, totals)?;
        tx.commit()?;
        if give_way {
            lane.wait_turn();
        }
        if let Some(chunk) = indexing.take() {
            // A chunk cut short for the counter stays gathering (up to its size), so a
            // busy counter does not split the index into thousands of tiny chunks.
            indexing = Some(if eof || !give_way || chunk.is_full() {
                chunk.write(conn, &mut lane)?
            } else {
                chunk
            });
        }
        report.rows_read = totals.rows_read;
        report.imported = totals.imported;
        report.skipped_duplicate = totals.skipped_duplicate;
        report.skipped_invalid = totals.skipped_invalid;
        let (bytes_read, bytes_total) = source.progress();
        on_progress(ImportProgress {
            run_id,
            rows_read: totals.rows_read,
            imported: totals.imported,
            skipped_duplicate: totals.skipped_duplicate,
            skipped_invalid: totals.skipped_invalid,
            bytes_read,
            bytes_total,
        });
        if eof {
            return Ok(true);
        }
    }
}
