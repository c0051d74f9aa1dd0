//! Spreadsheet formula injection: a cell that starts with = + - @ tab or CR is run as a
//! formula by Excel and friends. A leading apostrophe makes it plain text.

use std::borrow::Cow;

pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn neutralises_formula_starts() {
        for bad in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        assert_eq!(neutralise("ABCD-1"), "ABCD-1");
        assert_eq!(neutralise(""), "");
    }

    proptest! {
        #[test]
        fn output_never_starts_a_formula(s in "\\PC{0,20}") {
            let n = neutralise(&s);
            let first = n.as_bytes().first().copied();
            prop_assert!(!matches!(first, Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')));
            prop_assert!(n.ends_with(s.as_str()));
        }
    }
}
