//! Shared by the core's integration tests: a Desk on a fresh file, CSV writers, and the
//! store invariants every test checks after it has changed something.
#![allow(dead_code)]

pub mod hub;

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use coupondesk_core::domain::bonus::BonusDraft;
use coupondesk_core::domain::offer::Offer;
use coupondesk_core::domain::template::{CodeType, TemplateDraft};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::import::{ImportOptions, ImportReport, ImportTarget};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::{CodeQuery, CodeRow};
use coupondesk_core::Desk;
use rusqlite::Connection;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub desk: Desk,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("desk.sqlite3");
    let desk = Desk::open(&db).expect("open");
    Fixture { dir, db, desk }
}

impl Fixture {
    /// A new batch `t` ("batch t") of `n` generated codes.
    pub fn generated(&self, t: &str, n: u64) {
        self.desk
            .create_batch(t, &format!("batch {t}"))
            .expect("batch");
        self.desk
            .generate_codes(
                &coupondesk_core::generate::GenerateRequest {
                    ticket_type: t.into(),
                    count: n,
                    length: None,
                    prefix: None,
                },
                &CancelToken::new(),
                &mut |_| {},
            )
            .expect("generate");
    }

    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// The import alone, the search index left behind, so tests see searches both before
    /// and after indexing (`Desk::import_codes` indexes before it returns).
    pub fn import(&self, batch: &str, file: &Path, options: &ImportOptions) -> ImportReport {
        self.desk
            .import_codes_unindexed(
                file,
                &ImportTarget::Existing(batch.into()),
                options,
                &CancelToken::new(),
                &mut |_| {},
            )
            .expect("import")
    }

    pub fn codes(&self, batch: &str, search: Option<&str>) -> Vec<String> {
        self.codes_paged(batch, search, 100)
    }

    /// Every code of a listing, read page by page.
    pub fn codes_paged(&self, batch: &str, search: Option<&str>, per_page: u32) -> Vec<String> {
        let mut all = Vec::new();
        for page in 1.. {
            let p = self
                .desk
                .list_codes(&CodeQuery {
                    ticket_type: batch.into(),
                    status: None,
                    search: search.map(str::to_owned),
                    page: PageRequest { page, per_page },
                })
                .expect("list");
            all.extend(p.items.into_iter().map(|c: CodeRow| c.code));
            if u64::from(page) >= p.total_pages {
                break;
            }
        }
        all
    }

    pub fn check_invariants(&self) {
        check_invariants(&self.db);
    }
}

/// The store's invariants (see store/mod.rs), read straight from the file.
pub fn check_invariants(db: &Path) {
    let conn = Connection::open(db).expect("open");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
    let mut stmt = conn
        .prepare("SELECT id, next_seq, indexed_seq FROM batches")
        .expect("prepare");
    let batches: Vec<(i64, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (id, next_seq, indexed_seq) in batches {
        let lo = (id << 32) | 1;
        let hi = (id << 32) | 0xFFFF_FFFF;
        // Rows at or above next_seq are a run's being undone (store/run_undo.rs): only
        // below what its cleanup still has to delete, and counted nowhere.
        let undo_to: Option<i64> = conn
            .query_row(
                "SELECT max(undo_to_seq) FROM code_runs WHERE batch_id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("undo");
        let doomed_max: Option<i64> = conn
            .query_row(
                "SELECT max(id) FROM codes WHERE id BETWEEN ?1 AND ?2",
                [(id << 32) | next_seq.max(1), hi],
                |r| r.get(0),
            )
            .expect("doomed");
        if let Some(m) = doomed_max {
            let to = undo_to.expect("doomed rows only while a cleanup is pending");
            assert!(
                m & 0xFFFF_FFFF < to,
                "batch {id}: no row above the cleanup's end"
            );
        }
        let hi = (id << 32) | (next_seq - 1);
        let (n, max): (i64, Option<i64>) = conn
            .query_row(
                "SELECT count(*), max(id) FROM codes WHERE id BETWEEN ?1 AND ?2",
                [lo, hi],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("count");
        assert_eq!(
            n,
            next_seq - 1,
            "batch {id}: codes are 1..next_seq without gaps"
        );
        assert_eq!(max.map(|m| m & 0xFFFF_FFFF).unwrap_or(0), next_seq - 1);
        let counted: i64 = conn
            .query_row(
                "SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("counts");
        assert_eq!(counted, n, "batch {id}: batch_counts match the codes");
        let by_status: i64 = conn
            .query_row(
                "SELECT count(*) FROM (SELECT status, count(*) AS k FROM codes
                   WHERE id BETWEEN ?1 AND ?2 GROUP BY status) g
                 WHERE k <> coalesce((SELECT n FROM batch_counts WHERE batch_id = ?3
                   AND status = g.status), 0)",
                [lo, hi, id],
                |r| r.get(0),
            )
            .expect("by status");
        assert_eq!(by_status, 0, "batch {id}: per-status counts match");
        assert!(indexed_seq <= next_seq);
    }
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM codes WHERE (id >> 32) NOT IN (SELECT id FROM batches)",
            [],
            |r| r.get(0),
        )
        .expect("orphans");
    assert_eq!(orphans, 0, "every code belongs to a batch");
    let running: i64 = conn
        .query_row(
            "SELECT count(*) FROM code_runs WHERE state = 'running'",
            [],
            |r| r.get(0),
        )
        .expect("running");
    assert_eq!(running, 0, "no run is left running");
}

/// `n` distinct valid codes.
pub fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:06}")).collect()
}

/// After a full catch-up the trigram index must match the codes table exactly.
pub fn check_index_complete(desk: &Desk, db: &Path) {
    desk.build_search_index(&CancelToken::new()).expect("index");
    let conn = Connection::open(db).expect("open");
    let differs = coupondesk_core::search_index::verify(&conn).expect("verify");
    assert_eq!(differs, None, "the search index matches the codes");
}

/// A cash template (20 off orders of 100), valid 2020-2099: the tests' usual one.
pub fn cash(title: &str) -> TemplateDraft {
    TemplateDraft {
        offer: Offer::Cash {
            reduce_fen: 2000,
            least_fen: 10000,
        },
        title: title.into(),
        brand_name: "海底捞".into(),
        color: "Color010".into(),
        logo_url: "https://example.com/logo.png".into(),
        logo_image: None,
        notice: "使用时向服务员出示此券".into(),
        description: "不可与其他优惠同享".into(),
        service_phone: String::new(),
        quantity: 1000,
        get_limit: 1,
        code_type: CodeType::CodeTypeText,
        begin_at: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        end_at: Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap(),
        term: None,
        time_limits: vec![],
        accept_category: String::new(),
        reject_category: String::new(),
        can_use_with_other_discount: false,
    }
}

/// `quantity` bonuses of `amount_fen` each, no expiry, no minimum.
pub fn bonus_draft(amount_fen: i64, quantity: u32) -> BonusDraft {
    BonusDraft {
        amount_fen,
        quantity,
        expired_at: None,
        expires_on: None,
        min_amount_fen: 0,
        xname: "FB".into(),
        product_sku: None,
        enabled: true,
    }
}

/// A platform's settings with sync off and nothing filled in but the secret: `Some` to
/// store it, `clear` to remove the stored one.
pub fn secret_only(
    platform: coupondesk_core::sync::Platform,
    secret: Option<&str>,
    clear: bool,
) -> coupondesk_core::sync::PlatformSettingsInput {
    coupondesk_core::sync::PlatformSettingsInput {
        platform,
        enabled: false,
        base_url: String::new(),
        app_id: String::new(),
        brand_id: String::new(),
        sign_type: String::new(),
        shop_no: String::new(),
        org: String::new(),
        ca_file: String::new(),
        allow_http: false,
        upload_path: String::new(),
        secret: secret.map(str::to_owned),
        clear_secret: clear,
    }
}

/// A platform turned on at `url` with `secret` (e-Buy with the app and brand ids its
/// signing needs), HTTPS required as in a shop.
pub fn enabled_platform(
    platform: coupondesk_core::sync::Platform,
    url: &str,
    secret: &str,
) -> coupondesk_core::sync::PlatformSettingsInput {
    let mut s = secret_only(platform, Some(secret), false);
    s.enabled = true;
    s.base_url = url.into();
    if platform == coupondesk_core::sync::Platform::Ebuy {
        s.app_id = "ebuy-app-004".into();
        s.brand_id = "B-1".into();
    }
    s
}

/// Sets e-Buy up as bulk activation needs it (on, an address, a secret), at a loopback
/// port nothing listens on: activation queues, nothing is sent.
pub fn ebuy_set_up(desk: &coupondesk_core::Desk) {
    let mut s = secret_only(
        coupondesk_core::sync::Platform::Ebuy,
        Some("ebuy-secret-004"),
        false,
    );
    s.enabled = true;
    s.base_url = "http://127.0.0.1:9/p004".into();
    s.allow_http = true;
    s.app_id = "ebuy-app-004".into();
    s.brand_id = "B-1".into();
    desk.sync_save_settings(&s).expect("set e-Buy up");
}
