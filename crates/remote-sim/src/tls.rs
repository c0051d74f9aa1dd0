//! HTTPS for the simulator: a private CA made at start (rcgen) and a server certificate
//! signed by it, served with rustls. Clients trust the CA's PEM (`SimHandle::ca_pem`), the
//! way a shop would trust a platform's private CA file.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use std::io;
use std::sync::Arc;

/// The names the server certificate is valid for in normal mode.
pub(crate) const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// The only name of the certificate when `SimConfig.tls_wrong_name` is on.
pub(crate) const WRONG_NAME: &str = "wrong.example";

/// What a TLS-serving simulator holds: the rustls config and the CA clients must trust.
pub(crate) struct Tls {
    pub config: Arc<ServerConfig>,
    pub ca_pem: String,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Makes a fresh CA and a server certificate for `localhost`, `127.0.0.1` and `::1` (or only
/// `wrong.example` when `wrong_name`), and the rustls config that serves it.
pub(crate) fn make(wrong_name: bool) -> io::Result<Tls> {
    let ca_key = KeyPair::generate().map_err(other)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "CouponDesk remote-sim test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(other)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let names: Vec<String> = if wrong_name {
        vec![WRONG_NAME.to_string()]
    } else {
        SERVER_NAMES.iter().map(|s| s.to_string()).collect()
    };
    let leaf_key = KeyPair::generate().map_err(other)?;
    let mut leaf_params = CertificateParams::new(names).map_err(other)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "remote-sim");
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(other)?;

    let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    // ring, not aws-lc-rs, keeps the build light on the project's 2-core machines; the
    // missing post-quantum key exchange does not matter for a loopback test server.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(other)?;
    Ok(Tls {
        config: Arc::new(config),
        ca_pem: ca_cert.pem(),
    })
}
