//! Test-only pause points for races between processes.
//!
//! In a debug build, when `COUPONDESK_TEST_PAUSE=<dir>` is set, a racer that reaches
//! [`pause`] (inside its IMMEDIATE transaction, after the decision's read and before the
//! write) writes `<dir>/<pid>.arrived` holding its decision, and waits (at most 10 s)
//! until `<dir>/go` exists. [`watch_write_lock`] makes the connection write
//! `<dir>/<pid>.blocked` the first time it waits for SQLite's write lock.
//!
//! A test can so see, without sleeping, that the first racer sits between its decision
//! and its write while the second waits for the lock: the second decides only after the
//! first has written. Remove the IMMEDIATE lock and both write `.arrived` with "yes".
//!
//! What must stay true: in a release build both functions are empty and the variable's
//! name is not in the binary (no cargo feature: the core is built once), so a shop's
//! build can never be paused; nothing here may fail the caller.

use rusqlite::Connection;

#[cfg(debug_assertions)]
mod imp {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use rusqlite::Connection;

    const VAR: &str = "COUPONDESK_TEST_PAUSE";
    const STEP: Duration = Duration::from_millis(5);
    const BOUND: Duration = Duration::from_secs(10);

    fn dir() -> Option<PathBuf> {
        std::env::var_os(VAR)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    }

    fn mark(dir: &std::path::Path, suffix: &str, text: &str) {
        // Written whole under a temporary name, then renamed, so a test never reads half.
        let pid = std::process::id();
        let tmp = dir.join(format!("{pid}.{suffix}.tmp"));
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join(format!("{pid}.{suffix}")));
        }
    }

    pub fn pause(what: &str, decided_yes: bool) {
        let Some(dir) = dir() else { return };
        let decision = if decided_yes { "yes" } else { "no" };
        mark(&dir, "arrived", &format!("{what} {decision}"));
        let go = dir.join("go");
        let start = Instant::now();
        while !go.exists() && start.elapsed() < BOUND {
            std::thread::sleep(STEP);
        }
    }

    /// Busy handler: the same bound as the store's busy timeout (10 s), and a mark on
    /// the first wait.
    fn busy(count: i32) -> bool {
        if count == 0 {
            if let Some(dir) = dir() {
                mark(&dir, "blocked", "");
            }
        }
        std::thread::sleep(Duration::from_millis(10));
        count < 1000
    }

    pub fn watch_write_lock(conn: &Connection) {
        if dir().is_some() {
            let _ = conn.busy_handler(Some(busy));
        }
    }
}

/// The pause point between a redemption's decision and its write (see the module).
#[inline(always)]
pub fn pause(what: &str, decided_yes: bool) {
    #[cfg(debug_assertions)]
    imp::pause(what, decided_yes);
    #[cfg(not(debug_assertions))]
    let _ = (what, decided_yes);
}

/// Call just before taking the write lock: marks the racer that has to wait for it.
#[inline(always)]
pub fn watch_write_lock(conn: &Connection) {
    #[cfg(debug_assertions)]
    imp::watch_write_lock(conn);
    #[cfg(not(debug_assertions))]
    let _ = conn;
}
