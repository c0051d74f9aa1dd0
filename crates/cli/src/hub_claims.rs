//! `coupondesk hub push|pull|conflicts|settle`: the claims' side of chain mode
//! (docs/chain-mode.md). A redemption at a joined desk claims its code at the hub by
//! itself (`redeem use`); these commands send what waited for the hub and show what the
//! hub found doubled.

use std::process::ExitCode;

use clap::Subcommand;
use coupondesk_core::domain::money::format_yuan;
use coupondesk_core::store::hub_claims::HubConflict;
use coupondesk_core::{ApiError, Desk};

use crate::print::Out;

#[derive(Subcommand)]
pub enum HubClaimsCommand {
    /// Send what the hub has still to hear of (offline redemptions, undone claims).
    /// Exit 4 when some stay queued.
    Push,
    /// Bring in what other desks did: code statuses, new batches (and send the batches
    /// made here that the hub lacks). Exit 4 when the hub stopped answering midway.
    Pull,
    /// The conflict inbox: redemptions made offline here whose code another counter had
    /// first, with both redemptions.
    Conflicts,
    /// Lease COUNT free codes of a batch to one counter (a stack of printed vouchers for
    /// it): only that counter may redeem them, offline too. Prints the codes, or writes
    /// them one per line to --out.
    Lease {
        #[arg(long, value_name = "T")]
        batch: String,
        #[arg(long)]
        store: String,
        #[arg(long)]
        terminal: String,
        #[arg(long)]
        count: u32,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// End a lease: its unused codes are free for every counter again.
    LeaseReturn { id: i64 },
    /// Record how a conflict was settled (a manager).
    Settle {
        id: i64,
        /// What was done, e.g. "customer paid 20.00".
        #[arg(long)]
        note: String,
    },
}

pub fn hub_claims(desk: &Desk, cmd: HubClaimsCommand, out: &Out) -> Result<ExitCode, ApiError> {
    match cmd {
        HubClaimsCommand::Push => {
            let r = desk.hub_push()?;
            let mut text = format!(
                "uploaded {}, conflicts {}, released {}, left queued {}",
                r.uploaded, r.conflicts, r.released, r.left
            );
            if r.disabled + r.disabled_too_late > 0 {
                text.push_str(&format!(
                    "; disables sent {} ({} of those codes were already redeemed elsewhere: \
                     the hub keeps the redemption)",
                    r.disabled + r.disabled_too_late,
                    r.disabled_too_late
                ));
            }
            if let Some(why) = &r.stopped {
                text.push_str(&format!("; stopped: {why}"));
            }
            out.value(&r, &text)?;
            Ok(if r.left > 0 {
                ExitCode::from(4)
            } else {
                ExitCode::SUCCESS
            })
        }
        HubClaimsCommand::Pull => {
            let r = desk.hub_pull()?;
            let mut text = format!(
                "pulled to seq {} ({} changes): {} statuses applied, {} batches ({} codes), \
                 {} templates, {} batch links and {} customers downloaded; {} batches ({} \
                 codes), {} templates, {} batch links and {} customers uploaded",
                r.pulled_seq,
                r.changes,
                r.statuses_applied,
                r.batches_downloaded,
                r.codes_downloaded,
                r.templates_downloaded,
                r.links_applied,
                r.customers_downloaded,
                r.batches_uploaded,
                r.codes_uploaded,
                r.templates_uploaded,
                r.links_uploaded,
                r.customers_uploaded
            );
            text.push_str(&format!(
                "; vouchers: {} sold and {} uses sent, {} uses refused (used at another desk \
                 first), {} received",
                r.vouchers_uploaded,
                r.voucher_uses_uploaded,
                r.voucher_conflicts,
                r.vouchers_downloaded
            ));
            text.push_str(&format!(
                "; bonuses: {} made and {} grants, uses or disables sent, {} uses refused \
                 (used at another desk first), {} received",
                r.bonuses_uploaded,
                r.bonus_states_uploaded,
                r.bonus_conflicts,
                r.bonuses_downloaded
            ));
            text.push_str(&format!(
                "; staff accounts: {} sent, {} received",
                r.staff_uploaded, r.staff_downloaded
            ));
            text.push_str(&crate::hub::audit_line(&r.audit));
            for why in &r.skipped {
                text.push_str(&format!("\n{why}"));
            }
            if let Some(why) = &r.stopped {
                text.push_str(&format!("; stopped: {why}"));
            }
            out.value(&r, &text)?;
            Ok(if r.stopped.is_some() {
                ExitCode::from(4)
            } else {
                ExitCode::SUCCESS
            })
        }
        HubClaimsCommand::Conflicts => {
            let all = desk.hub_conflicts()?;
            let text: Vec<String> = all.iter().map(conflict_line).collect();
            let text = if text.is_empty() {
                "no conflicts".to_owned()
            } else {
                text.join("\n")
            };
            out.value(&all, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        HubClaimsCommand::Lease {
            batch,
            store,
            terminal,
            count,
            note,
            out: file,
        } => {
            let lease = desk.hub_lease(&batch, &store, &terminal, count, &note)?;
            let mut text = format!(
                "lease {}: {} codes of {batch} for {terminal} in {store}",
                lease.id,
                lease.codes.len()
            );
            match &file {
                Some(path) => {
                    let body = lease.codes.join("\n") + "\n";
                    std::fs::write(path, body).map_err(|e| {
                        ApiError::new(
                            "export_failed",
                            format!("could not write {}: {e}; the lease stands", path.display()),
                        )
                    })?;
                    text.push_str(&format!(", written to {}", path.display()));
                }
                None => {
                    text.push('\n');
                    text.push_str(&lease.codes.join("\n"));
                }
            }
            out.value(&lease, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        HubClaimsCommand::LeaseReturn { id } => {
            let freed = desk.hub_lease_return(id)?;
            out.value(
                &serde_json::json!({ "id": id, "freed": freed }),
                &format!("lease {id} returned; {freed} codes free again"),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        HubClaimsCommand::Settle { id, note } => {
            if note.trim().is_empty() {
                return Err(ApiError::new(
                    "invalid_request",
                    "say how the conflict was settled with --note",
                ));
            }
            if !desk.hub_conflict_settle(id, &note)? {
                return Err(ApiError::new(
                    "conflict_not_found",
                    format!("no open conflict {id}; list them with `coupondesk hub conflicts`"),
                ));
            }
            out.value(
                &serde_json::json!({ "id": id, "settled": true }),
                &format!("conflict {id} settled"),
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn conflict_line(c: &HubConflict) -> String {
    let kept = match (&c.kept_staff, &c.kept_terminal, &c.kept_store, c.kept_at) {
        (Some(staff), Some(terminal), Some(store), Some(at)) => {
            format!("{staff} on {terminal} in {store} at {}", at.to_rfc3339())
        }
        _ => c.reason.clone(),
    };
    let state = match &c.settled_at {
        Some(at) => format!(
            "settled {} by {}: {}",
            at.to_rfc3339(),
            c.settled_by.as_deref().unwrap_or(""),
            c.settlement.as_deref().unwrap_or("")
        ),
        None => "open".to_owned(),
    };
    format!(
        "#{} {}: here {} on {} at {} (-{}); first {}; {}",
        c.id,
        c.code,
        c.operator,
        c.terminal,
        c.redeemed_at.to_rfc3339(),
        format_yuan(c.reduction_fen),
        kept,
        state
    )
}
