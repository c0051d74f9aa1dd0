//! The rows an import did not take, written to a CSV file, so staff can fix them in the
//! source file and import again. The import result shows at most `issues_limit` of them;
//! `code_run_issues` keeps every one, so the file has them all.

use std::path::Path;

use super::bonuses::CsvFile;
use super::{Desk, DeskError, DeskResult};
use crate::domain::staff::Permission;
use crate::export::ExportReport;
use crate::import::RowIssueKind;
use crate::store::{self, runs};

const ISSUES_HEADER: [&str; 3] = ["line", "value", "reason"];

impl Desk {
    /// Every row run `run_id` did not import, in file order: its line in the file, the
    /// value as read and why (the same sentence as the import report's `reason`). An
    /// export like any other: the Export permission, and an entry in the audit trail.
    pub fn export_run_issues(&self, run_id: i64, out: &Path) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let ticket_type = runs::ticket_type_of_run(&conn, run_id)?;
        let mut csv = CsvFile::create(out, &ISSUES_HEADER)?;
        runs::for_each_issue(&conn, run_id, &mut |line, kind, value| {
            let reason: &str = match RowIssueKind::parse(kind) {
                Some(k) => k.describe(),
                None => kind,
            };
            csv.row(&[&line.to_string(), value, reason])
                .map_err(DeskError::from)
        })?;
        let report = csv.finish()?;
        self.audited_export("codes.import_issues.export", &ticket_type, report)
    }
}
