//! Issue 16's chaos run: 4 desks (each its own SQLite file, each redemption run by the
//! real `coupondesk redeem scan` process) against one real PostgreSQL hub, 10,000 codes
//! of 12 random A-Z0-9 characters, 4,000 redemption attempts of which 1,000 are
//! deliberate collisions (500 codes each tried at two desks), while:
//! - each desk's network is cut now and then (a relay that goes dead: the claim misses its
//!   deadline and the desk decides offline, every template allowing it);
//! - the hub itself is stopped and restarted (`pg_ctl stop -m immediate`, then start);
//! - desk processes are killed with SIGKILL in the middle of a run, and the codes they
//!   had not answered are tried again by a new process.
//!
//! Then every desk pushes what it queued, and the run must show:
//! - every code redeemed **at most once among online claims** (at the hub and in the
//!   desks' files);
//! - every offline double is **exactly one conflict** per extra redemption, at the hub and
//!   in the desk's inbox;
//! - **no redemption lost**: every live redemption in the desks' files is at the hub under
//!   its claim id, and no outbox row is left;
//! - **the hub and the desks agree**: the codes the hub has redeemed are exactly those with
//!   a live redemption at some desk, each held by a claim that desk made;
//! - after a final `hub pull` at every desk, **every desk's status of every code is the
//!   hub's** (redeemed where the hub says redeemed, also for codes redeemed at another
//!   desk), and `hub status` shows a lag of 0.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use support::run_as;

const CODES: usize = 10_000;
const DESKS: usize = 4;
const UNIQUE_PER_DESK: usize = 750;
/// Codes tried at two desks each: 500, so each desk tries 250 of them.
const SHARED: usize = 500;
const CHUNK: usize = 50;
const DEADLINE_MS: i64 = 1000;

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":100000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

fn ok(db: &Path, args: &[&str]) -> Value {
    support::json_ok(db, args)
}

fn random_codes(rng: &mut StdRng, n: usize) -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut seen = BTreeSet::new();
    while seen.len() < n {
        let c: String = (0..12)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        seen.insert(c);
    }
    let mut v: Vec<String> = seen.into_iter().collect();
    v.shuffle(rng);
    v
}

#[derive(Default, Debug)]
struct Tally {
    answered: u32,
    redeemed: u32,
    used_elsewhere: u32,
    already_used: u32,
    other: BTreeMap<String, u32>,
    kills: u32,
    cut_chunks: u32,
}

/// When a scan process is killed with SIGKILL.
#[derive(Clone, Copy, Debug)]
enum Kill {
    /// After this long, wherever it is (it may have finished: then nothing is killed).
    After(Duration),
    /// Once it has answered this many codes: always in the middle of a run that has more
    /// codes than that, so every desk is killed at least once whatever the timing.
    AfterAnswers(usize),
}

/// One `redeem scan` process over `codes`; killed as `kill` says when given. Returns
/// the codes it answered, with their answers.
fn scan(db: &Path, codes: &[String], kill: Option<Kill>) -> Vec<(String, Value)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .args(["--json", "--db"])
        .arg(db)
        .args(["redeem", "scan", "--amount", "10000"])
        .env_remove(support::PIN_ENV)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("scan");
    let mut input = child.stdin.take().expect("stdin");
    let text = codes.join("\n") + "\n";
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let pid = child.id();
    let killer = match kill {
        Some(Kill::After(d)) => Some(std::thread::spawn(move || {
            std::thread::sleep(d);
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        })),
        _ => None,
    };
    let stdout = child.stdout.take().expect("stdout");
    let mut answers: Vec<(String, Value)> = Vec::new();
    for v in BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
    {
        answers.push((v["code"].as_str().unwrap_or_default().to_owned(), v));
        // Each answer is flushed as it is made (crates/cli/src/print.rs), so the process
        // is at most a redemption further when the signal lands.
        if matches!(kill, Some(Kill::AfterAnswers(n)) if answers.len() == n) {
            let _ = child.kill();
        }
    }
    let _ = child.wait();
    let _ = writer.join();
    if let Some(k) = killer {
        let _ = k.join();
    }
    answers
}

struct Desk {
    db: PathBuf,
    proxy: pgtest::proxy::Proxy,
    attempts: Vec<String>,
}

#[test]
fn four_desks_one_hub_collisions_offline_windows_restarts_and_kills() {
    let seed: u64 = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| StdRng::from_os_rng().random());
    eprintln!("hub chaos seed {seed} (CHAOS_SEED={seed} repeats this run)");
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();

    let pg = pgtest::PgCluster::start().expect("cluster");
    pg.create_db("chaos").expect("db");
    let dir = tempfile::tempdir().expect("dir");
    let codes = random_codes(&mut rng, CODES);
    let csv = dir.path().join("codes.csv");
    std::fs::write(&csv, format!("code\n{}\n", codes.join("\n"))).expect("csv");
    let draft = dir.path().join("draft.json");
    std::fs::write(&draft, DRAFT).expect("draft");

    // Desk 0 holds the codes and creates the hub; the others get them by joining.
    let mut desks = Vec::new();
    for i in 0..DESKS {
        let db = dir.path().join(format!("desk{i}.sqlite3"));
        ok(&db, &["init"]);
        let proxy = pgtest::proxy::Proxy::start(pg.port()).expect("proxy");
        let url = format!("postgres://postgres@127.0.0.1:{}/chaos", proxy.port());
        if i == 0 {
            ok(
                &db,
                &[
                    "codes",
                    "import",
                    "--batch",
                    "CHAOS",
                    "--new-batch-name",
                    "chaos",
                    csv.to_str().expect("utf8"),
                ],
            );
            ok(&db, &["hub", "init", "--url", &url]);
        }
        let store = format!("store{}", i / 2);
        let terminal = format!("counter{i}");
        ok(
            &db,
            &[
                "hub",
                "join",
                "--url",
                &url,
                "--store",
                &store,
                "--terminal",
                &terminal,
            ],
        );
        // Each desk links the batch to a template of its own, made after its join: the
        // templates and links travel at the final pulls (each desk keeps its own link,
        // its codes having been redeemed under it).
        let t = ok(
            &db,
            &[
                "template",
                "create",
                "--file",
                draft.to_str().expect("utf8"),
            ],
        );
        let id = t["id"].as_i64().expect("template id").to_string();
        ok(&db, &["template", "link", &id, "--batch", "CHAOS"]);
        ok(
            &db,
            &["template", "offline-policy", &id, "--mode", "allowed"],
        );
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.execute("UPDATE hub_link SET deadline_ms = ?1", [DEADLINE_MS])
            .expect("deadline");
        desks.push(Desk {
            db,
            proxy,
            attempts: Vec::new(),
        });
    }

    // 4,000 attempts: 750 codes of its own per desk, and 500 codes tried at two desks.
    let mut pool = codes.iter().cloned();
    for d in desks.iter_mut() {
        d.attempts.extend(pool.by_ref().take(UNIQUE_PER_DESK));
    }
    let shared: Vec<String> = pool.by_ref().take(SHARED).collect();
    for (n, code) in shared.iter().enumerate() {
        let a = n % DESKS;
        let b = (a + 1 + n / DESKS % (DESKS - 1)) % DESKS;
        desks[a].attempts.push(code.clone());
        desks[b].attempts.push(code.clone());
    }
    for d in desks.iter_mut() {
        d.attempts.shuffle(&mut rng);
    }
    let attempts: usize = desks.iter().map(|d| d.attempts.len()).sum();
    assert_eq!(attempts, 4_000);

    let pg = Arc::new(Mutex::new(pg));
    let done = Arc::new(AtomicBool::new(false));
    let restarts = Arc::new(AtomicU32::new(0));
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        // The hub goes down now and then while the desks work.
        {
            let (pg, done, restarts) = (pg.clone(), done.clone(), restarts.clone());
            let mut hub_rng = StdRng::seed_from_u64(seed ^ 0x5eed);
            s.spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(hub_rng.random_range(2_000..5_000)));
                    if done.load(Ordering::SeqCst) {
                        break;
                    }
                    let mut pg = pg.lock().expect("pg");
                    pg.stop_immediate().expect("stop");
                    std::thread::sleep(Duration::from_millis(hub_rng.random_range(300..1_500)));
                    pg.restart().expect("restart");
                    restarts.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        let runs: Vec<_> = desks
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut drng = StdRng::seed_from_u64(seed.wrapping_add(i as u64 + 1));
                s.spawn(move || {
                    let mut t = Tally::default();
                    for (n, chunk) in d.attempts.chunks(CHUNK).enumerate() {
                        let cut = drng.random_bool(0.15);
                        if cut {
                            d.proxy.cut();
                            t.cut_chunks += 1;
                        }
                        let mut left: Vec<String> = chunk.to_vec();
                        // The second chunk's first scan of every desk dies after a few
                        // answers (so each run has at least DESKS kills); any other scan
                        // at random after 30-200 ms.
                        let mut forced = n == 1;
                        while !left.is_empty() {
                            let kill = if std::mem::take(&mut forced) {
                                Some(Kill::AfterAnswers(drng.random_range(1..10)))
                            } else {
                                drng.random_bool(0.15).then(|| {
                                    Kill::After(Duration::from_millis(drng.random_range(30..200)))
                                })
                            };
                            let answers = scan(&d.db, &left, kill);
                            if kill.is_some() && answers.len() < left.len() {
                                t.kills += 1;
                            }
                            let answered: BTreeSet<&str> =
                                answers.iter().map(|(c, _)| c.as_str()).collect();
                            for (_, v) in &answers {
                                t.answered += 1;
                                match v["reason"].as_str() {
                                    None => t.redeemed += 1,
                                    Some("used_elsewhere") => t.used_elsewhere += 1,
                                    Some("already_used") => t.already_used += 1,
                                    Some(r) => *t.other.entry(r.to_owned()).or_default() += 1,
                                }
                            }
                            left.retain(|c| !answered.contains(c.as_str()));
                        }
                        if cut {
                            d.proxy.restore();
                        }
                    }
                    t
                })
            })
            .collect();
        let tallies = runs.into_iter().map(|r| r.join().expect("desk")).collect();
        done.store(true, Ordering::SeqCst);
        tallies
    });
    let run_secs = started.elapsed().as_secs_f64();

    // Everything back: each desk pushes until nothing is left.
    let pg = pg.lock().expect("pg");
    for d in &desks {
        d.proxy.restore();
        let mut tries = 0;
        loop {
            let out = run_as(&d.db, None, &["--json", "hub", "push"], "");
            if out.status.success() {
                break;
            }
            tries += 1;
            assert!(
                tries < 10,
                "push never emptied the outbox: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    // What the desks' files say.
    #[derive(Debug, Clone)]
    struct Local {
        desk: usize,
        claim: String,
        state: String,
        offline: bool,
    }
    let mut live: BTreeMap<String, Vec<Local>> = BTreeMap::new();
    let mut inbox = 0usize;
    for (i, d) in desks.iter().enumerate() {
        let conn = rusqlite::Connection::open(&d.db).expect("open");
        let left: i64 = conn
            .query_row("SELECT count(*) FROM hub_outbox", [], |r| r.get(0))
            .expect("outbox");
        assert_eq!(left, 0, "desk {i} kept outbox rows");
        inbox += conn
            .query_row("SELECT count(*) FROM hub_conflicts", [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("inbox") as usize;
        let mut st = conn
            .prepare(
                "SELECT c.code, r.claim_id, r.hub_state, r.offline FROM redemptions r
                   JOIN codes c ON c.id = r.code_id WHERE r.undone_at IS NULL",
            )
            .expect("prepare");
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .expect("rows");
        for row in rows {
            let (code, claim, state, offline) = row.expect("row");
            live.entry(code).or_default().push(Local {
                desk: i,
                claim: claim.expect("every redemption of a joined desk has a claim id"),
                state: state.unwrap_or_default(),
                offline,
            });
        }
    }

    // What the hub says.
    let hub_rows = |sql: &str| -> Vec<Vec<String>> {
        pg.psql("chaos", sql)
            .expect("psql")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('|').map(str::to_owned).collect())
            .collect()
    };
    let hub_redemptions: BTreeMap<String, (String, bool)> = hub_rows(
        "SELECT claim_id, code, online FROM coupondesk.redemptions WHERE released_at IS NULL",
    )
    .into_iter()
    .map(|r| (r[0].clone(), (r[1].clone(), r[2] == "t")))
    .collect();
    let hub_redeemed: BTreeMap<String, String> =
        hub_rows("SELECT code, claim_id FROM coupondesk.codes WHERE status = 'redeemed'")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    let hub_conflicts: BTreeMap<String, usize> =
        hub_rows("SELECT code, count(*) FROM coupondesk.conflicts GROUP BY code")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].parse().expect("count")))
            .collect();

    // At most once among online claims.
    for (code, rs) in &live {
        let online = rs.iter().filter(|r| r.state == "claimed").count();
        assert!(
            online <= 1,
            "{code} was claimed online {online} times: {rs:?}"
        );
    }
    let mut online_at_hub: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, on) in hub_redemptions.values() {
        if *on {
            *online_at_hub.entry(code).or_default() += 1;
        }
    }
    assert!(
        online_at_hub.values().all(|n| *n <= 1),
        "an online claim twice at the hub"
    );

    // Each offline double is one conflict per extra redemption, at the hub and here.
    let mut doubles = 0usize;
    let mut conflicts = 0usize;
    for (code, rs) in &live {
        let extra = rs.len() - 1;
        doubles += usize::from(extra > 0);
        conflicts += extra;
        assert_eq!(
            hub_conflicts.get(code).copied().unwrap_or(0),
            extra,
            "{code}: {rs:?}"
        );
        assert_eq!(
            rs.iter().filter(|r| r.state == "conflict").count(),
            extra,
            "{code}: {rs:?}"
        );
    }
    assert_eq!(hub_conflicts.values().sum::<usize>(), conflicts);
    assert_eq!(inbox, conflicts);

    // No redemption lost: each live one is at the hub under its claim id.
    let local_claims: BTreeSet<&str> = live.values().flatten().map(|r| r.claim.as_str()).collect();
    for (code, rs) in &live {
        for r in rs {
            assert_eq!(
                hub_redemptions.get(&r.claim).map(|(c, _)| c.as_str()),
                Some(code.as_str()),
                "desk {}'s redemption of {code} is not at the hub",
                r.desk
            );
        }
    }
    assert_eq!(
        local_claims.len(),
        hub_redemptions.len(),
        "the hub has redemptions no desk made"
    );

    // The hub and the desks agree on what is used, and on who holds it.
    let used_here: BTreeSet<&str> = live.keys().map(String::as_str).collect();
    let used_there: BTreeSet<&str> = hub_redeemed.keys().map(String::as_str).collect();
    assert_eq!(
        used_here, used_there,
        "the hub and the desks disagree on used codes"
    );
    for (code, claim) in &hub_redeemed {
        assert!(
            live[code]
                .iter()
                .any(|r| &r.claim == claim && r.state != "conflict"),
            "{code}: the hub's holder {claim} is no desk's kept redemption"
        );
    }

    // A final sync at every desk: each desk's status of every code is the hub's, and no
    // desk lags. Two rounds of pulls: a pull first sends the desk's own templates and
    // links (made after the join), which are changes the desks pulled before it have
    // not seen; the second round sends nothing new (nothing bounces) and catches up.
    let pull_started = Instant::now();
    let mut pulled_statuses = 0u64;
    for round in 0..2 {
        for (i, d) in desks.iter().enumerate() {
            let r = ok(&d.db, &["hub", "pull"]);
            assert!(r["stopped"].is_null(), "desk {i}'s pull stopped: {r}");
            assert!(
                r["audit"]["refused"].is_null(),
                "desk {i}'s audit trail: {r}"
            );
            pulled_statuses += r["statuses_applied"].as_u64().expect("statuses_applied");
            if round == 1 {
                assert_eq!(
                    (
                        r["templates_uploaded"].as_u64(),
                        r["links_uploaded"].as_u64()
                    ),
                    (Some(0), Some(0)),
                    "desk {i}'s second pull sends nothing: {r}"
                );
            }
        }
    }
    let pull_secs = pull_started.elapsed().as_secs_f64();
    let hub_status: BTreeMap<String, String> =
        hub_rows("SELECT code, status FROM coupondesk.codes")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    assert_eq!(hub_status.len(), CODES);
    const STATUS: [&str; 5] = ["issued", "active", "redeemed", "disabled", "expired"];
    for (i, d) in desks.iter().enumerate() {
        let conn = rusqlite::Connection::open(&d.db).expect("open");
        let mut st = conn
            .prepare("SELECT code, status FROM codes")
            .expect("prepare");
        let here: BTreeMap<String, String> = st
            .query_map([], |r| {
                let s: i64 = r.get(1)?;
                Ok((
                    r.get::<_, String>(0)?,
                    STATUS
                        .get(usize::try_from(s).unwrap_or(99))
                        .copied()
                        .unwrap_or("?")
                        .to_owned(),
                ))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("codes");
        let differ: Vec<_> = hub_status
            .iter()
            .filter(|(c, s)| here.get(*c) != Some(*s))
            .take(5)
            .collect();
        assert!(
            differ.is_empty(),
            "desk {i} disagrees with the hub after its pull (hub's word): {differ:?}"
        );
        assert_eq!(here.len(), hub_status.len(), "desk {i} has other codes");
        // The batch's counts follow the statuses.
        let redeemed_count: i64 = conn
            .query_row(
                "SELECT coalesce(sum(n), 0) FROM batch_counts WHERE status = 2",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(
            redeemed_count as usize,
            hub_redeemed.len(),
            "desk {i}'s redeemed codes"
        );
        let status = ok(&d.db, &["hub", "status"]);
        assert_eq!(status["lag"].as_i64(), Some(0), "desk {i}'s lag: {status}");
    }
    // Every desk's audit trail reached the hub whole (each entry once, in order), through
    // the kills and the hub's restarts: each chain intact and as long as the desk's cursor.
    let verified = ok(&desks[0].db, &["hub", "audit", "verify"]);
    assert_eq!(verified["intact"], true, "{verified}");
    for (i, d) in desks.iter().enumerate() {
        let conn = rusqlite::Connection::open(&d.db).expect("open");
        let (terminal, cursor): (i64, i64) = conn
            .query_row("SELECT terminal_id, audit_sent_id FROM hub_link", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("link");
        let chain = verified["terminals"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| t["terminal_id"] == terminal))
            .expect("every desk's chain is listed");
        assert!(cursor > 0, "desk {i} sent nothing");
        assert_eq!(
            (chain["entries"].as_i64(), chain["last_id"].as_i64()),
            (Some(cursor), Some(cursor)),
            "desk {i}'s chain at the hub: {chain}"
        );
    }

    let t = tallies.iter().fold(Tally::default(), |mut a, t| {
        a.answered += t.answered;
        a.redeemed += t.redeemed;
        a.used_elsewhere += t.used_elsewhere;
        a.already_used += t.already_used;
        a.kills += t.kills;
        a.cut_chunks += t.cut_chunks;
        for (k, v) in &t.other {
            *a.other.entry(k.clone()).or_default() += v;
        }
        a
    });
    let offline: usize = live.values().flatten().filter(|r| r.offline).count();
    let restarts = restarts.load(Ordering::SeqCst);
    eprintln!(
        "hub chaos: {attempts} attempts ({} answered), {SHARED} codes tried at two \
         desks; {} redeemed, {} refused as used at another desk, {} as used here; {offline} \
         redeemed offline; {doubles} doubled codes -> {conflicts} conflicts (hub {}, inboxes \
         {inbox}); lost 0; {} kills, {} cut chunks, {restarts} hub restarts; other refusals \
         {:?}; {run_secs:.1} s; final pulls at {DESKS} desks applied {pulled_statuses} \
         statuses in {pull_secs:.1} s, every desk equal to the hub, lag 0",
        t.answered,
        t.redeemed,
        t.used_elsewhere,
        t.already_used,
        hub_conflicts.values().sum::<usize>(),
        t.kills,
        t.cut_chunks,
        t.other
    );
    // The faults happened, or the run proves nothing.
    assert!(t.kills >= DESKS as u32, "only {} kills", t.kills);
    assert!(t.cut_chunks >= 3, "only {} cut chunks", t.cut_chunks);
    assert!(restarts >= 1, "the hub never restarted");
    assert!(offline > 0, "nothing was redeemed offline");
    assert!(t.used_elsewhere > 0, "no collision was refused online");
    assert!(doubles > 0, "no offline double happened");
}
