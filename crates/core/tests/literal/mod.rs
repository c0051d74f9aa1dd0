//! A fixed-answer HTTP server for tests that hold the connectors to the API documents
//! (shared/specs) rather than to our own simulator: each test writes the platform's
//! answers exactly as its spec shows them, and the server records every request it saw.
//! One thread per connection, so an answer that is slow on purpose (a late apply) does
//! not hold up the client's read-back.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coupondesk_core::domain::PageRequest;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::{OutboxItem, OutboxQuery, Platform, PlatformSettingsInput};
use coupondesk_core::Desk;
use rusqlite::Connection;
use serde_json::Value;

/// One request as the server read it: method, path with its query, JSON body (or Null).
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub body: Value,
}

impl Req {
    /// The path without its query.
    pub fn bare(&self) -> &str {
        self.path.split('?').next().unwrap_or(&self.path)
    }
    /// A query parameter, as sent (not decoded: tests use ASCII values).
    pub fn query(&self, key: &str) -> Option<String> {
        let q = self.path.split_once('?')?.1;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == key).then(|| v.to_owned())
        })
    }
}

/// What the server does with a request: `Some((status, body))` answers, `None` closes
/// the connection without a byte (an answer lost after the platform applied, or not).
pub type Handler = dyn Fn(&Req) -> Option<(u16, Value)> + Send + Sync;

pub struct Literal {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Literal {
    pub fn start(
        handler: impl Fn(&Req) -> Option<(u16, Value)> + Send + Sync + 'static,
    ) -> Literal {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", l.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { continue };
                let (h, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve(s, &*h, &log));
            }
        });
        Literal { url, seen }
    }

    /// Every request so far, as `"METHOD /path?query"`, in arrival order.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many requests had this method and path (without the query).
    pub fn count(&self, method: &str, bare: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| {
                let (m, p) = s.split_once(' ').unwrap_or(("", ""));
                m == method && p.split('?').next() == Some(bare)
            })
            .count()
    }
}

fn serve(s: TcpStream, h: &Handler, log: &Mutex<Vec<String>>) {
    let mut r = BufReader::new(match s.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut line = String::new();
    if r.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; len];
    if r.read_exact(&mut body).is_err() {
        return;
    }
    let req = Req {
        method,
        path,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    if let Ok(mut l) = log.lock() {
        l.push(format!("{} {}", req.method, req.path));
    }
    let Some((status, answer)) = h(&req) else {
        return; // dropped: the connection closes without an answer
    };
    let text = answer.to_string();
    let mut s = s;
    let _ = write!(
        s,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// Runs that sleep through waits, with a short request timeout and the given settle.
pub fn opts(timeout_ms: u64, settle_ms: u64) -> RunOptions {
    RunOptions {
        max_duration: Duration::from_secs(30),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        timeout: Duration::from_millis(timeout_ms),
        settle: Duration::from_millis(settle_ms),
        pull: false,
        ..RunOptions::default()
    }
}

pub fn open(dir: &Path) -> Desk {
    Desk::open(&dir.join("shop.sqlite3")).expect("desk")
}

pub fn db(desk: &Desk) -> Connection {
    Connection::open(desk.db_path()).expect("db")
}

pub fn configure(desk: &Desk, p: Platform, url: &str, upload_path: &str) {
    desk.sync_save_settings(&PlatformSettingsInput {
        platform: p,
        enabled: true,
        base_url: url.to_owned(),
        app_id: String::new(),
        brand_id: String::new(),
        sign_type: String::new(),
        shop_no: String::new(),
        org: String::new(),
        ca_file: String::new(),
        allow_http: false,
        upload_path: upload_path.to_owned(),
        secret: Some("token-literal".into()),
        clear_secret: false,
    })
    .expect("settings");
}

pub fn outbox(desk: &Desk, p: Platform) -> Vec<OutboxItem> {
    let mut items = desk
        .sync_outbox(&OutboxQuery {
            platform: Some(p),
            page: PageRequest {
                page: 1,
                per_page: 100,
            },
            ..OutboxQuery::default()
        })
        .expect("outbox")
        .items;
    items.sort_by_key(|i| i.id);
    items
}

pub fn remote_ref(desk: &Desk, p: Platform, kind: &str, local: &str) -> Option<String> {
    db(desk)
        .query_row(
            "SELECT remote_id FROM remote_refs WHERE platform = ?1 AND kind = ?2 AND local_id = ?3",
            [p.id(), kind, local],
            |r| r.get(0),
        )
        .ok()
}

/// A platform time as 003 writes it: Beijing time, `2019-10-1 3:00` (no padding).
pub fn beijing_minute(ms: i64) -> String {
    let bj = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .with_timezone(&bj)
        .format("%Y-%-m-%-d %-H:%M")
        .to_string()
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A time of day as CouponDesk tells staff (Beijing time, `09:05`).
pub fn beijing_hhmm(ms: i64) -> String {
    let bj = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .with_timezone(&bj)
        .format("%H:%M")
        .to_string()
}
