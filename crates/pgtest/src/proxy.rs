//! A loopback TCP relay between one desk and the hub whose network a test can cut: the
//! chain-mode tests' "a desk's connection is cut" (issue 16's chaos), without touching
//! the cluster the other desks use.
//!
//! While cut, the relay behaves as a dead network, not as a closed port: connections are
//! still accepted (the kernel's handshake) and bytes are read but never passed on, so a
//! client waits until its own deadline, as it would behind an unplugged cable. Cutting
//! also drops every relayed connection, so nothing sent before the cut arrives after it.
//! Restoring relays new connections again.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

pub struct Proxy {
    port: u16,
    state: Arc<State>,
}

struct State {
    cut: AtomicBool,
    /// Bumped by each cut: a relay started in an older generation stops.
    generation: AtomicU64,
    open: Mutex<Vec<TcpStream>>,
    stop: AtomicBool,
}

impl Proxy {
    /// A relay on a free loopback port to `target` (e.g. the cluster's port).
    pub fn start(target: u16) -> crate::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let state = Arc::new(State {
            cut: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            open: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let s = state.clone();
        let to = SocketAddr::from(([127, 0, 0, 1], target));
        thread::Builder::new()
            .name("pgtest-proxy".into())
            .spawn(move || accept(listener, to, s))
            .map_err(|e| e.to_string())?;
        Ok(Proxy { port, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The network goes dead: relayed connections are dropped, new ones hang.
    pub fn cut(&self) {
        self.state.cut.store(true, Ordering::SeqCst);
        self.state.generation.fetch_add(1, Ordering::SeqCst);
        for s in self
            .state
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Every relayed connection is dropped silently, as a NAT's timeout or a failover
    /// drops it: nothing is closed now, each client learns it only when it next sends
    /// (its bytes are not passed on, and its connection is then closed). New connections
    /// pass. A pool that keeps connections finds them dead only when it uses them.
    pub fn sever(&self) {
        self.state.generation.fetch_add(1, Ordering::SeqCst);
        // The clones kept for `cut` only; dropping them closes no socket (the relays
        // hold their own handles).
        self.state
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The network is back for new connections.
    pub fn restore(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.cut();
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn accept(listener: TcpListener, to: SocketAddr, state: Arc<State>) {
    for client in listener.incoming() {
        if state.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = client else { continue };
        if state.cut.load(Ordering::SeqCst) {
            // A dead network: hold the socket, read and drop what comes, never answer.
            let s = state.clone();
            let _ = thread::Builder::new().spawn(move || swallow(client, s));
            continue;
        }
        let Ok(server) = TcpStream::connect_timeout(&to, Duration::from_secs(5)) else {
            continue;
        };
        let generation = state.generation.load(Ordering::SeqCst);
        if let Ok(mut open) = state.open.lock() {
            for s in [&client, &server] {
                if let Ok(c) = s.try_clone() {
                    open.push(c);
                }
            }
        }
        for (from, into) in [(&client, &server), (&server, &client)] {
            let (Ok(from), Ok(into)) = (from.try_clone(), into.try_clone()) else {
                continue;
            };
            let s = state.clone();
            let _ = thread::Builder::new().spawn(move || pipe(from, into, s, generation));
        }
    }
}

fn pipe(mut from: TcpStream, mut into: TcpStream, state: Arc<State>, generation: u64) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if state.generation.load(Ordering::SeqCst) != generation {
            break;
        }
        if into.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = into.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

fn swallow(mut client: TcpStream, state: Arc<State>) {
    let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    while !state.stop.load(Ordering::SeqCst) && state.cut.load(Ordering::SeqCst) {
        match client.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
    // Restored (or stopped): this connection was made while the network was dead; it
    // never reached the server, so close it and let the client connect again.
}
