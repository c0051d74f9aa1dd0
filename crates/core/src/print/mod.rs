//! Printed paper as PDF: label sheets of codes (QR or Code 128, `labels.rs`) and the daily
//! close (`close.rs`). Drawn with krilla in vector form (no raster image anywhere), set in
//! a Chinese font found on this computer (`font.rs`), written to a temporary file beside
//! the target and renamed at the end (`draw::persist`), so a failed or cancelled print
//! never leaves half a file. Why these crates: docs/printing.md.

pub mod close;
mod draw;
pub mod font;
pub mod labels;
mod layout;
mod symbol;
mod words;

use crate::store::StoreError;

pub use font::PrintFont;
pub use words::{valid_between as words_valid_between, valid_term as words_valid_term};

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(
        "no font with Chinese characters was found on this computer; install the package \
         fonts-noto-cjk (Debian/Ubuntu) or set COUPONDESK_FONT to a .ttf, .otf or .ttc file"
    )]
    NoFont,
    #[error("the font {path} has no Chinese characters; choose another in COUPONDESK_FONT")]
    FontLacksChinese { path: String },
    #[error("could not read the font {path}: {source}")]
    FontUnreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("the code {code} is not in the batch {batch}; choose codes of that batch only")]
    CodeNotInBatch { code: String, batch: String },
    #[error("there is no code to print: the batch {0} is empty or none was chosen")]
    NothingToPrint(String),
    #[error("the code {0} cannot be drawn as that symbol")]
    Symbol(String),
    #[error("could not make the PDF: {0}")]
    Pdf(String),
    #[error("could not write {path}: {source}; choose a folder you may write to")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for PrintError {
    fn from(e: rusqlite::Error) -> Self {
        PrintError::Store(StoreError::Sqlite(e))
    }
}

crate::error_codes::impl_error_code! {
    PrintError {
        codes {
            PrintError::NoFont | PrintError::FontLacksChinese { .. } => "print_no_font",
            PrintError::FontUnreadable { .. } => "print_font_unreadable",
            PrintError::CodeNotInBatch { .. } => "print_code_not_in_batch",
            PrintError::NothingToPrint(_) => "print_nothing",
            PrintError::Symbol(_) => "print_symbol_failed",
            PrintError::Pdf(_) => "print_failed",
            PrintError::Write { .. } => "print_write_failed",
        }
        wraps { Store(crate::store::StoreError) }
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let io = || std::io::Error::other("x");
        assert_codes(vec![
            (PrintError::NoFont, "print_no_font"),
            (
                PrintError::FontLacksChinese { path: "f".into() },
                "print_no_font",
            ),
            (
                PrintError::FontUnreadable {
                    path: "f".into(),
                    source: io(),
                },
                "print_font_unreadable",
            ),
            (
                PrintError::CodeNotInBatch {
                    code: "C".into(),
                    batch: "T".into(),
                },
                "print_code_not_in_batch",
            ),
            (PrintError::NothingToPrint("T".into()), "print_nothing"),
            (PrintError::Symbol("C".into()), "print_symbol_failed"),
            (PrintError::Pdf("x".into()), "print_failed"),
            (
                PrintError::Write {
                    path: "p".into(),
                    source: io(),
                },
                "print_write_failed",
            ),
        ]);
    }
}
