//! Leases (docs/chain-mode.md, "Leases"): a manager hands a stack of a batch's codes to
//! one counter, which alone may redeem them, offline too; the hub refuses them to every
//! other terminal. The hub side is `hub::claims::{lease, return_lease, my_leased_codes}`.

use super::hub_counter::HubPushReport;
use super::{Desk, DeskResult};
use crate::domain::staff::Permission;
use crate::hub::claims::{self, Lease};
use crate::hub::{Hub, HubError};
use crate::store::{audit, hub_claims};

impl Desk {
    /// Leases `count` free codes of batch `ticket_type` to `terminal` of `store` (the
    /// batch's first free codes in code order); the codes, to print or hand over.
    pub fn hub_lease(
        &self,
        ticket_type: &str,
        store: &str,
        terminal: &str,
        count: u32,
        note: &str,
    ) -> DeskResult<Lease> {
        let _who = self.act(Permission::Settings)?;
        let linked = self.linked_hub()?.ok_or(HubError::NotJoined)?;
        let by = crate::store::acting::name();
        let lease = claims::lease(
            &linked.hub,
            ticket_type.trim(),
            store.trim(),
            terminal.trim(),
            i64::from(count),
            &by,
            note.trim(),
        )?;
        audit::record_alone(
            &mut self.conn(),
            "hub.lease",
            ticket_type.trim(),
            &serde_json::json!({
                "lease": lease.id, "store": store.trim(), "terminal": terminal.trim(),
                "codes": lease.codes.len(), "note": note.trim(),
            }),
        )?;
        Ok(lease)
    }

    /// Ends lease `id`: its unused codes are free for every counter again. How many.
    pub fn hub_lease_return(&self, id: i64) -> DeskResult<i64> {
        let _who = self.act(Permission::Settings)?;
        let linked = self.linked_hub()?.ok_or(HubError::NotJoined)?;
        let freed = claims::return_lease(&linked.hub, id, &crate::store::acting::name())?;
        audit::record_alone(
            &mut self.conn(),
            "hub.lease_return",
            &id.to_string(),
            &serde_json::json!({ "lease": id, "freed": freed }),
        )?;
        Ok(freed)
    }

    /// The codes leased to this terminal, as the hub has them now (each push).
    pub(super) fn refresh_leased(&self, hub: &Hub, report: &mut HubPushReport) -> DeskResult<()> {
        report.leased = u32::try_from(self.leased_now(hub)?).unwrap_or(u32::MAX);
        Ok(())
    }

    /// Replaces this desk's leased codes with the hub's list: at each push, and at a pull
    /// that brought a lease made or returned anywhere (so a stack handed to this counter
    /// is usable offline as soon as the wake-up's pull has run). How many are leased here.
    pub(super) fn leased_now(&self, hub: &Hub) -> DeskResult<u64> {
        let leased = claims::my_leased_codes(hub)?;
        Ok(hub_claims::replace_leased(&mut self.conn(), &leased)?)
    }
}
