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
//!   release, it is queued in the hub outbox (`hub_push` sends it; a release that
//!   already landed finds nothing, and one whose voucher this desk used again meanwhile
//!   is dropped: the hub's claim is that use).

use chrono::{DateTime, Utc};

use super::hub_session::Linked;
use super::{Desk, DeskResult};
use crate::api_error::FieldError;
use crate::domain::staff::Permission;
use crate::domain::voucher::Voucher;
use crate::hub::voucher_claims::{self, VoucherClaim};
use crate::hub::HubError;
use crate::store::hub_offline_uses::{self, HubUseKind};
use crate::store::hub_use_conflicts::{self, HubUseConflict};
use crate::store::vouchers::{self, VoucherError};
use crate::store::{hub_claims, hub_records};

impl Desk {
    /// `linked` is None when the desk is joined but its hub cannot even be opened: then
    /// as if the hub did not answer.
    pub(super) fn use_voucher_chained(
        &self,
        linked: Option<&Linked>,
        id: i64,
    ) -> DeskResult<Voucher> {
        // In whole ms, as the desk keeps times: a queued release names the claim by this
        // time (the outbox keeps ms), and the hub's `release_voucher` matches it exactly.
        let now =
            DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_default();
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
        if !answered && !hub_offline_uses::allowed(&self.conn(), HubUseKind::Voucher)? {
            return Err(VoucherError::OfflineNotAllowed { id }.into());
        }
        let out = vouchers::use_voucher(&mut self.conn(), id, now);
        if let (Err(e), Some((linked, uid))) = (&out, &claimed) {
            // Used here meanwhile (another window, or a pull that brought this very
            // claim back): the hub's claim is this terminal's use; keep it.
            if !matches!(e, VoucherError::AlreadyUsed { .. })
                && voucher_claims::release(&linked.hub, uid, now).is_err()
            {
                // Queued, so the voucher does not stay blocked at the hub.
                let _ = hub_claims::queue_voucher_release(&self.conn(), uid, now, Utc::now());
            }
        }
        Ok(out?)
    }

    /// Whether `kind` may be used while the hub does not answer (default: no).
    pub fn hub_offline_use(&self, kind: HubUseKind) -> DeskResult<bool> {
        Ok(hub_offline_uses::allowed(&self.conn(), kind)?)
    }

    /// Allows or forbids using `kind` while the hub does not answer; a manager's setting
    /// (permission `hubSettings`), audited `hub.vouchers_offline` / `hub.bonuses_offline`.
    pub fn hub_set_offline_use(&self, kind: HubUseKind, allowed: bool) -> DeskResult<bool> {
        let _who = self.act(Permission::HubSettings)?;
        hub_offline_uses::set_allowed(&mut self.conn(), kind, allowed)?;
        Ok(allowed)
    }

    /// Whether a voucher may be used while the hub does not answer (default: no).
    pub fn hub_vouchers_offline(&self) -> DeskResult<bool> {
        self.hub_offline_use(HubUseKind::Voucher)
    }

    /// Allows or forbids using vouchers while the hub does not answer.
    pub fn hub_set_vouchers_offline(&self, allowed: bool) -> DeskResult<bool> {
        self.hub_set_offline_use(HubUseKind::Voucher, allowed)
    }

    /// Whether a bonus may be used while the hub does not answer (default: no).
    pub fn hub_bonuses_offline(&self) -> DeskResult<bool> {
        self.hub_offline_use(HubUseKind::Bonus)
    }

    /// Allows or forbids using bonuses while the hub does not answer.
    pub fn hub_set_bonuses_offline(&self, allowed: bool) -> DeskResult<bool> {
        self.hub_set_offline_use(HubUseKind::Bonus, allowed)
    }

    /// The use conflicts, vouchers' and bonuses': uses made here that the hub refused at
    /// the upload because another desk's came first (the Sync page, beside the code
    /// conflicts).
    pub fn hub_use_conflicts(&self) -> DeskResult<Vec<HubUseConflict>> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(hub_use_conflicts::list(&self.conn())?)
    }

    /// A manager records how the conflict of `kind` `id` was settled; the note is
    /// required. False when there is none or it was settled already.
    pub fn hub_use_conflict_settle(
        &self,
        kind: HubUseKind,
        id: i64,
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
        Ok(hub_use_conflicts::settle(&mut self.conn(), kind, id, note)?)
    }
}
