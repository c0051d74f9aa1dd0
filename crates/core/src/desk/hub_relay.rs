//! The platform desk (docs/chain-mode.md, "The platform desk"; issue 16: "the five
//! platforms are synced once per merchant, not once per desk"). One desk of a hub,
//! chosen in Settings, sends the platforms' operations for the whole hub. Every other
//! joined desk relays its change records to the hub at each push; the platform desk
//! takes them, routes them into its own outbox with the router and confirms them.
//!
//! What must stay true (exactly once, across crashes and switches):
//! - relay: a record is listed as sending (committed) before it is sent, removed after
//!   the hub's commit; the hub keys it (origin, local id), so a repeat adds nothing;
//! - take: the hub hands new rows to the platform desk of the moment only, and a taken
//!   row stays its taker's until that taker confirms it (a switch moves no taken row);
//! - route: the outbox rows of a taken row and its seq in `hub_relay_routed` are one
//!   local transaction; the confirm comes after. A row handed back after a crash whose
//!   seq is in that table is only confirmed, never routed twice;
//! - a row that names a template, batch or voucher this desk does not have yet waits
//!   (taken, not routed, not confirmed) and is routed by a later exchange, after a pull
//!   has brought the row. It is never dropped nor sent without its row.

use std::cell::Cell;

use chrono::{DateTime, Utc};
use rusqlite::TransactionBehavior;
use serde::Serialize;
use ts_rs::TS;

use super::{Desk, DeskResult};
use crate::domain::staff::Permission;
use crate::hub::relay::{self, Outgoing, PlatformState};
use crate::hub::{Hub, HubError};
use crate::store::{hub_link, hub_relay, StoreError};

/// Records sent to, or taken from, the hub per call.
const PAGE: usize = 500;

/// The platform desk as Settings and `hub status` show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlatformDeskStatus {
    /// "store / terminal"; None: none chosen (every desk sends its own changes).
    pub desk: Option<String>,
    /// This desk is the platform desk.
    pub this_desk: bool,
    /// Relayed records nobody has taken yet (None: the hub did not answer).
    #[ts(type = "number | null")]
    pub untaken: Option<i64>,
    /// Taken by another desk (a platform desk before a switch) and not confirmed yet.
    #[ts(type = "number | null")]
    pub taken_by_others: Option<i64>,
    /// Taken here and waiting for a row that has not reached this desk, and why.
    #[ts(type = "number")]
    pub waiting: i64,
    pub waiting_why: Option<String>,
    /// This desk's change records not sent to the hub (or the outbox) yet.
    #[ts(type = "number")]
    pub to_relay: i64,
}

/// What one exchange with the hub did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RelayReport {
    /// This desk's records the hub received (new to it).
    pub relayed: u32,
    /// Relayed records routed into this desk's outbox (at the platform desk).
    pub routed: u32,
    /// Relayed records confirmed at the hub.
    pub confirmed: u32,
    /// Taken records waiting for a row, and why.
    pub waiting: u32,
    pub waiting_why: Option<String>,
    /// Why the exchange stopped early (the hub stopped answering).
    pub stopped: Option<String>,
}

thread_local! {
    /// Test-only (debug builds): the next exchange on this thread stops between the
    /// local route and the hub's confirm, as a process killed there would.
    static STOP_BEFORE_CONFIRM: Cell<bool> = const { Cell::new(false) };
}

/// Test-only: the next exchange on this thread stops after its local route, before the
/// confirm (no effect in a release build).
#[doc(hidden)]
pub fn test_stop_before_confirm() {
    if cfg!(debug_assertions) {
        STOP_BEFORE_CONFIRM.with(|s| s.set(true));
    }
}

fn stop_here() -> bool {
    cfg!(debug_assertions) && STOP_BEFORE_CONFIRM.with(|s| s.replace(false))
}

fn name(store: &str, terminal: &str) -> String {
    format!("{store} / {terminal}")
}

impl Desk {
    /// Makes a desk the platform desk: this one (both names None) or the terminal named.
    /// Needs `hubSettings`; audited `hub.platform_desk` here. The old platform desk keeps
    /// the rows it took until it has routed and confirmed them, and drains its own outbox.
    pub fn hub_platform_desk_set(
        &self,
        store: Option<&str>,
        terminal: Option<&str>,
    ) -> DeskResult<PlatformDeskStatus> {
        let _who = self.act(Permission::HubSettings)?;
        let linked = self.linked_hub()?.ok_or(HubError::NotJoined)?;
        let (store, terminal) = match (store.map(str::trim), terminal.map(str::trim)) {
            (None, None) => (linked.store.clone(), linked.terminal.clone()),
            (Some(s), Some(t)) if !s.is_empty() && !t.is_empty() => (s.to_owned(), t.to_owned()),
            _ => return Err(HubError::NoName.into()),
        };
        let by = crate::store::acting::name();
        let id = relay::set_platform_desk(&linked.hub, &store, &terminal, &by)?;
        let me = hub_link::get(&self.conn())?.is_some_and(|l| l.terminal_id == id);
        hub_relay::set_platform(&mut self.conn(), &name(&store, &terminal), me)?;
        self.platform_desk_status(Some(&linked.hub))
    }

    /// The platform desk as this desk knows it, with the hub's counts when `hub` answers
    /// (and what the hub says is noted here).
    pub(super) fn platform_desk_status(&self, hub: Option<&Hub>) -> DeskResult<PlatformDeskStatus> {
        let state = hub.map(relay::state);
        if let Some(Ok(Some(st))) = &state {
            self.note_state(st)?;
        }
        let conn = self.conn();
        let v = hub_relay::view(&conn)?;
        let (untaken, taken_by_others) = match state {
            Some(Ok(Some(st))) => (Some(st.untaken), Some(st.taken_by_others)),
            _ => (None, None),
        };
        Ok(PlatformDeskStatus {
            desk: v.name,
            this_desk: v.me,
            untaken,
            taken_by_others,
            waiting: v.waiting,
            waiting_why: v.waiting_why,
            to_relay: if hub_relay::holds_records(&conn)? {
                hub_relay::to_relay(&conn)?
            } else {
                0
            },
        })
    }

    fn note_state(&self, st: &PlatformState) -> DeskResult<()> {
        let conn = self.conn();
        let Some(link) = hub_link::get(&conn)? else {
            return Ok(());
        };
        match &st.desk {
            Some((id, store, terminal)) => hub_relay::note_platform(
                &conn,
                Some(&name(store, terminal)),
                *id == link.terminal_id,
            )?,
            None => hub_relay::note_platform(&conn, None, false)?,
        }
        Ok(())
    }

    /// e-Buy activations change code statuses here and queue their ops in this desk's
    /// outbox directly (no change record), so they are made at the platform desk only.
    pub(super) fn activation_here(&self) -> DeskResult<()> {
        let v = hub_relay::view(&self.conn())?;
        match v.name {
            Some(name) if v.joined && !v.me => Err(HubError::NotPlatformDesk(name).into()),
            _ => Ok(()),
        }
    }

    /// One exchange of the platform desk's traffic with the hub (each push): learn who
    /// the platform desk is, relay this desk's records, and at the platform desk (or a
    /// desk that still holds taken rows) take, route and confirm.
    pub(super) fn relay_exchange(&self, hub: &Hub) -> DeskResult<RelayReport> {
        let mut report = RelayReport::default();
        let st = match relay::state(hub) {
            Ok(Some(st)) => st,
            // A hub older than schema 4: no platform desk there.
            Ok(None) => return Ok(report),
            Err(e) => {
                report.stopped = Some(e.to_string());
                return Ok(report);
            }
        };
        self.note_state(&st)?;
        if let Err(e) = self.relay_own(hub, &mut report) {
            report.stopped = Some(e.to_string());
            return Ok(report);
        }
        let me = hub_relay::view(&self.conn())?.me;
        if me || st.taken_by_me > 0 {
            if let Err(e) = self.take_and_route(hub, &mut report) {
                report.stopped = Some(e.to_string());
            }
        }
        Ok(report)
    }

    /// Sends this desk's records to the hub (all of them when it relays; those listed
    /// before a switch otherwise), page by page.
    fn relay_own(&self, hub: &Hub, report: &mut RelayReport) -> DeskResult<()> {
        loop {
            let rows = {
                let mut conn = self.conn();
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                if hub_relay::relays(&tx)? {
                    hub_relay::mark_all(&tx)?;
                }
                let rows = hub_relay::sending(&tx, PAGE as i64)?;
                tx.commit().map_err(StoreError::from)?;
                rows
            };
            if rows.is_empty() {
                return Ok(());
            }
            let out: Vec<Outgoing> = rows
                .iter()
                .map(|r| Outgoing {
                    local_id: r.id,
                    change: r.shared.clone(),
                    actor: r.actor.clone(),
                    made_at: DateTime::<Utc>::from_timestamp_millis(r.created_ms)
                        .unwrap_or_default(),
                })
                .collect();
            let new = relay::relay(hub, &out)?;
            report.relayed += u32::try_from(new).unwrap_or(0);
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut conn = self.conn();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            hub_relay::relayed(&tx, &ids)?;
            tx.commit().map_err(StoreError::from)?;
            if rows.len() < PAGE {
                return Ok(());
            }
        }
    }

    /// Takes relayed rows, routes them here and confirms them, until a round brings
    /// nothing new.
    fn take_and_route(&self, hub: &Hub, report: &mut RelayReport) -> DeskResult<()> {
        loop {
            let taken = relay::take(hub, PAGE as i32)?;
            let mut done = Vec::new();
            let mut routed = 0u32;
            let mut waiting = 0u32;
            let mut why: Option<String> = None;
            {
                let mut conn = self.conn();
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                for t in &taken {
                    if hub_relay::is_routed(&tx, t.seq)? {
                        done.push(t.seq);
                        continue;
                    }
                    match hub_relay::from_shared(&tx, &t.change)? {
                        Ok(change) => {
                            crate::sync::router::route_relayed(&tx, &t.actor, &change)?;
                            hub_relay::mark_routed(&tx, t.seq)?;
                            done.push(t.seq);
                            routed += 1;
                        }
                        Err(w) => {
                            waiting += 1;
                            why.get_or_insert(w);
                        }
                    }
                }
                hub_relay::note_waiting(&tx, i64::from(waiting), why.as_deref())?;
                tx.commit().map_err(StoreError::from)?;
            }
            report.routed += routed;
            report.waiting = waiting;
            report.waiting_why = why;
            // Test-only: a kill here must route nothing twice (the seqs are kept).
            crate::test_hooks::pause("relay_confirm", !done.is_empty());
            if stop_here() {
                return Err(HubError::Offline("test: stopped before the confirm".into()).into());
            }
            if done.is_empty() {
                return Ok(());
            }
            let n = relay::confirm(hub, &done)?;
            report.confirmed += u32::try_from(n).unwrap_or(0);
            hub_relay::forget_routed(&self.conn(), &done)?;
            if routed == 0 {
                return Ok(());
            }
        }
    }
}
