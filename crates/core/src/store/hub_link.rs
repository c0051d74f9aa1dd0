//! The desk's link to its chain-mode hub: one row (`hub_link`, migration 16), absent
//! until `hub join`. The terminal role's password is not here (sync/credentials.rs).

use rusqlite::{params, Connection, OptionalExtension};

use super::batches::add_count;
use super::{now_ms, StoreError};
use crate::domain::lifecycle::CodeStatus;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubLink {
    /// Without a password.
    pub url: String,
    pub hub_database: String,
    pub store: String,
    pub terminal: String,
    pub terminal_id: i64,
    pub role: String,
    pub pulled_seq: i64,
    pub last_contact_ms: Option<i64>,
    pub last_error: Option<String>,
    pub deadline_ms: i64,
    pub platform_desk: bool,
}

pub fn get(conn: &Connection) -> Result<Option<HubLink>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT url, hub_database, store, terminal, terminal_id, role, pulled_seq,
                    last_contact_ms, last_error, deadline_ms, platform_desk
             FROM hub_link WHERE id = 1",
            [],
            |r| {
                Ok(HubLink {
                    url: r.get(0)?,
                    hub_database: r.get(1)?,
                    store: r.get(2)?,
                    terminal: r.get(3)?,
                    terminal_id: r.get(4)?,
                    role: r.get(5)?,
                    pulled_seq: r.get(6)?,
                    last_contact_ms: r.get(7)?,
                    last_error: r.get(8)?,
                    deadline_ms: r.get(9)?,
                    platform_desk: r.get(10)?,
                })
            },
        )
        .optional()?)
}

/// Writes the link of a (re)join; the local settings (deadline, platform desk) of an
/// earlier link to the same hub stay.
pub fn set(conn: &Connection, l: &HubLink) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO hub_link (id, url, hub_database, store, terminal, terminal_id, role,
                               pulled_seq, last_contact_ms, last_error, deadline_ms, platform_desk)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, hub_database = excluded.hub_database,
           store = excluded.store, terminal = excluded.terminal,
           terminal_id = excluded.terminal_id, role = excluded.role,
           pulled_seq = excluded.pulled_seq, last_contact_ms = excluded.last_contact_ms,
           last_error = excluded.last_error",
        params![
            l.url,
            l.hub_database,
            l.store,
            l.terminal,
            l.terminal_id,
            l.role,
            l.pulled_seq,
            l.last_contact_ms,
            l.last_error,
            l.deadline_ms,
            l.platform_desk
        ],
    )?;
    Ok(())
}

/// Sets the claim deadline (`deadline_ms`), audited, in one transaction; false when the
/// desk has no link. The range is the caller's to check (`desk::hub`).
pub fn set_deadline(conn: &mut Connection, deadline_ms: i64) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let n = tx.execute(
        "UPDATE hub_link SET deadline_ms = ?1 WHERE id = 1",
        [deadline_ms],
    )?;
    if n == 1 {
        super::audit::record(
            &tx,
            "hub.deadline",
            "hub_link",
            &serde_json::json!({ "deadlineMs": deadline_ms }),
        )?;
    }
    tx.commit()?;
    Ok(n == 1)
}

/// Records a call's outcome: the time of a successful contact, or the error of a failed
/// one (the last contact stays).
pub fn record_contact(
    conn: &Connection,
    at_ms: i64,
    error: Option<&str>,
) -> Result<(), StoreError> {
    match error {
        None => conn.execute(
            "UPDATE hub_link SET last_contact_ms = ?1, last_error = NULL WHERE id = 1",
            [at_ms],
        )?,
        Some(e) => conn.execute("UPDATE hub_link SET last_error = ?1 WHERE id = 1", [e])?,
    };
    Ok(())
}

/// A local batch, as the join's upload sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBatch {
    pub id: i64,
    pub ticket_type: String,
    pub name: String,
}

pub fn local_batches(conn: &Connection) -> Result<Vec<LocalBatch>, StoreError> {
    let mut st = conn.prepare("SELECT id, ticket_type, name FROM batches ORDER BY id")?;
    let rows = st.query_map([], |r| {
        Ok(LocalBatch {
            id: r.get(0)?,
            ticket_type: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The code's status when this database has it (in any batch).
pub fn code_status(conn: &Connection, code: &str) -> Result<Option<CodeStatus>, StoreError> {
    let s: Option<i64> = conn
        .prepare_cached("SELECT status FROM codes WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?;
    Ok(s.and_then(CodeStatus::from_db))
}

/// The status a code takes locally when the hub says `hub`, or None to leave it.
///
/// The rule (docs/chain-mode.md, "Join"): the hub's redeemed or disabled wins over a
/// local issued or active; a hub's active or expired moves a local issued code on;
/// nothing ever leaves a final status locally (a local redemption is never undone by
/// the hub's word: the claims reconcile it).
pub fn after_hub(local: CodeStatus, hub: CodeStatus) -> Option<CodeStatus> {
    use CodeStatus::*;
    if local == hub || local.is_final() {
        return None;
    }
    match (local, hub) {
        (_, Redeemed | Disabled) => Some(hub),
        (Issued, Active | Expired) => Some(hub),
        (Active, Expired) => Some(Expired),
        _ => None,
    }
}

/// The status a code takes locally when a pull brings the hub's `hub`, given `given`:
/// the status the hub gave it earlier (`hub_status_codes`), None when its status is this
/// desk's own. Only called for codes this desk holds no live redemption of.
///
/// The rule (docs/chain-mode.md, "Changes between desks"): `after_hub`, and one more
/// move: a code the hub made final here (redeemed at another desk) goes back to the
/// hub's issued or active when the hub released it (undone there), as long as its local
/// status is still the one the hub gave. A final status of this desk's own is never
/// undone.
pub fn after_pull(
    local: CodeStatus,
    hub: CodeStatus,
    given: Option<CodeStatus>,
) -> Option<CodeStatus> {
    use CodeStatus::*;
    if local != hub && given == Some(local) && local.is_final() && matches!(hub, Issued | Active) {
        return Some(hub);
    }
    after_hub(local, hub)
}

/// Applies one code's hub status (`after_pull`): counts, and the record of what the hub
/// gave. Skips a code this database lacks, one outside `batch` (when given), and one
/// this desk holds a live redemption of. Returns whether it changed.
fn apply_one(
    tx: &rusqlite::Transaction<'_>,
    batch: Option<i64>,
    code: &str,
    hub: CodeStatus,
    now: i64,
) -> Result<bool, StoreError> {
    let found: Option<(i64, i64)> = tx
        .prepare_cached("SELECT id, status FROM codes WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((id, s)) = found else {
        return Ok(false);
    };
    let batch_id = id >> 32;
    if batch.is_some_and(|b| b != batch_id) {
        return Ok(false);
    }
    let Some(local) = CodeStatus::from_db(s) else {
        return Ok(false);
    };
    let live: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM redemptions WHERE code_id = ?1 AND undone_at IS NULL)",
        )?
        .query_row([id], |r| r.get(0))?;
    if live {
        return Ok(false);
    }
    let given: Option<CodeStatus> = tx
        .prepare_cached("SELECT status FROM hub_status_codes WHERE code_id = ?1")?
        .query_row([id], |r| r.get::<_, i64>(0))
        .optional()?
        .and_then(CodeStatus::from_db);
    let Some(to) = after_pull(local, hub, given) else {
        return Ok(false);
    };
    tx.prepare_cached("UPDATE codes SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, to.to_db(), now])?;
    add_count(tx, batch_id, local, -1)?;
    add_count(tx, batch_id, to, 1)?;
    if to.is_final() {
        tx.prepare_cached(
            "INSERT INTO hub_status_codes (code_id, status) VALUES (?1, ?2)
             ON CONFLICT (code_id) DO UPDATE SET status = excluded.status",
        )?
        .execute(params![id, to.to_db()])?;
    } else {
        tx.prepare_cached("DELETE FROM hub_status_codes WHERE code_id = ?1")?
            .execute([id])?;
    }
    Ok(true)
}

/// Applies the hub's statuses to this batch's codes by `after_pull`, with the batch
/// counts, in one transaction and one audit entry (`hub.statuses`). These are the hub's
/// word on codes used or changed elsewhere, not local lifecycle moves: a code redeemed at
/// another desk has no redemption here. Returns how many codes changed.
pub fn apply_hub_statuses(
    conn: &mut Connection,
    ticket_type: &str,
    statuses: &[(String, CodeStatus)],
) -> Result<u64, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let batch_id: i64 = tx.query_row(
        "SELECT id FROM batches WHERE ticket_type = ?1",
        [ticket_type],
        |r| r.get(0),
    )?;
    let mut changed = 0u64;
    let now = now_ms();
    for (code, hub) in statuses {
        changed += u64::from(apply_one(&tx, Some(batch_id), code, *hub, now)?);
    }
    if changed > 0 {
        super::audit::record(
            &tx,
            "hub.statuses",
            ticket_type,
            &serde_json::json!({ "changed": changed }),
        )?;
    }
    tx.commit()?;
    Ok(changed)
}

/// Applies one pulled page: the hub's statuses of `statuses` (in change order; a code
/// may come twice, the later wins) by `after_pull`, and `pulled_seq` moved up to
/// `up_to_seq`, in one transaction, so a pull stopped anywhere neither skips a change nor
/// counts one twice. One audit entry (`hub.pull`) when anything changed. Returns how
/// many codes changed.
pub fn apply_pulled_page(
    conn: &mut Connection,
    statuses: &[(String, CodeStatus)],
    up_to_seq: i64,
) -> Result<u64, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut changed = 0u64;
    let now = now_ms();
    for (code, hub) in statuses {
        changed += u64::from(apply_one(&tx, None, code, *hub, now)?);
    }
    tx.execute(
        "UPDATE hub_link SET pulled_seq = max(pulled_seq, ?1) WHERE id = 1",
        [up_to_seq],
    )?;
    if changed > 0 {
        super::audit::record(
            &tx,
            "hub.pull",
            &up_to_seq.to_string(),
            &serde_json::json!({ "changed": changed, "pulledSeq": up_to_seq }),
        )?;
    }
    tx.commit()?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_never_undoes_a_local_final_status() {
        use CodeStatus::*;
        assert_eq!(after_hub(Issued, Redeemed), Some(Redeemed));
        assert_eq!(after_hub(Active, Disabled), Some(Disabled));
        assert_eq!(after_hub(Issued, Active), Some(Active));
        assert_eq!(after_hub(Active, Issued), None);
        for final_ in [Redeemed, Disabled, Expired] {
            for hub in CodeStatus::ALL {
                assert_eq!(after_hub(final_, hub), None, "{final_:?} <- {hub:?}");
            }
        }
    }

    #[test]
    fn a_release_at_the_hub_undoes_only_the_hubs_own_word() {
        use CodeStatus::*;
        assert_eq!(after_pull(Redeemed, Issued, Some(Redeemed)), Some(Issued));
        assert_eq!(after_pull(Redeemed, Active, Some(Redeemed)), Some(Active));
        assert_eq!(after_pull(Redeemed, Issued, None), None);
        assert_eq!(after_pull(Redeemed, Issued, Some(Disabled)), None);
        assert_eq!(after_pull(Issued, Redeemed, None), Some(Redeemed));
        assert_eq!(after_pull(Disabled, Redeemed, Some(Disabled)), None);
    }
}
