//! Bonuses between this desk and its hub (local migration 23, docs/chain-mode.md,
//! "Bonuses"): what waits to be uploaded (`hub_bonuses_out`, filled by triggers while
//! the desk is joined), and the writes a pull makes with the hub's version.
//!
//! What must stay true:
//! - a queued row is deleted after the hub's commit only when its `n` is still the one
//!   read (`sent`): a change made meanwhile is sent next time;
//! - the apply goes through the local triggers (`bonuses_final`, `bonuses_grant_once`):
//!   a bonus used or disabled here is never changed by the hub's word, a granted bonus
//!   keeps its customer; the one move back is another desk's use (`used_elsewhere`)
//!   that the hub gave back (that desk's undo), allowed by migration 23's trigger;
//! - the apply deletes the queue row its own write caused, never one queued before it
//!   (this desk's own change still goes up), so the hub's version is never sent back.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{now_ms, StoreError};
use crate::domain::customer::Phone;

/// A queued bonus: made here (`Made`) or changed here (`State`), by local id, with the
/// `n` it had when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub state: bool,
    pub id: i64,
    pub n: i64,
}

/// The queue, made bonuses first (a state names a bonus the hub must have).
pub fn pending(conn: &Connection) -> Result<Vec<Pending>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT kind = 'bonus_state', key, n FROM hub_bonuses_out ORDER BY kind, key",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Pending {
            state: r.get(0)?,
            id: r.get(1)?,
            n: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The row reached the hub: deleted unless it was queued again since it was read.
pub fn sent(conn: &Connection, p: &Pending) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM hub_bonuses_out WHERE kind = ?1 AND key = ?2 AND n = ?3")?
        .execute(params![
            if p.state { "bonus_state" } else { "bonus" },
            p.id,
            p.n
        ])?;
    Ok(())
}

/// Queues bonus `id`'s state to go up (a use the hub took whose local commit failed:
/// the push gives it back).
pub fn queue_state(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO hub_bonuses_out (kind, key) VALUES ('bonus_state', ?1)
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1",
    )?
    .execute([id])?;
    Ok(())
}

/// Queues every bonus, and the state of every one granted, used here or disabled (the
/// join sends all it has).
pub fn queue_all(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "INSERT INTO hub_bonuses_out (kind, key) SELECT 'bonus', id FROM bonuses WHERE true
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
         INSERT INTO hub_bonuses_out (kind, key)
           SELECT 'bonus_state', id FROM bonuses
            WHERE (customer_id IS NOT NULL OR status <> 1) AND used_elsewhere = 0
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;",
    )?;
    Ok(())
}

/// A bonus as it travels (times in ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonusRow {
    pub code: String,
    pub amount_fen: i64,
    pub min_amount_fen: i64,
    pub expired_at_ms: Option<i64>,
    pub xname: String,
    pub product_sku: Option<String>,
    pub created_at_ms: i64,
    /// 1 active, 2 redeemed, 3 disabled (lifecycle::CodeStatus's numbers).
    pub status: i64,
    /// Granted to this phone, when.
    pub granted: Option<(String, i64)>,
    pub used: Option<BonusUseRow>,
    /// The use is another desk's (the hub's word).
    pub used_elsewhere: bool,
}

/// A bonus's use as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonusUseRow {
    pub at_ms: i64,
    pub order_fen: Option<i64>,
    pub product_sku: Option<String>,
    pub by: String,
    pub terminal: String,
}

/// Bonus `id` as it is sent; None when there is no such bonus.
pub fn bonus_out(conn: &Connection, id: i64) -> Result<Option<BonusRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT b.code, b.amount_fen, b.min_amount_fen, b.expired_at, b.xname,
                    b.product_sku, b.created_at, b.status, c.phone, b.granted_at, b.used_at,
                    b.used_order_fen, b.used_product_sku, coalesce(b.used_by, ''),
                    coalesce(b.used_terminal, ''), b.used_elsewhere
               FROM bonuses b LEFT JOIN customers c ON c.id = b.customer_id
              WHERE b.id = ?1",
        )?
        .query_row([id], |r| {
            let phone: Option<String> = r.get(8)?;
            let granted_at: Option<i64> = r.get(9)?;
            let used_at: Option<i64> = r.get(10)?;
            Ok(BonusRow {
                code: r.get(0)?,
                amount_fen: r.get(1)?,
                min_amount_fen: r.get(2)?,
                expired_at_ms: r.get(3)?,
                xname: r.get(4)?,
                product_sku: r.get(5)?,
                created_at_ms: r.get(6)?,
                status: r.get(7)?,
                granted: phone.zip(granted_at),
                used: match used_at {
                    Some(at_ms) => Some(BonusUseRow {
                        at_ms,
                        order_fen: r.get(11)?,
                        product_sku: r.get(12)?,
                        by: r.get(13)?,
                        terminal: r.get(14)?,
                    }),
                    None => None,
                },
                used_elsewhere: r.get(15)?,
            })
        })
        .optional()?)
}

/// What `apply_bonuses` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BonusesApplied {
    /// Bonuses of other desks now here.
    pub created: u64,
    /// Bonuses here granted, used or disabled by another desk's word.
    pub changed: u64,
    /// What was not applied, each with why.
    pub refused: Vec<String>,
}

/// Writes the hub's bonuses here, in one transaction, each change audited
/// (`bonus.hub_pull`), with no platform change record (the desk that made, granted or
/// disabled it recorded it). Module doc for what is kept.
pub fn apply_bonuses(
    conn: &mut Connection,
    rows: &[BonusRow],
) -> Result<BonusesApplied, StoreError> {
    let mut out = BonusesApplied::default();
    if rows.is_empty() {
        return Ok(out);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for b in rows {
        let customer = match &b.granted {
            None => None,
            Some((phone, at)) => match Phone::parse(phone) {
                Ok(p) => {
                    let known = super::customers::find(&tx, &p)?.is_some();
                    let id = super::customers::ensure(&tx, &p, "")?;
                    if !known {
                        // Queued by migration 20's trigger: the hub's customer, not ours
                        // to send back.
                        tx.prepare_cached(
                            "DELETE FROM hub_records_out WHERE kind = 'customer' AND key = ?1",
                        )?
                        .execute([p.as_str()])?;
                    }
                    Some((id, *at))
                }
                Err(_) => {
                    out.refused.push(format!(
                        "bonus {} not granted here: its customer's phone {phone:?} is not an \
                         11-digit mobile number",
                        b.code
                    ));
                    None
                }
            },
        };
        let local: Option<(i64, i64, Option<i64>, bool)> = tx
            .prepare_cached(
                "SELECT id, status, customer_id, used_elsewhere FROM bonuses WHERE code = ?1",
            )?
            .query_row([&b.code], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        // Another desk's use, given back at the hub (its undo): unused here again.
        if let Some((id, 2, _, true)) = local {
            if b.status == 1 {
                tx.prepare_cached(
                    "UPDATE bonuses SET status = 1, used_at = NULL, used_order_fen = NULL,
                            used_product_sku = NULL, used_by = NULL, used_terminal = NULL,
                            used_elsewhere = 0, updated_at = ?2
                      WHERE id = ?1",
                )?
                .execute(params![id, now_ms()])?;
                tx.prepare_cached(
                    "DELETE FROM hub_bonuses_out WHERE kind = 'bonus_state' AND key = ?1",
                )?
                .execute([id])?;
                out.changed += 1;
                super::audit::record(
                    &tx,
                    "bonus.hub_pull",
                    &id.to_string(),
                    &serde_json::json!({ "code": b.code, "released": true }),
                )?;
            }
            continue;
        }
        let (id, created) = match local {
            None => {
                let coupon = tx
                    .prepare_cached("SELECT 1 FROM codes WHERE code = ?1")?
                    .query_row([&b.code], |_| Ok(()))
                    .optional()?
                    .is_some();
                if coupon {
                    out.refused.push(format!(
                        "bonus {} not added: a coupon code here has the same code",
                        b.code
                    ));
                    continue;
                }
                let used = b.used.as_ref();
                tx.prepare_cached(
                    "INSERT INTO bonuses (code, amount_fen, min_amount_fen, expired_at, xname,
                       product_sku, status, customer_id, granted_at, used_at, used_order_fen,
                       used_product_sku, used_by, used_terminal, used_elsewhere, created_at,
                       updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                             ?16, ?17)",
                )?
                .execute(params![
                    b.code,
                    b.amount_fen,
                    b.min_amount_fen,
                    b.expired_at_ms,
                    b.xname,
                    b.product_sku,
                    b.status,
                    customer.map(|c| c.0),
                    customer.map(|c| c.1),
                    used.map(|u| u.at_ms),
                    used.and_then(|u| u.order_fen),
                    used.and_then(|u| u.product_sku.clone()),
                    used.map(|u| u.by.clone()),
                    used.map(|u| u.terminal.clone()),
                    used.is_some(),
                    b.created_at_ms,
                    now_ms()
                ])?;
                (tx.last_insert_rowid(), true)
            }
            Some((id, status, customer_id, _)) => {
                // Used or disabled here is final (bonuses_final): the hub's word cannot
                // change it, and this desk's own state goes up on its own.
                if status != 1 {
                    continue;
                }
                // A change of this bonus waits to go up (a release after an undo): it
                // goes first; the hub's row is applied at a later pull.
                if state_queued(&tx, id)? {
                    continue;
                }
                let grant = customer.filter(|_| customer_id.is_none());
                let new_status = if b.status == 1 { status } else { b.status };
                if grant.is_none() && new_status == status {
                    continue;
                }
                let used = b.used.as_ref().filter(|_| new_status == 2);
                tx.prepare_cached(
                    "UPDATE bonuses SET status = ?2,
                            customer_id = coalesce(customer_id, ?3),
                            granted_at = coalesce(granted_at, ?4),
                            used_at = ?5, used_order_fen = ?6, used_product_sku = ?7,
                            used_by = ?8, used_terminal = ?9, used_elsewhere = ?10,
                            updated_at = ?11
                      WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    new_status,
                    grant.map(|c| c.0),
                    grant.map(|c| c.1),
                    used.map(|u| u.at_ms),
                    used.and_then(|u| u.order_fen),
                    used.and_then(|u| u.product_sku.clone()),
                    used.map(|u| u.by.clone()),
                    used.map(|u| u.terminal.clone()),
                    used.is_some(),
                    now_ms()
                ])?;
                tx.prepare_cached(
                    "DELETE FROM hub_bonuses_out WHERE kind = 'bonus_state' AND key = ?1",
                )?
                .execute([id])?;
                (id, false)
            }
        };
        if created {
            out.created += 1;
            tx.prepare_cached(
                "DELETE FROM hub_bonuses_out WHERE kind IN ('bonus', 'bonus_state') AND key = ?1",
            )?
            .execute([id])?;
        } else {
            out.changed += 1;
        }
        super::audit::record(
            &tx,
            "bonus.hub_pull",
            &id.to_string(),
            &serde_json::json!({
                "code": b.code,
                "created": created,
                "status": b.status,
                "grantedTo": b.granted.as_ref().map(|g| g.0.clone()),
                "usedTerminal": b.used.as_ref().map(|u| u.terminal.clone()),
            }),
        )?;
    }
    tx.commit()?;
    Ok(out)
}

fn state_queued(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM hub_bonuses_out WHERE kind = 'bonus_state' AND key = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}
