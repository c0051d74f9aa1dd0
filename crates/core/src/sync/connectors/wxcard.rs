//! 001 WeChat-card proxy (优惠券管理): templates created and updated as cards.
//!
//! A template's create or update is queued with the exact request body built from the
//! template at the time of the action (`payload_for`; the mapping is in
//! docs/remote-apis.md, "CouponDesk templates on 001"). The payload has the shape of
//! `PUT /ticket/{id}`'s body; a create sends it without `ticket_type` to
//! `POST /{kind}/ticket`. A template maps to the platform's card id through remote_refs
//! (kind `template`).
//!
//! The platform has no idempotency key and accepts duplicate titles, so a create that may
//! have reached it before is looked for first (`GET /tickets?search=title,like;`): a card
//! of the same kind, title and period that no local template claims yet is adopted.

use coupondesk_wire::wxcard::{
    CardDetail, CreateTicketRequest, DataEnvelope, ErrorBody, TicketKind, TicketSummary,
    UpdateTicketRequest,
};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{
    adopted, bearer_call, body, enc, one_by_one, readback_rule, wrong_address, Cost, Found, Next,
};
use crate::domain::offer::Offer;
use crate::domain::template::TemplateDraft;
use crate::domain::validity::DayKind;
use crate::sync::connector::{Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::{Answer, CallError, CallErrorKind, Http};
use crate::sync::settings::Endpoint;
use crate::sync::types::{Platform, RemoteSummary};

pub const CREATE: &str = "wxcard.create";
pub const UPDATE: &str = "wxcard.update";
const KIND: &str = "template";
const PER_PAGE: u64 = 100;

/// Spec 001's date format (UTC).
fn wire_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The platform's kind of a template; `None` for `general`, which spec 001 has no
/// endpoint for (such templates stay local).
pub fn kind_of(offer: &Offer) -> Option<TicketKind> {
    match offer {
        Offer::Discount { .. } => Some(TicketKind::Discount),
        Offer::Cash { .. } => Some(TicketKind::Coupon),
        Offer::Groupon { .. } => Some(TicketKind::Groupon),
        Offer::Gift { .. } => Some(TicketKind::Gift),
        Offer::General { .. } => None,
    }
}

fn day_word(d: DayKind) -> &'static str {
    match d {
        DayKind::Monday => "MONDAY",
        DayKind::Tuesday => "TUESDAY",
        DayKind::Wednesday => "WEDNESDAY",
        DayKind::Thursday => "THURSDAY",
        DayKind::Friday => "FRIDAY",
        DayKind::Saturday => "SATURDAY",
        DayKind::Sunday => "SUNDAY",
        DayKind::Holiday => "HOLIDAY",
    }
}

/// The WeChat card object of a template (`ticket_info`), as docs/remote-apis.md maps it.
pub fn ticket_info(d: &TemplateDraft) -> Value {
    let mut base = Map::new();
    base.insert("title".into(), json!(d.title));
    base.insert("brand_name".into(), json!(d.brand_name));
    base.insert("logo_url".into(), json!(d.logo_url));
    base.insert("color".into(), json!(d.color));
    base.insert("notice".into(), json!(d.notice));
    base.insert("description".into(), json!(d.description));
    if !d.service_phone.is_empty() {
        base.insert("service_phone".into(), json!(d.service_phone));
    }
    base.insert("code_type".into(), json!(d.code_type.as_str()));
    base.insert("sku".into(), json!({ "quantity": d.quantity }));
    base.insert("get_limit".into(), json!(d.get_limit));
    let date_info = match d.term {
        None => json!({
            "type": "DATE_TYPE_FIX_TIME_RANGE",
            "begin_timestamp": d.begin_at.timestamp(),
            "end_timestamp": d.end_at.timestamp(),
        }),
        Some(t) => json!({
            "type": "DATE_TYPE_FIX_TERM",
            "fixed_begin_term": t.start_after_days,
            "fixed_term": t.valid_days,
            "end_timestamp": d.end_at.timestamp(),
        }),
    };
    base.insert("date_info".into(), date_info);
    let mut card = Map::new();
    card.insert("base_info".into(), Value::Object(base));
    let mut advanced = Map::new();
    if !d.time_limits.is_empty() {
        let limits: Vec<Value> = d
            .time_limits
            .iter()
            .map(|l| {
                let mut o = Map::new();
                o.insert("type".into(), json!(day_word(l.day)));
                if let (Some(b), Some(e)) = (l.begin, l.end) {
                    o.insert("begin_hour".into(), json!(b / 60));
                    o.insert("begin_minute".into(), json!(b % 60));
                    o.insert("end_hour".into(), json!(e / 60));
                    o.insert("end_minute".into(), json!(e % 60));
                }
                Value::Object(o)
            })
            .collect();
        advanced.insert("time_limit".into(), Value::Array(limits));
    }
    let mut condition = Map::new();
    if !d.accept_category.is_empty() {
        condition.insert("accept_category".into(), json!(d.accept_category));
    }
    if !d.reject_category.is_empty() {
        condition.insert("reject_category".into(), json!(d.reject_category));
    }
    condition.insert(
        "can_use_with_other_discount".into(),
        json!(d.can_use_with_other_discount),
    );
    advanced.insert("use_condition".into(), Value::Object(condition));
    card.insert("advanced_info".into(), Value::Object(advanced));
    match &d.offer {
        Offer::Discount { percent_off } => {
            card.insert("discount".into(), json!(percent_off));
        }
        Offer::Cash {
            reduce_fen,
            least_fen,
        } => {
            card.insert("least_cost".into(), json!(least_fen));
            card.insert("reduce_cost".into(), json!(reduce_fen));
        }
        Offer::Groupon { deal_detail } => {
            card.insert("deal_detail".into(), json!(deal_detail));
        }
        Offer::Gift { gift } => {
            card.insert("gift".into(), json!(gift));
        }
        Offer::General { default_detail } => {
            card.insert("default_detail".into(), json!(default_detail));
        }
    }
    Value::Object(card)
}

/// The body of `PUT /ticket/{id}` for a template (a create sends the same without
/// `ticket_type`); `None` for a kind the platform does not have.
pub fn request_for(d: &TemplateDraft) -> Option<UpdateTicketRequest> {
    let kind = kind_of(&d.offer)?;
    Some(UpdateTicketRequest {
        ticket_type: kind.card_type().to_owned(),
        ticket_info: ticket_info(d),
        // Cards go on to WeChat: the template follows WeChat's card object for that.
        sync: true,
        end_at: wire_time(d.end_at),
        begin_at: wire_time(d.begin_at),
    })
}

/// The outbox payload of a template's create or update; `None`: nothing to send.
pub fn payload_for(d: &TemplateDraft) -> Option<Value> {
    request_for(d).and_then(|r| serde_json::to_value(r).ok())
}

/// The queued body, checked: the request, its kind, the title.
fn read_payload(payload: &Value) -> Result<(UpdateTicketRequest, TicketKind, String), String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        ticket_type: String,
        ticket_info: Value,
        sync: bool,
        end_at: String,
        begin_at: String,
    }
    Strict::deserialize(payload).map_err(|e| e.to_string())?;
    let r = UpdateTicketRequest::deserialize(payload).map_err(|e| e.to_string())?;
    let kind = TicketKind::parse(&r.ticket_type).ok_or_else(|| {
        "ticket_type must be discount_card, coupon_card, groupon_card or gift_card".to_owned()
    })?;
    let title = r
        .ticket_info
        .get("base_info")
        .and_then(|b| b.get("title"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "ticket_info.base_info.title is required".to_owned())?
        .to_owned();
    let (Some(b), Some(e)) = (wire_date(&r.begin_at), wire_date(&r.end_at)) else {
        return Err("begin_at and end_at must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS".into());
    };
    if e < b {
        return Err("end_at must not be before begin_at".into());
    }
    Ok((r, kind, title))
}

/// `YYYY-MM-DD[ HH:MM:SS]` as `YYYY-MM-DD HH:MM:SS`.
fn wire_date(s: &str) -> Option<String> {
    let s = s.trim();
    let full = if s.len() == 10 {
        format!("{s} 00:00:00")
    } else {
        s.to_owned()
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|_| full)
}

/// A template whose logo was picked from a file and has no address yet (its draft's
/// `logoUrl` empty): nothing may be sent, since WeChat requires `logo_url`.
fn needs_logo_url(payload: &Value) -> bool {
    payload
        .pointer("/ticket_info/base_info/logo_url")
        .and_then(Value::as_str)
        .is_none_or(|u| u.trim().is_empty())
}

pub fn check_payload(op: &str, payload: &Value) -> Result<(), String> {
    match op {
        CREATE | UPDATE => read_payload(payload).map(|_| ()),
        _ => Err(format!("unknown operation {op}")),
    }
}

pub struct WxCard {
    e: Endpoint,
}

/// The platform's words in an error answer.
fn said(a: &Answer) -> String {
    match serde_json::from_slice::<ErrorBody>(&a.body) {
        Ok(b) => b.message,
        Err(_) => String::from_utf8_lossy(&a.body).chars().take(200).collect(),
    }
}

impl WxCard {
    pub fn new(e: Endpoint) -> WxCard {
        WxCard { e }
    }

    /// Every card whose title contains `title`.
    fn search(&self, http: &mut Http, title: &str) -> Result<Vec<TicketSummary>, CallError> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let a = bearer_call(
                http,
                &self.e,
                "GET",
                &format!(
                    "/tickets?search={}&title={}&page={page}&per_page={PER_PAGE}",
                    enc("title,like;"),
                    enc(title)
                ),
                None,
            )?;
            match a.status {
                200 => {}
                404 => return Err(wrong_address(Platform::WxCard)),
                s => {
                    return Err(CallError::new(
                        CallErrorKind::BadAnswer,
                        format!(
                            "the platform would not search its templates (HTTP {s}: {}); trying again later",
                            said(&a)
                        ),
                    ))
                }
            }
            let env: DataEnvelope<Vec<TicketSummary>> = a.json()?;
            let pages = env.meta.map(|m| m.pagination.total_pages).unwrap_or(1);
            out.extend(env.data);
            if page >= pages {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// A card our earlier create (whose answer was lost) may have made: same kind, title
    /// and period, claimed by no local template. Several such cards: staff decide.
    fn find_lost(
        &self,
        http: &mut Http,
        kind: TicketKind,
        title: &str,
        r: &UpdateTicketRequest,
        refs: &Refs<'_>,
    ) -> Result<Found<u64>, CallError> {
        let begin = wire_date(&r.begin_at).unwrap_or_default();
        let end = wire_date(&r.end_at).unwrap_or_default();
        let same_time = |t: &Option<coupondesk_wire::wxcard::PhpDateTime>, want: &str| {
            t.as_ref().is_some_and(|t| t.date.starts_with(want))
        };
        let mut found = Vec::new();
        for c in self.search(http, title)? {
            let same = c.card_type == kind.card_type()
                && c.title.as_deref() == Some(title)
                && same_time(&c.begin_at, &begin)
                && same_time(&c.end_at, &end);
            if same && !refs.is_mapped(KIND, &c.id.to_string())? {
                found.push(c.id);
            }
        }
        found.sort_unstable();
        found.dedup();
        Ok(match found.len() {
            0 => Found::Nothing,
            1 => Found::One(found[0]),
            n => Found::Many(n),
        })
    }

    fn create(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
        let (r, kind, title) = match read_payload(&op.payload) {
            Ok(x) => x,
            Err(e) => {
                return Ok(OpResult::conflict(
                    "BAD_DATA",
                    format!("the queued template is not valid ({e}); edit it, then retry"),
                ))
            }
        };
        let mapped = |id: u64, how: &str| OpResult::Done {
            code: "CREATED".into(),
            message: format!("{how} on the platform as card {id}"),
            remote: Some(RemoteRef {
                kind: KIND,
                local_id: op.subject.clone(),
                remote_id: id.to_string(),
            }),
        };
        if let Some(id) = refs.remote_id(KIND, &op.subject)? {
            // Already created (e.g. the create was retried from the inbox after a read
            // back); nothing to do.
            return Ok(OpResult::done(
                "CREATED",
                format!("already on the platform as card {id}"),
            ));
        }
        let what = format!(
            "{} cards titled \"{title}\" for the same dates",
            kind.card_type()
        );
        match readback_rule(op, refs, Cost::Free, &what, || {
            self.find_lost(http, kind, &title, &r, refs)
        })? {
            Next::Send => {}
            Next::Adopt(id) => return Ok(adopted(mapped(id, "found (created by an earlier try)"))),
            Next::Stop(r) => return Ok(r),
        }
        let req = CreateTicketRequest {
            ticket_info: r.ticket_info,
            sync: r.sync,
            end_at: r.end_at,
            begin_at: r.begin_at,
        };
        let a = bearer_call(
            http,
            &self.e,
            "POST",
            &format!("/{}/ticket", kind.path_segment()),
            Some(body(&req)?),
        )?;
        match a.status {
            200 | 201 => {
                let env: DataEnvelope<CardDetail> = a.json()?;
                Ok(mapped(env.data.id, "created"))
            }
            404 => Err(wrong_address(Platform::WxCard)),
            422 => Ok(OpResult::conflict(
                "HTTP_422",
                format!(
                    "the platform refused the template \"{title}\": {}; edit the template (or this \
                     request), then retry",
                    said(&a)
                ),
            )),
            s => Ok(OpResult::conflict(
                format!("HTTP_{s}"),
                format!(
                    "the platform refused the template \"{title}\": {}",
                    said(&a)
                ),
            )),
        }
    }

    fn update(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
        let (r, _, title) = match read_payload(&op.payload) {
            Ok(x) => x,
            Err(e) => {
                return Ok(OpResult::conflict(
                    "BAD_DATA",
                    format!("the queued template is not valid ({e}); edit it, then retry"),
                ))
            }
        };
        let Some(id) = refs.remote_id(KIND, &op.subject)? else {
            return Ok(OpResult::conflict(
                "NOT_ON_PLATFORM",
                "this template never reached the platform (its creation was refused or \
                 discarded), so it cannot be updated there; retry its creation first or \
                 discard this",
            ));
        };
        let a = bearer_call(
            http,
            &self.e,
            "PUT",
            &format!("/ticket/{}", enc(&id)),
            Some(body(&r)?),
        )?;
        Ok(match a.status {
            200 => OpResult::done("UPDATED", format!("card {id} updated on the platform")),
            404 => OpResult::conflict(
                "NOT_FOUND",
                format!(
                    "the platform no longer has card {id} for this template (deleted there?); \
                     discard this, or recreate the template"
                ),
            ),
            422 => OpResult::conflict(
                "HTTP_422",
                format!(
                    "the platform refused the change to \"{title}\": {}; edit it, then retry",
                    said(&a)
                ),
            ),
            s => OpResult::conflict(
                format!("HTTP_{s}"),
                format!(
                    "the platform refused the change to \"{title}\": {}",
                    said(&a)
                ),
            ),
        })
    }
}

impl Connector for WxCard {
    fn send(
        &mut self,
        http: &mut Http,
        ops: &[Op],
        refs: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError> {
        one_by_one(ops, |op| match op.op.as_str() {
            CREATE | UPDATE if needs_logo_url(&op.payload) => Some(Ok(OpResult::conflict(
                "NEEDS_LOGO_URL",
                "this template's logo is only a file kept here, and WeChat takes a logo only \
                 as an address on its own image host (this platform's API has no upload): \
                 upload the logo in the WeChat console, then edit this item's \
                 ticket_info.base_info.logo_url to that address and retry"
                    .to_owned(),
            ))),
            CREATE => Some(self.create(http, op, refs)),
            UPDATE => Some(self.update(http, op, refs)),
            _ => None,
        })
    }

    /// Counts the platform's templates (it tells nothing of their use).
    fn pull(&mut self, http: &mut Http, _conn: &Connection) -> Result<RemoteSummary, CallError> {
        let a = bearer_call(http, &self.e, "GET", "/tickets?per_page=1", None)?;
        if a.status == 404 {
            return Err(wrong_address(Platform::WxCard));
        }
        if a.status != 200 {
            return Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform would not list its templates (HTTP {}: {})",
                    a.status,
                    said(&a)
                ),
            ));
        }
        let env: DataEnvelope<Value> = a.json()?;
        Ok(RemoteSummary {
            items: env.meta.map(|m| m.pagination.total).unwrap_or(0),
            used: 0,
            refreshed: 0,
        })
    }
}
