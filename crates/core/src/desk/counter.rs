//! Use cases of the counter: check, redeem, undo, disable, the redemption history and the
//! shop's settings. All offline, against the local file.

use chrono::Utc;

use super::{Desk, DeskResult};
use crate::domain::lifecycle::CodeStatus;
use crate::domain::redeem::{RedeemCheck, RedeemOutcome, RedeemRequest, Redemption, Settings};
use crate::domain::{Page, PageRequest};
use crate::store::redemptions::{self, Counter, UndoTarget};
use crate::store::settings;

impl Desk {
    pub fn redeem_check(&self, req: &RedeemRequest) -> DeskResult<RedeemCheck> {
        Ok(redemptions::check(&self.conn(), req, Utc::now())?)
    }

    /// Redeems when the code is redeemable; `counter` overrides the settings' operator and
    /// terminal (the CLI's --operator / --terminal).
    pub fn redeem_use(
        &self,
        req: &RedeemRequest,
        counter: Option<&Counter>,
    ) -> DeskResult<RedeemOutcome> {
        self.recording(|c| redemptions::redeem(c, req, counter, Utc::now()))
    }

    pub fn redeem_undo(
        &self,
        target: UndoTarget<'_>,
        counter: Option<&Counter>,
    ) -> DeskResult<Redemption> {
        self.recording(|c| redemptions::undo(c, target, counter, Utc::now()))
    }

    pub fn list_redemptions(&self, page: PageRequest) -> DeskResult<Page<Redemption>> {
        let page = page.validated()?;
        Ok(redemptions::list(&self.conn(), page)?)
    }

    pub fn disable_code(&self, code: &str, counter: Option<&Counter>) -> DeskResult<CodeStatus> {
        self.recording(|c| redemptions::disable(c, code, counter))
    }

    pub fn settings(&self) -> DeskResult<Settings> {
        Ok(settings::get(&self.conn())?)
    }

    pub fn save_settings(&self, s: Settings) -> DeskResult<Settings> {
        Ok(settings::save(&self.conn(), s)?)
    }
}
