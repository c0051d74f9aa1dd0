//! `bench startup --soak-minutes N`: the window in use for N minutes, as a shop uses it,
//! with its tree's memory read once a minute (idle on the batches page each time), so
//! growth shows as a trend. Each round, logged in as the demo's owner: every list page in
//! turn, an import of 2,000 new codes through the batch page's import dialog (the CSV
//! under the window's Documents folder), and two redemptions of SPRING2026 codes (满100减20,
//! a ¥150 order) at the counter page: check, then redeem.
//!
//! `Hands` says how it presses and types. Through WebDriver's element commands
//! (`webdriver`), every element the soak is handed stays referenced by WebKit's automation
//! session in the web process for the page's life, including dialogs long closed, so the
//! soak would also measure its own instrument. `script` does the same steps through page
//! scripts that return no element (a click, a value and an `input` event, a form's
//! submit), as staff's own clicks leave nothing behind. `page` runs the whole round from
//! one script started in the page (the same clicks, values and submits, the real import
//! dialog and the real commands), so WebDriver only starts it, stops it at each minute's
//! sample and reads the sample: a handful of commands a minute instead of hundreds, each
//! of which leaves its script's text in WebKit's heap (docs/benchmarks.md).
//!
//! `Part` says which of the round's parts it runs (`all` by default), so a growth can be
//! traced to one of them: `lists` (every list page), `import` (the batch page, the import
//! dialog, 2,000 codes) or `redeem` (the counter page, two redemptions); `ipc` is no part
//! of a shop's round: 50 bare IPC commands, the cost of a command apart from any page.
//! `lists+import`, `import+redeem` and `lists+redeem` run two of them (in the round's
//! order) to find which pair grows the web process when no part alone does.
//! `import` and `redeem` start each round on the batches page, so their page is mounted
//! afresh each round as in `all`. Each sample also gives the web process's and the app's
//! anonymous memory apart, the DOM's size and the IPC callbacks still registered.
//!
//! `--soak-reload-every N` reloads the page after every Nth minute's sample (a new
//! document in the same web process), to tell what the document holds from what WebKit
//! keeps for the process's life. A soak with redemptions first adds codes to SPRING2026
//! (through the import use case) when its 1,030 would run out before the last minute.

use std::path::Path;
use std::time::{Duration, Instant};

use acceptance::app::Driver;
use acceptance::staff::log_in;
use acceptance::webdriver::{Session, WdResult};
use coupondesk_core::domain::lifecycle::CodeStatus;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::{api, ApiError, Desk};
use serde_json::{json, Value};

use crate::bench::{desk_err, fail};
use crate::startup::{app_tree, first_table};
use crate::startup_db::{write_codes, OWNER};

const WAIT: Duration = Duration::from_secs(60);
const ENTER: &str = "\u{E007}";
/// The list pages each round visits (the top bar's links).
const PAGES: [&str; 8] = [
    "templates",
    "bonuses",
    "vouchers",
    "customers",
    "sync",
    "audit",
    "redeem",
    "batches",
];
/// The demo's empty batch: every round's import goes into it.
const IMPORT_BATCH: &str = "AVD1KYBW8002";

/// How the soak presses and types (module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hands {
    /// WebDriver's element commands (find, click, clear, send keys).
    Webdriver,
    /// Page scripts that return no element.
    Script,
    /// No WebDriver command during the minute: one script started in the page runs the
    /// rounds itself (the same clicks, values and submits as `script`, every part but
    /// `ipc`) until the minute's sample stops it. WebDriver starts it, stops it and reads
    /// the sample: a handful of commands a minute, so the growth of the page shows apart
    /// from any cost of WebDriver's own commands in the web process.
    Page,
}

/// Which parts of a round the soak runs (module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Every list page in turn.
    Lists,
    /// An import of 2,000 codes through the batch page's import dialog.
    Import,
    /// Two redemptions at the counter page.
    Redeem,
    /// All three, in that order.
    All,
    /// Two of the three, in the round's order, so the pair that grows the web process
    /// shows (no part alone does: docs/benchmarks.md, session 26).
    #[value(name = "lists+import")]
    #[serde(rename = "lists+import")]
    ListsImport,
    #[value(name = "import+redeem")]
    #[serde(rename = "import+redeem")]
    ImportRedeem,
    #[value(name = "lists+redeem")]
    #[serde(rename = "lists+redeem")]
    ListsRedeem,
    /// No page at all: 50 IPC commands (`app_info`, which reads nothing) from the page
    /// that is there, so a growth per command shows apart from any page's state.
    Ipc,
}

impl Part {
    fn lists(self) -> bool {
        matches!(
            self,
            Part::Lists | Part::All | Part::ListsImport | Part::ListsRedeem
        )
    }
    fn imports(self) -> bool {
        matches!(
            self,
            Part::Import | Part::All | Part::ListsImport | Part::ImportRedeem
        )
    }
    fn redeems(self) -> bool {
        matches!(
            self,
            Part::Redeem | Part::All | Part::ImportRedeem | Part::ListsRedeem
        )
    }
}

pub fn run(
    app: &Path,
    db: &Path,
    minutes: u64,
    hands: Hands,
    part: Part,
    reload_every: u64,
) -> Result<Value, ApiError> {
    if part.redeems() {
        top_up(db, minutes)?;
    }
    let mut codes = redeemable(db)?.into_iter();
    let driver = Driver::start().map_err(|e| fail("bench_driver", e))?;
    let session = driver
        .open_binary(app, &["--db".to_owned(), db.display().to_string()])
        .map_err(|e| fail("bench_driver", e))?;
    let s = Soak {
        s: &session,
        hands,
        part,
        reload_every,
    };
    let result = drive(&s, &driver, db, minutes, &mut codes);
    session.close();
    result
}

/// The session and how it is driven.
struct Soak<'a> {
    s: &'a Session,
    hands: Hands,
    part: Part,
    /// Minutes between reloads of the page (0: never).
    reload_every: u64,
}

fn drive(
    s: &Soak<'_>,
    driver: &Driver,
    db: &Path,
    minutes: u64,
    codes: &mut impl Iterator<Item = String>,
) -> Result<Value, ApiError> {
    let wd = |e: String| fail("bench_driver", e);
    first_table(s.s, WAIT)?;
    log_in(s.s, OWNER.0, OWNER.1).map_err(wd)?;
    let mut samples = vec![sample(s, db, 0, 0)?];
    let start = Instant::now();
    let mut rounds = 0u64;
    if s.hands == Hands::Page && s.part == Part::Ipc {
        return Err(fail(
            "bench_setup",
            "--soak-hands page runs the shop's round (lists, import, redeem or all), not ipc"
                .to_owned(),
        ));
    }
    let pool: Vec<String> = if s.hands == Hands::Page {
        codes.collect()
    } else {
        Vec::new()
    };
    let redeems = s.part.redeems();
    for minute in 1..=minutes {
        if s.hands == Hands::Page {
            let used = if redeems { 2 * rounds as usize } else { 0 };
            let left = pool.get(used..).unwrap_or(&[]);
            let until = start + Duration::from_secs(60 * minute);
            rounds += page_minute(s, driver, until, rounds, left).map_err(wd)?;
        }
        while s.hands != Hands::Page && start.elapsed() < Duration::from_secs(60 * minute) {
            rounds += 1;
            round(s, driver, rounds, codes).map_err(wd)?;
        }
        samples.push(sample(s, db, minute, rounds)?);
        eprintln!("startup soak: {}", samples.last().unwrap_or(&Value::Null));
        if s.reload_every > 0 && minute % s.reload_every == 0 && minute < minutes {
            reload(s)?;
        }
    }
    let first = &samples[0];
    let last = &samples[samples.len() - 1];
    let imports = s.part.imports();
    Ok(json!({
        "hands": s.hands,
        "part": s.part,
        "minutes": minutes,
        "reload_every": s.reload_every,
        "rounds": rounds,
        "codes_imported": if imports { rounds * 2000 } else { 0 },
        "redemptions": if redeems { rounds * 2 } else { 0 },
        "pss_mib_start": first["pss_mib"],
        "pss_mib_end": last["pss_mib"],
        "anon_mib_start": first["anon_mib"],
        "anon_mib_end": last["anon_mib"],
        // "No growth" (issue 14's target): the last 10 minutes' slope under 0.5 MiB/min.
        "pss_slope_last10_mib_per_min": slope(&samples, "pss_mib", 10),
        "anon_slope_last10_mib_per_min": slope(&samples, "anon_mib", 10),
        // Per process, to tell the app's growth from the web process's.
        "web_anon_slope_last10_mib_per_min": slope(&samples, "web_anon_mib", 10),
        "app_anon_slope_last10_mib_per_min": slope(&samples, "app_anon_mib", 10),
        "samples": samples,
    }))
}

/// A new document in the same web process, as F5 would load it: the first table drawn
/// again, and the login if the core asks for it (the session is the core's, so it
/// usually does not).
fn reload(s: &Soak<'_>) -> Result<(), ApiError> {
    let wd = |e: String| fail("bench_driver", e);
    s.s.execute("location.reload(); return null;", json!([]))
        .map_err(wd)?;
    std::thread::sleep(Duration::from_secs(1));
    s.until_true(
        "the page after its reload",
        "return !!document.querySelector('[data-testid=batch-row], [data-testid=login-screen]');",
        json!([]),
    )
    .map_err(wd)?;
    let login = s.s.find_all("[data-testid=\"login-screen\"]").map_err(wd)?;
    if !login.is_empty() {
        log_in(s.s, OWNER.0, OWNER.1).map_err(wd)?;
    }
    Ok(())
}

/// The least-squares slope (MiB per minute) of `key` over the last `n` minutes' samples
/// (n + 1 samples, or all of them in a shorter run), rounded to 0.01; None with under two.
fn slope(samples: &[Value], key: &str, n: usize) -> Option<f64> {
    let points: Vec<(f64, f64)> = samples[samples.len().saturating_sub(n + 1)..]
        .iter()
        .filter_map(|s| Some((s["minute"].as_f64()?, s[key].as_f64()?)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let count = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p.0 / count, y + p.1 / count));
    let (num, den) = points.iter().fold((0.0, 0.0), |(n, d), p| {
        (n + (p.0 - mx) * (p.1 - my), d + (p.0 - mx) * (p.0 - mx))
    });
    Some((num / den * 100.0).round() / 100.0)
}

/// The tree's memory after 3 s idle on the batches page.
fn sample(s: &Soak<'_>, db: &Path, minute: u64, rounds: u64) -> Result<Value, ApiError> {
    s.click("nav-batches")
        .map_err(|e| fail("bench_driver", e))?;
    std::thread::sleep(Duration::from_secs(3));
    // The live DOM's size: a page that leaves nodes behind shows here, apart from memory.
    // And the IPC's callbacks still registered (Tauri keeps one per pending command and
    // one per Channel until its Rust side sends its end): a Channel never ended keeps its
    // handler, and all it holds, alive for the page's life.
    let live =
        s.s.execute(
            "const c = window.__TAURI_INTERNALS__ && window.__TAURI_INTERNALS__.callbacks; \
             return [document.getElementsByTagName('*').length, c ? c.size : null];",
            json!([]),
        )
        .map_err(|e| fail("bench_driver", e))?;
    let tree = app_tree(db)?;
    let (pss, anon) = coupondesk_core::proc_mem::totals(&tree);
    let each: Vec<Value> = tree
        .iter()
        .map(|m| json!([m.name, m.pss_kib / 1024, m.anon_kib / 1024]))
        .collect();
    let anon_of = |name: &str| -> u64 {
        tree.iter()
            .filter(|m| m.name == name)
            .map(|m| m.anon_kib)
            .sum::<u64>()
            / 1024
    };
    Ok(json!({
        "minute": minute,
        "rounds": rounds,
        "pss_mib": pss / 1024,
        "anon_mib": anon / 1024,
        "web_anon_mib": anon_of(coupondesk_core::proc_mem::WEB_PROCESS_COMM),
        "app_anon_mib": anon_of("coupondesk-app"),
        "dom_nodes": live[0],
        "ipc_callbacks": live[1],
        "processes": each,
    }))
}

fn round(
    s: &Soak<'_>,
    driver: &Driver,
    n: u64,
    codes: &mut impl Iterator<Item = String>,
) -> WdResult<()> {
    if s.part == Part::Ipc {
        return ipc(s);
    }
    if s.part.lists() {
        for page in PAGES {
            s.click(&format!("nav-{page}"))?;
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    if s.part.imports() {
        if !s.part.lists() {
            s.click("nav-batches")?;
        }
        import(s, driver, n)?;
    }
    if !s.part.redeems() {
        return Ok(());
    }
    if !s.part.lists() && !s.part.imports() {
        s.click("nav-batches")?;
    }
    s.click("nav-redeem")?;
    for _ in 0..2 {
        let code = codes
            .next()
            .ok_or("no SPRING2026 code left to redeem: run fewer minutes")?;
        s.set("redeem-amount", "150")?;
        s.set("redeem-code", &code)?;
        s.enter("redeem-code")?;
        s.verdict("ok")?;
        s.enter("redeem-code")?;
        s.verdict("redeemed")?;
    }
    Ok(())
}

/// `Hands::Page`: the rounds run by one script in the page until `until`, then stopped;
/// the rounds it ran. `done` rounds ran before this minute (they name the import files).
fn page_minute(
    s: &Soak<'_>,
    driver: &Driver,
    until: Instant,
    done: u64,
    codes: &[String],
) -> WdResult<u64> {
    // The page cannot write files: the CSVs of the rounds it may run this minute are
    // written here first, under the window's Documents folder, and the page types their
    // paths into the import dialog's path field as staff do (the native picker's "Browse"
    // only fills that field; both go through the same preview and import commands).
    let imports = s.part.imports();
    let ahead = match s.part {
        Part::Import => PAGE_IMPORTS_AHEAD_ALONE,
        _ => PAGE_IMPORTS_AHEAD,
    };
    let mut files = Vec::new();
    if imports {
        for n in done + 1..=done + ahead {
            files.push(import_file(driver, n)?.display().to_string());
        }
    }
    let part = serde_json::to_value(s.part).map_err(|e| e.to_string())?;
    let args = json!({
        "codes": codes,
        "pauseMs": PAGE_PAUSE_MS,
        "periodMs": match s.part {
            Part::All => PAGE_ROUND_MS,
            Part::ListsImport | Part::ImportRedeem | Part::ListsRedeem => PAGE_PAIR_ROUND_MS,
            _ => 0,
        },
        "part": part,
        "pages": PAGES,
        "files": files,
        "batch": IMPORT_BATCH,
    });
    s.s.execute(PAGE_LOOP_JS, json!([args]))?;
    std::thread::sleep(until.saturating_duration_since(Instant::now()));
    let stopped = s.s.execute(
        "if (!window.__soak) return false; window.__soak.stop = true; return true;",
        json!([]),
    )?;
    if stopped != Value::Bool(true) {
        return Err(
            "the page was loaded afresh during the minute (the window's renewal at a \
             navigation), which ends the page's own rounds: run page hands with \
             `--app-env COUPONDESK_WINDOW_RENEW_MIB=0`, or script hands"
                .to_owned(),
        );
    }
    s.until_true(
        "page rounds stopped",
        "return window.__soak.done;",
        json!([]),
    )?;
    let state = s.s.execute(
        "const st = window.__soak; return { rounds: st.rounds, error: st.error };",
        json!([]),
    )?;
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    if let Some(e) = state["error"].as_str() {
        return Err(format!("the page's rounds failed: {e}"));
    }
    Ok(state["rounds"].as_u64().unwrap_or(0))
}

/// Import files written ahead for a minute of page rounds: a full round takes over 3 s
/// (8 list pages at 300 ms each, the import, the counter), an import-only round about
/// 0.6 s here; more than a minute's worth, so the page never runs out.
const PAGE_IMPORTS_AHEAD: u64 = 40;
const PAGE_IMPORTS_AHEAD_ALONE: u64 = 150;

/// A pause after each of the page's rounds, so they come at about the pace of the
/// `script` hands' rounds and the two compare round for round in the same time (redeem
/// only: about 100 a minute here; unpaused the page ran 280 a minute and used
/// SPRING2026's codes up within two minutes).
const PAGE_PAUSE_MS: u64 = 350;

/// A full round (`all`) starts at most every 4.6 s, 13 a minute: unpaced the page ran 19
/// a minute, faster than the `script` hands' 10-13 (each of their steps is a WebDriver
/// request), and would use SPRING2026's 1,030 codes up before 30 minutes. Paced, the
/// page's runs compare with the `script` hands' round for round.
const PAGE_ROUND_MS: u64 = 4600;

/// A round of two parts starts at most every 2 s: the list pairs take longer than that
/// anyway (8 pages at 300 ms), and `import+redeem` (about 1 s unpaced) then runs 30 a
/// minute, 600 of SPRING2026's 1,030 codes in 10 minutes.
const PAGE_PAIR_ROUND_MS: u64 = 2000;

/// `round` as one page script, for the parts `part` names: every list page (300 ms on
/// each, as `round` waits), the batch page's import dialog (path typed, preview, start,
/// result, close), the counter (two redemptions: check, then redeem), with the events a
/// hand's input makes (`CLICK_JS`, `SET_JS`). It keeps its state in `window.__soak`
/// (rounds, error, done) for the bench to read when it sets `stop`.
const PAGE_LOOP_JS: &str = "const a = arguments[0]; const codes = a.codes;
    const st = window.__soak = { rounds: 0, stop: false, done: false, error: null };
    const has = (p) => a.part === 'all' || a.part.split('+').includes(p);
    const lists = has('lists');
    const imports = has('import');
    const redeems = has('redeem');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const q = (id) => document.querySelector(`[data-testid=\"${id}\"]`);
    const until = async (what, f) => {
      for (let i = 0; i < 1200; i++) { const v = f(); if (v) return v; await sleep(50); }
      throw new Error('timed out: ' + what);
    };
    const click = async (id) => {
      const e = await until(id, () => { const e = q(id); return e && !e.disabled ? e : null; });
      e.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true })); e.click();
    };
    const set = async (id, v) => {
      const e = await until(id, () => q(id));
      e.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, key: 'Unidentified' }));
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(e), 'value').set.call(e, v);
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    };
    const verdict = (want) => until('verdict ' + want, () => {
      const e = q('redeem-verdict'); return e !== null && e.getAttribute('data-reason') === want;
    });
    (async () => {
      try {
        let next = 0;
        while (!st.stop) {
          const began = Date.now();
          if (lists) {
            for (const p of a.pages) { await click('nav-' + p); await sleep(300); }
          }
          if (imports) {
            const file = a.files[st.rounds];
            if (file === undefined) throw new Error('no import file left for this minute');
            if (!lists) await click('nav-batches');
            location.hash = '#/batch/' + a.batch;
            await click('import-open');
            await set('import-path', file);
            await click('import-preview-load');
            await until('import-preview-table', () => q('import-preview-table'));
            await click('import-start');
            await until('import-result', () => q('import-result'));
            await click('import-close');
          }
          if (redeems) {
            if (next + 2 > codes.length) throw new Error('no SPRING2026 code left to redeem');
            if (!lists && !imports) await click('nav-batches');
            await click('nav-redeem');
            for (let k = 0; k < 2; k++) {
              await set('redeem-amount', '150');
              await set('redeem-code', codes[next++]);
              (await until('form', () => q('redeem-code') && q('redeem-code').form)).requestSubmit();
              await verdict('ok');
              q('redeem-code').form.requestSubmit();
              await verdict('redeemed');
            }
          }
          st.rounds += 1;
          await sleep(Math.max(a.pauseMs, a.periodMs - (Date.now() - began)));
        }
      } catch (e) { st.error = String(e); }
      st.done = true;
    })();
    return true;";

/// 50 commands at once through Tauri's IPC, awaited; nothing on the page changes.
fn ipc(s: &Soak<'_>) -> WdResult<()> {
    s.s.execute(IPC_JS, json!([]))?;
    s.until_true("ipc", IPC_DONE_JS, json!([]))
}

const IPC_JS: &str = "window.__soakIpc = 0;
    for (let i = 0; i < 50; i++) window.__TAURI_INTERNALS__.invoke('app_info', {})
        .finally(() => { window.__soakIpc += 1; });
    return true;";
const IPC_DONE_JS: &str = "return window.__soakIpc === 50;";

/// Round `n`'s CSV of 2,000 new codes (its own seed, so no round's codes repeat another's)
/// under the window's Documents folder.
fn import_file(driver: &Driver, n: u64) -> WdResult<std::path::PathBuf> {
    let csv = driver.documents().join(format!("soak-{n}.csv"));
    write_codes(&csv, 2000, 0xC0DE_0000 + n).map_err(|e| e.message)?;
    Ok(csv)
}

/// 2,000 new codes into IMPORT_BATCH through its import dialog.
fn import(s: &Soak<'_>, driver: &Driver, n: u64) -> WdResult<()> {
    let csv = import_file(driver, n)?;
    s.s.execute(
        "location.hash = arguments[0];",
        json!([format!("#/batch/{IMPORT_BATCH}")]),
    )?;
    s.click("import-open")?;
    s.set("import-path", &csv.display().to_string())?;
    s.click("import-preview-load")?;
    s.wait_for("import-preview-table")?;
    s.click("import-start")?;
    s.wait_for("import-result")?;
    s.click("import-close")?;
    let _ = std::fs::remove_file(&csv);
    Ok(())
}

/// Page scripts of the `script` hands: each returns true once done, false while its
/// element is not there (or not enabled) yet, and never an element. A click starts with
/// the `pointerdown` a hand's click makes and typing with a `keydown`: the window's
/// auto-lock counts those as staff at the desk (ui/src/lib/autoLock.ts), and without
/// them it locks the soak out after its idle minutes.
const CLICK_JS: &str = "const e = document.querySelector(arguments[0]);
    if (!e || e.disabled) return false;
    e.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    e.click(); return true;";
const SET_JS: &str = "const e = document.querySelector(arguments[0]);
    if (!e) return false;
    e.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, key: 'Unidentified' }));
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(e), 'value').set.call(e, arguments[1]);
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
    return true;";
/// Enter in a form's field: the form's submit, as the browser's implicit submission does.
const ENTER_JS: &str = "const e = document.querySelector(arguments[0]);
    if (!e || !e.form) return false; e.form.requestSubmit(); return true;";
const THERE_JS: &str = "return document.querySelector(arguments[0]) !== null;";
const VERDICT_JS: &str = "const e = document.querySelector('[data-testid=\"redeem-verdict\"]');
    return e !== null && e.getAttribute('data-reason') === arguments[0];";

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl Soak<'_> {
    /// Runs `js` with `args` until it returns true.
    /// Runs `js` until it answers true. A page being loaded afresh (the window's renewal
    /// at a navigation, desk/window.rs) answers scripts with an error until it is there:
    /// waited out like an element not there yet, and named if the wait times out.
    fn until_true(&self, what: &str, js: &str, args: Value) -> WdResult<()> {
        let mut last_error = None;
        self.s
            .wait_until(what, WAIT, |s| match s.execute(js, args.clone()) {
                Ok(v) => Ok((v == Value::Bool(true)).then_some(())),
                Err(e) => {
                    last_error = Some(e);
                    Ok(None)
                }
            })
            .map_err(|e| match last_error {
                Some(last) => format!("{e} (the page's last answer: {last})"),
                None => e,
            })
    }

    fn click(&self, id: &str) -> WdResult<()> {
        match self.hands {
            Hands::Webdriver => {
                let e = self.s.wait_for(&testid(id), WAIT)?;
                self.s.click(&e)
            }
            Hands::Script | Hands::Page => self.until_true(id, CLICK_JS, json!([testid(id)])),
        }
    }

    fn set(&self, id: &str, text: &str) -> WdResult<()> {
        match self.hands {
            Hands::Webdriver => {
                let e = self.s.wait_for(&testid(id), WAIT)?;
                self.s.clear(&e)?;
                self.s.type_text(&e, text)
            }
            Hands::Script | Hands::Page => self.until_true(id, SET_JS, json!([testid(id), text])),
        }
    }

    fn enter(&self, id: &str) -> WdResult<()> {
        match self.hands {
            Hands::Webdriver => self.s.type_text(&self.s.testid(id)?, ENTER),
            Hands::Script | Hands::Page => self.until_true(id, ENTER_JS, json!([testid(id)])),
        }
    }

    fn wait_for(&self, id: &str) -> WdResult<()> {
        match self.hands {
            Hands::Webdriver => self.s.wait_for(&testid(id), WAIT).map(|_| ()),
            Hands::Script | Hands::Page => self.until_true(id, THERE_JS, json!([testid(id)])),
        }
    }

    fn verdict(&self, want: &str) -> WdResult<()> {
        match self.hands {
            Hands::Webdriver => self.s.wait_until(&format!("verdict {want}"), WAIT, |s| {
                match s.find_all("[data-testid=\"redeem-verdict\"]")?.first() {
                    Some(e) => {
                        Ok((s.attribute(e, "data-reason")?.as_deref() == Some(want)).then_some(()))
                    }
                    None => Ok(None),
                }
            }),
            Hands::Script | Hands::Page => {
                self.until_true(&format!("verdict {want}"), VERDICT_JS, json!([want]))
            }
        }
    }
}

/// Rounds a minute the redemptions are provisioned for: the page's rounds start at most
/// every 4.6 s (13 a minute) and the script hands ran 14-16, so 20 leaves room.
const MAX_ROUNDS_A_MINUTE: u64 = 20;

/// Adds new codes to SPRING2026 (the demo has 1,030, about 40 minutes of rounds) so a
/// long soak does not run out of codes to redeem: as the staff's own import would, through
/// the same import use case, before the window opens.
fn top_up(db: &Path, minutes: u64) -> Result<(), ApiError> {
    let want = minutes * MAX_ROUNDS_A_MINUTE * 2;
    let have = redeemable(db)?.len() as u64;
    if have >= want {
        return Ok(());
    }
    let desk = Desk::open(db).map_err(desk_err)?;
    let call = |command: &str, args| api::call_json(&desk, command, args);
    call("staff_login", json!({"name": OWNER.0, "pin": OWNER.1}))?;
    let csv = db.with_extension("soak-spring.csv");
    write_codes(&csv, want - have, 0x5EED_0002)?;
    let report = api::call_job_json(
        &desk,
        "codes_import",
        "bench-soak",
        json!({
            "path": csv,
            "target": {"existing": "SPRING2026"},
            "options": {"encoding": "auto", "header": "auto", "column": null},
        }),
        &mut |_| {},
    );
    let _ = std::fs::remove_file(&csv);
    let report = report?;
    call("staff_lock", json!({}))?;
    if report["imported"].as_u64() != Some(want - have) {
        return Err(fail(
            "bench_setup",
            format!("the top-up of SPRING2026 did not take every code: {report}"),
        ));
    }
    Ok(())
}

/// SPRING2026's codes that are not used or disabled, read before the window opens.
fn redeemable(db: &Path) -> Result<Vec<String>, ApiError> {
    let desk = Desk::open(db).map_err(desk_err)?;
    let mut out = Vec::new();
    for status in [CodeStatus::Issued, CodeStatus::Active] {
        for page in 1.. {
            let q = CodeQuery {
                ticket_type: "SPRING2026".into(),
                status: Some(status),
                search: None,
                page: PageRequest {
                    page,
                    per_page: 100,
                },
            };
            let got = desk.list_codes(&q).map_err(desk_err)?;
            if got.items.is_empty() {
                break;
            }
            out.extend(got.items.into_iter().map(|r| r.code));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_is_over_the_last_minutes_only() {
        // Growth of 10 MiB/min for 5 minutes, then flat for 10.
        let samples: Vec<Value> = (0..=15u64)
            .map(|m| json!({"minute": m, "anon_mib": 100 + 10 * m.min(5)}))
            .collect();
        assert_eq!(slope(&samples, "anon_mib", 10), Some(0.0));
        assert_eq!(slope(&samples[..6], "anon_mib", 10), Some(10.0));
        assert_eq!(slope(&samples[..1], "anon_mib", 10), None);
    }
}
