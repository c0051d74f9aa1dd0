//! `bench startup`: the release window, launched cold under Xvfb through tauri-driver (as
//! the e2e tests drive it) on a fresh copy of a shop-sized database (`startup_db`). For
//! each launch: the time from the launch request to the first table drawn (the batches
//! page's performance mark, `ui/src/lib/firstTable.ts`, read as epoch ms so no polling
//! delay counts), then, after the window has idled on the batches page, the PSS and
//! anonymous memory of the app and every process it started (`proc_mem`).
//!
//! Baselines in the same run, launch for launch: `--baseline-app` (a build of the previous
//! settings, e.g. the commit before a change) alternating with the app, and the floor of
//! WebKitGTK itself: its MiniBrowser on about:blank, which no setting of ours can go under.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use acceptance::app::Driver;
use acceptance::webdriver::Session;
use coupondesk_core::ApiError;
use serde_json::{json, Value};

use crate::bench::{fail, workdir};
use crate::out::Out;
use coupondesk_core::proc_mem::{self, ProcMem};

const MINI_BROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
/// The mark as epoch ms; for a build from before the mark existed, the time a batch row is
/// first seen (then the figure includes up to one polling interval, 50 ms plus a request).
const MARK_SCRIPT: &str = "const e = performance.getEntriesByName('coupondesk:first-table')[0]; \
     if (e) return performance.timeOrigin + e.startTime; \
     return document.querySelector('[data-testid=\"batch-row\"]') ? Date.now() : null;";

#[derive(clap::Args)]
pub struct StartupArgs {
    /// Codes in the BENCH batch added to the demo shop.
    #[arg(long, default_value_t = 100_000)]
    pub codes: u64,
    /// Launches of each app build (the figures are their medians).
    #[arg(long, default_value_t = 3)]
    pub launches: usize,
    /// Seconds the window idles on the batches page before its memory is read.
    #[arg(long, default_value_t = 20)]
    pub idle: u64,
    /// The app build measured (default: coupondesk-app beside this benchmark's binary,
    /// i.e. target/release/ under `cargo run --release`).
    #[arg(long)]
    pub app: Option<PathBuf>,
    /// A build of the previous settings, launched alternately with --app in the same run.
    #[arg(long)]
    pub baseline_app: Option<PathBuf>,
    /// NAME=VALUE set in the environment of --app's launches and of the soak (repeatable):
    /// a setting tried on the baseline's own binary, before a build that makes it its default.
    #[arg(long, value_name = "NAME=VALUE")]
    pub app_env: Vec<String>,
    /// The CLI that seeds the demo shop (default: coupondesk beside this binary).
    #[arg(long)]
    pub cli: Option<PathBuf>,
    /// After the launches, drive the app for this many minutes (list pages, imports and
    /// redemptions in the window) and read its memory each minute; 0: no such run.
    #[arg(long, default_value_t = 0)]
    pub soak_minutes: u64,
    /// How the soak presses and types: page scripts that return no element (`script`), the
    /// whole round run by one script inside the page with WebDriver only sampling
    /// (`page`), or WebDriver's element commands, whose elements WebKit keeps for the
    /// page's life.
    #[arg(long, value_enum, default_value_t = crate::soak::Hands::Script)]
    pub soak_hands: crate::soak::Hands,
    /// Which parts of each soak round run: every list page, the import, the redemptions,
    /// all three, or a pair of them (`lists+import`, `import+redeem`, `lists+redeem`; a
    /// growth traced to one part or to two together).
    #[arg(long, value_enum, default_value_t = crate::soak::Part::All)]
    pub soak_round: crate::soak::Part,
    /// Reload the soak's page every this many minutes, after the minute's sample (0:
    /// never): whether a new document gives back what the rounds grew in the web process.
    #[arg(long, default_value_t = 0)]
    pub soak_reload_every: u64,
    /// Where to put the database and its copies (default: a temporary folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// One launch's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Launch {
    pub first_table_ms: Option<u64>,
    pub pss_kib: u64,
    pub anon_kib: u64,
    pub processes: Vec<ProcMem>,
}

pub fn run(args: StartupArgs, out: &Out) -> Result<(), ApiError> {
    let _xvfb = Xvfb::ensure()?;
    let beside = |name: &str| -> Result<PathBuf, ApiError> {
        let exe = std::env::current_exe().map_err(|e| fail("bench_io", e.to_string()))?;
        Ok(exe.with_file_name(name))
    };
    let app = args
        .app
        .clone()
        .map_or_else(|| beside("coupondesk-app"), Ok)?;
    let cli = args.cli.clone().map_or_else(|| beside("coupondesk"), Ok)?;
    for b in std::iter::once(&app).chain(args.baseline_app.as_ref()) {
        if !b.exists() {
            return Err(fail(
                "bench_setup",
                format!(
                    "{} is missing: build it with `cargo build --release -p coupondesk-app`",
                    b.display()
                ),
            ));
        }
    }
    let (dir, _tmp) = workdir(args.dir.clone())?;
    let db = dir.join("startup.sqlite3");
    if !db.exists() {
        crate::startup_db::build(&cli, &db, args.codes)?;
    }
    let mut builds = vec![("app", app.clone())];
    if let Some(b) = &args.baseline_app {
        builds.push(("baseline", b.clone()));
    }
    let mut launches: Vec<(&str, Launch)> = Vec::new();
    for round in 0..args.launches {
        // Alternate who goes first, so neither always meets the warmer page cache.
        let mut order = builds.clone();
        if round % 2 == 1 {
            order.reverse();
        }
        for (label, binary) in order {
            let copy =
                crate::startup_db::copy(&db, &dir, &format!("launch-{label}-{round}.sqlite3"))?;
            set_env(&args.app_env, label == "app")?;
            let l = launch(&binary, &copy, args.idle);
            set_env(&args.app_env, false)?;
            let l = l?;
            eprintln!(
                "startup: {label} launch {}: first table {} ms, PSS {} MiB, anonymous {} MiB",
                round + 1,
                l.first_table_ms.map_or("-".into(), |m| m.to_string()),
                l.pss_kib / 1024,
                l.anon_kib / 1024
            );
            launches.push((label, l));
        }
    }
    let floor = webkit_floor(args.idle)?;
    let mut rows = Vec::new();
    for (label, _) in &builds {
        let mine: Vec<&Launch> = launches
            .iter()
            .filter(|(l, _)| l == label)
            .map(|(_, l)| l)
            .collect();
        rows.push(summary(label, &mine));
    }
    rows.push(json!({
        "build": "webkit_floor",
        "pss_mib": mib(floor.0),
        "anon_mib": mib(floor.1),
    }));
    if !args.app_env.is_empty() {
        set_env(&args.app_env, true)?;
        let with_env = webkit_floor(args.idle);
        set_env(&args.app_env, false)?;
        let with_env = with_env?;
        rows.push(json!({
            "build": "floor+app_env",
            "pss_mib": mib(with_env.0),
            "anon_mib": mib(with_env.1),
        }));
    }
    let soak = if args.soak_minutes > 0 {
        let copy = crate::startup_db::copy(&db, &dir, "soak.sqlite3")?;
        // The soak drives --app, so --app-env applies to it too (the web process
        // inherits the app's environment: JSC_* and WebKit settings reach it).
        set_env(&args.app_env, true)?;
        let soaked = crate::soak::run(
            &app,
            &copy,
            args.soak_minutes,
            args.soak_hands,
            args.soak_round,
            args.soak_reload_every,
        );
        set_env(&args.app_env, false)?;
        Some(soaked?)
    } else {
        None
    };
    let text = text_of(&rows, soak.as_ref(), args.codes);
    let detail: Vec<Value> = launches
        .iter()
        .map(|(label, l)| json!({"build": label, "launch": l}))
        .collect();
    out.value(
        &json!({"codes": args.codes, "idle_s": args.idle, "app_env": args.app_env, "builds": rows, "launches": detail, "soak": soak}),
        &text,
    )
}

/// One cold launch: a new tauri-driver (and web profile), the app on `db`, the mark
/// awaited, `idle` seconds on the batches page, the tree's memory, then the window closed.
fn launch(binary: &Path, db: &Path, idle: u64) -> Result<Launch, ApiError> {
    let driver = Driver::start().map_err(|e| fail("bench_driver", e))?;
    let started = epoch_ms();
    let session = driver
        .open_binary(binary, &["--db".to_owned(), db.display().to_string()])
        .map_err(|e| fail("bench_driver", e))?;
    let drawn = first_table(&session, Duration::from_secs(60));
    let result = drawn.and_then(|mark| {
        std::thread::sleep(Duration::from_secs(idle));
        let processes = app_tree(db)?;
        let (pss_kib, anon_kib) = proc_mem::totals(&processes);
        Ok(Launch {
            first_table_ms: mark.map(|m| (m - started).max(0.0) as u64),
            pss_kib,
            anon_kib,
            processes,
        })
    });
    session.close();
    result
}

/// The epoch ms of the first-table mark, waited for up to `timeout`; None if the page
/// never drew a table in that time.
pub fn first_table(session: &Session, timeout: Duration) -> Result<Option<f64>, ApiError> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let v = session
            .execute(MARK_SCRIPT, json!([]))
            .map_err(|e| fail("bench_driver", e))?;
        if let Some(ms) = v.as_f64() {
            return Ok(Some(ms));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(None)
}

/// The app started on `db` and the processes it started.
pub fn app_tree(db: &Path) -> Result<Vec<ProcMem>, ApiError> {
    let db = db.display().to_string();
    match proc_mem::find("coupondesk-app", &db).as_slice() {
        [pid] => Ok(proc_mem::tree(*pid)),
        found => Err(fail(
            "bench_setup",
            format!("expected one coupondesk-app on {db}, found {}", found.len()),
        )),
    }
}

/// WebKitGTK by itself: MiniBrowser on about:blank, idle, its tree's (PSS, anonymous).
fn webkit_floor(idle: u64) -> Result<(u64, u64), ApiError> {
    let mut child = Command::new(MINI_BROWSER)
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            fail(
                "bench_setup",
                format!("could not start {MINI_BROWSER}: {e}"),
            )
        })?;
    std::thread::sleep(Duration::from_secs(idle));
    let totals = proc_mem::totals(&proc_mem::tree(child.id()));
    let _ = child.kill();
    let _ = child.wait();
    Ok(totals)
}

fn summary(label: &str, launches: &[&Launch]) -> Value {
    let mut times: Vec<u64> = launches.iter().filter_map(|l| l.first_table_ms).collect();
    times.sort_unstable();
    let med = |mut v: Vec<u64>| -> u64 {
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    };
    json!({
        "build": label,
        "launches": launches.len(),
        "first_table_ms_median": times.get(times.len() / 2),
        "first_table_ms_min": times.first(),
        "first_table_ms_max": times.last(),
        "drawn": times.len(),
        "pss_mib": mib(med(launches.iter().map(|l| l.pss_kib).collect())),
        "anon_mib": mib(med(launches.iter().map(|l| l.anon_kib).collect())),
    })
}

fn mib(kib: u64) -> f64 {
    (kib as f64 / 1024.0 * 10.0).round() / 10.0
}

fn text_of(rows: &[Value], soak: Option<&Value>, codes: u64) -> String {
    let mut t =
        format!("startup (demo shop + {codes} codes; medians; memory idle on the batches page)\n");
    for r in rows {
        let ms = r["first_table_ms_median"]
            .as_u64()
            .map_or("-".to_owned(), |m| {
                format!(
                    "{m} ms (min {}, max {})",
                    r["first_table_ms_min"], r["first_table_ms_max"]
                )
            });
        t.push_str(&format!(
            "  {:<13} first table {ms:<28} PSS {:>6.1} MiB  anonymous {:>6.1} MiB\n",
            r["build"].as_str().unwrap_or(""),
            r["pss_mib"].as_f64().unwrap_or(0.0),
            r["anon_mib"].as_f64().unwrap_or(0.0),
        ));
    }
    if let Some(s) = soak {
        t.push_str(&format!("  soak: {s}\n"));
    }
    t
}

/// Sets (`on`) or removes each NAME=VALUE of `vars` in this process's environment, which
/// tauri-driver, WebKitWebDriver and the app inherit. Only between launches: no thread of
/// this benchmark runs then.
fn set_env(vars: &[String], on: bool) -> Result<(), ApiError> {
    for v in vars {
        let (name, value) = v
            .split_once('=')
            .ok_or_else(|| fail("bench_usage", format!("--app-env {v}: expected NAME=VALUE")))?;
        if on {
            std::env::set_var(name, value);
        } else {
            std::env::remove_var(name);
        }
    }
    Ok(())
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// An X server for the window: the one DISPLAY names, else an Xvfb started here (and
/// stopped when dropped) at the shop PCs' 1366×768, as scripts/e2e.sh does.
struct Xvfb(Option<Child>);

impl Xvfb {
    fn ensure() -> Result<Xvfb, ApiError> {
        if std::env::var_os("DISPLAY").is_some() {
            return Ok(Xvfb(None));
        }
        let display = format!(":{}", 90 + std::process::id() % 9);
        let child = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1366x768x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                fail(
                    "bench_setup",
                    format!("could not start Xvfb ({e}); set DISPLAY or install xvfb"),
                )
            })?;
        // Dropped (so stopped) on every way out below but success.
        let xvfb = Xvfb(Some(child));
        // Set before any thread of ours starts: every child inherits it.
        std::env::set_var("DISPLAY", &display);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let up = Command::new("xdpyinfo")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if up {
                return Ok(xvfb);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(fail(
            "bench_setup",
            format!("Xvfb on {display} did not answer within 30 s"),
        ))
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
