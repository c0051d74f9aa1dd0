//! The CLI's transport contract as scripts use it: `SSL_CERT_FILE` trusts a private CA,
//! a TLS refusal still gives one JSON object and exit 4, the proxy variables are
//! honoured, `sync test` exits 0 or 5 with `{platform, verdict, message}`, `sync config`
//! keeps what it is not given, and `sync queue --json` is `{items, total}`.

#[path = "../../core/tests/common/loopback.rs"]
mod loopback;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use coupondesk_remote_sim::{Sim, SimConfig};
use loopback::{closed_port, front, json_response, pki, recorder};
use serde_json::{json, Value};

/// Variables that change the transport; every run starts without them (the machine's
/// own must not leak into the test) and gets only those given.
const TRANSPORT_ENV: [&str; 9] = [
    "SSL_CERT_FILE",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Runs the CLI with `--json`; (exit status, stdout as JSON or Null, stderr).
fn cli(db: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (i32, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coupondesk"));
    for k in TRANSPORT_ENV {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .envs(env.iter().copied())
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coupondesk");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    let out = child.wait_with_output().expect("wait");
    let code = out.status.code().unwrap_or(-1);
    let body = if out.stdout.is_empty() {
        &out.stderr
    } else {
        &out.stdout
    };
    let v = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    (code, v)
}

#[test]
fn ssl_cert_file_trusts_a_private_ca_and_without_it_the_run_says_why_and_exits_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let pki = pki();
    let tls = front(pki.good.clone(), sim.port());
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).expect("ca");
    let url = format!("https://127.0.0.1:{}/p002", tls.port);
    let (rc, _) = cli(
        &db,
        &[
            "sync",
            "config",
            "--platform",
            "p002",
            "--url",
            &url,
            "--secret-stdin",
        ],
        Some("bonus-token-002\n"),
        &[],
    );
    assert_eq!(rc, 0);
    let (rc, _) = cli(
        &db,
        &["bonus", "create", "--amount", "2", "--quantity", "1"],
        None,
        &[],
    );
    assert_eq!(rc, 0);

    let run = [
        "sync",
        "run",
        "--platform",
        "p002",
        "--max-seconds",
        "10",
        "--timeout",
        "3",
    ];
    let (rc, r) = cli(&db, &run, None, &[]);
    assert_eq!(rc, 4, "{r}");
    let p = &r["platforms"][0];
    assert_eq!(
        (p["platform"].as_str(), p["remaining"].as_u64()),
        (Some("p002"), Some(1))
    );
    let why = p["stopped"].as_str().unwrap_or_default();
    assert!(
        why.starts_with(
            "the platform's certificate is not trusted (invalid peer certificate: UnknownIssuer)"
        ),
        "{why}"
    );
    let (_, q) = cli(&db, &["sync", "queue", "--state", "queued"], None, &[]);
    assert_eq!(q["items"][0]["result_code"].as_str(), Some("tls"));

    let ca_env = ca.to_string_lossy().into_owned();
    let (rc, r) = cli(&db, &run, None, &[("SSL_CERT_FILE", &ca_env)]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(r["platforms"][0]["done"].as_u64(), Some(1));
    assert_eq!(sim.counters().applied_total("p002.create_bonus"), 1);
}

#[test]
fn the_proxy_variables_are_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let proxy = recorder(|_| {
        json_response(
            200,
            r#"{"data":[],"status":{"code":200,"message":"ok"},"success":true}"#,
        )
    });
    let (rc, s) = cli(
        &db,
        &[
            "sync",
            "config",
            "--platform",
            "p002",
            "--url",
            "http://platform.test/p002",
            "--allow-http",
            "--secret-stdin",
        ],
        Some("bonus-token-002\n"),
        &[],
    );
    assert_eq!((rc, s["allow_http"].as_bool()), (0, Some(true)), "{s}");
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let (rc, t) = cli(
        &db,
        &["sync", "test", "--platform", "p002", "--timeout", "3"],
        None,
        &[("HTTP_PROXY", &proxy_url)],
    );
    assert_eq!(rc, 0, "{t}");
    assert_eq!(
        t,
        json!({"platform": "p002", "verdict": "authorised",
               "message": "红包 (002): reachable and authorised (GET /market/bonus?page=1&per_page=1 answered)"})
    );
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1);
    let first = heads[0].lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "GET http://platform.test/p002/market/bonus?page=1&per_page=1 HTTP/1.1"
    );
    assert!(heads[0]
        .to_ascii_lowercase()
        .contains("\r\nauthorization: bearer bonus-token-002"));
    // NO_PROXY names the host: the proxy is not asked (and platform.test resolves nowhere).
    let (rc, t) = cli(
        &db,
        &["sync", "test", "--platform", "p002", "--timeout", "3"],
        None,
        &[("HTTP_PROXY", &proxy_url), ("NO_PROXY", "platform.test")],
    );
    assert_eq!((rc, t["verdict"].as_str()), (5, Some("unreachable")), "{t}");
    assert_eq!(proxy.heads().len(), 1);
}

#[test]
fn sync_test_exits_0_when_authorised_and_5_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let test = ["sync", "test", "--platform", "p000", "--timeout", "3"];
    let (rc, t) = cli(&db, &test, None, &[]);
    assert_eq!(
        (rc, t["verdict"].as_str(), t["platform"].as_str()),
        (5, Some("not_configured"), Some("p000"))
    );
    let url = format!("{}/p000", sim.base_url());
    let config = [
        "sync",
        "config",
        "--platform",
        "p000",
        "--url",
        &url,
        "--secret-stdin",
    ];
    assert_eq!(cli(&db, &config, Some("sense-token-000\n"), &[]).0, 0);
    let (rc, t) = cli(&db, &test, None, &[]);
    assert_eq!(
        t,
        json!({"platform": "p000", "verdict": "authorised",
               "message": "Sense 券码 (000): reachable and authorised (GET /tickets?to_page=1&per_page=1 answered)"})
    );
    assert_eq!(rc, 0);
    let (_, st) = cli(&db, &["sync", "status"], None, &[]);
    assert_eq!(st["platforms"][0]["online"].as_bool(), Some(true));
    assert_eq!(
        st["platforms"][0]["last_test"]["verdict"].as_str(),
        Some("authorised")
    );

    assert_eq!(cli(&db, &config, Some("wrong\n"), &[]).0, 0);
    let (rc, t) = cli(&db, &test, None, &[]);
    assert_eq!(
        (rc, t["verdict"].as_str()),
        (5, Some("token_refused")),
        "{t}"
    );
    let closed = format!("http://127.0.0.1:{}/p000", closed_port());
    let config = ["sync", "config", "--platform", "p000", "--url", &closed];
    assert_eq!(cli(&db, &config, None, &[]).0, 0);
    let (rc, t) = cli(&db, &test, None, &[]);
    assert_eq!((rc, t["verdict"].as_str()), (5, Some("unreachable")), "{t}");
    let (_, st) = cli(&db, &["sync", "status"], None, &[]);
    assert_eq!(st["platforms"][0]["online"].as_bool(), Some(false));
}

#[test]
fn sync_config_keeps_what_it_is_not_given_and_queue_json_is_items_and_total() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let pki = pki();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).expect("ca");
    let ca = ca.to_string_lossy().into_owned();
    let url = "https://sense.example.com/api";
    let (rc, s) = cli(
        &db,
        &[
            "sync",
            "config",
            "--platform",
            "p000",
            "--url",
            url,
            "--ca-file",
            &ca,
            "--upload-path",
            "/ext/batches",
            "--secret-stdin",
        ],
        Some("t0\n"),
        &[],
    );
    assert_eq!(rc, 0, "{s}");
    let kept = |s: &Value| {
        (
            s["ca_file"].as_str().map(str::to_owned),
            s["upload_path"].as_str().map(str::to_owned),
            s["has_secret"].as_bool(),
        )
    };
    let (rc, s) = cli(
        &db,
        &["sync", "config", "--platform", "p000", "--url", url],
        None,
        &[],
    );
    assert_eq!(rc, 0);
    assert_eq!(
        kept(&s),
        (Some(ca.clone()), Some("/ext/batches".into()), Some(true))
    );
    let (rc, s) = cli(
        &db,
        &[
            "sync",
            "config",
            "--platform",
            "p000",
            "--url",
            url,
            "--ca-file",
            "",
        ],
        None,
        &[],
    );
    assert_eq!(rc, 0);
    assert_eq!(
        kept(&s),
        (Some(String::new()), Some("/ext/batches".into()), Some(true))
    );
    // A file that is not a certificate is refused on caFile.
    let (rc, e) = cli(
        &db,
        &[
            "sync",
            "config",
            "--platform",
            "p000",
            "--url",
            url,
            "--ca-file",
            &db.to_string_lossy(),
        ],
        None,
        &[],
    );
    assert_eq!(
        (rc, e["fields"][0]["field"].as_str()),
        (1, Some("caFile")),
        "{e}"
    );
    // Plain HTTP to another machine needs --allow-http.
    let (rc, e) = cli(
        &db,
        &[
            "sync",
            "config",
            "--platform",
            "p000",
            "--url",
            "http://sense.example.com",
        ],
        None,
        &[],
    );
    assert_eq!(
        (rc, e["fields"][0]["field"].as_str()),
        (1, Some("baseUrl")),
        "{e}"
    );

    let (rc, q) = cli(
        &db,
        &["sync", "queue", "--state", "queued", "--per-page", "5"],
        None,
        &[],
    );
    assert_eq!(rc, 0);
    assert_eq!(q, json!({"items": [], "total": 0}));
}
