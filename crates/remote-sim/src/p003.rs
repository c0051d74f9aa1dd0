//! Spec 003: exchange voucher service under `/p003`.

use crate::http::{Req, Resp};
use crate::util::{civil, now_ms};
use crate::{Fail, Inner, SimConfig, SimError};
use coupondesk_wire::voucher::{error_code, BuyRequest, Coupon, DataEnvelope, ErrorBody};
use coupondesk_wire::Yuan;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub(crate) struct State {
    coupons: Vec<Stored>,
}

#[derive(Debug, Clone, Serialize)]
struct Stored {
    id: i64,
    customer: String,
    name: String,
    price_fen: i64,
    created_ms: i64,
    updated_ms: i64,
    used_ms: Option<i64>,
    valid: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Buy,
    List,
    Detail,
}

pub(crate) fn route(method: &str, path: &str) -> Option<(&'static str, Op, Option<String>)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match (method, segs.as_slice()) {
        ("POST", ["api", "v1", "coupons"]) => ("/api/v1/coupons", Op::Buy, None),
        ("GET", ["api", "v1", "coupons"]) => ("/api/v1/coupons", Op::List, None),
        ("GET", ["api", "v1", "coupons", id]) => {
            ("/api/v1/coupons/<ID>", Op::Detail, Some(id.to_string()))
        }
        _ => return None,
    })
}

fn err(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &ErrorBody {
            code: code.into(),
            message: message.into(),
        },
    )
}

pub(crate) fn fail(f: Fail) -> Resp {
    match f {
        Fail::RateLimited(_) => err(429, error_code::RATE_LIMITED, "请求过于频繁"),
        Fail::Injected(s) => err(s, error_code::SERVER_ERROR, "服务器错误"),
        Fail::BadToken => err(401, error_code::UNAUTHORIZED, "请先登录"),
        Fail::Expired => err(401, error_code::UNAUTHORIZED, "登录已过期"),
        Fail::NotFound => err(404, error_code::ENTITY_NOT_FOUND, "no such API"),
    }
}

/// Marks voucher `id` used, as a shop redeeming it would (`POST /__sim/p003/use`).
pub(crate) fn mark_used(inner: &mut Inner, id: i64) -> Result<(), SimError> {
    let Some(c) = inner.s003.coupons.iter_mut().find(|c| c.id == id) else {
        return Err(SimError::NoSuchVoucher(id));
    };
    if c.used_ms.is_some() {
        return Err(SimError::VoucherAlreadyUsed(id));
    }
    let now = now_ms();
    c.used_ms = Some(now);
    c.updated_ms = now;
    c.valid = false;
    Ok(())
}

/// `2019-10-1 3:00`: Beijing time (UTC+8), no zero padding but the minutes.
fn date(ms: i64) -> String {
    let (y, m, d, h, mi, _) = civil(ms.div_euclid(1000) + 8 * 3600);
    format!("{y}-{m}-{d} {h}:{mi:02}")
}

/// `literal`: exactly the spec's example fields (no `id`, no `paid`).
fn view(c: &Stored, literal: bool) -> Coupon {
    Coupon {
        id: (!literal).then_some(c.id),
        customer: c.customer.clone(),
        pkg: None,
        name: c.name.clone(),
        created_at: date(c.created_ms),
        updated_at: date(c.updated_ms),
        used_at: c.used_ms.map(date),
        price: Yuan(c.price_fen),
        introduction: None,
        valid: c.valid,
        paid: (!literal).then_some(true),
    }
}

pub(crate) fn handle(
    inner: &mut Inner,
    cfg: &SimConfig,
    op: Op,
    id: Option<&str>,
    req: &Req,
) -> Resp {
    match op {
        Op::Buy => {
            let body: BuyRequest = match serde_json::from_slice(&req.body) {
                Ok(b) => b,
                Err(e) => return err(400, error_code::BAD_REQUEST, &e.to_string()),
            };
            if body.name.trim().is_empty() || body.price.fen() < 0 {
                return err(
                    400,
                    error_code::BAD_REQUEST,
                    "name and a price >= 0 are required",
                );
            }
            let now = now_ms();
            let c = Stored {
                id: inner.s003.coupons.len() as i64 + 1,
                customer: cfg.voucher_customer.clone(),
                name: body.name.clone(),
                price_fen: body.price.fen(),
                created_ms: now,
                updated_ms: now,
                used_ms: None,
                valid: true,
            };
            let answer = view(&c, inner.literal);
            inner.s003.coupons.push(c);
            inner.applied("p003.buy_coupon", &body.name);
            Resp::json(200, &DataEnvelope { data: answer })
        }
        Op::List => {
            let nopkg = match req.q("nopkg") {
                None | Some("") | Some("false") | Some("False") | Some("0") => false,
                Some("true") | Some("True") | Some("1") => true,
                Some(_) => return err(400, error_code::BAD_REQUEST, "nopkg must be a boolean"),
            };
            // every simulated voucher is bought singly (pkg null), so nopkg filters nothing
            let _ = nopkg;
            let name = req.q("name").filter(|n| !n.is_empty());
            let data: Vec<Coupon> = inner
                .s003
                .coupons
                .iter()
                .filter(|c| c.customer == cfg.voucher_customer)
                .filter(|c| name.is_none_or(|n| c.name == n))
                .map(|c| view(c, inner.literal))
                .collect();
            Resp::json(200, &DataEnvelope { data })
        }
        Op::Detail => {
            let found = id
                .and_then(|i| i.parse::<i64>().ok())
                .and_then(|i| inner.s003.coupons.iter().find(|c| c.id == i));
            match found {
                Some(c) => Resp::json(
                    200,
                    &DataEnvelope {
                        data: view(c, inner.literal),
                    },
                ),
                None => err(404, error_code::ENTITY_NOT_FOUND, "未找到指定ID的兑换券"),
            }
        }
    }
}
