//! The one shape in which errors cross to the UI and to the CLI's --json output:
//! `{code, message}`. The UI branches on `code` (and translates it); `message` is an
//! English sentence that says what happened and what to do next.

use serde::Serialize;
use ts_rs::TS;

/// Every error type of the core says which stable `code` it is.
pub trait ErrorCode: std::error::Error {
    fn code(&self) -> &'static str;
}

#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct ApiError {
    /// Stable, snake_case, never translated (e.g. `batch_name_taken`).
    pub code: String,
    /// English sentence for logs and the CLI; the UI shows its own translation of `code`.
    pub message: String,
}

impl<E: ErrorCode> From<&E> for ApiError {
    fn from(e: &E) -> Self {
        ApiError {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
