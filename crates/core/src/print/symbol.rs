//! The two symbols as plain module grids, turned into black rectangles: a QR code (the
//! `qrcode` crate, error correction M: a label may get scuffed) and a Code 128 bar code
//! (the `barcoders` crate, code set B: every character a code may hold is in it).

use barcoders::sym::code128::Code128;
use qrcode::{Color, EcLevel, QrCode};

use super::PrintError;

/// Modules of white a reader needs around a QR code (the standard asks 4; the label's
/// padding gives the rest) and beside a bar code (10 modules each side).
pub const QR_QUIET: usize = 2;
pub const BAR_QUIET: usize = 10;

/// A QR code: its width in modules and its dark modules as rectangles (x, y, w, h) in
/// modules: each row's dark runs, a run that repeats in the rows below it merged into one
/// taller rectangle (fewer path operations: the PDF's size and time are mostly these).
pub struct QrGrid {
    pub width: usize,
    pub rects: Vec<(usize, usize, usize, usize)>,
}

pub fn qr(code: &str) -> Result<QrGrid, PrintError> {
    let q = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M)
        .map_err(|_| PrintError::Symbol(code.to_owned()))?;
    let width = q.width();
    let colors = q.into_colors();
    let mut rects = Vec::new();
    // Runs still growing downwards: (x, len) -> (first row, rows).
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (row, line) in colors.chunks(width).enumerate() {
        let runs: Vec<_> = dark_runs(line.iter().map(|c| *c == Color::Dark)).collect();
        let mut still = Vec::with_capacity(runs.len());
        for (x, n, top, h) in open.drain(..) {
            if runs.contains(&(x, n)) {
                still.push((x, n, top, h + 1));
            } else {
                rects.push((x, top, n, h));
            }
        }
        for (x, n) in runs {
            if !still.iter().any(|o| (o.0, o.1) == (x, n)) {
                still.push((x, n, row, 1));
            }
        }
        open = still;
    }
    rects.extend(open.into_iter().map(|(x, n, top, h)| (x, top, n, h)));
    Ok(QrGrid { width, rects })
}

/// A Code 128 bar code: its width in modules and its bars (x, len).
pub struct Bars {
    pub width: usize,
    pub bars: Vec<(usize, usize)>,
}

pub fn code128(code: &str) -> Result<Bars, PrintError> {
    // "Ɓ" starts code set B (barcoders' notation); codes are A-Z a-z 0-9 - _.
    let modules = Code128::new(format!("Ɓ{code}"))
        .map_err(|_| PrintError::Symbol(code.to_owned()))?
        .encode();
    Ok(Bars {
        width: modules.len(),
        bars: dark_runs(modules.iter().map(|m| *m == 1)).collect(),
    })
}

/// The runs of `true` as (start, length).
fn dark_runs(cells: impl Iterator<Item = bool>) -> impl Iterator<Item = (usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut n = 0;
    for (i, dark) in cells.enumerate() {
        match (dark, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i - s));
                start = None;
            }
            _ => {}
        }
        n = i + 1;
    }
    if let Some(s) = start {
        out.push((s, n - s));
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_cells() {
        let cells = [true, true, false, true, false, false, true];
        let runs: Vec<_> = dark_runs(cells.into_iter()).collect();
        assert_eq!(runs, [(0, 2), (3, 1), (6, 1)]);
    }

    #[test]
    fn a_code128_starts_with_start_b_and_ends_with_the_stop_pattern() {
        let b = code128("K7Q2M9XZ4B1P").expect("encodes");
        // START B is 11010010000, STOP 1100011101011 (then barcoders' 2-module end bar
        // is part of the stop pattern's 13 modules).
        assert_eq!(b.bars[0], (0, 2));
        assert_eq!(b.bars[1], (3, 1));
        // 1 start + 12 data + 1 check symbol of 11 modules, and the 13-module stop.
        assert_eq!(b.width, 14 * 11 + 13);
        let last = b.bars[b.bars.len() - 1];
        assert_eq!(last.0 + last.1, b.width, "ends on a bar");
    }

    #[test]
    fn a_qr_codes_rectangles_cover_exactly_its_dark_modules() {
        let code = "K7Q2M9XZ4B1P";
        let g = qr(code).expect("encodes");
        let mut painted = vec![0u8; g.width * g.width];
        for &(x, y, w, h) in &g.rects {
            for yy in y..y + h {
                for xx in x..x + w {
                    painted[yy * g.width + xx] += 1;
                }
            }
        }
        let want: Vec<u8> = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M)
            .expect("encodes")
            .to_colors()
            .iter()
            .map(|c| u8::from(*c == Color::Dark))
            .collect();
        assert_eq!(painted, want, "each dark module once, no light one");
        // A finder's top row is 7 dark modules at the left and the right edge.
        assert!(g.rects.contains(&(0, 0, 7, 1)));
        assert!(g.rects.contains(&(g.width - 7, 0, 7, 1)));
        // Its 1-module sides run 5 rows down as one rectangle each.
        assert!(g.rects.contains(&(0, 1, 1, 5)));
    }

    #[test]
    fn a_character_outside_code_set_b_is_refused() {
        assert!(code128("券码").is_err());
    }
}
