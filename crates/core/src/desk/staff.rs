//! The owner's use cases for staff accounts. Logging in and out is in `session.rs`.

use chrono::Utc;

use super::{Desk, DeskResult};
use crate::domain::staff::{Permission, Role, StaffDraft, StaffMember};
use crate::store::staff;

impl Desk {
    /// Every account, active first. Names and roles only (the login screen lists them).
    pub fn staff_list(&self) -> DeskResult<Vec<StaffMember>> {
        Ok(staff::list(&self.conn())?)
    }

    /// Adds an account. On a database without any, the rules of the first start's owner
    /// apply (`setup_owner`): the first account is the owner.
    pub fn staff_add(&self, draft: &StaffDraft) -> DeskResult<StaffMember> {
        let who = self.act(Permission::StaffAccounts)?;
        let first_owner = who.role.is_none();
        Ok(staff::add(
            &mut self.conn(),
            draft,
            first_owner,
            Utc::now(),
        )?)
    }

    pub fn staff_disable(&self, name: &str) -> DeskResult<StaffMember> {
        let _who = self.act(Permission::StaffAccounts)?;
        Ok(staff::disable(&mut self.conn(), name)?)
    }

    pub fn staff_reset_pin(&self, name: &str, pin: &str) -> DeskResult<StaffMember> {
        let _who = self.act(Permission::StaffAccounts)?;
        Ok(staff::reset_pin(&mut self.conn(), name, pin)?)
    }

    /// Enables a disabled account (one set aside by a chain's name clash included).
    pub fn staff_enable(&self, name: &str) -> DeskResult<StaffMember> {
        let _who = self.act(Permission::StaffAccounts)?;
        Ok(staff::enable(&mut self.conn(), name)?)
    }

    /// Gives an account another role (the last active owner stays an owner).
    pub fn staff_set_role(&self, name: &str, role: Role) -> DeskResult<StaffMember> {
        let _who = self.act(Permission::StaffAccounts)?;
        Ok(staff::set_role(&mut self.conn(), name, role)?)
    }
}
