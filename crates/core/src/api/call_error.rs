//! What a front end's request itself can get wrong, before any use case runs.

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(
        "there is no command '{0}'; the command table (crates/core/src/api/table.rs) lists them"
    )]
    UnknownCommand(String),
    #[error("the arguments of '{command}' do not fit: {reason}")]
    BadArguments { command: String, reason: String },
    #[error("the dev server needs its token: send 'Authorization: Bearer <token>' as printed at its start")]
    Unauthorized,
}

crate::error_codes::impl_error_code! {
    CallError {
        codes {
            CallError::UnknownCommand(_) => "unknown_command",
            CallError::BadArguments { .. } => "invalid_request",
            CallError::Unauthorized => "unauthorized",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_codes::assert_codes;

    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (CallError::UnknownCommand("x".into()), "unknown_command"),
            (
                CallError::BadArguments {
                    command: "x".into(),
                    reason: "y".into(),
                },
                "invalid_request",
            ),
            (CallError::Unauthorized, "unauthorized"),
        ]);
    }
}
