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
//! import). File locks work across processes (the CLI's `redeem use`) and between two
//! connections of one process (the app's Desk) alike, and the OS frees them when a
//! process dies.
//!
//! What must stay true: both sides are best effort. A lane that cannot be opened (a
//! read-only folder) changes nothing but the waiting; SQLite's busy handling still
//! orders the writes.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use super::locks::lock_file;

const NAME: &str = "counter";
/// How long a long writer gives way at most before it takes its next transaction.
pub const MAX_GIVE_WAY: Duration = Duration::from_millis(250);
const POLL: Duration = Duration::from_millis(1);

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
}

impl GiveWay {
    pub fn open(db: &Path) -> GiveWay {
        GiveWay {
            file: lock_file(db, NAME).ok(),
        }
    }

    /// True when a counter is waiting to write (or writing) now.
    pub fn someone_waiting(&self) -> bool {
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
    /// `MAX_GIVE_WAY`.
    pub fn wait_turn(&self) {
        let start = Instant::now();
        while self.someone_waiting() && start.elapsed() < MAX_GIVE_WAY {
            std::thread::sleep(POLL);
        }
    }
}
