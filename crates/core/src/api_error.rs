//! The one shape in which errors cross to the UI and to the CLI's --json output:
//! `{code, message, fields}`. The UI branches on `code` (and translates it); `message` is
//! an English sentence that says what happened and what to do next; `fields` names the
//! form fields at fault, so each message can stand beside its field.

use serde::Serialize;
use ts_rs::TS;

/// Every error type of the core says which stable `code` it is.
pub trait ErrorCode: std::error::Error {
    fn code(&self) -> &'static str;

    /// Appends every code this type can say, wrapped errors' codes included. Implemented by
    /// `impl_error_code!` from the same arms as `code()`, so the two cannot disagree.
    fn collect_codes(out: &mut Vec<&'static str>)
    where
        Self: Sized;

    /// The form fields at fault, when the error is about a form.
    fn fields(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// One form field that breaks a rule.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct FieldError {
    /// The field's name in the request, camelCase, with `.` for nesting and list indexes
    /// (`offer.reduceFen`, `timeLimits.0`).
    pub field: String,
    /// Stable: `required`, `too_long`, `out_of_range`, `invalid`, `order`.
    pub code: String,
    /// English sentence saying what the field needs.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct ApiError {
    /// Stable, snake_case, never translated (e.g. `batch_name_taken`).
    pub code: String,
    /// English sentence for logs and the CLI; the UI shows its own translation of `code`.
    pub message: String,
    /// Empty unless the error is about form fields (`invalid_fields`).
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_owned(),
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl<E: ErrorCode> From<&E> for ApiError {
    fn from(e: &E) -> Self {
        ApiError {
            code: e.code().to_owned(),
            message: e.to_string(),
            fields: e.fields(),
        }
    }
}

/// So `?` turns the use cases' one error type into the wire shape: the shell and the CLI
/// hold no conversion of their own.
impl From<crate::desk::DeskError> for ApiError {
    fn from(e: crate::desk::DeskError) -> Self {
        ApiError::from(&e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
