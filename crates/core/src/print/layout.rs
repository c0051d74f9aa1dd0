//! Where the labels sit on an A4 sheet, in millimetres as the label makers sell them:
//! 3 × 8 of 70 × 37 mm and 4 × 10 of 52.5 × 29.7 mm cover the whole sheet; the 2 × 5
//! cards (85 × 54 mm) are centred with cut lines. Also the type sizes each uses.

use super::draw::{Area, MM};
use crate::domain::print::LabelLayout;

pub struct Sheet {
    pub cols: usize,
    pub rows: usize,
    /// One label, mm.
    pub w: f32,
    pub h: f32,
    /// The first label's top-left corner, mm.
    pub left: f32,
    pub top: f32,
    /// White kept inside each label's edge (printers drift; QR and bars need it), mm.
    pub pad: f32,
    /// Draw each label's outline (cards are cut out by hand).
    pub cut_lines: bool,
    /// Type sizes, pt: the title, the code (largest), the validity.
    pub title_pt: f32,
    pub code_pt: f32,
    pub valid_pt: f32,
}

pub fn sheet(layout: LabelLayout) -> Sheet {
    match layout {
        LabelLayout::L3x8 => Sheet {
            cols: 3,
            rows: 8,
            w: 70.0,
            h: 37.0,
            left: 0.0,
            top: 0.5,
            pad: 3.0,
            cut_lines: false,
            title_pt: 8.0,
            code_pt: 10.0,
            valid_pt: 6.0,
        },
        LabelLayout::L4x10 => Sheet {
            cols: 4,
            rows: 10,
            w: 52.5,
            h: 29.7,
            left: 0.0,
            top: 0.0,
            pad: 2.0,
            cut_lines: false,
            title_pt: 6.0,
            code_pt: 7.5,
            valid_pt: 5.0,
        },
        LabelLayout::Cards => Sheet {
            cols: 2,
            rows: 5,
            w: 85.0,
            h: 54.0,
            left: 20.0,
            top: 13.5,
            pad: 4.0,
            cut_lines: true,
            title_pt: 11.0,
            code_pt: 12.0,
            valid_pt: 8.0,
        },
    }
}

impl Sheet {
    /// The `i`-th label of a page (row by row), in points.
    pub fn cell(&self, i: usize) -> Area {
        let (row, col) = (i / self.cols, i % self.cols);
        debug_assert!(row < self.rows, "label {i} is past the sheet");
        Area {
            x: (self.left + col as f32 * self.w) * MM,
            y: (self.top + row as f32 * self.h) * MM,
            w: self.w * MM,
            h: self.h * MM,
        }
    }

    /// The label without its padding.
    pub fn inner(&self, i: usize) -> Area {
        let c = self.cell(i);
        let p = self.pad * MM;
        Area {
            x: c.x + p,
            y: c.y + p,
            w: c.w - 2.0 * p,
            h: c.h - 2.0 * p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::draw::{A4_H, A4_W};

    #[test]
    fn every_label_of_every_layout_is_on_the_sheet() {
        for layout in LabelLayout::ALL {
            let s = sheet(layout);
            assert_eq!(s.cols * s.rows, layout.per_page());
            for i in 0..layout.per_page() {
                let c = s.cell(i);
                assert!(c.x >= 0.0 && c.y >= 0.0, "{layout:?} {i}");
                assert!(c.x + c.w <= A4_W + 0.01, "{layout:?} {i} right edge");
                assert!(c.y + c.h <= A4_H + 0.01, "{layout:?} {i} bottom edge");
            }
        }
    }
}
