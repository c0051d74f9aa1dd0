//! The window's renewal: when its web process has grown past a ceiling, the window's next
//! navigation loads a fresh page instead of swapping the page in place
//! (docs/benchmarks.md, "The window's renewal").
//!
//! Why: WebKitGTK's web process grows by about a third of a MiB per round of heavy use
//! (list pages, an import, two redemptions) while the page's live JavaScript heap stays
//! flat; a reload of the document gives it back (a 60-minute soak: 147 -> 117 MiB at the
//! reload, then flat, while the run without reloads went on growing). A navigation is
//! the moment nothing is lost by it: the page left is unmounted by the navigation anyway,
//! the staff session and all data are the core's, and the route is in the URL.
//!
//! What must stay true: the rule lives here, not in the UI (the UI asks and obeys); a
//! ceiling of 0 turns the renewal off; outside the window (the dev server, the CLI) there
//! is no web process and nothing is ever due.

use serde::Serialize;
use ts_rs::TS;

use super::Desk;
use crate::proc_mem;

/// The web process's anonymous memory above which the next navigation renews the page.
/// Measured (release, 1366x768): 77-82 MiB after login, 115-140 in the first minutes of
/// heavy use, then the growth; 160 leaves a busy page room and renews a heavy day's
/// window every 10-20 minutes of non-stop use.
pub const DEFAULT_RENEW_ABOVE_MIB: u64 = 160;

/// Overrides the ceiling (MiB; 0: never renew), for support and for the soak's baseline.
pub const RENEW_ENV: &str = "COUPONDESK_WINDOW_RENEW_MIB";

/// What the window asks before a navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WindowMemory {
    /// The web processes' anonymous memory in MiB; null outside the window.
    #[ts(type = "number | null")]
    pub web_anon_mib: Option<u64>,
    /// The ceiling in force; 0: the renewal is off.
    #[ts(type = "number")]
    pub renew_above_mib: u64,
    /// The next navigation should load a fresh page.
    pub renew_due: bool,
}

impl Desk {
    /// The window's web process memory and whether its next navigation renews the page.
    /// Reads no data and needs no login (the window asks it behind the login screen too).
    pub fn window_memory(&self) -> WindowMemory {
        let web_anon_mib = proc_mem::web_content_anon_kib(std::process::id()).map(|k| k / 1024);
        let renew_above_mib = ceiling(std::env::var(RENEW_ENV).ok().as_deref());
        WindowMemory {
            web_anon_mib,
            renew_above_mib,
            renew_due: renew_due(web_anon_mib, renew_above_mib),
        }
    }
}

/// The ceiling from the environment's text: a whole number of MiB, else the default (a
/// mistyped value must not turn the renewal off by accident).
fn ceiling(env: Option<&str>) -> u64 {
    env.and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_RENEW_ABOVE_MIB)
}

fn renew_due(web_anon_mib: Option<u64>, ceiling: u64) -> bool {
    ceiling > 0 && web_anon_mib.is_some_and(|m| m >= ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_only_at_or_above_a_ceiling_that_is_on() {
        assert!(!renew_due(Some(159), 160));
        assert!(renew_due(Some(160), 160));
        assert!(renew_due(Some(400), 160));
        assert!(!renew_due(Some(400), 0), "0 turns it off");
        assert!(!renew_due(None, 160), "no window, nothing to renew");
    }

    #[test]
    fn the_ceiling_reads_the_environment_and_survives_a_typo() {
        assert_eq!(ceiling(None), DEFAULT_RENEW_ABOVE_MIB);
        assert_eq!(ceiling(Some("0")), 0);
        assert_eq!(ceiling(Some(" 200 ")), 200);
        assert_eq!(ceiling(Some("200MB")), DEFAULT_RENEW_ABOVE_MIB);
    }

    #[test]
    fn a_process_without_a_web_process_has_nothing_due() {
        // This test binary starts no WebKitWebProcess.
        assert_eq!(proc_mem::web_content_anon_kib(std::process::id()), None);
    }
}
