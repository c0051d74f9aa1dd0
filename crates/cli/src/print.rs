//! How the CLI shows results: one JSON object with --json, else short lines for people.

use coupondesk_core::domain::{Batch, Page};
use coupondesk_core::export::ExportReport;
use coupondesk_core::generate::GenerateReport;
use coupondesk_core::import::ImportReport;
use coupondesk_core::store::codes::CodeRow;
use coupondesk_core::ApiError;
use serde::Serialize;
use std::io::Write;
use std::sync::Mutex;

/// Why stdout could not be written (a full disk, a closed pipe), first time only. The
/// command's work stands, so `main` reports this after the work's own outcome (the exit
/// rule is in main.rs) instead of the write panicking as `println!` does.
static LOST: Mutex<Option<String>> = Mutex::new(None);

/// Writes `text` and a line end to stdout, flushed at once so a write error is seen
/// here; after one error nothing more is written.
pub fn line(text: &str) {
    let mut lost = LOST.lock().unwrap_or_else(|p| p.into_inner());
    if lost.is_some() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        *lost = Some(e.to_string());
    }
}

/// The stdout write error, when there was one.
pub fn output_lost() -> Option<String> {
    LOST.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

pub struct Out {
    pub json: bool,
}

impl Out {
    pub fn value<T: Serialize>(&self, v: &T, text: &str) -> Result<(), ApiError> {
        if self.json {
            let v =
                serde_json::to_value(v).map_err(|e| ApiError::new("internal", e.to_string()))?;
            line(&snake_keys(v).to_string());
        } else {
            line(text);
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
    let mut line = format!(
        "{}  {}  total {}  used {}  updated {}",
        b.ticket_type,
        b.name,
        b.total_codes,
        b.used_codes,
        b.updated_at.to_rfc3339()
    );
    if b.cleanup_left > 0 {
        // Not counted in total: the codes of an interrupted run still being deleted.
        line.push_str(&format!(
            "  cleaning up an interrupted run: {} codes left to remove",
            b.cleanup_left
        ));
    }
    line
}

pub fn page_line(page: u32, pages: u64, total: u64) -> String {
    format!("page {page} of {pages}, {total} in all")
}

/// The CLI's JSON uses snake_case keys, as the platforms' specs do (`skipped_duplicate`);
/// the UI's types keep JavaScript's camelCase. Only keys change, never values.
pub fn snake_keys(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (snake(&k), snake_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(snake_keys).collect()),
        other => other,
    }
}

fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_snake_case_values_stay() {
        let v = serde_json::json!({"skippedDuplicate": 1, "errors": [{"reasonCode": "tooShort"}]});
        assert_eq!(
            snake_keys(v),
            serde_json::json!({"skipped_duplicate": 1, "errors": [{"reason_code": "tooShort"}]})
        );
    }
}
