//! Walks the audit trail's hash chain (store/audit.rs) from the first entry and reports
//! the first entry whose hash does not follow from its content and the entry before it.
//!
//! Rows are streamed in id order (one statement, one row in memory at a time), so a trail
//! of ten million entries costs time, not memory. What a break means:
//! - the ids jump (ids are given one after the other, and the table refuses deletes): an
//!   entry before this one was removed, or the one before it changed;
//! - no jump: this entry's fields or its hash were changed (an edit, or two entries'
//!   contents swapped: the id is hashed too).
//!
//! Removing the newest entries leaves a shorter chain that still verifies: a limit of any
//! chain kept in the same file (docs/staff-and-audit.md).

use rusqlite::Connection;

use super::audit::{chain_hash, lossy_int, lossy_text, parse_detail, ChainFields, GENESIS};
use super::StoreError;
use crate::domain::audit::AuditVerdict;

pub fn verify(conn: &Connection) -> Result<AuditVerdict, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, terminal, action, subject, detail, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev_hash = GENESIS.to_owned();
    let mut prev_id = 0_i64;
    let mut checked = 0_u64;
    while let Some(r) = rows.next()? {
        checked += 1;
        let id: i64 = r.get(0)?;
        let detail = parse_detail(&lossy_text(r, 6)?);
        let (actor, terminal, action, subject) = (
            lossy_text(r, 2)?,
            lossy_text(r, 3)?,
            lossy_text(r, 4)?,
            lossy_text(r, 5)?,
        );
        let fields = ChainFields {
            id,
            at: lossy_int(r, 1)?,
            actor: &actor,
            terminal: &terminal,
            action: &action,
            subject: &subject,
            detail: &detail,
        };
        let stored = lossy_text(r, 7)?;
        if let Some(reason) = break_reason(prev_id, &prev_hash, &fields, &stored) {
            return Ok(AuditVerdict::Broken {
                first_id: id,
                entries_checked: checked,
                reason,
            });
        }
        prev_hash = stored;
        prev_id = id;
    }
    Ok(AuditVerdict::Intact { entries: checked })
}

/// Why an entry does not follow the one before it (`prev_id`, `prev_hash`; 0 and
/// `GENESIS` for the first), or None when its stored hash follows from its content. The
/// one check of a link, used by `verify`, by the desk before it sends an entry to the hub
/// and by the hub's verify (desk/hub_audit.rs). The reason names no id: callers do.
pub fn break_reason(
    prev_id: i64,
    prev_hash: &str,
    fields: &ChainFields<'_>,
    stored: &str,
) -> Option<String> {
    if stored == chain_hash(prev_hash, fields) {
        return None;
    }
    let id = fields.id;
    Some(if id != prev_id + 1 {
        format!(
            "it does not follow the entry before it (ids jump from {prev_id} to {id}): \
             an entry before it is missing or changed"
        )
    } else {
        "its hash does not match its content: it was changed after it was written \
         (or entries were reordered)"
            .to_owned()
    })
}
