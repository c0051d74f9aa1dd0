//! Killing a `coupondesk` process at the core's test pause point (`COUPONDESK_TEST_PAUSE`,
//! debug builds only): the process writes `<pause>/<pid>.arrived` with the point's name
//! and its decision, then waits; the test reads the mark and kills it with SIGKILL there.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `coupondesk --db DB --json args` with the pause point on (folder `pause`, made
/// here), waits until it has arrived (30 s at most), SIGKILLs it and returns its mark,
/// for example `"route yes"`.
pub fn kill_at_pause(db: &Path, args: &[&str], pause: &Path) -> String {
    std::fs::create_dir_all(pause).expect("pause dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .env_remove(super::PIN_ENV)
        .env("COUPONDESK_TEST_PAUSE", pause)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let arrived = pause.join(format!("{}.arrived", child.id()));
    let start = Instant::now();
    while !arrived.exists() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{args:?} never reached its pause point");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // The mark is written before the process waits: read it whole, then kill.
    let mark = std::fs::read_to_string(&arrived).expect("mark");
    child.kill().expect("kill");
    child.wait().expect("reap");
    mark
}
