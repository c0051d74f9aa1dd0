//! The `codes` table: pages by position, by status and by substring.
//!
//! Position pages are range reads on the row id (a batch's codes are one contiguous id
//! range). Substring searches of 3+ characters ask the trigram index for the indexed part
//! of the batch and scan only the tail the indexer has not reached yet, so results are
//! always complete.

use rusqlite::{params, Connection, OptionalExtension, Row};

pub use super::codes_types::{CodeQuery, CodeRow};
use super::{batches, code_id, from_ms, seq_of, StoreError};
use crate::domain::{CodeStatus, Page};

const COLUMNS: &str = "c.id, c.code, c.status, r.started_at, c.updated_at";

fn row(r: &Row<'_>) -> rusqlite::Result<CodeRow> {
    let status: i64 = r.get(2)?;
    Ok(CodeRow {
        position: seq_of(r.get(0)?) as u64,
        code: r.get(1)?,
        status: CodeStatus::from_db(status).unwrap_or(CodeStatus::Issued),
        created_at: from_ms(r.get(3)?),
        updated_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
    })
}

pub fn list(conn: &Connection, q: &CodeQuery) -> Result<Page<CodeRow>, StoreError> {
    let key = batches::key(conn, &q.ticket_type)?;
    let page = q.page;
    let lo = code_id(key.id, 1);
    let hi = code_id(key.id, key.next_seq - 1);
    let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());

    let Some(search) = search else {
        return list_plain(conn, q, key, lo, hi);
    };
    // A code holds only these characters; anything else matches nothing.
    if !search
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(Page::new(Vec::new(), page, 0));
    }
    let status_sql = match q.status {
        Some(s) => format!(" AND c.status = {}", s.to_db()),
        None => String::new(),
    };
    // Searches of 3+ characters read the index for the indexed part of the batch; the
    // rest (all of it for shorter searches) is scanned.
    let indexed = search.chars().count() >= 3;
    let indexed_hi = if indexed {
        code_id(key.id, key.indexed_seq - 1)
    } else {
        lo - 1
    };
    let part = Indexed {
        needle: search,
        batch: key.id,
        indexed_seq: key.indexed_seq,
        status: q.status,
    };
    let tail = Tail {
        needle: search,
        lo: indexed_hi + 1,
        hi,
        status_sql: &status_sql,
    };
    let found = if indexed {
        part.matches(conn)?
    } else {
        Vec::new()
    };
    let in_index = found.len() as u64;
    let in_tail = tail.count(conn)?;
    let (limit, offset) = (u64::from(page.per_page), page.offset());
    let mut items = Vec::new();
    if offset < in_index {
        items = rows_by_id(conn, &found, limit, offset)?;
    }
    let taken = items.len() as u64;
    if taken < limit && offset + taken >= in_index {
        let tail_offset = (offset + taken).saturating_sub(in_index);
        items.extend(tail.rows(conn, limit - taken, tail_offset)?);
    }
    Ok(Page::new(items, page, in_index + in_tail))
}

/// The part of a batch the trigram index covers (`code_trigrams`).
struct Indexed<'a> {
    needle: &'a str,
    batch: i64,
    indexed_seq: i64,
    status: Option<CodeStatus>,
}

impl Indexed<'_> {
    /// The ids of the matching codes, ascending. A 3-character search without a status
    /// is exactly its trigram's posting: no code is read to count it (reading thousands
    /// of random rows is what costs). Otherwise each candidate is confirmed on its row.
    fn matches(&self, conn: &Connection) -> Result<Vec<i64>, StoreError> {
        let seqs = super::code_trigrams::candidate_seqs(
            conn,
            self.batch,
            self.needle.as_bytes(),
            self.indexed_seq,
        )?;
        let ids = seqs.into_iter().map(|s| code_id(self.batch, i64::from(s)));
        if self.needle.len() == 3 && self.status.is_none() {
            return Ok(ids.collect());
        }
        let mut read = conn.prepare_cached("SELECT code, status FROM codes WHERE id = ?1")?;
        let mut found = Vec::new();
        for id in ids {
            let hit = read
                .query_row([id], |r| {
                    let code = r.get_ref(0)?.as_str()?;
                    let status: i64 = r.get(1)?;
                    Ok(code.contains(self.needle)
                        && self.status.is_none_or(|s| s.to_db() == status))
                })
                .optional()?;
            if hit == Some(true) {
                found.push(id);
            }
        }
        Ok(found)
    }
}

/// The rows of `ids[offset..offset + limit]`, one lookup each.
fn rows_by_id(
    conn: &Connection,
    ids: &[i64],
    limit: u64,
    offset: u64,
) -> Result<Vec<CodeRow>, StoreError> {
    let mut read = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM codes c JOIN code_runs r ON r.id = c.run_id WHERE c.id = ?1"
    ))?;
    let mut out = Vec::new();
    for id in ids.iter().skip(offset as usize).take(limit as usize) {
        if let Some(r) = read.query_row([id], row).optional()? {
            out.push(r);
        }
    }
    Ok(out)
}

/// The part of a batch the index does not cover yet: scanned.
struct Tail<'a> {
    needle: &'a str,
    lo: i64,
    hi: i64,
    status_sql: &'a str,
}

impl Tail<'_> {
    fn count(&self, conn: &Connection) -> Result<u64, StoreError> {
        if self.lo > self.hi {
            return Ok(0);
        }
        let n: i64 = conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM codes c WHERE c.id BETWEEN ?1 AND ?2 \
                 AND instr(c.code, ?3) > 0{}",
                self.status_sql
            ))?
            .query_row(params![self.lo, self.hi, self.needle], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    fn rows(&self, conn: &Connection, limit: u64, offset: u64) -> Result<Vec<CodeRow>, StoreError> {
        if self.lo > self.hi || limit == 0 {
            return Ok(Vec::new());
        }
        Ok(conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM codes c JOIN code_runs r ON r.id = c.run_id \
                 WHERE c.id BETWEEN ?1 AND ?2 AND instr(c.code, ?3) > 0{} \
                 ORDER BY c.id LIMIT ?4 OFFSET ?5",
                self.status_sql
            ))?
            .query_map(
                params![self.lo, self.hi, self.needle, limit as i64, offset as i64],
                row,
            )?
            .collect::<Result<Vec<_>, _>>()?)
    }
}

fn list_plain(
    conn: &Connection,
    q: &CodeQuery,
    key: batches::BatchKey,
    lo: i64,
    hi: i64,
) -> Result<Page<CodeRow>, StoreError> {
    let page = q.page;
    let (items, total) = match q.status {
        None => {
            // Dense ids: the page starts exactly `offset` codes after the first.
            let start = lo + page.offset() as i64;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM codes c JOIN code_runs r ON r.id = c.run_id \
                 WHERE c.id BETWEEN ?1 AND ?2 ORDER BY c.id LIMIT ?3"
            ))?;
            let items = stmt
                .query_map(rusqlite::params![start, hi, page.per_page], row)?
                .collect::<Result<Vec<_>, _>>()?;
            (items, (key.next_seq - 1).max(0))
        }
        Some(status) => {
            // `status <> 0` lets SQLite use the partial index for every status but issued;
            // issued codes are read along the batch's id range.
            let partial = if status == CodeStatus::Issued {
                ""
            } else {
                " AND c.status <> 0"
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM codes c JOIN code_runs r ON r.id = c.run_id \
                 WHERE c.status = ?1{partial} AND c.id BETWEEN ?2 AND ?3 \
                 ORDER BY c.id LIMIT ?4 OFFSET ?5"
            ))?;
            let items = stmt
                .query_map(
                    rusqlite::params![status.to_db(), lo, hi, page.per_page, page.offset() as i64],
                    row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            let total: i64 = conn.query_row(
                "SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = ?1 AND status = ?2",
                rusqlite::params![key.id, status.to_db()],
                |r| r.get(0),
            )?;
            (items, total)
        }
    };
    Ok(Page::new(items, page, total.max(0) as u64))
}
