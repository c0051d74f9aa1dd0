//! Which encoding a CSV file is in, and a reader that yields UTF-8 from it.
//!
//! Excel in China saves "CSV" as GBK (read here as GB18030, its superset) unless the user
//! picks "CSV UTF-8", which adds a BOM. Auto-detection: a UTF-8 BOM means UTF-8; else the
//! first 64 KiB decide: valid UTF-8 (pure ASCII included) means UTF-8, anything else GB18030.
//! A UTF-16 BOM (Excel's "Unicode text") means UTF-16 whatever was chosen, and is reported
//! as such.

use std::io::{BufRead, BufReader, Read};

use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{DetectedEncoding, EncodingChoice};

pub const SAMPLE_BYTES: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn detect(sample: &[u8], choice: EncodingChoice) -> DetectedEncoding {
    let has_bom = sample.starts_with(BOM);
    // A UTF-16 BOM cannot start UTF-8 or GB18030 text: it decides, whatever was chosen.
    if sample.starts_with(b"\xFF\xFE") {
        return DetectedEncoding::Utf16Le;
    }
    if sample.starts_with(b"\xFE\xFF") {
        return DetectedEncoding::Utf16Be;
    }
    match choice {
        EncodingChoice::Gbk => DetectedEncoding::Gb18030,
        EncodingChoice::Utf8 if has_bom => DetectedEncoding::Utf8Bom,
        EncodingChoice::Utf8 => DetectedEncoding::Utf8,
        EncodingChoice::Auto if has_bom => DetectedEncoding::Utf8Bom,
        EncodingChoice::Auto => match std::str::from_utf8(sample) {
            Ok(_) => DetectedEncoding::Utf8,
            // The sample may end inside a multi-byte character: that is still UTF-8.
            Err(e) if e.error_len().is_none() => DetectedEncoding::Utf8,
            Err(_) => DetectedEncoding::Gb18030,
        },
    }
}

/// Wraps `inner` so it reads as UTF-8 without a BOM. UTF-8 input passes through unchanged
/// (invalid bytes are caught per field by the caller); GB18030 is transcoded.
pub fn utf8_reader<R: Read + 'static>(inner: R, enc: DetectedEncoding) -> Box<dyn Read> {
    match enc {
        DetectedEncoding::Utf8 | DetectedEncoding::Utf8Bom => {
            // Bytes pass unchanged: a cell that is not valid UTF-8 is reported by its row.
            let mut r = BufReader::with_capacity(64 * 1024, inner);
            if r.fill_buf().is_ok_and(|b| b.starts_with(BOM)) {
                r.consume(BOM.len());
            }
            Box::new(r)
        }
        DetectedEncoding::Gb18030 => transcoded(inner, encoding_rs::GB18030),
        DetectedEncoding::Utf16Le => transcoded(inner, encoding_rs::UTF_16LE),
        DetectedEncoding::Utf16Be => transcoded(inner, encoding_rs::UTF_16BE),
    }
}

/// Decodes `inner` from `enc` to UTF-8, dropping a BOM.
fn transcoded<R: Read + 'static>(inner: R, enc: &'static encoding_rs::Encoding) -> Box<dyn Read> {
    Box::new(
        DecodeReaderBytesBuilder::new()
            .encoding(Some(enc))
            .bom_override(true)
            .build(inner),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        assert_eq!(
            detect(b"code\nAB12\n", EncodingChoice::Auto),
            DetectedEncoding::Utf8
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBFcode\n", EncodingChoice::Auto),
            DetectedEncoding::Utf8Bom
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("券码\nAB12\n");
        assert_eq!(
            detect(&gbk, EncodingChoice::Auto),
            DetectedEncoding::Gb18030
        );
        // A UTF-8 character cut by the end of the sample.
        let cut = &"券".as_bytes()[..2];
        assert_eq!(detect(cut, EncodingChoice::Auto), DetectedEncoding::Utf8);
        assert_eq!(
            detect(b"abc", EncodingChoice::Gbk),
            DetectedEncoding::Gb18030
        );
        for choice in [
            EncodingChoice::Auto,
            EncodingChoice::Gbk,
            EncodingChoice::Utf8,
        ] {
            assert_eq!(detect(b"\xFF\xFEc\0", choice), DetectedEncoding::Utf16Le);
            assert_eq!(detect(b"\xFE\xFF\0c", choice), DetectedEncoding::Utf16Be);
        }
    }

    #[test]
    fn transcodes_utf16() {
        let text = "券码\r\nAB12\r\n";
        let mut le = b"\xFF\xFE".to_vec();
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut out = String::new();
        let r = utf8_reader(std::io::Cursor::new(le), DetectedEncoding::Utf16Le)
            .read_to_string(&mut out);
        assert!(r.is_ok());
        assert_eq!(out, text);
    }

    #[test]
    fn transcodes_gbk() {
        let (gbk, _, _) = encoding_rs::GBK.encode("券码,备注\nAB12,好\n");
        let mut out = String::new();
        let r = utf8_reader(
            std::io::Cursor::new(gbk.into_owned()),
            DetectedEncoding::Gb18030,
        )
        .read_to_string(&mut out);
        assert!(r.is_ok());
        assert_eq!(out, "券码,备注\nAB12,好\n");
    }

    #[test]
    fn strips_the_bom() {
        let mut out = String::new();
        let r = utf8_reader(
            std::io::Cursor::new(b"\xEF\xBB\xBFcode\n".to_vec()),
            DetectedEncoding::Utf8Bom,
        )
        .read_to_string(&mut out);
        assert!(r.is_ok());
        assert_eq!(out, "code\n");
    }
}
