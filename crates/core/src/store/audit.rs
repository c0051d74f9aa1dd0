//! The audit trail: every user action writes one entry in the same transaction as the
//! change it describes (who, at which terminal, when, what, on which subject).
//!
//! The trail is append-only (triggers refuse UPDATE and DELETE, migration 0007) and
//! hash-chained: an entry's `hash` is SHA-256 over the previous entry's hash (64 lowercase
//! hex characters; `GENESIS` for the first entry) followed by the entry's canonical JSON
//! (`canonical_entry`). `audit_verify.rs` walks the chain; docs/staff-and-audit.md gives
//! the exact form. What must stay true: the canonical form never changes (old entries
//! would stop verifying), and an entry's id is fixed before its hash is computed (the id
//! is part of what is hashed, so a reordering shows).

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::redemptions::Counter;
use super::{actor, now_ms, StoreError};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry's hashed fields, borrowed from wherever they come from.
pub struct ChainFields<'a> {
    pub id: i64,
    pub at: i64,
    pub actor: &'a str,
    pub terminal: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a Value,
}

pub fn record(
    conn: &Connection,
    action: &str,
    subject: &str,
    detail: &Value,
) -> Result<(), StoreError> {
    record_as(conn, &actor(), action, subject, detail)
}

/// As `record`, for an action that changes nothing else in the database (a logout, an
/// export to a file): the entry alone, in its own write transaction (the chain's read of
/// the last entry and the insert must not be split by another writer).
pub fn record_alone(
    conn: &mut Connection,
    action: &str,
    subject: &str,
    detail: &Value,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    record(&tx, action, subject, detail)?;
    tx.commit()?;
    Ok(())
}

/// As `record`, for actions done by someone other than the OS user (a platform, when a
/// sync pull applies what it says). The terminal is the settings' terminal.
pub fn record_as(
    conn: &Connection,
    who: &str,
    action: &str,
    subject: &str,
    detail: &Value,
) -> Result<(), StoreError> {
    let terminal = super::acting::terminal(&super::settings::get(conn)?.terminal);
    append(conn, who, &terminal, action, subject, detail)
}

/// As `record`, for actions done at the counter: its operator and terminal.
pub fn record_at(
    conn: &Connection,
    counter: &Counter,
    action: &str,
    subject: &str,
    detail: &Value,
) -> Result<(), StoreError> {
    append(
        conn,
        &counter.operator,
        &counter.terminal,
        action,
        subject,
        detail,
    )
}

/// Writes one chained entry. Must run inside the transaction of the change it describes:
/// SQLite lets one writer at a time commit, and a transaction that read the last entry
/// before another writer committed fails to write (busy snapshot) instead of forking the
/// chain. One indexed read (the last row by rowid) and one insert.
fn append(
    conn: &Connection,
    who: &str,
    terminal: &str,
    action: &str,
    subject: &str,
    detail: &Value,
) -> Result<(), StoreError> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, lossy_text(r, 1)?)))
        .optional()?;
    let (id, prev) = match &last {
        Some((id, hash)) => (id + 1, hash.as_str()),
        None => (1, GENESIS),
    };
    let at = now_ms();
    let fields = ChainFields {
        id,
        at,
        actor: who,
        terminal,
        action,
        subject,
        detail,
    };
    let hash = chain_hash(prev, &fields);
    conn.prepare_cached(
        "INSERT INTO audit_log (id, at, actor, terminal, action, subject, detail, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        at,
        who,
        terminal,
        action,
        subject,
        detail.to_string(),
        hash
    ])?;
    Ok(())
}

/// SHA-256 over `prev` (as its ASCII hex) then the entry's canonical JSON, as lowercase hex.
pub fn chain_hash(prev: &str, e: &ChainFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(canonical_entry(e).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The entry as one JSON object with the keys in byte order and no whitespace:
/// `{"action":..,"actor":..,"at":<ms>,"detail":<canonical detail>,"id":<n>,"subject":..,"terminal":..}`.
pub fn canonical_entry(e: &ChainFields<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"action\":");
    push_string(&mut out, e.action);
    out.push_str(",\"actor\":");
    push_string(&mut out, e.actor);
    out.push_str(&format!(",\"at\":{},\"detail\":", e.at));
    push_canonical(&mut out, e.detail);
    out.push_str(&format!(",\"id\":{},\"subject\":", e.id));
    push_string(&mut out, e.subject);
    out.push_str(",\"terminal\":");
    push_string(&mut out, e.terminal);
    out.push('}');
    out
}

/// Canonical JSON of any value: objects with their keys sorted by their UTF-8 bytes, no
/// whitespace, strings and numbers as serde_json writes them. Written out here rather
/// than relying on serde_json's map order, which a feature flag elsewhere could change.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    push_canonical(&mut out, v);
    out
}

fn push_canonical(out: &mut String, v: &Value) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_string(out, k);
                out.push(':');
                push_canonical(out, &map[k]);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_canonical(out, item);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn push_string(out: &mut String, s: &str) {
    out.push_str(&Value::from(s).to_string());
}

/// Migration 0007's Rust step: gives the entries written before it (terminal unknown: '')
/// their hashes, in id order, in chunks so a long trail never sits in memory. Runs in the
/// migration's transaction, before the append-only triggers exist.
pub(super) fn chain_existing(tx: &Transaction<'_>) -> Result<(), StoreError> {
    const CHUNK: i64 = 1000;
    let mut prev = GENESIS.to_owned();
    let mut after = i64::MIN;
    loop {
        let rows: Vec<(i64, i64, String, String, String, String)> = tx
            .prepare_cached(
                "SELECT id, at, actor, action, subject, detail FROM audit_log
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?
            .query_map(params![after, CHUNK], |r| {
                Ok((
                    r.get(0)?,
                    lossy_int(r, 1)?,
                    lossy_text(r, 2)?,
                    lossy_text(r, 3)?,
                    lossy_text(r, 4)?,
                    lossy_text(r, 5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.0;
        let mut update =
            tx.prepare_cached("UPDATE audit_log SET terminal = '', hash = ?1 WHERE id = ?2")?;
        for (id, at, actor, action, subject, detail) in &rows {
            // Entries were always written from a JSON value; one that is not JSON was
            // changed by hand, and is chained as the string it holds.
            let detail = parse_detail(detail);
            let fields = ChainFields {
                id: *id,
                at: *at,
                actor,
                terminal: "",
                action,
                subject,
                detail: &detail,
            };
            prev = chain_hash(&prev, &fields);
            update.execute(params![prev, id])?;
        }
    }
}

/// The stored detail as JSON; text that is not JSON stands as a JSON string.
pub fn parse_detail(detail: &str) -> Value {
    serde_json::from_str(detail).unwrap_or_else(|_| Value::String(detail.to_owned()))
}

/// A text column as text whatever SQLite holds there: a hand edit can store a number, a
/// blob or NULL in any column, and that must show as a broken entry (or be chained as it
/// is), never stop the counter or the migration with a type error.
pub(super) fn lossy_text(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(match r.get_ref(i)? {
        ValueRef::Null => String::new(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    })
}

/// `at` as an integer; anything else (only ever written by hand) reads as 0.
pub(super) fn lossy_int(r: &Row<'_>, i: usize) -> rusqlite::Result<i64> {
    Ok(match r.get_ref(i)? {
        ValueRef::Integer(n) => n,
        _ => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::AuditVerdict;
    use crate::store::audit_verify::verify;
    use serde_json::json;

    type StoredRow = (i64, i64, String, String, String, String, String, String);

    fn fresh() -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        super::super::migrations::migrate(&mut conn).expect("migrate");
        conn
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_without_whitespace() {
        let v: Value = serde_json::from_str(
            r#"{ "b": 1, "a": { "d": [1, { "z": true, "y": null }], "c": "é\"\n" }, "B": -2.5 }"#,
        )
        .expect("json");
        assert_eq!(
            canonical_json(&v),
            r#"{"B":-2.5,"a":{"c":"é\"\n","d":[1,{"y":null,"z":true}]},"b":1}"#
        );
    }

    #[test]
    fn an_entry_hashes_to_the_value_an_independent_tool_computes() {
        let detail = json!({ "terminal": "t1", "redemption": 7, "order_fen": 1000 });
        let e = ChainFields {
            id: 1,
            at: 1_700_000_000_000,
            actor: "ann",
            terminal: "t1",
            action: "code.redeem",
            subject: "ABC123",
            detail: &detail,
        };
        // Python's json.dumps(sort_keys=True, separators=(',', ':')) of the same entry.
        assert_eq!(
            canonical_entry(&e),
            r#"{"action":"code.redeem","actor":"ann","at":1700000000000,"detail":{"order_fen":1000,"redemption":7,"terminal":"t1"},"id":1,"subject":"ABC123","terminal":"t1"}"#
        );
        // `printf '%s' "$GENESIS$canonical" | sha256sum`
        assert_eq!(
            chain_hash(GENESIS, &e),
            "83215cb8f85ae6ed414186b5dc46455043e6d519d3750f986d2cd01e3a87b81d"
        );
    }

    #[test]
    fn each_entry_chains_from_the_one_before_and_the_first_from_genesis() {
        let conn = fresh();
        let who = Counter {
            operator: "ann".into(),
            terminal: "front".into(),
        };
        record_at(&conn, &who, "code.redeem", "C1", &json!({ "n": 1 })).expect("1");
        record(&conn, "settings.update", "counter", &json!({ "x": [1, 2] })).expect("2");
        record_at(&conn, &who, "code.redeem_undo", "C1", &json!({})).expect("3");
        let rows: Vec<StoredRow> = conn
            .prepare("SELECT id, at, actor, terminal, action, subject, detail, hash FROM audit_log ORDER BY id")
            .expect("prepare")
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(rows[0].3, "front");
        assert_eq!(rows[2].2, "ann");
        let mut prev = GENESIS.to_owned();
        for (id, at, actor, terminal, action, subject, detail, hash) in &rows {
            let detail = parse_detail(detail);
            let f = ChainFields {
                id: *id,
                at: *at,
                actor,
                terminal,
                action,
                subject,
                detail: &detail,
            };
            assert_eq!(hash, &chain_hash(&prev, &f), "entry {id}");
            prev = hash.clone();
        }
        assert_eq!(
            verify(&conn).expect("verify"),
            AuditVerdict::Intact { entries: 3 }
        );
    }

    #[test]
    fn the_table_refuses_updates_and_deletes() {
        let conn = fresh();
        record(&conn, "a", "s", &json!({})).expect("record");
        for sql in [
            "UPDATE audit_log SET detail = '{}'",
            "DELETE FROM audit_log",
        ] {
            let err = conn.execute(sql, []).expect_err(sql);
            assert!(
                err.to_string().contains("audit_log is append-only"),
                "{sql}: {err}"
            );
        }
    }

    fn tampered(sql: &str) -> AuditVerdict {
        let conn = fresh();
        for i in 1..=5 {
            record(&conn, "act", &format!("S{i}"), &json!({ "i": i })).expect("record");
        }
        conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            .expect("drop triggers");
        conn.execute_batch(sql).expect(sql);
        verify(&conn).expect("verify")
    }

    fn first_broken(v: &AuditVerdict) -> (i64, &str) {
        match v {
            AuditVerdict::Broken {
                first_id, reason, ..
            } => (*first_id, reason.as_str()),
            other => panic!("expected a broken chain, got {other:?}"),
        }
    }

    #[test]
    fn verify_names_the_first_edited_deleted_or_reordered_entry() {
        let v = tampered("UPDATE audit_log SET detail = '{\"i\":99}' WHERE id = 3");
        assert_eq!(first_broken(&v).0, 3);
        assert!(first_broken(&v).1.contains("changed after it was written"));
        assert!(matches!(
            v,
            AuditVerdict::Broken {
                entries_checked: 3,
                ..
            }
        ));

        let v = tampered("DELETE FROM audit_log WHERE id = 2");
        assert_eq!(first_broken(&v).0, 3);
        assert!(first_broken(&v)
            .1
            .contains("an entry before it is missing or changed"));

        let v = tampered("DELETE FROM audit_log WHERE id = 1");
        assert_eq!(first_broken(&v).0, 2);

        // Swap every column but the id between entries 2 and 4, hashes included.
        let v = tampered(
            "UPDATE audit_log SET id = -2 WHERE id = 2;
             UPDATE audit_log SET id = 2 WHERE id = 4;
             UPDATE audit_log SET id = 4 WHERE id = -2;",
        );
        assert_eq!(first_broken(&v).0, 2);

        let v = tampered("UPDATE audit_log SET at = at + 1 WHERE id = 5");
        assert_eq!(first_broken(&v).0, 5);
    }

    /// Values of another type (a number for text, text in `at`, a blob) are a broken entry, never an
    /// error; and the counter keeps writing after the last hash was wiped.
    #[test]
    fn odd_values_written_by_hand_are_broken_entries_not_errors() {
        let v = tampered("UPDATE audit_log SET actor = 42 WHERE id = 2");
        assert_eq!(first_broken(&v).0, 2);
        let v = tampered("UPDATE audit_log SET at = 'yesterday' WHERE id = 3");
        assert_eq!(first_broken(&v).0, 3);
        let v = tampered("UPDATE audit_log SET subject = X'00FF' WHERE id = 4");
        assert_eq!(first_broken(&v).0, 4);

        let conn = fresh();
        record(&conn, "a", "s1", &json!({})).expect("1");
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET hash = X'00' WHERE id = 1;",
        )
        .expect("wipe");
        record(&conn, "a", "s2", &json!({})).expect("the next action still writes");
        assert_eq!(first_broken(&verify(&conn).expect("verify")).0, 1);
        let listed =
            crate::store::audit_list::list(&conn, &crate::domain::audit::AuditQuery::default())
                .expect("the list still reads");
        assert_eq!(listed.total, 2);
    }
}
