//! CouponDesk's remote-platform simulator: one loopback HTTP (or, with `SimConfig.tls`,
//! HTTPS) server that serves the five platforms of shared/specs under path prefixes (`/p000`
//! .. `/p004` followed by each spec's own path), with its own state, fault switches and
//! counters of applied and repeated changes; `SimConfig.spec_literal` makes it serve only
//! what the documents say.
//! See docs/remote-apis.md for the endpoints, the readings of the specs' gaps, the fault
//! switches and the control API under `/__sim/`.
//!
//! ```no_run
//! use coupondesk_remote_sim::{Faults, Sim, SimConfig};
//! let sim = Sim::start(SimConfig::default()).unwrap();
//! let url = format!("{}/p000/tickets", sim.base_url());
//! sim.set_faults(Faults { error_rate: 0.2, ..Faults::default() });
//! let counters = sim.counters();
//! assert!(counters.max_applied() <= 1, "something was applied twice");
//! # let _ = url;
//! ```

mod conn;
mod control;
mod counters;
mod http;
mod p000;
mod p001;
mod p002;
mod p003;
mod p004;
mod tls;
mod util;

/// The wire types the simulator speaks (re-exported for tests and connectors).
pub use coupondesk_wire as wire;

pub use counters::Counters;

use http::{Req, Resp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Why a control action (console upload, marking a voucher used) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("bad input: {0}")]
    BadInput(String),
    #[error("batch {0} already exists with other codes")]
    BatchConflict(String),
    #[error("no voucher with id {0}")]
    NoSuchVoucher(i64),
    #[error("voucher {0} is already used")]
    VoucherAlreadyUsed(i64),
}

/// The five platforms (the workspace's one enum); each lives under its `prefix()`.
pub use coupondesk_wire::Platform;

/// The platform whose path prefix (without the slash) is `seg`.
fn platform_at(seg: &str) -> Option<Platform> {
    Platform::ALL.into_iter().find(|p| &p.prefix()[1..] == seg)
}

/// Start-up settings: port, seed, the valid credentials and the initial faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimConfig {
    /// 0 picks a free port. The server always binds 127.0.0.1.
    pub port: u16,
    /// Seed of the RNG behind every fault roll and generated code.
    pub seed: u64,
    /// 000: the valid `X-Le-Sense-AT` access token.
    pub sense_token: String,
    /// 001: the valid bearer token.
    pub wxcard_token: String,
    /// 002: the valid bearer token.
    pub bonus_token: String,
    /// 003: the valid bearer token.
    pub voucher_token: String,
    /// 003: the user name the voucher token logs in as (Coupon.customer).
    pub voucher_customer: String,
    /// 004: the app id whose requests are accepted.
    pub ebuy_app_id: String,
    /// 004: the app's signing secret.
    pub ebuy_secret: String,
    /// Faults in force from the start (and after a reset).
    pub faults: Faults,
    /// Serve HTTPS: a CA is made at start and a server certificate signed by it for
    /// `localhost`, `127.0.0.1` and `::1`; clients trust `SimHandle::ca_pem()`.
    pub tls: bool,
    /// With `tls`: the server certificate names only `wrong.example`, so a client that
    /// checks names must refuse it (a name-mismatch test).
    pub tls_wrong_name: bool,
    /// Behave like a server that implements only the five documents: only documented paths
    /// (no 000 `/ext/batches`; batches arrive by `sense_console_upload`), answers shaped
    /// exactly like the documents' examples (no `id` on 003 Coupons, ...). See
    /// docs/remote-apis.md, "Spec-literal mode".
    pub spec_literal: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            seed: 42,
            sense_token: "sense-token-000".into(),
            wxcard_token: "wxcard-token-001".into(),
            bonus_token: "bonus-token-002".into(),
            voucher_token: "voucher-token-003".into(),
            voucher_customer: "13800000000".into(),
            ebuy_app_id: "ebuy-app-004".into(),
            ebuy_secret: "ebuy-secret-004".into(),
            faults: Faults::default(),
            tls: false,
            tls_wrong_name: false,
            spec_literal: false,
        }
    }
}

/// Fault switches; all off by default. Rates are fractions in 0..=1, rolled per request
/// with the seeded RNG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Fixed delay before every answer.
    pub latency_ms: u64,
    /// Extra random delay, uniform in 0..=latency_jitter_ms.
    pub latency_jitter_ms: u64,
    /// Fraction of requests answered 500 or 503 without applying anything.
    pub error_rate: f64,
    /// Fraction of requests that are applied and then get no answer: the connection is
    /// closed without a byte.
    pub drop_after_apply_rate: f64,
    /// Fraction of requests that sleep `timeout_ms` before going on.
    pub timeout_rate: f64,
    /// How long a timed-out request sleeps (make it longer than the client's timeout).
    pub timeout_ms: u64,
    /// After the sleep: true = apply and answer normally (the client has usually given
    /// up, so the change is applied but unseen), false = answer 504 without applying.
    pub timeout_applies: bool,
    /// Fraction of requests applied late: the request is held, the change is applied
    /// `late_apply_ms` after arrival whether or not the client still listens (its timeout
    /// has usually fired), then answered if the connection is still open. Counted in
    /// `injected` as `late_apply`. The explicit form of `timeout_rate` + `timeout_applies`.
    pub late_apply_rate: f64,
    /// How long after arrival a late apply happens (make it longer than the client's
    /// timeout).
    pub late_apply_ms: u64,
    /// Requests per second accepted per platform; beyond that 000 answers `ret 4`
    /// (HTTP 200) and the others HTTP 429, all with a `Retry-After` header in seconds.
    pub rate_limit_per_sec: Option<u32>,
    /// `Retry-After` value; `None` = seconds until the window has room (at least 1).
    pub retry_after_secs: Option<u64>,
    /// Every token is treated as expired: 000 `ret 2`, 001/002/003 HTTP 401, 004
    /// `errorCode` `AUTH_EXPIRED`.
    pub expired_token: bool,
    /// 004: codes reported as already used on another channel (final per-code failure).
    pub used_elsewhere_codes: BTreeSet<String>,
    /// 004: fraction of not-yet-used codes reported as used elsewhere.
    pub used_elsewhere_rate: f64,
    /// The platforms these faults hit; empty = all.
    pub platforms: Vec<Platform>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            latency_jitter_ms: 0,
            error_rate: 0.0,
            drop_after_apply_rate: 0.0,
            timeout_rate: 0.0,
            timeout_ms: 5_000,
            timeout_applies: true,
            late_apply_rate: 0.0,
            late_apply_ms: 5_000,
            rate_limit_per_sec: None,
            retry_after_secs: None,
            expired_token: false,
            used_elsewhere_codes: BTreeSet::new(),
            used_elsewhere_rate: 0.0,
            platforms: Vec::new(),
        }
    }
}

impl Faults {
    pub(crate) fn hits(&self, p: Platform) -> bool {
        self.platforms.is_empty() || self.platforms.contains(&p)
    }
}

/// Mutable server state behind one lock.
pub(crate) struct Inner {
    /// `SimConfig.spec_literal`, copied here because the handlers see only `Inner`.
    pub literal: bool,
    pub faults: Faults,
    pub rng: StdRng,
    pub counters: Counters,
    windows: BTreeMap<Platform, VecDeque<Instant>>,
    pub s000: p000::State,
    pub s001: p001::State,
    pub s002: p002::State,
    pub s003: p003::State,
    pub s004: p004::State,
}

impl Inner {
    fn new(cfg: &SimConfig) -> Inner {
        Inner {
            literal: cfg.spec_literal,
            faults: cfg.faults.clone(),
            rng: StdRng::seed_from_u64(cfg.seed),
            counters: Counters::default(),
            windows: BTreeMap::new(),
            s000: Default::default(),
            s001: Default::default(),
            s002: Default::default(),
            s003: Default::default(),
            s004: Default::default(),
        }
    }
    /// Records one application of `op` for `key`.
    pub fn applied(&mut self, op: &str, key: &str) {
        *self
            .counters
            .applied
            .entry(op.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += 1;
    }
    /// Records one attempt of `op` for `key` that changed nothing because it already had.
    pub fn repeat(&mut self, op: &str, key: &str) {
        *self
            .counters
            .repeats
            .entry(op.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += 1;
    }
    pub fn injected(&mut self, kind: &str) {
        *self.counters.injected.entry(kind.into()).or_default() += 1;
    }
    fn state_json(&self) -> serde_json::Value {
        serde_json::json!({
            "p000": self.s000, "p001": self.s001, "p002": self.s002,
            "p003": self.s003, "p004": self.s004,
        })
    }
}

struct Shared {
    cfg: SimConfig,
    inner: Mutex<Inner>,
    /// Present when serving HTTPS.
    tls: Option<tls::Tls>,
    /// Platform requests read and not yet answered (or dropped): the chaos test samples it
    /// just before a kill -9 to know whether the kill landed mid-request.
    in_flight: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn counters(&self) -> Counters {
        let mut c = self.lock().counters.clone();
        c.in_flight = self.in_flight.load(Ordering::SeqCst);
        c
    }
}

/// Why a request got a platform error before reaching its handler.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fail {
    RateLimited(u64),
    /// 500, 503 or 504.
    Injected(u16),
    BadToken,
    Expired,
    NotFound,
}

/// A matched endpoint.
pub(crate) struct Matched {
    pub platform: Platform,
    /// For counters: `"METHOD /pNNN/path/<param>"`.
    pub pattern: String,
    pub action: Action,
    pub param: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    S000(p000::Op),
    W001(p001::Op),
    B002(p002::Op),
    V003(p003::Op),
    E004(p004::Op),
}

fn route(req: &Req, literal: bool) -> Option<Matched> {
    let rest = req.path.strip_prefix('/')?;
    let (seg, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let platform = platform_at(seg)?;
    let tail = format!("/{tail}");
    let m = req.method.as_str();
    let (pat, action, param) = match platform {
        Platform::Sense => {
            let (p, op) = p000::route(m, &tail, literal)?;
            (p.to_string(), Action::S000(op), None)
        }
        Platform::WxCard => {
            let (p, op, param) = p001::route(m, &tail)?;
            (p, Action::W001(op), param)
        }
        Platform::Bonus => {
            let (p, op, param) = p002::route(m, &tail)?;
            (p.to_string(), Action::B002(op), param)
        }
        Platform::Voucher => {
            let (p, op, param) = p003::route(m, &tail)?;
            (p.to_string(), Action::V003(op), param)
        }
        Platform::Ebuy => {
            let (p, op) = p004::route(m, &tail)?;
            (p.to_string(), Action::E004(op), None)
        }
    };
    Some(Matched {
        platform,
        pattern: format!("{m} {}{pat}", platform.prefix()),
        action,
        param,
    })
}

fn platform_of(req: &Req) -> Option<Platform> {
    let rest = req.path.strip_prefix('/')?;
    platform_at(rest.split('/').next()?)
}

fn fail(cfg: &SimConfig, platform: Platform, req: &Req, f: Fail) -> Resp {
    let resp = match platform {
        Platform::Sense => p000::fail(f),
        Platform::WxCard => p001::fail(f),
        Platform::Bonus => p002::fail(f),
        Platform::Voucher => p003::fail(f),
        Platform::Ebuy => p004::fail(cfg, req, f),
    };
    match f {
        Fail::RateLimited(secs) => resp.with_header("Retry-After", secs.to_string()),
        _ => resp,
    }
}

/// What to do with a connection.
enum Outcome {
    Answer(Resp),
    Drop,
}

fn handle(shared: &Shared, req: &Req) -> Outcome {
    if let Some(ctl) = req.path.strip_prefix("/__sim/") {
        return Outcome::Answer(control::control(shared, req, ctl));
    }
    let cfg = &shared.cfg;
    let Some(m) = route(req, cfg.spec_literal) else {
        return Outcome::Answer(match platform_of(req) {
            Some(p) => fail(cfg, p, req, Fail::NotFound),
            None => Resp::json(404, &serde_json::json!({"error": "no such path"})),
        });
    };
    let p = m.platform;
    let arrival = Instant::now();
    // Arrival: count, roll the dice, check the rate window.
    let (delay, error, timeout, late, drop, limited, faults) = {
        let mut inner = shared.lock();
        *inner
            .counters
            .requests
            .entry(m.pattern.clone())
            .or_default() += 1;
        let f = inner.faults.clone();
        let on = f.hits(p);
        let jitter = if on && f.latency_jitter_ms > 0 {
            inner.rng.random_range(0..=f.latency_jitter_ms)
        } else {
            0
        };
        let roll =
            |inner: &mut Inner, rate: f64| on && rate > 0.0 && inner.rng.random::<f64>() < rate;
        let error = roll(&mut inner, f.error_rate);
        let timeout = roll(&mut inner, f.timeout_rate);
        let late = roll(&mut inner, f.late_apply_rate);
        let drop = roll(&mut inner, f.drop_after_apply_rate);
        let mut limited = None;
        if let (true, Some(n)) = (on, f.rate_limit_per_sec) {
            let now = Instant::now();
            let w = inner.windows.entry(p).or_default();
            while w
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                w.pop_front();
            }
            if w.len() >= n as usize {
                let wait = w
                    .front()
                    .map(|t| Duration::from_secs(1).saturating_sub(now.duration_since(*t)))
                    .unwrap_or_default();
                limited = Some(
                    f.retry_after_secs
                        .unwrap_or(wait.as_secs_f64().ceil().max(1.0) as u64),
                );
            } else {
                w.push_back(now);
            }
        }
        let delay = if on { f.latency_ms + jitter } else { 0 };
        (delay, error, timeout, late, drop, limited, f)
    };
    if delay > 0 {
        thread::sleep(Duration::from_millis(delay));
    }
    if let Some(secs) = limited {
        shared.lock().injected("rate_limited");
        return Outcome::Answer(fail(cfg, p, req, Fail::RateLimited(secs)));
    }
    let expired = faults.expired_token && faults.hits(p);
    if let Some(resp) = authorize(cfg, p, req, expired) {
        if expired {
            shared.lock().injected("expired_token");
        }
        return Outcome::Answer(resp);
    }
    if error {
        let status = {
            let mut inner = shared.lock();
            inner.injected("error");
            if inner.rng.random::<bool>() {
                500
            } else {
                503
            }
        };
        return Outcome::Answer(fail(cfg, p, req, Fail::Injected(status)));
    }
    if timeout {
        shared.lock().injected("timeout");
        thread::sleep(Duration::from_millis(faults.timeout_ms));
        if !faults.timeout_applies {
            return Outcome::Answer(fail(cfg, p, req, Fail::Injected(504)));
        }
    }
    if late {
        // applied at arrival + late_apply_ms even if the client has gone: the thread keeps
        // the request, not the client
        shared.lock().injected("late_apply");
        let due = arrival + Duration::from_millis(faults.late_apply_ms);
        thread::sleep(due.saturating_duration_since(Instant::now()));
    }
    let resp = {
        let mut inner = shared.lock();
        let resp = apply(&mut inner, cfg, &m, req);
        if drop {
            inner.injected("dropped");
        }
        resp
    };
    if drop {
        Outcome::Drop
    } else {
        Outcome::Answer(resp)
    }
}

fn authorize(cfg: &SimConfig, p: Platform, req: &Req, expired: bool) -> Option<Resp> {
    let want = match p {
        Platform::Sense => {
            let ok =
                req.header(coupondesk_wire::sense::AUTH_HEADER) == Some(cfg.sense_token.as_str());
            return match (ok, expired) {
                (true, false) => None,
                (_, true) => Some(fail(cfg, p, req, Fail::Expired)),
                (false, false) => Some(fail(cfg, p, req, Fail::BadToken)),
            };
        }
        Platform::WxCard => &cfg.wxcard_token,
        Platform::Bonus => &cfg.bonus_token,
        Platform::Voucher => &cfg.voucher_token,
        Platform::Ebuy => return p004::authorize(cfg, req, expired),
    };
    if expired {
        Some(fail(cfg, p, req, Fail::Expired))
    } else if req.bearer() != Some(want.as_str()) {
        Some(fail(cfg, p, req, Fail::BadToken))
    } else {
        None
    }
}

fn apply(inner: &mut Inner, cfg: &SimConfig, m: &Matched, req: &Req) -> Resp {
    match m.action {
        Action::S000(op) => p000::handle(inner, op, req),
        Action::W001(op) => p001::handle(inner, cfg, op, m.param.as_deref(), req),
        Action::B002(op) => p002::handle(inner, op, m.param.as_deref(), req),
        Action::V003(op) => p003::handle(inner, cfg, op, m.param.as_deref(), req),
        Action::E004(op) => p004::handle(inner, cfg, op, req),
    }
}

/// The simulator.
pub struct Sim;

impl Sim {
    /// Binds 127.0.0.1 on `config.port` (0 = a free port) and serves until the handle is
    /// dropped or stopped.
    pub fn start(config: SimConfig) -> io::Result<SimHandle> {
        let tls = if config.tls {
            Some(tls::make(config.tls_wrong_name)?)
        } else {
            None
        };
        let listener = TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::new(&config)),
            cfg: config,
            tls,
            in_flight: AtomicU64::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("remote-sim-accept".into())
                .spawn(move || conn::accept_loop(listener, shared, stop))?
        };
        Ok(SimHandle {
            shared,
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

/// A running simulator; stops when dropped.
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` when TLS is on.
    pub fn base_url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }
    /// The PEM of the CA that signed the server certificate (TLS on), else `None`.
    pub fn ca_pem(&self) -> Option<String> {
        self.shared.tls.as_ref().map(|t| t.ca_pem.clone())
    }
    /// Platform requests being handled right now (read, not yet answered or dropped).
    pub fn in_flight_now(&self) -> u64 {
        self.shared.in_flight.load(Ordering::SeqCst)
    }
    /// `http(s)://127.0.0.1:PORT/p00N`: the base URL a connector for `platform` uses.
    pub fn platform_url(&self, platform: Platform) -> String {
        format!("{}{}", self.base_url(), platform.prefix())
    }
    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    /// The configuration it runs with (tokens, e-Buy app id and secret).
    pub fn config(&self) -> &SimConfig {
        &self.shared.cfg
    }
    /// Replaces the fault switches.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = faults;
    }
    /// The fault switches in force.
    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.clone()
    }
    /// A snapshot of the counters (with the in-flight gauge at that moment).
    pub fn counters(&self) -> Counters {
        self.shared.counters()
    }
    /// 000: the codes behind `batch_no` reach the platform the way staff upload a file in
    /// its console (the only way in spec-literal mode; also `POST /__sim/p000/batches`).
    pub fn sense_console_upload(&self, batch_no: &str, codes: Vec<String>) -> Result<(), SimError> {
        p000::store_batch(&mut self.shared.lock(), batch_no, codes)
    }
    /// 003: marks the voucher with the sim's internal id `id` (1, 2, 3, ... in buy order) used,
    /// as a shop redeeming it would (also `POST /__sim/p003/use {"id": N}`).
    pub fn voucher_mark_used(&self, id: i64) -> Result<(), SimError> {
        p003::mark_used(&mut self.shared.lock(), id)
    }
    /// The platforms' state as JSON (what `GET /__sim/state` answers).
    pub fn state(&self) -> serde_json::Value {
        self.shared.lock().state_json()
    }
    /// Empties every platform's state and the counters, re-seeds the RNG and puts the
    /// configured faults back.
    pub fn reset(&self) {
        *self.shared.lock() = Inner::new(&self.shared.cfg);
    }
    /// Human-readable lines: URLs and credentials of every platform.
    pub fn describe(&self) -> String {
        let c = &self.shared.cfg;
        let b = self.base_url();
        let literal = if c.spec_literal {
            "\nspec-literal mode: documented paths only; 000 batches arrive by POST /__sim/p000/batches (the console)"
        } else {
            ""
        };
        let tls = match (&self.shared.tls, c.tls_wrong_name) {
            (None, _) => String::new(),
            (Some(_), false) => "\nTLS on: certificate for localhost, 127.0.0.1 and ::1, signed by the sim's own CA (trust it: --ca-out FILE)".into(),
            (Some(_), true) => format!("\nTLS on: certificate for {} only (a name-mismatch test)", tls::WRONG_NAME),
        };
        format!(
            "remote-sim listening on {b} (seed {seed})\n\
             p000 Sense ticket API  {b}/p000  header X-Le-Sense-AT: {t0}\n\
             p001 WeChat-card proxy {b}/p001  Authorization: Bearer {t1}\n\
             p002 bonus (红包)       {b}/p002  Authorization: Bearer {t2}\n\
             p003 exchange voucher  {b}/p003  Authorization: Bearer {t3} (customer {cust})\n\
             p004 e-Buy e-coupon    {b}/p004  appId {app}, secret {secret}, signType HMAC-SHA256\n\
             control API            {b}/__sim/ (GET counters, GET/POST faults, POST reset, GET state, GET config, GET inflight, POST p000/batches, POST p003/use){literal}{tls}",
            seed = c.seed,
            t0 = c.sense_token,
            t1 = c.wxcard_token,
            t2 = c.bonus_token,
            t3 = c.voucher_token,
            cust = c.voucher_customer,
            app = c.ebuy_app_id,
            secret = c.ebuy_secret,
        )
    }
    /// Stops the server (same as dropping the handle).
    pub fn stop(self) {}
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
