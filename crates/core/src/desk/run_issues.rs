//! The rows an import did not take, written to a CSV or XLSX file (row numbers as the
//! import counted them: CSV lines, or spreadsheet rows), so staff can fix them in the
//! source file and import again. The import result shows at most `issues_limit` of them;
//! `code_run_issues` keeps every one, so the file has them all.

use std::path::Path;

use super::bonuses::table_file;
use super::{Desk, DeskError, DeskResult};
use crate::domain::staff::Permission;
use crate::export::words;
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, Word};
use crate::import::RowIssueKind;
use crate::store::{self, runs};

const ISSUE_COLUMNS: [Column; 3] = [
    col(Word::Row, Kind::Number),
    col(Word::Value, Kind::Text),
    col(Word::Reason, Kind::Text),
];

impl Desk {
    /// Every row run `run_id` did not import, in file order: its line in the file, the
    /// value as read and why (in `opts.lang`; in English, the import report's `reason`). An
    /// export like any other: the Export permission, and an entry in the audit trail.
    pub fn export_run_issues(
        &self,
        run_id: i64,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let ticket_type = runs::ticket_type_of_run(&conn, run_id)?;
        let (mut file, _zone) = table_file(&conn, out, opts, &ISSUE_COLUMNS)?;
        runs::for_each_issue(&conn, run_id, &mut |line, kind, value| {
            let reason: &str = match RowIssueKind::parse(kind) {
                Some(k) => words::issue(k).text(opts.lang),
                None => kind,
            };
            file.row(&[&line.to_string(), value, reason])
                .map_err(DeskError::from)
        })?;
        let report = file.finish()?;
        self.audited_export("codes.import_issues.export", &ticket_type, report)
    }
}
