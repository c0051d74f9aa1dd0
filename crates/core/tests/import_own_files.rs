//! CouponDesk's own files (the credentials file, the database) cannot be imported as a
//! CSV of codes: refused before any row is read, with nothing written, so the platforms'
//! secrets never reach `code_run_issues`.

mod common;

use std::path::Path;

use common::fixture;
use coupondesk_core::import::{ImportOptions, ImportTarget, RunState};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::private_file::with_wal_files;
use coupondesk_core::sync::credentials;
use coupondesk_core::sync::types::Platform;
use coupondesk_core::{Desk, ErrorCode};

const SECRETS: [(Platform, &str); 4] = [
    (Platform::Sense, "SENSE-SECRET-7f3a9c"),
    (Platform::Bonus, "BONUS-SECRET-2b8d1e"),
    (Platform::Voucher, "VOUCHER-SECRET-5c0f44"),
    (Platform::Ebuy, "EBUY-SECRET-9e6a21"),
];

fn import_code(desk: &Desk, file: &Path, target: &ImportTarget) -> Option<&'static str> {
    desk.import_codes(
        file,
        target,
        &ImportOptions::default(),
        &CancelToken::new(),
        &mut |_| {},
    )
    .err()
    .map(|e| e.code())
}

fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn the_credentials_file_and_the_database_are_refused_and_nothing_is_written() {
    let f = fixture();
    f.desk.create_batch("T1", "first").expect("batch");
    for (p, s) in SECRETS {
        credentials::set(&f.db, p, Some(s)).expect("secret");
    }
    let creds = credentials::path_for(&f.db);
    // A copy under a CSV name elsewhere is recognised by its content.
    let copy = f.file("codes.csv", &std::fs::read(&creds).expect("read"));
    let existing = ImportTarget::Existing("T1".into());
    let new = ImportTarget::New {
        ticket_type: "T2".into(),
        name: "second".into(),
    };
    for (file, want) in [
        (creds.clone(), "import_refused_secret_file"),
        (copy, "import_refused_secret_file"),
        (f.db.clone(), "import_refused_database_file"),
        (
            with_wal_files(&f.db)[1].clone(),
            "import_refused_database_file",
        ),
    ] {
        let preview = f.desk.preview_import(&file, &ImportOptions::default());
        assert_eq!(
            preview.err().map(|e| e.code()),
            Some(want),
            "{}",
            file.display()
        );
        for target in [&existing, &new] {
            assert_eq!(import_code(&f.desk, &file, target), Some(want));
        }
    }
    assert_eq!(count(&f.db, "code_runs"), 0, "no run was claimed");
    assert_eq!(count(&f.db, "code_run_issues"), 0);
    assert_eq!(
        count(&f.db, "batches"),
        1,
        "the new batch T2 was not created"
    );

    // A normal CSV still imports, its bad rows stored as before.
    let csv = f.file("real.csv", b"code\nAB12CD34\nbad code\n");
    let r = f.import("T1", &csv, &ImportOptions::default());
    assert_eq!(r.state, RunState::Done);
    assert_eq!((r.imported, r.skipped_invalid), (1, 1));
    assert_eq!(count(&f.db, "code_run_issues"), 1);
    f.check_invariants();

    // No secret reached the database's bytes (the WAL included).
    for p in with_wal_files(&f.db).iter().filter(|p| p.exists()) {
        let bytes = std::fs::read(p).expect("read db");
        for (_, s) in SECRETS {
            let found = bytes.windows(s.len()).any(|w| w == s.as_bytes());
            assert!(!found, "{s} is in {}", p.display());
        }
    }
}
