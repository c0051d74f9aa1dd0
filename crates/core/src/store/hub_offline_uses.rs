//! What a joined desk may use when the hub does not answer (local migration 27,
//! docs/chain-mode.md, "Vouchers" and "Bonuses"): vouchers, bonuses, each its own
//! manager's switch.
//!
//! What must stay true: no row means "not allowed" (the reading that cannot cost the
//! merchant money); every change is audited in its own transaction, `hub.vouchers_offline`
//! or `hub.bonuses_offline`.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::StoreError;

/// What is used at the counter and claimed at the hub beside codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum HubUseKind {
    Voucher,
    Bonus,
}

impl HubUseKind {
    /// Its name in the tables (`hub_offline_uses.kind`, `hub_use_conflicts.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            HubUseKind::Voucher => "voucher",
            HubUseKind::Bonus => "bonus",
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            HubUseKind::Voucher => "hub.vouchers_offline",
            HubUseKind::Bonus => "hub.bonuses_offline",
        }
    }
}

/// Whether a `kind` may be used while the hub does not answer.
pub fn allowed(conn: &Connection, kind: HubUseKind) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT allowed FROM hub_offline_uses WHERE kind = ?1")?
        .query_row([kind.as_str()], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// Sets it, audited (`hub.vouchers_offline` / `hub.bonuses_offline`), in one transaction.
pub fn set_allowed(
    conn: &mut Connection,
    kind: HubUseKind,
    allowed: bool,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO hub_offline_uses (kind, allowed) VALUES (?1, ?2)
         ON CONFLICT (kind) DO UPDATE SET allowed = excluded.allowed",
        rusqlite::params![kind.as_str(), allowed],
    )?;
    super::audit::record(
        &tx,
        kind.audit_action(),
        "hub_offline_uses",
        &serde_json::json!({ "enabled": allowed }),
    )?;
    tx.commit()?;
    Ok(())
}
