//! A batch's codes (or the chosen ones) as A4 label sheets: each label the symbol (QR or
//! Code 128), the code in text, the template's title and its validity.
//!
//! What must stay true: the codes are read from the database as the pages are drawn
//! (one page of labels at a time, never the whole batch); each page's drawing is
//! serialised by krilla when the page ends, so memory holds the finished PDF's bytes
//! and one page's labels, not 10,000 pictures; the file appears only complete.

use std::path::Path;
use std::time::Instant;

use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::Document;
use rusqlite::{Connection, OptionalExtension};

use super::draw::{self, Area, A4_H, A4_W, MM};
use super::layout::{sheet, Sheet};
use super::symbol::{self, BAR_QUIET, QR_QUIET};
use super::{PrintError, PrintFont};
use crate::domain::print::{LabelSymbol, PrintRequest};
use crate::export::{ExportProgress, ExportReport};
use crate::progress::CancelToken;
use crate::store::{batches, code_id};

/// What every label of the print shares (the batch's template, or the batch's name).
pub struct LabelText {
    pub title: String,
    /// May be empty (a batch without a template has no dates to print).
    pub validity: String,
}

/// Writes the labels of `req` to `out` (see the module's rules). Progress after each page.
pub fn write_labels(
    conn: &Connection,
    req: &PrintRequest,
    text: &LabelText,
    out: &Path,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportReport, PrintError> {
    let started = Instant::now();
    let key = batches::key(conn, &req.ticket_type)?;
    let chosen = match &req.codes {
        Some(list) => Some(chosen_codes(conn, key.id, &req.ticket_type, list)?),
        None => None,
    };
    let total = match &chosen {
        Some(c) => c.len() as u64,
        None => (key.next_seq - 1).max(0) as u64,
    };
    let font = PrintFont::find()?;
    let sheet = sheet(req.layout);
    let per_page = req.layout.per_page();
    let mut doc = Document::new();
    let mut printed = 0u64;
    let mut page_codes: Vec<String> = Vec::with_capacity(per_page);
    let flush = |doc: &mut Document, codes: &mut Vec<String>| -> Result<(), PrintError> {
        let mut page = doc.start_page_with(page_settings()?);
        let mut surface = page.surface();
        for (i, code) in codes.iter().enumerate() {
            draw_label(&mut surface, &font, &sheet, i, req.symbol, code, text)?;
        }
        surface.finish();
        page.finish();
        codes.clear();
        Ok(())
    };
    let mut cancelled = false;
    let mut each = |code: String, doc: &mut Document| -> Result<bool, PrintError> {
        page_codes.push(code);
        if page_codes.len() == per_page {
            flush(doc, &mut page_codes)?;
            printed += per_page as u64;
            on_progress(ExportProgress {
                written: printed,
                total,
            });
            if cancel.is_cancelled() {
                return Ok(false);
            }
        }
        Ok(true)
    };
    match chosen {
        Some(list) => {
            for code in list {
                if !each(code, &mut doc)? {
                    cancelled = true;
                    break;
                }
            }
        }
        None => {
            let mut stmt =
                conn.prepare("SELECT code FROM codes WHERE id BETWEEN ?1 AND ?2 ORDER BY id")?;
            let mut rows = stmt.query([code_id(key.id, 1), code_id(key.id, key.next_seq - 1)])?;
            while let Some(r) = rows.next()? {
                if !each(r.get(0)?, &mut doc)? {
                    cancelled = true;
                    break;
                }
            }
        }
    }
    let rest = page_codes.len() as u64;
    if cancelled {
        return Ok(ExportReport {
            path: out.display().to_string(),
            rows: printed,
            cancelled: true,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
    }
    if rest > 0 {
        flush(&mut doc, &mut page_codes)?;
    }
    let printed = printed + rest;
    if printed == 0 {
        return Err(PrintError::NothingToPrint(req.ticket_type.clone()));
    }
    let bytes = doc.finish().map_err(draw::pdf_error)?;
    draw::persist(&bytes, out)?;
    on_progress(ExportProgress {
        written: printed,
        total,
    });
    Ok(ExportReport {
        path: out.display().to_string(),
        rows: printed,
        cancelled: false,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

pub fn page_settings() -> Result<PageSettings, PrintError> {
    PageSettings::from_wh(A4_W, A4_H).ok_or_else(|| PrintError::Pdf("page size".into()))
}

/// The chosen codes, trimmed, each checked to be of the batch (in the order given, each once).
fn chosen_codes(
    conn: &Connection,
    batch_id: i64,
    ticket_type: &str,
    list: &[String],
) -> Result<Vec<String>, PrintError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM codes WHERE code = ?1")?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for raw in list {
        let code = raw.trim();
        if code.is_empty() || !seen.insert(code.to_owned()) {
            continue;
        }
        let id: Option<i64> = stmt.query_row([code], |r| r.get(0)).optional()?;
        match id {
            Some(id) if id >> 32 == batch_id => out.push(code.to_owned()),
            _ => {
                return Err(PrintError::CodeNotInBatch {
                    code: code.to_owned(),
                    batch: ticket_type.to_owned(),
                })
            }
        }
    }
    Ok(out)
}

/// One label: the symbol and the lines of text, in the `i`-th cell of the sheet.
fn draw_label(
    surface: &mut Surface<'_>,
    font: &PrintFont,
    sheet: &Sheet,
    i: usize,
    symbol: LabelSymbol,
    code: &str,
    text: &LabelText,
) -> Result<(), PrintError> {
    if sheet.cut_lines {
        draw::outline(surface, sheet.cell(i), 0.3, 170);
    }
    let inner = sheet.inner(i);
    match symbol {
        LabelSymbol::Qr => {
            let grid = symbol::qr(code)?;
            let side = inner.h.min(inner.w * 0.5);
            let m = side / (grid.width + 2 * QR_QUIET) as f32;
            let ox = inner.x + QR_QUIET as f32 * m;
            let oy = inner.y + (inner.h - side) / 2.0 + QR_QUIET as f32 * m;
            draw::fill_modules(surface, (ox, oy), (m, m), grid.rects.iter().copied());
            let gap = 1.5 * MM;
            let area = Area {
                x: inner.x + side + gap,
                y: inner.y,
                w: inner.w - side - gap,
                h: inner.h,
            };
            let block = text_block(font, sheet, area.w, code, text, 2);
            draw_block(surface, font, &block, area, false);
        }
        LabelSymbol::Code128 => {
            let bars = symbol::code128(code)?;
            let m = inner.w / (bars.width + 2 * BAR_QUIET) as f32;
            let ox = inner.x + BAR_QUIET as f32 * m;
            let bar_h = inner.h * 0.45;
            // Modules across, the bars' height as one unit down.
            draw::fill_modules(
                surface,
                (ox, inner.y),
                (m, bar_h),
                bars.bars.iter().map(|&(x, n)| (x, 0, n, 1)),
            );
            let gap = 1.0 * MM;
            let area = Area {
                x: inner.x,
                y: inner.y + bar_h + gap,
                w: inner.w,
                h: inner.h - bar_h - gap,
            };
            let block = text_block(font, sheet, area.w, code, text, 1);
            draw_block(surface, font, &block, area, true);
        }
    }
    Ok(())
}

/// Lines of text with their sizes: the code first (never cut short), the title, the dates.
struct Block(Vec<(f32, String)>);

fn text_block(
    font: &PrintFont,
    sheet: &Sheet,
    width: f32,
    code: &str,
    text: &LabelText,
    lines_each: usize,
) -> Block {
    let mut out = Vec::new();
    let (size, lines) = draw::fit_whole(
        font,
        code,
        sheet.code_pt,
        sheet.code_pt * 0.5,
        width,
        lines_each,
    );
    out.extend(lines.into_iter().map(|l| (size, l)));
    out.extend(
        draw::wrap(font, &text.title, sheet.title_pt, width, lines_each)
            .into_iter()
            .map(|l| (sheet.title_pt, l)),
    );
    // The dates on one line if a slightly smaller size allows (a date cut in two reads
    // badly), else wrapped.
    let (size, mut lines) = draw::fit_whole(
        font,
        &text.validity,
        sheet.valid_pt,
        sheet.valid_pt * 0.8,
        width,
        1,
    );
    lines.truncate(lines_each);
    out.extend(lines.into_iter().map(|l| (size, l)));
    Block(out)
}

/// The lines, 1.2 × their size apart, centred vertically in `area` (and horizontally
/// when `centred`); lines past the area's bottom are left out.
fn draw_block(
    surface: &mut Surface<'_>,
    font: &PrintFont,
    block: &Block,
    area: Area,
    centred: bool,
) {
    let height: f32 = block.0.iter().map(|(s, _)| s * 1.2).sum();
    let mut y = area.y + ((area.h - height) / 2.0).max(0.0);
    for (size, line) in &block.0 {
        if y + size * 1.2 > area.y + area.h + 0.5 {
            break;
        }
        let x = if centred {
            area.x + ((area.w - font.width(line, *size)) / 2.0).max(0.0)
        } else {
            area.x
        };
        // The baseline sits about 0.9 of the size below the line's top in these fonts.
        draw::text(surface, font, x, y + size * 0.95, *size, line);
        y += size * 1.2;
    }
}
