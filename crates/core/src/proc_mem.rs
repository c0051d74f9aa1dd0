//! The memory of a process tree as the kernel accounts it (`/proc/<pid>/smaps_rollup`):
//! PSS (each shared page split between the processes that map it, so the tree's sum counts
//! WebKitGTK's libraries once) and anonymous memory (heaps, JIT, caches: what the app and
//! its web content control). Linux only, as the app's window is: elsewhere every read
//! finds nothing.
//!
//! Two readers: `coupondesk-bench startup` (the whole tree's memory over a soak) and the
//! window's own renewal (`desk::window`: the web process's anonymous memory decides when
//! a navigation loads a fresh page, docs/benchmarks.md).

use std::collections::BTreeMap;
use std::path::Path;

/// One process of the tree: its name (`comm`), PSS and anonymous memory in KiB.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProcMem {
    pub pid: u32,
    pub name: String,
    pub pss_kib: u64,
    pub anon_kib: u64,
}

/// `root` and every process descended from it (WebKitGTK starts its web and network
/// processes as children of the app), each with its memory. A process that exits while
/// it is read is left out.
pub fn tree(root: u32) -> Vec<ProcMem> {
    let parents = parent_map();
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let p = pids[i];
        pids.extend(parents.iter().filter(|(_, &pp)| pp == p).map(|(&c, _)| c));
        i += 1;
    }
    pids.into_iter().filter_map(read).collect()
}

/// Sums of a tree: (PSS, anonymous) in KiB.
pub fn totals(tree: &[ProcMem]) -> (u64, u64) {
    tree.iter()
        .fold((0, 0), |(p, a), m| (p + m.pss_kib, a + m.anon_kib))
}

/// The web content processes' (WebKitGTK's `WebKitWebProcess`) anonymous memory under
/// `root`, in KiB; None when `root` started none (the dev server, the CLI, a test).
pub fn web_content_anon_kib(root: u32) -> Option<u64> {
    let web: Vec<ProcMem> = tree(root)
        .into_iter()
        .filter(|m| m.name == WEB_PROCESS_COMM)
        .collect();
    (!web.is_empty()).then(|| web.iter().map(|m| m.anon_kib).sum())
}

/// `comm` is cut at 15 bytes: "WebKitWebProcess" reads "WebKitWebProces".
pub const WEB_PROCESS_COMM: &str = "WebKitWebProces";

/// The processes whose name is `name` and whose command line contains `arg`.
pub fn find(name: &str, arg: &str) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|pid| {
            let dir = Path::new("/proc").join(pid.to_string());
            let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            comm.trim_end() == name && String::from_utf8_lossy(&cmdline).contains(arg)
        })
        .collect()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// pid -> parent pid, from `/proc/<pid>/stat` (the parent is the field after the state,
/// which follows the name's closing parenthesis: names may hold spaces).
fn parent_map() -> BTreeMap<u32, u32> {
    all_pids()
        .into_iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

fn read(pid: u32) -> Option<ProcMem> {
    let dir = Path::new("/proc").join(pid.to_string());
    let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).ok()?;
    let name = std::fs::read_to_string(dir.join("comm")).ok()?;
    Some(ProcMem {
        pid,
        name: name.trim_end().to_owned(),
        pss_kib: field(&rollup, "Pss:")?,
        anon_kib: field(&rollup, "Anonymous:")?,
    })
}

/// The KiB of the line `key   123 kB` of smaps_rollup.
fn field(rollup: &str, key: &str) -> Option<u64> {
    rollup
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_and_its_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep");
        let me = std::process::id();
        let t = tree(me);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(t.first().map(|m| m.pid), Some(me));
        assert!(t.iter().any(|m| m.pid == child.id() && m.name == "sleep"));
        let (pss, anon) = totals(&t);
        assert!(pss > 0 && anon > 0, "pss {pss} anon {anon}");
    }

    #[test]
    fn field_parses_kib() {
        let text = "Rss:  100 kB\nPss:   42 kB\nPss_Anon:  7 kB\nAnonymous:   9 kB\n";
        assert_eq!(field(text, "Pss:"), Some(42));
        assert_eq!(field(text, "Anonymous:"), Some(9));
        assert_eq!(field(text, "Swap:"), None);
    }
}
