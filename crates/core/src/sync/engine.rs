//! The sync engine: drains each platform's outbox in id order, then pulls remote state.
//!
//! Rules that must stay true (tests/sync_chaos.rs proves them against the simulator with
//! kill -9 in a loop and 5% 429/503):
//! - Before a request leaves, its ops are marked `sent` (and, on e-Buy, given the
//!   envelope uuid) in a committed transaction; a crash after that re-sends with the same
//!   uuid or reads back first, so nothing is applied twice.
//! - An op is `done` only after the platform's answer (or a read-back) was committed.
//! - The queue is strict FIFO per platform: when its head must wait (backoff,
//!   Retry-After) the platform waits, so a later action on the same code never overtakes
//!   an earlier one.
//! - One process at a time syncs a platform (a lock file the OS frees on kill -9).
//!
//! Pipelining (connectors whose re-sent envelope is answered from the platform's store by
//! its id: e-Buy). While envelope N is in flight, this thread stores the answer of N-1
//! and marks N+1 sent (committed), so N+1 can leave the moment N's answer is read.
//! N+1 leaves only when every op of N got a final answer (done or conflict): a retry
//! or a failed call ends the pipeline, and the marked N+1 then waits in the queue
//! behind N's ops, re-sent later as exactly that envelope (as after a kill -9 between
//! marking and sending). N-1's answer may be committed after N left: a kill before
//! that re-sends N-1 and N by their uuids and the platform replays both answers, in
//! order. So all four rules above hold.

use std::cell::Cell;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection, TransactionBehavior};

use super::connector::{Connector, Op, OpResult, Refs};
use super::http::{CallError, CallErrorKind, Http};
use super::settings::{self, Note};
use super::types::{Platform, PlatformRun, SyncReport};
use super::{connectors, outbox, SyncResult};
use crate::store::{self, now_ms};

/// What the engine reads the time from and waits with: the run's deadline, the pauses it
/// sets (backoff, Retry-After: the platform's `paused_until`, a retry's `not_before`) and
/// its sleeps until they end. A test can so go through a 7 s Retry-After without waiting
/// 7 s, with a virtual clock that advances on `sleep`. Outside the engine, times stay on
/// the wall clock: `sent_at`, the connectors' settle times (`OpResult::Wait`, checked
/// against the wall clock by the connector) and the status shown to staff. A test that
/// depends on settle times therefore keeps the wall clock.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch, like the times stored in the database.
    fn now_ms(&self) -> i64;
    fn sleep(&self, d: Duration);
}

/// The real time: what every run uses outside tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct WallClock;

impl Clock for WallClock {
    fn now_ms(&self) -> i64 {
        now_ms()
    }
    fn sleep(&self, d: Duration) {
        thread::sleep(d);
    }
}

fn millis(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

/// How long and how patiently a run goes on.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Stop starting new requests after this long.
    pub max_duration: Duration,
    /// Sleep through backoff and Retry-After pauses (until `max_duration`); otherwise
    /// stop the platform at the first pause.
    pub wait: bool,
    /// Pull remote state once the queue is empty...
    pub pull: bool,
    /// ...unless the last pull is more recent than this (lists can be long; the app's
    /// background tick should not read them every 30 s).
    pub pull_every: Duration,
    /// Exponential backoff with full jitter: a retry waits a random time in
    /// 0..=min(cap, base * 2^attempts).
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// After a create that may have been applied, how long to wait before reading it
    /// back (longer than `timeout`: a platform may apply a request after our timeout
    /// fired). See docs/sync.md, "Creates that may have been applied".
    pub settle: Duration,
    /// The engine's time (the wall clock by default; a virtual one in tests).
    pub clock: Arc<dyn Clock>,
}

impl RunOptions {
    /// The default settle time for a request timeout: twice the timeout, at least 2 s.
    pub fn settle_for(timeout: Duration) -> Duration {
        (timeout * 2).max(Duration::from_secs(2))
    }
}

impl RunOptions {
    /// "Sync now" from the window: a short run that sleeps through short pauses.
    pub fn interactive() -> RunOptions {
        RunOptions {
            max_duration: Duration::from_secs(15),
            ..RunOptions::default()
        }
    }
    /// The app's periodic run: short, never sleeps through a pause (the next tick comes).
    pub fn background() -> RunOptions {
        RunOptions {
            max_duration: Duration::from_secs(20),
            wait: false,
            pull_every: Duration::from_secs(300),
            ..RunOptions::default()
        }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_duration: Duration::from_secs(120),
            wait: true,
            pull: true,
            pull_every: Duration::ZERO,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(60),
            timeout: Duration::from_secs(20),
            settle: RunOptions::settle_for(Duration::from_secs(20)),
            clock: Arc::new(WallClock),
        }
    }
}

/// Full jitter (AWS architecture blog, "Exponential Backoff And Jitter").
pub fn backoff(opts: &RunOptions, attempts: u32, rng: &mut SmallRng) -> Duration {
    let base = opts.backoff_base.as_millis() as u64;
    let cap = opts.backoff_cap.as_millis() as u64;
    let ceiling = base.saturating_mul(1u64 << attempts.min(30)).min(cap);
    Duration::from_millis(rng.random_range(0..=ceiling))
}

/// Runs every enabled platform (or one), one after the other.
pub fn run(db: &Path, only: Option<Platform>, opts: &RunOptions) -> SyncResult<SyncReport> {
    let mut conn = store::open(db)?;
    // Changes recorded by any process and not routed yet go out in this run.
    super::router::route_pending(&mut conn)?;
    prune(&conn)?;
    let mut report = SyncReport::default();
    let started = opts.clock.now_ms();
    for p in Platform::ALL
        .into_iter()
        .filter(|p| only.is_none_or(|o| o == *p))
    {
        let elapsed = opts.clock.now_ms().saturating_sub(started).max(0);
        let left = opts
            .max_duration
            .saturating_sub(Duration::from_millis(elapsed as u64));
        let opts = RunOptions {
            max_duration: left,
            ..opts.clone()
        };
        report
            .platforms
            .push(run_platform(&mut conn, db, p, &opts)?);
    }
    report.not_set_up = report
        .platforms
        .iter()
        .filter(|p| p.skipped)
        .map(|p| p.remaining)
        .sum();
    Ok(report)
}

fn run_platform(
    conn: &mut Connection,
    db: &Path,
    p: Platform,
    opts: &RunOptions,
) -> SyncResult<PlatformRun> {
    let mut out = PlatformRun {
        platform: Some(p),
        ..PlatformRun::default()
    };
    let endpoint = match settings::endpoint(conn, db, p)? {
        Ok(e) => e,
        Err(words) => {
            out.remaining = outbox::counts(conn, p)?.0;
            out.stopped = Some(words);
            out.skipped = true;
            return Ok(out);
        }
    };
    let Some(_lock) = store::locks::NamedLock::try_acquire(db, &format!("sync-{}", p.id()))? else {
        out.busy = true;
        out.remaining = outbox::counts(conn, p)?.0;
        out.stopped = Some("another CouponDesk window or command is syncing this platform".into());
        return Ok(out);
    };
    // Built from the settings (CA file, "allow plain HTTP"); a setting that makes every
    // call impossible fails the first call with words that say which one.
    let mut http = Http::for_endpoint(&endpoint.settings, opts.timeout);
    let mut connector = connectors::make(endpoint.clone());
    // The last whole-call failure, for the reason a run stops.
    let mut last_failure: Option<String> = None;
    let mut rng = SmallRng::from_os_rng();
    let clock = opts.clock.as_ref();
    let deadline = clock.now_ms().saturating_add(millis(opts.max_duration));
    let settle_ms = opts.settle.as_millis().min(i64::MAX as u128) as i64;
    // Pipelined: a second instance of the connector groups the next envelope (the first
    // is busy sending) and a second connection serves the sender's local reads.
    let mut pipe = if connector.pipelines() {
        Some((connectors::make(endpoint), store::open(db)?))
    } else {
        None
    };
    // The next envelope, already marked sent, and the final answers not yet stored.
    let mut ahead: Option<Vec<Op>> = None;
    let mut answered: Option<(Vec<Op>, Vec<OpResult>)> = None;
    loop {
        if ahead.is_none() {
            store_answered(conn, p, &mut answered, &mut out, opts, &mut rng)?;
        }
        if clock.now_ms() >= deadline {
            // A marked envelope left behind is re-sent first by the next run.
            store_answered(conn, p, &mut answered, &mut out, opts, &mut rng)?;
            out.stopped
                .get_or_insert_with(|| "time is up for this run; the rest goes next time".into());
            break;
        }
        // The head of the queue, or the platform as a whole, may have to wait.
        let wait_until = settings::paused_until(conn, p)?.max(head_not_before(conn, p)?);
        let now = clock.now_ms();
        if wait_until > now {
            let pause = Duration::from_millis((wait_until - now) as u64);
            store_answered(conn, p, &mut answered, &mut out, opts, &mut rng)?;
            if !opts.wait || clock.now_ms().saturating_add(millis(pause)) > deadline {
                out.stopped.get_or_insert_with(|| match &last_failure {
                    Some(words) => format!("waiting before the next try: {words}"),
                    None => {
                        "waiting before the next try (backoff or the platform's Retry-After)".into()
                    }
                });
                break;
            }
            clock.sleep(pause);
            continue;
        }
        let ops = match ahead.take() {
            Some(ops) => ops,
            None => take_group(conn, p, connector.as_ref(), 0)?,
        };
        if ops.is_empty() {
            if opts.pull && settings::pull_due(conn, p, opts.pull_every)? {
                pull(conn, p, connector.as_mut(), &mut http)?;
            }
            break;
        }
        let result = if let Some((planner, refs_conn)) = pipe.as_mut() {
            let last = ops.last().map_or(0, |o| o.id);
            let (result, next) = thread::scope(|s| {
                let (sender_conn, c, h, o) = (&mut *refs_conn, &mut connector, &mut http, &ops);
                let sender = s.spawn(move || {
                    let refs = Refs {
                        conn: sender_conn,
                        platform: p,
                        settle_ms,
                        left: Cell::new(false),
                    };
                    (c.send(h, o, &refs), refs.left.get())
                });
                let next = store_answered(conn, p, &mut answered, &mut out, opts, &mut rng)
                    .and_then(|()| take_group(conn, p, planner.as_ref(), last));
                match sender.join() {
                    Ok(result) => (result, next),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            });
            // An error here leaves N sent and unanswered: re-sent by its uuid next time.
            let next = next?;
            match result {
                (Ok(results), _) if results.len() == ops.len() && results.iter().all(is_final) => {
                    answered = Some((ops, results));
                    ahead = Some(next).filter(|n| !n.is_empty());
                    continue;
                }
                other => other,
            }
        } else {
            let refs = Refs {
                conn,
                platform: p,
                settle_ms,
                left: Cell::new(false),
            };
            (connector.send(&mut http, &ops, &refs), refs.left.get())
        };
        let (result, left) = result;
        match result {
            Ok(results) if results.len() == ops.len() => {
                let (done, conflicts, retries) =
                    store_results(conn, p, &ops, &results, opts, &mut rng)?;
                out.done += done;
                out.conflicts += conflicts;
                out.retries += retries;
            }
            Ok(results) => {
                let e = CallError::new(
                    CallErrorKind::BadAnswer,
                    format!(
                        "the platform answered {} results for {} operations; sending again later",
                        results.len(),
                        ops.len()
                    ),
                );
                out.retries += ops.len() as u64;
                store_failure(conn, p, &ops, &e, left, opts, &mut rng)?;
            }
            Err(e) => {
                out.retries += ops.len() as u64;
                store_failure(conn, p, &ops, &e, left, opts, &mut rng)?;
                // A refused token, an untrusted certificate or a setting that stops every
                // call will not heal by waiting: say why and leave the queue as it is.
                if e.kind.needs_staff() {
                    out.stopped = Some(e.message);
                    break;
                }
                last_failure = Some(e.message);
            }
        }
    }
    out.requests = http.sent;
    out.remaining = outbox::counts(conn, p)?.0;
    Ok(out)
}

/// How long confirmed e-Buy code operations stay in the outbox as the history of
/// results (the batch page's per-code results). They are the bulk of the table (one row
/// per code). Other platforms' rows are kept: the store looks them up to decide between
/// a create and an update (templates) or whether a batch was already sent (000).
pub const KEEP_DONE_DAYS: i64 = 90;

fn prune(conn: &Connection) -> SyncResult<()> {
    let before = now_ms() - KEEP_DONE_DAYS * 86_400_000;
    conn.execute(
        "DELETE FROM outbox WHERE platform = 'p004' AND state = 'done' AND done_at < ?1",
        [before],
    )?;
    Ok(())
}

fn head_not_before(conn: &Connection, p: Platform) -> SyncResult<i64> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT not_before FROM outbox WHERE platform = ?1 AND state = 'queued' ORDER BY id LIMIT 1",
            [p.id()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

fn op_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Op> {
    let payload: String = r.get(3)?;
    Ok(Op {
        id: r.get(0)?,
        op: r.get(1)?,
        subject: r.get(2)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        idem_key: r.get(4)?,
        sent_before: r.get(5)?,
        envelope_uuid: r.get(6)?,
        attempts: r.get(7)?,
        maybe_applied: r.get(8)?,
        sent_at: r.get(9)?,
        readbacks: r.get(10)?,
        send_note: r.get(11)?,
    })
}

const OP_COLUMNS: &str = "id, op, subject, payload, idem_key, sent, envelope_uuid, attempts, \
                          maybe_applied, sent_at, readbacks, send_note";

/// The next ops to send, marked `sent` (and given their envelope uuid) in a committed
/// transaction before anything leaves. A head already in an envelope is re-sent as
/// exactly that envelope.
///
/// `after` > 0 (pipelining): the ops up to that id are in flight; the group is the one
/// after them, and none is taken when its head must still wait.
fn take_group(
    conn: &mut Connection,
    p: Platform,
    c: &dyn Connector,
    after: i64,
) -> SyncResult<Vec<Op>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let limit = c.batch_limit().max(1);
    // The head of the queue and what may follow it, each with its `not_before`.
    let mut queued: Vec<(Op, i64)> = {
        let mut st = tx.prepare_cached(&format!(
            "SELECT {OP_COLUMNS}, not_before FROM outbox WHERE platform = ?1 AND state = 'queued'
               AND id > ?3 ORDER BY id LIMIT ?2"
        ))?;
        let rows = st.query_map(params![p.id(), limit as i64, after], |r| {
            Ok((op_row(r)?, r.get(12)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let Some(head) = queued.first().map(|(o, _)| o.clone()) else {
        return Ok(Vec::new());
    };
    let ops = if let Some(uuid) = &head.envelope_uuid {
        // Already marked sent when the envelope was made.
        let mut st = tx.prepare_cached(&format!(
            "SELECT {OP_COLUMNS} FROM outbox WHERE platform = ?1 AND state = 'queued'
               AND envelope_uuid = ?2 AND id > ?3 ORDER BY id"
        ))?;
        let rows = st.query_map(params![p.id(), uuid, after], op_row)?;
        rows.collect::<Result<Vec<_>, _>>()?
    } else if limit > 1 {
        let key = c.batch_key(&head);
        let now = now_ms();
        let n = queued
            .iter()
            .take_while(|(o, nb)| o.envelope_uuid.is_none() && *nb <= now && c.batch_key(o) == key)
            .count();
        if n == 0 && after > 0 {
            return Ok(Vec::new());
        }
        queued.truncate(n.max(1));
        let uuid = outbox::new_key();
        // The group is a prefix of this platform's queue after `after`, so its rows are
        // exactly the queued ones in that id range: one statement marks them all.
        let last = queued.last().map(|(o, _)| o.id).unwrap_or(head.id);
        tx.prepare_cached(
            "UPDATE outbox SET envelope_uuid = ?3, sent = 1, maybe_applied = 1, sent_at = ?4
              WHERE platform = ?1 AND state = 'queued' AND id > ?5 AND id <= ?2",
        )?
        .execute(params![p.id(), last, uuid, now, after])?;
        queued
            .into_iter()
            .map(|(mut o, _)| {
                o.envelope_uuid = Some(uuid.clone());
                o
            })
            .collect()
    } else {
        // The op as read tells the connector what earlier requests did; the row says,
        // from now on, that this one may be applied (a kill mid-request leaves it so).
        // `sent_at` is set again just before each request leaves (`mark_leaving`) by
        // connectors that read back first, so a settle time counts from the real send.
        tx.prepare_cached(
            "UPDATE outbox SET sent = 1, maybe_applied = 1, sent_at = ?2 WHERE id = ?1",
        )?
        .execute(params![head.id, now_ms()])?;
        vec![head]
    };
    tx.commit()?;
    Ok(ops)
}

/// An answer after which the queue moves on: the op leaves it (done or conflict).
fn is_final(r: &OpResult) -> bool {
    matches!(r, OpResult::Done { .. } | OpResult::Conflict { .. })
}

/// Stores the pipeline's answered envelope, if any (a committed transaction).
fn store_answered(
    conn: &mut Connection,
    p: Platform,
    answered: &mut Option<(Vec<Op>, Vec<OpResult>)>,
    out: &mut PlatformRun,
    opts: &RunOptions,
    rng: &mut SmallRng,
) -> SyncResult<()> {
    if let Some((ops, results)) = answered.take() {
        let (done, conflicts, retries) = store_results(conn, p, &ops, &results, opts, rng)?;
        out.done += done;
        out.conflicts += conflicts;
        out.retries += retries;
    }
    Ok(())
}

fn store_results(
    conn: &mut Connection,
    p: Platform,
    ops: &[Op],
    results: &[OpResult],
    opts: &RunOptions,
    rng: &mut SmallRng,
) -> SyncResult<(u64, u64, u64)> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // The engine's time: a retry's `not_before` is compared with it.
    let now = opts.clock.now_ms();
    let (mut done, mut conflicts, mut retries) = (0, 0, 0);
    let mut i = 0;
    while i < ops.len() {
        let (op, result) = (&ops[i], &results[i]);
        // A run of ops of one envelope with the same plain "done" answer (the common
        // case: a whole e-Buy envelope of SUCCESS) is stored by one statement over its
        // id range. The envelope's rows are exactly its queued rows carrying its uuid,
        // so the range holds the run's ops and no others; the row count proves it.
        let run = done_run(ops, results, i);
        if run > 1 {
            if let (
                Some(uuid),
                OpResult::Done {
                    code,
                    message,
                    remote: None,
                },
            ) = (&op.envelope_uuid, result)
            {
                let last = ops[i + run - 1].id;
                let n = tx
                    .prepare_cached(
                        "UPDATE outbox SET state = 'done', result_code = ?4, result_message = ?5,
                                remote_ref = NULL, attempts = attempts + 1, updated_at = ?6,
                                done_at = ?6
                          WHERE platform = ?1 AND state = 'queued' AND envelope_uuid = ?2
                            AND id BETWEEN ?3 AND ?7",
                    )?
                    .execute(params![p.id(), uuid, op.id, code, message, now, last])?;
                if n != run {
                    // Not the rows this envelope was made of: store nothing of it.
                    return Err(rusqlite::Error::StatementChangedRows(n).into());
                }
                done += run as u64;
                i += run;
                continue;
            }
        }
        i += 1;
        match result {
            OpResult::Done {
                code,
                message,
                remote,
            } => {
                done += 1;
                tx.prepare_cached(
                    "UPDATE outbox SET state = 'done', result_code = ?2, result_message = ?3,
                            remote_ref = ?4, attempts = attempts + 1, updated_at = ?5, done_at = ?5
                     WHERE id = ?1",
                )?
                .execute(params![
                    op.id,
                    code,
                    message,
                    remote.as_ref().map(|r| &r.remote_id),
                    now
                ])?;
                if let Some(r) = remote {
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO remote_refs (platform, kind, local_id, remote_id)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        p.id(),
                        r.kind,
                        r.local_id,
                        r.remote_id
                    ])?;
                }
            }
            OpResult::Conflict { code, message } => {
                conflicts += 1;
                tx.prepare_cached(
                    "UPDATE outbox SET state = 'conflict', result_code = ?2, result_message = ?3,
                            envelope_uuid = NULL, attempts = attempts + 1, updated_at = ?4
                     WHERE id = ?1",
                )?
                .execute(params![op.id, code, message, now])?;
            }
            OpResult::Wait {
                code,
                message,
                until_ms,
                empty_readback,
            } => {
                // Nothing was sent for this op (or only a read-back): the row keeps its
                // `maybe_applied` and `sent_at` as they were before this call.
                tx.prepare_cached(
                    "UPDATE outbox SET result_code = ?2, result_message = ?3, not_before = ?4,
                            readbacks = readbacks + ?5, maybe_applied = ?6, sent_at = ?7,
                            updated_at = ?8
                     WHERE id = ?1",
                )?
                .execute(params![
                    op.id,
                    code,
                    message,
                    until_ms,
                    *empty_readback as i64,
                    op.maybe_applied,
                    op.sent_at,
                    now
                ])?;
            }
            OpResult::Retry { code, message } => {
                retries += 1;
                let wait = backoff(opts, op.attempts + 1, rng).as_millis() as i64;
                // A fresh envelope next time: the old uuid's answer is stored on the
                // platform and would be replayed.
                tx.prepare_cached(
                    "UPDATE outbox SET result_code = ?2, result_message = ?3, envelope_uuid = NULL,
                            attempts = attempts + 1, not_before = ?4, updated_at = ?5
                     WHERE id = ?1",
                )?
                .execute(params![op.id, code, message, now + wait, now])?;
            }
        }
    }
    settings::note(&tx, p, &Note::Success)?;
    tx.commit()?;
    Ok((done, conflicts, retries))
}

/// How many ops from `start` on belong to one envelope and have the same plain "done"
/// answer (no remote id to record); 1 when the op at `start` stands alone.
fn done_run(ops: &[Op], results: &[OpResult], start: usize) -> usize {
    let same = |a: &OpResult, b: &OpResult| match (a, b) {
        (
            OpResult::Done {
                code: c1,
                message: m1,
                remote: None,
            },
            OpResult::Done {
                code: c2,
                message: m2,
                remote: None,
            },
        ) => c1 == c2 && m1 == m2,
        _ => false,
    };
    let (head, first) = (&ops[start], &results[start]);
    if head.envelope_uuid.is_none() {
        return 1;
    }
    1 + ops[start + 1..]
        .iter()
        .zip(&results[start + 1..])
        .take_while(|(o, r)| o.envelope_uuid == head.envelope_uuid && same(first, r))
        .count()
}

fn store_failure(
    conn: &mut Connection,
    p: Platform,
    ops: &[Op],
    e: &CallError,
    // A request that may apply left during this call (`Refs::mark_leaving`).
    left: bool,
    opts: &RunOptions,
    rng: &mut SmallRng,
) -> SyncResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // The engine's time: the platform's pause is compared with it.
    let now = opts.clock.now_ms();
    let attempts = ops.iter().map(|o| o.attempts).max().unwrap_or(0) + 1;
    let wait = match (e.kind, e.retry_after) {
        (_, Some(secs)) => Duration::from_secs(secs),
        // A refused token will not heal by itself: try again in a minute (staff fix it;
        // saving Settings ends the pause).
        (CallErrorKind::Auth, None) => Duration::from_secs(60),
        // An untrusted certificate or a refused address is fixed outside the queue (a CA
        // file, SSL_CERT_FILE, the OS's store, Settings) and costs the platform nothing:
        // no pause, the next run tries at once (this run stopped at the failure).
        (CallErrorKind::Tls | CallErrorKind::Setup, None) => Duration::ZERO,
        _ => backoff(opts, attempts, rng),
    };
    // Rate limiting is the platform pacing us, not a failure of these ops.
    let counts = if e.kind == CallErrorKind::RateLimited {
        0
    } else {
        1
    };
    // `sent` stays set even when this call certainly did not reach the server: an op
    // may take several requests (000 uploads, then imports), and an earlier one of them
    // may have been applied. Its next try reads back first.
    // `maybe_applied` goes back to what it was before this call when the call certainly
    // changed nothing on the platform (refused connection, 429, 5xx, token refused).
    let may_have_applied = e.may_have_applied() || left;
    let mut st = tx.prepare_cached(
        "UPDATE outbox SET attempts = attempts + ?2, result_code = ?3, result_message = ?4,
                updated_at = ?5,
                maybe_applied = CASE WHEN ?6 THEN 1 ELSE ?7 END,
                sent_at = CASE WHEN ?6 THEN sent_at ELSE ?8 END
          WHERE id = ?1",
    )?;
    for o in ops {
        let kind = format!("{:?}", e.kind).to_lowercase();
        st.execute(params![
            o.id,
            counts,
            kind,
            e.message,
            now,
            may_have_applied,
            o.maybe_applied,
            o.sent_at
        ])?;
    }
    drop(st);
    settings::note(
        &tx,
        p,
        &Note::Failure {
            kind: e.kind,
            message: e.message.clone(),
            pause_until: now + wait.as_millis() as i64,
        },
    )?;
    tx.commit()?;
    Ok(())
}

fn pull(
    conn: &mut Connection,
    p: Platform,
    c: &mut dyn Connector,
    http: &mut Http,
) -> SyncResult<()> {
    // No transaction around the pull: it talks to the platform for as long as its lists
    // take, and a write lock held that long would stall the counter. Each local change
    // it makes (a bonus used on the platform) is a statement of its own, right on its own.
    match c.pull(http, conn) {
        Ok(summary) => settings::note(conn, p, &Note::Pulled(summary))?,
        Err(e) => settings::note(
            conn,
            p,
            &Note::Failure {
                kind: e.kind,
                message: format!("could not read the platform's lists: {}", e.message),
                pause_until: 0,
            },
        )?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_exponential_ceiling_and_the_cap() {
        let opts = RunOptions::default();
        let mut rng = SmallRng::seed_from_u64(7);
        for attempts in 0..40 {
            let ceiling = (500u64 << attempts.min(30)).min(60_000);
            for _ in 0..50 {
                let d = backoff(&opts, attempts, &mut rng).as_millis() as u64;
                assert!(d <= ceiling, "attempt {attempts}: {d} > {ceiling}");
            }
        }
        // Full jitter spreads retries: not all the same.
        let spread: std::collections::BTreeSet<_> =
            (0..20).map(|_| backoff(&opts, 5, &mut rng)).collect();
        assert!(spread.len() > 10);
    }
}
