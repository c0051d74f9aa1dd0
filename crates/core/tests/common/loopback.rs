//! Small loopback servers for the transport tests: a TLS front (rustls, a certificate
//! from a CA made here with rcgen) that forwards each request to a plain HTTP server
//! such as the simulator, and a plain server that records what it got and answers what
//! a closure says (redirects, a proxy). Shared by core's and the CLI's tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// A CA made for one test and two server configs signed by it.
pub struct Pki {
    /// The CA's certificate, PEM: what a shop would give as "CA certificate".
    pub ca_pem: String,
    /// Valid for `localhost`, `127.0.0.1` and `::1`.
    pub good: Arc<ServerConfig>,
    /// Valid only for `wrong.example`.
    pub wrong_name: Arc<ServerConfig>,
}

pub fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "CouponDesk transport test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);
    let server = |names: Vec<String>| {
        let key = KeyPair::generate().expect("leaf key");
        let params = CertificateParams::new(names).expect("leaf params");
        let cert = params.signed_by(&key, &issuer).expect("leaf cert");
        let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let config = ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
        Arc::new(config)
    };
    Pki {
        ca_pem: ca_cert.pem(),
        good: server(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()]),
        wrong_name: server(vec!["wrong.example".into()]),
    }
}

/// Reads one HTTP/1.1 request (head and a Content-Length body); `None` at EOF or error.
fn read_request(s: &mut impl Read) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

/// An HTTPS front on 127.0.0.1: each request is forwarded to `http://127.0.0.1:backend`
/// (one request per connection, `Connection: close`, as the simulator answers).
pub struct Front {
    pub port: u16,
    /// Requests that arrived over a completed handshake.
    pub requests: Arc<Mutex<u64>>,
}

pub fn front(config: Arc<ServerConfig>, backend: u16) -> Front {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind front");
    let port = listener.local_addr().expect("addr").port();
    let requests = Arc::new(Mutex::new(0));
    let counted = requests.clone();
    thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            let counted = counted.clone();
            thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                // A client that refuses our certificate ends here (handshake error).
                let Some(req) = read_request(&mut tls) else {
                    return;
                };
                *counted.lock().expect("count") += 1;
                let Ok(mut up) = TcpStream::connect(("127.0.0.1", backend)) else {
                    return;
                };
                let mut answer = Vec::new();
                if up.write_all(&req).is_ok() && up.read_to_end(&mut answer).is_ok() {
                    let _ = tls.write_all(&answer);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
            });
        }
    });
    Front { port, requests }
}

/// A plain HTTP server on 127.0.0.1 that records each request's head and answers what
/// `answer(head)` returns (a whole HTTP response).
pub struct Recorder {
    pub port: u16,
    pub heads: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("heads").clone()
    }
}

pub fn recorder(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> Recorder {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind recorder");
    let port = listener.local_addr().expect("addr").port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    let answer = Arc::new(answer);
    thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            let seen = seen.clone();
            let answer = answer.clone();
            thread::spawn(move || {
                let Some(req) = read_request(&mut tcp) else {
                    return;
                };
                let head = String::from_utf8_lossy(&req)
                    .split("\r\n\r\n")
                    .next()
                    .unwrap_or("")
                    .to_owned();
                seen.lock().expect("heads").push(head.clone());
                let _ = tcp.write_all(answer(&head).as_bytes());
            });
        }
    });
    Recorder { port, heads }
}

/// A whole HTTP response with a JSON body.
pub fn json_response(status: u16, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A redirect to `location`.
pub fn redirect_response(status: u16, location: &str) -> String {
    format!(
        "HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )
}

/// A port nothing listens on (bound, then freed).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}
