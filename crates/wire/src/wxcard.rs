//! Spec 001: the WeChat-card proxy (优惠券管理). Answers are `{"data":...}` and, for
//! lists, `{"data":[...],"meta":{"pagination":{...}}}`; times are PHP DateTime objects.
//! Auth: `Authorization: Bearer <token>`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `{"data": ..., "meta": ...}`; `meta` only on lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataEnvelope<T> {
    pub data: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `meta` of a list answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub pagination: Pagination,
}

/// `meta.pagination` (Laravel/Fractal style).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pagination {
    pub total: u64,
    pub count: u64,
    pub per_page: u64,
    pub current_page: u64,
    pub total_pages: u64,
    /// `[]` in the spec's example; Fractal sends `{"next": url, "previous": url}`.
    pub links: Value,
}

/// A PHP `DateTime` as JSON: `{"date":"2018-01-10 00:00:00.000000","timezone_type":3,"timezone":"UTC"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhpDateTime {
    pub date: String,
    pub timezone_type: i64,
    pub timezone: String,
}

impl PhpDateTime {
    /// A UTC time from `YYYY-MM-DD HH:MM:SS` (microseconds `.000000` are added).
    pub fn utc(date_time: &str) -> Self {
        PhpDateTime {
            date: format!("{date_time}.000000"),
            timezone_type: 3,
            timezone: "UTC".into(),
        }
    }
}

/// Body of `POST /discount/ticket`, `/coupon/ticket`, `/groupon/ticket`, `/gift/ticket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTicketRequest {
    /// Typed "array" by the spec, an object in fact: the WeChat card object of the kind
    /// (`{"base_info":{...,"sku":{"quantity":N},"date_info":{...}}, ...}`).
    pub ticket_info: Value,
    pub sync: bool,
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`, UTC.
    pub end_at: String,
    pub begin_at: String,
}

/// Body of `PUT /ticket/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateTicketRequest {
    /// `discount_card`, `coupon_card`, `groupon_card` or `gift_card`.
    pub ticket_type: String,
    pub ticket_info: Value,
    pub sync: bool,
    pub end_at: String,
    pub begin_at: String,
}

/// `data` of a create/update answer. The kind's card object travels under
/// `<kind>_info` (the spec's example: `"card_type":"member_card","member_info":{...}`),
/// kept in `info` by flattening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardDetail {
    pub id: u64,
    pub card_type: String,
    pub app_id: String,
    pub wechat_app_id: String,
    pub status: i64,
    pub sync: i64,
    pub created_at: Option<PhpDateTime>,
    pub updated_at: Option<PhpDateTime>,
    /// The remaining keys, e.g. `"coupon_info": {...}`.
    #[serde(flatten)]
    pub info: Map<String, Value>,
}

/// One item of `GET /tickets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub id: u64,
    pub color: Option<String>,
    pub background_pic_url: Option<String>,
    pub logo_url: Option<String>,
    pub card_type: String,
    pub brand_name: Option<String>,
    pub code_type: Option<String>,
    pub title: Option<String>,
    pub sku: Value,
    pub app_id: String,
    pub wechat_app_id: String,
    pub ali_app_id: Option<String>,
    pub status: i64,
    pub sync: i64,
    pub begin_at: Option<PhpDateTime>,
    pub end_at: Option<PhpDateTime>,
    pub created_at: Option<PhpDateTime>,
    pub updated_at: Option<PhpDateTime>,
}

/// Error body of this platform (Dingo API style), with the HTTP status repeated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub message: String,
    pub status_code: u16,
}

/// The four create endpoints, and the `card_type` each gives its templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    Discount,
    Coupon,
    Groupon,
    Gift,
}

impl TicketKind {
    pub const ALL: [TicketKind; 4] = [
        TicketKind::Discount,
        TicketKind::Coupon,
        TicketKind::Groupon,
        TicketKind::Gift,
    ];
    /// The path segment: `discount` for `POST /discount/ticket`.
    pub fn path_segment(self) -> &'static str {
        match self {
            TicketKind::Discount => "discount",
            TicketKind::Coupon => "coupon",
            TicketKind::Groupon => "groupon",
            TicketKind::Gift => "gift",
        }
    }
    /// `card_type` in answers: `discount_card`, `coupon_card`, `groupon_card`, `gift_card`.
    pub fn card_type(self) -> &'static str {
        match self {
            TicketKind::Discount => "discount_card",
            TicketKind::Coupon => "coupon_card",
            TicketKind::Groupon => "groupon_card",
            TicketKind::Gift => "gift_card",
        }
    }
    /// The key the card object travels under in a detail: `coupon_info`.
    pub fn info_key(self) -> &'static str {
        match self {
            TicketKind::Discount => "discount_info",
            TicketKind::Coupon => "coupon_info",
            TicketKind::Groupon => "groupon_info",
            TicketKind::Gift => "gift_info",
        }
    }
    /// From a path segment or a `card_type`.
    pub fn parse(s: &str) -> Option<Self> {
        TicketKind::ALL
            .into_iter()
            .find(|k| k.path_segment() == s || k.card_type() == s)
    }
}

/// One condition of the list search `search=field,op;field,op;` (values travel as
/// separate query parameters `field=value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    pub field: String,
    pub op: String,
}

/// Renders `search=` terms: `ticket_type,=;begin_at,>=;` (trailing `;` as in the spec).
pub fn search_param(terms: &[SearchTerm]) -> String {
    terms
        .iter()
        .map(|t| format!("{},{};", t.field, t.op))
        .collect()
}

/// Parses a `search=` value; `None` when a term lacks its `,op`.
pub fn parse_search(s: &str) -> Option<Vec<SearchTerm>> {
    s.split(';')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            let (field, op) = t.split_once(',')?;
            Some(SearchTerm {
                field: field.trim().to_string(),
                op: op.trim().to_string(),
            })
        })
        .collect()
}
