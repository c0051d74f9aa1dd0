//! Reconciliation (对账): for each platform and each of its groups, the local counts
//! beside the counts the platform's last pull saw, and the items whose state differs.
//! Which platforms can be compared, and how, is in docs/reports.md ("Reconciliation").

use chrono::{DateTime, Utc};
use coupondesk_wire::Platform;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::PageRequest;

/// Issued, active (usable) and used, on one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SideCounts {
    #[ts(type = "number")]
    pub issued: i64,
    #[ts(type = "number")]
    pub active: i64,
    #[ts(type = "number")]
    pub used: i64,
}

/// One group of one platform: a ticket type (000), the bonuses (002) or a service name
/// (003).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReconRow {
    pub platform: Platform,
    /// The group's key: the platform's ticket_type (000), "" (002), the name (003).
    pub key: String,
    pub label: String,
    pub local: SideCounts,
    /// What the last pull saw; none when the pull has not seen this group (never
    /// pulled, or only known here).
    pub remote: Option<SideCounts>,
    pub seen_at: Option<DateTime<Utc>>,
    /// The platform lists items, so the differing ones can be named (002, 003); on 000
    /// only the counts can be compared.
    pub items_known: bool,
    /// Items whose state differs (0 when not `items_known`).
    #[ts(type = "number")]
    pub differing: i64,
    /// The two sides disagree on a count or an item, or the pull did not see the group
    /// (`disagree`): what the page marks.
    pub differs: bool,
}

/// Whether a group's two sides disagree: on any count, on any item, or because the last
/// pull did not see it at all.
pub fn disagree(local: SideCounts, remote: Option<SideCounts>, differing: i64) -> bool {
    differing > 0 || remote.is_none_or(|r| r != local)
}

/// The whole reconciliation: the groups, and each compared platform's last pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Reconciliation {
    pub rows: Vec<ReconRow>,
    pub pulls: Vec<PlatformPull>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlatformPull {
    pub platform: Platform,
    /// When the platform was last read; none: never.
    pub seen_at: Option<DateTime<Utc>>,
}

/// How an item stands on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemState {
    Unused,
    Used,
    /// Disabled here (a bonus), so neither usable nor used.
    Disabled,
    /// Not on this side at all.
    Absent,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Unused => "unused",
            ItemState::Used => "used",
            ItemState::Disabled => "disabled",
            ItemState::Absent => "absent",
        }
    }
}

/// One differing item: a bonus code or a voucher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReconItem {
    pub platform: Platform,
    pub key: String,
    /// The bonus's code (002) or the voucher's platform id (003).
    pub item: String,
    /// The local row's id, when there is one.
    #[ts(type = "number | null")]
    pub local_id: Option<i64>,
    pub local: ItemState,
    pub remote: ItemState,
}

/// Which differing items: one platform, optionally one group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReconItemsQuery {
    pub platform: Platform,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub page: PageRequest,
}

/// The platforms reconciliation compares, in order. 001 holds templates, not codes;
/// 004 has no list endpoint (docs/reports.md).
pub const COMPARED: [Platform; 3] = [Platform::Sense, Platform::Bonus, Platform::Voucher];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_differs_on_any_count_any_item_or_an_unseen_side() {
        let c = SideCounts {
            issued: 10,
            active: 8,
            used: 2,
        };
        assert!(!disagree(c, Some(c), 0));
        assert!(disagree(c, Some(c), 1));
        assert!(disagree(c, None, 0));
        let other = SideCounts { used: 3, ..c };
        assert!(disagree(c, Some(other), 0));
    }
}
