//! Use cases of the audit trail: list it, verify its hash chain, export it as CSV.

use std::path::Path;

use super::bonuses::CsvFile;
use super::{Desk, DeskError, DeskResult};
use crate::domain::audit::{AuditEntry, AuditQuery, AuditVerdict};
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::export::ExportReport;
use crate::store::{self, audit_list, audit_verify};

const AUDIT_HEADER: [&str; 8] = [
    "id", "at", "actor", "terminal", "action", "subject", "detail", "hash",
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

    /// Every entry the query matches (its page ignored), newest first, as CSV: times in
    /// the shop's zone, cells neutralised against spreadsheet formulas.
    pub fn export_audit(&self, q: &AuditQuery, out: &Path) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let zone = store::settings::clock(&store::settings::get(&conn)?).offset;
        let mut csv = CsvFile::create(out, &AUDIT_HEADER)?;
        audit_list::for_each(&conn, q, &mut |e: &AuditEntry| {
            csv.row(&[
                &e.id.to_string(),
                &e.at.with_timezone(&zone).to_rfc3339(),
                &e.actor,
                &e.terminal,
                &e.action,
                &e.subject,
                &e.detail.to_string(),
                &e.hash,
            ])
            .map_err(DeskError::from)
        })?;
        let report = csv.finish()?;
        self.audited_export("audit.export", "audit_log", report)
    }
}
