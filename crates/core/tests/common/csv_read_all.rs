//! Drives the CSV/encoding reader (crates/core/src/import/reader.rs, encoding.rs) over a
//! file the way an import does, through its public functions only: shared by the
//! property test (tests/csv_reader_props.rs) and the fuzz target (fuzz/).

use std::path::Path;

use coupondesk_core::import::{encoding, reader, EncodingChoice, ImportOptions};

/// What reading a file gave: the encoding chosen, and the records (cells as bytes) up to
/// the first error, with that error's text if one came.
pub struct ReadAll {
    pub encoding: coupondesk_core::import::DetectedEncoding,
    pub records: Vec<Vec<Vec<u8>>>,
    pub error: Option<String>,
}

/// Reads the whole file as an import would: detection on the sample, the layout decision
/// on the first rows (errors there are fine), then every record with its line number.
pub fn read_all(path: &Path, choice: EncodingChoice) -> ReadAll {
    let sample = std::fs::read(path).unwrap_or_default();
    let sample = &sample[..sample.len().min(encoding::SAMPLE_BYTES)];
    let enc = encoding::detect(sample, choice);
    let options = ImportOptions {
        encoding: choice,
        ..ImportOptions::default()
    };
    let _ = reader::decide(path, &options, 21);
    let mut out = ReadAll {
        encoding: enc,
        records: Vec::new(),
        error: None,
    };
    let mut opened = match reader::open(path, enc) {
        Ok(o) => o,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let mut rec = csv::ByteRecord::new();
    let mut last_line = 0;
    loop {
        match opened.records.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.error = Some(reader::csv_error(path, e).to_string());
                break;
            }
        }
        let line = opened.line_of(&rec);
        assert!(
            line >= last_line,
            "line numbers go back: {line} after {last_line}"
        );
        last_line = line;
        let _ = reader::cells(&rec);
        let _ = reader::is_blank(&rec);
        out.records.push(rec.iter().map(<[u8]>::to_vec).collect());
    }
    out
}
