//! The daily close (日结): one shop day's uses per counter (terminal), by template, by
//! staff member and by kind, with totals; one page per terminal when printed. The figures
//! are the redemption report's (docs/reports.md): same counting, same undo rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::report::{Figures, ReportGroup};

/// Which day (the shop's) and, optionally, which counter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CloseQuery {
    pub day: NaiveDate,
    /// One counter's close; none: every counter that had uses that day.
    #[serde(default)]
    pub terminal: Option<String>,
}

/// One counter's page of the close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TerminalClose {
    pub terminal: String,
    /// Coupons by template (label: its title); bonuses and vouchers as the groups
    /// `kind:bonus` / `kind:voucher`, as in the report. Largest count first.
    pub by_template: Vec<ReportGroup>,
    /// By staff member (as the redemption recorded them). Largest count first.
    pub by_staff: Vec<ReportGroup>,
    /// By kind (`coupon`, `bonus`, `voucher`). Largest count first.
    pub by_kind: Vec<ReportGroup>,
    pub total: Figures,
}

/// The close of one shop day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DailyClose {
    pub day: NaiveDate,
    /// The shop's name from the settings (may be empty: never set).
    pub shop_name: String,
    /// The shop's zone the day is counted in, as `UTC+08:00`.
    pub zone: String,
    /// Terminals by name. The terminal asked for, even without uses; with none asked,
    /// every terminal with uses that day, or this desk's own (all zero) when there were
    /// none, so a quiet day still closes on one page.
    pub terminals: Vec<TerminalClose>,
    /// All the pages together.
    pub total: Figures,
}

/// `UTC+08:00`, `UTC-03:30`, `UTC+00:00`.
pub fn zone_label(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_labelled_with_sign_hours_and_minutes() {
        assert_eq!(zone_label(480), "UTC+08:00");
        assert_eq!(zone_label(-210), "UTC-03:30");
        assert_eq!(zone_label(0), "UTC+00:00");
        assert_eq!(zone_label(345), "UTC+05:45");
    }
}
