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
    sql(9, include_str!("migrations/0009_bonus_runs.sql")),
    sql(10, include_str!("migrations/0010_bonus_redemptions.sql")),
    sql(11, include_str!("migrations/0011_logo_images.sql")),
    sql(12, include_str!("migrations/0012_run_cleanup.sql")),
    sql(13, include_str!("migrations/0013_code_trigrams.sql")),
    Migration {
        version: 14,
        sql: include_str!("migrations/0014_redemption_rollup.sql"),
        rust: Some(super::reports::rebuild_in_settings_zone),
        after_sql: "",
    },
    sql(15, include_str!("migrations/0015_reconciliation.sql")),
    sql(16, include_str!("migrations/0016_hub.sql")),
    sql(17, include_str!("migrations/0017_hub_claims.sql")),
    sql(18, include_str!("migrations/0018_hub_pull.sql")),
    sql(19, include_str!("migrations/0019_hub_keys.sql")),
    sql(20, include_str!("migrations/0020_hub_records.sql")),
    sql(21, include_str!("migrations/0021_hub_relay.sql")),
    sql(22, include_str!("migrations/0022_hub_disables.sql")),
    sql(23, include_str!("migrations/0023_hub_bonuses.sql")),
    sql(24, include_str!("migrations/0024_hub_batch_sent.sql")),
    sql(25, include_str!("migrations/0025_hub_vouchers.sql")),
    sql(26, include_str!("migrations/0026_hub_staff.sql")),
    sql(27, include_str!("migrations/0027_hub_offline_uses.sql")),
    sql(28, include_str!("migrations/0028_hub_audit.sql")),
    sql(29, include_str!("migrations/0029_hub_batch_got.sql")),
    sql(30, include_str!("migrations/0030_hub_audit_refusal.sql")),
];

pub fn latest() -> u32 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// The database's schema version; `NewerSchema` unless this version knows it. A negative
/// `user_version` was never written by CouponDesk: it is refused the same way.
pub fn schema_version(conn: &Connection) -> Result<u32, StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = latest();
    u32::try_from(found)
        .ok()
        .filter(|v| *v <= known)
        .ok_or(StoreError::NewerSchema { found, known })
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_up_to(conn, latest())
}

/// Migrates to `version` and no further: a database as that version left it, for the
/// tests of a later migration on a real file (`migrate` is this up to the latest).
pub fn migrate_up_to(conn: &mut Connection, version: u32) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.version > found && m.version <= version)
    {
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

    /// A database as version `upto` left it: every migration up to it, Rust steps
    /// included.
    fn old_database(upto: u32) -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        for m in MIGRATIONS.iter().filter(|m| m.version <= upto) {
            conn.execute_batch(m.sql).expect("old migration");
            if let Some(step) = m.rust {
                let tx = conn.transaction().expect("tx");
                step(&tx).expect("old step");
                tx.commit().expect("commit");
            }
            conn.execute_batch(m.after_sql).expect("old after");
        }
        conn.pragma_update(None, "user_version", upto)
            .expect("version");
        conn
    }

    /// `migrate_up_to` runs every migration above the version it finds, in list order:
    /// one listed after a higher one would never run.
    #[test]
    fn the_migrations_are_numbered_in_order_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
    }

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
                assert_eq!(found, i64::from(latest() + 1));
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

    /// Bonuses of a schema 8 database get their create run: bonuses sharing a creation
    /// time are one run, named by its first id; used and disabled ones too (the
    /// `bonuses_final` trigger is lifted for the backfill only, and still refuses after).
    #[test]
    fn gives_the_bonuses_of_a_schema_8_database_their_create_runs() {
        let mut conn = old_database(8);
        // Two creations: ids 1-3 at t=100 (the second one used, status 2), 4-5 at t=200.
        for (code, at, status) in [
            ("AAAAAAAAAAA", 100_i64, 1_i64),
            ("BBBBBBBBBBB", 100, 2),
            ("CCCCCCCCCCC", 100, 1),
            ("DDDDDDDDDDD", 200, 3),
            ("EEEEEEEEEEE", 200, 1),
        ] {
            conn.execute(
                "INSERT INTO bonuses (code, amount_fen, min_amount_fen, xname, status,
                   used_at, created_at, updated_at)
                 VALUES (?1, 100, 0, '', ?3, CASE WHEN ?3 = 2 THEN ?2 END, ?2, ?2)",
                rusqlite::params![code, at, status],
            )
            .expect("old bonus");
        }
        migrate(&mut conn).expect("migrate");
        let runs: Vec<(i64, i64)> = conn
            .prepare("SELECT id, create_run FROM bonuses ORDER BY id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(runs, vec![(1, 1), (2, 1), (3, 1), (4, 4), (5, 4)]);
        let still_final = conn.execute("UPDATE bonuses SET xname = 'x' WHERE id = 2", []);
        assert!(still_final.is_err(), "a used bonus still cannot change");
    }

    /// A database from before the chain (schema 6) with entries gets them chained, in id
    /// order, in the migration's transaction, and is sealed afterwards.
    #[test]
    fn chains_the_entries_a_schema_6_database_already_has() {
        let mut conn = old_database(6);
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
        let mut conn = old_database(6);
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

    /// Redemptions made before the day tables (schema 11) are counted into them by the
    /// migration, on the shop's days: live ones only, a voucher used here too, not a
    /// voucher a platform reported used; and the triggers count what comes after.
    #[test]
    fn counts_the_redemptions_of_a_schema_11_database_by_the_shops_day() {
        let mut conn = old_database(11);
        // 2026-12-07 23:30 in the default zone (UTC+08:00): 15:30 UTC.
        let t = 1_796_657_400_000_i64;
        conn.execute_batch(&format!(
            "INSERT INTO templates (id, kind, title, draft, quantity, begin_at, end_at,
                                    created_at, updated_at)
             VALUES (7, 'cash', 't', '{{}}', 10, 0, 9999999999999, 0, 0);
             INSERT INTO redemptions (code_id, template_id, prev_status, order_fen,
                                      reduction_fen, operator, terminal, redeemed_at,
                                      undo_until, undone_at)
             VALUES ((3 << 32) + 1, 7, 0, 10000, 2000, '小张', 'A', {t}, {t}, NULL),
                    ((3 << 32) + 2, 7, 0, 20000, 2000, '小张', 'A', {t} + 1, {t}, NULL),
                    ((3 << 32) + 3, 7, 0, 30000, 2000, '小张', 'A', {t} + 2, {t}, {t});
             INSERT INTO customers (id, phone, name, created_at, updated_at)
             VALUES (1, '13800138000', '', 0, 0);
             INSERT INTO vouchers (customer_id, name, price_fen, used_at, used_by,
                                   used_terminal, created_at, updated_at)
             VALUES (1, 'v', 3000, {t}, '小张', 'A', 0, 0),
                    (1, 'w', 5000, {t}, NULL, 'platform', 0, 0);"
        ))
        .expect("old rows");
        migrate(&mut conn).expect("migrate");
        let rows = |conn: &Connection| -> Vec<(i64, i64, i64, i64, i64)> {
            let mut st = conn
                .prepare(
                    "SELECT kind, batch_id, uses, discount_fen, order_fen
                       FROM redemption_days WHERE day = 20794 ORDER BY kind",
                )
                .expect("prepare");
            st.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
        };
        assert_eq!(
            rows(&conn),
            vec![(1, 3, 2, 4000, 30000), (3, 0, 1, 0, 3000)]
        );
        // After: an undo takes one back, and a new one adds.
        conn.execute(
            "UPDATE redemptions SET undone_at = 1 WHERE order_fen = 10000",
            [],
        )
        .expect("undo");
        assert_eq!(
            rows(&conn),
            vec![(1, 3, 1, 2000, 20000), (3, 0, 1, 0, 3000)]
        );
        conn.execute(
            "UPDATE redemptions SET undone_at = 1 WHERE order_fen = 20000",
            [],
        )
        .expect("undo");
        assert_eq!(rows(&conn), vec![(3, 0, 1, 0, 3000)], "an emptied row goes");
        let hours: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT hour, kind, uses FROM redemption_hours WHERE day = 20794")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("hours");
        assert_eq!(hours, vec![(23, 3, 1)]);
    }
}
