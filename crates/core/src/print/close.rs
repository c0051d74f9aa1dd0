//! The daily close (日结) as a PDF: one A4 page per terminal (more only when its tables
//! run past the page), headed by the shop's name, the day, the zone and the terminal;
//! tables by template, by staff and by kind (uses, discount, order value) and the
//! terminal's total. The figures are `DailyClose`'s, exactly (desk/close.rs).

use std::path::Path;

use chrono::{DateTime, FixedOffset, Offset, Utc};
use krilla::surface::Surface;
use krilla::Document;

use super::draw::{self, A4_W, MM};
use super::labels::page_settings;
use super::words::{words, Words};
use super::{PrintError, PrintFont};
use crate::domain::close::{DailyClose, TerminalClose};
use crate::domain::money::format_yuan;
use crate::domain::print::PrintLang;
use crate::domain::report::{Figures, ReportGroup};

const MARGIN: f32 = 18.0 * MM;
const BOTTOM: f32 = 297.0 * MM - 20.0 * MM;
const BODY_PT: f32 = 10.0;
const ROW: f32 = BODY_PT * 1.6;

/// Writes the close to `out`; returns its page count.
pub fn write_close(
    close: &DailyClose,
    lang: PrintLang,
    printed_at: DateTime<FixedOffset>,
    out: &Path,
) -> Result<usize, PrintError> {
    let font = PrintFont::find()?;
    let w = words(lang);
    let mut doc = Document::new();
    let mut pages = 0;
    for t in &close.terminals {
        pages += terminal_pages(&mut doc, &font, w, close, t, printed_at)?;
    }
    let bytes = doc.finish().map_err(draw::pdf_error)?;
    draw::persist(&bytes, out)?;
    Ok(pages)
}

/// The rows of one terminal's page: section headings, group rows, the total.
enum Line<'a> {
    Heading(&'a str),
    Group(String, Figures),
    Empty(&'a str),
    Total(Figures),
}

fn terminal_pages(
    doc: &mut Document,
    font: &PrintFont,
    w: &Words,
    close: &DailyClose,
    t: &TerminalClose,
    printed_at: DateTime<FixedOffset>,
) -> Result<usize, PrintError> {
    let mut lines = Vec::new();
    let kind_label = |g: &ReportGroup| match g.key.as_str() {
        "coupon" => w.coupon.to_owned(),
        "bonus" | "kind:bonus" => w.bonus.to_owned(),
        "voucher" | "kind:voucher" => w.voucher.to_owned(),
        _ => g.label.clone(),
    };
    for (heading, groups, by_kind) in [
        (w.by_template, &t.by_template, false),
        (w.by_staff, &t.by_staff, false),
        (w.by_kind, &t.by_kind, true),
    ] {
        lines.push(Line::Heading(heading));
        if groups.is_empty() {
            lines.push(Line::Empty(w.none));
        }
        for g in groups {
            let label = if by_kind || g.key.starts_with("kind:") {
                kind_label(g)
            } else {
                g.label.clone()
            };
            lines.push(Line::Group(label, g.figures));
        }
    }
    lines.push(Line::Total(t.total));

    let mut pages = 0;
    let mut rest = &lines[..];
    loop {
        pages += 1;
        let mut page = doc.start_page_with(page_settings()?);
        let mut s = page.surface();
        let mut y = head(&mut s, font, w, close, t, pages, printed_at);
        while let Some((line, more)) = rest.split_first() {
            if y + ROW * 2.0 > BOTTOM {
                break;
            }
            y = draw_line(&mut s, font, w, line, y);
            rest = more;
        }
        s.finish();
        page.finish();
        if rest.is_empty() {
            return Ok(pages);
        }
    }
}

/// The page's head; returns where the body starts.
fn head(
    s: &mut Surface<'_>,
    font: &PrintFont,
    w: &Words,
    close: &DailyClose,
    t: &TerminalClose,
    page: usize,
    printed_at: DateTime<FixedOffset>,
) -> f32 {
    let title = if close.shop_name.is_empty() {
        w.close_title.to_owned()
    } else {
        format!("{} {}", close.shop_name, w.close_title)
    };
    let mut y = MARGIN + 18.0;
    draw::text(s, font, MARGIN, y, 18.0, &title);
    y += 22.0;
    let facts = format!(
        "{} {}    {} {}    {} {}",
        w.day, close.day, w.terminal, t.terminal, w.zone, close.zone
    );
    draw::text(s, font, MARGIN, y, BODY_PT, &facts);
    y += ROW;
    let printed = format!(
        "{} {}    {} {page}",
        w.printed_at,
        printed_at.format("%Y-%m-%d %H:%M"),
        w.page
    );
    draw::text(s, font, MARGIN, y, BODY_PT * 0.8, &printed);
    y += ROW * 0.6;
    rule(s, y);
    y + ROW * 0.8
}

fn rule(s: &mut Surface<'_>, y: f32) {
    draw::fill_rects(s, [(MARGIN, y, A4_W - 2.0 * MARGIN, 0.6)]);
}

/// Right edges of the three number columns.
const COLS: [f32; 3] = [120.0 * MM, 155.0 * MM, 192.0 * MM];

fn numbers(s: &mut Surface<'_>, font: &PrintFont, y: f32, size: f32, cells: [&str; 3]) {
    for (right, cell) in COLS.iter().zip(cells) {
        draw::text(s, font, right - font.width(cell, size), y, size, cell);
    }
}

fn draw_line(s: &mut Surface<'_>, font: &PrintFont, w: &Words, line: &Line<'_>, y: f32) -> f32 {
    let label_w = COLS[0] - MARGIN - 40.0 * MM;
    match line {
        Line::Heading(h) => {
            let y = y + ROW * 0.5;
            draw::text(s, font, MARGIN, y + BODY_PT, BODY_PT * 1.1, h);
            numbers(
                s,
                font,
                y + BODY_PT,
                BODY_PT * 0.85,
                [w.col_count, w.col_discount, w.col_order],
            );
            rule(s, y + BODY_PT + 4.0);
            y + ROW + 4.0
        }
        Line::Empty(text) => {
            draw::text(s, font, MARGIN + 4.0 * MM, y + BODY_PT, BODY_PT, text);
            y + ROW
        }
        Line::Group(label, f) => {
            let cut = draw::wrap(font, label, BODY_PT, label_w, 1);
            let first = cut.first().map(String::as_str).unwrap_or("");
            draw::text(s, font, MARGIN + 4.0 * MM, y + BODY_PT, BODY_PT, first);
            figures(s, font, y + BODY_PT, BODY_PT, f);
            y + ROW
        }
        Line::Total(f) => {
            let y = y + ROW * 0.5;
            rule(s, y);
            draw::text(s, font, MARGIN, y + ROW, BODY_PT * 1.2, w.total);
            figures(s, font, y + ROW, BODY_PT * 1.2, f);
            y + ROW * 2.0
        }
    }
}

fn figures(s: &mut Surface<'_>, font: &PrintFont, y: f32, size: f32, f: &Figures) {
    let count = f.count.to_string();
    let discount = format_yuan(f.discount_fen);
    let order = format_yuan(f.order_fen);
    numbers(s, font, y, size, [&count, &discount, &order]);
}

/// Now in the shop's zone (the close's "printed at").
pub fn now_in(offset_minutes: i32) -> DateTime<FixedOffset> {
    let zone = FixedOffset::east_opt(offset_minutes * 60).unwrap_or_else(|| Utc.fix());
    Utc::now().with_timezone(&zone)
}
