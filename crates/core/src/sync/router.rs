//! The router: turns the store's change records (`domain::change::Change`, waiting in
//! the `changes` table) into the platforms' outbox operations, the one place that
//! decides which platform hears of which change, and in which op and payload.
//!
//! When it runs: after each `Desk` use case that recorded a change, at the start of
//! every sync run (so nothing recorded by another process is left behind), before the
//! outbox is read for the Sync page, and inside the activation transaction (so a code's
//! earlier status news is queued before its activation ops).
//!
//! What must stay true: routing is one transaction holding the write lock: the records
//! are read, their outbox rows written and the records removed together. A process
//! killed at any point leaves either the records (routed next time) or the outbox rows
//! (and no records): a change is queued exactly once. Records are routed in the order
//! they were made, so ops on one subject keep that order in the outbox.
//!
//! Chain mode (docs/chain-mode.md, "The platform desk"): at a joined desk that is not
//! the platform desk, the router leaves the records alone; they are relayed to the hub
//! (`desk::hub_relay`) and the platform desk routes them with `route_relayed`, the same
//! translation, so the ops and payloads are the ones this desk would have queued. While
//! a record is being relayed (`store::hub_relay::holds_records`) nothing is routed here.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::connectors::{bonus, ebuy, sense, voucher, wxcard};
use super::outbox::{self, NewOp};
use super::types::Platform;
use crate::domain::change::Change;
use crate::domain::lifecycle::CodeStatus;
use crate::store::changes::{self, Pending};
use crate::store::hub_relay;
use crate::store::StoreError;

/// Routes every waiting record in the caller's write transaction. Returns how many
/// records it routed.
pub fn route(tx: &Connection) -> Result<usize, StoreError> {
    if hub_relay::holds_records(tx)? {
        return Ok(0);
    }
    let pending = changes::pending(tx)?;
    let Some(last) = pending.last().map(|p| p.id) else {
        return Ok(0);
    };
    for p in &pending {
        route_one(tx, p)?;
    }
    // Test-only (debug builds): the outbox rows are written, the records not yet removed
    // (a kill here must route them once, later: crates/cli/tests/route_kill.rs).
    crate::test_hooks::pause("route", true);
    changes::remove_through(tx, last)?;
    Ok(pending.len())
}

/// Routes every waiting record in a transaction of its own; takes the write lock only
/// when there is something to route.
pub fn route_pending(conn: &mut Connection) -> Result<usize, StoreError> {
    let waiting: bool = conn
        .prepare_cached("SELECT 1 FROM changes LIMIT 1")?
        .query_row([], |_| Ok(true))
        .optional()?
        .unwrap_or(false);
    if !waiting || hub_relay::holds_records(conn)? {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let n = route(&tx)?;
    tx.commit()?;
    Ok(n)
}

/// After a use case on this thread: routes when it recorded something (the store's
/// hint, `changes::take_appended`), so a redemption that recorded nothing costs nothing.
pub fn route_if_recorded(conn: &mut Connection) -> Result<usize, StoreError> {
    if changes::take_appended() {
        route_pending(conn)
    } else {
        Ok(0)
    }
}

fn route_one(tx: &Connection, p: &Pending) -> Result<(), StoreError> {
    route_relayed(tx, &p.actor, &p.change)
}

/// Routes one record in the caller's write transaction, in the name of `actor`: at the
/// platform desk, a record another desk relayed (its keys already turned into this
/// desk's row ids).
pub fn route_relayed(tx: &Connection, actor: &str, change: &Change) -> Result<(), StoreError> {
    let Some(op) = translate(tx, change)? else {
        return Ok(());
    };
    outbox::enqueue_as(
        tx,
        actor,
        NewOp {
            platform: op.platform,
            op: op.op,
            subject: &op.subject,
            batch_id: change.batch(),
            payload: op.payload,
        },
    )?;
    Ok(())
}

/// One outbox op, owned.
struct Routed {
    platform: Platform,
    op: &'static str,
    subject: String,
    payload: serde_json::Value,
}

/// What a record becomes on the platforms; None: no platform needs to hear of it.
fn translate(tx: &Connection, change: &Change) -> Result<Option<Routed>, StoreError> {
    let routed = |platform, op, subject: String, payload| {
        Some(Routed {
            platform,
            op,
            subject,
            payload,
        })
    };
    Ok(match change {
        // 001 knows four of the template kinds: a create, or an update once a create is
        // queued or done. A `general` template stays local; when it later becomes one
        // of the four kinds, its create is queued then.
        Change::TemplateSaved { template, draft } => match wxcard::payload_for(draft) {
            None => None,
            Some(payload) => {
                let subject = template.to_string();
                let op = if queued_before(tx, Platform::WxCard, wxcard::CREATE, &subject)? {
                    wxcard::UPDATE
                } else {
                    wxcard::CREATE
                };
                routed(Platform::WxCard, op, subject, payload)
            }
        },
        // The batch's codes go to 000 once, at the first link: the platform cannot take
        // codes out of a ticket type, so a later re-link (after an unlink) must not send
        // them again.
        Change::BatchLinked {
            batch,
            ticket_type,
            title,
            codes,
            platform_batch,
            ..
        } => {
            if import_sent(tx, *batch)? {
                None
            } else {
                let payload = sense::ImportPayload::new(
                    ticket_type,
                    title,
                    *codes,
                    platform_batch.as_deref(),
                );
                routed(
                    Platform::Sense,
                    sense::IMPORT,
                    ticket_type.clone(),
                    to_value(&payload),
                )
            }
        }
        // Only e-Buy activates codes, so only e-Buy hears of what happened to one.
        Change::CodeStatusChanged { code, status, .. } => {
            use coupondesk_wire::ebuy::code_status;
            let wire = match status {
                CodeStatus::Redeemed => Some(code_status::USED),
                CodeStatus::Disabled => Some(code_status::INVALID),
                CodeStatus::Active => Some(code_status::ACTIVATED),
                CodeStatus::Issued | CodeStatus::Expired => None,
            };
            wire.and_then(|s| {
                routed(
                    Platform::Ebuy,
                    ebuy::STATUS,
                    code.clone(),
                    serde_json::json!({ "codeStatus": s }),
                )
            })
        }
        Change::BonusCreated {
            code,
            amount_fen,
            min_amount_fen,
            expired_at,
            xname,
            product_sku,
            enabled,
        } => {
            let payload = bonus::CreatePayload {
                amount_fen: *amount_fen,
                min_amount_fen: *min_amount_fen,
                expired_at: expired_at.map(|e| e.timestamp()),
                remark: xname.clone(),
                product_sku: product_sku.clone(),
                enabled: *enabled,
            };
            routed(
                Platform::Bonus,
                bonus::CREATE,
                code.clone(),
                to_value(&payload),
            )
        }
        Change::BonusGranted { code, customer } => routed(
            Platform::Bonus,
            bonus::GRANT,
            code.clone(),
            serde_json::json!({ "customer": customer }),
        ),
        Change::BonusDisabled { code } => routed(
            Platform::Bonus,
            bonus::DISABLE,
            code.clone(),
            serde_json::json!({}),
        ),
        Change::VoucherSold {
            id,
            name,
            price_fen,
        } => routed(
            Platform::Voucher,
            voucher::BUY,
            id.to_string(),
            serde_json::json!({ "name": name, "priceFen": price_fen }),
        ),
    })
}

/// A payload type of ours is plain data: serialising it cannot fail.
fn to_value<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Whether an `op` on `subject` was ever queued for `platform` (in any state).
fn queued_before(
    tx: &Connection,
    platform: Platform,
    op: &str,
    subject: &str,
) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE platform = ?1 AND op = ?2 AND subject = ?3 LIMIT 1",
        )?
        .query_row(params![platform.id(), op, subject], |_| Ok(true))
        .optional()?
        .unwrap_or(false))
}

/// Whether the batch's codes were sent to 000, or are on their way.
fn import_sent(tx: &Connection, batch: i64) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE platform = ?1 AND op = ?2 AND batch_id = ?3
               AND state IN ('queued', 'done') LIMIT 1",
        )?
        .query_row(params![Platform::Sense.id(), sense::IMPORT, batch], |_| {
            Ok(true)
        })
        .optional()?
        .unwrap_or(false))
}
