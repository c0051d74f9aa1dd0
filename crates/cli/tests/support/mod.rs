//! Staff accounts for the CLI tests: running the real binary as a logged-in staff member
//! (`--staff NAME` with the PIN in `COUPONDESK_PIN`, as scripts do) and adding accounts
//! (`staff add NAME --role R --pin-stdin`, the new PIN on stdin). Each test file uses
//! part of it.
#![allow(dead_code)]

pub mod pause;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The environment variable the binary reads the acting PIN from.
pub const PIN_ENV: &str = "COUPONDESK_PIN";

/// A staff member's name and PIN, as a test logs them in.
#[derive(Clone, Copy, Debug)]
pub struct Who<'a> {
    pub name: &'a str,
    pub pin: &'a str,
}

/// `coupondesk --db DB args`, as `who` when given (never with a PIN from the test
/// runner's own environment), with `stdin` written to its stdin.
pub fn run_as(db: &Path, who: Option<Who<'_>>, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coupondesk"));
    cmd.arg("--db").arg(db).env_remove(PIN_ENV);
    if let Some(w) = who {
        cmd.args(["--staff", w.name]).env(PIN_ENV, w.pin);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coupondesk");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("coupondesk ends")
}

/// `coupondesk --json --db DB args` with no login, which must succeed: its one JSON line.
pub fn json_ok(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, None, &all, "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

/// `staff add NAME --role ROLE --pin-stdin` by `by` (none: the first owner), asserting
/// that it worked.
pub fn add_staff(db: &Path, by: Option<Who<'_>>, new: Who<'_>, role: &str) {
    let out = run_as(
        db,
        by,
        &["staff", "add", new.name, "--role", role, "--pin-stdin"],
        &format!("{}\n", new.pin),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "staff add {} --role {role}: {}",
        new.name,
        String::from_utf8_lossy(&out.stderr)
    );
}
