//! How far this desk holds the hub's codes of each batch (local migration 29;
//! docs/chain-mode.md, "Changes between desks"): a `batch` change downloads only the
//! codes the hub numbered after the mark (hub schema 11, `coupondesk.codes.ord`).
//!
//! What must stay true: every hub code of the batch with an ord up to the mark is in
//! this database. So the mark moves only after the import that holds the codes it
//! stands for has committed; a read after the mark only moves it up (`set`), a whole
//! read sets it to what it read (`reset`: the marks of another hub's ords go); a batch
//! without a mark is downloaded whole.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

/// The batch's mark: None when the desk has none (download it whole).
pub fn mark(conn: &Connection, ticket_type: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT g.upto_ord FROM hub_batch_got g JOIN batches b ON b.id = g.batch_id
              WHERE b.ticket_type = ?1",
        )?
        .query_row([ticket_type], |r| r.get(0))
        .optional()?)
}

/// Every hub code of the batch with an ord up to `upto` is here. Returns false when the
/// desk has no such batch.
pub fn set(conn: &Connection, ticket_type: &str, upto: i64) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "INSERT INTO hub_batch_got (batch_id, upto_ord)
             SELECT id, ?2 FROM batches WHERE ticket_type = ?1
             ON CONFLICT (batch_id) DO UPDATE SET upto_ord = max(upto_ord, excluded.upto_ord)",
        )?
        .execute(params![ticket_type, upto])?;
    Ok(n > 0)
}

/// After a whole read of the batch: the mark is exactly `upto`, lower than it was too.
/// A mark from another hub (a desk that joined another one, or a hub restored from a
/// backup) would otherwise stay above this hub's ords and pass over its codes.
pub fn reset(conn: &Connection, ticket_type: &str, upto: i64) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO hub_batch_got (batch_id, upto_ord)
             SELECT id, ?2 FROM batches WHERE ticket_type = ?1",
        )?
        .execute(params![ticket_type, upto])?;
    Ok(n > 0)
}

/// Forgets the batch's mark, so its next download is whole (the benchmark's baseline).
pub fn clear(conn: &Connection, ticket_type: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM hub_batch_got
          WHERE batch_id = (SELECT id FROM batches WHERE ticket_type = ?1)",
    )?
    .execute([ticket_type])?;
    Ok(())
}
