//! `coupondesk sync ...` and `coupondesk codes activate|deactivate`: the outbox to the
//! five platforms, headless. Each command is one call into `Desk`.
//!
//! `sync run` exits 0 when the queue it ran is empty afterwards and 4 when operations
//! are left (offline, waiting for a retry, an untrusted certificate, time up); conflicts
//! are not "left": they wait for staff in the inbox (`sync queue --state conflict`).
//! `sync test` exits 0 when the platform answered and took our credentials (or, for
//! e-Buy, answered: see `ConnectionVerdict::Reachable`) and 5 otherwise.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::{
    ActivationRequest, ConnectionVerdict, OutboxQuery, OutboxState, Platform,
    PlatformSettingsInput, SyncReport,
};
use coupondesk_core::{ApiError, Desk};

use crate::print::{page_line, Out};

/// Operations are still queued after `sync run`.
const LEFT_IN_QUEUE: u8 = 4;
/// `sync test` found the platform unreachable, untrusted, refusing the token, or not set up.
const TEST_FAILED: u8 = 5;

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Send the queued operations (all enabled platforms, or one), then read the
    /// platforms' lists. Waits through retries until the queue is empty or time is up.
    Run {
        /// p000..p004 (or sense, wxcard, bonus, voucher, ebuy).
        #[arg(long, value_parser = parse_platform)]
        platform: Option<Platform>,
        /// Stop after this many seconds.
        #[arg(long, default_value_t = 120)]
        max_seconds: u64,
        /// Stop a platform at its first pause instead of waiting through it.
        #[arg(long)]
        no_wait: bool,
        /// Do not read the platforms' lists afterwards.
        #[arg(long)]
        no_pull: bool,
        /// Base of the exponential backoff, in milliseconds.
        #[arg(long, default_value_t = 500)]
        backoff_ms: u64,
        /// Per-request timeout, in seconds.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
    },
    /// Each platform's state: on, online, queue, conflicts, last success, last error.
    Status,
    /// Test connection: read-only requests that say whether the platform is reachable and
    /// takes the stored token (exit 0) or not (exit 5), with the verdict on one line.
    Test {
        #[arg(long, value_parser = parse_platform)]
        platform: Platform,
        /// Per-request timeout, in seconds.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Set a platform up. The secret (token or signing key) is read from standard input
    /// with --secret-stdin, never from the command line (other users can see that).
    /// Options not given keep their stored value; an empty value ('') clears one.
    Config {
        #[arg(long, value_parser = parse_platform)]
        platform: Platform,
        /// The platform's address, e.g. https://api.example.com or
        /// http://127.0.0.1:8765/p004 for the simulator.
        #[arg(long)]
        url: String,
        /// Leave sync with this platform off (it is turned on by default).
        #[arg(long)]
        off: bool,
        #[arg(long)]
        app_id: Option<String>,
        #[arg(long)]
        brand_id: Option<String>,
        #[arg(long)]
        sign_type: Option<String>,
        #[arg(long)]
        shop_no: Option<String>,
        #[arg(long)]
        org: Option<String>,
        /// A PEM file of the CA that signed the platform's certificate, trusted beside
        /// the OS's roots and SSL_CERT_FILE ('' clears it).
        #[arg(long, value_name = "PATH")]
        ca_file: Option<String>,
        /// p000: the path where this server accepts code uploads (not in spec 000);
        /// '' turns uploads off (only the documented endpoints are called).
        #[arg(long, value_name = "PATH")]
        upload_path: Option<String>,
        /// Allow plain http:// to a machine other than this one (the token travels in
        /// clear text); `--allow-http false` takes it back.
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
        allow_http: Option<bool>,
        /// Read the secret from standard input (one line).
        #[arg(long)]
        secret_stdin: bool,
        /// Forget the stored secret.
        #[arg(long, conflicts_with = "secret_stdin")]
        clear_secret: bool,
    },
    /// The outbox: queued operations, results, conflicts (newest first, the queue
    /// oldest first).
    Queue {
        #[arg(long, value_parser = parse_platform)]
        platform: Option<Platform>,
        /// queued, done, conflict or discarded.
        #[arg(long, value_parser = parse_state)]
        state: Option<OutboxState>,
        /// Only this batch's code operations.
        #[arg(long, value_name = "T")]
        batch: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        per_page: u32,
    },
    /// Put a conflict back in the queue as it is.
    Retry { id: i64 },
    /// Put a conflict back in the queue with new data (a JSON object).
    Edit {
        id: i64,
        #[arg(long)]
        payload: String,
    },
    /// Drop a conflict: the platform will not hear of it. The reason is audited.
    Discard {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s).ok_or_else(|| format!("unknown platform {s}: use p000..p004"))
}

fn parse_state(s: &str) -> Result<OutboxState, String> {
    OutboxState::parse(s)
        .ok_or_else(|| format!("unknown state {s}: queued, done, conflict or discarded"))
}

pub fn run_line(r: &SyncReport) -> String {
    r.platforms
        .iter()
        .map(|p| {
            let name = p.platform.map(|x| x.id()).unwrap_or("-");
            let mut line = format!(
                "{name}: {} done, {} conflicts, {} retries, {} left, {} requests",
                p.done, p.conflicts, p.retries, p.remaining, p.requests
            );
            if let Some(s) = &p.stopped {
                line.push_str(&format!(" ({s})"));
            }
            line
        })
        .chain((r.not_set_up > 0).then(|| {
            format!(
                "{} operations wait for platforms that are not set up",
                r.not_set_up
            )
        }))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn sync(desk: &Desk, cmd: SyncCommand, out: &Out) -> Result<ExitCode, ApiError> {
    match cmd {
        SyncCommand::Run {
            platform,
            max_seconds,
            no_wait,
            no_pull,
            backoff_ms,
            timeout,
        } => {
            let opts = RunOptions {
                max_duration: Duration::from_secs(max_seconds),
                wait: !no_wait,
                pull: !no_pull,
                backoff_base: Duration::from_millis(backoff_ms.max(1)),
                timeout: Duration::from_secs(timeout.max(1)),
                settle: RunOptions::settle_for(Duration::from_secs(timeout.max(1))),
                ..RunOptions::default()
            };
            let report = desk.sync_run(platform, &opts)?;
            // One JSON object whatever happened on the platforms (a TLS refusal too):
            // each platform's `stopped` says why it stopped.
            out.value(&report, &run_line(&report))?;
            return Ok(if report.remaining() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(LEFT_IN_QUEUE)
            });
        }
        SyncCommand::Status => {
            let s = desk.sync_status()?;
            let lines: Vec<String> = s
                .platforms
                .iter()
                .map(|p| {
                    let state = match (p.configured, p.online) {
                        (false, _) => "not set up",
                        (true, None) => "not tried yet",
                        (true, Some(true)) => "online",
                        (true, Some(false)) => "last call failed",
                    };
                    let mut l = format!(
                        "{}: {state}, {} queued, {} conflicts, last success {}",
                        p.platform.id(),
                        p.queued,
                        p.conflicts,
                        p.last_success_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "never".into())
                    );
                    if p.allow_http {
                        l.push_str("; plain HTTP allowed (the token travels in clear text)");
                    }
                    if let Some(e) = &p.last_error {
                        l.push_str(&format!("; last error: {e}"));
                    }
                    if let Some(t) = &p.last_test {
                        l.push_str(&format!("; last test: {}", t.verdict.as_str()));
                    }
                    l
                })
                .collect();
            out.value(&s, &lines.join("\n"))?;
        }
        SyncCommand::Test { platform, timeout } => {
            let t = desk.sync_test(platform, Duration::from_secs(timeout.max(1)))?;
            let line = format!("{}: {}", t.verdict.as_str(), t.message);
            out.value(&t, &line)?;
            return Ok(match t.verdict {
                ConnectionVerdict::Authorised | ConnectionVerdict::Reachable => ExitCode::SUCCESS,
                _ => ExitCode::from(TEST_FAILED),
            });
        }
        SyncCommand::Config {
            platform,
            url,
            off,
            app_id,
            brand_id,
            sign_type,
            shop_no,
            org,
            ca_file,
            upload_path,
            allow_http,
            secret_stdin,
            clear_secret,
        } => {
            let stored = desk
                .sync_settings()?
                .into_iter()
                .find(|s| s.platform == platform)
                .ok_or_else(|| ApiError::new("internal", "the platform's settings are missing"))?;
            let secret = if secret_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| {
                    ApiError::new(
                        "stdin",
                        format!("could not read the secret from standard input: {e}"),
                    )
                })?;
                Some(s.lines().next().unwrap_or("").to_owned())
            } else {
                None
            };
            let input = PlatformSettingsInput {
                platform,
                enabled: !off,
                base_url: url,
                app_id: app_id.unwrap_or(stored.app_id),
                brand_id: brand_id.unwrap_or(stored.brand_id),
                sign_type: sign_type.unwrap_or(stored.sign_type),
                shop_no: shop_no.unwrap_or(stored.shop_no),
                org: org.unwrap_or(stored.org),
                ca_file: ca_file.unwrap_or(stored.ca_file),
                allow_http: allow_http.unwrap_or(stored.allow_http),
                upload_path: upload_path.unwrap_or(stored.upload_path),
                secret,
                clear_secret,
            };
            let s = desk.sync_save_settings(&input)?;
            let mut text = format!(
                "{}: {} at {} (secret {})",
                s.platform.id(),
                if s.enabled { "on" } else { "off" },
                s.base_url,
                if s.has_secret { "stored" } else { "not stored" }
            );
            if !s.ca_file.is_empty() {
                text.push_str(&format!(", CA {}", s.ca_file));
            }
            if s.allow_http {
                text.push_str(", plain HTTP allowed");
            }
            if !s.upload_path.is_empty() {
                text.push_str(&format!(", uploads at {}", s.upload_path));
            }
            out.value(&s, &text)?;
        }
        SyncCommand::Queue {
            platform,
            state,
            batch,
            page,
            per_page,
        } => {
            let q = OutboxQuery {
                platform,
                state,
                ticket_type: batch,
                page: PageRequest { page, per_page },
            };
            let p = desk.sync_outbox(&q)?;
            let mut lines: Vec<String> = p
                .items
                .iter()
                .map(|i| {
                    format!(
                        "#{} {} {} {} {}{}",
                        i.id,
                        i.platform.id(),
                        i.op,
                        i.subject,
                        i.state.as_str(),
                        i.result_message
                            .as_ref()
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            lines.push(page_line(p.page, p.total_pages, p.total));
            // The documented shape: {items, total}.
            let shape = serde_json::json!({ "items": p.items, "total": p.total });
            out.value(&shape, &lines.join("\n"))?;
        }
        SyncCommand::Retry { id } => {
            let i = desk.sync_conflict_retry(id)?;
            out.value(&i, &format!("#{} is queued again", i.id))?;
        }
        SyncCommand::Edit { id, payload } => {
            let v: serde_json::Value = serde_json::from_str(&payload).map_err(|e| {
                ApiError::new(
                    "bad_payload",
                    format!(
                        "--payload is not JSON ({e}); give an object like '{{\"amountFen\": 200}}'"
                    ),
                )
            })?;
            let i = desk.sync_conflict_edit(id, v)?;
            out.value(&i, &format!("#{} is queued again with the new data", i.id))?;
        }
        SyncCommand::Discard { id, reason } => {
            let i = desk.sync_conflict_discard(id, &reason)?;
            out.value(&i, &format!("#{} is discarded", i.id))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `codes activate --batch T [CODE...] [--funds JSON]` (`activate` = `Some(funds)`) and
/// `codes deactivate --batch T [CODE...]` (`None`).
pub fn activate(
    desk: &Desk,
    batch: String,
    codes: Vec<String>,
    activate: Option<Option<String>>,
    out: &Out,
) -> Result<ExitCode, ApiError> {
    let funds = match activate.as_ref().and_then(|f| f.as_deref()) {
        None => None,
        Some(text) => Some(serde_json::from_str(text).map_err(|e| {
            ApiError::new(
                "bad_funds",
                format!(
                    "--funds is not a makeFundsChannel object ({e}); give amounts in fen like \
                     '{{\"merchantRealAmount\":1000,\"userRealAmount\":800}}'"
                ),
            )
        })?),
    };
    let activate = activate.is_some();
    let req = ActivationRequest {
        ticket_type: batch,
        codes: (!codes.is_empty()).then_some(codes),
        activate,
        make_funds_channel: funds,
    };
    let r = desk.codes_activate(&req)?;
    let mut text = format!(
        "{} codes {} and queued for e-Buy, {} skipped",
        r.queued,
        if activate { "activated" } else { "deactivated" },
        r.skipped_total
    );
    for s in &r.skipped {
        text.push_str(&format!("\n  {}: {}", s.code, s.reason));
    }
    out.value(&r, &text)?;
    Ok(ExitCode::SUCCESS)
}
