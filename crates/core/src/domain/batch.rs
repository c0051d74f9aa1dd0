//! A code batch: spec 000's "ticket type", kept locally. Identified by its ticket_type,
//! named by a unique ticket_name, with counts of total and used codes that the store keeps
//! right in the same transaction as every change.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchFieldError {
    #[error("the batch type is empty; enter an id such as AVD1KYBW8001")]
    TypeEmpty,
    #[error("the batch type may have at most 64 characters of A-Z, a-z, 0-9, '-' and '_'")]
    TypeBad,
    #[error("the batch name is empty; give the batch a name staff will recognise")]
    NameEmpty,
    #[error("the batch name is longer than 100 characters; shorten it")]
    NameTooLong,
}

crate::error_codes::impl_error_code! {
    BatchFieldError {
        codes {
            BatchFieldError::TypeEmpty | BatchFieldError::TypeBad => "invalid_batch_type",
            BatchFieldError::NameEmpty | BatchFieldError::NameTooLong => "invalid_batch_name",
        }
    }
}

/// The batch's unique id as the platforms know it (spec 000 `ticket_type`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketType(String);

impl TicketType {
    pub fn parse(raw: &str) -> Result<TicketType, BatchFieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(BatchFieldError::TypeEmpty);
        }
        if t.len() > 64
            || !t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(BatchFieldError::TypeBad);
        }
        Ok(TicketType(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The batch's display name (spec 000 `ticket_name`), unique across batches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchName(String);

impl BatchName {
    pub fn parse(raw: &str) -> Result<BatchName, BatchFieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(BatchFieldError::NameEmpty);
        }
        if t.chars().count() > 100 {
            return Err(BatchFieldError::NameTooLong);
        }
        Ok(BatchName(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Batch {
    pub ticket_type: String,
    pub name: String,
    #[ts(type = "number")]
    pub total_codes: u64,
    /// Codes redeemed (spec 000 `ticket_used`).
    #[ts(type = "number")]
    pub used_codes: u64,
    /// The coupon template whose codes these are, if linked.
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    /// Codes of an interrupted or cancelled run still to be deleted in the background
    /// (`store::run_undo`); 0 when none. They are counted nowhere else; a new run into
    /// the batch waits until this is 0.
    #[ts(type = "number")]
    pub cleanup_left: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(
            TicketType::parse(" AVD1KYBW8001 ").map(|t| t.0),
            Ok("AVD1KYBW8001".into())
        );
        assert_eq!(TicketType::parse(""), Err(BatchFieldError::TypeEmpty));
        assert_eq!(TicketType::parse("a b"), Err(BatchFieldError::TypeBad));
        assert_eq!(
            BatchName::parse(" 919送乐2 ").map(|n| n.0),
            Ok("919送乐2".into())
        );
        assert_eq!(BatchName::parse("  "), Err(BatchFieldError::NameEmpty));
        assert_eq!(
            BatchName::parse(&"名".repeat(101)),
            Err(BatchFieldError::NameTooLong)
        );
        assert!(BatchName::parse(&"名".repeat(100)).is_ok());
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (BatchFieldError::TypeEmpty, "invalid_batch_type"),
            (BatchFieldError::TypeBad, "invalid_batch_type"),
            (BatchFieldError::NameEmpty, "invalid_batch_name"),
            (BatchFieldError::NameTooLong, "invalid_batch_name"),
        ]);
    }
}
