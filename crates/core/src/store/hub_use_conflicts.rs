//! The use conflicts (`hub_use_conflicts`, local migration 27, docs/chain-mode.md,
//! "Vouchers" and "Bonuses"): a voucher's or a bonus's use made here (offline, allowed by
//! a manager) that the hub refused at the upload because another desk's came first. One
//! list with a kind, beside the code conflicts on the Sync page; a manager settles each
//! with a note.
//!
//! What must stay true: the local use stays as it was made (the customer was served);
//! a conflict is recorded once per item (audited `voucher.hub_conflict` /
//! `bonus.hub_conflict`); settling records what was done, once, audited
//! `voucher.hub_conflict_settle` / `bonus.hub_conflict_settle`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use ts_rs::TS;

use super::hub_offline_uses::HubUseKind;
use super::{from_ms, now_ms, StoreError};

/// One conflict: the voucher or bonus, this desk's use, the use the hub kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubUseConflict {
    pub kind: HubUseKind,
    /// The local voucher's or bonus's id (one conflict per item and kind).
    #[ts(type = "number")]
    pub id: i64,
    /// The voucher's name, or the bonus's code.
    pub name: String,
    /// The customer's phone (a bonus not granted has none).
    pub customer: Option<String>,
    /// The voucher's price, or the bonus's amount.
    #[ts(type = "number")]
    pub value_fen: i64,
    /// This desk's use: who, which terminal, when, and the order (a bonus's use).
    pub used_by: String,
    pub used_terminal: String,
    pub used_at: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    pub used_amount_fen: Option<i64>,
    /// The use the hub kept.
    pub kept_by: String,
    pub kept_terminal: String,
    pub kept_store: String,
    pub kept_at: DateTime<Utc>,
    #[ts(type = "number | null")]
    pub kept_amount_fen: Option<i64>,
    pub settled_at: Option<DateTime<Utc>>,
    pub settled_by: Option<String>,
    pub settlement: Option<String>,
}

/// The use the hub kept, as the upload's answer told it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptUse<'a> {
    pub by: &'a str,
    pub terminal: &'a str,
    pub store: &'a str,
    pub at_ms: i64,
    pub amount_fen: Option<i64>,
}

/// Records that the hub kept another desk's use of `kind` `id`, used here too, audited
/// `voucher.hub_conflict` / `bonus.hub_conflict`; false when it was recorded already.
pub fn record(
    conn: &Connection,
    kind: HubUseKind,
    id: i64,
    kept: &KeptUse<'_>,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "INSERT INTO hub_use_conflicts (kind, item_id, kept_by, kept_terminal, kept_store,
                                            kept_at, kept_amount_fen, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (kind, item_id) DO NOTHING",
        )?
        .execute(params![
            kind.as_str(),
            id,
            kept.by,
            kept.terminal,
            kept.store,
            kept.at_ms,
            kept.amount_fen,
            now_ms()
        ])?;
    if n == 1 {
        super::audit::record(
            conn,
            &format!("{}.hub_conflict", kind.as_str()),
            &id.to_string(),
            &serde_json::json!({ "keptBy": kept.by, "keptTerminal": kept.terminal,
                                 "keptStore": kept.store, "keptAt": kept.at_ms,
                                 "keptAmountFen": kept.amount_fen }),
        )?;
    }
    Ok(n == 1)
}

/// Open ones first, newest first; vouchers and bonuses in one list.
pub fn list(conn: &Connection) -> Result<Vec<HubUseConflict>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT * FROM (
           SELECT h.kind, h.item_id, v.name, c.phone, v.price_fen, coalesce(v.used_by, ''),
                  coalesce(v.used_terminal, ''), v.used_at, NULL, h.kept_by, h.kept_terminal,
                  h.kept_store, h.kept_at, h.kept_amount_fen, h.settled_at, h.settled_by,
                  h.settlement, h.created_at
             FROM hub_use_conflicts h
             JOIN vouchers v ON v.id = h.item_id
             LEFT JOIN customers c ON c.id = v.customer_id
            WHERE h.kind = 'voucher'
           UNION ALL
           SELECT h.kind, h.item_id, b.code, c.phone, b.amount_fen, coalesce(b.used_by, ''),
                  coalesce(b.used_terminal, ''), b.used_at, b.used_order_fen, h.kept_by,
                  h.kept_terminal, h.kept_store, h.kept_at, h.kept_amount_fen, h.settled_at,
                  h.settled_by, h.settlement, h.created_at
             FROM hub_use_conflicts h
             JOIN bonuses b ON b.id = h.item_id
             LEFT JOIN customers c ON c.id = b.customer_id
            WHERE h.kind = 'bonus')
          ORDER BY settled_at IS NOT NULL, created_at DESC, item_id DESC",
    )?;
    let rows = st.query_map([], |r| {
        let kind: String = r.get(0)?;
        Ok(HubUseConflict {
            kind: if kind == "bonus" {
                HubUseKind::Bonus
            } else {
                HubUseKind::Voucher
            },
            id: r.get(1)?,
            name: r.get(2)?,
            customer: r.get(3)?,
            value_fen: r.get(4)?,
            used_by: r.get(5)?,
            used_terminal: r.get(6)?,
            used_at: r.get::<_, Option<i64>>(7)?.map(from_ms),
            used_amount_fen: r.get(8)?,
            kept_by: r.get(9)?,
            kept_terminal: r.get(10)?,
            kept_store: r.get(11)?,
            kept_at: from_ms(r.get(12)?),
            kept_amount_fen: r.get(13)?,
            settled_at: r.get::<_, Option<i64>>(14)?.map(from_ms),
            settled_by: r.get(15)?,
            settlement: r.get(16)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Records how the acting manager settled the conflict of `kind` `id`, audited; false
/// when there is none or it was settled already. The note is the caller's to check.
pub fn settle(
    conn: &mut Connection,
    kind: HubUseKind,
    id: i64,
    settlement: &str,
) -> Result<bool, StoreError> {
    let by = super::acting::name();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let done = tx
        .prepare_cached(
            "UPDATE hub_use_conflicts SET settled_at = ?3, settled_by = ?4, settlement = ?5
              WHERE kind = ?1 AND item_id = ?2 AND settled_at IS NULL RETURNING item_id",
        )?
        .query_row(params![kind.as_str(), id, now_ms(), by, settlement], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .is_some();
    if done {
        super::audit::record(
            &tx,
            &format!("{}.hub_conflict_settle", kind.as_str()),
            &id.to_string(),
            &serde_json::json!({ "settlement": settlement }),
        )?;
    }
    tx.commit()?;
    Ok(done)
}
