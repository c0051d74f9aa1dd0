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

/// A page younger than this is never renewed: should a fresh page itself be past the
/// ceiling (a larger screen, a heavier page than measured), the window must not reload at
/// every navigation; it then renews at most once per this time.
pub const DEFAULT_MIN_PAGE_AGE_S: u64 = 300;

/// Overrides the minimum page age (seconds), for the tests of the renewal itself.
pub const MIN_AGE_ENV: &str = "COUPONDESK_WINDOW_RENEW_MIN_AGE_S";

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
    /// The window's web process memory and whether its next navigation renews the page,
    /// whose age (ms since it loaded) the window gives. Reads no data and needs no login
    /// (the window asks it behind the login screen too).
    pub fn window_memory(&self, page_age_ms: u64) -> WindowMemory {
        let web_anon_mib = proc_mem::web_content_anon_kib(std::process::id()).map(|k| k / 1024);
        let renew_above_mib = setting(RENEW_ENV, DEFAULT_RENEW_ABOVE_MIB);
        let min_age_s = setting(MIN_AGE_ENV, DEFAULT_MIN_PAGE_AGE_S);
        WindowMemory {
            web_anon_mib,
            renew_above_mib,
            renew_due: renew_due(web_anon_mib, renew_above_mib, page_age_ms, min_age_s),
        }
    }
}

fn setting(name: &str, default: u64) -> u64 {
    parse_or(std::env::var(name).ok().as_deref(), default)
}

/// A whole number from the environment's text, else the default (a mistyped value must
/// not turn the renewal off by accident).
fn parse_or(env: Option<&str>, default: u64) -> u64 {
    env.and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Due: the ceiling is on, the web process is at or past it, and the page is old enough.
fn renew_due(web_anon_mib: Option<u64>, ceiling: u64, page_age_ms: u64, min_age_s: u64) -> bool {
    ceiling > 0
        && web_anon_mib.is_some_and(|m| m >= ceiling)
        && page_age_ms >= min_age_s.saturating_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An old page: only the memory decides.
    const OLD: u64 = 3_600_000;

    #[test]
    fn due_only_at_or_above_a_ceiling_that_is_on() {
        assert!(!renew_due(Some(159), 160, OLD, 300));
        assert!(renew_due(Some(160), 160, OLD, 300));
        assert!(renew_due(Some(400), 160, OLD, 300));
        assert!(!renew_due(Some(400), 0, OLD, 300), "0 turns it off");
        assert!(
            !renew_due(None, 160, OLD, 300),
            "no window, nothing to renew"
        );
    }

    #[test]
    fn the_settings_read_the_environment_and_survive_a_typo() {
        let d = DEFAULT_RENEW_ABOVE_MIB;
        assert_eq!(parse_or(None, d), d);
        assert_eq!(parse_or(Some("0"), d), 0);
        assert_eq!(parse_or(Some(" 200 "), d), 200);
        assert_eq!(parse_or(Some("200MB"), d), d);
    }

    #[test]
    fn a_page_younger_than_the_minimum_is_not_renewed() {
        assert!(!renew_due(Some(500), 160, 299_999, 300));
        assert!(renew_due(Some(500), 160, 300_000, 300));
        assert!(renew_due(Some(500), 160, 0, 0), "a minimum of 0: at once");
    }

    #[test]
    fn a_process_without_a_web_process_has_nothing_due() {
        // This test binary starts no WebKitWebProcess.
        assert_eq!(proc_mem::web_content_anon_kib(std::process::id()), None);
    }
}
