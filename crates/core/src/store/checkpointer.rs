//! Moves WAL checkpoints off the counter's path. With SQLite's automatic checkpoint, the
//! commit that crosses 1000 WAL pages copies them into the database file and fsyncs it:
//! tens of milliseconds for whichever redemption happens to be that one. The Desk's own
//! connection therefore turns automatic checkpoints off, and this thread, on its own
//! connection, runs a PASSIVE checkpoint (which never blocks readers or writers) once a
//! second while the Desk is open. Connections of long work (imports) keep the automatic
//! checkpoint; closing the last connection checkpoints what is left.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

const EVERY: Duration = Duration::from_secs(1);

pub struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread; if its connection cannot open, checkpoints are left to SQLite's
    /// own automatic ones on the other connections and to the last close.
    pub fn start(db: &Path) -> Checkpointer {
        let (stop, stopped) = mpsc::channel::<()>();
        let db = db.to_owned();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                let Ok(conn) = Connection::open(&db) else {
                    return;
                };
                let _ = conn.busy_timeout(Duration::from_millis(100));
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // Busy or locked: the next round tries again.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok();
        Checkpointer {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
