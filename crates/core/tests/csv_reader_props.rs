//! Properties of the CSV/encoding reader (import/reader.rs, encoding.rs), run in
//! `make test` in seconds; the fuzz target in fuzz/ explores the same reader for longer
//! (docs/codes-and-imports.md, "Fuzzing the reader").
//!
//! - any bytes, in any encoding choice, are read without a panic (an error is fine);
//! - no record the reader yields is longer than the record limit (64 KiB,
//!   `import::record_limit`);
//! - valid CSV round-trips: what a CSV writer wrote, in UTF-8, UTF-8 with BOM, GB18030 or
//!   UTF-16 with its mark (either byte order), reads back as the same records and reports
//!   that encoding.

#[path = "common/csv_read_all.rs"]
mod csv_read_all;

use std::io::Write;

use coupondesk_core::import::{DetectedEncoding, EncodingChoice};
use csv_read_all::read_all;
use proptest::prelude::*;

/// The maximum record length an import accepts (issue 14, item 5).
const RECORD_LIMIT: usize = coupondesk_core::import::record_limit::MAX_RECORD_BYTES as usize;

fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(bytes).expect("write");
    f.flush().expect("flush");
    f
}

fn choice() -> impl Strategy<Value = EncodingChoice> {
    prop_oneof![
        Just(EncodingChoice::Auto),
        Just(EncodingChoice::Utf8),
        Just(EncodingChoice::Gbk)
    ]
}

/// Bytes that look like CSV often enough to reach past the first record: separators,
/// quotes, line ends, a BOM, GBK and UTF-8 lead bytes, NULs, and anything else.
fn csvish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("券码".as_bytes().to_vec()),
        Just(b"\xC8\xAF\xC2\xEB".to_vec()),
        Just(b"\0".to_vec()),
        "[A-Z0-9]{1,12}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    proptest::collection::vec(piece, 0..200).prop_map(|v| v.concat())
}

/// Cells a person could type: any text but NUL (a binary marker) and the BOM character
/// (a file's first bytes), with separators, quotes and line ends among them.
fn cell() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => "[A-Za-z0-9 ]",
            1 => "[,\"\r\n]",
            1 => "[券码兑换優惠€é]",
            1 => any::<char>().prop_filter("no NUL or BOM", |c| *c != '\0' && *c != '\u{feff}')
                .prop_map(String::from),
        ],
        0..12,
    )
    .prop_map(|v| v.concat())
}

fn rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    proptest::collection::vec(proptest::collection::vec(cell(), 1..5), 1..20)
}

fn written(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("write record");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("utf-8")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_never_panic(bytes in csvish_bytes(), choice in choice()) {
        let f = file_with(&bytes);
        let got = read_all(f.path(), choice);
        prop_assert!(got.records.iter().all(|r| r.iter().map(Vec::len).sum::<usize>() <= bytes.len() * 4 + 4),
            "a record longer than the decoded input could be");
    }

    #[test]
    fn valid_csv_round_trips(rows in rows(), enc in prop_oneof![
        Just(DetectedEncoding::Utf8), Just(DetectedEncoding::Utf8Bom), Just(DetectedEncoding::Gb18030),
        Just(DetectedEncoding::Utf16Le), Just(DetectedEncoding::Utf16Be)
    ]) {
        let text = written(&rows);
        // UTF-16 with its byte-order mark, as Excel's "Unicode text" saves it.
        let utf16 = |mark: [u8; 2], unit: fn(u16) -> [u8; 2]| -> Vec<u8> {
            mark.into_iter().chain(text.encode_utf16().flat_map(unit)).collect()
        };
        let (bytes, choice) = match enc {
            DetectedEncoding::Utf8 => (text.clone().into_bytes(), EncodingChoice::Auto),
            DetectedEncoding::Utf8Bom => ([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(), EncodingChoice::Auto),
            DetectedEncoding::Gb18030 => (encoding_rs::GB18030.encode(&text).0.into_owned(), EncodingChoice::Gbk),
            DetectedEncoding::Utf16Le => (utf16([0xFF, 0xFE], u16::to_le_bytes), EncodingChoice::Auto),
            DetectedEncoding::Utf16Be => (utf16([0xFE, 0xFF], u16::to_be_bytes), EncodingChoice::Auto),
        };
        let f = file_with(&bytes);
        let got = read_all(f.path(), choice);
        prop_assert_eq!(got.error, None);
        prop_assert_eq!(got.encoding, enc);
        let want: Vec<Vec<Vec<u8>>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.as_bytes().to_vec()).collect())
            .collect();
        prop_assert_eq!(got.records, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Lines of up to 200 KiB, with and without line ends: the reader refuses the file
    /// or yields records within the limit, never one longer.
    #[test]
    fn records_never_exceed_the_limit(
        len in 1usize..200 * 1024,
        byte in prop_oneof![Just(b'A'), Just(b'"'), any::<u8>()],
        line_end in any::<bool>(),
        choice in choice(),
    ) {
        let mut bytes = vec![byte; len];
        if line_end {
            bytes.extend_from_slice(b"\nABC123\n");
        }
        let f = file_with(&bytes);
        let got = read_all(f.path(), choice);
        for r in &got.records {
            let size: usize = r.iter().map(Vec::len).sum();
            prop_assert!(size <= RECORD_LIMIT, "a record of {} bytes was yielded", size);
        }
    }
}
