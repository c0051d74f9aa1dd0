//! Issue 12's acceptance: "no PIN, PIN hash or platform secret appears in any log, CLI
//! output or export". A realistic session runs through the real binary (an owner, a
//! manager and a cashier with distinctive PINs, wrong and malformed PINs, a lockout, new
//! PINs, the five platforms' secrets set and tested against the simulator, one of them
//! wrong, expired tokens, redemptions, a sync, every export and every list) and then
//! `coupondesk serve` with logins over HTTP. Everything it printed (stdout and stderr of
//! every run, the server's answers) and every file it left is searched for each PIN, for
//! each PIN hash the `staff` table held (whole, its salt and its hash part) and for each
//! secret. The database file must not hold a PIN or a secret either.
//!
//! The PINs have 8 digits so that no timestamp, code or hash holds one by chance. The
//! search is shown to work: the database holds the hashes and the credentials file the
//! secrets, found by the same search.

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use coupondesk_remote_sim::{Faults, Sim, SimConfig};
use serde_json::{json, Value};
use support::{run_as, Who};

const OWNER: Who = Who {
    name: "老板",
    pin: "91827364",
};
const MANAGER: Who = Who {
    name: "阿梅",
    pin: "70361528",
};
/// The cashier's first PIN; the owner gives them `CASHIER_NEW` after their lockout.
const CASHIER: Who = Who {
    name: "小张",
    pin: "40291573",
};
const CASHIER_NEW: Who = Who {
    name: "小张",
    pin: "66170429",
};
/// Added over HTTP by the owner logged in at `coupondesk serve`, then given a new PIN.
const HELPER: Who = Who {
    name: "小陈",
    pin: "24681357",
};
const HELPER_NEW: &str = "97531864";

/// PINs typed wrong, and a malformed one: these must not be echoed either.
const WRONG_PINS: [&str; 4] = ["55500721", "31415926", "80808181", "12121299"];
const MALFORMED_PIN: &str = "9182x7364";

/// The platforms' secrets as the simulator expects them, and a wrong one typed first.
const SECRETS: [(&str, &str); 5] = [
    ("p000", "sense-Tk7Qz0pX4mWc"),
    ("p001", "wxcard-Lr2Vb9nHs5Jd"),
    ("p002", "bonus-Gy6Ft3kQa8Ze"),
    ("p003", "voucher-Mp1Xw7cRu4Ky"),
    ("p004", "ebuy-Hn5Sd2vLq9Tb"),
];
const WRONG_SECRET: &str = "bonus-WRONG-Uc3Je8pYo6";
const BAD_URL_SECRET: &str = "never-Saved-Zb4Kw1mDr7";

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

/// Everything the session printed, labelled by what printed it.
struct Session {
    db: PathBuf,
    printed: Vec<(String, String)>,
    /// Every PIN hash the staff table held at some point.
    hashes: BTreeSet<String>,
}

impl Session {
    /// One run with `--json`; its stdout and stderr are kept. (exit code, stdout).
    fn run(&mut self, who: Option<Who>, args: &[&str], stdin: &str) -> (Option<i32>, String) {
        self.run_mode(true, who, args, stdin)
    }

    fn run_mode(
        &mut self,
        json: bool,
        who: Option<Who>,
        args: &[&str],
        stdin: &str,
    ) -> (Option<i32>, String) {
        let mut all = Vec::new();
        if json {
            all.push("--json");
        }
        all.extend_from_slice(args);
        let out = run_as(&self.db, who, &all, stdin);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let label = format!("{all:?} as {:?}", who.map(|w| w.name));
        self.printed
            .push((format!("{label} stdout"), stdout.clone()));
        self.printed
            .push((format!("{label} stderr"), stderr.clone()));
        (out.status.code(), stdout)
    }

    /// A run that must succeed: its JSON answer.
    fn ok(&mut self, who: Option<Who>, args: &[&str], stdin: &str) -> Value {
        let (code, out) = self.run(who, args, stdin);
        let err = &self.printed[self.printed.len() - 1].1;
        assert_eq!(code, Some(0), "{args:?}: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// A run that must exit with `code` (a refusal, a failed test).
    fn fails(&mut self, code: i32, who: Option<Who>, args: &[&str], stdin: &str) {
        let (got, out) = self.run(who, args, stdin);
        let err = &self.printed[self.printed.len() - 1].1;
        assert_eq!(got, Some(code), "{args:?}: {out} {err}");
    }

    /// Remembers the PIN hashes the staff table holds now.
    fn note_hashes(&mut self) {
        self.hashes.extend(pin_hashes(&self.db));
    }
}

/// The PIN hashes the staff table holds now.
fn pin_hashes(db: &Path) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    let mut st = conn.prepare("SELECT pin_hash FROM staff").expect("staff");
    let found = st
        .query_map([], |r| r.get(0))
        .expect("hashes")
        .collect::<Result<_, _>>()
        .expect("rows");
    found
}

/// What must never be printed or exported, with what it is (for the failure message).
fn needles(hashes: &BTreeSet<String>) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for w in [OWNER, MANAGER, CASHIER, CASHIER_NEW, HELPER] {
        all.push((format!("{}'s PIN", w.name), w.pin.to_owned()));
    }
    all.push(("小陈's new PIN".into(), HELPER_NEW.into()));
    for p in WRONG_PINS {
        all.push(("a wrong PIN".into(), p.into()));
    }
    all.push(("a malformed PIN".into(), MALFORMED_PIN.into()));
    all.extend(secrets());
    for h in hashes {
        // PHC form: $argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>
        let parts: Vec<&str> = h.split('$').collect();
        assert_eq!(parts.len(), 6, "a PHC string: {h}");
        assert_eq!(parts[1], "argon2id", "{h}");
        all.push(("a PIN hash".into(), h.clone()));
        all.push(("a PIN hash's salt".into(), parts[4].to_owned()));
        all.push(("a PIN hash's hash".into(), parts[5].to_owned()));
    }
    all
}

fn secrets() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = SECRETS
        .iter()
        .map(|(p, s)| (format!("{p}'s secret"), (*s).to_owned()))
        .collect();
    all.push(("a wrong secret".into(), WRONG_SECRET.into()));
    all.push(("a secret sent with a bad URL".into(), BAD_URL_SECRET.into()));
    all
}

fn find<'a>(haystack: &[u8], needles: &'a [(String, String)]) -> Vec<&'a str> {
    needles
        .iter()
        .filter(|(_, n)| haystack.windows(n.len()).any(|w| w == n.as_bytes()))
        .map(|(what, _)| what.as_str())
        .collect()
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            all.extend(files(&path));
        } else {
            all.push(path);
        }
    }
    all.sort();
    all
}

#[test]
fn no_pin_hash_or_secret_is_printed_exported_or_stored_in_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path();
    let sim_config = SimConfig {
        sense_token: SECRETS[0].1.into(),
        wxcard_token: SECRETS[1].1.into(),
        bonus_token: SECRETS[2].1.into(),
        voucher_token: SECRETS[3].1.into(),
        ebuy_secret: SECRETS[4].1.into(),
        ..SimConfig::default()
    };
    let ebuy_app = sim_config.ebuy_app_id.clone();
    let sim = Sim::start(sim_config).expect("sim");
    let draft = work.join("draft.json");
    std::fs::write(&draft, DRAFT).expect("draft");
    let draft = draft.to_string_lossy().into_owned();
    let mut s = Session {
        db: work.join("shop.sqlite3"),
        printed: Vec::new(),
        hashes: BTreeSet::new(),
    };
    let file = |name: &str| work.join(name).to_string_lossy().into_owned();

    // Staff: a malformed PIN, the owner, a manager and a cashier.
    let add_owner = ["staff", "add", OWNER.name, "--role", "owner", "--pin-stdin"];
    s.fails(1, None, &add_owner, &format!("{MALFORMED_PIN}\n"));
    s.ok(None, &add_owner, &format!("{}\n", OWNER.pin));
    for (w, role) in [(MANAGER, "manager"), (CASHIER, "cashier")] {
        let add = ["staff", "add", w.name, "--role", role, "--pin-stdin"];
        s.ok(Some(OWNER), &add, &format!("{}\n", w.pin));
    }
    s.note_hashes();

    // The stock, by the manager.
    let t = s.ok(Some(MANAGER), &["template", "create", "--file", &draft], "");
    let template = t["id"].to_string();
    s.ok(
        Some(MANAGER),
        &["batch", "create", "--type", "T1", "--name", "春节"],
        "",
    );
    s.ok(
        Some(MANAGER),
        &["codes", "generate", "--batch", "T1", "--count", "6"],
        "",
    );
    s.ok(
        Some(MANAGER),
        &["template", "link", &template, "--batch", "T1"],
        "",
    );
    let bonus = s.ok(
        Some(MANAGER),
        &["bonus", "create", "--amount", "3", "--quantity", "2"],
        "",
    );
    let bonus_code = bonus["codes"][0].as_str().expect("bonus code").to_owned();
    let codes = s.ok(None, &["codes", "list", "--batch", "T1"], "");
    let code = |i: usize| codes["items"][i]["code"].as_str().expect("code").to_owned();

    // The cashier mistypes until locked out (the PIN on stdin once), then the owner gives
    // a new PIN: the old one no longer works.
    let redeem = ["redeem", "use", &code(0), "--amount", "10000"];
    for (i, pin) in WRONG_PINS.iter().take(3).enumerate() {
        let wrong = Who {
            name: CASHIER.name,
            pin,
        };
        s.fails(1, Some(wrong), &redeem, "");
        if i == 0 {
            let mut by_stdin = vec!["--staff", CASHIER.name, "--pin-stdin"];
            by_stdin.extend_from_slice(&redeem);
            s.fails(1, None, &by_stdin, &format!("{pin}\n"));
        }
    }
    let wrong = Who {
        name: CASHIER.name,
        pin: WRONG_PINS[3],
    };
    s.fails(1, Some(wrong), &redeem, "");
    s.fails(1, Some(CASHIER), &redeem, "");
    let reset = ["staff", "reset-pin", CASHIER.name, "--pin-stdin"];
    s.ok(Some(OWNER), &reset, &format!("{}\n", CASHIER_NEW.pin));
    s.note_hashes();
    s.fails(1, Some(CASHIER), &redeem, "");
    assert_eq!(
        s.ok(None, &["audit", "list", "--action", "staff.locked_out"], "")["total"],
        1,
        "the cashier was locked out"
    );

    // The counter.
    s.ok(Some(CASHIER_NEW), &redeem, "");
    let second = code(1);
    s.ok(
        Some(CASHIER_NEW),
        &[
            "redeem",
            "use",
            &second,
            "--amount",
            "12000",
            "--terminal",
            "POS-2",
        ],
        "",
    );
    s.ok(Some(CASHIER_NEW), &["redeem", "undo", &second], "");
    s.ok(
        Some(CASHIER_NEW),
        &["bonus", "redeem", &bonus_code, "--amount", "10"],
        "",
    );
    s.ok(
        Some(CASHIER_NEW),
        &[
            "voucher",
            "sell",
            "--customer",
            "13812348000",
            "--name",
            "洗车",
            "--price",
            "20",
        ],
        "",
    );

    // The platforms, by the owner (the PIN in the environment, the secret on stdin): a bad
    // address with a secret, a wrong secret tested, then the right ones.
    let url = |p: &str| format!("{}/{p}", sim.base_url());
    let config = |p: &'static str, url: String| -> Vec<String> {
        let mut args: Vec<String> = ["sync", "config", "--platform", p, "--url"]
            .map(str::to_owned)
            .to_vec();
        args.push(url);
        args.push("--secret-stdin".into());
        if p == "p004" {
            for a in [
                "--app-id",
                &ebuy_app,
                "--brand-id",
                "BRAND-1",
                "--shop-no",
                "S-01",
            ] {
                args.push(a.to_owned());
            }
        }
        if p == "p000" {
            args.extend(["--upload-path".to_owned(), "/ext/batches".to_owned()]);
        }
        args
    };
    let bad = config("p001", "ftp://example.com".into());
    let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
    s.fails(1, Some(OWNER), &bad, &format!("{BAD_URL_SECRET}\n"));
    let wrong = config("p002", url("p002"));
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    s.ok(Some(OWNER), &wrong, &format!("{WRONG_SECRET}\n"));
    s.fails(
        5,
        Some(MANAGER),
        &["sync", "test", "--platform", "p002"],
        "",
    );
    for (p, secret) in SECRETS {
        let args = config(p, url(p));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let saved = s.ok(Some(OWNER), &args, &format!("{secret}\n"));
        assert_eq!(saved["has_secret"], true, "{saved}");
        s.ok(Some(MANAGER), &["sync", "test", "--platform", p], "");
    }
    // Expired tokens: the platforms refuse them, the messages say so.
    sim.set_faults(Faults {
        expired_token: true,
        ..Faults::default()
    });
    for (p, _) in SECRETS {
        let (rc, _) = s.run(Some(MANAGER), &["sync", "test", "--platform", p], "");
        assert!(matches!(rc, Some(0) | Some(5)), "{p}: {rc:?}");
    }
    s.ok(
        Some(MANAGER),
        &["codes", "activate", "--batch", "T1", &code(2)],
        "",
    );
    s.run(
        Some(CASHIER_NEW),
        &["sync", "run", "--no-wait", "--max-seconds", "5"],
        "",
    );
    sim.set_faults(Faults::default());
    let (rc, _) = s.run(
        Some(CASHIER_NEW),
        &["sync", "run", "--max-seconds", "30", "--backoff-ms", "50"],
        "",
    );
    assert!(matches!(rc, Some(0) | Some(4)), "sync run ran: {rc:?}");

    // Every export, by the manager, and every list.
    let exports = [
        ("codes.csv", vec!["codes", "export", "--batch", "T1"]),
        ("bonuses.csv", vec!["bonus", "export", "--status", "all"]),
        ("vouchers.csv", vec!["voucher", "export"]),
        ("audit.csv", vec!["audit", "export"]),
    ];
    for (name, mut args) in exports {
        let out = file(name);
        args.extend(["--out", &out]);
        let r = s.ok(Some(MANAGER), &args, "");
        assert!(r["rows"].as_u64() > Some(0), "{name}: {r}");
    }
    let audit = s.ok(None, &["audit", "list", "--per-page", "100"], "");
    let pages = audit["total_pages"].as_u64().expect("pages");
    for page in 2..=pages {
        let p = page.to_string();
        s.ok(
            None,
            &["audit", "list", "--per-page", "100", "--page", &p],
            "",
        );
    }
    let reads: [&[&str]; 12] = [
        &["staff", "list"],
        &["sync", "status"],
        &["sync", "queue", "--per-page", "100"],
        &["audit", "verify"],
        &["settings", "show"],
        &["info"],
        &["customer", "list"],
        &["redeem", "list"],
        &["bonus", "list", "--status", "all"],
        &["voucher", "list"],
        &["batch", "list"],
        &["template", "list"],
    ];
    for args in reads {
        s.ok(None, args, "");
        s.run_mode(false, None, args, "");
    }
    s.run_mode(false, None, &["audit", "list", "--per-page", "100"], "");
    // A text-mode failure too.
    s.run_mode(false, Some(wrong_who()), &["redeem", "undo", &second], "");

    // The dev server: logins (right and wrong), an account and its new PIN over HTTP.
    serve_session(&mut s, &sim.base_url());
    s.note_hashes();
    assert!(
        s.hashes.len() >= 6,
        "every account's hashes: {:?}",
        s.hashes
    );

    // The search works: the database holds the hashes, the credentials file the secrets.
    let needles = needles(&s.hashes);
    let db_bytes = db_bytes(&s.db);
    let held: Vec<(String, String)> = pin_hashes(&s.db)
        .into_iter()
        .map(|h| ("a held hash".to_owned(), h))
        .collect();
    assert_eq!(held.len(), 4, "four accounts");
    assert_eq!(
        find(&db_bytes, &held).len(),
        held.len(),
        "the search finds what is there"
    );
    let credentials = PathBuf::from(format!("{}.credentials", s.db.display()));
    if credentials.exists() {
        let text = std::fs::read(&credentials).expect("credentials");
        let right: Vec<(String, String)> = secrets().into_iter().take(SECRETS.len()).collect();
        assert_eq!(
            find(&text, &right).len(),
            SECRETS.len(),
            "the secrets are stored"
        );
    }

    // Nothing printed holds any of them.
    let mut leaks = Vec::new();
    for (what, text) in &s.printed {
        for n in find(text.as_bytes(), &needles) {
            leaks.push(format!("{n} in {what}: {text}"));
        }
    }
    // Nor any file the session left, but the database (below) and the secrets' own store.
    let own = |p: &Path| {
        let name = p.to_string_lossy();
        name.starts_with(&*s.db.to_string_lossy())
    };
    let left = files(work);
    for f in ["codes.csv", "bonuses.csv", "vouchers.csv", "audit.csv"] {
        assert!(left.contains(&work.join(f)), "{f} was exported");
    }
    for f in left.iter().filter(|f| !own(f)) {
        let bytes = std::fs::read(f).expect("read");
        for n in find(&bytes, &needles) {
            leaks.push(format!("{n} in the file {}", f.display()));
        }
    }
    // The database and its WAL: the hashes, but no PIN and no secret in clear.
    let clear: Vec<(String, String)> = needles
        .iter()
        .filter(|(what, _)| !what.starts_with("a PIN hash"))
        .cloned()
        .collect();
    for n in find(&db_bytes, &clear) {
        leaks.push(format!("{n} in the database file"));
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    assert!(
        s.printed.len() > 150,
        "the session ran: {}",
        s.printed.len()
    );
}

/// A name the shop does not have, with a PIN from the list of wrong ones.
fn wrong_who() -> Who<'static> {
    Who {
        name: "Nobody",
        pin: WRONG_PINS[1],
    }
}

/// The database file and its -wal, as the disk holds them.
fn db_bytes(db: &Path) -> Vec<u8> {
    let mut all = std::fs::read(db).expect("db");
    if let Ok(wal) = std::fs::read(format!("{}-wal", db.display())) {
        all.extend(wal);
    }
    all
}

/// `coupondesk serve` on the session's database: the owner logs in (once wrong), adds
/// 小陈, gives them a new PIN and sets a platform's secret; 小陈 logs in with both PINs.
/// The server's answers and its whole stdout and stderr are kept.
fn serve_session(s: &mut Session, sim: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .args(["serve", "--json", "--db"])
        .arg(&s.db)
        .env_remove(support::PIN_ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the start line");
    let started: Value = serde_json::from_str(&line).expect("one JSON line");
    let base = started["url"].as_str().expect("url").to_owned();
    let token = started["token"].as_str().expect("token").to_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let call = |s: &mut Session, command: &str, args: Value| -> (u16, Value) {
        let mut resp = agent
            .post(format!("{base}/api/{command}"))
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {token}"))
            .send(args.to_string())
            .expect("an answer");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().expect("body");
        s.printed.push((format!("serve {command}"), text.clone()));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    };
    let login = |w: Who| json!({"name": w.name, "pin": w.pin});
    let (status, e) = call(s, "staff_login", login(wrong_owner()));
    assert_eq!(
        (status, &e["code"]),
        (422, &json!("unauthenticated")),
        "{e}"
    );
    let (status, session) = call(s, "staff_login", login(OWNER));
    assert_eq!(status, 200, "{session}");
    let draft = json!({"draft": {"name": HELPER.name, "role": "cashier", "pin": HELPER.pin}});
    let (status, added) = call(s, "staff_add", draft);
    assert_eq!(status, 200, "{added}");
    s.note_hashes();
    call(s, "staff_list", json!({}));
    let (status, _) = call(s, "staff_login", login(HELPER));
    assert_eq!(status, 200);
    let (status, e) = call(
        s,
        "staff_reset_pin",
        json!({"name": HELPER.name, "pin": HELPER_NEW}),
    );
    assert_eq!((status, &e["code"]), (422, &json!("forbidden")), "{e}");
    call(s, "staff_login", login(OWNER));
    let (status, _) = call(
        s,
        "staff_reset_pin",
        json!({"name": HELPER.name, "pin": HELPER_NEW}),
    );
    assert_eq!(status, 200);
    let (status, settings) = call(s, "sync_settings_get", json!({}));
    assert_eq!(status, 200, "{settings}");
    let input = json!({"settings": {
        "platform": "p001", "enabled": true, "baseUrl": format!("{sim}/p001"),
        "appId": "", "brandId": "", "signType": "", "shopNo": "", "org": "", "caFile": "",
        "allowHttp": false, "uploadPath": "", "secret": SECRETS[1].1, "clearSecret": false,
    }});
    let (status, saved) = call(s, "sync_settings_save", input);
    assert_eq!(status, 200, "{saved}");
    let (status, _) = call(s, "sync_test", json!({"platform": "p001"}));
    assert_eq!(status, 200);
    let (status, e) = call(s, "staff_login", login(HELPER));
    assert_eq!(
        (status, &e["code"]),
        (422, &json!("unauthenticated")),
        "{e}"
    );
    let new = Who {
        name: HELPER.name,
        pin: HELPER_NEW,
    };
    let (status, _) = call(s, "staff_login", login(new));
    assert_eq!(status, 200);
    call(s, "staff_session", json!({}));
    call(s, "staff_lock", json!({}));
    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("serve's stdout");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("serve's stderr");
    s.printed.push(("serve stdout".into(), line + &rest));
    s.printed.push(("serve stderr".into(), stderr));
}

fn wrong_owner() -> Who<'static> {
    Who {
        name: OWNER.name,
        pin: WRONG_PINS[2],
    }
}
