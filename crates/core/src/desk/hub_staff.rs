//! Staff accounts between desks (docs/chain-mode.md, "Staff"): the upload of the accounts
//! made or changed here (`store::hub_staff`' queue), the apply of the hub's `staff`
//! changes, and the name clash.
//!
//! What must stay true:
//! - a queue row is deleted only after the hub committed it, so a pull cut mid-upload
//!   sends it again (`put_staff` of the same values changes and logs nothing);
//! - a change is applied with the hub's current row, not the change's body;
//! - an account the hub refuses because another account holds its name is set aside
//!   here at once (renamed, disabled; `store::hub_staff::clash`) and goes up under its
//!   new name in the same upload: it never waits with a name that is another person's.

use super::{Desk, DeskResult};
use crate::hub::staff::{self, HubStaff, StaffPut};
use crate::hub::{Hub, HubError};
use crate::store::hub_link;
use crate::store::hub_staff::{self, StaffApplied, StaffRow};

/// Why no account went up: the hub's schema predates them. The queue stays.
const OLD_HUB: &str = "staff accounts wait here: the hub's schema is older than version 9; run \
    `coupondesk hub init` with an administrator's URL to update it";

/// Rounds of the upload: a clash renames an account, which queues it again; the second
/// round sends it under its new name (a third is for a new name taken meanwhile).
const UPLOAD_ROUNDS: usize = 3;

/// What staff accounts moved, each way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct StaffMoved {
    /// Accounts made or changed here, new or changed at the hub.
    pub up: u64,
    /// Accounts of other desks now here, or changed here by another desk's word.
    pub down: u64,
    /// Accounts set aside, local edits kept over the hub's, what was not applied.
    pub notes: Vec<String>,
}

fn to_hub(s: StaffRow) -> HubStaff {
    HubStaff {
        uid: s.uid,
        name: s.name,
        role: s.role,
        pin_hash: s.pin_hash,
        disabled: s.disabled,
    }
}

fn from_hub(s: HubStaff) -> StaffRow {
    StaffRow {
        uid: s.uid,
        name: s.name,
        role: s.role,
        pin_hash: s.pin_hash,
        disabled: s.disabled,
    }
}

impl Desk {
    /// This desk's terminal name at the hub (an account set aside is named after it).
    fn hub_terminal_name(&self) -> DeskResult<String> {
        Ok(hub_link::get(&self.conn())?
            .map(|l| l.terminal)
            .ok_or(HubError::NotJoined)?)
    }

    /// Uploads the queue; `join`: every account first (the hub skips what it has).
    /// `terminal`: this desk's terminal name (the join has no link yet).
    pub(super) fn push_staff(
        &self,
        hub: &Hub,
        join: bool,
        terminal: Option<&str>,
    ) -> DeskResult<StaffMoved> {
        let mut moved = StaffMoved::default();
        if !hub.call(async |c| staff::available(c).await)? {
            moved.notes.push(OLD_HUB.to_owned());
            return Ok(moved);
        }
        let terminal = match terminal {
            Some(t) => t.to_owned(),
            None => self.hub_terminal_name()?,
        };
        if join {
            hub_staff::queue_all(&self.conn())?;
        }
        for _ in 0..UPLOAD_ROUNDS {
            let mut clashed = false;
            // Read on its own line: a guard in the `for` head would hold the desk's
            // connection through the loop (a deadlock).
            let pending = hub_staff::pending(&self.conn())?;
            for p in pending {
                let out = hub_staff::staff_out(&self.conn(), p.id)?;
                let Some(row) = out else {
                    hub_staff::sent(&self.conn(), &p)?;
                    continue;
                };
                let s = to_hub(row);
                match hub.call(async |c| staff::put_staff(c, &s).await)? {
                    StaffPut::Changed => moved.up += 1,
                    StaffPut::Same => {}
                    StaffPut::Taken(holder) => {
                        let uids = vec![holder.clone()];
                        let found = hub.call(async |c| staff::by_uids(c, &uids).await)?;
                        let holder_row = found.into_iter().next().map(from_hub);
                        let done = hub_staff::clash(
                            &mut self.conn(),
                            p.id,
                            holder_row.as_ref(),
                            &holder,
                            &terminal,
                        )?;
                        self.note_applied(done, &mut moved);
                        clashed = true;
                        // Queued again by the rename: not `sent`.
                        continue;
                    }
                }
                hub_staff::sent(&self.conn(), &p)?;
            }
            if !clashed {
                break;
            }
        }
        Ok(moved)
    }

    fn note_applied(&self, done: StaffApplied, moved: &mut StaffMoved) {
        moved.down += done.applied;
        for (old, new) in done.set_aside {
            moved.notes.push(format!(
                "staff account \"{old}\" is another desk's account at the hub: the one made \
                 here is now \"{new}\", disabled until the owner enables it"
            ));
        }
        if done.kept > 0 {
            moved.notes.push(format!(
                "{} staff account(s): this desk's edit is kept and sent next (the last upload \
                 wins)",
                done.kept
            ));
        }
        moved.notes.extend(done.refused);
    }

    /// Applies the hub's current rows of the accounts `uids` (a pull page's `staff`
    /// changes, one query).
    pub(super) fn pull_staff(
        &self,
        hub: &Hub,
        uids: &[String],
        moved: &mut StaffMoved,
    ) -> DeskResult<()> {
        if uids.is_empty() {
            return Ok(());
        }
        let rows: Vec<StaffRow> = hub
            .call(async |c| staff::by_uids(c, uids).await)?
            .into_iter()
            .map(from_hub)
            .collect();
        let terminal = self.hub_terminal_name()?;
        let done = hub_staff::apply(&mut self.conn(), &rows, &terminal)?;
        self.note_applied(done, moved);
        Ok(())
    }

    /// The join's download: every account of the hub.
    pub(super) fn pull_all_staff(
        &self,
        hub: &Hub,
        terminal: &str,
        moved: &mut StaffMoved,
    ) -> DeskResult<()> {
        if !hub.call(async |c| staff::available(c).await)? {
            return Ok(());
        }
        let rows: Vec<StaffRow> = hub
            .call(async |c| staff::all(c).await)?
            .into_iter()
            .map(from_hub)
            .collect();
        let done = hub_staff::apply(&mut self.conn(), &rows, terminal)?;
        self.note_applied(done, moved);
        Ok(())
    }
}
