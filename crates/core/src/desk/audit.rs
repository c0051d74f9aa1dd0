//! Use cases of the audit trail: list it, verify its hash chain, export it (CSV or XLSX).

use std::borrow::Cow;
use std::path::Path;

use chrono::FixedOffset;

use super::bonuses::table_file;
use super::{Desk, DeskError, DeskResult};
use crate::domain::audit::{AuditEntry, AuditQuery, AuditVerdict};
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::export::words::shop_time;
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, Word};
use crate::store::{self, audit_list, audit_verify};

/// The columns of an audit entry in an export, and `audit_cells` their values: the local
/// export's, and the hub export's after its store and terminal (desk/hub_audit_export.rs).
pub(super) const AUDIT_COLUMNS: [Column; 8] = [
    col(Word::Id, Kind::Number),
    col(Word::At, Kind::Time),
    col(Word::Actor, Kind::Text),
    col(Word::Terminal, Kind::Text),
    col(Word::Action, Kind::Text),
    col(Word::Subject, Kind::Text),
    col(Word::Detail, Kind::Text),
    col(Word::Hash, Kind::Text),
];

impl Desk {
    /// Newest first, filtered by actor, action, subject substring and time range.
    pub fn list_audit(&self, q: &AuditQuery) -> DeskResult<Page<AuditEntry>> {
        let mut q = q.clone();
        q.page = q.page.validated()?;
        let page = audit_list::list(&self.conn(), &q)?;
        self.for_viewer(page)
    }

    /// Walks the whole chain on a connection of its own (a long read must not hold the
    /// counter's connection).
    pub fn verify_audit(&self) -> DeskResult<AuditVerdict> {
        let conn = store::open(&self.path)?;
        Ok(audit_verify::verify(&conn)?)
    }

    /// Every entry the query matches (its page ignored), newest first, as CSV or XLSX:
    /// times in the shop's zone, headers in `opts.lang`.
    pub fn export_audit(
        &self,
        q: &AuditQuery,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let (mut file, zone) = table_file(&conn, out, opts, &AUDIT_COLUMNS)?;
        audit_list::for_each(&conn, q, &mut |e: &AuditEntry| {
            let cells = audit_cells(zone, e);
            file.row(&cells.each_ref().map(|c| c.as_ref()))
                .map_err(DeskError::from)
        })?;
        let report = file.finish()?;
        self.audited_export("audit.export", "audit_log", report)
    }
}

/// An entry's cells under `AUDIT_COLUMNS`, its time in the shop's zone (the text fields
/// borrowed: an export writes one row per entry).
pub(super) fn audit_cells(zone: FixedOffset, e: &AuditEntry) -> [Cow<'_, str>; 8] {
    [
        Cow::Owned(e.id.to_string()),
        Cow::Owned(shop_time(zone, e.at)),
        Cow::Borrowed(&e.actor),
        Cow::Borrowed(&e.terminal),
        Cow::Borrowed(&e.action),
        Cow::Borrowed(&e.subject),
        Cow::Owned(e.detail.to_string()),
        Cow::Borrowed(&e.hash),
    ]
}
