//! Importing codes from CSV files into a real SQLite file.

mod common;

use common::{check_index_complete, codes, fixture};
use coupondesk_core::import::{
    ColumnChoice, DetectedEncoding, EncodingChoice, HeaderChoice, ImportOptions, ImportTarget,
    RowIssueKind, RunState,
};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::ErrorCode;

fn auto() -> ImportOptions {
    ImportOptions::default()
}

#[test]
fn every_row_lands_in_exactly_one_bucket_with_line_numbers() {
    let f = fixture();
    f.desk.create_batch("T1", "first").expect("batch");
    let csv = "code,note\r\nAB12CD34,x\r\n\"EF56GH78\",\"quoted, with comma\"\r\n\r\nbad code,z\r\nAB12CD34,dup\r\nabc,short\r\n,empty\r\n-abcd,dash\r\nx\r\n";
    let file = f.file("a.csv", csv.as_bytes());
    let r = f.import("T1", &file, &auto());
    assert_eq!(r.state, RunState::Done);
    assert_eq!(r.encoding, DetectedEncoding::Utf8);
    assert!(r.has_header);
    assert_eq!(r.rows_read, 8, "the blank line is not a row");
    assert_eq!(
        (r.imported, r.skipped_duplicate, r.skipped_invalid),
        (2, 1, 5)
    );
    assert_eq!(
        r.rows_read,
        r.imported + r.skipped_duplicate + r.skipped_invalid
    );
    let errors: Vec<(u64, RowIssueKind)> = r.errors.iter().map(|e| (e.line, e.kind)).collect();
    assert_eq!(
        errors,
        vec![
            (5, RowIssueKind::BadCharacter),
            (7, RowIssueKind::TooShort),
            (8, RowIssueKind::Empty),
            (9, RowIssueKind::BadFirstCharacter),
            (10, RowIssueKind::TooShort),
        ]
    );
    assert_eq!(r.duplicates.len(), 1);
    assert_eq!(
        (r.duplicates[0].line, r.duplicates[0].kind),
        (6, RowIssueKind::DuplicateInFile)
    );
    let batch = r.batch.expect("batch");
    assert_eq!(batch.total_codes, 2);
    assert_eq!(f.codes("T1", None), vec!["AB12CD34", "EF56GH78"]);
    f.check_invariants();
}

#[test]
fn bom_gbk_and_no_header_files() {
    let f = fixture();
    f.desk.create_batch("T", "t").expect("batch");
    let bom = f.file("bom.csv", b"\xEF\xBB\xBFcode\nBOM00001\nBOM00002\n");
    let r = f.import("T", &bom, &auto());
    assert_eq!(
        (r.encoding, r.imported, r.has_header),
        (DetectedEncoding::Utf8Bom, 2, true)
    );

    let (gbk, _, _) =
        encoding_rs::GBK.encode("序号,券码,备注\n1,GBK00001,满100减20\n2,GBK00002,赠品\n");
    let gbk = f.file("gbk.csv", &gbk);
    let preview = f.desk.preview_import(&gbk, &auto()).expect("preview");
    assert_eq!(preview.encoding, DetectedEncoding::Gb18030);
    assert_eq!(preview.columns, vec!["序号", "券码", "备注"]);
    assert_eq!(preview.code_column, 2, "found by its Chinese header");
    assert_eq!(preview.rows[0].cells[2], "满100减20");
    assert_eq!(preview.rows[0].line, 2);
    let r = f.import("T", &gbk, &auto());
    assert_eq!((r.encoding, r.imported), (DetectedEncoding::Gb18030, 2));

    let plain = f.file("plain.txt", b"NOHEAD01\nNOHEAD02\n\n  NOHEAD03  \n");
    let r = f.import("T", &plain, &auto());
    assert!(!r.has_header);
    assert_eq!(r.imported, 3, "trimmed, blank line ignored");

    let forced = f.file("forced.csv", b"x,FORCED01\ny,FORCED02\n");
    let opts = ImportOptions {
        header: HeaderChoice::Absent,
        column: Some(ColumnChoice::Index(2)),
        encoding: EncodingChoice::Utf8,
        format: None,
    };
    assert_eq!(f.import("T", &forced, &opts).imported, 2);
    assert_eq!(f.desk.get_batch("T").expect("batch").total_codes, 9);
    f.check_invariants();
}

#[test]
fn supplement_reports_codes_already_in_the_database() {
    let f = fixture();
    f.desk.create_batch("A", "a").expect("a");
    f.desk.create_batch("B", "b").expect("b");
    let first = f.file("1.csv", codes("SUP", 5).join("\n").as_bytes());
    assert_eq!(f.import("A", &first, &auto()).imported, 5);
    let mut more = codes("SUP", 7);
    more.reverse();
    let second = f.file("2.csv", more.join("\n").as_bytes());
    let r = f.import("B", &second, &auto());
    assert_eq!((r.imported, r.skipped_duplicate), (2, 5));
    assert!(r
        .duplicates
        .iter()
        .all(|d| d.kind == RowIssueKind::DuplicateInDatabase));
    let r = f.import("A", &second, &auto());
    assert_eq!((r.imported, r.skipped_duplicate), (0, 7));
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
}

#[test]
fn cancel_leaves_the_batch_as_it_was() {
    let f = fixture();
    f.desk.create_batch("C", "c").expect("batch");
    let before = f.file("before.csv", codes("PRE", 10).join("\n").as_bytes());
    f.import("C", &before, &auto());
    f.desk
        .build_search_index(&CancelToken::new())
        .expect("index");
    let big = f.file("big.csv", codes("BIG", 250_000).join("\n").as_bytes());
    let cancel = CancelToken::new();
    let mut chunks = 0;
    let r = f
        .desk
        .import_codes(
            &big,
            &ImportTarget::Existing("C".into()),
            &auto(),
            &cancel,
            &mut |p| {
                chunks += 1;
                assert!(p.imported > 0);
                cancel.cancel();
            },
        )
        .expect("import");
    assert_eq!(chunks, 1, "stopped at the next chunk");
    assert_eq!(r.state, RunState::Cancelled);
    assert_eq!(r.batch.expect("batch").total_codes, 10);
    assert_eq!(f.codes("C", None), codes("PRE", 10));
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);

    // A batch created by the cancelled import is gone again.
    let cancel = CancelToken::new();
    let target = ImportTarget::New {
        ticket_type: "NEW".into(),
        name: "new".into(),
    };
    let r = f
        .desk
        .import_codes(&big, &target, &auto(), &cancel, &mut |_| cancel.cancel())
        .expect("import");
    assert_eq!(r.state, RunState::Cancelled);
    assert!(r.batch.is_none());
    assert_eq!(
        f.desk.get_batch("NEW").map_err(|e| e.code()).err(),
        Some("batch_not_found")
    );
    // The codes it had read are free for the next import.
    let r = f
        .desk
        .import_codes(&big, &target, &auto(), &CancelToken::new(), &mut |_| {})
        .expect("import");
    assert_eq!(r.imported, 250_000);
    f.check_invariants();
    check_index_complete(&f.desk, &f.db);
}

#[test]
fn clear_errors_for_bad_requests() {
    let f = fixture();
    f.desk.create_batch("E", "e").expect("batch");
    let code = |r: Result<_, coupondesk_core::DeskError>| r.map(|_| ()).map_err(|e| e.code()).err();
    let missing = f.dir.path().join("nope.csv");
    assert_eq!(
        code(f.desk.preview_import(&missing, &auto()).map(|_| ())),
        Some("file_not_found")
    );
    let file = f.file("x.csv", b"id,code\n1,ABCD1234\n");
    let by = |c| ImportOptions {
        column: Some(c),
        ..auto()
    };
    assert_eq!(
        code(
            f.desk
                .preview_import(&file, &by(ColumnChoice::Name("券码".into())))
                .map(|_| ())
        ),
        Some("column_not_found")
    );
    let empty = f.file("empty.csv", b"");
    assert_eq!(
        code(f.desk.preview_import(&empty, &auto()).map(|_| ())),
        Some("no_data_rows")
    );
    let target = ImportTarget::Existing("NOPE".into());
    assert_eq!(
        code(
            f.desk
                .import_codes(&file, &target, &auto(), &CancelToken::new(), &mut |_| {})
                .map(|_| ())
        ),
        Some("batch_not_found")
    );
    f.check_invariants();
}

#[test]
fn invalid_utf8_in_a_utf8_file_is_one_bad_row() {
    let f = fixture();
    f.desk.create_batch("U", "u").expect("batch");
    let file = f.file("u.csv", b"code\nGOOD0001\nBAD\xff0002\nGOOD0003\n");
    let opts = ImportOptions {
        encoding: EncodingChoice::Utf8,
        ..auto()
    };
    let r = f.import("U", &file, &opts);
    assert_eq!((r.imported, r.skipped_invalid), (2, 1));
    assert_eq!(
        (r.errors[0].line, r.errors[0].kind),
        (3, RowIssueKind::Unreadable)
    );
}

/// `rows` distinct valid codes, one a line, after the header `code`.
fn many_codes(rows: usize) -> String {
    let mut csv = String::from("code\n");
    for i in 0..rows {
        csv.push_str(&format!("K{i:09}\n"));
    }
    csv
}

/// (next_seq, indexed_seq) of batch `t`, read beside the Desk.
fn seqs(db: &std::path::Path, t: &str) -> (i64, i64) {
    rusqlite::Connection::open(db)
        .expect("open")
        .query_row(
            "SELECT next_seq, indexed_seq FROM batches WHERE ticket_type = ?1",
            [t],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("batch")
}

#[test]
fn an_import_is_searchable_chunk_by_chunk_not_after_a_second_pass() {
    let f = fixture();
    f.desk.create_batch("T1", "first").expect("batch");
    let rows = coupondesk_core::import::run::CHUNK_ROWS + 10;
    let file = f.file("many.csv", many_codes(rows).as_bytes());
    let mut seen = Vec::new();
    let r = f
        .desk
        .import_codes(
            &file,
            &ImportTarget::Existing("T1".into()),
            &auto(),
            &CancelToken::new(),
            // Called after each chunk's commit: its codes must be indexed by then.
            &mut |_| seen.push(seqs(&f.db, "T1")),
        )
        .expect("import");
    assert_eq!(r.imported, rows as u64);
    assert_eq!(seen.len(), 2, "two chunks: {seen:?}");
    for (next_seq, indexed_seq) in &seen {
        assert_eq!(indexed_seq, next_seq, "indexed with its chunk: {seen:?}");
    }
    assert_eq!(f.codes("T1", Some("K000100005")), vec!["K000100005"]);
    check_index_complete(&f.desk, &f.db);
    f.check_invariants();
}

#[test]
fn an_import_commits_and_gives_way_while_the_counter_waits() {
    use coupondesk_core::store::counter_lane::CounterTurn;
    let f = fixture();
    f.desk.create_batch("T1", "first").expect("batch");
    let file = f.file("some.csv", many_codes(3000).as_bytes());
    // A redemption is waiting (it holds its turn) when the import starts.
    let mut turn = Some(CounterTurn::take(&f.db));
    let mut chunks = Vec::new();
    let r = f
        .desk
        .import_codes(
            &file,
            &ImportTarget::Existing("T1".into()),
            &auto(),
            &CancelToken::new(),
            &mut |p| {
                chunks.push(p.rows_read);
                drop(turn.take()); // the redemption is done
            },
        )
        .expect("import");
    assert_eq!(r.imported, 3000);
    assert_eq!(
        chunks,
        vec![256, 3000],
        "a first short chunk, then the rest in one"
    );
    assert_eq!(seqs(&f.db, "T1"), (3001, 3001));
    f.check_invariants();
}
