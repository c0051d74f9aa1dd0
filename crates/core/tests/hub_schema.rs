//! The hub's schema against a real PostgreSQL cluster (one per test file, each test in
//! its own database): migrations, the version rules, the change log's order, and the
//! terminals' rights.

use std::time::Duration;

use coupondesk_core::hub::{roles, schema, tokio_postgres, Hub, HubError, HubUrl};

const LONG: Duration = Duration::from_secs(30);

fn admin(prefix: &str) -> (std::sync::Arc<pgtest::PgCluster>, Hub) {
    let c = pgtest::shared().expect("cluster");
    let url = c.fresh_db(prefix).expect("db");
    let hub = Hub::open(&HubUrl::parse(&url).expect("url"), LONG).expect("open");
    (c, hub)
}

#[test]
fn init_creates_the_schema_and_a_second_init_is_a_no_op() {
    let (_c, hub) = admin("init");
    assert_eq!(
        hub.call(async |c| schema::version(c).await).expect("v"),
        None
    );
    let first = hub
        .call(async |c| schema::migrate(c, Some("Tea House")).await)
        .expect("init");
    assert_eq!((first.from, first.to), (0, schema::SCHEMA_VERSION));
    let second = hub
        .call(async |c| schema::migrate(c, None).await)
        .expect("init again");
    assert_eq!(
        (second.from, second.to),
        (schema::SCHEMA_VERSION, schema::SCHEMA_VERSION)
    );
    let (v, merchant) = hub
        .call(async |c| {
            let v = schema::version(c).await?;
            let row = c
                .query_one(
                    "SELECT value FROM coupondesk.meta WHERE key = 'merchant'",
                    &[],
                )
                .await
                .map_err(|e| HubError::from_pg(&e))?;
            Ok((v, row.get::<_, String>(0)))
        })
        .expect("read");
    assert_eq!(v, Some(schema::SCHEMA_VERSION));
    assert_eq!(merchant, "Tea House");
}

#[test]
fn two_desks_migrating_at_once_both_succeed() {
    let c = pgtest::shared().expect("cluster");
    let url = HubUrl::parse(&c.fresh_db("race").expect("db")).expect("url");
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let hub = Hub::open(&url, LONG).expect("open");
                hub.call(async |c| schema::migrate(c, None).await)
            })
        })
        .collect();
    let mut created = 0;
    for r in runs {
        let m = r.join().expect("thread").expect("migrate");
        assert_eq!(m.to, schema::SCHEMA_VERSION);
        if m.from == 0 {
            created += 1;
        }
    }
    assert_eq!(created, 1, "exactly one desk created the schema");
}

#[test]
fn a_newer_hub_is_refused_and_left_alone() {
    let (_c, hub) = admin("newer");
    hub.call(async |c| schema::migrate(c, None).await)
        .expect("init");
    hub.call(async |c| {
        c.execute(
            "UPDATE coupondesk.meta SET value = '99' WHERE key = 'schema_version'",
            &[],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))
    })
    .expect("bump");
    let err = hub
        .call(async |c| schema::migrate(c, None).await)
        .expect_err("newer hub");
    assert_eq!(
        err,
        HubError::Newer {
            hub: 99,
            build: schema::SCHEMA_VERSION
        }
    );
    let m = err.to_string();
    assert!(
        m.contains("99") && m.contains(&format!("version {}", schema::SCHEMA_VERSION)),
        "{m}"
    );
    let found = hub.call(async |c| schema::version(c).await).expect("v");
    assert_eq!(schema::usable(found), Err(err));
    assert_eq!(schema::usable(None), Err(HubError::NotInitialised));
}

/// Concurrent writers get seqs in commit order: the second writer waits at log_change
/// until the first commits, so it can never commit a lower seq after a higher one.
#[test]
fn change_log_seqs_follow_commit_order() {
    let (_c, hub) = admin("order");
    hub.call(async |c| schema::migrate(c, None).await)
        .expect("init");
    let url = hub.url().clone();
    // A holds its seq and stays open; B's log_change must wait until A commits.
    let a = Hub::open(&url, LONG).expect("a");
    let (tx_go, rx_go) = std::sync::mpsc::channel::<()>();
    let (tx_logged, rx_logged) = std::sync::mpsc::channel::<i64>();
    let writer_a = std::thread::spawn(move || {
        a.call(async |c| {
            let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
            let t = c.transaction().await.map_err(pg)?;
            let s: i64 = t
                .query_one("SELECT coupondesk.log_change('t', 'a', '{}', NULL)", &[])
                .await
                .map_err(pg)?
                .get(0);
            let _ = tx_logged.send(s);
            let _ = rx_go.recv_timeout(Duration::from_secs(10));
            t.commit().await.map_err(pg)?;
            Ok(s)
        })
    });
    let seq_a = rx_logged.recv().expect("a logged");
    // B connects first, so its later timeout can only be the wait at the lock.
    let b = Hub::open(&url, LONG).expect("b");
    b.call(async |c| {
        c.batch_execute("SELECT 1")
            .await
            .map_err(|e| HubError::from_pg(&e))
    })
    .expect("b connects");
    let blocked = b.call_within(Duration::from_millis(500), async |c| {
        c.query_one("SELECT coupondesk.log_change('t', 'b', '{}', NULL)", &[])
            .await
            .map_err(|e| HubError::from_pg(&e))
    });
    assert!(
        matches!(blocked, Err(HubError::Offline(_))),
        "B must wait for A's commit: {blocked:?}"
    );
    tx_go.send(()).expect("go");
    assert_eq!(writer_a.join().expect("a").expect("a commits"), seq_a);
    let seq_b: i64 = Hub::open(&url, LONG)
        .expect("b2")
        .call(async |c| {
            Ok(
                c.query_one("SELECT coupondesk.log_change('t', 'b', '{}', NULL)", &[])
                    .await
                    .map_err(|e| HubError::from_pg(&e))?
                    .get(0),
            )
        })
        .expect("b logs after");
    assert!(seq_b > seq_a);
}

#[test]
fn a_terminal_reads_and_inserts_but_cannot_update_codes() {
    let (_c, hub) = admin("rights");
    hub.call(async |c| schema::migrate(c, None).await)
        .expect("init");
    let db = hub.url().database().to_owned();
    let role = roles::terminal_role(&db, 1);
    let password = roles::new_password();
    hub.call(async |c| {
        roles::create_terminal_role(c, &db, &role, &password).await?;
        c.batch_execute(
            "INSERT INTO coupondesk.batches (ticket_type, name) VALUES ('T1', 'one');
             INSERT INTO coupondesk.codes (code, ticket_type) VALUES ('ABCD1234', 'T1');",
        )
        .await
        .map_err(|e| HubError::from_pg(&e))
    })
    .expect("setup");
    let terminal = Hub::open(&hub.url().as_user(&role, Some(&password)), LONG).expect("open");
    let run = |sql: &'static str| {
        terminal.call(async |c| {
            c.batch_execute(sql)
                .await
                .map_err(|e| HubError::from_pg(&e))
        })
    };
    run("SELECT count(*) FROM coupondesk.codes").expect("select");
    run("INSERT INTO coupondesk.codes (code, ticket_type) VALUES ('EFGH5678', 'T1')")
        .expect("insert");
    for sql in [
        "UPDATE coupondesk.codes SET status = 'redeemed' WHERE code = 'ABCD1234'",
        "DELETE FROM coupondesk.codes WHERE code = 'ABCD1234'",
        "INSERT INTO coupondesk.changes (seq, kind, subject) VALUES (99, 'x', 'y')",
    ] {
        let err = run(sql).expect_err(sql);
        assert!(
            matches!(&err, HubError::Denied(m) if m.contains("permission denied")),
            "{sql}: {err:?}"
        );
    }
    // A wrong password is hub_auth.
    let wrong = Hub::open(&hub.url().as_user(&role, Some("not-it")), LONG).expect("open");
    let err = wrong
        .call(async |c| {
            c.batch_execute("SELECT 1")
                .await
                .map_err(|e| HubError::from_pg(&e))
        })
        .expect_err("wrong password");
    assert!(matches!(err, HubError::Auth(_)), "{err:?}");
}

/// The status trigger logs each status change, with the claim's fields.
#[test]
fn a_status_change_is_logged() {
    let (_c, hub) = admin("trigger");
    hub.call(async |c| schema::migrate(c, None).await)
        .expect("init");
    let (kind, subject, status) = hub
        .call(async |c| {
            let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
            c.batch_execute(
                "INSERT INTO coupondesk.batches (ticket_type, name) VALUES ('T1', 'one');
                 INSERT INTO coupondesk.codes (code, ticket_type) VALUES ('ABCD1234', 'T1');
                 UPDATE coupondesk.codes SET status = 'redeemed' WHERE code = 'ABCD1234';
                 UPDATE coupondesk.codes SET claim_staff = 'x' WHERE code = 'ABCD1234';",
            )
            .await
            .map_err(pg)?;
            let rows = c
                .query(
                    "SELECT kind, subject, body->>'status' FROM coupondesk.changes",
                    &[],
                )
                .await
                .map_err(pg)?;
            assert_eq!(rows.len(), 1, "one change: the status, not the staff");
            Ok((
                rows[0].get::<_, String>(0),
                rows[0].get::<_, String>(1),
                rows[0].get::<_, String>(2),
            ))
        })
        .expect("trigger");
    assert_eq!(
        (kind.as_str(), subject.as_str(), status.as_str()),
        ("code", "ABCD1234", "redeemed")
    );
}
