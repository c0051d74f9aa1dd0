//! The hub's connection against a real PostgreSQL cluster with TLS on: sslmode, the
//! deadline (an unanswered call is `Offline` at the deadline, and its connection is never
//! reused), and offline after the server stops.

use std::time::{Duration, Instant};

use coupondesk_core::hub::{tokio_postgres, Hub, HubError, HubUrl};

const LONG: Duration = Duration::from_secs(30);

static TLS: std::sync::Mutex<std::sync::Weak<pgtest::PgCluster>> =
    std::sync::Mutex::new(std::sync::Weak::new());

/// The file's TLS cluster, shared by the tests running at once.
fn cluster() -> std::sync::Arc<pgtest::PgCluster> {
    let mut slot = TLS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = slot.upgrade() {
        return c;
    }
    let c = std::sync::Arc::new(pgtest::PgCluster::start_tls().expect("tls cluster"));
    *slot = std::sync::Arc::downgrade(&c);
    c
}

fn pg(e: tokio_postgres::Error) -> HubError {
    HubError::from_pg(&e)
}

/// Whether the session is encrypted, as the server sees it.
fn ssl_in_use(url: &str) -> Result<bool, HubError> {
    let hub = Hub::open(&HubUrl::parse(url)?, LONG)?;
    hub.call(async |c| {
        Ok(c.query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(pg)?
        .get(0))
    })
}

#[test]
fn each_sslmode_does_what_it_says() {
    let c = cluster();
    let base = c.url("postgres");
    let ca = c.tls().expect("tls").ca_path.display().to_string();
    assert!(!ssl_in_use(&format!("{base}?sslmode=disable")).expect("disable"));
    assert!(ssl_in_use(&base).expect("prefer (the default)"));
    assert!(ssl_in_use(&format!("{base}?sslmode=require")).expect("require"));
    assert!(
        ssl_in_use(&format!("{base}?sslmode=verify-full&sslrootcert={ca}")).expect("verify-full")
    );
    // localhost is also a name the certificate gives.
    let by_name = base.replace("127.0.0.1", "localhost");
    assert!(
        ssl_in_use(&format!("{by_name}?sslmode=verify-full&sslrootcert={ca}")).expect("by name")
    );
}

#[test]
fn verify_full_with_another_ca_is_hub_tls() {
    let c = cluster();
    let dir = tempfile::tempdir().expect("dir");
    let other = dir.path().join("other-ca.pem");
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&other, params.self_signed(&key).expect("ca").pem()).expect("write");
    let url = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        c.url("postgres"),
        other.display()
    );
    let err = ssl_in_use(&url).expect_err("untrusted server");
    assert!(
        matches!(&err, HubError::Tls(m) if m.contains("UnknownIssuer")),
        "{err:?}"
    );
    assert_eq!(coupondesk_core::ErrorCode::code(&err), "hub_tls");
    // An unreadable CA file is hub_tls too, before any connection.
    let missing = format!(
        "{}?sslmode=verify-full&sslrootcert=/nonexistent.pem",
        c.url("postgres")
    );
    let err = Hub::open(&HubUrl::parse(&missing).expect("url"), LONG).err();
    assert!(matches!(err, Some(HubError::Tls(_))), "{err:?}");
}

#[test]
fn a_call_past_its_deadline_is_offline_and_its_connection_is_not_reused() {
    let c = cluster();
    let hub = Hub::open(&HubUrl::parse(&c.url("postgres")).expect("url"), LONG).expect("open");
    let pid = |hub: &Hub| -> i32 {
        hub.call(async |c| {
            Ok(c.query_one("SELECT pg_backend_pid()", &[])
                .await
                .map_err(pg)?
                .get(0))
        })
        .expect("pid")
    };
    let first = pid(&hub);
    assert_eq!(pid(&hub), first, "the pool reuses a connection");
    let started = Instant::now();
    let slow = hub.call_within(Duration::from_millis(300), async |c| {
        c.batch_execute("SELECT pg_sleep(3)").await.map_err(pg)
    });
    let took = started.elapsed();
    assert!(matches!(slow, Err(HubError::Offline(_))), "{slow:?}");
    assert!(took < Duration::from_millis(800), "answered after {took:?}");
    assert_ne!(
        pid(&hub),
        first,
        "the cut connection came back from the pool"
    );
}

#[test]
fn a_server_that_never_answers_is_offline_at_the_deadline() {
    // Accepts TCP connections and says nothing: the worst case of a half-dead network.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let url = HubUrl::parse(&format!("postgres://postgres@127.0.0.1:{port}/x")).expect("url");
    let hub = Hub::open(&url, Duration::from_millis(1000)).expect("open");
    let started = Instant::now();
    let r = hub.call(async |c| c.batch_execute("SELECT 1").await.map_err(pg));
    let took = started.elapsed();
    assert!(matches!(r, Err(HubError::Offline(_))), "{r:?}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(1500),
        "answered after {took:?}"
    );
    drop(silent);
}

#[test]
fn a_stopped_server_is_offline_within_the_deadline() {
    let mut own = pgtest::PgCluster::start().expect("cluster");
    let url = HubUrl::parse(&own.url("postgres")).expect("url");
    let hub = Hub::open(&url, Duration::from_millis(1000)).expect("open");
    hub.call(async |c| c.batch_execute("SELECT 1").await.map_err(pg))
        .expect("up");
    own.stop().expect("stop");
    let started = Instant::now();
    let r = hub.call(async |c| c.batch_execute("SELECT 1").await.map_err(pg));
    assert!(matches!(r, Err(HubError::Offline(_))), "{r:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    own.restart().expect("restart");
    hub.call(async |c| c.batch_execute("SELECT 1").await.map_err(pg))
        .expect("back online");
}
