//! Bad input through the real binary (issue 14, items 5-8): files that are not lists of
//! codes, stdout that cannot be written, database paths and files that are wrong. Each
//! gets a one-line error that says what to do, exit 1, no panic, and nothing changed.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The most memory a child may reserve: an import that holds a whole file fails here
/// instead of taking the machine's memory (the measured peak must be far lower).
const ADDRESS_SPACE_CAP: u64 = 2 << 30;
/// The bound on a bad import's resident memory (issue 14, item 5).
const PEAK_RSS_LIMIT_KIB: i64 = 100 * 1024;

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident set of the child, from wait4's rusage.
    peak_kib: i64,
}

impl Ran {
    /// The error object the binary printed with --json.
    fn error(&self) -> Value {
        let line = self.stderr.trim();
        assert_eq!(line.lines().count(), 1, "one line on stderr: {line}");
        serde_json::from_str(line).unwrap_or_else(|_| panic!("a JSON error: {line}"))
    }
}

/// `coupondesk --json args` with its address space capped, stdout to `stdout` (a file
/// in `dir` when None), waited for at most 60 s.
// The child is reaped by wait4 (which also gives its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_in(dir: &Path, args: &[&str], stdout: Option<&Path>) -> Ran {
    let out_file = dir.join(".stdout");
    let err_file = dir.join(".stderr");
    let out = std::fs::File::create(stdout.unwrap_or(&out_file)).expect("stdout file");
    let err = std::fs::File::create(&err_file).expect("stderr file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coupondesk"));
    cmd.arg("--json")
        .args(args)
        .env_remove("COUPONDESK_PIN")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: only async-signal-safe setrlimit runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: ADDRESS_SPACE_CAP,
                rlim_max: ADDRESS_SPACE_CAP,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().expect("run coupondesk");
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: plain struct of integers, filled by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for our own child; `status` and `usage` outlive the call.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if started.elapsed() > Duration::from_secs(60) {
            // SAFETY: our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("coupondesk {args:?} still runs after 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ran {
        code: libc::WIFEXITED(status).then_some(libc::WEXITSTATUS(status)),
        stdout: std::fs::read_to_string(&out_file).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_file).unwrap_or_default(),
        peak_kib: usage.ru_maxrss,
    }
}

fn ok_json(dir: &Path, args: &[&str]) -> Value {
    let r = run_in(dir, args, None);
    assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).expect("one JSON object")
}

/// A folder with a new database holding batch T1.
fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    let d = db.to_str().expect("utf-8 path");
    ok_json(dir.path(), &["--db", d, "init"]);
    ok_json(
        dir.path(),
        &[
            "--db", d, "batch", "create", "--type", "T1", "--name", "first",
        ],
    );
    (dir, db)
}

fn import(dir: &Path, db: &Path, file: &Path, extra: &[&str]) -> Ran {
    let mut args = vec![
        "--db",
        db.to_str().expect("utf-8"),
        "codes",
        "import",
        "--batch",
        "T1",
        file.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args, None)
}

fn total_codes(dir: &Path, db: &Path) -> u64 {
    let d = db.to_str().expect("utf-8");
    let b = ok_json(dir, &["--db", d, "batch", "show", "--type", "T1"]);
    b["total_codes"].as_u64().expect("total_codes")
}

fn refused(r: &Ran, code: &str) -> String {
    assert_eq!(r.code, Some(1), "exit 1, no panic: {}", r.stderr);
    let e = r.error();
    assert_eq!(e["code"], code, "{e}");
    e["message"].as_str().expect("message").to_owned()
}

// Item 5 ---------------------------------------------------------------------------

#[test]
fn a_200_mb_line_is_refused_with_its_line_in_bounded_memory() {
    let (dir, db) = shop();
    let file = dir.path().join("one-line.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
        f.write_all(b"code\nAB12CD34\n").expect("write");
        let block = vec![b'A'; 1 << 20];
        for _ in 0..200 {
            f.write_all(&block).expect("write");
        }
        f.flush().expect("flush");
    }
    let r = import(dir.path(), &db, &file, &[]);
    let m = refused(&r, "csv_record_too_long");
    assert!(m.contains("line 3") && m.contains("64 KiB"), "{m}");
    assert!(
        r.peak_kib < PEAK_RSS_LIMIT_KIB,
        "peak RSS {} KiB, over {PEAK_RSS_LIMIT_KIB} KiB",
        r.peak_kib
    );
    assert_eq!(total_codes(dir.path(), &db), 0, "nothing imported");
}

#[test]
fn devices_pipes_and_folders_are_refused_before_reading() {
    let (dir, db) = shop();
    let fifo = dir.path().join("pipe.csv");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("c path");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    for (path, what) in [
        (PathBuf::from("/dev/zero"), "a device or a pipe"),
        (PathBuf::from("/dev/urandom"), "a device or a pipe"),
        (fifo, "a device or a pipe"),
        (dir.path().to_owned(), "a folder"),
    ] {
        let started = Instant::now();
        let m = refused(&import(dir.path(), &db, &path, &[]), "file_not_regular");
        assert!(m.contains(what) && m.contains("choose the CSV file"), "{m}");
        assert!(!m.contains("open elsewhere"), "{m}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{path:?} was read"
        );
    }
    assert_eq!(total_codes(dir.path(), &db), 0);
}

#[test]
fn a_binary_file_is_refused_before_any_row() {
    let (dir, db) = shop();
    let file = dir.path().join("photo.csv");
    let mut bytes = b"code\nAB12CD34\n".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    bytes.push(0);
    std::fs::write(&file, &bytes).expect("write");
    let m = refused(&import(dir.path(), &db, &file, &[]), "file_binary");
    assert!(m.contains("NUL") && m.contains("photo.csv"), "{m}");
    assert_eq!(total_codes(dir.path(), &db), 0);
}

// Item 8 ---------------------------------------------------------------------------

#[test]
fn a_utf16_file_is_reported_as_utf16() {
    let (dir, db) = shop();
    let file = dir.path().join("unicode.csv");
    let mut bytes = b"\xFF\xFE".to_vec();
    bytes.extend(
        "券码\r\nAB12CD34\r\nEF56GH78\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    std::fs::write(&file, &bytes).expect("write");
    let r = import(dir.path(), &db, &file, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("report");
    assert_eq!(report["encoding"], "utf-16le", "{report}");
    assert_eq!(report["imported"], 2, "{report}");
}

#[test]
fn a_missing_column_is_named_once_with_what_to_do() {
    let (dir, db) = shop();
    let file = dir.path().join("two.csv");
    std::fs::write(&file, "id,code\n1,AB12CD34\n").expect("write");
    let m = refused(
        &import(dir.path(), &db, &file, &["--column", "5"]),
        "column_not_found",
    );
    assert!(!m.contains("column column"), "{m}");
    assert!(
        m.contains("no column 5") && m.contains("from 1 to 2"),
        "{m}"
    );
    let m = refused(
        &import(dir.path(), &db, &file, &["--column", "coupon"]),
        "column_not_found",
    );
    assert!(m.contains("\"coupon\"") && m.contains("id, code"), "{m}");
}

// Item 6 ---------------------------------------------------------------------------

#[test]
fn a_full_stdout_is_an_error_line_not_a_panic_and_the_import_stands() {
    let (dir, db) = shop();
    let d = db.to_str().expect("utf-8");
    let full = Path::new("/dev/full");
    let r = run_in(dir.path(), &["--db", d, "info"], Some(full));
    let m = refused(&r, "output_lost");
    assert!(m.contains("could not write the output"), "{m}");
    let file = dir.path().join("codes.csv");
    std::fs::write(&file, "code\nAB12CD34\nEF56GH78\n").expect("write");
    let args = [
        "--db",
        d,
        "codes",
        "import",
        "--batch",
        "T1",
        file.to_str().expect("utf-8"),
    ];
    let r = run_in(dir.path(), &args, Some(full));
    let m = refused(&r, "output_lost");
    assert!(m.contains("stands"), "{m}");
    assert_eq!(total_codes(dir.path(), &db), 2, "the import was committed");
    // A refused code keeps its own status (3) when the output is lost.
    let r = run_in(
        dir.path(),
        &["--db", d, "redeem", "check", "NOSUCH99"],
        Some(full),
    );
    assert_eq!(r.code, Some(3), "{}", r.stderr);
}

#[test]
fn a_full_stdout_and_stderr_still_exit_1_without_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("x.sqlite3");
    let status = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--db")
        .arg(&db)
        .args(["--json", "init"])
        .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
        .stderr(std::fs::File::create("/dev/full").expect("/dev/full"))
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(1));
    assert!(db.exists(), "init did its work");
}

// Item 7 ---------------------------------------------------------------------------

#[test]
fn a_database_in_a_missing_folder_is_refused_and_init_creates_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("typo").join("deeper").join("x.sqlite3");
    let d = db.to_str().expect("utf-8");
    let m = refused(
        &run_in(dir.path(), &["--db", d, "info"], None),
        "db_no_folder",
    );
    assert!(m.contains(d) && m.contains("coupondesk init"), "{m}");
    assert!(!dir.path().join("typo").exists(), "no folder was made");
    let info = ok_json(dir.path(), &["--db", d, "init"]);
    assert_eq!(info["db_path"], d);
    ok_json(dir.path(), &["--db", d, "info"]);
    // init on an existing database leaves it as it is.
    ok_json(
        dir.path(),
        &["--db", d, "batch", "create", "--type", "T1", "--name", "x"],
    );
    ok_json(dir.path(), &["--db", d, "init"]);
    ok_json(dir.path(), &["--db", d, "batch", "show", "--type", "T1"]);
}

#[test]
fn an_empty_file_is_refused_until_init() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("empty.sqlite3");
    std::fs::write(&db, b"").expect("touch");
    let d = db.to_str().expect("utf-8");
    let m = refused(
        &run_in(dir.path(), &["--db", d, "info"], None),
        "db_empty_file",
    );
    assert!(
        m.contains(d) && m.contains("0 bytes") && m.contains("restore a backup"),
        "{m}"
    );
    assert_eq!(std::fs::metadata(&db).expect("file").len(), 0, "left alone");
    ok_json(dir.path(), &["--db", d, "init"]);
    ok_json(dir.path(), &["--db", d, "info"]);
}

#[test]
fn a_damaged_database_says_restore_a_backup_with_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let noise = dir.path().join("noise.sqlite3");
    let bytes: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&noise, &bytes).expect("write");
    let d = noise.to_str().expect("utf-8");
    let m = refused(
        &run_in(dir.path(), &["--db", d, "info"], None),
        "db_damaged",
    );
    assert!(m.contains(d) && m.contains("restore a backup"), "{m}");
    assert_eq!(std::fs::read(&noise).expect("read"), bytes, "left alone");

    // A real database cut short, as by a copy that failed.
    let (shop_dir, db) = shop();
    let file = shop_dir.path().join("many.csv");
    let rows: String = (0..20_000).map(|i| format!("C{i:011}\n")).collect();
    std::fs::write(&file, rows).expect("write");
    assert_eq!(import(shop_dir.path(), &db, &file, &[]).code, Some(0));
    let len = std::fs::metadata(&db).expect("db").len();
    assert!(len > 200_000, "the codes are in the file itself: {len}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .and_then(|f| f.set_len(len / 2))
        .expect("truncate");
    let d = db.to_str().expect("utf-8");
    let m = refused(
        &run_in(shop_dir.path(), &["--db", d, "info"], None),
        "db_damaged",
    );
    assert!(m.contains(d) && m.contains("restore a backup"), "{m}");
}

#[test]
fn a_negative_schema_version_is_refused_like_a_newer_one() {
    let (dir, db) = shop();
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.pragma_update(None, "user_version", -1)
        .expect("set version");
    drop(conn);
    let d = db.to_str().expect("utf-8");
    let m = refused(
        &run_in(dir.path(), &["--db", d, "info"], None),
        "db_newer_version",
    );
    assert!(m.contains("Update CouponDesk"), "{m}");
}

/// As another user when the tests run as root (root may write anything), else as is.
fn as_other_user(args: &[&str]) -> std::process::Output {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_coupondesk"),
        ]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_coupondesk"))
    };
    cmd.arg("--json").args(args).output().expect("run")
}

#[test]
fn a_read_only_database_or_folder_is_named_with_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = shop();
    let mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    // Readable, not writable, by the user running it; the folder likewise.
    mode(dir.path(), 0o755);
    mode(&db, 0o644);
    let d = db.to_str().expect("utf-8");
    let out = as_other_user(&["--db", d, "info"]);
    let line = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(out.status.code(), Some(1), "{line}");
    let e: Value = serde_json::from_str(&line).expect("JSON error");
    assert_eq!(e["code"], "db_read_only", "{e}");
    let m = e["message"].as_str().expect("message");
    assert!(m.contains(&format!("{d} is read-only")), "{m}");
    assert!(
        m.contains("write access") && !m.contains("open elsewhere"),
        "{m}"
    );

    // The file may be written, its folder not (the WAL files cannot be made there).
    mode(&db, 0o666);
    let out = as_other_user(&["--db", d, "info"]);
    let e: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(e["code"], "db_read_only", "{e}");
    let m = e["message"].as_str().expect("message");
    let folder = dir.path().to_str().expect("utf-8");
    assert!(m.contains(&format!("{folder} is read-only")), "{m}");
}
