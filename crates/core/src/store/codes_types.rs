//! The shapes of code queries and rows, shared by the store and the UI.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::{CodeStatus, PageRequest};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CodeQuery {
    pub ticket_type: String,
    #[serde(default)]
    pub status: Option<CodeStatus>,
    /// Case-sensitive substring of the code (fastest with 3 characters or more).
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub page: PageRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CodeRow {
    /// 1-based position of the code in its batch, in the order codes were added.
    #[ts(type = "number")]
    pub position: u64,
    pub code: String,
    pub status: CodeStatus,
    /// When the import or generation that added it began.
    pub created_at: DateTime<Utc>,
    /// Last status change, if any.
    pub updated_at: Option<DateTime<Utc>>,
}
