//! The desk's side of chain-mode claims (docs/chain-mode.md, "Redemption across desks"):
//! what a redemption records of the hub's answer, the hub outbox, the conflict inbox,
//! leased codes and the templates' offline policies. The hub itself is spoken to by
//! `hub::claims`; this module only keeps the desk's file true.
//!
//! What must stay true:
//! - `mark` runs in the redemption's own transaction: a redemption made offline and its
//!   upload row commit together, so an offline redemption is never lost to the hub;
//! - an outbox row leaves only in the transaction that records the hub's answer
//!   (`uploaded`, `conflicted`, `released`);
//! - an undo of a redemption the hub knows of queues a release in the undo's
//!   transaction; an undo of one it never heard of just drops its upload.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use ts_rs::TS;

use super::{from_ms, now_ms, StoreError};
use crate::domain::offline::{OfflinePolicy, OfflineUse};
use crate::domain::report::day_start;

/// What the hub said of a redemption about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubMark {
    /// The hub gave this desk the code (one conditional statement, `claim_code`).
    Claimed { claim_id: String },
    /// The hub did not answer in time; the desk decided by the template's policy and
    /// uploads the redemption later.
    Offline { claim_id: String },
}

/// Records the hub's answer on redemption `id`, inside the redemption's transaction.
pub fn mark(
    conn: &Connection,
    id: i64,
    mark: &HubMark,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (claim_id, state, offline) = match mark {
        HubMark::Claimed { claim_id } => (claim_id, "claimed", false),
        HubMark::Offline { claim_id } => (claim_id, "pending", true),
    };
    conn.prepare_cached(
        "UPDATE redemptions SET claim_id = ?2, hub_state = ?3, offline = ?4 WHERE id = ?1",
    )?
    .execute(params![id, claim_id, state, offline])?;
    if offline {
        queue(conn, "upload", claim_id, Some(id), now)?;
    }
    Ok(())
}

fn queue(
    conn: &Connection,
    op: &str,
    claim_id: &str,
    redemption: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO hub_outbox (op, claim_id, redemption_id, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![op, claim_id, redemption, now.timestamp_millis()])?;
    Ok(())
}

/// Queues the release of a claim the hub holds for a redemption that never committed
/// locally (the desk's own write failed after the claim): the code must not stay
/// blocked at the hub.
pub fn queue_release(
    conn: &Connection,
    claim_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    queue(conn, "release", claim_id, None, now)
}

/// Queues the release of this terminal's claim of voucher `uid` made at `at`, when the
/// desk could not write the use and the hub did not take the release at once (local
/// migration 27): the voucher must not stay blocked at the hub. The push sends it with
/// the claims' releases; a release that already landed finds nothing.
pub fn queue_voucher_release(
    conn: &Connection,
    uid: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO hub_outbox (op, claim_id, created_at, used_at)
         VALUES ('voucher_release', ?1, ?2, ?3)",
    )?
    .execute(params![uid, now.timestamp_millis(), at.timestamp_millis()])?;
    Ok(())
}

/// Whether the voucher of hub uid `uid` is used at this desk now: a queued release of
/// its claim must then not be sent (this desk used it again meanwhile; the hub's claim,
/// the same terminal's, is that use now).
pub fn voucher_used_here(conn: &Connection, uid: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM vouchers WHERE hub_uid = ?1 AND used_at IS NOT NULL
                AND used_elsewhere = 0",
        )?
        .query_row([uid], |_| Ok(()))
        .optional()?
        .is_some())
}

/// In an undo's transaction: the hub hears of it, or never hears of the redemption.
pub fn on_undo(conn: &Connection, redemption: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let found: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT claim_id, hub_state FROM redemptions WHERE id = ?1")?
        .query_row([redemption], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((Some(claim_id), state)) = found else {
        return Ok(());
    };
    if state.as_deref() == Some("pending") {
        let dropped = conn
            .prepare_cached("DELETE FROM hub_outbox WHERE op = 'upload' AND redemption_id = ?1")?
            .execute([redemption])?;
        if dropped > 0 {
            conn.prepare_cached("UPDATE redemptions SET hub_state = 'withdrawn' WHERE id = ?1")?
                .execute([redemption])?;
            return Ok(());
        }
    }
    queue(conn, "release", &claim_id, Some(redemption), now)
}

/// Whether a claim the hub says this terminal holds may be taken by the redemption being
/// made (in its transaction): yes when no redemption here has it (a crash left it at the
/// hub between the hub's commit and ours), or when the only ones are undone and their
/// release is still queued (the release is dropped: the claim stays, now this
/// redemption's). Never while a live redemption here holds it.
pub fn adoptable(conn: &Connection, claim_id: &str) -> Result<bool, StoreError> {
    let (live, any): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE undone_at IS NULL), count(*) FROM redemptions
              WHERE claim_id = ?1",
        )?
        .query_row([claim_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if live > 0 {
        return Ok(false);
    }
    if any == 0 {
        return Ok(true);
    }
    let dropped = conn
        .prepare_cached("DELETE FROM hub_outbox WHERE op = 'release' AND claim_id = ?1")?
        .execute([claim_id])?;
    Ok(dropped > 0)
}

/// Whether any redemption here (live or undone) carries the claim.
pub fn known_claim(conn: &Connection, claim_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM redemptions WHERE claim_id = ?1 LIMIT 1")?
        .query_row([claim_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The hub's clock (ms) at the last orphan sweep; 0 before the first.
pub fn swept_hub_ms(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .query_row("SELECT swept_hub_ms FROM hub_link WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

pub fn set_swept_hub_ms(conn: &Connection, ms: i64) -> Result<(), StoreError> {
    conn.execute("UPDATE hub_link SET swept_hub_ms = ?1 WHERE id = 1", [ms])?;
    Ok(())
}

/// The template's offline policy (the default when none was set).
pub fn offline_policy(conn: &Connection, template: i64) -> Result<OfflinePolicy, StoreError> {
    let text: Option<String> = conn
        .prepare_cached("SELECT offline_policy FROM templates WHERE id = ?1")?
        .query_row([template], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Sets a template's offline policy, audited; false when there is no such template.
pub fn set_offline_policy(
    conn: &mut Connection,
    template: i64,
    policy: OfflinePolicy,
) -> Result<bool, StoreError> {
    let value = serde_json::to_value(policy)
        .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let n = tx
        .prepare_cached("UPDATE templates SET offline_policy = ?2 WHERE id = ?1")?
        .execute(params![template, value.to_string()])?;
    if n == 1 {
        super::audit::record(
            &tx,
            "template.offline_policy",
            &template.to_string(),
            &value,
        )?;
    }
    tx.commit()?;
    Ok(n == 1)
}

/// This terminal's live offline redemptions of `template` since the start of the shop's
/// day that holds `now`.
pub fn offline_use_today(
    conn: &Connection,
    template: i64,
    terminal: &str,
    now: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<OfflineUse, StoreError> {
    let since = day_start(now.with_timezone(&zone).date_naive(), zone);
    let (count, value): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(reduction_fen), 0) FROM redemptions
              WHERE offline = 1 AND undone_at IS NULL AND template_id = ?1 AND terminal = ?2
                AND redeemed_at >= ?3",
        )?
        .query_row(params![template, terminal, since.timestamp_millis()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(OfflineUse {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        value_fen: value,
    })
}

/// Replaces the codes leased to this terminal with the hub's list (those this desk
/// holds; the others are skipped), in one transaction; how many are leased here now.
pub fn replace_leased(conn: &mut Connection, leased: &[(i64, String)]) -> Result<u64, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute("DELETE FROM hub_leased", [])?;
    let mut n = 0;
    {
        let mut put = tx.prepare_cached(
            "INSERT OR REPLACE INTO hub_leased (code_id, lease_id)
             SELECT id, ?2 FROM codes WHERE code = ?1",
        )?;
        for (lease, code) in leased {
            n += put.execute(params![code, lease])? as u64;
        }
    }
    tx.commit()?;
    Ok(n)
}

pub fn is_leased(conn: &Connection, code_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM hub_leased WHERE code_id = ?1")?
        .query_row([code_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// One thing the hub has still to hear of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub op: Outbound,
    pub claim_id: String,
    pub tries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// An offline redemption: the code, who, when, and its amounts.
    Upload(Upload),
    Release,
    /// A voucher claim's release: `claim_id` is the voucher's hub uid, `at` the claim's
    /// time (only that claim of this terminal is given back).
    VoucherRelease {
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub redemption: i64,
    pub code: String,
    pub operator: String,
    pub at: DateTime<Utc>,
    pub order_fen: Option<i64>,
    pub reduction_fen: i64,
}

/// The oldest `limit` rows of the hub outbox after row `after`.
pub fn outgoing(conn: &Connection, after: i64, limit: u32) -> Result<Vec<Outgoing>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT o.id, o.op, o.claim_id, o.tries, r.id, c.code, r.operator, r.redeemed_at,
                r.order_fen, r.reduction_fen, o.used_at
           FROM hub_outbox o
           LEFT JOIN redemptions r ON r.id = o.redemption_id
           LEFT JOIN codes c ON c.id = r.code_id
          WHERE o.id > ?1 ORDER BY o.id LIMIT ?2",
    )?;
    let rows = st.query_map(params![after, limit], |r| {
        let op: String = r.get(1)?;
        let redemption: Option<i64> = r.get(4)?;
        let used_at: Option<i64> = r.get(10)?;
        let op = match (op.as_str(), redemption) {
            ("upload", Some(redemption)) => Outbound::Upload(Upload {
                redemption,
                code: r.get(5)?,
                operator: r.get(6)?,
                at: from_ms(r.get(7)?),
                order_fen: r.get(8)?,
                reduction_fen: r.get(9)?,
            }),
            ("voucher_release", _) => Outbound::VoucherRelease {
                at: from_ms(used_at.unwrap_or_default()),
            },
            _ => Outbound::Release,
        };
        Ok(Outgoing {
            id: r.get(0)?,
            op,
            claim_id: r.get(2)?,
            tries: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn outgoing_count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM hub_outbox", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The hub took the upload as this desk's claim.
pub fn uploaded(conn: &Connection, row: &Outgoing, redemption: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE redemptions SET hub_state = 'uploaded' WHERE id = ?1")?
        .execute([redemption])?;
    done(conn, row.id)
}

/// The hub released the claim (or never had it).
pub fn released(conn: &Connection, row: &Outgoing) -> Result<(), StoreError> {
    done(conn, row.id)
}

fn done(conn: &Connection, outbox_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM hub_outbox WHERE id = ?1")?
        .execute([outbox_id])?;
    Ok(())
}

/// The hub could not take the row now (offline, or it does not know the code yet): it
/// stays queued, with the reason, and is tried again.
pub fn failed(conn: &Connection, outbox_id: i64, error: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE hub_outbox SET tries = tries + 1, last_error = ?2 WHERE id = ?1")?
        .execute(params![outbox_id, error])?;
    Ok(())
}

/// Who had the code first, as the hub told it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeptClaim {
    pub staff: Option<String>,
    pub terminal: Option<String>,
    pub store: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// The hub found the offline redemption's code held by another: one conflict row, and
/// the upload leaves the outbox, in one transaction.
pub fn conflicted(
    conn: &Connection,
    row: &Outgoing,
    up: &Upload,
    reason: &str,
    kept: &KeptClaim,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE redemptions SET hub_state = 'conflict' WHERE id = ?1")?
        .execute([up.redemption])?;
    conn.prepare_cached(
        "INSERT INTO hub_conflicts (redemption_id, code, reason, kept_staff, kept_terminal,
           kept_store, kept_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (redemption_id) DO NOTHING",
    )?
    .execute(params![
        up.redemption,
        up.code,
        reason,
        kept.staff,
        kept.terminal,
        kept.store,
        kept.at.map(|t| t.timestamp_millis()),
        now.timestamp_millis()
    ])?;
    done(conn, row.id)
}

/// One row of the conflict inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubConflict {
    #[ts(type = "number")]
    pub id: i64,
    pub code: String,
    /// Why the hub kept the other: `redeemed` (another claim), `leased`, `disabled`.
    pub reason: String,
    /// This desk's offline redemption.
    #[ts(type = "number")]
    pub redemption_id: i64,
    pub operator: String,
    pub terminal: String,
    pub redeemed_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub reduction_fen: i64,
    /// The claim the hub kept.
    pub kept_staff: Option<String>,
    pub kept_terminal: Option<String>,
    pub kept_store: Option<String>,
    pub kept_at: Option<DateTime<Utc>>,
    pub settled_at: Option<DateTime<Utc>>,
    pub settled_by: Option<String>,
    pub settlement: Option<String>,
}

/// The conflict inbox, open ones first, newest first.
pub fn conflicts(conn: &Connection) -> Result<Vec<HubConflict>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT h.id, h.code, h.reason, r.id, r.operator, r.terminal, r.redeemed_at,
                r.reduction_fen, h.kept_staff, h.kept_terminal, h.kept_store, h.kept_at,
                h.settled_at, h.settled_by, h.settlement
           FROM hub_conflicts h JOIN redemptions r ON r.id = h.redemption_id
          ORDER BY h.settled_at IS NOT NULL, h.id DESC",
    )?;
    let rows = st.query_map([], |r| {
        Ok(HubConflict {
            id: r.get(0)?,
            code: r.get(1)?,
            reason: r.get(2)?,
            redemption_id: r.get(3)?,
            operator: r.get(4)?,
            terminal: r.get(5)?,
            redeemed_at: from_ms(r.get(6)?),
            reduction_fen: r.get(7)?,
            kept_staff: r.get(8)?,
            kept_terminal: r.get(9)?,
            kept_store: r.get(10)?,
            kept_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
            settled_at: r.get::<_, Option<i64>>(12)?.map(from_ms),
            settled_by: r.get(13)?,
            settlement: r.get(14)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Records how the acting manager settled conflict `id`, audited; false when it does
/// not exist or was settled already.
pub fn settle(conn: &mut Connection, id: i64, settlement: &str) -> Result<bool, StoreError> {
    let by = super::acting::name();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let code: Option<String> = tx
        .prepare_cached(
            "UPDATE hub_conflicts SET settled_at = ?2, settled_by = ?3, settlement = ?4
              WHERE id = ?1 AND settled_at IS NULL RETURNING code",
        )?
        .query_row(params![id, now_ms(), by, settlement], |r| r.get(0))
        .optional()?;
    if let Some(code) = &code {
        super::audit::record(
            &tx,
            "hub.conflict_settle",
            code,
            &serde_json::json!({ "conflict": id, "settlement": settlement }),
        )?;
    }
    tx.commit()?;
    Ok(code.is_some())
}
