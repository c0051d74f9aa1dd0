//! Listing, searching, generating and exporting codes on a real SQLite file.

mod common;

use common::{check_index_complete, codes, fixture};
use coupondesk_core::desk::BatchQuery;
use coupondesk_core::domain::{CodeStatus, PageRequest};
use coupondesk_core::export::{ExportOptions, ExportProgress};
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::import::{ImportOptions, ImportTarget, RunState};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::ErrorCode;

#[test]
fn batches_are_unique_and_searchable() {
    let f = fixture();
    f.desk.create_batch("AVD1KYBW8001", "919送乐2").expect("a");
    f.desk
        .create_batch("AVD1KYBW8002", "乐次元撩妹送礼包")
        .expect("b");
    f.desk.create_batch("X_1", "100%_off").expect("c");
    let code = |r: Result<_, coupondesk_core::DeskError>| {
        r.map(|_: coupondesk_core::domain::Batch| ())
            .map_err(|e| e.code())
            .err()
    };
    assert_eq!(
        code(f.desk.create_batch("Z", "919送乐2")),
        Some("batch_name_taken")
    );
    assert_eq!(
        code(f.desk.create_batch("AVD1KYBW8001", "other")),
        Some("batch_type_taken")
    );
    assert_eq!(
        code(f.desk.create_batch("bad type", "x")),
        Some("invalid_batch_type")
    );
    assert_eq!(
        code(f.desk.create_batch("OK", "  ")),
        Some("invalid_batch_name")
    );
    let list = |name: Option<&str>, t: Option<&str>, page: u32, per_page: u32| {
        f.desk
            .list_batches(&BatchQuery {
                ticket_type: t.map(str::to_owned),
                name: name.map(str::to_owned),
                page: PageRequest { page, per_page },
            })
            .expect("list")
    };
    assert_eq!(list(Some("送"), None, 1, 10).total, 2);
    assert_eq!(
        list(Some("%"), None, 1, 10).total,
        1,
        "% is matched literally"
    );
    assert_eq!(
        list(None, Some("AVD1KYBW8002"), 1, 10).items[0].name,
        "乐次元撩妹送礼包"
    );
    let p = list(None, None, 2, 2);
    assert_eq!((p.items.len(), p.total, p.total_pages), (1, 3, 2));
    let err = f
        .desk
        .list_batches(&BatchQuery {
            page: PageRequest {
                page: 1,
                per_page: 101,
            },
            ..Default::default()
        })
        .map(|_| ())
        .map_err(|e| e.code())
        .err();
    assert_eq!(err, Some("invalid_page"));
}

#[test]
fn pages_by_position_status_and_substring_before_and_after_indexing() {
    let f = fixture();
    f.desk.create_batch("P", "p").expect("batch");
    f.desk.create_batch("Q", "q").expect("other batch");
    let all = codes("Pq", 250);
    let file = f.file("p.csv", all.join("\n").as_bytes());
    f.import("P", &file, &ImportOptions::default());
    let other = f.file("q.csv", codes("Qq", 30).join("\n").as_bytes());
    f.import("Q", &other, &ImportOptions::default());
    let page = |page, per_page, search: Option<&str>, status| {
        f.desk
            .list_codes(&CodeQuery {
                ticket_type: "P".into(),
                status,
                search: search.map(str::to_owned),
                page: PageRequest { page, per_page },
            })
            .expect("page")
    };
    let p = page(3, 50, None, None);
    assert_eq!(p.total, 250);
    assert_eq!(p.items[0].position, 101);
    assert_eq!(p.items[0].code, all[100]);
    assert_eq!(p.items.len(), 50);
    assert_eq!(page(6, 50, None, None).items.len(), 0);

    // Unindexed: the tail scan answers.
    let expect: Vec<String> = all.iter().filter(|c| c.contains("q01")).cloned().collect();
    assert_eq!(f.codes("P", Some("q01")), expect);
    assert_eq!(f.codes("P", Some("000123")), vec!["Pq000123"]);
    assert!(
        f.codes("P", Some("Qq")).is_empty(),
        "search stays inside the batch"
    );
    assert_eq!(f.codes("P", Some("pq0")).len(), 0, "case-sensitive");
    let containing = |list: &[String], s: &str| list.iter().filter(|c| c.contains(s)).count();
    assert_eq!(f.codes("P", Some("0012")).len(), containing(&all, "0012"));
    assert_eq!(
        f.codes("P", Some("9")).len(),
        all.iter().filter(|c| c.contains('9')).count()
    );
    assert!(f.codes("P", Some("a'b\"c")).is_empty());

    // Indexed: the same answers from the trigram index.
    assert_eq!(
        f.desk
            .build_search_index(&CancelToken::new())
            .expect("index"),
        280
    );
    assert_eq!(f.codes("P", Some("q01")), expect);
    assert_eq!(f.codes("P", Some("000123")), vec!["Pq000123"]);
    assert_eq!(page(1, 5, Some("q01"), None).total, expect.len() as u64);

    // Half indexed: a supplement after indexing is found through the tail.
    let more = f.file("more.csv", codes("Pz", 20).join("\n").as_bytes());
    f.import("P", &more, &ImportOptions::default());
    assert_eq!(f.codes("P", Some("z00001")).len(), 10);
    let both: Vec<String> = all.iter().cloned().chain(codes("Pz", 20)).collect();
    assert_eq!(f.codes("P", Some("0001")).len(), containing(&both, "0001"));
    // Pages that straddle the indexed part and the scanned tail.
    for needle in ["0001", "001", "00"] {
        let want: Vec<String> = both
            .iter()
            .filter(|c| c.contains(needle))
            .cloned()
            .collect();
        for per_page in [1, 3, 7] {
            assert_eq!(
                f.codes_paged("P", Some(needle), per_page),
                want,
                "{needle} by {per_page}"
            );
        }
    }

    assert_eq!(page(1, 10, None, Some(CodeStatus::Issued)).total, 270);
    assert_eq!(page(1, 10, None, Some(CodeStatus::Redeemed)).total, 0);
    assert_eq!(page(1, 10, Some("Pz"), Some(CodeStatus::Issued)).total, 20);
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
}

#[test]
fn generate_makes_unique_valid_codes_and_refuses_what_cannot_fit() {
    let f = fixture();
    f.desk.create_batch("G", "g").expect("batch");
    let req = |count, length, prefix: Option<&str>| GenerateRequest {
        ticket_type: "G".into(),
        count,
        length,
        prefix: prefix.map(str::to_owned),
    };
    let r = f
        .desk
        .generate_codes(
            &req(120_000, Some(10), Some("VIP")),
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect("generate");
    assert_eq!(
        (r.state, r.generated, r.batch.total_codes),
        (RunState::Done, 120_000, 120_000)
    );
    let list = f.codes("G", None);
    assert_eq!(list.len(), 120_000);
    assert!(list.iter().all(|c| c.len() == 10 && c.starts_with("VIP")));
    let mut sorted = list.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 120_000);
    // 4 random characters: 32^4 = 1,048,576 codes; half is the most we draw.
    let err = f
        .desk
        .generate_codes(
            &req(600_000, Some(7), Some("ABC")),
            &CancelToken::new(),
            &mut |_| {},
        )
        .map(|_| ())
        .map_err(|e| (e.code(), e.to_string()))
        .err();
    let (code, message) = err.expect("refused");
    assert_eq!(code, "generate_space_too_small");
    assert!(message.contains("1048576"), "{message}");
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
}

#[test]
fn a_generation_commits_and_gives_way_while_the_counter_waits() {
    use coupondesk_core::store::counter_lane::CounterTurn;
    let f = fixture();
    f.desk.create_batch("G", "generated").expect("batch");
    // A redemption is waiting (it holds its turn) when the generation starts.
    let mut turn = Some(CounterTurn::take(&f.db));
    let mut steps = Vec::new();
    let r = f
        .desk
        .generate_codes(
            &GenerateRequest {
                ticket_type: "G".into(),
                count: 3000,
                length: Some(12),
                prefix: None,
            },
            &CancelToken::new(),
            &mut |p| {
                steps.push(p.generated);
                drop(turn.take()); // the redemption is done
            },
        )
        .expect("generate");
    assert_eq!(r.generated, 3000);
    assert_eq!(
        steps,
        vec![256, 3000],
        "a first short part, then the rest in one"
    );
    assert_eq!(f.codes("G", None).len(), 3000);
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
}

#[test]
fn export_writes_bom_and_every_code_and_reimports() {
    let f = fixture();
    f.desk.create_batch("X", "x").expect("batch");
    let all = codes("Ex", 25_000);
    let file = f.file("x.csv", all.join("\n").as_bytes());
    f.import("X", &file, &ImportOptions::default());
    let out = f.dir.path().join("out.csv");
    let mut last = 0;
    let r = f
        .desk
        .export_codes(
            "X",
            &out,
            &ExportOptions::default(),
            &CancelToken::new(),
            &mut |p: ExportProgress| last = p.written,
        )
        .expect("export");
    assert_eq!((r.rows, r.cancelled, last), (25_000, false, 25_000));
    let text = std::fs::read_to_string(&out).expect("read");
    // zh-CN by default; times in the shop's zone (UTC+8 unless the settings say otherwise).
    assert!(
        text.starts_with("\u{FEFF}券码,状态,序号,创建时间 (UTC+08:00),更新时间 (UTC+08:00)\n"),
        "{}",
        &text[..200]
    );
    assert_eq!(text.lines().count(), 25_001);
    assert!(text
        .lines()
        .nth(1)
        .is_some_and(|l| l.starts_with("Ex000000,已发行,1,")));
    // The export imports back into a new batch of another database.
    let g = fixture();
    let r = g
        .desk
        .import_codes(
            &out,
            &ImportTarget::New {
                ticket_type: "Y".into(),
                name: "y".into(),
            },
            &ImportOptions::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect("reimport");
    assert_eq!((r.imported, r.skipped_invalid), (25_000, 0));

    // Cancelled: no file is left behind.
    let cancelled = f.dir.path().join("cancelled.csv");
    let cancel = CancelToken::new();
    cancel.cancel();
    let r = f
        .desk
        .export_codes("X", &cancelled, &Default::default(), &cancel, &mut |_| {})
        .expect("export");
    assert!(r.cancelled);
    assert!(!cancelled.exists());
}

#[test]
fn a_run_whose_process_died_is_undone_on_open() {
    let f = fixture();
    f.desk.create_batch("K", "k").expect("batch");
    let file = f.file("k.csv", codes("Kk", 10).join("\n").as_bytes());
    f.import("K", &file, &ImportOptions::default());
    {
        // A run that took the lock and wrote codes, then "died" (the claim is dropped).
        let mut conn = coupondesk_core::store::open(&f.db).expect("conn");
        let claim = coupondesk_core::store::runs::claim_existing(
            &mut conn,
            &f.db,
            "K",
            coupondesk_core::store::runs::RunKind::Import,
            None,
        )
        .expect("claim");
        let tx = conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO codes (id, code, run_id) VALUES (?1, 'DEADRUN1', ?2)",
            [(claim.batch_id << 32) | claim.first_seq, claim.run_id],
        )
        .expect("insert");
        coupondesk_core::store::runs::save_chunk(
            &tx,
            claim.run_id,
            claim.batch_id,
            claim.first_seq + 1,
            1,
            Default::default(),
        )
        .expect("chunk");
        tx.commit().expect("commit");
        // While its owner lives, nobody else may import into the batch or undo it.
        let busy = f
            .desk
            .import_codes(
                &file,
                &ImportTarget::Existing("K".into()),
                &ImportOptions::default(),
                &CancelToken::new(),
                &mut |_| {},
            )
            .map(|_| ())
            .map_err(|e| e.code())
            .err();
        assert_eq!(busy, Some("import_busy"));
        let again = coupondesk_core::Desk::open(&f.db).expect("open");
        assert_eq!(again.get_batch("K").expect("batch").total_codes, 11);
    }
    let again = coupondesk_core::Desk::open(&f.db).expect("open");
    assert_eq!(again.get_batch("K").expect("batch").total_codes, 10);
    f.check_invariants();
}
