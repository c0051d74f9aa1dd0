//! `coupondesk hub init|join|status|platform-desk|offline-uses|audit`: chain mode (docs/chain-mode.md). Each is one call
//! into the core. URLs are printed without their password.

use std::process::ExitCode;

use clap::Subcommand;
use coupondesk_core::{ApiError, Desk};

use crate::print::Out;

#[derive(Subcommand)]
pub enum HubCommand {
    /// Create (or migrate) the hub's schema in a PostgreSQL database, with an
    /// administrator's URL: postgres://ADMIN[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=..].
    /// A second init is a no-op.
    Init {
        #[arg(long)]
        url: String,
        /// The merchant's name, recorded in the hub.
        #[arg(long)]
        merchant: Option<String>,
    },
    /// Attach this desk to the hub as TERMINAL of STORE (an administrator's URL): makes
    /// the terminal's own role, uploads this desk's batches and codes the hub lacks, then
    /// downloads the hub's.
    Join {
        #[arg(long)]
        url: String,
        #[arg(long)]
        store: String,
        #[arg(long)]
        terminal: String,
    },
    /// The hub this desk joined, whether it answers (within the desk's deadline), its
    /// schema version, the last contact and the lag in changes.
    Status,
    /// Make a desk the platform desk: the one desk of the hub that sends the five
    /// platforms' operations for every desk (the others relay their changes to it at each
    /// push). Without --store and --terminal: this desk. Needs the hub-settings right.
    PlatformDesk {
        #[arg(long, requires = "terminal")]
        store: Option<String>,
        #[arg(long, requires = "store")]
        terminal: Option<String>,
    },
    /// Whether vouchers and bonuses may be used at this desk when the hub does not answer
    /// (both off by default: a use made offline may be made at another desk too, and the
    /// service or the money is then given twice; such a double is a use conflict on the
    /// Sync page). Without flags: shows both. Setting needs the hub-settings right
    /// (managers, the owner); each change is audited.
    OfflineUses {
        #[arg(long, value_enum)]
        vouchers: Option<OnOff>,
        #[arg(long, value_enum)]
        bonuses: Option<OnOff>,
    },
    /// Every desk's audit trail at the hub: verify its chains, list it (a manager).
    Audit {
        #[command(subcommand)]
        cmd: crate::hub_audit::HubAuditCommand,
    },
    #[command(flatten)]
    Claims(crate::hub_claims::HubClaimsCommand),
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct OfflineUses {
    vouchers: bool,
    bonuses: bool,
}

pub fn hub(desk: &Desk, cmd: HubCommand, out: &Out) -> Result<ExitCode, ApiError> {
    match cmd {
        HubCommand::Claims(cmd) => return crate::hub_claims::hub_claims(desk, cmd, out),
        HubCommand::Audit { cmd } => return crate::hub_audit::hub_audit(desk, cmd, out),
        HubCommand::Init { url, merchant } => {
            let r = desk.hub_init(&url, merchant.as_deref())?;
            let text = if r.from_version == r.version {
                format!(
                    "hub {} is at schema version {} (nothing to do)",
                    r.url, r.version
                )
            } else {
                format!(
                    "hub {} now at schema version {} (was {}); terminals' group role {}",
                    r.url, r.version, r.from_version, r.terminal_group
                )
            };
            out.value(&r, &text)?;
        }
        HubCommand::Join {
            url,
            store,
            terminal,
        } => {
            let r = desk.hub_join(&url, &store, &terminal)?;
            let m = &r.moved;
            let mut text = format!(
                "joined {} as terminal {} of store {} (role {}): uploaded {} batches and {} codes, \
                 {} templates, {} batch links and {} customers, downloaded {} batches and {} \
                 codes, {} templates, {} batch links and {} customers, {} statuses from the \
                 hub, in {:.1} s",
                r.url,
                r.terminal,
                r.store,
                r.role,
                m.batches_uploaded,
                m.codes_uploaded,
                m.templates_uploaded,
                m.links_uploaded,
                m.customers_uploaded,
                m.batches_downloaded,
                m.codes_downloaded,
                m.templates_downloaded,
                m.links_applied,
                m.customers_downloaded,
                m.statuses_applied,
                r.elapsed_ms as f64 / 1000.0
            );
            text.push_str(&format!(
                "; bonuses: {} uploaded, {} downloaded; staff accounts: {} uploaded, {} \
                 downloaded",
                m.bonuses_uploaded, m.bonuses_downloaded, m.staff_uploaded, m.staff_downloaded
            ));
            text.push_str(&audit_line(&m.audit));
            for s in &m.skipped {
                text.push_str("\n  ");
                text.push_str(s);
            }
            out.value(&r, &text)?;
        }
        HubCommand::Status => {
            let s = desk.hub_status()?;
            let contact = when(s.last_contact_ms);
            let text = if s.reachable {
                format!(
                    "hub {} (schema {}), store {}, terminal {}: online, lag {} changes, last contact {contact}",
                    s.url,
                    s.schema_version.unwrap_or(0),
                    s.store,
                    s.terminal,
                    s.lag.unwrap_or(0)
                )
            } else {
                format!(
                    "hub {}, store {}, terminal {}: OFFLINE ({}), last contact {contact}",
                    s.url,
                    s.store,
                    s.terminal,
                    s.error.as_deref().unwrap_or("no answer")
                )
            };
            let mut text = format!("{text}\n{}", platform_line(&s.platform));
            for t in &s.terminals {
                text.push_str(&format!("\n{}", terminal_line(t)));
            }
            out.value(&s, &text)?;
        }
        HubCommand::OfflineUses { vouchers, bonuses } => {
            if let Some(v) = vouchers {
                desk.hub_set_vouchers_offline(matches!(v, OnOff::On))?;
            }
            if let Some(b) = bonuses {
                desk.hub_set_bonuses_offline(matches!(b, OnOff::On))?;
            }
            let now = OfflineUses {
                vouchers: desk.hub_vouchers_offline()?,
                bonuses: desk.hub_bonuses_offline()?,
            };
            let word = |on: bool| if on { "allowed" } else { "refused" };
            let text = format!(
                "when the hub does not answer: vouchers {}, bonuses {}",
                word(now.vouchers),
                word(now.bonuses)
            );
            out.value(&now, &text)?;
        }
        HubCommand::PlatformDesk { store, terminal } => {
            let p = desk.hub_platform_desk_set(store.as_deref(), terminal.as_deref())?;
            out.value(&p, &platform_line(&p))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One terminal of the hub: where, when it last reached the hub, how far behind.
fn terminal_line(t: &coupondesk_core::desk::hub::HubTerminal) -> String {
    format!(
        "  terminal {} / {}{}: last contact {}, lag {} changes",
        t.store,
        t.terminal,
        if t.this_desk { " (this desk)" } else { "" },
        when(t.last_contact_ms),
        t.lag
    )
}

/// A contact's time in RFC 3339, or "never".
fn when(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|at| at.to_rfc3339())
        .unwrap_or_else(|| "never".to_owned())
}

/// One line on the platform desk: which desk, what waits at the hub and here.
fn platform_line(p: &coupondesk_core::desk::hub_relay::PlatformDeskStatus) -> String {
    let Some(name) = &p.desk else {
        return "platform desk: none chosen (each desk sends its own changes to the platforms)"
            .to_owned();
    };
    let mut line = format!(
        "platform desk: {name}{}",
        if p.this_desk { " (this desk)" } else { "" }
    );
    if let Some(n) = p.untaken {
        line.push_str(&format!(", {n} records waiting at the hub"));
    }
    if let Some(n) = p.taken_by_others.filter(|n| *n > 0) {
        line.push_str(&format!(
            ", {n} taken by a former platform desk and not confirmed"
        ));
    }
    if p.to_relay > 0 {
        line.push_str(&format!(", {} to relay from this desk", p.to_relay));
    }
    if p.waiting > 0 {
        line.push_str(&format!(
            ", {} waiting here ({})",
            p.waiting,
            p.waiting_why.as_deref().unwrap_or("a row has not arrived")
        ));
    }
    line
}

/// The audit trail's upload in a join's or a pull's report.
pub(crate) fn audit_line(a: &coupondesk_core::desk::hub_audit::AuditSent) -> String {
    let mut text = format!(
        "; audit trail: {} entries sent ({} already there), at the hub up to entry {}",
        a.sent, a.same, a.sent_up_to
    );
    if let Some(why) = &a.refused {
        text.push_str(&format!("\n  {why}"));
    }
    text
}
