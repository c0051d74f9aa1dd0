//! A coupon template (spec 001's `ticket_info`, the WeChat card-create object): what the
//! coupon gives (`Offer`), how it looks, how many there are, and when it may be used.
//! Codes reach a template through the batches linked to it.
//!
//! Limits follow WeChat's card API, which spec 001 proxies: text fields are limited in
//! UTF-8 bytes there (title 27 = 9 Chinese characters, brand 36, notice 48, description
//! 3072, service phone 24, logo URL 128), colours are WeChat's named palette, quantity is
//! at most 100,000,000. Every broken rule is reported at once, one `FieldError` per field,
//! so the form can show each message beside its field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::offer::Offer;
use super::validity::{DateWindow, TimeLimit, Validity};
use crate::api_error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplateKind {
    Discount,
    Cash,
    Groupon,
    Gift,
    General,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 5] = [
        TemplateKind::Discount,
        TemplateKind::Cash,
        TemplateKind::Groupon,
        TemplateKind::Gift,
        TemplateKind::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::Discount => "discount",
            TemplateKind::Cash => "cash",
            TemplateKind::Groupon => "groupon",
            TemplateKind::Gift => "gift",
            TemplateKind::General => "general",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn of(offer: &Offer) -> TemplateKind {
        match offer {
            Offer::Discount { .. } => TemplateKind::Discount,
            Offer::Cash { .. } => TemplateKind::Cash,
            Offer::Groupon { .. } => TemplateKind::Groupon,
            Offer::Gift { .. } => TemplateKind::Gift,
            Offer::General { .. } => TemplateKind::General,
        }
    }
}

/// WeChat's `code_type`: how the code is shown to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[ts(export)]
pub enum CodeType {
    CodeTypeText,
    CodeTypeQrcode,
    CodeTypeBarcode,
}

impl CodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeType::CodeTypeText => "CODE_TYPE_TEXT",
            CodeType::CodeTypeQrcode => "CODE_TYPE_QRCODE",
            CodeType::CodeTypeBarcode => "CODE_TYPE_BARCODE",
        }
    }

    pub fn parse(s: &str) -> Option<CodeType> {
        [
            CodeType::CodeTypeText,
            CodeType::CodeTypeQrcode,
            CodeType::CodeTypeBarcode,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// WeChat's card colours (`Color010` ... `Color102`).
pub const COLORS: [&str; 14] = [
    "Color010", "Color020", "Color030", "Color040", "Color050", "Color060", "Color070", "Color080",
    "Color081", "Color082", "Color090", "Color100", "Color101", "Color102",
];

/// DATE_TYPE_FIX_TERM: a code is valid from `start_after_days` shop days after it was
/// issued, for `valid_days` days, and never past the template's `end_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FixedTerm {
    pub start_after_days: u32,
    pub valid_days: u32,
}

/// What a merchant fills in to create or edit a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TemplateDraft {
    pub offer: Offer,
    pub title: String,
    pub brand_name: String,
    pub color: String,
    /// WeChat's `logo_url`: the logo on WeChat's image host. May be empty when
    /// `logo_image` names a logo picked from a file (it is then needed before the
    /// template can go to WeChat: docs/templates-and-redemption.md).
    pub logo_url: String,
    /// A logo picked from a file and kept here (`domain/logo.rs`, its SHA-256).
    #[serde(default)]
    pub logo_image: Option<String>,
    pub notice: String,
    pub description: String,
    /// May be empty.
    pub service_phone: String,
    /// Stock: how many codes the template may have in all (WeChat `sku.quantity`).
    #[ts(type = "number")]
    pub quantity: i64,
    /// How many of this template one customer may use (WeChat `get_limit`).
    pub get_limit: u32,
    pub code_type: CodeType,
    /// Spec 001's `begin_at` / `end_at`: the template is in force in `[begin_at, end_at)`.
    pub begin_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    /// None: every code is valid over the template's whole period (DATE_TYPE_FIX_TIME_RANGE).
    pub term: Option<FixedTerm>,
    /// Empty: any day, any time; otherwise only inside one of these, in the shop's zone.
    pub time_limits: Vec<TimeLimit>,
    /// WeChat `use_condition`; empty strings when not set.
    pub accept_category: String,
    pub reject_category: String,
    pub can_use_with_other_discount: bool,
}

/// A stored template, as lists and the detail page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Template {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: TemplateKind,
    pub fields: TemplateDraft,
    /// Codes in the batches linked to this template.
    #[ts(type = "number")]
    pub code_count: i64,
    /// Live (not undone) redemptions of its codes.
    #[ts(type = "number")]
    pub redeemed_count: i64,
    /// Ticket types of the linked batches.
    pub batches: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Not started, running or ended, as of when it was read.
    pub status: TemplateStatus,
}

/// Where a template stands in its period `[begin_at, end_at)` (未开始/进行中/已结束).
///
/// The bounds are instants, so the answer is the same in every zone: the shop's zone
/// only changes how the bounds are shown. What must stay true: "running" here is the
/// dashboard's (store::reports: `begin_at <= now < end_at`), so a template the list
/// calls running is one the stock alert may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplateStatus {
    NotStarted,
    Running,
    Ended,
}

impl TemplateStatus {
    pub fn at(begin_at: DateTime<Utc>, end_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if now < begin_at {
            TemplateStatus::NotStarted
        } else if now < end_at {
            TemplateStatus::Running
        } else {
            TemplateStatus::Ended
        }
    }
}

fn bytes_max(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize, required: bool) {
    let v = value.trim();
    if required && v.is_empty() {
        errors.push(FieldError::new(field, "required", "this field is required"));
    } else if v.len() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!(
                "at most {max} bytes (about {} Chinese characters); this has {}",
                max / 3,
                v.len()
            ),
        ));
    }
}

pub const MAX_QUANTITY: i64 = 100_000_000;
/// One million yuan: no coupon is worth more, and the limit keeps sums far from overflow.
pub const MAX_MONEY_FEN: i64 = 100_000_000;

impl TemplateDraft {
    /// Trims text fields in place, then checks every rule; all failures are returned.
    pub fn normalise_and_validate(&mut self) -> Result<(), Vec<FieldError>> {
        for s in [
            &mut self.title,
            &mut self.brand_name,
            &mut self.color,
            &mut self.logo_url,
            &mut self.notice,
            &mut self.description,
            &mut self.service_phone,
            &mut self.accept_category,
            &mut self.reject_category,
        ] {
            *s = s.trim().to_owned();
        }
        let mut e = Vec::new();
        bytes_max(&mut e, "title", &self.title, 27, true);
        bytes_max(&mut e, "brandName", &self.brand_name, 36, true);
        bytes_max(&mut e, "notice", &self.notice, 48, true);
        bytes_max(&mut e, "description", &self.description, 3072, true);
        bytes_max(&mut e, "acceptCategory", &self.accept_category, 512, false);
        bytes_max(&mut e, "rejectCategory", &self.reject_category, 512, false);
        if !COLORS.contains(&self.color.as_str()) {
            e.push(FieldError::new(
                "color",
                "invalid",
                "choose one of WeChat's card colours (Color010 to Color102)",
            ));
        }
        if let Some(id) = &self.logo_image {
            if !super::logo::is_id(id) {
                e.push(FieldError::new(
                    "logoImage",
                    "invalid",
                    "this is not a logo picked here; choose the logo file again",
                ));
            }
        }
        if self.logo_url.is_empty() {
            if self.logo_image.is_none() {
                e.push(FieldError::new(
                    "logoUrl",
                    "required",
                    "enter the logo's web address, or choose the logo's image file",
                ));
            }
        } else if !(self.logo_url.starts_with("https://") || self.logo_url.starts_with("http://"))
            || self.logo_url.contains(char::is_whitespace)
        {
            e.push(FieldError::new(
                "logoUrl",
                "invalid",
                "enter a web address starting with https:// or http://",
            ));
        } else {
            bytes_max(&mut e, "logoUrl", &self.logo_url, 128, true);
        }
        if !self.service_phone.is_empty()
            && (self.service_phone.len() > 24
                || !self.service_phone.bytes().any(|b| b.is_ascii_digit())
                || !self
                    .service_phone
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b' '))
        {
            e.push(FieldError::new(
                "servicePhone",
                "invalid",
                "a phone number has digits, '-', '+' and spaces, at most 24 characters, e.g. 020-88888888",
            ));
        }
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            e.push(FieldError::new(
                "quantity",
                "out_of_range",
                format!("the stock must be between 1 and {MAX_QUANTITY}"),
            ));
        }
        if self.get_limit == 0 || i64::from(self.get_limit) > self.quantity.max(1) {
            e.push(FieldError::new(
                "getLimit",
                "out_of_range",
                "the limit per customer must be at least 1 and at most the stock",
            ));
        }
        if self.begin_at >= self.end_at {
            e.push(FieldError::new(
                "endAt",
                "order",
                "the end must be later than the beginning",
            ));
        }
        if let Some(term) = self.term {
            if term.start_after_days > 90 {
                e.push(FieldError::new(
                    "term.startAfterDays",
                    "out_of_range",
                    "codes can start at most 90 days after they are issued",
                ));
            }
            if !(1..=3650).contains(&term.valid_days) {
                e.push(FieldError::new(
                    "term.validDays",
                    "out_of_range",
                    "a code is valid for 1 to 3650 days",
                ));
            }
        }
        for (i, l) in self.time_limits.iter().enumerate() {
            let ok = match (l.begin, l.end) {
                (None, None) => true,
                (Some(b), Some(en)) => b < 1440 && en < 1440,
                _ => false,
            };
            if !ok {
                e.push(FieldError::new(
                    &format!("timeLimits.{i}"),
                    "invalid",
                    "give both a start and an end time between 00:00 and 23:59, or neither for the whole day",
                ));
            }
        }
        self.validate_offer(&mut e);
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }

    fn validate_offer(&mut self, e: &mut Vec<FieldError>) {
        match &mut self.offer {
            Offer::Discount { percent_off } => {
                if !(1..=99).contains(percent_off) {
                    e.push(FieldError::new(
                        "offer.percentOff",
                        "out_of_range",
                        "the discount is 0.1折 to 9.9折 with one decimal, stored as 1 to 99 percent off (8.8折 = 12)",
                    ));
                }
            }
            Offer::Cash {
                reduce_fen,
                least_fen,
            } => {
                if !(1..=MAX_MONEY_FEN).contains(reduce_fen) {
                    e.push(FieldError::new(
                        "offer.reduceFen",
                        "out_of_range",
                        "the amount off must be more than 0 and at most 1,000,000.00",
                    ));
                }
                if !(0..=MAX_MONEY_FEN).contains(least_fen) {
                    e.push(FieldError::new(
                        "offer.leastFen",
                        "out_of_range",
                        "the least spend must be 0 (any order) up to 1,000,000.00",
                    ));
                } else if *least_fen > 0 && *reduce_fen > *least_fen {
                    e.push(FieldError::new(
                        "offer.leastFen",
                        "order",
                        "the least spend must be at least the amount off, or 0 for any order",
                    ));
                }
            }
            Offer::Groupon { deal_detail: s } => {
                *s = s.trim().to_owned();
                bytes_max(e, "offer.dealDetail", s, 3072, true);
            }
            Offer::Gift { gift: s } => {
                *s = s.trim().to_owned();
                bytes_max(e, "offer.gift", s, 3072, true);
            }
            Offer::General { default_detail: s } => {
                *s = s.trim().to_owned();
                bytes_max(e, "offer.defaultDetail", s, 3072, true);
            }
        }
    }

    /// The template's period, as a validity rule.
    pub fn period(&self) -> Validity {
        Validity {
            dates: DateWindow::Fixed {
                begin: self.begin_at,
                end: self.end_at,
            },
            time_limits: self.time_limits.clone(),
        }
    }

    /// The code's own window when the template gives codes a term after issue.
    pub fn code_term(&self) -> Option<Validity> {
        self.term.map(|t| Validity {
            dates: DateWindow::AfterIssue {
                start_after_days: t.start_after_days,
                valid_days: t.valid_days,
            },
            time_limits: Vec::new(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub fn cash_draft() -> TemplateDraft {
        TemplateDraft {
            offer: Offer::Cash {
                reduce_fen: 2000,
                least_fen: 10000,
            },
            title: "满100减20".into(),
            brand_name: "海底捞".into(),
            color: "Color010".into(),
            logo_url: "https://example.com/logo.png".into(),
            logo_image: None,
            notice: "使用时向服务员出示此券".into(),
            description: "不可与其他优惠同享".into(),
            service_phone: "020-88888888".into(),
            quantity: 1000,
            get_limit: 3,
            code_type: CodeType::CodeTypeText,
            begin_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            end_at: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            term: None,
            time_limits: vec![],
            accept_category: String::new(),
            reject_category: String::new(),
            can_use_with_other_discount: false,
        }
    }

    fn fields_of(d: &mut TemplateDraft) -> Vec<String> {
        match d.normalise_and_validate() {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|f| f.field).collect(),
        }
    }

    #[test]
    fn a_good_draft_passes_and_is_trimmed() {
        let mut d = cash_draft();
        d.title = "  满100减20 ".into();
        assert_eq!(fields_of(&mut d), Vec::<String>::new());
        assert_eq!(d.title, "满100减20");
    }

    #[test]
    fn every_broken_field_is_named() {
        let mut d = cash_draft();
        d.title = "这是一个超过九个汉字的标题啊".into();
        d.brand_name = " ".into();
        d.color = "red".into();
        d.logo_url = "logo.png".into();
        d.service_phone = "call me".into();
        d.quantity = 0;
        d.end_at = d.begin_at;
        d.offer = Offer::Cash {
            reduce_fen: 20000,
            least_fen: 10000,
        };
        d.time_limits = vec![TimeLimit {
            day: super::super::validity::DayKind::Monday,
            begin: Some(600),
            end: None,
        }];
        assert_eq!(
            fields_of(&mut d),
            vec![
                "title",
                "brandName",
                "color",
                "logoUrl",
                "servicePhone",
                "quantity",
                "getLimit",
                "endAt",
                "timeLimits.0",
                "offer.leastFen"
            ]
        );
    }

    #[test]
    fn title_limit_is_nine_chinese_characters() {
        let mut d = cash_draft();
        d.title = "一二三四五六七八九".into();
        assert!(d.normalise_and_validate().is_ok());
        d.title = "一二三四五六七八九十".into();
        assert!(d.normalise_and_validate().is_err());
    }

    #[test]
    fn status_follows_the_half_open_period() {
        let begin = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
        let ms = chrono::Duration::milliseconds(1);
        let at = |now| TemplateStatus::at(begin, end, now);
        assert_eq!(at(begin - ms), TemplateStatus::NotStarted);
        assert_eq!(at(begin), TemplateStatus::Running);
        assert_eq!(at(end - ms), TemplateStatus::Running);
        assert_eq!(at(end), TemplateStatus::Ended);
    }
}
