//! Spec 001: WeChat-card proxy under `/p001`.

use crate::http::{Req, Resp};
use crate::util::{int_param, now_ms, paginate, ymd_hms};
use crate::{Fail, Inner, SimConfig};
use coupondesk_wire::wxcard::{
    parse_search, CardDetail, CreateTicketRequest, DataEnvelope, ErrorBody, Meta, PhpDateTime,
    TicketKind, TicketSummary, UpdateTicketRequest,
};
use serde::Serialize;
use serde_json::Value;

pub(crate) const APP_ID: &str = "123456";
pub(crate) const WECHAT_APP_ID: &str = "wx-sim-001";

#[derive(Debug, Default, Serialize)]
pub(crate) struct State {
    cards: Vec<Card>,
}

#[derive(Debug, Clone, Serialize)]
struct Card {
    id: u64,
    kind: TicketKind,
    info: Value,
    sync: bool,
    /// `YYYY-MM-DD HH:MM:SS`, UTC
    begin_at: String,
    end_at: String,
    status: i64,
    created_ms: i64,
    updated_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Create(TicketKind),
    List,
    Update,
}

pub(crate) fn route(method: &str, path: &str) -> Option<(String, Op, Option<String>)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("POST", [kind, "ticket"]) => {
            let k = TicketKind::ALL
                .into_iter()
                .find(|k| k.path_segment() == *kind)?;
            Some((format!("/{kind}/ticket"), Op::Create(k), None))
        }
        ("GET", ["tickets"]) => Some(("/tickets".into(), Op::List, None)),
        ("PUT", ["ticket", id]) => Some(("/ticket/{id}".into(), Op::Update, Some(id.to_string()))),
        _ => None,
    }
}

fn err(status: u16, message: impl Into<String>) -> Resp {
    Resp::json(
        status,
        &ErrorBody {
            message: message.into(),
            status_code: status,
        },
    )
}

pub(crate) fn fail(f: Fail) -> Resp {
    match f {
        Fail::RateLimited(_) => err(429, "Too Many Attempts."),
        Fail::Injected(s) => err(s, "Server Error"),
        Fail::BadToken => err(401, "Unauthenticated."),
        Fail::Expired => err(401, "Token has expired"),
        Fail::NotFound => err(404, "Not Found"),
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` -> `YYYY-MM-DD HH:MM:SS`.
fn norm_date(s: &str) -> Option<String> {
    let s = s.trim();
    let full = if s.len() == 10 {
        format!("{s} 00:00:00")
    } else {
        s.to_string()
    };
    let b = full.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    shape_ok.then_some(full)
}

fn php(date_time: &str) -> PhpDateTime {
    PhpDateTime::utc(date_time)
}

fn detail(c: &Card) -> DataEnvelope<CardDetail> {
    let mut info = serde_json::Map::new();
    info.insert(c.kind.info_key().into(), c.info.clone());
    DataEnvelope {
        data: CardDetail {
            id: c.id,
            card_type: c.kind.card_type().into(),
            app_id: APP_ID.into(),
            wechat_app_id: WECHAT_APP_ID.into(),
            status: c.status,
            sync: i64::from(c.sync),
            created_at: Some(php(&ymd_hms(c.created_ms))),
            updated_at: c.updated_ms.map(|m| php(&ymd_hms(m))),
            info,
        },
        meta: None,
    }
}

fn summary(c: &Card) -> TicketSummary {
    let base = &c.info["base_info"];
    let s = |v: &Value| v.as_str().map(str::to_string);
    TicketSummary {
        id: c.id,
        color: s(&base["color"]),
        background_pic_url: s(&c.info["background_pic_url"]),
        logo_url: s(&base["logo_url"]),
        card_type: c.kind.card_type().into(),
        brand_name: s(&base["brand_name"]),
        code_type: s(&base["code_type"]),
        title: s(&base["title"]),
        sku: base["sku"].clone(),
        app_id: APP_ID.into(),
        wechat_app_id: WECHAT_APP_ID.into(),
        ali_app_id: None,
        status: c.status,
        sync: i64::from(c.sync),
        begin_at: Some(php(&c.begin_at)),
        end_at: Some(php(&c.end_at)),
        created_at: Some(php(&ymd_hms(c.created_ms))),
        updated_at: c.updated_ms.map(|m| php(&ymd_hms(m))),
    }
}

/// Checks a ticket_info and the dates; returns (title, begin, end).
fn validate(info: &Value, begin: &str, end: &str) -> Result<(String, String, String), Resp> {
    let title = info
        .get("base_info")
        .and_then(|b| b.get("title"))
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            err(
                422,
                "The given data was invalid: ticket_info.base_info.title is required",
            )
        })?;
    let (Some(b), Some(e)) = (norm_date(begin), norm_date(end)) else {
        return Err(err(
            422,
            "The given data was invalid: begin_at and end_at must be YYYY-MM-DD[ HH:MM:SS]",
        ));
    };
    if e < b {
        return Err(err(
            422,
            "The given data was invalid: end_at is before begin_at",
        ));
    }
    Ok((title.to_string(), b, e))
}

pub(crate) fn handle(
    inner: &mut Inner,
    _cfg: &SimConfig,
    op: Op,
    param: Option<&str>,
    req: &Req,
) -> Resp {
    match op {
        Op::Create(kind) => {
            let body: CreateTicketRequest = match serde_json::from_slice(&req.body) {
                Ok(b) => b,
                Err(e) => return err(422, format!("The given data was invalid: {e}")),
            };
            let (title, begin_at, end_at) =
                match validate(&body.ticket_info, &body.begin_at, &body.end_at) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
            let id = inner.s001.cards.len() as u64 + 1;
            let card = Card {
                id,
                kind,
                info: body.ticket_info,
                sync: body.sync,
                begin_at,
                end_at,
                status: 0,
                created_ms: now_ms(),
                updated_ms: None,
            };
            let answer = detail(&card);
            inner.s001.cards.push(card);
            inner.applied(
                "p001.create_ticket",
                &format!("{}:{title}", kind.card_type()),
            );
            Resp::json(200, &answer)
        }
        Op::Update => {
            let Some(idx) = param
                .and_then(|p| p.parse::<u64>().ok())
                .and_then(|id| inner.s001.cards.iter().position(|c| c.id == id))
            else {
                return err(
                    404,
                    format!(
                        "No query results for model [Ticket] {}",
                        param.unwrap_or("")
                    ),
                );
            };
            let body: UpdateTicketRequest = match serde_json::from_slice(&req.body) {
                Ok(b) => b,
                Err(e) => return err(422, format!("The given data was invalid: {e}")),
            };
            let Some(kind) = TicketKind::parse(&body.ticket_type) else {
                return err(422, "The given data was invalid: ticket_type");
            };
            let (_, begin_at, end_at) =
                match validate(&body.ticket_info, &body.begin_at, &body.end_at) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
            let c = &mut inner.s001.cards[idx];
            // A PUT is idempotent: the same body again changes nothing and is not
            // counted as applied (a client re-sending it after a lost answer is fine).
            let changed = c.kind != kind
                || c.info != body.ticket_info
                || c.sync != body.sync
                || c.begin_at != begin_at
                || c.end_at != end_at;
            if changed {
                c.kind = kind;
                c.info = body.ticket_info;
                c.sync = body.sync;
                c.begin_at = begin_at;
                c.end_at = end_at;
                c.updated_ms = Some(now_ms());
            }
            let answer = detail(c);
            let id = c.id.to_string();
            if changed {
                inner.applied("p001.update_ticket", &id);
            } else {
                inner.repeat("p001.update_ticket", &id);
            }
            Resp::json(200, &answer)
        }
        Op::List => list(&inner.s001, req),
    }
}

fn list(s: &State, req: &Req) -> Resp {
    let page = match int_param(req.q("page"), 1, u64::from(u32::MAX)) {
        Ok(n) => n,
        Err(e) => return err(422, format!("page: {e}")),
    };
    let per_page = match int_param(req.q("per_page"), 15, 100) {
        Ok(n) => n,
        Err(e) => return err(422, format!("per_page: {e}")),
    };
    let terms = match req.q("search").map(parse_search) {
        None => Vec::new(),
        Some(Some(t)) => t,
        Some(None) => return err(422, "search: expected field,op;field,op;"),
    };
    let mut conds = Vec::new();
    for t in terms {
        let Some(value) = req.q(&t.field) else {
            return err(422, format!("search: no value given for {}", t.field));
        };
        if !["=", "!=", "<", "<=", ">", ">=", "like"].contains(&t.op.as_str()) {
            return err(422, format!("search: unknown operator {}", t.op));
        }
        let value = match t.field.as_str() {
            "begin_at" | "end_at" | "created_at" => match norm_date(value) {
                Some(v) => v,
                None => return err(422, format!("search: {} is not a date", t.field)),
            },
            "ticket_type" | "card_type" => match TicketKind::parse(value) {
                Some(k) => k.card_type().to_string(),
                None => value.to_string(),
            },
            "title" | "id" | "status" | "sync" => value.to_string(),
            other => return err(422, format!("search: unknown field {other}")),
        };
        conds.push((t.field, t.op, value));
    }
    let matches = |c: &Card| {
        conds.iter().all(|(field, op, value)| {
            let have: String = match field.as_str() {
                "begin_at" => c.begin_at.clone(),
                "end_at" => c.end_at.clone(),
                "created_at" => ymd_hms(c.created_ms),
                "ticket_type" | "card_type" => c.kind.card_type().into(),
                "title" => c.info["base_info"]["title"].as_str().unwrap_or("").into(),
                "id" => return cmp_num(c.id as i64, op, value),
                "status" => return cmp_num(c.status, op, value),
                _ => return cmp_num(i64::from(c.sync), op, value),
            };
            match op.as_str() {
                "=" => have == *value,
                "!=" => have != *value,
                "<" => have < *value,
                "<=" => have <= *value,
                ">" => have > *value,
                ">=" => have >= *value,
                _ => have.contains(value.trim_matches('%')),
            }
        })
    };
    let hits: Vec<TicketSummary> = s.cards.iter().filter(|c| matches(c)).map(summary).collect();
    let (data, pagination) = paginate(&hits, page, per_page, "/tickets");
    Resp::json(
        200,
        &DataEnvelope {
            data,
            meta: Some(Meta { pagination }),
        },
    )
}

fn cmp_num(have: i64, op: &str, value: &str) -> bool {
    let Ok(v) = value.parse::<i64>() else {
        return false;
    };
    match op {
        "=" | "like" => have == v,
        "!=" => have != v,
        "<" => have < v,
        "<=" => have <= v,
        ">" => have > v,
        _ => have >= v,
    }
}
