//! The desk's open hub: one pool per Desk, opened at the first redemption (or push) that
//! needs it, from the link (`store::hub_link`) and the terminal's password
//! (`sync::credentials`), so the counter's claims reuse warm connections.
//!
//! What must stay true: the link is read on every use (one small local query), so a
//! `hub join` or a change of the link made by another process (the CLI beside the
//! window) takes effect at the next redemption; a pool opened for an older link is
//! dropped, never used for the new one.

use std::sync::Arc;
use std::time::Duration;

use super::{Desk, DeskResult};
use crate::hub::{Hub, HubUrl};
use crate::store::hub_link;
use crate::sync::credentials;

/// The link a pool was opened for: the hub's URL, the role and the deadline.
pub(super) type HubSlot = Option<(String, Arc<Hub>)>;

impl Desk {
    /// The hub this desk is joined to; None when it is not joined.
    pub(super) fn linked_hub(&self) -> DeskResult<Option<Arc<Hub>>> {
        let link = hub_link::get(&self.conn())?;
        let mut slot = self.hub.lock().unwrap_or_else(|p| p.into_inner());
        let Some(link) = link else {
            *slot = None;
            return Ok(None);
        };
        let key = format!("{}\n{}\n{}", link.url, link.role, link.deadline_ms);
        if let Some((k, hub)) = slot.as_ref() {
            if *k == key {
                return Ok(Some(hub.clone()));
            }
        }
        let password = credentials::get_hub(&self.path)?;
        let url = HubUrl::parse(&link.url)?
            .as_user(&link.role, password.as_ref().map(|s| s.expose()));
        let deadline = Duration::from_millis(u64::try_from(link.deadline_ms).unwrap_or(1000));
        let hub = Arc::new(Hub::open(&url, deadline)?);
        *slot = Some((key, hub.clone()));
        Ok(Some(hub))
    }
}
