//! One connection: accept, (TLS handshake,) read one request, handle it, answer or drop,
//! close. Also the in-flight gauge and the "client gone" check.

use crate::http;
use crate::{handle, route, Outcome, Shared};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Counts one platform request as in flight until dropped (after its answer is written).
struct InFlight<'a>(&'a AtomicU64);

impl<'a> InFlight<'a> {
    fn enter(n: &'a AtomicU64) -> InFlight<'a> {
        n.fetch_add(1, Ordering::SeqCst);
        InFlight(n)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        let _ = thread::Builder::new()
            .name("remote-sim-conn".into())
            .spawn(move || serve(&shared, stream));
    }
}

fn serve(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    // a silent client must not hold a thread forever
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    match &shared.tls {
        None => {
            let Some(req) = read_or_answer(&stream) else {
                let _ = stream.shutdown(Shutdown::Write);
                return;
            };
            let _busy = enter(shared, &req);
            let outcome = handle(shared, &req);
            if !is_control(&req) && peer_closed(&stream) {
                note_client_gone(shared, &req);
            }
            match outcome {
                Outcome::Answer(resp) => {
                    http::write_response(&stream, &resp);
                    let _ = stream.shutdown(Shutdown::Write);
                }
                // drop after apply: not a byte of answer
                Outcome::Drop => {
                    let _ = stream.shutdown(Shutdown::Both);
                }
            }
        }
        Some(tls) => {
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&tls.config)) else {
                return;
            };
            let mut s = rustls::StreamOwned::new(conn, stream);
            let Some(req) = read_or_answer(&mut s) else {
                s.conn.send_close_notify();
                let _ = s.flush();
                return;
            };
            let _busy = enter(shared, &req);
            let outcome = handle(shared, &req);
            if !is_control(&req) && tls_peer_closed(&mut s) {
                note_client_gone(shared, &req);
            }
            match outcome {
                Outcome::Answer(resp) => {
                    http::write_response(&mut s, &resp);
                    s.conn.send_close_notify();
                    let _ = s.flush();
                    let _ = s.sock.shutdown(Shutdown::Write);
                }
                // drop after apply under TLS: close the TCP socket, no TLS record of an
                // answer (not even close_notify), exactly like a server that died
                Outcome::Drop => {
                    let _ = s.sock.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

/// Reads a request; a malformed one is answered here and gives `None`.
fn read_or_answer<S: Read + Write>(mut stream: S) -> Option<http::Req> {
    match http::read_request(&mut stream) {
        Ok(req) => Some(req),
        Err(resp) => {
            http::write_response(&mut stream, &resp);
            None
        }
    }
}

fn is_control(req: &http::Req) -> bool {
    req.path.starts_with("/__sim/")
}

/// Platform requests count as in flight until the returned guard drops (after the answer).
fn enter<'a>(shared: &'a Shared, req: &http::Req) -> Option<InFlight<'a>> {
    (!is_control(req)).then(|| InFlight::enter(&shared.in_flight))
}

/// Counts a platform request whose client closed the connection before its answer was
/// ready: it was in flight when the client went away (timeout, kill -9).
fn note_client_gone(shared: &Shared, req: &http::Req) {
    let Some(m) = route(req, shared.cfg.spec_literal) else {
        return;
    };
    *shared
        .lock()
        .counters
        .client_gone
        .entry(m.pattern)
        .or_default() += 1;
}

/// The peer has closed its side. The whole request was read (Content-Length), so a clean
/// EOF or a reset is the only thing a live client's socket can show here.
fn peer_closed(sock: &TcpStream) -> bool {
    if sock.set_nonblocking(true).is_err() {
        return false;
    }
    let mut b = [0u8; 1];
    let closed = match sock.peek(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    };
    let _ = sock.set_nonblocking(false);
    closed
}

/// Under TLS a leaving client may send `close_notify` before its FIN: read whatever TLS
/// records wait, without blocking, and look for either.
fn tls_peer_closed(s: &mut rustls::StreamOwned<rustls::ServerConnection, TcpStream>) -> bool {
    if s.sock.set_nonblocking(true).is_err() {
        return false;
    }
    let closed = loop {
        match s.conn.read_tls(&mut s.sock) {
            Ok(0) => break true,
            Ok(_) => match s.conn.process_new_packets() {
                Ok(state) if state.peer_has_closed() => break true,
                Ok(_) => continue,
                Err(_) => break true,
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
            Err(_) => break true,
        }
    };
    let _ = s.sock.set_nonblocking(false);
    closed
}
