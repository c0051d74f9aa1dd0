//! End-to-end: the window's renewal (crates/core/src/desk/window.rs, ui/src/lib/windowRenew.ts).
//! In the real window the core finds its web process and reads its memory; past the
//! ceiling, the next navigation loads a fresh page (a mark left on the old page's
//! `window` is gone) that shows the new route with the staff member still logged in;
//! below it, or on a page younger than the minimum age, a navigation keeps the page.

use serde_json::{json, Value};

use coupondesk_core::desk::window::{MIN_AGE_ENV, RENEW_ENV};

use super::{open_as_owner, seed_batch, shot, staff, Driver, Session, WdResult, WAIT};

const T: &str = "renewal";

/// The core's answer to the window, asked from the page as the UI asks it.
fn window_memory(s: &Session) -> WdResult<Value> {
    s.execute_async(
        "const done = arguments[arguments.length - 1]; \
         window.__TAURI_INTERNALS__.invoke('window_memory', { pageAgeMs: Math.round(performance.now()) }) \
           .then(done, (e) => done({ error: String(e) }));",
        json!([]),
    )
}

/// Leaves a mark on this page's `window`, clicks the top bar's link to `page` and waits
/// for that page; whether the mark survived (false: a fresh page was loaded).
fn navigate_and_keep_mark(s: &Session, page: &str, shown: &str) -> WdResult<bool> {
    s.execute("window.__renewalMark = 'old page'; return null;", json!([]))?;
    s.click(&s.testid(&format!("nav-{page}"))?)?;
    s.wait_for(&format!("[data-testid=\"{shown}\"]"), WAIT)?;
    let mark = s.execute("return window.__renewalMark ?? null;", json!([]))?;
    Ok(mark == json!("old page"))
}

fn logged_in_as_owner(s: &Session) -> WdResult<()> {
    if !s.find_all("[data-testid=\"login-screen\"]")?.is_empty() {
        return Err("the renewed page asks for the PIN again".into());
    }
    let badge = s.text(&s.testid("staff-badge")?)?;
    if !badge.contains(staff::OWNER.0) {
        return Err(format!(
            "the staff badge reads {badge:?} after the navigation"
        ));
    }
    Ok(())
}

fn past_the_ceiling(s: &Session) -> WdResult<()> {
    // The window asks at its start; wait until the core's answer says due.
    s.wait_until("the core says a renewal is due", WAIT, |s| {
        let m = window_memory(s)?;
        if m["webAnonMib"].as_u64().unwrap_or(0) == 0 {
            return Err(format!("the core found no web process under the app: {m}"));
        }
        Ok((m["renewDue"] == json!(true)).then_some(()))
    })?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    if navigate_and_keep_mark(s, "templates", "template-search")? {
        return Err("past the ceiling, the navigation kept the old page".into());
    }
    let hash = s.execute("return location.hash;", json!([]))?;
    if hash != json!("#/templates") {
        return Err(format!(
            "the fresh page shows {hash}, not the templates route"
        ));
    }
    logged_in_as_owner(s)?;
    shot(s, T, "renewed-templates");
    // And the next navigation renews again while the memory stays past the ceiling.
    if navigate_and_keep_mark(s, "batches", "batch-row")? {
        return Err("the second navigation past the ceiling kept the old page".into());
    }
    logged_in_as_owner(s)
}

fn young_page_past_the_ceiling(s: &Session) -> WdResult<()> {
    let m = window_memory(s)?;
    if m["webAnonMib"].as_u64().unwrap_or(0) == 0 || m["renewDue"] != json!(false) {
        return Err(format!("a page younger than 5 minutes was answered {m}"));
    }
    if !navigate_and_keep_mark(s, "templates", "template-search")? {
        return Err("a page younger than the minimum age was renewed".into());
    }
    logged_in_as_owner(s)
}

fn below_the_ceiling(s: &Session) -> WdResult<()> {
    let m = window_memory(s)?;
    let mib = m["webAnonMib"].as_u64().unwrap_or(0);
    if mib == 0 || m["renewDue"] != json!(false) || m["renewAboveMib"] != json!(100_000) {
        return Err(format!("below the ceiling the core answered {m}"));
    }
    if !navigate_and_keep_mark(s, "templates", "template-search")? {
        return Err(format!(
            "at {mib} MiB, below the ceiling, the navigation loaded a fresh page"
        ));
    }
    logged_in_as_owner(s)
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn past_its_memory_ceiling_the_window_renews_its_page_at_the_next_navigation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.sqlite3");
    seed_batch(&db, 1);
    // A ceiling of 1 MiB: any real web process is past it; and no minimum page age, so
    // the freshly loaded page is renewed at once.
    let driver =
        Driver::start_with_env(&[(RENEW_ENV, "1"), (MIN_AGE_ENV, "0")]).expect("tauri-driver");
    let s = open_as_owner(&driver, &db);
    if let Err(e) = past_the_ceiling(&s) {
        shot(&s, T, "past-failed");
        panic!("{e}");
    }
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn below_its_memory_ceiling_a_navigation_keeps_the_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.sqlite3");
    seed_batch(&db, 1);
    let driver = Driver::start_with_env(&[(RENEW_ENV, "100000")]).expect("tauri-driver");
    let s = open_as_owner(&driver, &db);
    if let Err(e) = below_the_ceiling(&s) {
        shot(&s, T, "below-failed");
        panic!("{e}");
    }
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn a_page_younger_than_five_minutes_is_kept_even_past_the_ceiling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.sqlite3");
    seed_batch(&db, 1);
    // Past the ceiling, with the default minimum age: the page, a few seconds old, stays.
    let driver = Driver::start_with_env(&[(RENEW_ENV, "1")]).expect("tauri-driver");
    let s = open_as_owner(&driver, &db);
    if let Err(e) = young_page_past_the_ceiling(&s) {
        shot(&s, T, "young-failed");
        panic!("{e}");
    }
}
