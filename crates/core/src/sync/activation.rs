//! Bulk activation and deactivation of a batch's codes on e-Buy (004): the local status
//! changes (issued <-> active) and one outbox row per code are written in one
//! transaction; the engine sends them in envelopes of up to 500 codes.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::connectors::ebuy;
use super::outbox::{self, NewOp};
use super::types::{ActivationReport, ActivationRequest, ActivationSkip, Platform};
use super::{SyncError, SyncResult};
use crate::domain::lifecycle::CodeStatus;
use crate::store::batches::add_count;
use crate::store::{code_id, now_ms};

/// At most this many codes by name in one request (a whole batch has no limit).
pub const MAX_NAMED: usize = 100_000;
const SKIPS_SHOWN: usize = 100;

pub fn run(conn: &mut Connection, req: &ActivationRequest) -> SyncResult<ActivationReport> {
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
    let batch: Option<(i64, i64)> = tx
        .query_row(
            "SELECT id, next_seq FROM batches WHERE ticket_type = ?1",
            [req.ticket_type.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (batch_id, next_seq) =
        batch.ok_or_else(|| SyncError::BatchNotFound(req.ticket_type.clone()))?;
    let now = now_ms();
    let mut changed: Vec<(i64, String)> = Vec::new();
    let mut skipped = Vec::new();
    let mut skipped_total = 0u64;
    match &req.codes {
        None => {
            // The whole batch: its codes are one id range (store/mod.rs).
            let mut st = tx.prepare(
                "UPDATE codes SET status = ?3, updated_at = ?4
                  WHERE id >= ?1 AND id < ?2 AND status = ?5 RETURNING id, code",
            )?;
            let rows = st.query_map(
                params![
                    code_id(batch_id, 1),
                    code_id(batch_id, next_seq),
                    to.to_db(),
                    now,
                    from.to_db()
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            for r in rows {
                changed.push(r?);
            }
            changed.sort_unstable();
        }
        Some(codes) => {
            let mut find = tx.prepare_cached("SELECT id, status FROM codes WHERE code = ?1")?;
            let mut set =
                tx.prepare_cached("UPDATE codes SET status = ?2, updated_at = ?3 WHERE id = ?1")?;
            let mut seen = std::collections::HashSet::new();
            for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                if !seen.insert(code) {
                    continue;
                }
                let found: Option<(i64, i64)> = find
                    .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let reason = match found {
                    None => Some("unknown"),
                    Some((id, _)) if id >> 32 != batch_id => Some("not_in_batch"),
                    Some((_, s)) if s == from.to_db() => None,
                    Some((_, s)) if CodeStatus::from_db(s).is_some_and(|s| s.is_final()) => {
                        Some("final")
                    }
                    Some(_) if req.activate => Some("already_active"),
                    Some(_) => Some("not_active"),
                };
                match (reason, found) {
                    (None, Some((id, _))) => {
                        set.execute(params![id, to.to_db(), now])?;
                        changed.push((id, code.to_owned()));
                    }
                    (Some(reason), _) => {
                        skipped_total += 1;
                        if skipped.len() < SKIPS_SHOWN {
                            skipped.push(ActivationSkip {
                                code: code.to_owned(),
                                reason: reason.to_owned(),
                            });
                        }
                    }
                    (None, None) => {}
                }
            }
        }
    }
    let n = changed.len() as i64;
    add_count(&tx, batch_id, from, -n)?;
    add_count(&tx, batch_id, to, n)?;
    for (_, code) in &changed {
        outbox::enqueue(
            &tx,
            NewOp {
                platform: Platform::Ebuy,
                op,
                subject: code,
                batch_id: Some(batch_id),
                payload: payload.clone(),
            },
        )?;
    }
    crate::audit::record(
        &tx,
        if req.activate {
            "codes.activate"
        } else {
            "codes.deactivate"
        },
        req.ticket_type.trim(),
        &serde_json::json!({ "queued": n, "skipped": skipped_total,
                             "wholeBatch": req.codes.is_none(), "payload": payload }),
    )?;
    tx.commit()?;
    Ok(ActivationReport {
        queued: n as u64,
        skipped,
        skipped_total,
    })
}

/// Tells e-Buy that a code it activated changed status at our counter (redeemed,
/// redemption undone, disabled): an `ebuy.status` row in the caller's transaction.
/// Only codes that are active (which only e-Buy activation makes them) need this.
pub fn tell_ebuy(
    tx: &Connection,
    who: &str,
    code: &str,
    batch_id: i64,
    now: CodeStatus,
) -> Result<(), crate::store::StoreError> {
    use coupondesk_wire::ebuy::code_status;
    let status = match now {
        CodeStatus::Redeemed => code_status::USED,
        CodeStatus::Disabled => code_status::INVALID,
        CodeStatus::Active => code_status::ACTIVATED,
        CodeStatus::Issued | CodeStatus::Expired => return Ok(()),
    };
    outbox::enqueue_as(
        tx,
        who,
        NewOp {
            platform: Platform::Ebuy,
            op: ebuy::STATUS,
            subject: code,
            batch_id: Some(batch_id),
            payload: serde_json::json!({ "codeStatus": status }),
        },
    )?;
    Ok(())
}
