//! Use cases of the audit trail: list it, verify its hash chain, export it (CSV or XLSX).

use std::path::Path;

use super::bonuses::table_file;
use super::{Desk, DeskError, DeskResult};
use crate::domain::audit::{AuditEntry, AuditQuery, AuditVerdict};
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::export::words::shop_time;
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, Word};
use crate::store::{self, audit_list, audit_verify};

const AUDIT_COLUMNS: [Column; 8] = [
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
            file.row(&[
                &e.id.to_string(),
                &shop_time(zone, e.at),
                &e.actor,
                &e.terminal,
                &e.action,
                &e.subject,
                &e.detail.to_string(),
                &e.hash,
            ])
            .map_err(DeskError::from)
        })?;
        let report = file.finish()?;
        self.audited_export("audit.export", "audit_log", report)
    }
}
