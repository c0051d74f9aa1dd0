//! A joined desk's voucher settings (local migration 25, docs/chain-mode.md, "Vouchers"):
//! whether a voucher may be used when the hub does not answer.
//!
//! What must stay true: no row means "not allowed" (the reading that cannot cost the
//! merchant money); every change is audited in its own transaction.

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

/// Whether a voucher may be used while the hub does not answer.
pub fn offline_allowed(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT offline_allowed FROM hub_voucher_settings WHERE id = 1",
            [],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// Sets it, audited `hub.vouchers_offline`, in one transaction.
pub fn set_offline_allowed(conn: &mut Connection, allowed: bool) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO hub_voucher_settings (id, offline_allowed) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET offline_allowed = excluded.offline_allowed",
        [allowed],
    )?;
    super::audit::record(
        &tx,
        "hub.vouchers_offline",
        "hub_voucher_settings",
        &serde_json::json!({ "enabled": allowed }),
    )?;
    tx.commit()?;
    Ok(())
}
