//! The counter's lane: a redemption never waits behind a long writer (an import's chunk)
//! for longer than that writer takes to notice and commit what it has.
//!
//! SQLite has one writer at a time, and a long writer keeps large transactions because
//! each commit rewrites the random pages of the unique-code index (docs/benchmarks.md).
//! So instead of small transactions for everyone, the counter says that it is waiting:
//! while it writes it holds a shared lock on `<db>.locks/counter.lock`
//! (`CounterTurn`). A long writer checks that file every few hundred rows
//! (`GiveWay::someone_waiting`, a non-blocking try of the exclusive lock); when a
//! counter holds it, the writer commits at once and waits until the counter is done
//! (`GiveWay::wait_turn`, at most `MAX_GIVE_WAY`, so a busy counter cannot starve an
//! import). A writer that has just given way first works for at least `min_run` before
//! it looks again (`GiveWay::should_give_way`): every turn costs it a commit, which
//! rewrites the random pages of the unique index it touched, so without that floor a
//! counter redeeming every few milliseconds would cut an import into commits of a few
//! hundred rows and slow it several times (docs/benchmarks.md). The counter's worst wait
//! is so about `min_run` plus one commit. File locks work across processes (the CLI's `redeem use`) and between two
//! connections of one process (the app's Desk) alike, and the OS frees them when a
//! process dies.
//!
//! What must stay true: both sides are best effort. A lane that cannot be opened (a
//! read-only folder) changes nothing but the waiting; SQLite's busy handling still
//! orders the writes.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::locks::lock_file;

const NAME: &str = "counter";
/// How long a long writer gives way at most before it takes its next transaction.
pub const MAX_GIVE_WAY: Duration = Duration::from_millis(250);
const POLL: Duration = Duration::from_millis(1);
/// How long a long writer works after a turn before it gives way again (see the module's
/// comment). Measured with `coupondesk-bench redeem --during-import --min-run-ms 0,10,25`
/// on a quiet machine (docs/benchmarks.md): 0 gave the counter the best p99 (24-30 ms
/// against 19-79 ms at 10 and 52-133 ms at 25) for about the same import time under a
/// counter redeeming every 5 ms, so a waiting redemption goes first at once.
pub const MIN_RUN: Duration = Duration::ZERO;

/// `MIN_RUN` unless `set_min_run` changed it for this process, in microseconds.
static MIN_RUN_US: AtomicU64 = AtomicU64::new(MIN_RUN.as_micros() as u64);

/// Changes `MIN_RUN` for the long writers this process starts from now on. For the
/// benchmark that chooses it, which compares several values in one run; the app and the
/// CLI never call it.
pub fn set_min_run(run: Duration) {
    MIN_RUN_US.store(run.as_micros() as u64, Ordering::Relaxed);
}

/// Held by the counter while it writes: long writers give way meanwhile.
pub struct CounterTurn {
    _file: Option<File>,
}

impl CounterTurn {
    /// Takes the counter's turn (shared: several counters may wait at once). Blocks only
    /// for the instant a long writer holds the file to look at it.
    pub fn take(db: &Path) -> CounterTurn {
        let file = lock_file(db, NAME).ok().filter(|f| f.lock_shared().is_ok());
        CounterTurn { _file: file }
    }
}

/// A long writer's side of the lane.
pub struct GiveWay {
    file: Option<File>,
    min_run: Duration,
    /// When the writer's current run began, after its last turn; None before the first
    /// (a counter that was already waiting when the writer started gets in at once).
    run_began: Option<Instant>,
}

impl GiveWay {
    pub fn open(db: &Path) -> GiveWay {
        GiveWay::with_min_run(
            db,
            Duration::from_micros(MIN_RUN_US.load(Ordering::Relaxed)),
        )
    }

    fn with_min_run(db: &Path, min_run: Duration) -> GiveWay {
        GiveWay {
            file: lock_file(db, NAME).ok(),
            min_run,
            run_began: None,
        }
    }

    /// True when the writer should commit now and `wait_turn`: a counter waits, and the
    /// writer has worked at least `min_run` since its last turn.
    pub fn should_give_way(&self) -> bool {
        self.run_began.is_none_or(|t| t.elapsed() >= self.min_run) && self.someone_waiting()
    }

    /// True when a counter is waiting to write (or writing) now.
    fn someone_waiting(&self) -> bool {
        let Some(f) = &self.file else {
            return false;
        };
        match f.try_lock() {
            Ok(()) => {
                let _ = f.unlock();
                false
            }
            Err(TryLockError::WouldBlock) => true,
            Err(TryLockError::Error(_)) => false,
        }
    }

    /// Called with no transaction open: returns when no counter waits any more, or after
    /// `MAX_GIVE_WAY`; the writer's next run begins then.
    pub fn wait_turn(&mut self) {
        let start = Instant::now();
        while self.someone_waiting() && start.elapsed() < MAX_GIVE_WAY {
            std::thread::sleep(POLL);
        }
        self.run_began = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_gives_way_at_once_then_only_after_its_minimum_run() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("shop.sqlite3");
        let mut long = GiveWay::with_min_run(&db, Duration::from_secs(3600));
        assert!(!long.should_give_way(), "nobody waits");
        let turn = CounterTurn::take(&db);
        assert!(long.should_give_way(), "the first turn is at once");
        drop(turn);
        long.wait_turn();
        let _turn = CounterTurn::take(&db);
        assert!(
            !long.should_give_way(),
            "a counter waiting right after a turn waits for the writer's minimum run"
        );
        let mut short = GiveWay::with_min_run(&db, Duration::ZERO);
        short.run_began = Some(Instant::now());
        assert!(
            short.should_give_way(),
            "after its minimum run it gives way"
        );
    }
}
