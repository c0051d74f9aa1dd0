//! `coupondesk serve` as the browser and the UI's tests use it: a real process on
//! loopback, real HTTP, the token, the command table's JSON, and a job's event stream.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

struct Server {
    child: Child,
    url: String,
    token: String,
    agent: ureq::Agent,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &tempfile::TempDir) -> Server {
    start_with(dir, &[])
}

fn start_with(dir: &tempfile::TempDir, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .args(["serve", "--json", "--db"])
        .arg(dir.path().join("serve.sqlite3"))
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the start line");
    let started: Value = serde_json::from_str(&line).expect("one JSON line");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    Server {
        child,
        url: started["url"].as_str().expect("url").to_owned(),
        token: started["token"].as_str().expect("token").to_owned(),
        agent,
    }
}

impl Server {
    /// `POST /api/<command>` with the token; (status, body text).
    fn post(
        &self,
        command: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> (u16, String) {
        let mut r = self
            .agent
            .post(format!("{}/api/{command}", self.url))
            .header("Content-Type", content_type);
        if let Some(t) = token {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = r.send(body).expect("an answer");
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_to_string().expect("body"))
    }

    fn call(&self, command: &str, args: Value) -> (u16, Value) {
        let (status, text) = self.post(
            command,
            Some(&self.token),
            "application/json",
            &args.to_string(),
        );
        (status, serde_json::from_str(&text).expect("JSON answer"))
    }
}

#[test]
fn it_listens_on_loopback_and_needs_its_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start(&dir);
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    assert_eq!(s.token.len(), 64);
    let (status, text) = s.post("app_info", None, "application/json", "{}");
    assert_eq!(status, 401);
    let e: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(e["code"], "unauthorized");
    let (status, _) = s.post("app_info", Some(&"0".repeat(64)), "application/json", "{}");
    assert_eq!(status, 401, "a wrong token is no token");
    // A browser's cross-site "simple" request cannot carry JSON's content type.
    let (status, text) = s.post("app_info", Some(&s.token), "text/plain", "{}");
    assert_eq!(status, 422);
    assert!(text.contains("application/json"), "{text}");
}

#[test]
fn commands_answer_with_the_cores_results_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start(&dir);
    let (status, info) = s.call("app_info", json!({}));
    assert_eq!(status, 200);
    assert!(info["dbPath"]
        .as_str()
        .is_some_and(|p| p.ends_with("serve.sqlite3")));
    let (status, b) = s.call("batch_create", json!({"ticketType": "T1", "name": "春节"}));
    assert_eq!((status, &b["ticketType"]), (200, &json!("T1")));
    let (status, e) = s.call("batch_create", json!({"ticketType": "T2", "name": "春节"}));
    assert_eq!((status, &e["code"]), (422, &json!("batch_name_taken")));
    let (status, e) = s.call("redeem_use", json!({}));
    assert_eq!((status, &e["code"]), (404, &json!("unknown_command")));
    let (status, e) = s.call("batch_get", json!({"ticketType": 5}));
    assert_eq!((status, &e["code"]), (422, &json!("invalid_request")));
}

/// Splits an event stream into (event, data) pairs.
fn events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = String::new();
            let mut data = Value::Null;
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e.to_owned();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(d).expect("data is JSON");
                }
            }
            (event, data)
        })
        .collect()
}

#[test]
fn a_job_streams_its_progress_then_its_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start(&dir);
    let csv = dir.path().join("codes.csv");
    let mut text = String::from("code\n");
    for i in 0..3000 {
        text += &format!("SRV{i:08}\n");
    }
    text += "bad code\n";
    std::fs::write(&csv, text).expect("csv");
    let args = json!({
        "jobId": "import-1",
        "path": csv,
        "target": {"new": {"ticketType": "SRV", "name": "经服务导入"}},
        "options": {"encoding": "auto", "header": "auto", "column": null},
    });
    let mut resp = s
        .agent
        .post(format!("{}/api/codes_import", s.url))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {}", s.token))
        .send(args.to_string())
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 200);
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(ct, "text/event-stream");
    let mut body = String::new();
    resp.body_mut()
        .as_reader()
        .read_to_string(&mut body)
        .expect("stream");
    let got = events(&body);
    let (last, report) = got.last().expect("events");
    assert_eq!(last, "done", "{body}");
    assert_eq!(
        (&report["imported"], &report["skippedInvalid"]),
        (&json!(3000), &json!(1))
    );
    assert!(
        got[..got.len() - 1].iter().all(|(e, _)| e == "progress"),
        "{body}"
    );
    assert!(
        got.len() >= 2,
        "the last progress message always goes out: {body}"
    );
    // Searchable when the job is done (the rule of Desk).
    let (_, page) = s.call(
        "codes_list",
        json!({"query": {"ticketType": "SRV", "status": null, "search": "00002999", "page": {"page": 1, "perPage": 10}}}),
    );
    assert_eq!(page["total"], 1);
    // Over: nothing left to cancel under its id.
    assert_eq!(
        s.call("job_cancel", json!({"jobId": "import-1"})),
        (200, json!(false))
    );
    // A job that fails says so in its stream.
    let mut resp = s
        .agent
        .post(format!("{}/api/codes_export", s.url))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {}", s.token))
        .send(
            json!({"jobId": "e1", "ticketType": "NOPE", "path": dir.path().join("x.csv")})
                .to_string(),
        )
        .expect("answer");
    let body = resp.body_mut().read_to_string().expect("body");
    let got = events(&body);
    assert_eq!(got.len(), 1, "{body}");
    assert_eq!(
        (got[0].0.as_str(), &got[0].1["code"]),
        ("error", &json!("batch_not_found"))
    );
}

fn total(s: &Server, command: &str, args: Value) -> Value {
    let (status, page) = s.call(command, args);
    assert_eq!(status, 200, "{command}: {page}");
    page["total"].clone()
}

fn codes_of(s: &Server, ticket_type: &str) -> Vec<String> {
    let (_, page) = s.call(
        "codes_list",
        json!({"query": {"ticketType": ticket_type, "status": null, "search": null,
                         "page": {"page": 1, "perPage": 100}}}),
    );
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn the_demo_seed_is_the_shop_the_ui_tests_expect_and_the_same_every_time() {
    let (d1, d2) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (a, b) = (
        start_with(&d1, &["--seed-demo", "--demo-sim", "http://127.0.0.1:1"]),
        start_with(&d2, &["--seed-demo"]),
    );
    let page = json!({"page": 1, "perPage": 1});
    assert_eq!(
        total(
            &a,
            "batch_list",
            json!({"query": {"ticketType": null, "name": null, "page": page}})
        ),
        26
    );
    let (_, templates) = a.call(
        "template_list",
        json!({"query": {"kind": null, "beginFrom": null, "endBefore": null, "title": null, "page": page}}),
    );
    assert_eq!(templates["total"], 3, "{templates}");
    // Fixed-seed codes: both databases hold the same, of the shape staff know.
    let codes = codes_of(&a, "AVD1KYBW8001");
    assert_eq!(codes.len(), 64);
    assert_eq!(codes, codes_of(&b, "AVD1KYBW8001"));
    assert!(codes.iter().all(|c| c.len() == 12
        && c.starts_with("AVD")
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())));
    let (_, spring) = a.call("batch_get", json!({"ticketType": "SPRING2026"}));
    assert_eq!(
        (&spring["totalCodes"], &spring["usedCodes"]),
        (&json!(1234), &json!(4))
    );
    let (_, coffee) = a.call("batch_get", json!({"ticketType": "COFFEE_BOGO"}));
    assert_eq!(coffee["totalCodes"], 310);
    let bonuses = |status: &str| {
        total(
            &a,
            "bonus_list",
            json!({"query": {"status": status, "customer": null, "page": page}}),
        )
    };
    assert_eq!(
        [
            bonuses("N01"),
            bonuses("N02"),
            bonuses("N03"),
            bonuses("disabled")
        ],
        [json!(0), json!(1), json!(1), json!(1)]
    );
    let vq = json!({"name": null, "nopkg": false, "customer": null, "valid": null, "page": page});
    assert_eq!(total(&a, "voucher_list", json!({ "query": vq })), 2);
    assert_eq!(
        total(&a, "customer_list", json!({"search": null, "page": page})),
        2
    );
    let (_, status) = a.call("sync_status", json!({}));
    let platforms = status["platforms"].as_array().expect("platforms");
    let configured: Vec<bool> = platforms
        .iter()
        .map(|p| p["configured"].as_bool().expect("bool"))
        .collect();
    assert_eq!(configured, [true, false, true, false, true]);
    assert_eq!(
        platforms[0]["online"], false,
        "Sense was tried at a closed port"
    );
    assert_eq!(platforms[4]["queued"], 3, "three codes queued for e-Buy");
    let (_, settings) = a.call("sync_settings_get", json!({}));
    assert_eq!(settings[4]["baseUrl"], "http://127.0.0.1:1/p004");
    // The staff (the owner set up first, then the others; listed by name), and the lock
    // the seed ends with.
    let (_, staff) = a.call("staff_list", json!({}));
    let staff: Vec<Value> = staff
        .as_array()
        .expect("staff")
        .iter()
        .map(|m| json!([m["name"], m["role"]]))
        .collect();
    assert_eq!(
        staff,
        [
            json!(["小张", "cashier"]),
            json!(["小陈", "cashier"]),
            json!(["李店长", "manager"]),
            json!(["王老板", "owner"]),
        ]
    );
    let (_, session) = a.call("staff_session", json!({}));
    assert_eq!(
        (&session["needsOwner"], &session["staff"], &session["may"]),
        (&json!(false), &Value::Null, &json!([])),
        "the seed ends locked: {session}"
    );
    let (_, redemptions) = a.call("redemption_list", json!({ "page": page }));
    assert_eq!(
        redemptions["items"][0]["operator"], "小张",
        "the counter's work is the cashier's: {redemptions}"
    );
}

#[test]
fn the_demo_seed_refuses_a_database_with_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("serve.sqlite3");
    let made = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--db")
        .arg(&db)
        .args(["batch", "create", "--type", "MINE", "--name", "mine"])
        .output()
        .expect("batch create");
    assert!(made.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--json")
        .arg("--db")
        .arg(&db)
        .args(["serve", "--seed-demo"])
        .output()
        .expect("serve");
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert_eq!(e["code"], "demo_seed_not_empty");
}
