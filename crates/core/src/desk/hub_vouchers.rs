//! A voucher's use at a joined desk (docs/chain-mode.md, "Vouchers"): claimed at the hub
//! first, as a code's redemption is (`hub_counter::gate`), then written here.
//!
//! What must stay true:
//! - the desk's own rules come first: a voucher used here (or known used elsewhere) is
//!   refused without asking the hub;
//! - a claim the hub refuses (another desk's use came first) is refused here with who,
//!   where and when, and nothing is written;
//! - when the hub does not answer, the use is refused unless a manager has allowed
//!   offline voucher use (`store::hub_vouchers`): a voucher used at two desks costs the
//!   merchant the service given twice; an allowed offline use goes up at the pull as
//!   before (its double a conflict);
//! - a claim whose local write fails is given back at once; when the hub cannot take the
//!   release, the claim stays this terminal's, and this desk's next use of the voucher
//!   finds it its own (not queued: see docs/chain-mode.md).

use chrono::Utc;

use super::hub_session::Linked;
use super::{Desk, DeskResult};
use crate::api_error::FieldError;
use crate::domain::staff::Permission;
use crate::domain::voucher::Voucher;
use crate::hub::voucher_claims::{self, VoucherClaim};
use crate::hub::HubError;
use crate::store::hub_voucher_conflicts::{self, HubVoucherConflict};
use crate::store::vouchers::{self, VoucherError};
use crate::store::{hub_records, hub_vouchers};

impl Desk {
    /// `linked` is None when the desk is joined but its hub cannot even be opened: then
    /// as if the hub did not answer.
    pub(super) fn use_voucher_chained(
        &self,
        linked: Option<&Linked>,
        id: i64,
    ) -> DeskResult<Voucher> {
        let now = Utc::now();
        let v = vouchers::get(&self.conn(), id)?;
        if let Some(at) = v.used_at {
            return Err(VoucherError::AlreadyUsed {
                id,
                name: v.name,
                at,
            }
            .into());
        }
        let mut claimed: Option<(&Linked, String)> = None;
        let mut answered = false;
        if let Some(linked) = linked.filter(|l| !l.rest.resting()) {
            let Some(row) = hub_records::voucher_out(&self.conn(), id)? else {
                return Err(VoucherError::NotFound(id).into());
            };
            let hv = super::hub_records::hub_voucher(row);
            let by = crate::store::acting::name();
            let answer = linked
                .hub
                .again_if_dropped(|| voucher_claims::claim(&linked.hub, &hv, now, &by));
            match &answer {
                Err(HubError::Offline(_)) => linked.rest.missed(),
                Err(_) => {}
                Ok(_) => linked.rest.answered(),
            }
            match answer {
                Ok(VoucherClaim::Claimed) => {
                    answered = true;
                    claimed = Some((linked, hv.uid));
                }
                Ok(VoucherClaim::Taken {
                    by,
                    at,
                    terminal,
                    store,
                }) => {
                    return Err(VoucherError::UsedElsewhere {
                        id,
                        name: v.name,
                        at,
                        by,
                        terminal,
                        store,
                    }
                    .into())
                }
                // A hub older than schema 7 takes no claim: decided here, uploaded at the
                // pull, as before.
                Ok(VoucherClaim::OldHub) => answered = true,
                Err(_) => {}
            }
        }
        if !answered && !hub_vouchers::offline_allowed(&self.conn())? {
            return Err(VoucherError::OfflineNotAllowed { id }.into());
        }
        let out = vouchers::use_voucher(&mut self.conn(), id, now);
        if let (Err(e), Some((linked, uid))) = (&out, &claimed) {
            // Used here meanwhile (another window, or a pull that brought this very
            // claim back): the hub's claim is this terminal's use; keep it.
            if !matches!(e, VoucherError::AlreadyUsed { .. }) {
                let _ = voucher_claims::release(&linked.hub, uid, now);
            }
        }
        Ok(out?)
    }

    /// Whether a voucher may be used while the hub does not answer (default: no).
    pub fn hub_vouchers_offline(&self) -> DeskResult<bool> {
        Ok(hub_vouchers::offline_allowed(&self.conn())?)
    }

    /// Allows or forbids using vouchers while the hub does not answer; a manager's
    /// setting, audited `hub.vouchers_offline`.
    pub fn hub_set_vouchers_offline(&self, allowed: bool) -> DeskResult<bool> {
        let _who = self.act(Permission::HubSettings)?;
        hub_vouchers::set_offline_allowed(&mut self.conn(), allowed)?;
        Ok(allowed)
    }

    /// The voucher conflicts: uses made here that the hub refused at the upload because
    /// another desk's came first (the Sync page, beside the code conflicts).
    pub fn hub_voucher_conflicts(&self) -> DeskResult<Vec<HubVoucherConflict>> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(hub_voucher_conflicts::list(&self.conn())?)
    }

    /// A manager records how the conflict of voucher `voucher_id` was settled; the note
    /// is required. False when there is none or it was settled already.
    pub fn hub_voucher_conflict_settle(
        &self,
        voucher_id: i64,
        settlement: &str,
    ) -> DeskResult<bool> {
        let _who = self.act(Permission::Conflicts)?;
        let note = settlement.trim();
        if note.is_empty() {
            return Err(VoucherError::InvalidFields(vec![FieldError::new(
                "settlement",
                "required",
                "say how the conflict was settled (for example: the customer paid again)",
            )])
            .into());
        }
        Ok(hub_voucher_conflicts::settle(
            &mut self.conn(),
            voucher_id,
            note,
        )?)
    }
}
