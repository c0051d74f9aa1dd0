//! Large bulk counts need `--yes` (issue 13): a count typed after a pre-filled one (1000,
//! then 100000 typed after it) asks for a thousand times more than meant, so the command
//! line, like the window, makes a person confirm counts above a threshold. The core's own
//! maximum (`generate::MAX_PER_RUN`, `bonus::MAX_QUANTITY`) still applies with `--yes`.

use coupondesk_core::ApiError;

/// Codes in one `codes generate` run above which `--yes` is needed (the window asks too).
pub const CODES: u64 = 100_000;
/// Bonuses in one `bonus create` above which `--yes` is needed (the window asks too).
pub const BONUSES: u64 = 100;

/// Ok when `count` is at most `threshold` or the person gave `--yes`; otherwise
/// `large_count_unconfirmed`, saying what to check and how to go on.
pub fn confirmed(count: u64, threshold: u64, what: &str, yes: bool) -> Result<(), ApiError> {
    if count <= threshold || yes {
        return Ok(());
    }
    Err(ApiError::new(
        "large_count_unconfirmed",
        format!(
            "{count} {what} is more than {threshold}: check the number (a count typed after \
             another is a common slip) and run the command again with --yes to go ahead"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn above_the_threshold_only_with_yes() {
        assert!(confirmed(CODES, CODES, "codes", false).is_ok());
        let e = confirmed(CODES + 1, CODES, "codes", false).unwrap_err();
        assert_eq!(e.code, "large_count_unconfirmed");
        assert!(e.message.starts_with("100001 codes is more than 100000"));
        assert!(confirmed(CODES + 1, CODES, "codes", true).is_ok());
    }
}
