//! Drawing helpers shared by the label sheets and the close: units, filled rectangles,
//! lines of text fitted to a width, and writing the finished PDF in one rename.

use std::io::Write;
use std::path::Path;

use krilla::geom::{PathBuilder, Point, Transform};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::{PrintError, PrintFont};

/// PDF points per millimetre.
pub const MM: f32 = 72.0 / 25.4;
pub const A4_W: f32 = 210.0 * MM;
pub const A4_H: f32 = 297.0 * MM;

/// An axis-aligned box in points, top-left origin (krilla's).
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Fills the rectangles (x, y, w, h) black, as one path: a QR code or a bar code is one
/// fill operation, not hundreds.
pub fn fill_rects(
    surface: &mut Surface<'_>,
    rects: impl IntoIterator<Item = (f32, f32, f32, f32)>,
) {
    let mut pb = PathBuilder::new();
    let mut any = false;
    for (x, y, w, h) in rects {
        pb.move_to(x, y);
        pb.line_to(x + w, y);
        pb.line_to(x + w, y + h);
        pb.line_to(x, y + h);
        pb.close();
        any = true;
    }
    if let (true, Some(path)) = (any, pb.finish()) {
        surface.set_fill(Some(Fill::default()));
        surface.set_stroke(None);
        surface.draw_path(&path);
    }
}

/// Fills the rectangles (x, y, w, h), given in modules of `module` (width, height)
/// points from `origin`, as one path drawn under a scale: the path's numbers are small
/// integers, which keeps a page of QR codes or bar codes short and quick to write.
pub fn fill_modules(
    surface: &mut Surface<'_>,
    origin: (f32, f32),
    module: (f32, f32),
    rects: impl IntoIterator<Item = (usize, usize, usize, usize)>,
) {
    let scale = Transform::from_row(module.0, 0.0, 0.0, module.1, origin.0, origin.1);
    surface.push_transform(&scale);
    fill_rects(
        surface,
        rects
            .into_iter()
            .map(|(x, y, w, h)| (x as f32, y as f32, w as f32, h as f32)),
    );
    surface.pop();
}

/// A thin grey outline (cards' cut lines, the close's rules).
pub fn outline(surface: &mut Surface<'_>, a: Area, width: f32, grey: u8) {
    let mut pb = PathBuilder::new();
    pb.move_to(a.x, a.y);
    pb.line_to(a.x + a.w, a.y);
    pb.line_to(a.x + a.w, a.y + a.h);
    pb.line_to(a.x, a.y + a.h);
    pb.close();
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: krilla::color::luma::Color::new(grey).into(),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// One line of text with its baseline at `y`, starting at `x`.
pub fn text(surface: &mut Surface<'_>, font: &PrintFont, x: f32, y: f32, size: f32, s: &str) {
    if s.is_empty() {
        return;
    }
    surface.set_fill(Some(Fill::default()));
    let glyphs = font.glyphs(s);
    surface.draw_glyphs(
        Point::from_xy(x, y),
        &glyphs,
        font.font.clone(),
        s,
        size,
        false,
    );
}

/// `s` broken into lines no wider than `width` (between any two characters: codes and
/// Chinese have no spaces to break at). Past `max_lines` the last line ends in "…".
pub fn wrap(font: &PrintFont, s: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        let mut next = cur.clone();
        next.push(c);
        if !cur.is_empty() && font.width(&next, size) > width {
            lines.push(std::mem::take(&mut cur));
            cur.push(c);
        } else {
            cur = next;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && font.width(&format!("{last}…"), size) > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// The largest size from `max` down to `min` (in steps of 5 %) at which `s` fits in
/// `max_lines` lines of `width`, with its lines; at `min` it takes the lines it needs
/// (a code is never cut short).
pub fn fit_whole(
    font: &PrintFont,
    s: &str,
    max: f32,
    min: f32,
    width: f32,
    max_lines: usize,
) -> (f32, Vec<String>) {
    let mut size = max;
    loop {
        let lines = wrap(font, s, size, width, usize::MAX);
        if lines.len() <= max_lines || size <= min {
            return (size, lines);
        }
        size = (size * 0.95).max(min);
    }
}

/// Writes the PDF to a temporary file beside `out`, then renames it over `out`.
pub fn persist(bytes: &[u8], out: &Path) -> Result<(), PrintError> {
    let werr = |source: std::io::Error| PrintError::Write {
        path: out.display().to_string(),
        source,
    };
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    tmp.write_all(bytes).map_err(werr)?;
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist(out).map_err(|e| werr(e.error))?;
    Ok(())
}

/// krilla's refusal, for people.
pub fn pdf_error(e: krilla::error::KrillaError) -> PrintError {
    PrintError::Pdf(format!("{e:?}"))
}
