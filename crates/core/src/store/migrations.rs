//! Versioned, embedded migrations tracked in `PRAGMA user_version`. A database whose
//! version is newer than this build knows is refused, never touched.

use rusqlite::{Connection, Transaction};

use super::StoreError;

type RustStep = fn(&Transaction<'_>) -> Result<(), StoreError>;

/// One schema version: its SQL, then optionally a Rust step and more SQL, all in the
/// transaction that bumps `user_version` (a kill mid-migration leaves the old version).
struct Migration {
    version: u32,
    sql: &'static str,
    /// Work SQL cannot do (hashing), run after `sql`, then `after_sql`.
    rust: Option<RustStep>,
    after_sql: &'static str,
}

const fn sql(version: u32, sql: &'static str) -> Migration {
    Migration {
        version,
        sql,
        rust: None,
        after_sql: "",
    }
}

/// Append only; never edit a released migration.
const MIGRATIONS: &[Migration] = &[
    sql(1, include_str!("migrations/0001_init.sql")),
    sql(2, include_str!("migrations/0002_templates_redemptions.sql")),
    sql(3, include_str!("migrations/0003_bonuses_vouchers.sql")),
    sql(4, include_str!("migrations/0004_sync.sql")),
    sql(5, include_str!("migrations/0005_wire_truth.sql")),
    sql(6, include_str!("migrations/0006_changes.sql")),
    Migration {
        version: 7,
        sql: include_str!("migrations/0007_audit_chain.sql"),
        rust: Some(super::audit::chain_existing),
        after_sql: include_str!("migrations/0007_audit_append_only.sql"),
    },
    sql(8, include_str!("migrations/0008_staff.sql")),
    sql(11, include_str!("migrations/0011_bonus_redemptions.sql")),
];

pub fn latest() -> u32 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
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
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the write lock.
        if schema_version(&tx)? >= m.version {
            continue;
        }
        tx.execute_batch(m.sql)?;
        if let Some(step) = m.rust {
            step(&tx)?;
        }
        tx.execute_batch(m.after_sql)?;
        tx.pragma_update(None, "user_version", m.version)?;
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

    /// A database from before the chain (schema 6) with entries gets them chained, in id
    /// order, in the migration's transaction, and is sealed afterwards.
    #[test]
    fn chains_the_entries_a_schema_6_database_already_has() {
        let mut conn = Connection::open_in_memory().expect("open");
        for m in MIGRATIONS.iter().filter(|m| m.version <= 6) {
            conn.execute_batch(m.sql).expect("old migration");
        }
        conn.pragma_update(None, "user_version", 6)
            .expect("version");
        for (at, subject) in [(5_i64, "A"), (9, "B"), (12, "C")] {
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, subject, detail)
                 VALUES (?1, 'staff', 'batch.create', ?2, '{\"name\":\"x\"}')",
                rusqlite::params![at, subject],
            )
            .expect("old entry");
        }
        migrate(&mut conn).expect("migrate");
        assert_eq!(
            crate::store::audit_verify::verify(&conn).expect("verify"),
            crate::domain::audit::AuditVerdict::Intact { entries: 3 }
        );
        let first: String = conn
            .query_row("SELECT hash FROM audit_log WHERE id = 1", [], |r| r.get(0))
            .expect("hash");
        let detail = serde_json::json!({ "name": "x" });
        let fields = crate::store::audit::ChainFields {
            id: 1,
            at: 5,
            actor: "staff",
            terminal: "",
            action: "batch.create",
            subject: "A",
            detail: &detail,
        };
        assert_eq!(
            first,
            crate::store::audit::chain_hash(crate::store::audit::GENESIS, &fields)
        );
        assert!(
            conn.execute("DELETE FROM audit_log", []).is_err(),
            "sealed after the backfill"
        );
    }

    /// The SQL, the Rust step and the triggers are one transaction with the version bump:
    /// when the last part fails (here: a trigger of that name already exists), nothing of
    /// migration 7 stays and the database is still a good schema 6.
    #[test]
    fn a_failing_migration_leaves_the_old_version_whole() {
        let mut conn = Connection::open_in_memory().expect("open");
        for m in MIGRATIONS.iter().filter(|m| m.version <= 6) {
            conn.execute_batch(m.sql).expect("old migration");
        }
        conn.pragma_update(None, "user_version", 6)
            .expect("version");
        conn.execute_batch(
            "INSERT INTO audit_log (at, actor, action, subject, detail)
               VALUES (1, 'staff', 'batch.create', 'A', '{}');
             CREATE TRIGGER audit_log_no_update AFTER INSERT ON batches BEGIN SELECT 1; END;",
        )
        .expect("schema 6 with a clashing trigger");
        assert!(migrate(&mut conn).is_err());
        assert_eq!(schema_version(&conn).ok(), Some(6));
        let columns: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('audit_log') WHERE name IN ('hash', 'terminal')",
                [],
                |r| r.get(0),
            )
            .expect("columns");
        assert_eq!(columns, 0, "the new columns were rolled back");
    }
}
