//! The database `bench startup` opens the app on: the demo shop (`coupondesk serve
//! --seed-demo`, the same content the UI's checks use: 31 batches, templates, staff,
//! wallet, sync queue) plus a batch BENCH of N imported codes of 12 random A-Z0-9
//! characters, so the first page drawn and the start-up's index catch-up see a shop of
//! realistic size. Every launch gets a fresh copy of it.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use coupondesk_core::api;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail};

/// The demo's owner (crates/cli/src/demo_seed.rs `DEMO_STAFF`): whoever seeds acts as them.
pub const OWNER: (&str, &str) = ("王老板", "1234");

/// Builds the database at `db` (which must not exist) with the CLI `cli`.
pub fn build(cli: &Path, db: &Path, codes: u64) -> Result<(), ApiError> {
    seed_demo(cli, db)?;
    let desk = Desk::open(db).map_err(desk_err)?;
    let call = |command: &str, args| api::call_json(&desk, command, args);
    call("staff_login", json!({"name": OWNER.0, "pin": OWNER.1}))?;
    let csv = db.with_extension("bench-codes.csv");
    write_codes(&csv, codes, 0x5EED_0001)?;
    let report = api::call_job_json(
        &desk,
        "codes_import",
        "bench-startup",
        json!({
            "path": csv,
            "target": {"new": {"ticketType": "BENCH", "name": "压测批次"}},
            "options": {"encoding": "auto", "header": "auto", "column": null},
        }),
        &mut |_| {},
    );
    let _ = std::fs::remove_file(&csv);
    let report = report?;
    if report["imported"].as_u64() != Some(codes) {
        return Err(fail(
            "bench_setup",
            format!("the import of the BENCH batch did not take every code: {report}"),
        ));
    }
    desk.build_search_index(&coupondesk_core::progress::CancelToken::new())
        .map_err(desk_err)?;
    call("staff_lock", json!({}))?;
    Ok(())
}

/// Runs `coupondesk --db DB serve --seed-demo`: once its first line says it serves, the
/// seed is committed and the server is stopped.
fn seed_demo(cli: &Path, db: &Path) -> Result<(), ApiError> {
    let mut child = Command::new(cli)
        .arg("--db")
        .arg(db)
        .args(["--json", "serve", "--seed-demo", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            fail(
                "bench_setup",
                format!(
                    "could not run {} ({e}); build it with `cargo build --release -p coupondesk`",
                    cli.display()
                ),
            )
        })?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let _ = child.kill();
    let _ = child.wait();
    if !line.contains("\"url\"") {
        return Err(fail(
            "bench_setup",
            format!("`coupondesk serve --seed-demo` did not start (said {line:?})"),
        ));
    }
    Ok(())
}

/// A CSV of `n` distinct codes of 12 characters drawn from A-Z0-9 (splitmix64 from
/// `seed`; a repeat is skipped, so the file has exactly `n`).
pub fn write_codes(path: &Path, n: u64, seed: u64) -> Result<(), ApiError> {
    const CHARSET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let io = |e: std::io::Error| fail("bench_io", format!("{}: {e}", path.display()));
    let mut w = BufWriter::new(std::fs::File::create(path).map_err(io)?);
    writeln!(w, "code").map_err(io)?;
    let mut seen = std::collections::HashSet::with_capacity(n as usize);
    let mut state = seed;
    while (seen.len() as u64) < n {
        let mut code = [0u8; 12];
        for c in &mut code {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *c = CHARSET[((z ^ (z >> 31)) % CHARSET.len() as u64) as usize];
        }
        if seen.insert(code) {
            w.write_all(&code).map_err(io)?;
            w.write_all(b"\n").map_err(io)?;
        }
    }
    w.flush().map_err(io)
}

/// A fresh copy of `db` named `name` in `dir` (a launch must not see what the last one
/// wrote, nor its WAL).
pub fn copy(db: &Path, dir: &Path, name: &str) -> Result<PathBuf, ApiError> {
    let to = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    std::fs::copy(db, &to)
        .map_err(|e| fail("bench_io", format!("could not copy {}: {e}", db.display())))?;
    Ok(to)
}
