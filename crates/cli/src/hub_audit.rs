//! `coupondesk hub audit verify|list|export`: every desk's audit trail at the hub
//! (docs/chain-mode.md, "The audit trail at the hub"). Each is one call into `Desk`; all
//! need a manager (`--staff NAME` of a manager or the owner).
//!
//! `hub audit verify` exits 0 when every terminal's chain is intact, or 1 naming each
//! broken chain's first broken entry (with --json: the report on stdout, the error object
//! on stderr).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use coupondesk_core::desk::hub_audit::{HubAuditQuery, HubAuditReport};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::hub::audit::HubAuditEntry;
use coupondesk_core::{ApiError, Desk};

use crate::audit::AuditFilter;
use crate::export_args::ExportArgs;
use crate::print::{page_line, Out};
use crate::wallet::export_text;

#[derive(Subcommand)]
pub enum HubAuditCommand {
    /// Walk every terminal's chain at the hub: per terminal its entries, first and last,
    /// intact or the first broken entry (exit 1 when any chain is broken).
    Verify,
    /// Every desk's trail at the hub, newest first (by each desk's clock).
    List {
        #[command(flatten)]
        filter: AuditFilter,
        /// Only entries of this store (its name at the hub).
        #[arg(long, value_name = "NAME")]
        store: Option<String>,
        /// Only entries of this terminal (its name at the hub).
        #[arg(long, value_name = "NAME")]
        terminal: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        per_page: u32,
    },
    /// Every entry at the hub the filters match (all pages), newest first, to CSV or
    /// XLSX: the local export's columns after the store and terminal at the hub.
    Export {
        #[command(flatten)]
        filter: AuditFilter,
        /// Only entries of this store (its name at the hub).
        #[arg(long, value_name = "NAME")]
        store: Option<String>,
        /// Only entries of this terminal (its name at the hub).
        #[arg(long, value_name = "NAME")]
        terminal: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        export: ExportArgs,
    },
}

pub fn hub_audit(desk: &Desk, cmd: HubAuditCommand, out: &Out) -> Result<ExitCode, ApiError> {
    match cmd {
        HubAuditCommand::Verify => {
            let r = desk.hub_audit_verify()?;
            let text = report_text(&r);
            if r.intact {
                out.value(&r, &text)?;
            } else {
                if out.json {
                    out.value(&r, "")?;
                } else {
                    println!("{text}");
                }
                let broken: Vec<String> = r
                    .terminals
                    .iter()
                    .filter_map(|t| {
                        t.broken_id
                            .map(|id| format!("{} / {} at entry {id}", t.store, t.terminal))
                    })
                    .collect();
                return Err(ApiError::new(
                    "hub_audit_broken",
                    format!(
                        "the audit trail at the hub is broken: {}",
                        broken.join("; ")
                    ),
                ));
            }
        }
        HubAuditCommand::List {
            filter,
            store,
            terminal,
            page,
            per_page,
        } => {
            let q = HubAuditQuery {
                query: filter.query(PageRequest { page, per_page }),
                store,
                terminal,
            };
            let p = desk.hub_audit_list(&q)?;
            let mut text: Vec<String> = p.items.iter().map(entry_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
        }
        HubAuditCommand::Export {
            filter,
            store,
            terminal,
            out: file,
            export,
        } => {
            let q = HubAuditQuery {
                query: filter.query(PageRequest::default()),
                store,
                terminal,
            };
            let r = desk.export_hub_audit(&q, &file, &export.options())?;
            out.value(&r, &export_text(&r))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_text(r: &HubAuditReport) -> String {
    let mut lines: Vec<String> = r
        .terminals
        .iter()
        .map(|t| {
            let span = match (t.first_id, t.last_id) {
                (Some(a), Some(b)) => format!(
                    "entries {a}-{b} ({} .. {})",
                    t.first_at.map(|x| x.to_rfc3339()).unwrap_or_default(),
                    t.last_at.map(|x| x.to_rfc3339()).unwrap_or_default()
                ),
                _ => "no entries".to_owned(),
            };
            let state = match (t.broken_id, &t.broken_reason) {
                (Some(id), why) => {
                    format!("BROKEN at entry {id}: {}", why.as_deref().unwrap_or(""))
                }
                (None, _) => "intact".to_owned(),
            };
            format!(
                "{} / {} (terminal {}): {} entries, {span}: {state}",
                t.store, t.terminal, t.terminal_id, t.entries
            )
        })
        .collect();
    lines.push(format!(
        "this desk (terminal {}): {} entries not at the hub yet",
        r.this_terminal_id, r.unsent_here
    ));
    lines.join("\n")
}

fn entry_line(e: &HubAuditEntry) -> String {
    format!(
        "{} / {}  {:>8}  {}  {}@{}  {}  {}  {}",
        e.store,
        e.terminal_name,
        e.entry.id,
        e.entry.at.to_rfc3339(),
        e.entry.actor,
        e.entry.terminal,
        e.entry.action,
        e.entry.subject,
        e.entry.detail
    )
}
