//! The manager's figures: what the redemption report and the dashboard are asked and
//! answer. Days are the shop's days (its zone, `ShopClock`); money is in fen. How the
//! figures are kept is in store/reports.rs and docs/reports.md.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::PageRequest;

/// What was used at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UseKind {
    /// A coupon code of a batch.
    Coupon,
    Bonus,
    Voucher,
}

impl UseKind {
    pub const ALL: [UseKind; 3] = [UseKind::Coupon, UseKind::Bonus, UseKind::Voucher];

    /// The number `redemption_rollup.kind` stores.
    pub fn to_db(self) -> i64 {
        match self {
            UseKind::Coupon => 1,
            UseKind::Bonus => 2,
            UseKind::Voucher => 3,
        }
    }

    pub fn from_db(n: i64) -> Option<UseKind> {
        UseKind::ALL.into_iter().find(|k| k.to_db() == n)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UseKind::Coupon => "coupon",
            UseKind::Bonus => "bonus",
            UseKind::Voucher => "voucher",
        }
    }
}

/// How the report's rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum GroupBy {
    #[default]
    Day,
    Template,
    Batch,
    Staff,
    Terminal,
    Kind,
}

/// The report's question: the shop's days `from..=to`, narrowed by the filters given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportQuery {
    pub from: NaiveDate,
    /// The last day, included.
    pub to: NaiveDate,
    #[serde(default)]
    pub group_by: GroupBy,
    /// A staff member's name (any case).
    #[serde(default)]
    pub staff: Option<String>,
    #[serde(default)]
    pub terminal: Option<String>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    /// A batch's ticket type.
    #[serde(default)]
    pub batch: Option<String>,
    #[serde(default)]
    pub kind: Option<UseKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the report's first day {from} is after its last day {to}; swap them")]
    DaysReversed { from: NaiveDate, to: NaiveDate },
    #[error("a report covers at most {MAX_DAYS} days; ask for a shorter range")]
    TooLong,
}

crate::error_codes::impl_error_code! {
    ReportError {
        codes {
            ReportError::DaysReversed { .. } => "report_days_reversed",
            ReportError::TooLong => "report_too_long",
        }
    }
}

/// Ten years: enough for any report a shop asks, and every figure still fits an i64.
pub const MAX_DAYS: i64 = 3660;

/// The day tables number a shop day from 1970-01-01.
pub fn day_number(day: NaiveDate) -> i64 {
    (day - NaiveDate::default()).num_days()
}

/// The shop day numbered `n`.
pub fn day_of_number(n: i64) -> NaiveDate {
    NaiveDate::default()
        .checked_add_signed(Duration::days(n))
        .unwrap_or_default()
}

/// The days `from..=to` as day numbers `[first, end)`, checked.
pub fn days(from: NaiveDate, to: NaiveDate) -> Result<(i64, i64), ReportError> {
    if from > to {
        return Err(ReportError::DaysReversed { from, to });
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ReportError::TooLong);
    }
    Ok((day_number(from), day_number(to) + 1))
}

/// The instants (ms) `[start, end)` of the shop's days `from..=to` in `zone`.
pub fn instants(from: NaiveDate, to: NaiveDate, zone: FixedOffset) -> (i64, i64) {
    let start = day_start(from, zone).timestamp_millis();
    let end = day_start(to, zone).timestamp_millis() + Duration::days(1).num_milliseconds();
    (start, end)
}

/// The instant the shop's day `day` begins.
pub fn day_start(day: NaiveDate, zone: FixedOffset) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A fixed offset has exactly one local midnight.
    match zone.from_local_datetime(&midnight).single() {
        Some(t) => t.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&midnight),
    }
}

/// Count and money of some uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Figures {
    #[ts(type = "number")]
    pub count: i64,
    /// The discount given (for a voucher: none).
    #[ts(type = "number")]
    pub discount_fen: i64,
    /// The order value behind the uses (for a voucher: its price).
    #[ts(type = "number")]
    pub order_fen: i64,
}

impl Figures {
    pub fn add(&mut self, o: Figures) {
        self.count += o.count;
        self.discount_fen += o.discount_fen;
        self.order_fen += o.order_fen;
    }
}

/// One group of the report: what it is grouped by (`key`: a day `2026-12-07`, a template
/// id, a ticket type, a staff name, a terminal, a kind; `bonus` / `voucher` under
/// template or batch, which those have none of) and its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportGroup {
    pub key: String,
    /// For people: the template's title, the batch's name, the day, the name.
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Report {
    pub query: ReportQuery,
    /// By key's order: days ascending; the rest by count, largest first.
    pub groups: Vec<ReportGroup>,
    pub total: Figures,
}

/// The uses behind a report (or one of its groups), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportRowsQuery {
    pub report: ReportQuery,
    /// One group's key (as the report gave it): only its uses.
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub page: PageRequest,
}

/// One use at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportRow {
    pub kind: UseKind,
    /// The redemption's (coupon, bonus) or the voucher's id.
    #[ts(type = "number")]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The code, the bonus's code, or the voucher's name.
    pub what: String,
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    pub template_title: Option<String>,
    pub ticket_type: Option<String>,
    pub staff: String,
    pub terminal: String,
    #[ts(type = "number")]
    pub discount_fen: i64,
    #[ts(type = "number | null")]
    pub order_fen: Option<i64>,
}

/// The dashboard's question: its breakdowns and hours cover the last `days` days (1, 7
/// or 30), today included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DashboardQuery {
    pub days: u32,
}

/// One window of the dashboard's head: today, the last 7 or 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DashboardWindow {
    pub days: u32,
    pub from: NaiveDate,
    pub all: Figures,
    pub coupons: Figures,
    pub bonuses: Figures,
    pub vouchers: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DayFigures {
    pub day: NaiveDate,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Something a manager should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "alert",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum Alert {
    /// A running template has a tenth of its stock or less left to redeem.
    StockLow {
        #[ts(type = "number")]
        template_id: i64,
        title: String,
        #[ts(type = "number")]
        left: i64,
        #[ts(type = "number")]
        quantity: i64,
    },
    /// A template ends within `ENDING_DAYS` days (its batches' codes with it).
    TemplateEnding {
        #[ts(type = "number")]
        template_id: i64,
        title: String,
        ends_at: DateTime<Utc>,
    },
    /// Sync conflicts wait in the inbox.
    SyncConflicts {
        #[ts(type = "number")]
        count: i64,
    },
}

/// How far ahead an ending template is an alert.
pub const ENDING_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Dashboard {
    /// The shop's today.
    pub today: NaiveDate,
    /// Today, the last 7 days, the last 30 days.
    pub windows: Vec<DashboardWindow>,
    /// The last 30 days, one entry per day (days without uses too), oldest first.
    pub trend: Vec<DayFigures>,
    /// Over the last `days` days, each by count, largest first.
    pub days: u32,
    pub by_template: Vec<ReportGroup>,
    pub by_batch: Vec<ReportGroup>,
    pub by_staff: Vec<ReportGroup>,
    pub by_terminal: Vec<ReportGroup>,
    /// Uses per hour of the shop's day (0-23) over the last `days` days.
    #[ts(type = "number[]")]
    pub by_hour: Vec<i64>,
    pub alerts: Vec<Alert>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
    }

    #[test]
    fn a_shop_days_instants_and_number_agree_in_any_zone() {
        assert_eq!(day_number(day("1970-01-01")), 0);
        assert_eq!(
            day_of_number(day_number(day("2026-12-07"))),
            day("2026-12-07")
        );
        for minutes in (-12 * 60..=14 * 60).step_by(15) {
            let zone = FixedOffset::east_opt(minutes * 60).expect("zone");
            let (a, b) = instants(day("2026-12-07"), day("2026-12-07"), zone);
            assert_eq!(b - a, 86_400_000, "one day at {minutes}");
            let local_day = |ms: i64| {
                DateTime::<Utc>::from_timestamp_millis(ms)
                    .expect("instant")
                    .with_timezone(&zone)
                    .date_naive()
            };
            assert_eq!(local_day(a), day("2026-12-07"));
            assert_eq!(local_day(b - 1), day("2026-12-07"));
            assert_eq!(local_day(b), day("2026-12-08"));
            // What the triggers compute: (instant + offset) / one day.
            let n = (a + i64::from(minutes) * 60_000) / 86_400_000;
            assert_eq!(day_of_number(n), day("2026-12-07"));
        }
    }

    #[test]
    fn reversed_and_overlong_ranges_are_refused() {
        assert_eq!(
            days(day("2026-12-08"), day("2026-12-07")),
            Err(ReportError::DaysReversed {
                from: day("2026-12-08"),
                to: day("2026-12-07")
            })
        );
        assert_eq!(
            days(day("2000-01-01"), day("2026-12-07")),
            Err(ReportError::TooLong)
        );
    }
}
