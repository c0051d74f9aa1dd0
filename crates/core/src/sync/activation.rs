//! Bulk activation and deactivation of a batch's codes on e-Buy (004): the local status
//! changes (issued <-> active, through the store's `code_writes::move_status`, which
//! applies the lifecycle and audits) and one outbox row per code are written in one
//! transaction; the engine sends them in envelopes of up to 500 codes.
//!
//! Both directions are refused (`ebuy_not_set_up`) unless e-Buy is set up (`set_up`):
//! otherwise a whole batch (200,000 codes) would be queued for a platform that can never
//! receive it, and the codes would show as active here only.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::connectors::ebuy;
use super::outbox::{self, NewOp};
use super::types::{ActivationReport, ActivationRequest, ActivationSkip, Platform};
use super::{SyncError, SyncResult};
use crate::domain::lifecycle::CodeStatus;
use crate::store::code_writes::{self, MoveAudit, Moved, Selection};

/// At most this many codes by name in one request (a whole batch has no limit).
pub const MAX_NAMED: usize = 100_000;
const SKIPS_SHOWN: usize = 100;

/// Whether e-Buy is set up for activation: sync with it is on, it has an address and
/// its secret is stored. (Turning sync on already requires the address, appId, brandId
/// and secret, but the secret can vanish from the keyring later.) The window shows
/// 整批激活 by the same rule, from the settings (`enabled`, `baseUrl`, `hasSecret`).
pub fn set_up(conn: &Connection, db: &Path) -> SyncResult<()> {
    let s = super::settings::get(conn, db, Platform::Ebuy)?;
    let missing = if !s.enabled {
        "sync with e-Buy is off"
    } else if s.base_url.trim().is_empty() {
        "e-Buy has no address"
    } else if !s.has_secret {
        "no e-Buy secret is stored"
    } else {
        return Ok(());
    };
    Err(SyncError::EbuyNotSetUp(missing))
}

pub fn run(
    conn: &mut Connection,
    db: &Path,
    req: &ActivationRequest,
) -> SyncResult<ActivationReport> {
    set_up(conn, db)?;
    let (from, to, op) = if req.activate {
        (CodeStatus::Issued, CodeStatus::Active, ebuy::ACTIVATE)
    } else {
        (CodeStatus::Active, CodeStatus::Issued, ebuy::UNACTIVATE)
    };
    if req.codes.as_ref().is_some_and(|c| c.len() > MAX_NAMED) {
        return Err(SyncError::TooManyCodes);
    }
    // Activation data travels in each row's payload; rows with the same payload share
    // envelopes.
    let payload = match (&req.make_funds_channel, req.activate) {
        (Some(f), true) => {
            if let Some((name, _)) = f
                .amounts()
                .into_iter()
                .find(|(_, a)| a.is_some_and(|a| a < 0))
            {
                return Err(SyncError::Field {
                    field: "makeFundsChannel",
                    code: "out_of_range",
                    message: format!("{name} cannot be negative; amounts are in fen"),
                });
            }
            serde_json::json!({ "makeFundsChannel": f })
        }
        _ => serde_json::json!({}),
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Earlier changes first: a code's status news must reach e-Buy in the order it
    // happened, so what the counter recorded before this request goes out before it.
    super::router::route(&tx)?;
    let selection = match &req.codes {
        None => Selection::WholeBatch,
        Some(codes) => Selection::Named(codes),
    };
    let audit = MoveAudit {
        action: if req.activate {
            "codes.activate"
        } else {
            "codes.deactivate"
        },
        detail: serde_json::json!({ "payload": payload }),
    };
    let moved: Moved = code_writes::move_status::<SyncError>(
        &tx,
        &req.ticket_type,
        selection,
        (from, to),
        SKIPS_SHOWN,
        audit,
    )?
    .ok_or_else(|| SyncError::BatchNotFound(req.ticket_type.clone()))?;
    for (_, code) in &moved.changed {
        outbox::enqueue(
            &tx,
            NewOp {
                platform: Platform::Ebuy,
                op,
                subject: code,
                batch_id: Some(moved.batch_id),
                payload: payload.clone(),
            },
        )?;
    }
    tx.commit()?;
    Ok(ActivationReport {
        queued: moved.changed.len() as u64,
        skipped: moved
            .skipped
            .into_iter()
            .map(|s| ActivationSkip {
                code: s.code,
                reason: s.reason.to_owned(),
            })
            .collect(),
        skipped_total: moved.skipped_total,
    })
}
