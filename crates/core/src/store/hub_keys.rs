//! The keys a template or a voucher is known by across the desks of one hub
//! (docs/chain-mode.md, "Keys"; migration 19). Batches, codes, bonuses and customers
//! have keys that are the same at every desk already (ticket type, code, phone).
//!
//! What must stay true: a uid, once given, never changes and is never given to another
//! row (a unique index holds it); a downloaded row keeps the hub's uid.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

/// The two kinds of row that need a uid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyed {
    Template,
    Voucher,
}

impl Keyed {
    fn table(self) -> &'static str {
        match self {
            Keyed::Template => "templates",
            Keyed::Voucher => "vouchers",
        }
    }
}

/// The row's uid, given now (32 random hex digits) when it has none; None when no row
/// has this id. Call it inside the write transaction that sends the row out, so the uid
/// sent is the uid kept.
pub fn uid_of(conn: &Connection, kind: Keyed, id: i64) -> Result<Option<String>, StoreError> {
    let table = kind.table();
    conn.prepare_cached(&format!(
        "UPDATE {table} SET hub_uid = lower(hex(randomblob(16)))
          WHERE id = ?1 AND hub_uid IS NULL"
    ))?
    .execute(params![id])?;
    Ok(conn
        .prepare_cached(&format!("SELECT hub_uid FROM {table} WHERE id = ?1"))?
        .query_row(params![id], |r| r.get(0))
        .optional()?)
}

/// The uid the row has, without giving one.
pub fn existing_uid(conn: &Connection, kind: Keyed, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT hub_uid FROM {} WHERE id = ?1",
            kind.table()
        ))?
        .query_row(params![id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// The local row known by `uid`, if this desk has it.
pub fn id_of(conn: &Connection, kind: Keyed, uid: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id FROM {} WHERE hub_uid = ?1",
            kind.table()
        ))?
        .query_row(params![uid], |r| r.get(0))
        .optional()?)
}

/// Gives a row downloaded from the hub the hub's uid. Refused (`false`) when the row
/// already has another uid: a uid never changes.
pub fn adopt_uid(conn: &Connection, kind: Keyed, id: i64, uid: &str) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(&format!(
            "UPDATE {} SET hub_uid = ?2 WHERE id = ?1 AND (hub_uid IS NULL OR hub_uid = ?2)",
            kind.table()
        ))?
        .execute(params![id, uid])?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::store::migrations::migrate(&mut conn).expect("migrate");
        conn
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
    fn a_uid_is_given_once_and_kept() {
        let conn = open();
        let (a, b) = (template(&conn), template(&conn));
        assert_eq!(existing_uid(&conn, Keyed::Template, a).expect("read"), None);
        let ua = uid_of(&conn, Keyed::Template, a)
            .expect("give")
            .expect("row");
        assert_eq!(ua.len(), 32);
        assert_eq!(
            uid_of(&conn, Keyed::Template, a).expect("again"),
            Some(ua.clone())
        );
        let ub = uid_of(&conn, Keyed::Template, b)
            .expect("give")
            .expect("row");
        assert_ne!(ua, ub);
        assert_eq!(id_of(&conn, Keyed::Template, &ua).expect("find"), Some(a));
        assert_eq!(uid_of(&conn, Keyed::Template, 999).expect("none"), None);
        // Another uid is refused; the same one is fine; a second row cannot take it.
        assert!(!adopt_uid(&conn, Keyed::Template, a, "other").expect("adopt"));
        assert!(adopt_uid(&conn, Keyed::Template, a, &ua).expect("adopt same"));
        let c = template(&conn);
        assert!(adopt_uid(&conn, Keyed::Template, c, &ua).is_err());
        assert_eq!(id_of(&conn, Keyed::Voucher, &ua).expect("voucher"), None);
    }
}
