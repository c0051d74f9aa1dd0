//! The CSV/encoding reader of imports (crates/core/src/import/reader.rs, encoding.rs) on
//! any bytes: detection, the layout decision and every record must never panic. The
//! first input byte chooses the encoding option (auto, UTF-8, GBK); the rest is the file.
#![no_main]

#[path = "../../crates/core/tests/common/csv_read_all.rs"]
mod csv_read_all;

use std::path::PathBuf;
use std::sync::OnceLock;

use coupondesk_core::import::EncodingChoice;
use libfuzzer_sys::fuzz_target;

/// One file per fuzzing process, rewritten for each input (the reader takes a path).
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("coupondesk-fuzz-{}.csv", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let choice = match pick % 3 {
        0 => EncodingChoice::Auto,
        1 => EncodingChoice::Utf8,
        _ => EncodingChoice::Gbk,
    };
    if std::fs::write(scratch(), content).is_err() {
        return;
    }
    let _ = csv_read_all::read_all(scratch(), choice);
});
