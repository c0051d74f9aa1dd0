//! The longest CSV record an import reads: 64 KiB. The csv crate grows its record buffer
//! without bound, so a file with no line end (`/dev/zero` copied to a file, a 200 MB
//! single line, an unclosed quote near the top) would be held whole in memory. This
//! reader sits in front of it and fails, with the line where the record starts, once a
//! record passes the limit: memory stays bounded whatever the file.
//!
//! It follows the csv crate's quoting (RFC 4180, its defaults): a `"` opens a quoted cell
//! only at the start of a cell; inside one, `""` is a quote and a line end is data; a
//! record ends at `\r` or `\n` outside quotes. Its count may only be wrong for a record
//! that the csv crate reads differently, and then only by whether it is long.

use std::io::Read;

/// Longest record, in bytes of UTF-8 text after decoding.
pub const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// The error inside the `io::Error` a too-long record raises; `reader::csv_error` turns it
/// into `ImportError::RecordTooLong`.
#[derive(Debug, thiserror::Error)]
#[error("the record starting on line {line} is longer than {MAX_RECORD_BYTES} bytes")]
pub struct RecordTooLong {
    pub line: u64,
}

#[derive(Clone, Copy)]
enum State {
    CellStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted cell: the end of the quote, or the first of `""`.
    QuoteInQuoted,
}

pub struct Bounded<R> {
    inner: R,
    state: State,
    /// Bytes of the current record so far.
    record_bytes: u64,
    /// `\n` bytes seen, and the count when the current record began.
    newlines: u64,
    record_line: u64,
}

impl<R> Bounded<R> {
    pub fn new(inner: R) -> Bounded<R> {
        Bounded {
            inner,
            state: State::CellStart,
            record_bytes: 0,
            newlines: 0,
            record_line: 1,
        }
    }

    fn step(&mut self, b: u8) {
        let line_end = b == b'\n' || b == b'\r';
        self.newlines += u64::from(b == b'\n');
        let ends_record = line_end && !matches!(self.state, State::Quoted);
        self.state = match (self.state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::CellStart, b'"') => State::Quoted,
            (_, b',') => State::CellStart,
            _ if ends_record => State::CellStart,
            _ => State::Unquoted,
        };
        if ends_record {
            self.record_bytes = 0;
            self.record_line = self.newlines + 1;
        } else {
            self.record_bytes += 1;
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.step(b);
            if self.record_bytes > MAX_RECORD_BYTES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    RecordTooLong {
                        line: self.record_line,
                    },
                ));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &[u8]) -> Result<usize, u64> {
        let mut r = Bounded::new(text);
        let mut out = Vec::new();
        match r.read_to_end(&mut out) {
            Ok(n) => Ok(n),
            Err(e) => Err(e
                .get_ref()
                .and_then(|e| e.downcast_ref::<RecordTooLong>())
                .map(|t| t.line)
                .expect("a RecordTooLong")),
        }
    }

    fn long(n: u64) -> Vec<u8> {
        vec![b'A'; n as usize]
    }

    #[test]
    fn a_record_at_the_limit_passes_one_byte_more_fails_with_its_line() {
        let mut ok = b"code\r\nAB12\n".to_vec();
        ok.extend(long(MAX_RECORD_BYTES));
        ok.extend(b"\nCD34\n");
        assert!(read_all(&ok).is_ok());
        let mut bad = b"code\r\nAB12\n\n".to_vec();
        bad.extend(long(MAX_RECORD_BYTES + 1));
        assert_eq!(read_all(&bad), Err(4), "the long record starts on line 4");
    }

    #[test]
    fn line_ends_inside_quotes_do_not_end_the_record() {
        // An unclosed quote swallows the rest of the file into one record.
        let mut bad = b"code\n\"AB12\n".to_vec();
        for _ in 0..MAX_RECORD_BYTES / 8 {
            bad.extend(b"CD3456\r\n");
        }
        bad.extend(b"EF\n");
        assert_eq!(read_all(&bad), Err(2));
        // Closed quotes, escaped quotes and a quote inside an unquoted cell are ordinary.
        let mut ok = Vec::new();
        for _ in 0..MAX_RECORD_BYTES / 8 {
            ok.extend(b"\"A\"\"B\nC\",1\"2\"\n");
        }
        assert!(read_all(&ok).is_ok());
    }
}
