//! Versioned, embedded migrations tracked in `PRAGMA user_version`. A database whose
//! version is newer than this build knows is refused, never touched.

use rusqlite::Connection;

use super::StoreError;

/// (version, SQL). Append only; never edit a released migration.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_templates_redemptions.sql")),
    (3, include_str!("migrations/0003_bonuses_vouchers.sql")),
    (4, include_str!("migrations/0004_sync.sql")),
    (5, include_str!("migrations/0005_wire_truth.sql")),
    (6, include_str!("migrations/0006_changes.sql")),
];

pub fn latest() -> u32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

pub fn schema_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    let known = latest();
    if found > known {
        return Err(StoreError::NewerSchema { found, known });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the write lock.
        if schema_version(&tx)? >= *version {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_newer_database_and_leaves_it_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.sqlite3");
        Connection::open(&path)
            .expect("open")
            .pragma_update(None, "user_version", latest() + 1)
            .expect("set version");
        match super::super::open(&path) {
            Err(StoreError::NewerSchema { found, known }) => {
                assert_eq!(found, latest() + 1);
                assert_eq!(known, latest());
            }
            other => panic!("expected NewerSchema, got {:?}", other.map(|_| ())),
        }
        let conn = Connection::open(&path).expect("reopen");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .expect("count");
        assert_eq!(tables, 0, "a newer database must not be migrated");
    }

    #[test]
    fn migrates_once() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("first");
        migrate(&mut conn).expect("second");
        assert_eq!(schema_version(&conn).ok(), Some(latest()));
    }
}
