//! Sync use cases: platform settings, status, runs, the outbox and its conflict inbox,
//! bulk activation of codes on e-Buy.

use super::{Desk, DeskResult};
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::sync::engine::{self, RunOptions};
use crate::sync::{
    activation, credentials, outbox, probe, router, settings, ActivationReport, ActivationRequest,
    ConnectionTest, CredentialStore, OutboxItem, OutboxQuery, Platform, PlatformSettings,
    PlatformSettingsInput, SyncReport, SyncStatus,
};

impl Desk {
    pub fn sync_status(&self) -> DeskResult<SyncStatus> {
        let mut conn = self.conn();
        // The queue counts include what was recorded but not routed yet.
        router::route_pending(&mut conn)?;
        Ok(settings::status(&conn, &self.path)?)
    }

    pub fn sync_settings(&self) -> DeskResult<Vec<PlatformSettings>> {
        Ok(settings::all(&self.conn(), &self.path)?)
    }

    /// Where the platforms' secrets are kept (the OS keyring or the file), for Settings.
    /// Moves a credentials file left from before into the keyring first.
    pub fn credentials_store(&self) -> DeskResult<CredentialStore> {
        Ok(credentials::store(&self.path)?)
    }

    pub fn sync_save_settings(
        &self,
        input: &PlatformSettingsInput,
    ) -> DeskResult<PlatformSettings> {
        let _who = self.act(Permission::Credentials)?;
        Ok(settings::save(&mut self.conn(), &self.path, input)?)
    }

    /// Drains the outbox (all enabled platforms, or one) and pulls remote state. Blocks
    /// while it talks to the platforms; uses its own connection, so the window's other
    /// actions go on meanwhile.
    pub fn sync_run(
        &self,
        platform: Option<Platform>,
        opts: &RunOptions,
    ) -> DeskResult<SyncReport> {
        let _who = self.act(Permission::SyncRun)?;
        Ok(engine::run(&self.path, platform, opts)?)
    }

    /// The window's periodic sync: the desk's own work, not a person's, so it runs while
    /// the desk is locked. It only sends what staff already did (each queued change names
    /// who did it) and applies what the platforms say; its entries name `sync`.
    pub fn sync_background(&self, opts: &RunOptions) -> DeskResult<SyncReport> {
        let _who = crate::store::acting::enter(crate::store::acting::Acting {
            name: "sync".to_owned(),
            staff_id: None,
            terminal: None,
        });
        // Chain mode: what waited for the hub goes first, then what other desks did comes
        // in. Their failures stay on the hub outbox's rows and the link's last error (the
        // next run tries again); they are not the platforms'.
        let _ = self.hub_push_background();
        let _ = self.hub_pull_background();
        Ok(engine::run(&self.path, None, opts)?)
    }

    /// "Test connection": read-only requests with the saved settings (see
    /// `sync::probe`); the verdict is stored for the Sync card. Blocks up to about twice
    /// `timeout` (000 sends two requests).
    pub fn sync_test(
        &self,
        platform: Platform,
        timeout: std::time::Duration,
    ) -> DeskResult<ConnectionTest> {
        let _who = self.act(Permission::SyncRun)?;
        let (s, secret) = {
            let conn = self.conn();
            (
                settings::get(&conn, &self.path, platform)?,
                credentials::get(&self.path, platform)?,
            )
        };
        let t = probe::test(&s, secret.as_ref(), timeout);
        settings::note_test(&self.conn(), &t)?;
        Ok(t)
    }

    pub fn sync_outbox(&self, q: &OutboxQuery) -> DeskResult<Page<OutboxItem>> {
        let mut conn = self.conn();
        router::route_pending(&mut conn)?;
        Ok(outbox::list(&conn, q)?)
    }

    pub fn sync_conflict_retry(&self, id: i64) -> DeskResult<OutboxItem> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(outbox::retry(&mut self.conn(), id)?)
    }

    pub fn sync_conflict_edit(
        &self,
        id: i64,
        payload: serde_json::Value,
    ) -> DeskResult<OutboxItem> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(outbox::edit(&mut self.conn(), id, payload)?)
    }

    pub fn sync_conflict_discard(&self, id: i64, reason: &str) -> DeskResult<OutboxItem> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(outbox::discard(&mut self.conn(), id, reason)?)
    }

    pub fn codes_activate(&self, req: &ActivationRequest) -> DeskResult<ActivationReport> {
        let _who = self.act(Permission::BulkActivation)?;
        self.activation_here()?;
        Ok(activation::run(&mut self.conn(), &self.path, req)?)
    }
}
