//! The outbox table: writing actions for the platforms (in the caller's transaction),
//! reading the queue and the conflict inbox, and the inbox's choices.

use std::cell::RefCell;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::types::{OutboxItem, OutboxQuery, OutboxState, Platform};
use super::{SyncError, SyncResult};
use crate::domain::Page;
use crate::store::{actor, from_ms, now_ms, StoreError};

thread_local! {
    static KEYS: RefCell<SmallRng> = RefCell::new(SmallRng::from_os_rng());
}

/// A fresh idempotency key: 128 random bits in hex, unique across shops and databases
/// (a platform may see keys from many CouponDesk installations).
pub fn new_key() -> String {
    KEYS.with(|r| format!("{:032x}", r.borrow_mut().random::<u128>()))
}

/// What an action asks a platform to do.
#[derive(Debug, Clone)]
pub struct NewOp<'a> {
    pub platform: Platform,
    pub op: &'a str,
    pub subject: &'a str,
    pub batch_id: Option<i64>,
    pub payload: serde_json::Value,
}

/// Writes one outbox row. Call it inside the transaction that makes the change, so the
/// change and the message about it commit (or roll back) together.
pub fn enqueue(conn: &Connection, op: NewOp<'_>) -> Result<i64, StoreError> {
    enqueue_as(conn, &actor(), op)
}

pub fn enqueue_as(conn: &Connection, who: &str, op: NewOp<'_>) -> Result<i64, StoreError> {
    let now = now_ms();
    conn.prepare_cached(
        "INSERT INTO outbox (platform, op, subject, batch_id, payload, idem_key, state, actor,
                             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8, ?8)",
    )?
    .execute(params![
        op.platform.id(),
        op.op,
        op.subject,
        op.batch_id,
        op.payload.to_string(),
        new_key(),
        who,
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

const COLUMNS: &str = "id, platform, op, subject, payload, state, attempts, result_code, \
                       result_message, actor, created_at, updated_at";

fn item(r: &Row<'_>) -> rusqlite::Result<OutboxItem> {
    let platform: String = r.get(1)?;
    let payload: String = r.get(4)?;
    let state: String = r.get(5)?;
    Ok(OutboxItem {
        id: r.get(0)?,
        platform: Platform::parse(&platform).unwrap_or(Platform::Ebuy),
        op: r.get(2)?,
        subject: r.get(3)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        state: OutboxState::parse(&state).unwrap_or(OutboxState::Queued),
        attempts: r.get(6)?,
        result_code: r.get(7)?,
        result_message: r.get(8)?,
        actor: r.get(9)?,
        created_at: from_ms(r.get(10)?),
        updated_at: from_ms(r.get(11)?),
    })
}

pub fn get(conn: &Connection, id: i64) -> SyncResult<OutboxItem> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
        [id],
        item,
    )
    .optional()?
    .ok_or(SyncError::ItemNotFound(id))
}

/// Lists outbox rows, newest first (the queue: oldest first, as it drains).
pub fn list(conn: &Connection, q: &OutboxQuery) -> SyncResult<Page<OutboxItem>> {
    let page = q.page.validated()?;
    let mut wh = vec!["1 = 1".to_owned()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(p) = q.platform {
        args.push(p.id().to_owned().into());
        wh.push(format!("platform = ?{}", args.len()));
    }
    if let Some(s) = q.state {
        args.push(s.as_str().to_owned().into());
        wh.push(format!("state = ?{}", args.len()));
    }
    if let Some(tt) = &q.ticket_type {
        let batch: Option<i64> = conn
            .query_row("SELECT id FROM batches WHERE ticket_type = ?1", [tt], |r| {
                r.get(0)
            })
            .optional()?;
        let batch = batch.ok_or_else(|| SyncError::BatchNotFound(tt.clone()))?;
        args.push(batch.into());
        wh.push(format!("batch_id = ?{}", args.len()));
    }
    let wh = wh.join(" AND ");
    let order = if q.state == Some(OutboxState::Queued) {
        "id"
    } else {
        "id DESC"
    };
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM outbox WHERE {wh}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE {wh} ORDER BY {order} LIMIT {} OFFSET {}",
        page.per_page,
        page.offset()
    );
    let mut st = conn.prepare(&sql)?;
    let items = st
        .query_map(rusqlite::params_from_iter(args.iter()), item)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, page, total.max(0) as u64))
}

/// (queued, conflicts) of one platform.
pub fn counts(conn: &Connection, p: Platform) -> SyncResult<(u64, u64)> {
    let q: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE platform = ?1 AND state = 'queued'",
        [p.id()],
        |r| r.get(0),
    )?;
    let c: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE platform = ?1 AND state = 'conflict'",
        [p.id()],
        |r| r.get(0),
    )?;
    Ok((q.max(0) as u64, c.max(0) as u64))
}

fn conflict_state(conn: &Connection, id: i64) -> SyncResult<OutboxItem> {
    let it = get(conn, id)?;
    if it.state != OutboxState::Conflict {
        return Err(SyncError::NotAConflict {
            id,
            state: it.state.as_str(),
        });
    }
    Ok(it)
}

/// The inbox's "retry": back in the queue as it is, with a fresh idempotency key (the
/// platform's "no" to the old one may be stored and replayed). The row keeps its id, so
/// it goes before later actions on the same subject.
pub fn retry(conn: &mut Connection, id: i64) -> SyncResult<OutboxItem> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let it = conflict_state(&tx, id)?;
    requeue(&tx, id, None)?;
    crate::store::audit::record(
        &tx,
        "sync.conflict_retry",
        &format!("outbox:{id}"),
        &serde_json::json!({"op": it.op, "subject": it.subject, "was": it.result_code}),
    )?;
    let out = get(&tx, id)?;
    tx.commit()?;
    Ok(out)
}

/// The inbox's "edit": new data (checked by the op's connector), then back in the queue.
pub fn edit(conn: &mut Connection, id: i64, payload: serde_json::Value) -> SyncResult<OutboxItem> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let it = conflict_state(&tx, id)?;
    super::connectors::check_payload(&it.op, &payload).map_err(|message| {
        SyncError::BadPayload {
            op: it.op.clone(),
            message,
        }
    })?;
    requeue(&tx, id, Some(&payload))?;
    crate::store::audit::record(
        &tx,
        "sync.conflict_edit",
        &format!("outbox:{id}"),
        &serde_json::json!({"op": it.op, "subject": it.subject, "before": it.payload, "after": payload}),
    )?;
    let out = get(&tx, id)?;
    tx.commit()?;
    Ok(out)
}

/// The inbox's "discard": the platform will not hear of it; the local change stays. The
/// audit log keeps who discarded what and why.
pub fn discard(conn: &mut Connection, id: i64, reason: &str) -> SyncResult<OutboxItem> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let it = conflict_state(&tx, id)?;
    tx.execute(
        "UPDATE outbox SET state = 'discarded', updated_at = ?2 WHERE id = ?1",
        params![id, now_ms()],
    )?;
    crate::store::audit::record(
        &tx,
        "sync.conflict_discard",
        &format!("outbox:{id}"),
        &serde_json::json!({"op": it.op, "subject": it.subject, "payload": it.payload,
                            "rejected": it.result_code, "message": it.result_message,
                            "reason": reason.trim()}),
    )?;
    let out = get(&tx, id)?;
    tx.commit()?;
    Ok(out)
}

/// Puts a fact the pull found (a voucher gone from its platform) in the conflict inbox as
/// an `op` row on `subject`, so staff see it and decide (Retry sends `op` again, Discard
/// keeps the change only here). The payload is the op's own, as staff would edit it.
pub fn record_conflict(
    conn: &Connection,
    platform: Platform,
    op: &str,
    subject: &str,
    payload: serde_json::Value,
    code: &str,
    message: &str,
) -> Result<i64, StoreError> {
    let id = enqueue_as(
        conn,
        "sync",
        NewOp {
            platform,
            op,
            subject,
            batch_id: None,
            payload,
        },
    )?;
    conn.prepare_cached(
        "UPDATE outbox SET state = 'conflict', result_code = ?2, result_message = ?3 WHERE id = ?1",
    )?
    .execute(params![id, code, message])?;
    Ok(id)
}

/// Forgets what a platform called a local row (it is gone there), so the row can be sent
/// again as new.
pub fn forget_remote_ref(
    conn: &Connection,
    platform: Platform,
    kind: &str,
    local_id: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM remote_refs WHERE platform = ?1 AND kind = ?2 AND local_id = ?3",
    )?
    .execute(params![platform.id(), kind, local_id])?;
    Ok(())
}

fn requeue(conn: &Connection, id: i64, payload: Option<&serde_json::Value>) -> SyncResult<()> {
    conn.execute(
        "UPDATE outbox SET state = 'queued', attempts = 0, not_before = 0, sent = 0,
                maybe_applied = 0, sent_at = NULL, readbacks = 0, send_note = NULL,
                envelope_uuid = NULL, idem_key = ?2, payload = coalesce(?3, payload),
                updated_at = ?4
         WHERE id = ?1",
        params![id, new_key(), payload.map(|p| p.to_string()), now_ms()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_hex() {
        let a = new_key();
        let b = new_key();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
