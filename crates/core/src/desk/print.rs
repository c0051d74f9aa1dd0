//! Printed paper: a batch's codes as label sheets (permission: the same as exporting
//! codes, and audited like an export: the codes leave the file on paper) and the daily
//! close as PDF (a read under `reports`, through `report_close`).

use std::path::Path;

use chrono::Duration;

use super::{Desk, DeskResult};
use crate::domain::close::CloseQuery;
use crate::domain::print::{PrintLang, PrintRequest};
use crate::domain::staff::Permission;
use crate::export::{ExportProgress, ExportReport};
use crate::print::close;
use crate::print::labels::{write_labels, LabelText};
use crate::progress::CancelToken;
use crate::store::{self, batches, settings, templates};

impl Desk {
    /// The batch's codes (or `req.codes`) as a PDF of labels at `out`.
    pub fn print_codes(
        &self,
        req: &PrintRequest,
        out: &Path,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(ExportProgress),
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let text = label_text(&conn, &req.ticket_type, req.lang)?;
        let report = write_labels(&conn, req, &text, out, cancel, on_progress)?;
        self.audited_export("codes.print", &req.ticket_type, report)
    }

    /// The daily close of `q` as a PDF at `out`; returns its page count.
    pub fn print_close(&self, q: &CloseQuery, lang: PrintLang, out: &Path) -> DeskResult<usize> {
        let data = self.report_close(q)?;
        let offset = settings::get(&self.conn())?.shop_utc_offset_minutes;
        Ok(close::write_close(&data, lang, close::now_in(offset), out)?)
    }
}

/// The title and validity every label of the batch shows: its template's, or the batch's
/// name and no dates when it has none.
fn label_text(
    conn: &rusqlite::Connection,
    ticket_type: &str,
    lang: PrintLang,
) -> DeskResult<LabelText> {
    let batch = batches::get(conn, ticket_type)?;
    let Some(id) = batch.template_id else {
        return Ok(LabelText {
            title: batch.name,
            validity: String::new(),
        });
    };
    let t = templates::draft(conn, id)?;
    let zone = settings::clock(&settings::get(conn)?).offset;
    let first = t.begin_at.with_timezone(&zone).date_naive();
    // `end_at` is exclusive: the last day is the one holding the instant before it.
    let last = (t.end_at - Duration::milliseconds(1))
        .with_timezone(&zone)
        .date_naive();
    let validity = match &t.term {
        None => crate::print::words_valid_between(lang, first, last),
        Some(term) => {
            crate::print::words_valid_term(lang, term.start_after_days, term.valid_days, last)
        }
    };
    Ok(LabelText {
        title: t.title,
        validity,
    })
}
