//! The connection to the hub: tokio-postgres, pooled by deadpool-postgres, TLS by rustls
//! (the `ring` provider, as the rest of the core). docs/chain-mode.md says why this
//! client.
//!
//! A `Hub` owns a small tokio runtime (one worker thread, which runs the connections'
//! tasks) and offers blocking calls, each with a deadline. What must stay true:
//! - a call that misses its deadline returns `HubError::Offline` at the deadline, and
//!   the connection it was using is taken out of the pool and closed, never reused (its
//!   state is unknown: a statement may still be running, a transaction half done);
//! - no call waits longer than its deadline, connecting included;
//! - the password is only in memory (the pool's config), never printed.
//!
//! Blocking calls must not be made from inside another tokio runtime (front ends call
//! the core from blocking threads).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::url::{HubUrl, SslMode};
use super::HubError;

/// The default deadline of a hub call (a local setting, `hub_link.deadline_ms`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(1000);
/// Connections per desk: the counter's claim, a pull and a status check at once.
const POOL_SIZE: usize = 4;

pub use tokio_postgres::Client;

pub struct Hub {
    rt: tokio::runtime::Runtime,
    pool: Pool,
    url: HubUrl,
    deadline: Duration,
}

impl Hub {
    /// A pool for `url` (its own password, if it has one). Nothing is connected yet: the
    /// first call connects, within its deadline.
    pub fn open(url: &HubUrl, deadline: Duration) -> Result<Hub, HubError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("coupondesk-hub")
            .enable_all()
            .build()
            .map_err(|e| HubError::Failed(format!("cannot start the hub's runtime: {e}")))?;
        let mut config = url.config.clone();
        config.connect_timeout(deadline);
        let tls = MakeRustlsConnect::new(tls_config(url)?);
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| HubError::Failed(e.to_string()))?;
        Ok(Hub {
            rt,
            pool,
            url: url.clone(),
            deadline,
        })
    }

    pub fn url(&self) -> &HubUrl {
        &self.url
    }

    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Runs `f` on a pooled connection with the hub's own deadline.
    pub fn call<T>(
        &self,
        f: impl AsyncFnOnce(&mut Client) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        self.call_within(self.deadline, f)
    }

    /// Runs `f` on a pooled connection; `HubError::Offline` when getting the connection
    /// and `f` together take longer than `deadline` (the connection is then discarded).
    pub fn call_within<T>(
        &self,
        deadline: Duration,
        f: impl AsyncFnOnce(&mut Client) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        let pool = &self.pool;
        let work = async move {
            let obj = pool.get().await.map_err(pool_error)?;
            let mut held = Held(Some(obj));
            let out = match held.0.as_mut() {
                Some(obj) => f(obj).await,
                None => Err(HubError::Failed("no connection".into())),
            };
            // Finished in time: the connection goes back to the pool (a failed one is
            // dropped by deadpool's recycle check, `is_closed`).
            held.release();
            out
        };
        self.rt.block_on(async move {
            match tokio::time::timeout(deadline, work).await {
                Ok(r) => r,
                Err(_) => Err(HubError::Offline(format!(
                    "no answer within {} ms",
                    deadline.as_millis()
                ))),
            }
        })
    }
}

impl Hub {
    /// Runs `call` again when it failed fast as offline: a pooled connection the network
    /// dropped (an outage, a restarted server) is found dead only when it is used, and
    /// fails at once, not at the deadline. Each failure discards its connection, so after
    /// at most one try per pooled connection a fresh one is made. A call that waited its
    /// deadline out is not repeated (the hub is not answering: the caller decides).
    ///
    /// Only for calls that are safe to repeat: every hub function is (claims and
    /// releases are named by their claim id, disables and relays are idempotent, reads
    /// change nothing).
    pub fn again_if_dropped<T>(
        &self,
        call: impl Fn() -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        let fast = self.deadline / 4;
        let mut tries = 0;
        loop {
            let started = std::time::Instant::now();
            match call() {
                Err(HubError::Offline(_)) if started.elapsed() < fast && tries < POOL_SIZE => {
                    tries += 1;
                }
                other => return other,
            }
        }
    }
}

/// A pooled connection that is taken out of the pool, and closed, when dropped before
/// `release`: that is, when the deadline cut its call short.
struct Held(Option<Object>);

impl Held {
    fn release(&mut self) {
        drop(self.0.take());
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(obj) = self.0.take() {
            // Object::take detaches it from the pool; dropping the client ends its
            // connection task.
            drop(Object::take(obj));
        }
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> HubError {
    use deadpool_postgres::PoolError;
    match e {
        PoolError::Backend(e) => HubError::from_pg(&e),
        PoolError::Timeout(_) => HubError::Offline("no connection in time".into()),
        other => HubError::Failed(other.to_string()),
    }
}

/// rustls's client config for the URL's sslmode: verify-full checks the chain (to
/// `sslrootcert`'s CA, else the OS's roots) and the name; prefer and require encrypt
/// without checking, as libpq does.
pub(super) fn tls_config(url: &HubUrl) -> Result<rustls::ClientConfig, HubError> {
    // ring, as the rest of the core (reqwest's rustls). rustls 0.23.48 deprecates this
    // function for lacking post-quantum key exchange, which only aws-lc-rs (a C and
    // assembly build) offers: not worth a second crypto library for the hub.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Tls(e.to_string()))?;
    let config = match url.ssl {
        SslMode::VerifyFull => {
            let roots = roots(url.root_cert.as_deref())?;
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        SslMode::Disable | SslMode::Prefer | SslMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth(),
    };
    Ok(config)
}

fn roots(ca_file: Option<&str>) -> Result<rustls::RootCertStore, HubError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| HubError::Tls(format!("cannot read sslrootcert {path}: {e}")))?;
            for c in certs {
                let c =
                    c.map_err(|e| HubError::Tls(format!("sslrootcert {path} is not PEM: {e}")))?;
                roots
                    .add(c)
                    .map_err(|e| HubError::Tls(format!("sslrootcert {path}: {e}")))?;
            }
        }
        None => {
            // The OS's roots, as reqwest has them (rustls-native-certs); a certificate
            // that cannot be read is skipped, as there.
            for c in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(c);
            }
        }
    }
    if roots.is_empty() {
        return Err(HubError::Tls(
            "no trusted root certificate found for sslmode=verify-full; give sslrootcert=PATH"
                .into(),
        ));
    }
    Ok(roots)
}

/// prefer/require: the certificate is not checked (libpq's meaning of these modes), but
/// the handshake's signatures still are, so the channel is really encrypted to whoever
/// holds the key.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
