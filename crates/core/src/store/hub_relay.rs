//! The desk's side of the platform desk (docs/chain-mode.md, "The platform desk";
//! migration 21): whether this desk routes its change records itself or relays them to
//! the hub, the records being relayed, the hub seqs the platform desk has routed, and
//! the translation of a record's local row ids into the keys every desk shares (and
//! back).
//!
//! What must stay true:
//! - a record is listed in `hub_relay_sending` (committed) before it is sent to the hub,
//!   and while any record is listed the router routes none locally (`holds_records`):
//!   a listed record may be at the hub already, and only the hub's taker may route it;
//! - a relayed record is routed at the platform desk in the same transaction that
//!   writes its hub seq to `hub_relay_routed`, so a seq there is a record in the outbox;
//! - a desk not joined to a hub, or joined to one where no platform desk was chosen,
//!   routes its own records exactly as before (nothing here holds them).

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::hub_keys::{self, Keyed};
use super::{now_ms, StoreError};
use crate::domain::change::Change;

/// What this desk knows of the platform desk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlatformView {
    /// Joined to a hub.
    pub joined: bool,
    /// "store / terminal" of the platform desk, as last heard; None: none chosen.
    pub name: Option<String>,
    /// This desk is it.
    pub me: bool,
    /// Taken records not routable yet, and why (the last exchange's count).
    pub waiting: i64,
    pub waiting_why: Option<String>,
}

pub fn view(conn: &Connection) -> Result<PlatformView, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT platform_name, platform_desk, relay_waiting, relay_waiting_why
               FROM hub_link WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(PlatformView {
                joined: true,
                name: r.get(0)?,
                me: r.get(1)?,
                waiting: r.get(2)?,
                waiting_why: r.get(3)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Whether the router must leave the change records alone: this desk relays them (it is
/// joined, a platform desk is chosen and it is another desk), or some are being relayed.
pub fn holds_records(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM hub_link WHERE id = 1
                              AND platform_name IS NOT NULL AND platform_desk = 0)
                 OR EXISTS (SELECT 1 FROM hub_relay_sending)",
        )?
        .query_row([], |r| r.get(0))?)
}

/// Whether this desk relays its records (a platform desk is chosen and it is another).
pub fn relays(conn: &Connection) -> Result<bool, StoreError> {
    let v = view(conn)?;
    Ok(v.joined && v.name.is_some() && !v.me)
}

/// Notes what the hub says of the platform desk (None: none chosen). Not audited: the
/// choice is audited at the desk that made it (`set_platform`).
pub fn note_platform(conn: &Connection, name: Option<&str>, me: bool) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE hub_link SET platform_name = ?1, platform_desk = ?2 WHERE id = 1")?
        .execute(params![name, me && name.is_some()])?;
    Ok(())
}

/// Records the choice made at this desk (after the hub took it), audited
/// `hub.platform_desk`, in one transaction.
pub fn set_platform(conn: &mut Connection, name: &str, me: bool) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    note_platform(&tx, Some(name), me)?;
    super::audit::record(
        &tx,
        "hub.platform_desk",
        "hub_link",
        &serde_json::json!({ "platformDesk": name, "thisDesk": me }),
    )?;
    tx.commit()?;
    Ok(())
}

/// Lists every waiting record for relaying (in the caller's write transaction).
pub fn mark_all(tx: &Connection) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached(
            "INSERT OR IGNORE INTO hub_relay_sending (change_id) SELECT id FROM changes",
        )?
        .execute([])?)
}

/// A record being relayed, its local ids replaced by shared keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Sending {
    pub id: i64,
    pub actor: String,
    pub created_ms: i64,
    pub shared: Value,
}

/// Up to `limit` listed records, oldest first, translated (in the caller's write
/// transaction: a template or voucher gets its uid here the first time it leaves).
pub fn sending(tx: &Connection, limit: i64) -> Result<Vec<Sending>, StoreError> {
    let mut st = tx.prepare_cached(
        "SELECT c.id, c.actor, c.created_at, c.change FROM changes c
           JOIN hub_relay_sending s ON s.change_id = c.id ORDER BY c.id LIMIT ?1",
    )?;
    let rows = st
        .query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, actor, created_ms, text) in rows {
        let change: Change = serde_json::from_str(&text).map_err(bad_record)?;
        out.push(Sending {
            id,
            actor,
            created_ms,
            shared: to_shared(tx, &change)?,
        });
    }
    Ok(out)
}

/// The hub has the records through `last` of those listed: they leave this desk.
pub fn relayed(conn: &Connection, ids: &[i64]) -> Result<(), StoreError> {
    let mut st = conn.prepare_cached("DELETE FROM changes WHERE id = ?1")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

/// Records not relayed yet (listed or not), for `hub status`.
pub fn to_relay(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM changes")?
        .query_row([], |r| r.get(0))?)
}

fn bad_record(e: serde_json::Error) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(e),
    ))
}

fn ticket_type_of(conn: &Connection, batch: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT ticket_type FROM batches WHERE id = ?1")?
        .query_row([batch], |r| r.get(0))
        .optional()?)
}

fn batch_of(conn: &Connection, ticket_type: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM batches WHERE ticket_type = ?1")?
        .query_row([ticket_type], |r| r.get(0))
        .optional()?)
}

/// The record in the hub's words: each local row id (a template, a batch, a voucher)
/// replaced by the key every desk shares (its uid, its ticket type); null when the row
/// is gone here (the record then waits at the platform desk, named in its status).
pub fn to_shared(tx: &Connection, change: &Change) -> Result<Value, StoreError> {
    let mut v = serde_json::to_value(change).map_err(bad_record)?;
    let template_key = |tx: &Connection, id: i64| -> Result<Value, StoreError> {
        Ok(hub_keys::uid_of(tx, Keyed::Template, id)?.map_or(Value::Null, Value::String))
    };
    let batch_key = |tx: &Connection, id: i64| -> Result<Value, StoreError> {
        Ok(ticket_type_of(tx, id)?.map_or(Value::Null, Value::String))
    };
    match change {
        Change::TemplateSaved { template, .. } => {
            v["template"] = template_key(tx, *template)?;
        }
        Change::BatchLinked {
            template,
            ticket_type,
            ..
        } => {
            v["template"] = template_key(tx, *template)?;
            v["batch"] = Value::String(ticket_type.clone());
        }
        Change::CodeStatusChanged { batch, .. } => {
            v["batch"] = batch_key(tx, *batch)?;
        }
        Change::VoucherSold { id, .. } => {
            v["id"] = hub_keys::uid_of(tx, Keyed::Voucher, *id)?.map_or(Value::Null, Value::String);
        }
        Change::BonusCreated { .. }
        | Change::BonusGranted { .. }
        | Change::BonusDisabled { .. } => {}
    }
    Ok(v)
}

/// The record in this desk's words, or why it must wait (a row it names has not
/// reached this desk).
pub fn from_shared(
    conn: &Connection,
    shared: &Value,
) -> Result<Result<Change, String>, StoreError> {
    let mut v = shared.clone();
    let kind = v["kind"].as_str().unwrap_or_default().to_owned();
    let key = |field: &str| shared[field].as_str().map(str::to_owned);
    let mut missing = None;
    let mut put = |v: &mut Value, field: &str, id: Option<i64>, what: String| match id {
        Some(id) => v[field] = Value::from(id),
        None => missing = Some(what),
    };
    match kind.as_str() {
        "template_saved" | "batch_linked" => {
            let id = match key("template") {
                Some(uid) => hub_keys::id_of(conn, Keyed::Template, &uid)?,
                None => None,
            };
            let what = format!(
                "template {} has not reached this desk",
                key("template").unwrap_or_else(|| "(gone at its desk)".into())
            );
            put(&mut v, "template", id, what);
            if kind == "batch_linked" {
                let tt = key("batch").unwrap_or_default();
                put(
                    &mut v,
                    "batch",
                    batch_of(conn, &tt)?,
                    format!("batch {tt} has not reached this desk"),
                );
            }
        }
        "code_status_changed" => {
            let tt = key("batch").unwrap_or_default();
            put(
                &mut v,
                "batch",
                batch_of(conn, &tt)?,
                format!("batch {tt} has not reached this desk"),
            );
        }
        "voucher_sold" => {
            let id = match key("id") {
                Some(uid) => hub_keys::id_of(conn, Keyed::Voucher, &uid)?,
                None => None,
            };
            put(
                &mut v,
                "id",
                id,
                format!(
                    "voucher {} has not reached this desk",
                    key("id").unwrap_or_else(|| "(gone at its desk)".into())
                ),
            );
        }
        _ => {}
    }
    if let Some(why) = missing {
        return Ok(Err(why));
    }
    match serde_json::from_value::<Change>(v) {
        Ok(c) => Ok(Ok(c)),
        // A record kind this version does not know (a newer desk's): it waits, named.
        Err(e) => Ok(Err(format!(
            "a record this version cannot read ({e}); update CouponDesk on this desk"
        ))),
    }
}

/// Whether hub seq `seq` was routed here already.
pub fn is_routed(conn: &Connection, seq: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM hub_relay_routed WHERE seq = ?1")?
        .query_row([seq], |_| Ok(true))
        .optional()?
        .unwrap_or(false))
}

/// Notes hub seq `seq` as routed (in the transaction that wrote its outbox rows).
pub fn mark_routed(tx: &Connection, seq: i64) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO hub_relay_routed (seq, routed_at) VALUES (?1, ?2)")?
        .execute(params![seq, now_ms()])?;
    Ok(())
}

/// The hub confirmed these seqs: they will not be handed back. (A confirm whose answer
/// was lost leaves its seqs here; harmless: the hub never hands a confirmed row back.)
pub fn forget_routed(conn: &Connection, seqs: &[i64]) -> Result<(), StoreError> {
    let mut st = conn.prepare_cached("DELETE FROM hub_relay_routed WHERE seq = ?1")?;
    for s in seqs {
        st.execute([s])?;
    }
    Ok(())
}

/// Notes how many taken records wait, and why (the first reason).
pub fn note_waiting(conn: &Connection, n: i64, why: Option<&str>) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE hub_link SET relay_waiting = ?1, relay_waiting_why = ?2 WHERE id = 1",
    )?
    .execute(params![n, why])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::CodeStatus;

    fn open() -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::store::migrations::migrate(&mut conn).expect("migrate");
        conn
    }

    fn batch(conn: &Connection, tt: &str) -> i64 {
        conn.execute(
            "INSERT INTO batches (ticket_type, name, created_at, updated_at) VALUES (?1, ?1, 0, 0)",
            [tt],
        )
        .expect("batch");
        conn.last_insert_rowid()
    }

    fn template(conn: &Connection) -> i64 {
        conn.execute(
            "INSERT INTO templates (kind, title, draft, quantity, begin_at, end_at, created_at, updated_at)
             VALUES ('cash', 't', '{}', 1, 0, 1, 0, 0)",
            [],
        )
        .expect("template");
        conn.last_insert_rowid()
    }

    #[test]
    fn local_ids_travel_as_shared_keys_and_come_back_as_the_other_desks_ids() {
        let (here, there) = (open(), open());
        // Different local ids for the same batch at the two desks.
        batch(&here, "OTHER");
        let b_here = batch(&here, "TT9");
        let b_there = batch(&there, "TT9");
        assert_ne!(b_here, b_there);
        let status = Change::CodeStatusChanged {
            code: "ABCD1234".into(),
            batch: b_here,
            status: CodeStatus::Redeemed,
        };
        let shared = to_shared(&here, &status).expect("shared");
        assert_eq!(shared["batch"], "TT9");
        let back = from_shared(&there, &shared)
            .expect("read")
            .expect("routable");
        assert_eq!(
            back,
            Change::CodeStatusChanged {
                code: "ABCD1234".into(),
                batch: b_there,
                status: CodeStatus::Redeemed,
            }
        );

        // A template the other desk lacks waits, named; once it has the uid, it routes.
        let t_here = template(&here);
        let linked = Change::BatchLinked {
            template: t_here,
            batch: b_here,
            ticket_type: "TT9".into(),
            title: "t".into(),
            codes: 3,
            platform_batch: None,
        };
        let shared = to_shared(&here, &linked).expect("shared");
        let uid = shared["template"].as_str().expect("uid").to_owned();
        let why = from_shared(&there, &shared)
            .expect("read")
            .expect_err("waits");
        assert!(why.contains(&uid), "{why}");
        template(&there);
        let t_there = template(&there);
        assert!(hub_keys::adopt_uid(&there, Keyed::Template, t_there, &uid).expect("adopt"));
        match from_shared(&there, &shared).expect("read") {
            Ok(Change::BatchLinked {
                template, batch, ..
            }) => assert_eq!((template, batch), (t_there, b_there)),
            other => panic!("{other:?}"),
        }

        // A bonus record has no local id: it travels as it is.
        let bonus = Change::BonusDisabled { code: "B1".into() };
        let shared = to_shared(&here, &bonus).expect("shared");
        assert_eq!(from_shared(&there, &shared).expect("read"), Ok(bonus));
        // A kind this version does not know waits, with what to do.
        let odd = serde_json::json!({ "kind": "coupon_teleported" });
        let why = from_shared(&there, &odd).expect("read").expect_err("waits");
        assert!(why.contains("update CouponDesk"), "{why}");
    }
}
