//! `hub audit export`: every desk's audit trail at the hub to a CSV or XLSX file
//! (docs/chain-mode.md, "The audit trail at the hub").
//!
//! What must stay true:
//! - the file holds exactly the rows `hub_audit_list` shows for the same filters, in the
//!   same order (newest first by the desks' clocks, ties by terminal and id), read from
//!   the hub a page at a time by key (`hub::audit::list_after`), never the whole trail in
//!   memory;
//! - the columns are the local export's (`desk/audit.rs`), after the store and the
//!   terminal at the hub, with the same cells: times in the shop's zone, the detail as
//!   the local export writes it;
//! - a hub that does not answer leaves no file (the temporary file is dropped) and an
//!   error saying the local trail's export still works: at once when it does not answer
//!   the first short call (the desk's claim deadline), within `PAGE_DEADLINE` when it
//!   stops mid-export.

use std::path::Path;

use super::audit::{audit_cells, AUDIT_COLUMNS};
use super::bonuses::table_file;
use super::hub_audit::{audit_entry, filter, HubAuditQuery, PAGE_DEADLINE};
use super::{Desk, DeskError, DeskResult};
use crate::domain::staff::Permission;
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, TableFile, Word};
use crate::hub::audit::{self, ListKey};
use crate::hub::HubError;
use crate::store;

/// Rows read from the hub per call.
pub const EXPORT_PAGE: i64 = 1000;

/// The hub's store and terminal, then the local export's columns (`AUDIT_COLUMNS`).
const HUB_COLUMNS: [Column; 2] = [
    col(Word::Store, Kind::Text),
    col(Word::HubTerminal, Kind::Text),
];

/// The export's own refusal: the hub did not answer while it read.
#[derive(Debug, thiserror::Error)]
pub enum HubAuditExportError {
    #[error("the hub cannot be reached ({0}), so the audit trail of every desk cannot be exported now and no file was written; the export of this desk's own trail still works (the Audit page without \"All desks\", or `coupondesk audit export`). Check the network and that the PostgreSQL server is running, then export again")]
    Offline(String),
}

crate::error_codes::impl_error_code! {
    HubAuditExportError {
        codes { HubAuditExportError::Offline(_) => "hub_audit_export_unreachable" }
    }
}

impl Desk {
    /// Every entry at the hub that `q` matches (its page ignored), as CSV or XLSX: the
    /// hub's list rights (`reports`) and `export`; audited `hub_audit.export`.
    pub fn export_hub_audit(
        &self,
        q: &HubAuditQuery,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        self.read_as_viewer(Permission::Reports)?;
        // Phones are not masked: `export` and `seePhones` are both a manager's (as in the
        // local export).
        let linked = self.linked_hub()?.ok_or(HubError::NotJoined)?;
        let hub = &linked.hub;
        // First a short call within the desk's own claim deadline, repeated once per dead
        // pooled connection: a hub that does not answer is said at once, before any file
        // is made.
        hub.again_if_dropped(|| hub.call(async |c| audit::my_last(c).await))
            .map_err(offline_words)?;
        let f = filter(q);
        let conn = store::open(&self.path)?;
        let columns: Vec<Column> = HUB_COLUMNS.iter().chain(&AUDIT_COLUMNS).cloned().collect();
        let (mut file, zone) = table_file(&conn, out, opts, &columns)?;
        drop(conn);
        let mut after: Option<ListKey> = None;
        loop {
            let read = hub.call_within(PAGE_DEADLINE, async |c| {
                audit::list_after(c, &f, after, EXPORT_PAGE).await
            });
            let rows = match read {
                Ok(rows) => rows,
                Err(e) => return Err(unread(file, e)),
            };
            let next = match rows.last() {
                Some((tid, _, _, e)) if rows.len() as i64 == EXPORT_PAGE => {
                    Some((e.at, *tid, e.id))
                }
                _ => None,
            };
            for (_, store, terminal, e) in rows {
                let entry = audit_entry(e);
                let cells = audit_cells(zone, &entry);
                let mut row: Vec<&str> = vec![&store, &terminal];
                row.extend(cells.iter().map(|c| c.as_ref()));
                file.row(&row)?;
            }
            after = next;
            if after.is_none() {
                break;
            }
        }
        let report = file.finish()?;
        self.audited_export("hub_audit.export", "hub_audit_log", report)
    }
}

/// The hub's error, with the offline case in the export's words; the half-written
/// temporary file is removed.
fn unread(file: TableFile, e: HubError) -> DeskError {
    let _ = file.cancel();
    offline_words(e)
}

fn offline_words(e: HubError) -> DeskError {
    match e {
        HubError::Offline(why) => HubAuditExportError::Offline(why).into(),
        other => other.into(),
    }
}
