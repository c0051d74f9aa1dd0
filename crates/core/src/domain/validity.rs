//! When a coupon may be used (groundwork for issue #3, spec 001's `date_info` and
//! `time_limit`): a date window, and optionally weekly time windows and holidays, read in
//! the shop's time zone.
//!
//! Rules that must stay true (property tests below):
//! - a date window is half-open, `[begin, end)`, in UTC;
//! - a time window `begin..=end` counts whole minutes, end minute included (WeChat's
//!   `MONDAY 00:10-10:59` allows 10:59); `begin > end` crosses midnight and belongs to the
//!   day it starts on (`FRIDAY 22:00-02:00` allows Saturday 01:30);
//! - a HOLIDAY entry applies to the shop's holiday dates, whatever their weekday;
//! - the shop's zone is a fixed UTC offset (mainland China, Hong Kong and Taiwan have no
//!   daylight saving), stated explicitly, never the computer's zone.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Minutes since local midnight, 0..=1439.
pub type Minute = u16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[ts(export)]
pub enum DayKind {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
    Holiday,
}

impl DayKind {
    fn weekday(self) -> Option<Weekday> {
        Some(match self {
            DayKind::Monday => Weekday::Mon,
            DayKind::Tuesday => Weekday::Tue,
            DayKind::Wednesday => Weekday::Wed,
            DayKind::Thursday => Weekday::Thu,
            DayKind::Friday => Weekday::Fri,
            DayKind::Saturday => Weekday::Sat,
            DayKind::Sunday => Weekday::Sun,
            DayKind::Holiday => return None,
        })
    }
}

/// One `time_limit` entry: a kind of day, and the minutes of it (all day when None).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimeLimit {
    pub day: DayKind,
    pub begin: Option<Minute>,
    pub end: Option<Minute>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum DateWindow {
    /// DATE_TYPE_FIX_TIME_RANGE: `[begin, end)`.
    Fixed {
        begin: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// DATE_TYPE_FIX_TERM: valid from `start_after_days` shop days after issue, for
    /// `valid_days` shop days (day 0 is the day of issue).
    AfterIssue {
        start_after_days: u32,
        valid_days: u32,
    },
    /// DATE_TYPE_PERMANENT.
    Permanent,
}

/// The shop's clock: its UTC offset and its holiday dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopClock {
    pub offset: FixedOffset,
    pub holidays: BTreeSet<NaiveDate>,
}

/// Why a coupon cannot be used now, as far as time goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeRefusal {
    #[error("the coupon is not valid yet: it can be used from {0}")]
    NotYetValid(DateTime<Utc>),
    #[error("the coupon expired at {0}")]
    Expired(DateTime<Utc>),
    #[error("the coupon cannot be used at this time of the week")]
    OutsideTimeWindow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validity {
    pub dates: DateWindow,
    /// Empty: any day, any time.
    pub time_limits: Vec<TimeLimit>,
}

impl ShopClock {
    /// The last instant of `date` in the shop's zone (23:59:59.999 shop time): what "it
    /// expires on 2026-12-31" means, usable up to and including that instant. Every front
    /// end sends the date; only this decides the instant.
    pub fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let next = date.succ_opt().unwrap_or(date);
        self.local_midnight_utc(next) - Duration::milliseconds(1)
    }

    fn local_midnight_utc(&self, date: NaiveDate) -> DateTime<Utc> {
        let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc)
            - Duration::seconds(i64::from(self.offset.local_minus_utc()))
    }

    fn applies(&self, kind: DayKind, date: NaiveDate) -> bool {
        match kind.weekday() {
            Some(w) => date.weekday() == w,
            None => self.holidays.contains(&date),
        }
    }
}

impl Validity {
    /// The UTC range in which the date window allows use, for a code issued at `issued`.
    pub fn date_range(
        &self,
        issued: DateTime<Utc>,
        clock: &ShopClock,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        match &self.dates {
            DateWindow::Fixed { begin, end } => (Some(*begin), Some(*end)),
            DateWindow::Permanent => (None, None),
            DateWindow::AfterIssue {
                start_after_days,
                valid_days,
            } => {
                let day0 = issued.with_timezone(&clock.offset).date_naive();
                let from = day0 + Duration::days(i64::from(*start_after_days));
                let to = from + Duration::days(i64::from(*valid_days));
                let from = if *start_after_days == 0 {
                    issued
                } else {
                    clock.local_midnight_utc(from)
                };
                (Some(from), Some(clock.local_midnight_utc(to)))
            }
        }
    }

    pub fn check(
        &self,
        issued: DateTime<Utc>,
        now: DateTime<Utc>,
        clock: &ShopClock,
    ) -> Result<(), TimeRefusal> {
        let (from, to) = self.date_range(issued, clock);
        if let Some(from) = from.filter(|f| now < *f) {
            return Err(TimeRefusal::NotYetValid(from));
        }
        if let Some(to) = to.filter(|t| now >= *t) {
            return Err(TimeRefusal::Expired(to));
        }
        if self.time_limits.is_empty() || self.in_time_window(now, clock) {
            Ok(())
        } else {
            Err(TimeRefusal::OutsideTimeWindow)
        }
    }

    fn in_time_window(&self, now: DateTime<Utc>, clock: &ShopClock) -> bool {
        let local = now.with_timezone(&clock.offset);
        let today = local.date_naive();
        let yesterday = today.pred_opt().unwrap_or(today);
        let m = (local.hour() * 60 + local.minute()) as Minute;
        self.time_limits.iter().any(|l| {
            let (begin, end) = (l.begin.unwrap_or(0), l.end.unwrap_or(1439));
            if begin <= end {
                clock.applies(l.day, today) && (begin..=end).contains(&m)
            } else {
                // Crosses midnight: the evening of its own day, the early hours of the next.
                (clock.applies(l.day, today) && m >= begin)
                    || (clock.applies(l.day, yesterday) && m <= end)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn a_day_ends_at_the_last_millisecond_of_shop_time() {
        let c = shanghai(&[]);
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
        // 2026-12-31 23:59:59.999 at UTC+8 is 15:59:59.999 UTC.
        assert_eq!(
            c.end_of_day(day).to_rfc3339(),
            "2026-12-31T15:59:59.999+00:00"
        );
    }

    fn shanghai(holidays: &[NaiveDate]) -> ShopClock {
        ShopClock {
            offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
            holidays: holidays.iter().copied().collect(),
        }
    }

    /// A UTC instant given as the shop's local wall time.
    fn at(clock: &ShopClock, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        clock
            .offset
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    fn limited(limits: Vec<TimeLimit>) -> Validity {
        Validity {
            dates: DateWindow::Permanent,
            time_limits: limits,
        }
    }

    #[test]
    fn wechat_example_monday_morning_and_holidays() {
        // 2026-11-23 is a Monday; 2026-10-01 (National Day) a Thursday.
        let national_day = NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
        let clock = shanghai(&[national_day]);
        let v = limited(vec![
            TimeLimit {
                day: DayKind::Monday,
                begin: Some(10),
                end: Some(10 * 60 + 59),
            },
            TimeLimit {
                day: DayKind::Holiday,
                begin: None,
                end: None,
            },
        ]);
        let ok = |t| v.check(t, t, &clock);
        assert_eq!(ok(at(&clock, 2026, 11, 23, 0, 10)), Ok(()));
        assert_eq!(
            ok(at(&clock, 2026, 11, 23, 10, 59)),
            Ok(()),
            "end minute included"
        );
        assert_eq!(
            ok(at(&clock, 2026, 11, 23, 0, 9)),
            Err(TimeRefusal::OutsideTimeWindow)
        );
        assert_eq!(
            ok(at(&clock, 2026, 11, 23, 11, 0)),
            Err(TimeRefusal::OutsideTimeWindow)
        );
        assert_eq!(
            ok(at(&clock, 2026, 11, 24, 9, 0)),
            Err(TimeRefusal::OutsideTimeWindow)
        );
        assert_eq!(
            ok(at(&clock, 2026, 10, 1, 23, 59)),
            Ok(()),
            "a holiday, all day"
        );
    }

    #[test]
    fn fixed_term_after_issue_counts_shop_days() {
        let clock = shanghai(&[]);
        let v = Validity {
            dates: DateWindow::AfterIssue {
                start_after_days: 1,
                valid_days: 2,
            },
            time_limits: vec![],
        };
        // Issued 23:30 local on the 1st (15:30 UTC): valid from the 2nd 00:00 to the 4th 00:00.
        let issued = at(&clock, 2026, 3, 1, 23, 30);
        assert_eq!(
            v.check(issued, at(&clock, 2026, 3, 1, 23, 59), &clock),
            Err(TimeRefusal::NotYetValid(at(&clock, 2026, 3, 2, 0, 0)))
        );
        assert_eq!(
            v.check(issued, at(&clock, 2026, 3, 2, 0, 0), &clock),
            Ok(())
        );
        assert_eq!(
            v.check(issued, at(&clock, 2026, 3, 3, 23, 59), &clock),
            Ok(())
        );
        assert_eq!(
            v.check(issued, at(&clock, 2026, 3, 4, 0, 0), &clock),
            Err(TimeRefusal::Expired(at(&clock, 2026, 3, 4, 0, 0)))
        );
    }

    fn day_kind(i: u8) -> DayKind {
        [
            DayKind::Monday,
            DayKind::Tuesday,
            DayKind::Wednesday,
            DayKind::Thursday,
            DayKind::Friday,
            DayKind::Saturday,
            DayKind::Sunday,
        ][usize::from(i % 7)]
    }

    proptest! {
        /// A window across midnight allows its day's evening and the next early hours,
        /// and nothing else of those two days.
        #[test]
        fn windows_across_midnight(begin in 1u16..1440, end in 0u16..1439, day in 0u8..7, minute in 0u16..2880) {
            prop_assume!(begin > end);
            let clock = shanghai(&[]);
            // 2026-11-23 is a Monday: day i of the week is the 23rd + i.
            let d = 23 + u32::from(day);
            let v = limited(vec![TimeLimit { day: day_kind(day), begin: Some(begin), end: Some(end) }]);
            let t = at(&clock, 2026, 11, d, 0, 0) + Duration::minutes(i64::from(minute));
            let allowed = v.check(t, t, &clock).is_ok();
            let expected = if minute < 1440 { minute >= begin } else { minute - 1440 <= end };
            prop_assert_eq!(allowed, expected);
        }

        /// The decision depends on the shop's wall clock only, whatever its offset.
        #[test]
        fn same_wall_time_same_answer(offset_h in -11i32..=12, day in 0u8..7, minute in 0u16..1440,
                                      begin in 0u16..1440, end in 0u16..1440) {
            let v = limited(vec![TimeLimit { day: day_kind(day), begin: Some(begin), end: Some(end) }]);
            let home = shanghai(&[]);
            let away = ShopClock { offset: FixedOffset::east_opt(offset_h * 3600).expect("offset"), holidays: BTreeSet::new() };
            let (h, mi) = (u32::from(minute / 60), u32::from(minute % 60));
            let a = at(&home, 2026, 11, 23 + u32::from(day), h, mi);
            let b = at(&away, 2026, 11, 23 + u32::from(day), h, mi);
            prop_assert_eq!(v.check(a, a, &home).is_ok(), v.check(b, b, &away).is_ok());
        }

        /// Fixed windows are half-open.
        #[test]
        fn fixed_window_is_half_open(len in 1i64..100_000, probe in -10i64..100_010) {
            let clock = shanghai(&[]);
            let begin = at(&clock, 2026, 1, 1, 0, 0);
            let end = begin + Duration::minutes(len);
            let v = Validity { dates: DateWindow::Fixed { begin, end }, time_limits: vec![] };
            let t = begin + Duration::minutes(probe);
            prop_assert_eq!(v.check(begin, t, &clock).is_ok(), t >= begin && t < end);
        }
    }
}
