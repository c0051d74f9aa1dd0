//! How the CLI shows results: one JSON object with --json, else short lines for people.

use coupondesk_core::domain::{Batch, Page};
use coupondesk_core::export::ExportReport;
use coupondesk_core::generate::GenerateReport;
use coupondesk_core::import::ImportReport;
use coupondesk_core::store::codes::CodeRow;
use coupondesk_core::ApiError;
use serde::Serialize;

pub struct Out {
    pub json: bool,
}

impl Out {
    pub fn value<T: Serialize>(&self, v: &T, text: &str) -> Result<(), ApiError> {
        if self.json {
            let s = serde_json::to_string(v).map_err(|e| ApiError {
                code: "internal".into(),
                message: e.to_string(),
            })?;
            println!("{s}");
        } else {
            println!("{text}");
        }
        Ok(())
    }

    pub fn batch(&self, b: &Batch) -> Result<(), ApiError> {
        self.value(b, &batch_line(b))
    }

    pub fn batches(&self, p: &Page<Batch>) -> Result<(), ApiError> {
        let mut text: Vec<String> = p.items.iter().map(batch_line).collect();
        text.push(page_line(p.page, p.total_pages, p.total));
        self.value(p, &text.join("\n"))
    }

    pub fn codes(&self, p: &Page<CodeRow>) -> Result<(), ApiError> {
        let mut text: Vec<String> = p
            .items
            .iter()
            .map(|c| format!("{:>10}  {:<24}  {}", c.position, c.code, c.status))
            .collect();
        text.push(page_line(p.page, p.total_pages, p.total));
        self.value(p, &text.join("\n"))
    }

    pub fn import(&self, r: &ImportReport) -> Result<(), ApiError> {
        let mut text = vec![format!(
            "{}: {} imported, {} skipped as duplicates, {} skipped as invalid ({} rows, {}, {} ms)",
            r.state.as_str(),
            r.imported,
            r.skipped_duplicate,
            r.skipped_invalid,
            r.rows_read,
            r.encoding.as_str(),
            r.elapsed_ms
        )];
        for e in &r.errors {
            text.push(format!("  line {}: {} ({:?})", e.line, e.reason, e.value));
        }
        if r.skipped_invalid > r.errors.len() as u64 {
            text.push(format!(
                "  ... and {} more invalid rows",
                r.skipped_invalid - r.errors.len() as u64
            ));
        }
        self.value(r, &text.join("\n"))
    }

    pub fn generate(&self, r: &GenerateReport) -> Result<(), ApiError> {
        let text = format!(
            "{}: {} codes generated into {} ({} ms)",
            r.state.as_str(),
            r.generated,
            r.batch.ticket_type,
            r.elapsed_ms
        );
        self.value(r, &text)
    }

    pub fn export(&self, r: &ExportReport) -> Result<(), ApiError> {
        let text = format!(
            "{} codes written to {} ({} ms)",
            r.rows, r.path, r.elapsed_ms
        );
        self.value(r, &text)
    }
}

fn batch_line(b: &Batch) -> String {
    format!(
        "{}  {}  total {}  used {}  updated {}",
        b.ticket_type,
        b.name,
        b.total_codes,
        b.used_codes,
        b.updated_at.to_rfc3339()
    )
}

fn page_line(page: u32, pages: u64, total: u64) -> String {
    format!("page {page} of {pages}, {total} in all")
}
