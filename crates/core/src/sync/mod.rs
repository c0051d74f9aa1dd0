//! Sync with the five remote platforms (docs/sync.md).
//!
//! - `outbox`: every user action a platform must hear of is written as an outbox row in
//!   the same transaction as the change (`outbox::enqueue`), with an idempotency key.
//! - `engine`: drains the outbox per platform, in id order, with retries (exponential
//!   backoff with full jitter, Retry-After honoured); stores per-op results; a final "no"
//!   becomes a conflict for the Sync page's inbox. Then pulls remote state.
//! - `connectors`: one per platform, speaking `coupondesk-wire`'s formats over HTTP.
//! - `credentials`: tokens and signing keys, in the OS keyring (`os_keyring`) or, where
//!   none is reachable, a 0600 file beside the database; never in SQLite, never in logs,
//!   never sent to the UI.
//!
//! What must stay true: an op is marked done only after the platform confirmed it (or a
//! read-back found it applied); an op that may have reached the server is never sent
//! again without the platform's idempotency (e-Buy's uuid) or a read-back first.

pub mod activation;
pub mod connector;
pub mod connectors;
pub mod credentials;
pub mod engine;
pub mod http;
pub mod os_keyring;
pub mod outbox;
pub mod probe;
pub mod router;
pub mod settings;
pub mod types;

pub use credentials::{CredentialStore, CredentialStoreKind};
pub use types::*;

use crate::api_error::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Page(#[from] crate::domain::page::PageError),
    #[error(transparent)]
    Transition(#[from] crate::domain::lifecycle::IllegalTransition),
    #[error("unknown platform \"{0}\"; use p000, p001, p002, p003 or p004")]
    UnknownPlatform(String),
    #[error("{message}")]
    Field {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    #[error("could not read or write the credentials file {path}: {source}")]
    Credentials {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the credentials file {0} can be read by other users; run `chmod 600` on it (or \
         enter the secrets again) before syncing"
    )]
    CredentialsOpen(std::path::PathBuf),
    #[error(
        "the OS keyring ({keyring}) could not {action} the {secret}: {reason}. Nothing was \
         changed; unlock the keyring (log in to the desktop session) and try again"
    )]
    Keyring {
        keyring: &'static str,
        action: &'static str,
        secret: String,
        reason: String,
    },
    #[error(
        "could not move the secrets from {path} into the OS keyring ({keyring}): {reason}. \
         The file is kept and still holds them; unlock the keyring (log in to the desktop \
         session) and try again"
    )]
    CredentialsMigration {
        path: std::path::PathBuf,
        keyring: &'static str,
        reason: String,
    },
    #[error("no outbox item {0}; reload the Sync page")]
    ItemNotFound(i64),
    #[error("outbox item {id} is {state}, not a conflict; only conflicts can be retried, edited or discarded")]
    NotAConflict { id: i64, state: &'static str },
    #[error("the edited data does not fit a {op} operation: {message}")]
    BadPayload { op: String, message: String },
    #[error("no batch has the ticket type {0}; check the type")]
    BatchNotFound(String),
    #[error("give at most 100000 codes at once, or leave them out to take the whole batch")]
    TooManyCodes,
    #[error(
        "{0}: codes are activated on e-Buy, so set e-Buy up in Settings (turn sync on, enter \
         its address and secret) before activating or deactivating codes"
    )]
    EbuyNotSetUp(&'static str),
}

crate::error_codes::impl_error_code! {
    SyncError {
        codes {
            SyncError::UnknownPlatform(_) => "unknown_platform",
            // Like every module's form errors: the UI reads `fields` for the details.
            SyncError::Field { .. } => "invalid_fields",
            SyncError::Credentials { .. } => "credentials_io",
            SyncError::CredentialsOpen(_) => "credentials_open",
            SyncError::Keyring { .. } => "credentials_keyring",
            SyncError::CredentialsMigration { .. } => "credentials_migration",
            SyncError::ItemNotFound(_) => "outbox_item_not_found",
            SyncError::NotAConflict { .. } => "not_a_conflict",
            SyncError::BadPayload { .. } => "bad_payload",
            SyncError::BatchNotFound(_) => "batch_not_found",
            SyncError::TooManyCodes => "too_many_codes",
            SyncError::EbuyNotSetUp(_) => "ebuy_not_set_up",
        }
        wraps {
            Store(crate::store::StoreError),
            Page(crate::domain::page::PageError),
            Transition(crate::domain::lifecycle::IllegalTransition),
        }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                SyncError::Field {
                    field,
                    code,
                    message,
                } => vec![FieldError {
                    field: (*field).to_owned(),
                    code: (*code).to_owned(),
                    message: message.clone(),
                }],
                _ => Vec::new(),
            }
        }
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(StoreError::from(e))
    }
}

pub type SyncResult<T> = Result<T, SyncError>;

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let field = SyncError::Field {
            field: "uploadPath",
            code: "invalid",
            message: "m".into(),
        };
        let creds = SyncError::Credentials {
            path: "c.json".into(),
            source: std::io::Error::other("x"),
        };
        assert_codes(vec![
            (
                SyncError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
            (
                SyncError::Page(crate::domain::page::PageError::PageZero),
                "invalid_page",
            ),
            (
                SyncError::Transition(crate::domain::lifecycle::IllegalTransition {
                    from: crate::domain::CodeStatus::Redeemed,
                    to: crate::domain::CodeStatus::Active,
                }),
                "illegal_transition",
            ),
            (SyncError::UnknownPlatform("p9".into()), "unknown_platform"),
            (field, "invalid_fields"),
            (creds, "credentials_io"),
            (
                SyncError::CredentialsOpen("c.json".into()),
                "credentials_open",
            ),
            (
                SyncError::Keyring {
                    keyring: "Secret Service",
                    action: "store",
                    secret: "signing key".into(),
                    reason: "locked".into(),
                },
                "credentials_keyring",
            ),
            (
                SyncError::CredentialsMigration {
                    path: "c.json".into(),
                    keyring: "Secret Service",
                    reason: "locked".into(),
                },
                "credentials_migration",
            ),
            (SyncError::ItemNotFound(1), "outbox_item_not_found"),
            (
                SyncError::NotAConflict {
                    id: 1,
                    state: "done",
                },
                "not_a_conflict",
            ),
            (
                SyncError::BadPayload {
                    op: "o".into(),
                    message: "m".into(),
                },
                "bad_payload",
            ),
            (SyncError::BatchNotFound("T1".into()), "batch_not_found"),
            (SyncError::TooManyCodes, "too_many_codes"),
        ]);
    }
}
