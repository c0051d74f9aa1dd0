//! Throwaway PostgreSQL clusters for tests (issue 16): `initdb` in a temporary folder,
//! `pg_ctl` on a free loopback port with the Unix socket inside that folder, stopped
//! (`pg_ctl stop -m fast`) when the value is dropped.
//!
//! The binaries come from the highest `/usr/lib/postgresql/*/bin` (Debian's layout), else
//! from PATH. `scripts/setup.sh` installs Debian's `postgresql`; no server is started by
//! it, each test file starts its own cluster here.
//!
//! Root: `initdb` refuses to run as root, so when the tests run as root (CI, the dev
//! machines) initdb, pg_ctl and psql run as the `postgres` user (`runuser -u postgres
//! --`), and the temporary folder is handed to that user (chown) first.

pub mod proxy;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A running throwaway cluster; stopped on drop.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    running: bool,
    tls: Option<TlsFiles>,
}

/// The TLS option's files: the CA a client must trust (`ca_pem`, also at `ca_path`) and
/// the host name the server's certificate is for (`localhost` and 127.0.0.1).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub ca_pem: String,
    pub ca_path: PathBuf,
}

pub type Result<T> = std::result::Result<T, String>;

impl PgCluster {
    /// initdb + start, without TLS.
    pub fn start() -> Result<PgCluster> {
        Self::start_with(false)
    }

    /// initdb + start with `ssl=on`, a server certificate signed by a CA made here
    /// (`tls()` gives the CA to trust).
    pub fn start_tls() -> Result<PgCluster> {
        Self::start_with(true)
    }

    /// initdb + start with PostgreSQL's own durability (fsync, synchronous commit, full
    /// page writes): for benchmarks whose figure includes the WAL's flush, as a real
    /// hub's does.
    pub fn start_durable() -> Result<PgCluster> {
        Self::start_opts(false, true)
    }

    fn start_with(tls: bool) -> Result<PgCluster> {
        Self::start_opts(tls, false)
    }

    fn start_opts(tls: bool, durable: bool) -> Result<PgCluster> {
        let bin = find_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("coupondesk-pg-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        // The effective uid through `id -u`, which keeps this crate free of libc.
        let as_postgres = is_root();
        let mut c = PgCluster {
            dir,
            bin,
            port: 0,
            as_postgres,
            running: false,
            tls: None,
        };
        if as_postgres {
            // The cluster's folder must belong to the user that runs the server.
            c.run_plain("chown", &["-R", "postgres:", &c.dir_str()])?;
        }
        let data = c.data_dir();
        c.run_bin(
            "initdb",
            &[
                "-D",
                &path_str(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        // Small and quick: tests make many databases and never need durability.
        let mut conf = String::from(if durable {
            "\nmax_connections = 100\n"
        } else {
            "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n"
        });
        if tls {
            let files = c.write_tls()?;
            conf.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
            c.tls = Some(files);
        }
        append(&data.join("postgresql.conf"), &conf)?;
        // hostssl/host both trust: TLS is about the channel; the tests that check roles
        // use password auth below.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all postgres trust\nhost all postgres 127.0.0.1/32 trust\n\
             local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .map_err(|e| format!("pg_hba.conf: {e}"))?;
        if c.as_postgres {
            c.run_plain("chown", &["-R", "postgres:", &c.dir_str()])?;
        }
        c.port = free_port()?;
        c.pg_start()?;
        Ok(c)
    }

    /// The superuser's URL over TCP on loopback (`postgres://postgres@127.0.0.1:PORT/DB`).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The TLS option's CA (None when started without TLS).
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    /// `CREATE DATABASE name` (each test its own database in the file's cluster).
    pub fn create_db(&self, name: &str) -> Result<()> {
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""))
            .map(|_| ())
    }

    /// Runs `sql` with psql as the superuser in `db` (over the socket), returns stdout
    /// (unaligned, tuples only), an error with psql's stderr when it fails.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String> {
        let out = self
            .bin_cmd("psql")
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                &self.dir_str(),
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// `pg_ctl stop -m fast` (a no-op when stopped).
    pub fn stop(&mut self) -> Result<()> {
        if !self.running {
            return Ok(());
        }
        let data = path_str(&self.data_dir());
        self.run_bin("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])?;
        self.running = false;
        Ok(())
    }

    /// Stops the server as a crash would (`-m immediate`: no checkpoint, clients cut at
    /// once); the next start recovers from the WAL. The chaos tests' "hub down".
    pub fn stop_immediate(&mut self) -> Result<()> {
        if !self.running {
            return Ok(());
        }
        let data = path_str(&self.data_dir());
        self.run_bin("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])?;
        self.running = false;
        Ok(())
    }

    /// Stop (when running), then start again on the same port.
    pub fn restart(&mut self) -> Result<()> {
        self.stop()?;
        self.pg_start()
    }

    fn pg_start(&mut self) -> Result<()> {
        let data = path_str(&self.data_dir());
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir_str()
        );
        let log = path_str(&self.dir.path().join("server.log"));
        self.run_bin(
            "pg_ctl",
            &["-D", &data, "-o", &opts, "-l", &log, "-w", "start"],
        )?;
        self.running = true;
        Ok(())
    }

    fn write_tls(&self) -> Result<TlsFiles> {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let err = |e: rcgen::Error| format!("rcgen: {e}");
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "pgtest CA");
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = KeyPair::generate().map_err(err)?;
        let params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(err)?;
        let cert = params.signed_by(&key, &issuer).map_err(err)?;
        let data = self.data_dir();
        std::fs::write(data.join("server.crt"), cert.pem()).map_err(|e| e.to_string())?;
        std::fs::write(data.join("server.key"), key.serialize_pem()).map_err(|e| e.to_string())?;
        set_mode_600(&data.join("server.key"))?;
        let ca_path = self.dir.path().join("ca.pem");
        std::fs::write(&ca_path, ca_cert.pem()).map_err(|e| e.to_string())?;
        Ok(TlsFiles {
            ca_pem: ca_cert.pem(),
            ca_path,
        })
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn dir_str(&self) -> String {
        path_str(self.dir.path())
    }

    fn bin_cmd(&self, name: &str) -> Command {
        let exe = self.bin.join(name);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run_bin(&self, name: &str, args: &[&str]) -> Result<Output> {
        let mut cmd = self.bin_cmd(name);
        cmd.args(args).stdin(Stdio::null());
        checked(name, cmd.output())
    }

    fn run_plain(&self, name: &str, args: &[&str]) -> Result<Output> {
        checked(name, Command::new(name).args(args).output())
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn checked(name: &str, out: std::io::Result<Output>) -> Result<Output> {
    let out = out.map_err(|e| format!("{name}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{name} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out)
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn append(p: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(p)
        .map_err(|e| format!("{}: {e}", p.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

fn set_mode_600(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A port the kernel just gave out on loopback (closed again at once; pg_ctl binds it
/// a moment later, so a rare clash fails the start loudly rather than silently).
fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The highest `/usr/lib/postgresql/N/bin`, else the folder of `pg_ctl` on PATH.
pub fn find_bin() -> Result<PathBuf> {
    let mut best: Option<(u32, PathBuf)> = None;
    if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
        for e in rd.flatten() {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok();
            let bin = e.path().join("bin");
            if let Some(v) = v.filter(|_| bin.join("initdb").exists()) {
                if best.as_ref().is_none_or(|(b, _)| v > *b) {
                    best = Some((v, bin));
                }
            }
        }
    }
    if let Some((_, bin)) = best {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&path) {
        if d.join("initdb").exists() && d.join("pg_ctl").exists() {
            return Ok(d);
        }
    }
    Err(
        "PostgreSQL not found (no /usr/lib/postgresql/*/bin, no initdb on PATH): \
         run scripts/setup.sh, which installs Debian's postgresql"
            .to_owned(),
    )
}

static SHARED: std::sync::Mutex<std::sync::Weak<PgCluster>> =
    std::sync::Mutex::new(std::sync::Weak::new());
static NEXT_DB: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// One cluster for a test file's tests, started by the first and stopped when the last
/// one still running lets go of it (a static would never be dropped, leaving the server
/// running after the tests).
pub fn shared() -> Result<std::sync::Arc<PgCluster>> {
    let mut slot = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = slot.upgrade() {
        return Ok(c);
    }
    let c = std::sync::Arc::new(PgCluster::start()?);
    *slot = std::sync::Arc::downgrade(&c);
    Ok(c)
}

impl PgCluster {
    /// A new database named after `prefix`, unique in this process; its superuser URL.
    pub fn fresh_db(&self, prefix: &str) -> Result<String> {
        let n = NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{prefix}_{n}");
        self.create_db(&name)?;
        Ok(self.url(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_answers_restarts_and_stops() {
        let mut c = PgCluster::start().expect("start");
        c.create_db("t1").expect("create db");
        assert_eq!(c.psql("t1", "SELECT 40 + 2").expect("psql"), "42");
        c.restart().expect("restart");
        assert_eq!(c.psql("t1", "SELECT 1").expect("psql"), "1");
        c.stop().expect("stop");
        assert!(
            c.psql("t1", "SELECT 1").is_err(),
            "stopped cluster answered"
        );
    }

    #[test]
    fn tls_cluster_says_ssl_on() {
        let c = PgCluster::start_tls().expect("start");
        assert_eq!(c.psql("postgres", "SHOW ssl").expect("psql"), "on");
        assert!(c.tls().expect("tls").ca_pem.contains("BEGIN CERTIFICATE"));
    }
}
