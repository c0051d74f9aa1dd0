//! The Rust-built trigram index (search_index/) against the plain scan: for random
//! batches built by runs (indexed as they go or caught up later, tails undone and their
//! seqs reused by the next run), every search of 3-12 characters returns exactly the
//! codes and count a scan finds, page by page. And migration 13 on a file with codes.

mod common;

use common::{check_index_complete, fixture, Fixture};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::import::{ImportOptions, ImportTarget, RunState};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::store::runs;
use proptest::prelude::*;
use rusqlite::Connection;

/// One run into the batch: its codes, whether it indexes as it goes (the shipped import)
/// or leaves the index behind, then whether the index catches up, and whether the run
/// is undone afterwards (so the next run reuses its seqs).
#[derive(Debug, Clone)]
struct Step {
    codes: Vec<String>,
    indexed: bool,
    catch_up: bool,
    undo: bool,
}

/// Codes over a small alphabet, so trigrams repeat across codes and chunks.
fn code() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[AB1][AB1a_-]{3,11}").expect("regex")
}

fn step() -> impl Strategy<Value = Step> {
    (
        proptest::collection::vec(code(), 1..40),
        any::<bool>(),
        any::<bool>(),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(codes, indexed, catch_up, undo)| Step {
            codes,
            indexed,
            catch_up,
            undo,
        })
}

fn run(f: &Fixture, n: usize, s: &Step) -> i64 {
    let csv = f.file(&format!("run{n}.csv"), s.codes.join("\n").as_bytes());
    let target = ImportTarget::Existing("T".into());
    let options = ImportOptions::default();
    let report = if s.indexed {
        f.desk
            .import_codes(&csv, &target, &options, &CancelToken::new(), &mut |_| {})
            .expect("import")
    } else {
        f.import("T", &csv, &options)
    };
    report.run_id
}

/// What a scan finds: the batch's codes holding `q` (case-sensitive), by position.
fn scanned(f: &Fixture, q: &str) -> Vec<String> {
    let conn = Connection::open(&f.db).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT c.code FROM codes c JOIN batches b ON c.id >> 32 = b.id
             WHERE b.ticket_type = 'T' AND instr(c.code, ?1) > 0 ORDER BY c.id",
        )
        .expect("prepare");
    stmt.query_map([q], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Every page of a search, checking each page's total against the scan's count.
fn searched(f: &Fixture, q: &str, per_page: u32, expected_total: usize) -> Vec<String> {
    let mut all = Vec::new();
    for page in 1.. {
        let p = f
            .desk
            .list_codes(&CodeQuery {
                ticket_type: "T".into(),
                status: None,
                search: Some(q.into()),
                page: PageRequest { page, per_page },
            })
            .expect("list");
        assert_eq!(
            p.total as usize, expected_total,
            "count of {q:?} on page {page}"
        );
        all.extend(p.items.into_iter().map(|c| c.code));
        if u64::from(page) >= p.total_pages {
            break;
        }
    }
    all
}

fn queries(f: &Fixture, extra: &[String], seed: usize) -> Vec<String> {
    let all = scanned(f, "");
    let mut out: Vec<String> = extra.to_vec();
    for (i, c) in all.iter().enumerate().take(12) {
        let len = 3 + (i + seed) % (c.len() - 2);
        let from = (i * 7 + seed) % (c.len() - len + 1);
        out.push(c[from..from + len].to_owned());
    }
    out
}

fn check_all(f: &Fixture, qs: &[String], per_page: u32) {
    for q in qs {
        let want = scanned(f, q);
        let got = searched(f, q, per_page, want.len());
        assert_eq!(got, want, "search {q:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn index_answers_are_the_scan_answers(
        steps in proptest::collection::vec(step(), 1..6),
        random in proptest::collection::vec(
            proptest::string::string_regex("[AB1a_-]{3,12}").expect("regex"), 4),
        per_page in 1u32..7,
    ) {
        let f = fixture();
        f.desk.create_batch("T", "t").expect("batch");
        for (n, s) in steps.iter().enumerate() {
            let run_id = run(&f, n, s);
            if s.catch_up {
                f.desk.build_search_index(&CancelToken::new()).expect("index");
            }
            check_all(&f, &queries(&f, &random, n), per_page);
            if s.undo {
                let mut conn = Connection::open(&f.db).expect("open");
                runs::abandon(&mut conn, &f.db, run_id, RunState::Cancelled).expect("undo");
                check_all(&f, &queries(&f, &random, n + 1), per_page);
            }
        }
        f.check_invariants();
        check_index_complete(&f.desk, &f.db);
        check_all(&f, &queries(&f, &random, 99), per_page);
    }
}

/// The stale-row case the chunk table exists for: an indexed tail undone, and its seqs
/// reused by a run with other codes, must show only the new codes and counts.
#[test]
fn a_reused_tail_never_shows_the_undone_codes() {
    let f = fixture();
    f.desk.create_batch("T", "t").expect("batch");
    let keep = Step {
        codes: vec!["KEEPXYZ1".into(), "KEEPXYZ2".into()],
        indexed: true,
        catch_up: false,
        undo: false,
    };
    run(&f, 0, &keep);
    let gone = Step {
        codes: vec!["GONEXYZ3".into(), "GONEQQQ4".into(), "GONEXYZ5".into()],
        ..keep.clone()
    };
    let gone_run = run(&f, 1, &gone);
    let mut conn = Connection::open(&f.db).expect("open");
    runs::abandon(&mut conn, &f.db, gone_run, RunState::Cancelled).expect("undo");
    let next = Step {
        codes: vec!["NEWWXYZ3".into()],
        ..keep.clone()
    };
    run(&f, 2, &next);
    assert_eq!(
        searched(&f, "XYZ", 10, 3),
        ["KEEPXYZ1", "KEEPXYZ2", "NEWWXYZ3"]
    );
    assert_eq!(searched(&f, "GON", 10, 0), Vec::<String>::new());
    assert_eq!(searched(&f, "QQQ", 10, 0), Vec::<String>::new());
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
}

/// Migration 13 on a file of schema 11 with codes indexed by FTS5: the old index is
/// dropped, nothing counts as indexed, searches stay complete by scanning, and the
/// catch-up rebuilds the new index.
#[test]
fn migration_13_rebuilds_the_index_from_the_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("old.sqlite3");
    // A file as schema 11 left it: 500 codes of batch T, every one in the FTS5 index.
    let mut conn = Connection::open(&db).expect("open");
    coupondesk_core::store::migrations::migrate_up_to(&mut conn, 11).expect("schema 11");
    conn.execute(
        "INSERT INTO batches (id, ticket_type, name, next_seq, indexed_seq, created_at,
                              updated_at)
         VALUES (1, 'T', 't', 501, 501, 0, 0)",
        [],
    )
    .expect("batch");
    for seq in 1..=500_i64 {
        conn.execute(
            "INSERT INTO codes (id, code, run_id) VALUES (?1, ?2, 0)",
            rusqlite::params![(1_i64 << 32) + seq, format!("OLD{:05}X", seq - 1)],
        )
        .expect("code");
    }
    conn.execute_batch(
        "INSERT INTO batch_counts (batch_id, status, n) VALUES (1, 0, 500);
         INSERT INTO code_search (code_search) VALUES ('rebuild');",
    )
    .expect("schema 11's index");
    drop(conn);
    let desk = coupondesk_core::Desk::open(&db).expect("migrate");
    let conn = Connection::open(&db).expect("open");
    let (indexed, fts): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT indexed_seq FROM batches WHERE ticket_type = 'T'),
                    (SELECT count(*) FROM sqlite_master WHERE name LIKE 'code_search%')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("read");
    assert_eq!(fts, 0, "code_search and its shadow tables are gone");
    // Desk::open may already have started catching up; either way the answer is whole.
    assert!(indexed == 1 || indexed == 501, "indexed_seq {indexed}");
    let q = CodeQuery {
        ticket_type: "T".into(),
        status: None,
        search: Some("0012".into()),
        page: PageRequest {
            page: 1,
            per_page: 50,
        },
    };
    let before = desk.list_codes(&q).expect("list");
    assert_eq!(before.total, 11, "OLD00012X and OLD00120X..OLD00129X");
    desk.build_search_index(&CancelToken::new()).expect("index");
    let after = desk.list_codes(&q).expect("list");
    assert_eq!(after.total, 11);
    assert_eq!(
        after
            .items
            .iter()
            .map(|c| c.code.clone())
            .collect::<Vec<_>>(),
        before
            .items
            .iter()
            .map(|c| c.code.clone())
            .collect::<Vec<_>>()
    );
    common::check_invariants(&db);
    check_index_complete(&desk, &db);
}

/// 12 characters of A-Z0-9 from a fixed seed (many distinct trigrams, as real codes).
fn realistic(n: usize) -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut x: u64 = 0x5EED_2026_1207;
    (0..n)
        .map(|_| {
            (0..12)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ALPHABET[((x >> 33) % 36) as usize] as char
                })
                .collect()
        })
        .collect()
}

/// While a redemption waits, the import writes its index chunk in steps with commits
/// between them; a search in the meantime must not read the half-written chunk (its
/// answers stay the scan's), and the finished index is whole.
#[test]
fn an_index_chunk_written_in_steps_is_never_read_half_done() {
    use coupondesk_core::store::counter_lane::CounterTurn;
    use std::sync::atomic::{AtomicBool, Ordering};
    let f = fixture();
    f.desk.create_batch("T", "t").expect("batch");
    let codes = realistic(3000);
    let csv = f.file("codes.csv", codes.join("\n").as_bytes());
    let probes: Vec<String> = codes.iter().take(20).map(|c| c[2..6].to_owned()).collect();
    // A redemption waits for the whole import: the import gives way at every step.
    let turn = CounterTurn::take(&f.db);
    let done = AtomicBool::new(false);
    let seen_pending = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let conn = Connection::open(&f.db).expect("open");
            let mut seen = 0;
            while !done.load(Ordering::Relaxed) {
                let pending: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM code_trigram_chunks c JOIN batches b
                           ON b.id = c.batch_id AND c.first_seq = b.indexed_seq",
                        [],
                        |r| r.get(0),
                    )
                    .expect("pending");
                if pending > 0 {
                    seen += 1;
                    for q in &probes {
                        let page = coupondesk_core::store::codes::list(
                            &conn,
                            &CodeQuery {
                                ticket_type: "T".into(),
                                status: None,
                                search: Some(q.clone()),
                                page: PageRequest {
                                    page: 1,
                                    per_page: 50,
                                },
                            },
                        )
                        .expect("search");
                        let want: i64 = conn
                            .query_row(
                                "SELECT count(*) FROM codes WHERE instr(code, ?1) > 0",
                                [q],
                                |r| r.get(0),
                            )
                            .expect("scan");
                        assert_eq!(page.total as i64, want, "search {q} mid-write");
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            seen
        });
        let r = f
            .desk
            .import_codes(
                &csv,
                &ImportTarget::Existing("T".into()),
                &ImportOptions::default(),
                &CancelToken::new(),
                &mut |_| {},
            )
            .expect("import");
        done.store(true, Ordering::Relaxed);
        assert_eq!(r.imported, 3000);
        watcher.join().expect("watcher")
    });
    drop(turn);
    assert!(seen_pending > 0, "the chunk was written in steps");
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
    for q in &probes {
        assert_eq!(searched(&f, q, 50, scanned(&f, q).len()), scanned(&f, q));
    }
}
