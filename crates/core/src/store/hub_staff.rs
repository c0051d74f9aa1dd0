//! Staff accounts between this desk and its hub (local migration 26, docs/chain-mode.md,
//! "Staff"): the uid an account is known by, what waits to be uploaded (`hub_staff_out`,
//! filled by triggers while the desk is joined), and the writes a pull makes with another
//! desk's version.
//!
//! What must stay true:
//! - a uid, once given, never changes; a downloaded account keeps the hub's uid;
//! - a queued row is deleted after the hub's commit only when its `n` is still the one
//!   read (`sent`): an edit made meanwhile is sent next time;
//! - a local edit not yet uploaded wins over the hub's version (`apply` leaves a queued
//!   account untouched; its upload is then the last, and the other desks get it);
//! - an apply deletes, in its own transaction, the queue row its write caused, so the
//!   hub's version is never sent back as this desk's;
//! - a name is one person: an account here whose name the hub gives to another uid is set
//!   aside (`set_aside`: renamed `name (terminal)`, disabled, audited `staff.hub_clash`),
//!   never merged with it, and keeps its local id (redemptions point at it);
//! - only the name, role, PIN hash and disabled state are written by the hub's word: the
//!   wrong-PIN count and a lockout belong to this desk.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;

use super::{now_ms, StoreError};
use crate::domain::staff::Role;

/// A queued account (its local id) and the `n` it had when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub n: i64,
}

/// The queue, oldest account first.
pub fn pending(conn: &Connection) -> Result<Vec<Pending>, StoreError> {
    let mut st = conn.prepare_cached("SELECT key, n FROM hub_staff_out ORDER BY key")?;
    let rows = st.query_map([], |r| {
        Ok(Pending {
            id: r.get(0)?,
            n: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The row reached the hub: deleted unless it was queued again since it was read.
pub fn sent(conn: &Connection, p: &Pending) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM hub_staff_out WHERE key = ?1 AND n = ?2")?
        .execute(params![p.id, p.n])?;
    Ok(())
}

/// Whether account `id` waits to be uploaded.
pub fn is_queued(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM hub_staff_out WHERE key = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The join: every account goes up (the hub skips what it has).
pub fn queue_all(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "INSERT INTO hub_staff_out (key) SELECT id FROM staff WHERE true
         ON CONFLICT (key) DO UPDATE SET n = n + 1;",
    )?;
    Ok(())
}

/// An account as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub uid: String,
    pub name: String,
    pub role: String,
    pub pin_hash: String,
    pub disabled: bool,
}

/// Account `id` as it is sent, given its uid now when it has none (inside the caller's
/// connection: the uid sent is the uid kept); None when there is no such account.
pub fn staff_out(conn: &Connection, id: i64) -> Result<Option<StaffRow>, StoreError> {
    conn.prepare_cached(
        "UPDATE staff SET hub_uid = lower(hex(randomblob(16)))
          WHERE id = ?1 AND hub_uid IS NULL",
    )?
    .execute([id])?;
    Ok(conn
        .prepare_cached(
            "SELECT hub_uid, name, role, pin_hash, disabled_at IS NOT NULL
               FROM staff WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(StaffRow {
                uid: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                pin_hash: r.get(3)?,
                disabled: r.get(4)?,
            })
        })
        .optional()?)
}

/// The local account known by `uid`, if this desk has it.
pub fn id_of(conn: &Connection, uid: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM staff WHERE hub_uid = ?1")?
        .query_row([uid], |r| r.get(0))
        .optional()?)
}

/// A name is 1-32 characters (`domain::staff::parse_name`).
const NAME_MAX: usize = 32;

/// The name `name (terminal)` cut to fit, with a number when that is taken here too.
fn free_name(conn: &Connection, name: &str, terminal: &str) -> Result<String, StoreError> {
    for i in 1..1000 {
        let suffix = if i == 1 {
            format!(" ({terminal})")
        } else {
            format!(" ({terminal} {i})")
        };
        let keep = NAME_MAX.saturating_sub(suffix.chars().count()).max(1);
        let base: String = name.chars().take(keep).collect();
        let candidate: String = format!("{base}{suffix}").chars().take(NAME_MAX).collect();
        let taken: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM staff WHERE name = ?1)")?
            .query_row([&candidate], |r| r.get(0))?;
        if !taken {
            return Ok(candidate);
        }
    }
    // 999 accounts called "name (terminal N)": the local id is unique.
    let id: i64 = conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM staff", [], |r| {
        r.get(0)
    })?;
    Ok(format!("#{id}"))
}

/// Sets account `id` aside because the hub gives its name to another account (uid
/// `holder`): renamed `name (terminal)`, disabled until the owner enables it, audited
/// `staff.hub_clash`, queued so its new name goes up. Its id stays.
/// Disabling it skips the last-owner rule on purpose: an account whose name is another
/// person's at the hub must not keep rights no one there gave it. Returns the new name.
pub fn set_aside(
    conn: &Connection,
    id: i64,
    holder: &str,
    terminal: &str,
) -> Result<String, StoreError> {
    let (name, role, disabled): (String, String, bool) = conn.query_row(
        "SELECT name, role, disabled_at IS NOT NULL FROM staff WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let renamed = free_name(conn, &name, terminal)?;
    conn.prepare_cached(
        "UPDATE staff SET name = ?2, disabled_at = coalesce(disabled_at, ?3) WHERE id = ?1",
    )?
    .execute(params![id, renamed, now_ms()])?;
    // Queued here too: at a first join the desk has no hub_link yet, so the triggers
    // queue nothing, and the new name must still go up.
    conn.prepare_cached(
        "INSERT INTO hub_staff_out (key) VALUES (?1) ON CONFLICT (key) DO UPDATE SET n = n + 1",
    )?
    .execute([id])?;
    super::audit::record(
        conn,
        "staff.hub_clash",
        &renamed,
        &json!({ "name": name, "renamedTo": renamed, "role": role,
                 "wasDisabled": disabled, "hubUid": holder }),
    )?;
    Ok(renamed)
}

/// What `apply` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffApplied {
    /// Accounts added here, or changed by the hub's word.
    pub applied: u64,
    /// Accounts whose own edit here waits to be uploaded (it wins).
    pub kept: u64,
    /// Accounts set aside here (renamed, disabled) because the hub's account has their
    /// name: (old name, new name).
    pub set_aside: Vec<(String, String)>,
    /// What was not applied, each with why.
    pub refused: Vec<String>,
}

/// Writes the hub's accounts here, in one transaction, each audited (`staff.hub_pull`:
/// the role and disabled state before and after, whether the PIN changed; never the
/// hash). `terminal` is this desk's terminal name, for an account set aside.
pub fn apply(
    conn: &mut Connection,
    rows: &[StaffRow],
    terminal: &str,
) -> Result<StaffApplied, StoreError> {
    let mut out = StaffApplied::default();
    if rows.is_empty() {
        return Ok(out);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for s in rows {
        apply_one(&tx, s, terminal, &mut out)?;
    }
    tx.commit()?;
    Ok(out)
}

/// The hub refused account `id`'s upload: `holder` (the hub's account of that name) has
/// it. In one transaction, so this desk is never without either: account `id` is set
/// aside (`set_aside`) and the holder is written here (when the hub still has it).
pub fn clash(
    conn: &mut Connection,
    id: i64,
    holder: Option<&StaffRow>,
    holder_uid: &str,
    terminal: &str,
) -> Result<StaffApplied, StoreError> {
    let mut out = StaffApplied::default();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let old: Option<String> = tx
        .prepare_cached("SELECT name FROM staff WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(old) = old {
        let renamed = set_aside(&tx, id, holder_uid, terminal)?;
        out.set_aside.push((old, renamed));
    }
    if let Some(h) = holder {
        apply_one(&tx, h, terminal, &mut out)?;
    }
    tx.commit()?;
    Ok(out)
}

fn apply_one(
    tx: &Connection,
    s: &StaffRow,
    terminal: &str,
    out: &mut StaffApplied,
) -> Result<(), StoreError> {
    let Some(role) = Role::parse(&s.role) else {
        out.refused.push(format!(
            "staff account \"{}\" not applied: this build does not know the role {:?}; \
             update this desk",
            s.name, s.role
        ));
        return Ok(());
    };
    let Some(id) = id_of(tx, &s.uid)? else {
        let same_name: Option<(i64, String)> = tx
            .prepare_cached("SELECT id, name FROM staff WHERE name = ?1")?
            .query_row([&s.name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((other, old)) = same_name {
            let renamed = set_aside(tx, other, &s.uid, terminal)?;
            out.set_aside.push((old, renamed));
        }
        tx.prepare_cached(
            "INSERT INTO staff (name, role, pin_hash, disabled_at, created_at, hub_uid)
             VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN ?5 END, ?5, ?6)",
        )?
        .execute(params![
            s.name,
            role.as_str(),
            s.pin_hash,
            s.disabled,
            now_ms(),
            s.uid
        ])?;
        super::audit::record(
            tx,
            "staff.hub_pull",
            &s.name,
            &json!({ "uid": s.uid, "created": true, "role": role.as_str(),
                     "disabled": s.disabled }),
        )?;
        out.applied += 1;
        return Ok(());
    };
    if is_queued(tx, id)? {
        out.kept += 1;
        return Ok(());
    }
    let (before_role, before_hash, before_disabled): (String, String, bool) = tx.query_row(
        "SELECT role, pin_hash, disabled_at IS NOT NULL FROM staff WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if before_role == role.as_str() && before_hash == s.pin_hash && before_disabled == s.disabled {
        return Ok(());
    }
    // A new PIN from the hub ends a lockout here as a reset does (the owner vouched for
    // the person); otherwise this desk's count and lockout stand.
    let pin_changed = before_hash != s.pin_hash;
    tx.prepare_cached(
        "UPDATE staff SET role = ?2, pin_hash = ?3,
                disabled_at = CASE WHEN ?4 THEN coalesce(disabled_at, ?5) END,
                wrong_pins = CASE WHEN ?6 THEN 0 ELSE wrong_pins END,
                locked_until = CASE WHEN ?6 THEN NULL ELSE locked_until END
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        role.as_str(),
        s.pin_hash,
        s.disabled,
        now_ms(),
        pin_changed
    ])?;
    super::audit::record(
        tx,
        "staff.hub_pull",
        &s.name,
        &json!({ "uid": s.uid,
                 "role": { "before": before_role, "after": role.as_str() },
                 "disabled": { "before": before_disabled, "after": s.disabled },
                 "pinChanged": pin_changed }),
    )?;
    // The row the triggers queued for this write: the hub's version is not ours to send.
    tx.prepare_cached("DELETE FROM hub_staff_out WHERE key = ?1")?
        .execute([id])?;
    out.applied += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::store::migrations::migrate(&mut conn).expect("migrate");
        conn
    }

    fn add(conn: &Connection, name: &str) -> i64 {
        conn.execute(
            "INSERT INTO staff (name, role, pin_hash, created_at) VALUES (?1, 'owner', 'h', 0)",
            [name],
        )
        .expect("add");
        conn.last_insert_rowid()
    }

    #[test]
    fn an_account_set_aside_gets_a_free_name_of_at_most_32_characters_and_keeps_its_id() {
        let conn = open();
        let long = "店长".repeat(16);
        let a = add(&conn, &long);
        let renamed = set_aside(&conn, a, "uid-x", "前台2").expect("aside");
        assert_eq!(renamed.chars().count(), 32, "{renamed}");
        assert!(renamed.ends_with(" (前台2)"), "{renamed}");
        // The same name set aside twice at one terminal: a number keeps them apart.
        let b = add(&conn, "小王");
        let c_name = set_aside(&conn, b, "uid-y", "T").expect("aside b");
        conn.execute("UPDATE staff SET name = '小王x' WHERE id = ?1", [b])
            .expect("free the name");
        let c = add(&conn, "小王");
        conn.execute(
            "UPDATE staff SET name = ?2 WHERE id = ?1",
            params![b, c_name],
        )
        .expect("back");
        assert_eq!(
            set_aside(&conn, c, "uid-z", "T").expect("aside c"),
            "小王 (T 2)"
        );
        let (name, disabled): (String, bool) = conn
            .query_row(
                "SELECT name, disabled_at IS NOT NULL FROM staff WHERE id = ?1",
                [a],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        assert_eq!((name, disabled), (renamed, true));
        // Queued even on a desk that is not joined yet (the join's own upload).
        assert_eq!(pending(&conn).expect("queue").len(), 3);
    }
}
