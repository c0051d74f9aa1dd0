//! `hub join` against a real PostgreSQL cluster (one per test file, each test in its
//! own database): the first desk uploads, a second desk uploads its own and downloads
//! the first one's codes, with their statuses, counts and search; status and lag.

mod common;

use common::{fixture, Fixture};
use coupondesk_core::domain::CodeStatus;
use coupondesk_core::hub::{schema, HubUrl};
use coupondesk_core::ErrorCode;

struct HubDb {
    cluster: std::sync::Arc<pgtest::PgCluster>,
    url: String,
    name: String,
}

impl HubDb {
    fn new(prefix: &str) -> HubDb {
        let cluster = pgtest::shared().expect("cluster");
        let url = cluster.fresh_db(prefix).expect("db");
        let name = HubUrl::parse(&url).expect("url").database().to_owned();
        HubDb { cluster, url, name }
    }

    fn psql(&self, sql: &str) -> String {
        self.cluster.psql(&self.name, sql).expect(sql)
    }
}

fn status_of(f: &Fixture, code: &str) -> CodeStatus {
    let conn = rusqlite_status(f, code);
    CodeStatus::from_db(conn).expect("status")
}

fn rusqlite_status(f: &Fixture, code: &str) -> i64 {
    // The desk's own file, read as any SQLite reader would.
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row("SELECT status FROM codes WHERE code = ?1", [code], |r| {
        r.get(0)
    })
    .expect(code)
}

#[test]
fn a_second_desk_joins_and_gets_the_first_ones_codes_with_their_statuses() {
    let hub = HubDb::new("join");
    let a = fixture();
    a.generated("A1", 300);
    let a_codes = a.codes("A1", None);
    let disabled = a_codes[7].clone();
    a.desk.disable_code(&disabled).expect("disable");

    a.desk.hub_init(&hub.url, Some("Tea House")).expect("init");
    let ja = a
        .desk
        .hub_join(&hub.url, "Shop 1", "counter 1")
        .expect("join a");
    assert_eq!(
        (ja.moved.batches_uploaded, ja.moved.codes_uploaded),
        (1, 300)
    );
    assert_eq!(
        (ja.moved.batches_downloaded, ja.moved.codes_downloaded),
        (0, 0)
    );
    assert!(
        ja.url.starts_with(&format!("postgres://{}@", ja.role)),
        "{}",
        ja.url
    );
    assert_eq!(hub.psql("SELECT count(*) FROM coupondesk.codes"), "300");
    assert_eq!(
        hub.psql(&format!(
            "SELECT status FROM coupondesk.codes WHERE code = '{disabled}'"
        )),
        "disabled"
    );
    // One change for the batch, none per code.
    assert_eq!(hub.psql("SELECT count(*) FROM coupondesk.changes"), "1");

    // Another counter redeems a code at the hub (what a claim does).
    let redeemed = a_codes[11].clone();
    hub.psql(&format!(
        "UPDATE coupondesk.codes SET status = 'redeemed' WHERE code = '{redeemed}'"
    ));

    let b = fixture();
    b.generated("B1", 50);
    let jb = b
        .desk
        .hub_join(&hub.url, "Shop 2", "counter 1")
        .expect("join b");
    assert_eq!(
        (jb.moved.batches_uploaded, jb.moved.codes_uploaded),
        (1, 50)
    );
    assert_eq!(
        (jb.moved.batches_downloaded, jb.moved.codes_downloaded),
        (1, 300)
    );
    assert_eq!(
        jb.moved.statuses_applied, 2,
        "the disabled and the redeemed code"
    );
    assert_eq!(hub.psql("SELECT count(*) FROM coupondesk.codes"), "350");
    assert_ne!(ja.role, jb.role);

    let got = b.desk.get_batch("A1").expect("batch A1 at b");
    assert_eq!(got.name, "batch A1");
    assert_eq!(got.total_codes, 300);
    assert_eq!(got.used_codes, 1);
    assert_eq!(status_of(&b, &redeemed), CodeStatus::Redeemed);
    assert_eq!(status_of(&b, &disabled), CodeStatus::Disabled);
    assert_eq!(status_of(&b, &a_codes[0]), CodeStatus::Issued);
    // Searchable at once: a piece of a downloaded code finds it.
    let piece = &a_codes[42][2..8];
    assert!(
        b.codes("A1", Some(piece)).contains(&a_codes[42]),
        "search {piece}"
    );
    common::check_index_complete(&b.desk, &b.db);
    // pulled_seq was read before the download: B's own upload (seq 3) is below it.
    assert_eq!(
        jb.moved.pulled_seq, 3,
        "A's batch, the redemption, B's batch"
    );

    // A sees the hub and how far behind it is: B's batch and the redemption.
    let sa = a.desk.hub_status().expect("status a");
    assert!(sa.reachable, "{sa:?}");
    assert_eq!(sa.schema_version, Some(schema::SCHEMA_VERSION));
    assert_eq!(sa.lag, Some(2));
    assert!(
        sa.url.starts_with(&format!("postgres://{}@", ja.role)),
        "{}",
        sa.url
    );
    let sb = b.desk.hub_status().expect("status b");
    assert_eq!(sb.lag, Some(0));
}

#[test]
fn a_local_redemption_is_never_undone_by_the_hub() {
    let hub = HubDb::new("keep");
    let a = fixture();
    a.generated("K1", 20);
    a.desk.hub_init(&hub.url, None).expect("init");
    a.desk.hub_join(&hub.url, "S", "T1").expect("join a");
    // The same batch on a second desk, where one code is disabled locally before it
    // joins, and the hub has another disabled.
    let codes = a.codes("K1", None);
    hub.psql(&format!(
        "UPDATE coupondesk.codes SET status = 'disabled' WHERE code = '{}'",
        codes[1]
    ));
    let b = fixture();
    b.desk.create_batch("K1", "batch K1").expect("batch");
    let csv = b.file("k1.csv", format!("{}\n{}\n", codes[0], codes[1]).as_bytes());
    b.import("K1", &csv, &Default::default());
    b.desk.disable_code(&codes[0]).expect("disable");
    let jb = b.desk.hub_join(&hub.url, "S", "T2").expect("join b");
    assert_eq!(jb.moved.codes_uploaded, 0, "the hub has both codes already");
    assert_eq!(jb.moved.codes_downloaded, 18);
    assert_eq!(
        status_of(&b, &codes[1]),
        CodeStatus::Disabled,
        "the hub's word"
    );
    assert_eq!(status_of(&b, &codes[0]), CodeStatus::Disabled, "kept");
    // The hub did not take the desk's status for a code it had (claims will).
    assert_eq!(
        hub.psql(&format!(
            "SELECT status FROM coupondesk.codes WHERE code = '{}'",
            codes[0]
        )),
        "issued"
    );
    assert_eq!(b.desk.get_batch("K1").expect("K1").total_codes, 20);
}

#[test]
fn joins_are_refused_with_what_to_do() {
    let hub = HubDb::new("refuse");
    let a = fixture();
    let e = a.desk.hub_join(&hub.url, "S", "T").expect_err("no hub yet");
    assert_eq!(e.code(), "hub_not_initialised");
    assert_eq!(
        a.desk.hub_status().expect_err("not joined").code(),
        "hub_not_joined"
    );
    a.desk.hub_init(&hub.url, None).expect("init");
    let e = a
        .desk
        .hub_join(&hub.url, " ", "T")
        .expect_err("no store name");
    assert_eq!(e.code(), "hub_no_name");
    let again = a.desk.hub_init(&hub.url, None).expect("init twice");
    assert_eq!(
        (again.from_version, again.version),
        (schema::SCHEMA_VERSION, schema::SCHEMA_VERSION)
    );
    a.desk.hub_join(&hub.url, "S", "T").expect("join");
    // The same desk may join again (its role gets a new password)...
    a.desk.hub_join(&hub.url, "S", "T").expect("rejoin");
    assert!(a.desk.hub_status().expect("status").reachable);
    // ...another desk may not take its name.
    let b = fixture();
    let e = b.desk.hub_join(&hub.url, "S", "T").expect_err("taken");
    assert_eq!(e.code(), "hub_terminal_taken");
    // One above this build's schema (a literal would stop being newer as schemas come).
    hub.psql(&format!(
        "UPDATE coupondesk.meta SET value = '{}' WHERE key = 'schema_version'",
        schema::SCHEMA_VERSION + 1
    ));
    let e = b.desk.hub_join(&hub.url, "S", "T9").expect_err("newer");
    assert_eq!(e.code(), "hub_newer");
    let s = a.desk.hub_status().expect("status is an answer");
    assert!(!s.reachable);
    assert_eq!(s.error_code.as_deref(), Some("hub_newer"));
}

#[test]
fn the_claim_deadline_is_set_in_its_range_audited_and_shown_with_the_queue() {
    let hub = HubDb::new("deadline");
    let a = fixture();
    assert_eq!(
        a.desk
            .hub_set_deadline(1500)
            .expect_err("not joined")
            .code(),
        "hub_not_joined"
    );
    a.desk.hub_init(&hub.url, None).expect("init");
    a.desk.hub_join(&hub.url, "S", "T").expect("join");
    for bad in [0, 199, 10_001] {
        assert_eq!(
            a.desk
                .hub_set_deadline(bad)
                .expect_err("out of range")
                .code(),
            "hub_bad_deadline",
            "{bad}"
        );
    }
    assert_eq!(a.desk.hub_set_deadline(200).expect("min"), 200);
    assert_eq!(a.desk.hub_set_deadline(2500).expect("set"), 2500);
    let s = a.desk.hub_status().expect("status");
    assert!(s.reachable, "{s:?}");
    assert_eq!((s.deadline_ms, s.queued), (2500, 0));
    let conn = rusqlite::Connection::open(&a.db).expect("open");
    let audited: Vec<String> = conn
        .prepare("SELECT detail FROM audit_log WHERE action = 'hub.deadline' ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(audited[1].contains("2500"), "{audited:?}");
    // A rejoin keeps the desk's own deadline.
    a.desk.hub_join(&hub.url, "S", "T").expect("rejoin");
    assert_eq!(a.desk.hub_status().expect("status").deadline_ms, 2500);
}
