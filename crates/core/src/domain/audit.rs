//! The audit trail's types: one entry, the list's filters and what `verify` finds.
//! How entries are written and chained is in `store/audit.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::PageRequest;

/// One entry of the audit trail, as the list and the export show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who did it: a staff member, the OS user, or a platform (sync pulls).
    pub actor: String,
    /// The counter (terminal name from the settings); empty for entries written before
    /// the trail was chained (schema 7).
    pub terminal: String,
    /// What was done, e.g. `code.redeem`, `settings.update`.
    pub action: String,
    /// On what: a code, a ticket type, an id.
    pub subject: String,
    /// The action's details (JSON; before/after where the action has them).
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
    /// SHA-256 (lowercase hex) of the previous entry's hash and this entry's canonical JSON.
    pub hash: String,
}

/// The audit list's filters; all optional, combined with AND. Newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditQuery {
    /// Exactly this actor.
    #[serde(default)]
    pub actor: Option<String>,
    /// Exactly this action (`code.redeem`).
    #[serde(default)]
    pub action: Option<String>,
    /// A substring of the subject (a code, a ticket type, an id); with `exact_subject`,
    /// the whole subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// `subject` must match the whole subject: a code's history (code ABC's entries
    /// without those of code ABCD). Codes are case-sensitive, and so is this match.
    #[serde(default)]
    pub exact_subject: bool,
    /// At or after this time.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub page: PageRequest,
}

/// What `verify` found walking the chain from the first entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "verdict",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum AuditVerdict {
    /// Every entry's hash follows from its content and the entry before it.
    Intact {
        #[ts(type = "number")]
        entries: u64,
    },
    /// `first_id` is the first entry whose hash does not follow; entries before it are
    /// intact. `entries_checked` counts the entries read, the broken one included.
    Broken {
        #[ts(type = "number")]
        first_id: i64,
        #[ts(type = "number")]
        entries_checked: u64,
        reason: String,
    },
}
