//! The desk's open hub: one pool per Desk, opened at the first redemption (or push) that
//! needs it, from the link (`store::hub_link`) and the terminal's password
//! (`sync::credentials`), so the counter's claims reuse warm connections.
//!
//! What must stay true: the link is read on every use (one small local query), so a
//! `hub join` or a change of the link made by another process (the CLI beside the
//! window) takes effect at the next redemption; a pool opened for an older link is
//! dropped, never used for the new one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Desk, DeskResult};
use crate::hub::{Hub, HubUrl};
use crate::store::hub_link;
use crate::sync::credentials;

/// The pool, and the link it was opened for (the hub's URL, the role and the deadline).
pub(super) type HubSlot = Option<(String, Linked)>;

/// After a claim misses its deadline the counter does not ask the hub again for this
/// long: each scan would otherwise wait the whole deadline while the network is dead.
/// Redemptions meanwhile are decided offline (by the templates' policies) and uploaded
/// later; a hub back sooner costs at most this long of offline decisions.
pub const REST_AFTER_MISS: Duration = Duration::from_secs(3);

/// The desk's open hub.
#[derive(Clone)]
pub(super) struct Linked {
    pub hub: Arc<Hub>,
    pub rest: Arc<Rest>,
    /// This desk's terminal and store names at the hub.
    pub terminal: String,
    pub store: String,
}

/// When the counter may ask the hub again.
#[derive(Default)]
pub(super) struct Rest(Mutex<Option<Instant>>);

impl Rest {
    pub fn resting(&self) -> bool {
        let until = *self.0.lock().unwrap_or_else(|p| p.into_inner());
        until.is_some_and(|t| Instant::now() < t)
    }

    pub fn missed(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + REST_AFTER_MISS);
    }

    pub fn answered(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl Desk {
    /// Whether this desk is joined to a hub.
    pub(super) fn hub_joined(&self) -> DeskResult<bool> {
        Ok(hub_link::get(&self.conn())?.is_some())
    }

    /// The hub this desk is joined to; None when it is not joined.
    pub(super) fn linked_hub(&self) -> DeskResult<Option<Linked>> {
        let link = hub_link::get(&self.conn())?;
        let mut slot = self.hub.lock().unwrap_or_else(|p| p.into_inner());
        let Some(link) = link else {
            *slot = None;
            return Ok(None);
        };
        let key = format!(
            "{}\n{}\n{}\n{}\n{}",
            link.url, link.role, link.deadline_ms, link.terminal, link.store
        );
        if let Some((k, linked)) = slot.as_ref() {
            if *k == key {
                return Ok(Some(linked.clone()));
            }
        }
        let password = credentials::get_hub(&self.path)?;
        let url =
            HubUrl::parse(&link.url)?.as_user(&link.role, password.as_ref().map(|s| s.expose()));
        let deadline = Duration::from_millis(u64::try_from(link.deadline_ms).unwrap_or(1000));
        let linked = Linked {
            hub: Arc::new(Hub::open(&url, deadline)?),
            rest: Arc::default(),
            terminal: link.terminal.clone(),
            store: link.store.clone(),
        };
        *slot = Some((key, linked.clone()));
        Ok(Some(linked))
    }
}
