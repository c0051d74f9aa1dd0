//! `coupondesk audit list|verify|export`: the audit trail, headless. Each command is one
//! call into `Desk`.
//!
//! `audit verify` exits 0 printing "intact, N entries", or 1 naming the first broken
//! entry (with --json: the verdict object on stdout, the error object on stderr).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use coupondesk_core::domain::audit::{AuditEntry, AuditQuery, AuditVerdict};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::{ApiError, Desk};

use crate::export_args::ExportArgs;
use crate::print::{page_line, Out};
use crate::wallet::export_text;

#[derive(clap::Args)]
pub struct AuditFilter {
    /// Only entries by this actor (a staff member, `sync`, a platform). For `audit list`
    /// the global `--staff S` is the same filter.
    #[arg(long, value_name = "S")]
    actor: Option<String>,
    /// Only this action, e.g. code.redeem.
    #[arg(long, value_name = "A")]
    action: Option<String>,
    /// Only entries whose subject (a code, a ticket type, an id) contains this text.
    #[arg(long, value_name = "TEXT")]
    subject: Option<String>,
    /// At or after this time (RFC 3339, e.g. 2026-12-06T09:00:00+08:00).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    since: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    pub(crate) fn query(self, page: PageRequest) -> AuditQuery {
        AuditQuery {
            actor: self.actor,
            action: self.action,
            subject: self.subject,
            exact_subject: false,
            since: self.since,
            until: self.until,
            page,
        }
    }
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// The audit trail, newest first.
    List {
        #[command(flatten)]
        filter: AuditFilter,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        per_page: u32,
    },
    /// Walk the hash chain: "intact, N entries" (exit 0) or the first broken entry (exit 1).
    Verify,
    /// Every entry the filters match, newest first, to CSV (UTF-8 with BOM).
    Export {
        #[command(flatten)]
        filter: AuditFilter,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        export: ExportArgs,
    },
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{text:?} is not an RFC 3339 time ({e}); write e.g. 2026-12-06T09:00:00+08:00")
        })
}

/// `staff`: the global `--staff`, the actor filter of `audit list` (`--actor` wins).
pub fn audit(
    desk: &Desk,
    cmd: AuditCommand,
    staff: Option<String>,
    out: &Out,
) -> Result<ExitCode, ApiError> {
    match cmd {
        AuditCommand::List {
            mut filter,
            page,
            per_page,
        } => {
            filter.actor = filter.actor.or(staff);
            let p = desk.list_audit(&filter.query(PageRequest { page, per_page }))?;
            let mut text: Vec<String> = p.items.iter().map(entry_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
        }
        AuditCommand::Verify => match desk.verify_audit()? {
            AuditVerdict::Intact { entries } => {
                let v = AuditVerdict::Intact { entries };
                out.value(&v, &format!("intact, {entries} entries"))?;
            }
            broken @ AuditVerdict::Broken { .. } => return Err(broken_error(&broken, out)),
        },
        AuditCommand::Export {
            filter,
            out: file,
            export,
        } => {
            let q = filter.query(PageRequest::default());
            let r = desk.export_audit(&q, &file, &export.options())?;
            out.value(&r, &export_text(&r))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The error `audit verify` exits 1 with; in --json the verdict goes to stdout first.
fn broken_error(v: &AuditVerdict, out: &Out) -> ApiError {
    if out.json {
        if let Err(e) = out.value(v, "") {
            return e;
        }
    }
    let message = match v {
        AuditVerdict::Broken {
            first_id, reason, ..
        } => format!("the audit trail is broken at entry {first_id}: {reason}"),
        AuditVerdict::Intact { entries } => format!("intact, {entries} entries"),
    };
    ApiError::new("audit_broken", message)
}

fn entry_line(e: &AuditEntry) -> String {
    format!(
        "{:>8}  {}  {}@{}  {}  {}  {}",
        e.id,
        e.at.to_rfc3339(),
        e.actor,
        e.terminal,
        e.action,
        e.subject,
        e.detail
    )
}
