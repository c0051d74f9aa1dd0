//! Spec 002: bonus (红包) module under `/p002`.

use crate::http::{Req, Resp};
use crate::util::{int_param, now_secs, paginate};
use crate::{Fail, Inner};
use coupondesk_wire::bonus::{
    Bonus, CreateBonusRequest, Envelope, GrantBonusRequest, Meta, Status,
};
use coupondesk_wire::Yuan;
use rand::Rng;
use serde::Serialize;
use serde_json::Value;

/// The user id grants go to (the spec's example shows 2).
pub(crate) const SIM_USER_ID: i64 = 2;

#[derive(Debug, Default, Serialize)]
pub(crate) struct State {
    bonuses: Vec<Stored>,
}

#[derive(Debug, Clone, Serialize)]
struct Stored {
    code: String,
    amount_fen: i64,
    min_amount_fen: i64,
    created_at: i64,
    expired_at: i64,
    xname: String,
    product_rid: Option<String>,
    enabled: bool,
    is_used: bool,
    user_id: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    List,
    UserList,
    Detail,
    Create,
    Grant,
    Disable,
}

pub(crate) fn route(method: &str, path: &str) -> Option<(&'static str, Op, Option<String>)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match (method, segs.as_slice()) {
        ("GET", ["market", "bonus"]) => ("/market/bonus", Op::List, None),
        ("GET", ["market", "user_bonus"]) => ("/market/user_bonus", Op::UserList, None),
        ("POST", ["market", "bonus", "create"]) => ("/market/bonus/create", Op::Create, None),
        ("POST", ["market", "bonus", "grant"]) => ("/market/bonus/grant", Op::Grant, None),
        ("GET", ["market", "bonus", rid]) => {
            ("/market/bonus/<rid>", Op::Detail, Some(rid.to_string()))
        }
        ("POST", ["market", "bonus", rid, "disabled"]) => (
            "/market/bonus/<rid>/disabled",
            Op::Disable,
            Some(rid.to_string()),
        ),
        _ => return None,
    })
}

fn status_only(code: u16, message: &str, success: bool) -> Resp {
    Resp::json(
        code,
        &Envelope::<Value> {
            data: None,
            meta: None,
            status: Status {
                code,
                message: message.into(),
            },
            success,
        },
    )
}

pub(crate) fn fail(f: Fail) -> Resp {
    match f {
        Fail::RateLimited(_) => status_only(429, "Too many requests.", false),
        Fail::Injected(s) => status_only(s, "Server error.", false),
        Fail::BadToken => status_only(401, "Unauthorized.", false),
        Fail::Expired => status_only(401, "Token expired.", false),
        Fail::NotFound => status_only(404, "Not found.", false),
    }
}

/// `literal`: the detail example's fields only (no `user_id`; the grant answer adds it back,
/// as its example does).
fn view(b: &Stored, literal: bool) -> Bonus {
    Bonus {
        amount: Yuan(b.amount_fen),
        code: b.code.clone(),
        created_at: b.created_at,
        expired_at: b.expired_at,
        is_used: b.is_used,
        limit_products: Some(b.product_rid.clone().unwrap_or_default()),
        reach_amount: Some(Yuan(b.min_amount_fen)),
        min_amount: Yuan(b.min_amount_fen),
        status: if b.enabled { 0 } else { 1 },
        status_label: None,
        kind: Some(2),
        user_id: if literal { None } else { b.user_id },
        xname: b.xname.clone(),
    }
}

fn ok(code: u16, message: &str, data: Bonus) -> Resp {
    Resp::json(
        code,
        &Envelope {
            data: Some(data),
            meta: None,
            status: Status {
                code,
                message: message.into(),
            },
            success: true,
        },
    )
}

pub(crate) fn handle(inner: &mut Inner, op: Op, rid: Option<&str>, req: &Req) -> Resp {
    match op {
        Op::List | Op::UserList => {
            list(&inner.s002, inner.literal, matches!(op, Op::UserList), req)
        }
        Op::Detail => match inner
            .s002
            .bonuses
            .iter()
            .find(|b| Some(b.code.as_str()) == rid)
        {
            Some(b) => ok(200, "Ok all right.", view(b, inner.literal)),
            None => status_only(404, "Bonus not found.", false),
        },
        Op::Create => create(inner, req),
        Op::Grant => {
            let body: GrantBonusRequest = if req.body.is_empty() {
                GrantBonusRequest { rid: None }
            } else {
                match serde_json::from_slice(&req.body) {
                    Ok(b) => b,
                    Err(e) => return status_only(400, &format!("Bad request: {e}"), false),
                }
            };
            let now = now_secs();
            let idx = match &body.rid {
                Some(rid) => inner.s002.bonuses.iter().position(|b| &b.code == rid),
                None => inner.s002.bonuses.iter().position(|b| {
                    b.enabled && !b.is_used && b.user_id.is_none() && !expired(b, now)
                }),
            };
            let Some(idx) = idx else {
                return status_only(404, "Bonus not found.", false);
            };
            let b = &mut inner.s002.bonuses[idx];
            if b.user_id.is_some() {
                let code = b.code.clone();
                inner.repeat("p002.grant_bonus", &code);
                return status_only(400, "Bonus already granted.", false);
            }
            if !b.enabled {
                return status_only(400, "Bonus is disabled.", false);
            }
            b.user_id = Some(SIM_USER_ID);
            let mut v = view(b, false);
            v.status_label = Some("通用红包".into());
            let code = b.code.clone();
            inner.applied("p002.grant_bonus", &code);
            ok(200, "Ok all right.", v)
        }
        Op::Disable => {
            let Some(b) = inner
                .s002
                .bonuses
                .iter_mut()
                .find(|b| Some(b.code.as_str()) == rid)
            else {
                return status_only(404, "Bonus not found.", false);
            };
            let code = b.code.clone();
            if b.enabled {
                b.enabled = false;
                inner.applied("p002.disable_bonus", &code);
            } else {
                inner.repeat("p002.disable_bonus", &code);
            }
            status_only(200, "Ok all right.", true)
        }
    }
}

fn expired(b: &Stored, now: i64) -> bool {
    b.expired_at != 0 && b.expired_at < now
}

fn list(s: &State, literal: bool, user_only: bool, req: &Req) -> Resp {
    let page = match int_param(req.q("page"), 1, u64::from(u32::MAX)) {
        Ok(n) => n,
        Err(e) => return status_only(400, &format!("page: {e}"), false),
    };
    let per_page = match int_param(req.q("per_page"), 10, 100) {
        Ok(n) => n,
        Err(e) => return status_only(400, &format!("per_page: {e}"), false),
    };
    let status = req.q("status").unwrap_or("N01");
    if !["N01", "N02", "N03"].contains(&status) {
        return status_only(400, "status must be N01, N02 or N03", false);
    }
    let now = now_secs();
    let hits: Vec<Bonus> = s
        .bonuses
        .iter()
        .filter(|b| !user_only || b.user_id.is_some())
        .filter(|b| match status {
            "N01" => !b.is_used && !expired(b, now),
            "N02" => b.is_used,
            _ => !b.is_used && expired(b, now),
        })
        .map(|b| view(b, literal))
        .collect();
    let path = if user_only {
        "/market/user_bonus"
    } else {
        "/market/bonus"
    };
    let (data, pagination) = paginate(&hits, page, per_page, path);
    Resp::json(
        200,
        &Envelope {
            data: Some(data),
            meta: Some(Meta { pagination }),
            status: Status {
                code: 200,
                message: "Ok all right.".into(),
            },
            success: true,
        },
    )
}

fn create(inner: &mut Inner, req: &Req) -> Resp {
    let body: CreateBonusRequest = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return status_only(400, &format!("Bad request: {e}"), false),
    };
    if body.amount.fen() <= 0 {
        return status_only(400, "amount must be positive", false);
    }
    if body.quantity == 0 || body.quantity > 1000 {
        return status_only(400, "quantity must be 1..=1000", false);
    }
    let now = now_secs();
    let mut first = None;
    for _ in 0..body.quantity {
        let code = loop {
            let c: String = std::iter::once('B')
                .chain((0..10).map(|_| char::from(b'A' + inner.rng.random_range(0..26u8))))
                .collect();
            if !inner.s002.bonuses.iter().any(|b| b.code == c) {
                break c;
            }
        };
        let b = Stored {
            code,
            amount_fen: body.amount.fen(),
            min_amount_fen: body.min_amount.map(Yuan::fen).unwrap_or(0),
            created_at: now,
            expired_at: body.expired_at.unwrap_or(0),
            xname: body.xname.clone().unwrap_or_default(),
            product_rid: body.product_rid.clone(),
            enabled: body.status.unwrap_or(true),
            is_used: false,
            user_id: None,
        };
        first.get_or_insert_with(|| {
            let mut v = view(&b, inner.literal);
            // the create example shows `limit_products: null` where the detail shows ""
            if inner.literal && b.product_rid.is_none() {
                v.limit_products = None;
            }
            v
        });
        inner.s002.bonuses.push(b);
    }
    inner.applied("p002.create_bonus", body.xname.as_deref().unwrap_or(""));
    ok(201, "All created.", first.expect("quantity >= 1"))
}
