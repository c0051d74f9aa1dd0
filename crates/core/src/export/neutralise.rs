//! Spreadsheet formula injection: a cell that starts with = + - @ tab or CR is run as a
//! formula by Excel and friends. A leading apostrophe makes it plain text.
//!
//! Spreadsheets also read the full-width forms ＝ ＋ － ＠ (U+FF1D, U+FF0B, U+FF0D, U+FF20)
//! as formula starts, and an invisible zero-width character (U+200B..U+200D, U+2060,
//! U+FEFF) in front hides a start from a check that looks only at the first byte. So the
//! check skips those invisible characters and then looks at the first visible character.
//! What must stay true: a neutralised cell is the original cell with one `'` in front,
//! and a cell that starts no formula comes out byte for byte unchanged.

use std::borrow::Cow;

/// Invisible characters a cell may start with that hide what follows.
const ZERO_WIDTH: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// First characters a spreadsheet runs as a formula, ASCII and full-width.
const FORMULA_STARTS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let first_visible = cell.chars().find(|c| !ZERO_WIDTH.contains(c));
    match first_visible {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The oracle, written apart from the code above: the starts the issue names, as text,
    /// looked for after the invisible characters are stripped.
    fn oracle_is_dangerous(cell: &str) -> bool {
        let visible = cell
            .trim_start_matches(|c| matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'));
        ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]
            .iter()
            .any(|start| visible.starts_with(start))
    }

    const DANGER: [&str; 10] = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"];
    const HIDERS: [&str; 5] = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}"];

    #[test]
    fn neutralises_formula_starts() {
        for bad in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        assert_eq!(neutralise("ABCD-1"), "ABCD-1");
        assert_eq!(neutralise(""), "");
    }

    /// Every named start, bare, behind each invisible character and behind two of them.
    #[test]
    fn every_dangerous_start_is_neutralised_even_when_hidden() {
        let mut hidden_fronts = vec![String::new()];
        for a in HIDERS {
            hidden_fronts.push(a.to_owned());
            for b in HIDERS {
                hidden_fronts.push(format!("{a}{b}"));
            }
        }
        let mut checked = 0;
        for front in &hidden_fronts {
            for start in DANGER {
                for tail in ["", "1+1", "SUM(A1:A9)", "券"] {
                    let cell = format!("{front}{start}{tail}");
                    assert_eq!(neutralise(&cell), format!("'{cell}"), "cell {cell:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 31 * 10 * 4);
    }

    #[test]
    fn safe_cells_come_out_unchanged() {
        for safe in [
            "ABCD-1",
            "券码=1",
            " =1",
            "'=1",
            "\u{200B}ABCD",
            "\u{FEFF}",
            "\u{200B}\u{FEFF}",
            "a@b",
            "\n=1",
        ] {
            let out = neutralise(safe);
            assert!(matches!(out, Cow::Borrowed(_)), "cell {safe:?} was copied");
            assert_eq!(out, safe);
        }
    }

    /// Cells that often start (or hide) a formula, plus anything at all.
    fn cells() -> impl Strategy<Value = String> {
        let hidden = proptest::collection::vec(proptest::sample::select(HIDERS.to_vec()), 0..3)
            .prop_map(|v| v.concat());
        let start = prop_oneof![
            proptest::sample::select(DANGER.to_vec()).prop_map(str::to_owned),
            "[A-Za-z0-9 '\"\n]",
            Just(String::new()),
        ];
        prop_oneof![
            (hidden, start, "\\PC{0,12}").prop_map(|(h, s, t)| format!("{h}{s}{t}")),
            "\\PC{0,20}",
        ]
    }

    proptest! {
        #[test]
        fn matches_the_oracle(cell in cells()) {
            let out = neutralise(&cell);
            if oracle_is_dangerous(&cell) {
                prop_assert_eq!(out.as_ref(), format!("'{cell}"));
            } else {
                prop_assert!(matches!(out, Cow::Borrowed(_)));
                prop_assert_eq!(out.as_ref(), cell.as_str());
            }
        }
    }

    /// The generator reaches both branches often, so the property above tests both.
    #[test]
    fn the_generator_mixes_dangerous_and_safe_cells() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::{Config, TestRunner};
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            proptest::test_runner::TestRng::deterministic_rng(
                proptest::test_runner::RngAlgorithm::ChaCha,
            ),
        );
        let (mut dangerous, mut hidden_dangerous) = (0, 0);
        let n = 1000;
        for _ in 0..n {
            let Ok(tree) = cells().new_tree(&mut runner) else {
                panic!("strategy failed");
            };
            let cell = tree.current();
            if oracle_is_dangerous(&cell) {
                dangerous += 1;
                if HIDERS.iter().any(|h| cell.starts_with(h)) {
                    hidden_dangerous += 1;
                }
            }
        }
        assert!(
            dangerous > n / 5 && dangerous < n * 4 / 5,
            "{dangerous} of {n}"
        );
        assert!(hidden_dangerous > n / 20, "{hidden_dangerous} of {n}");
    }
}
