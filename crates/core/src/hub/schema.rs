//! The hub's schema: versioned migrations (`migrations/NNNN_*.sql`) in the PostgreSQL
//! schema `coupondesk`, the version in `coupondesk.meta` under `schema_version`.
//!
//! What must stay true:
//! - each migration runs in one transaction that also writes the new version, so a kill
//!   mid-migration leaves the old version and nothing of the new one;
//! - each migration's transaction first takes `MIGRATION_LOCK` (a transaction-scoped
//!   advisory lock) and only then reads the version: two desks migrating at once run each
//!   migration once, the second one finding it done;
//! - a hub whose version is above `SCHEMA_VERSION` is refused (`HubError::Newer`) and
//!   left untouched;
//! - the placeholder role `coupondesk_terminal` in the SQL becomes this hub's group role
//!   (`roles::group_role`).

use tokio_postgres::{Client, GenericClient};

use super::roles;
use super::HubError;

/// The hub schema version this build knows.
pub const SCHEMA_VERSION: i64 = 11;

/// Key of the advisory lock migrations take ("cd.migra" as a bigint).
const MIGRATION_LOCK: i64 = 0x6364_2e6d_6967_7261;

/// The placeholder for the hub's group role in the migrations' text.
const GROUP_PLACEHOLDER: &str = "coupondesk_terminal";

struct Migration {
    version: i64,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("migrations/0001_hub.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("migrations/0002_claims.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("migrations/0003_records.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("migrations/0004_platform.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("migrations/0005_disables.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("migrations/0006_bonuses.sql"),
    },
    Migration {
        version: 7,
        sql: include_str!("migrations/0007_voucher_claims.sql"),
    },
    Migration {
        version: 8,
        sql: include_str!("migrations/0008_terminal_contact.sql"),
    },
    Migration {
        version: 9,
        sql: include_str!("migrations/0009_staff.sql"),
    },
    Migration {
        version: 10,
        sql: include_str!("migrations/0010_audit.sql"),
    },
    Migration {
        version: 11,
        sql: include_str!("migrations/0011_code_order.sql"),
    },
];

/// What must stay true of the list: versions 1, 2, 3, ... in order with no gap and each
/// file named by its version, since `migrate` runs every migration above the version it
/// finds, in list order (a migration listed after a higher one would never run).
#[cfg(test)]
mod list_tests {
    #[test]
    fn the_migrations_are_numbered_in_order_without_gaps() {
        for (i, m) in super::MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
        }
        assert_eq!(
            super::MIGRATIONS.last().map(|m| m.version),
            Some(super::SCHEMA_VERSION)
        );
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The version found (0: no hub in this database yet).
    pub from: i64,
    pub to: i64,
}

/// The hub's schema version: None when this database has no hub.
pub async fn version(c: &impl GenericClient) -> Result<Option<i64>, HubError> {
    let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
    let row = c
        .query_one("SELECT to_regclass('coupondesk.meta') IS NOT NULL", &[])
        .await
        .map_err(pg)?;
    if !row.get::<_, bool>(0) {
        return Ok(None);
    }
    let row = c
        .query_opt(
            "SELECT value FROM coupondesk.meta WHERE key = 'schema_version'",
            &[],
        )
        .await
        .map_err(pg)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let v: String = row.get(0);
    v.trim()
        .parse()
        .map(Some)
        .map_err(|_| HubError::Failed(format!("the hub's schema_version is not a number: {v:?}")))
}

/// The version when this build can use the hub: `NotInitialised` without a hub,
/// `Newer` above this build's.
pub fn usable(found: Option<i64>) -> Result<i64, HubError> {
    match found {
        None => Err(HubError::NotInitialised),
        Some(v) if v > SCHEMA_VERSION => Err(HubError::Newer {
            hub: v,
            build: SCHEMA_VERSION,
        }),
        Some(v) => Ok(v),
    }
}

/// Creates or migrates the hub to `SCHEMA_VERSION` (a no-op when it is there). Needs a
/// role that may create schemas and roles. `merchant` is recorded in `meta` when given.
pub async fn migrate(c: &mut Client, merchant: Option<&str>) -> Result<Migrated, HubError> {
    migrate_up_to(c, merchant, SCHEMA_VERSION).await
}

/// `migrate`, stopping at version `upto`: a hub as an older build left it, for the tests
/// of a later migration on a real cluster (`migrate` is this up to `SCHEMA_VERSION`).
pub async fn migrate_up_to(
    c: &mut Client,
    merchant: Option<&str>,
    upto: i64,
) -> Result<Migrated, HubError> {
    let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
    let db: String = c
        .query_one("SELECT current_database()", &[])
        .await
        .map_err(pg)?
        .get(0);
    let group = roles::group_role(&db);
    let mut first_found = None;
    for m in MIGRATIONS.iter().filter(|m| m.version <= upto) {
        let tx = c.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg)?;
        let found = version(&tx).await?.unwrap_or(0);
        first_found.get_or_insert(found);
        if found > SCHEMA_VERSION {
            return Err(HubError::Newer {
                hub: found,
                build: SCHEMA_VERSION,
            });
        }
        if found >= m.version {
            continue;
        }
        let sql = m.sql.replace(GROUP_PLACEHOLDER, &group);
        tx.batch_execute(&sql).await.map_err(pg)?;
        tx.execute(
            "INSERT INTO coupondesk.meta (key, value) VALUES ('schema_version', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&m.version.to_string()],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
    }
    if let Some(name) = merchant {
        c.execute(
            "INSERT INTO coupondesk.meta (key, value) VALUES ('merchant', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&name],
        )
        .await
        .map_err(pg)?;
    }
    Ok(Migrated {
        from: first_found.unwrap_or(0),
        to: upto.min(SCHEMA_VERSION),
    })
}
