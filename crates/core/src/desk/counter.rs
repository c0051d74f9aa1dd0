//! Use cases of the counter: check, redeem, undo, disable, the redemption history and the
//! shop's settings. All offline, against the local file.

use chrono::Utc;

use super::{Desk, DeskResult};
use crate::domain::lifecycle::CodeStatus;
use crate::domain::redeem::{RedeemCheck, RedeemOutcome, RedeemRequest, Redemption, Settings};
use crate::domain::staff::Permission;
use crate::domain::{Page, PageRequest};
use crate::store::counter_lane::CounterTurn;
use crate::store::redemptions::{self, UndoTarget};
use crate::store::{bonus_undo, settings};

impl Desk {
    pub fn redeem_check(&self, req: &RedeemRequest) -> DeskResult<RedeemCheck> {
        let check = redemptions::check(&self.conn(), req, Utc::now())?;
        // Chain mode: a code used at another desk is refused with who, where and when.
        match self.linked_hub() {
            Ok(Some(linked)) => Ok(self.redeem_check_chained(&linked, check)),
            _ => Ok(check),
        }
    }

    /// Redeems when the code is redeemable, as the logged-in staff member.
    pub fn redeem_use(&self, req: &RedeemRequest) -> DeskResult<RedeemOutcome> {
        let _who = self.act(Permission::Redeem)?;
        let _turn = CounterTurn::take(&self.path);
        match self.linked_hub() {
            Ok(Some(linked)) => return self.redeem_chained(Some(&linked), req),
            Ok(None) => {}
            // Joined, but the hub cannot be opened here: decide offline, never stop.
            Err(_) if self.hub_joined()? => return self.redeem_chained(None, req),
            Err(e) => return Err(e),
        }
        self.recording(|c| redemptions::redeem(c, req, Utc::now()))
    }

    /// Undoes a redemption within the undo window: a cashier only their own, a manager or
    /// the owner anyone's.
    pub fn redeem_undo(&self, target: UndoTarget<'_>) -> DeskResult<Redemption> {
        let who = self.act(Permission::UndoOwn)?;
        let only_by = who.undo_limited_to();
        let _turn = CounterTurn::take(&self.path);
        self.recording(|c| redemptions::undo(c, target, only_by, Utc::now()))
    }

    /// Undoes a bonus redemption (by its row, or by the bonus's code), under the same
    /// rules as a coupon's.
    pub fn bonus_redeem_undo(&self, target: UndoTarget<'_>) -> DeskResult<Redemption> {
        let who = self.act(Permission::UndoOwn)?;
        let only_by = who.undo_limited_to();
        let undone = self.recording(|c| bonus_undo::undo(c, target, only_by, Utc::now()))?;
        // A joined desk gives its use back at the hub now (desk/hub_bonuses.rs).
        self.release_bonus_now(&undone.code)?;
        Ok(undone)
    }

    pub fn list_redemptions(&self, page: PageRequest) -> DeskResult<Page<Redemption>> {
        let page = page.validated()?;
        let page = redemptions::list(&self.conn(), page)?;
        self.for_viewer(page)
    }

    pub fn disable_code(&self, code: &str) -> DeskResult<CodeStatus> {
        let _who = self.act(Permission::DisableCodes)?;
        let status = self.recording(|c| redemptions::disable(c, code))?;
        self.hub_disable_now();
        Ok(status)
    }

    pub fn settings(&self) -> DeskResult<Settings> {
        Ok(settings::get(&self.conn())?)
    }

    pub fn save_settings(&self, s: Settings) -> DeskResult<Settings> {
        let _who = self.act(Permission::Settings)?;
        Ok(settings::save(&self.conn(), s)?)
    }
}
