//! `coupondesk serve`: the development HTTP server. It answers the core's command table
//! (`coupondesk_core::api`) over HTTP, so the UI runs in a plain browser (`npm run dev`),
//! in the browser checks and in the UI's tests against the real core, not a copy of it.
//!
//! The protocol (docs/architecture.md, "The dev server"):
//! - `POST /api/<command>`, `Authorization: Bearer <token>`, `Content-Type:
//!   application/json`, body = the command's argument object (camelCase, as `invoke`
//!   takes it). 200 and the JSON result, or an `ApiError` body with 401 (unauthorized),
//!   404 (unknown_command), 415/422 (invalid_request, or any error of the core), 500.
//! - A job (import, generate, export) answers `text/event-stream`: `progress` events, then
//!   one `done` (the result) or `error` (an ApiError); `POST /api/job_cancel` stops it.
//!
//! What must stay true: it listens on loopback only; every request carries the random
//! token printed at start (another local process or a web page cannot drive the shop's
//! database); only `application/json` bodies are taken, so a cross-site "simple" request
//! from a browser is refused before any work.

use std::io::{Read, Write};
use std::sync::Arc;

use coupondesk_core::api::{self, CallError};
use coupondesk_core::error_codes::INTERNAL;
use coupondesk_core::{ApiError, Desk};
use rand::{RngCore, SeedableRng};
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// The largest request body taken; arguments are small (paths, drafts, queries).
const MAX_BODY: u64 = 4 * 1024 * 1024;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1; 0 = a free one (printed at start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Fill the database with the demo shop first (batches, codes, templates, bonuses,
    /// vouchers, customers), as the browser checks and `npm run dev` expect.
    #[arg(long)]
    seed_demo: bool,
    /// With --seed-demo: where the demo's platforms 002 and 004 point (a `remote-sim`).
    #[arg(long, value_name = "URL", default_value = crate::demo_seed::DEFAULT_SIM)]
    demo_sim: String,
}

/// What `serve` prints at start, in one line.
#[derive(serde::Serialize)]
struct Started<'a> {
    url: String,
    token: &'a str,
    db: String,
}

pub fn serve(desk: Desk, args: ServeArgs, json: bool) -> Result<(), ApiError> {
    if args.seed_demo {
        crate::demo_seed::seed_demo(&desk, &args.demo_sim)?;
    }
    let server = Server::http(("127.0.0.1", args.port)).map_err(|e| {
        ApiError::new(
            "serve_failed",
            format!(
                "could not listen on 127.0.0.1:{}: {e}; choose another --port",
                args.port
            ),
        )
    })?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
    let token = new_token()?;
    let started = Started {
        url: format!("http://127.0.0.1:{port}"),
        token: &token,
        db: desk.db_path().display().to_string(),
    };
    if json {
        let line = serde_json::to_string(&started).unwrap_or_default();
        crate::print::line(&line);
    } else {
        crate::print::line(&format!(
            "CouponDesk dev server on {} (database {})\ntoken {}",
            started.url, started.db, token
        ));
    }
    // Whoever started us reads the line above before sending anything: without it, no
    // one can reach the server (the token is in it), so it stops here.
    if let Some(why) = crate::print::output_lost() {
        return Err(ApiError::new(
            "output_lost",
            format!("could not write the server's address and token: {why}; nothing was served"),
        ));
    }
    let desk = Arc::new(desk);
    let token: Arc<str> = token.into();
    for request in server.incoming_requests() {
        let (desk, token) = (desk.clone(), token.clone());
        // A thread per request: a job streams for as long as it runs, and the counter's
        // calls must not wait behind it (the core serialises what must be serialised).
        std::thread::spawn(move || handle(&desk, &token, request));
    }
    Ok(())
}

fn new_token() -> Result<String, ApiError> {
    let mut rng = rand::rngs::StdRng::try_from_os_rng().map_err(|e| {
        ApiError::new(
            INTERNAL,
            format!("the system gave no randomness for the token: {e}"),
        )
    })?;
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Compares without stopping at the first difference, so timing says nothing of the token.
fn same_token(given: &str, token: &str) -> bool {
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn status_of(e: &ApiError) -> u16 {
    match e.code.as_str() {
        "unauthorized" => 401,
        "unknown_command" => 404,
        c if c == INTERNAL => 500,
        _ => 422,
    }
}

fn json_header() -> Header {
    Header::from_bytes("Content-Type", "application/json; charset=utf-8")
        .unwrap_or_else(|_| unreachable!("a constant header is valid"))
}

fn answer(request: Request, status: u16, body: &impl serde::Serialize) {
    let text = serde_json::to_string(body).unwrap_or_else(|e| {
        format!(
            r#"{{"code":"{INTERNAL}","message":"could not write the answer: {e}","fields":[]}}"#
        )
    });
    let response = Response::from_string(text)
        .with_status_code(StatusCode(status))
        .with_header(json_header());
    // The client may be gone; there is nobody left to tell.
    let _ = request.respond(response);
}

fn refuse(request: Request, e: ApiError) {
    let status = status_of(&e);
    answer(request, status, &e);
}

/// Checks the request and reads its command name and JSON body.
fn read(request: &mut Request, token: &str) -> Result<(String, serde_json::Value), ApiError> {
    let authorised = header(request, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| same_token(given.trim(), token));
    if !authorised {
        return Err(ApiError::from(&CallError::Unauthorized));
    }
    let name = request
        .url()
        .split('?')
        .next()
        .and_then(|p| p.strip_prefix("/api/"))
        .unwrap_or("")
        .to_owned();
    if *request.method() != Method::Post {
        return Err(ApiError::from(&CallError::UnknownCommand(format!(
            "{} {}",
            request.method(),
            request.url()
        ))));
    }
    let is_json = header(request, "Content-Type")
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Err(bad(
            &name,
            "send the arguments as JSON, with 'Content-Type: application/json'".into(),
        ));
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|e| bad(&name, format!("could not read the body: {e}")))?;
    if body.len() as u64 > MAX_BODY {
        return Err(bad(&name, format!("the body is over {MAX_BODY} bytes")));
    }
    let args = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| bad(&name, format!("not JSON: {e}")))?
    };
    Ok((name, args))
}

fn bad(command: &str, reason: String) -> ApiError {
    ApiError::from(&CallError::BadArguments {
        command: command.to_owned(),
        reason,
    })
}

fn handle(desk: &Desk, token: &str, mut request: Request) {
    let (name, args) = match read(&mut request, token) {
        Ok(read) => read,
        Err(e) => return refuse(request, e),
    };
    match api::command(&name) {
        None => refuse(request, ApiError::from(&CallError::UnknownCommand(name))),
        Some(c) if c.job => run_job(desk, request, c.name, args),
        Some(c) => match api::call_json(desk, c.name, args) {
            Ok(value) => answer(request, 200, &value),
            Err(e) => refuse(request, e),
        },
    }
}

/// A job's answer: a chunked `text/event-stream`, each event flushed as it happens.
fn run_job(desk: &Desk, request: Request, name: &str, args: serde_json::Value) {
    let Some(job_id) = args
        .get("jobId")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
    else {
        return refuse(request, bad(name, "a job needs its \"jobId\"".into()));
    };
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
    // When the client has gone, writes fail and are ignored: the work goes on, as in the
    // window when nobody watches, and the outcome is in the database.
    let mut alive = out
        .write_all(head.as_bytes())
        .and_then(|_| out.flush())
        .is_ok();
    let mut send = |event: &str, data: &serde_json::Value| {
        if !alive {
            return;
        }
        let text = format!("event: {event}\ndata: {data}\n\n");
        let chunk = format!("{:x}\r\n{text}\r\n", text.len());
        alive = out
            .write_all(chunk.as_bytes())
            .and_then(|_| out.flush())
            .is_ok();
    };
    let done = api::call_job_json(desk, name, &job_id, args.clone(), &mut |p| {
        send("progress", &p)
    });
    match done {
        Ok(value) => send("done", &value),
        Err(e) => send("error", &serde_json::to_value(&e).unwrap_or_default()),
    }
    if alive {
        let _ = out.write_all(b"0\r\n\r\n").and_then(|_| out.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_compared_whole() {
        let (a, b) = (new_token().expect("token"), new_token().expect("token"));
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same_token(&a, &a));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a[..63], &a));
    }

    #[test]
    fn statuses_follow_the_codes() {
        let e = |c: &str| ApiError::new(c, "x");
        assert_eq!(status_of(&e("unauthorized")), 401);
        assert_eq!(status_of(&e("unknown_command")), 404);
        assert_eq!(status_of(&e("internal")), 500);
        assert_eq!(status_of(&e("batch_name_taken")), 422);
    }
}
