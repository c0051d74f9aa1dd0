//! The `batches` and `batch_counts` tables.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::{from_ms, now_ms, StoreError};
use crate::domain::{Batch, BatchName, CodeStatus, Page, PageRequest, TicketType};

/// What writers need to know about a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchKey {
    pub id: i64,
    pub next_seq: i64,
    pub indexed_seq: i64,
}

const SELECT_BATCH: &str = "SELECT b.ticket_type, b.name, b.created_at, b.updated_at,
    (SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = b.id),
    (SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = b.id AND status = 2),
    b.template_id,
    (SELECT coalesce(sum(undo_to_seq - first_seq), 0) FROM code_runs
      WHERE batch_id = b.id AND undo_to_seq IS NOT NULL)
  FROM batches b";

fn batch_from_row(r: &Row<'_>) -> rusqlite::Result<Batch> {
    Ok(Batch {
        ticket_type: r.get(0)?,
        name: r.get(1)?,
        created_at: from_ms(r.get(2)?),
        updated_at: from_ms(r.get(3)?),
        total_codes: r.get::<_, i64>(4)?.max(0) as u64,
        used_codes: r.get::<_, i64>(5)?.max(0) as u64,
        template_id: r.get(6)?,
        cleanup_left: r.get::<_, i64>(7)?.max(0) as u64,
    })
}

/// Inserts a batch inside the caller's transaction; returns its id.
pub fn insert(tx: &Transaction<'_>, t: &TicketType, name: &BatchName) -> Result<i64, StoreError> {
    let taken_type: bool = tx
        .query_row(
            "SELECT 1 FROM batches WHERE ticket_type = ?1",
            [t.as_str()],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if taken_type {
        return Err(StoreError::BatchTypeTaken(t.as_str().to_owned()));
    }
    let taken_name: bool = tx
        .query_row(
            "SELECT 1 FROM batches WHERE name = ?1",
            [name.as_str()],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if taken_name {
        return Err(StoreError::BatchNameTaken(name.as_str().to_owned()));
    }
    let now = now_ms();
    tx.execute(
        "INSERT INTO batches (ticket_type, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![t.as_str(), name.as_str(), now],
    )?;
    let id = tx.last_insert_rowid();
    super::audit::record(
        tx,
        "batch.create",
        t.as_str(),
        &serde_json::json!({ "name": name.as_str() }),
    )?;
    Ok(id)
}

pub fn create(
    conn: &mut Connection,
    t: &TicketType,
    name: &BatchName,
) -> Result<Batch, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    insert(&tx, t, name)?;
    let b = get(&tx, t.as_str())?;
    tx.commit()?;
    Ok(b)
}

pub fn get(conn: &Connection, ticket_type: &str) -> Result<Batch, StoreError> {
    conn.query_row(
        &format!("{SELECT_BATCH} WHERE b.ticket_type = ?1"),
        [ticket_type],
        batch_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::BatchNotFound(ticket_type.to_owned()))
}

pub fn get_by_id(conn: &Connection, id: i64) -> Result<Option<Batch>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{SELECT_BATCH} WHERE b.id = ?1"),
            [id],
            batch_from_row,
        )
        .optional()?)
}

pub fn key(conn: &Connection, ticket_type: &str) -> Result<BatchKey, StoreError> {
    conn.query_row(
        "SELECT id, next_seq, indexed_seq FROM batches WHERE ticket_type = ?1",
        [ticket_type],
        |r| {
            Ok(BatchKey {
                id: r.get(0)?,
                next_seq: r.get(1)?,
                indexed_seq: r.get(2)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| StoreError::BatchNotFound(ticket_type.to_owned()))
}

pub fn key_by_id(conn: &Connection, id: i64) -> Result<Option<BatchKey>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, next_seq, indexed_seq FROM batches WHERE id = ?1",
            [id],
            |r| {
                Ok(BatchKey {
                    id: r.get(0)?,
                    next_seq: r.get(1)?,
                    indexed_seq: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Escapes LIKE's wildcards so a name search matches them literally.
pub(crate) fn like_pattern(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Newest-changed first; `name` is a substring match (spec 000's fuzzy name search).
pub fn list(
    conn: &Connection,
    ticket_type: Option<&str>,
    name: Option<&str>,
    page: PageRequest,
) -> Result<Page<Batch>, StoreError> {
    let ticket_type = ticket_type.map(str::trim).filter(|s| !s.is_empty());
    let pattern = name
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(like_pattern);
    let filter = "WHERE (?1 IS NULL OR b.ticket_type = ?1)
                    AND (?2 IS NULL OR b.name LIKE ?2 ESCAPE '\\')";
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM batches b {filter}"),
        params![ticket_type, pattern],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_BATCH} {filter} ORDER BY b.updated_at DESC, b.id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let items = stmt
        .query_map(
            params![ticket_type, pattern, page.per_page, page.offset() as i64],
            batch_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, page, total.max(0) as u64))
}

/// Adds `delta` codes in `status` to the batch's counts.
pub fn add_count(
    tx: &Transaction<'_>,
    batch_id: i64,
    status: CodeStatus,
    delta: i64,
) -> Result<(), StoreError> {
    if delta == 0 {
        return Ok(());
    }
    if delta < 0 {
        // Not an upsert: CHECK (n >= 0) is tested on the row an upsert would insert.
        tx.prepare_cached(
            "UPDATE batch_counts SET n = n + ?3 WHERE batch_id = ?1 AND status = ?2",
        )?
        .execute(params![batch_id, status.to_db(), delta])?;
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO batch_counts (batch_id, status, n) VALUES (?1, ?2, ?3)
         ON CONFLICT (batch_id, status) DO UPDATE SET n = n + excluded.n",
    )?
    .execute(params![batch_id, status.to_db(), delta])?;
    Ok(())
}

pub fn set_next_seq(tx: &Transaction<'_>, batch_id: i64, next_seq: i64) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE batches SET next_seq = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![batch_id, next_seq, now_ms()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
