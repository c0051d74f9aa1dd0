//! The voucher conflicts (`hub_voucher_conflicts`, local migrations 20 and 24,
//! docs/chain-mode.md, "Vouchers"): a use made here that the hub refused at the upload
//! because another desk's came first. Listed on the Sync page; a manager settles each
//! with a note.
//!
//! What must stay true: the local use stays as it was made (the customer was served);
//! settling records what was done, once, audited `voucher.hub_conflict_settle`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use ts_rs::TS;

use super::{from_ms, now_ms, StoreError};

/// One voucher conflict: the voucher, this desk's use, the use the hub kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubVoucherConflict {
    /// The local voucher's id (one conflict per voucher).
    #[ts(type = "number")]
    pub voucher_id: i64,
    pub name: String,
    pub customer: String,
    #[ts(type = "number")]
    pub price_fen: i64,
    /// This desk's use.
    pub used_by: String,
    pub used_terminal: String,
    pub used_at: Option<DateTime<Utc>>,
    /// The use the hub kept.
    pub kept_by: String,
    pub kept_terminal: String,
    pub kept_store: String,
    pub kept_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
    pub settled_by: Option<String>,
    pub settlement: Option<String>,
}

/// Open ones first, newest first.
pub fn list(conn: &Connection) -> Result<Vec<HubVoucherConflict>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT h.voucher_id, v.name, c.phone, v.price_fen, coalesce(v.used_by, ''),
                coalesce(v.used_terminal, ''), v.used_at, h.kept_by, h.kept_terminal,
                h.kept_store, h.kept_at, h.settled_at, h.settled_by, h.settlement
           FROM hub_voucher_conflicts h
           JOIN vouchers v ON v.id = h.voucher_id
           JOIN customers c ON c.id = v.customer_id
          ORDER BY h.settled_at IS NOT NULL, h.created_at DESC, h.voucher_id DESC",
    )?;
    let rows = st.query_map([], |r| {
        Ok(HubVoucherConflict {
            voucher_id: r.get(0)?,
            name: r.get(1)?,
            customer: r.get(2)?,
            price_fen: r.get(3)?,
            used_by: r.get(4)?,
            used_terminal: r.get(5)?,
            used_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
            kept_by: r.get(7)?,
            kept_terminal: r.get(8)?,
            kept_store: r.get(9)?,
            kept_at: from_ms(r.get(10)?),
            settled_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
            settled_by: r.get(12)?,
            settlement: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Records how the acting manager settled the conflict of voucher `voucher_id`, audited;
/// false when there is none or it was settled already. The note is the caller's to check.
pub fn settle(
    conn: &mut Connection,
    voucher_id: i64,
    settlement: &str,
) -> Result<bool, StoreError> {
    let by = super::acting::name();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let done = tx
        .prepare_cached(
            "UPDATE hub_voucher_conflicts SET settled_at = ?2, settled_by = ?3, settlement = ?4
              WHERE voucher_id = ?1 AND settled_at IS NULL RETURNING voucher_id",
        )?
        .query_row(params![voucher_id, now_ms(), by, settlement], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .is_some();
    if done {
        super::audit::record(
            &tx,
            "voucher.hub_conflict_settle",
            &voucher_id.to_string(),
            &serde_json::json!({ "settlement": settlement }),
        )?;
    }
    tx.commit()?;
    Ok(done)
}
