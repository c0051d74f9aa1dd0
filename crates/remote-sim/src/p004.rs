//! Spec 004: e-Buy e-coupon 4.1 under `/p004`: signed envelopes, idempotent by `uuid`.

use crate::http::{Req, Resp};
use crate::util::now_ms;
use crate::{Fail, Inner, Platform, SimConfig};
use coupondesk_wire::ebuy::{
    self, code_status, error_code, result_code, ActivateContent, ActiveCodeDetail, CodeResults,
    ResponseEnvelope, SignType, UnActivateContent, UpdateStatusContent,
};
use rand::Rng;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Most codes one request may carry.
pub(crate) const MAX_CODES: usize = 1000;

#[derive(Debug, Default, Serialize)]
pub(crate) struct State {
    codes: BTreeMap<String, Code>,
    /// uuid -> the answer's body, replayed byte for byte.
    #[serde(skip)]
    replies: BTreeMap<String, Vec<u8>>,
    uuids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Code {
    status: String,
    /// The last successful activation's `makeFundsChannel` and `activateInfo`, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    funds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    activate_info: Option<Value>,
    use_times: u32,
    used_elsewhere: bool,
    code_search: String,
    ticket_id: String,
    ticket_name: String,
    outer_order_id: String,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Activate,
    UnActivate,
    UpdateStatus,
}

pub(crate) fn route(method: &str, path: &str) -> Option<(&'static str, Op)> {
    if method != "POST" {
        return None;
    }
    Some(match path {
        ebuy::PATH_ACTIVATE => (ebuy::PATH_ACTIVATE, Op::Activate),
        ebuy::PATH_UNACTIVATE => (ebuy::PATH_UNACTIVATE, Op::UnActivate),
        ebuy::PATH_UPDATE_STATUS => (ebuy::PATH_UPDATE_STATUS, Op::UpdateStatus),
        _ => return None,
    })
}

fn parsed(req: &Req) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

/// A signed answer echoing the request's action, uuid and signType.
fn answer(
    cfg: &SimConfig,
    req_v: &Value,
    status: u16,
    code: &str,
    message: &str,
    content: Value,
) -> Resp {
    let s = |k: &str| {
        req_v
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let sign_type = SignType::parse(&s("signType")).unwrap_or_default();
    let mut env = ResponseEnvelope {
        success: code == error_code::SUCCESS,
        error_code: code.into(),
        error_message: message.into(),
        sign: String::new(),
        sign_type: sign_type.as_str().into(),
        action: s("action"),
        uuid: s("uuid"),
        content,
        timestamp: now_ms(),
    };
    env.sign(cfg.ebuy_secret.as_bytes())
        .expect("a known signType signs");
    Resp::json(status, &env)
}

pub(crate) fn fail(cfg: &SimConfig, req: &Req, f: Fail) -> Resp {
    let v = parsed(req);
    let (status, code, msg) = match f {
        Fail::RateLimited(_) => (429, error_code::RATE_LIMITED, "调用次数达到上限"),
        Fail::Injected(s) => (s, error_code::SYSTEM_ERROR, "系统错误"),
        Fail::BadToken => (200, error_code::INVALID_APP_ID, "appId 无效"),
        Fail::Expired => (200, error_code::AUTH_EXPIRED, "授权已过期"),
        Fail::NotFound => (404, error_code::INVALID_PARAM, "no such API"),
    };
    answer(cfg, &v, status, code, msg, Value::Null)
}

/// Envelope checks before anything is applied: JSON, appId, expiry, signature.
pub(crate) fn authorize(cfg: &SimConfig, req: &Req, expired: bool) -> Option<Resp> {
    let v = parsed(req);
    if !v.is_object() {
        return Some(answer(
            cfg,
            &v,
            200,
            error_code::INVALID_PARAM,
            "请求不是 JSON 对象",
            Value::Null,
        ));
    }
    if v.get("appId").and_then(Value::as_str) != Some(cfg.ebuy_app_id.as_str()) {
        return Some(answer(
            cfg,
            &v,
            200,
            error_code::INVALID_APP_ID,
            "appId 无效",
            Value::Null,
        ));
    }
    if expired {
        return Some(answer(
            cfg,
            &v,
            200,
            error_code::AUTH_EXPIRED,
            "授权已过期",
            Value::Null,
        ));
    }
    if let Err(e) = ebuy::verify_value(&v, cfg.ebuy_secret.as_bytes()) {
        return Some(answer(
            cfg,
            &v,
            200,
            error_code::INVALID_SIGN,
            &format!("签名错误: {e}"),
            Value::Null,
        ));
    }
    None
}

enum Change {
    Activate {
        funds: Option<Value>,
        info: Option<Value>,
    },
    UnActivate,
    SetStatus(String),
}

pub(crate) fn handle(inner: &mut Inner, cfg: &SimConfig, op: Op, req: &Req) -> Resp {
    let v = parsed(req);
    let uuid = v
        .get("uuid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if uuid.is_empty() {
        return answer(
            cfg,
            &v,
            200,
            error_code::INVALID_PARAM,
            "uuid 必填",
            Value::Null,
        );
    }
    if let Some(body) = inner.s004.replies.get(&uuid) {
        let body = body.clone();
        *inner.counters.replays.entry(uuid).or_default() += 1;
        let mut r = Resp::json(200, &Value::Null);
        r.body = body;
        return r;
    }
    let content = v.get("content").cloned().unwrap_or(Value::Null);
    let parsed: Result<(Vec<String>, Change), String> = match op {
        Op::Activate => serde_json::from_value::<ActivateContent>(content)
            .map(|c| {
                let change = Change::Activate {
                    funds: c
                        .make_funds_channel
                        .and_then(|f| serde_json::to_value(f).ok()),
                    info: c.activate_info.and_then(|i| serde_json::to_value(i).ok()),
                };
                (c.code_array, change)
            })
            .map_err(|e| e.to_string()),
        Op::UnActivate => serde_json::from_value::<UnActivateContent>(content)
            .map(|c| (c.code_array, Change::UnActivate))
            .map_err(|e| e.to_string()),
        Op::UpdateStatus => serde_json::from_value::<UpdateStatusContent>(content)
            .map(|c| (c.code_array, Change::SetStatus(c.code_status)))
            .map_err(|e| e.to_string()),
    };
    let (codes, change) = match parsed {
        Ok(p) => p,
        Err(e) => {
            return answer(
                cfg,
                &v,
                200,
                error_code::INVALID_PARAM,
                &format!("content: {e}"),
                Value::Null,
            )
        }
    };
    if codes.is_empty() || codes.len() > MAX_CODES {
        return answer(
            cfg,
            &v,
            200,
            error_code::INVALID_PARAM,
            &format!("codeArray 须有 1..={MAX_CODES} 个券码"),
            Value::Null,
        );
    }
    let mut details = Vec::with_capacity(codes.len());
    let mut ok = 0;
    for code in codes {
        let d = apply_code(inner, &code, &change);
        if d.result_code == result_code::SUCCESS {
            ok += 1;
        }
        details.push(d);
    }
    let content = serde_json::to_value(CodeResults {
        code_num: ok,
        create_date: now_ms(),
        active_code_details: details,
    })
    .expect("results serialise");
    let resp = answer(cfg, &v, 200, error_code::SUCCESS, "成功", content);
    inner.s004.replies.insert(uuid.clone(), resp.body.clone());
    inner.s004.uuids.push(uuid.clone());
    inner.applied("p004.request", &uuid);
    resp
}

fn apply_code(inner: &mut Inner, code: &str, change: &Change) -> ActiveCodeDetail {
    let n = inner.s004.codes.len() + 1;
    let faults_on = inner.faults.hits(Platform::Ebuy);
    let listed = faults_on && inner.faults.used_elsewhere_codes.contains(code);
    let rate = if faults_on {
        inner.faults.used_elsewhere_rate
    } else {
        0.0
    };
    let mut elsewhere_now = false;
    {
        let entry = inner
            .s004
            .codes
            .entry(code.to_string())
            .or_insert_with(|| Code {
                status: code_status::UNACTIVATED.into(),
                funds: None,
                activate_info: None,
                use_times: 0,
                used_elsewhere: false,
                code_search: format!("Q{n:09}"),
                ticket_id: "SIM-TICKET-1".into(),
                ticket_name: "模拟电子券".into(),
                outer_order_id: "SIM-ORDER-1".into(),
            });
        if entry.status != code_status::USED {
            let rolled = rate > 0.0 && inner.rng.random::<f64>() < rate;
            if listed || rolled {
                entry.status = code_status::USED.into();
                entry.use_times = 1;
                entry.used_elsewhere = true;
                elsewhere_now = true;
            }
        }
    }
    if elsewhere_now {
        inner.injected("used_elsewhere");
    }
    let c = inner.s004.codes.get_mut(code).expect("just inserted");
    // (result, message, applied op, repeated op): a repeat is a change already made
    let (result, message, applied_op, repeat_op) = if c.status == code_status::USED {
        if c.used_elsewhere {
            (
                result_code::CODE_USED_ELSEWHERE,
                "券码已在其他渠道使用",
                None,
                None,
            )
        } else {
            // marking a used code used again is a repeated redemption
            let again = matches!(change, Change::SetStatus(t) if t == code_status::USED);
            let repeat = again.then_some("p004.update_status");
            (result_code::CODE_ALREADY_USED, "券码已使用", None, repeat)
        }
    } else {
        match change {
            Change::Activate { funds, info } => match c.status.as_str() {
                code_status::UNACTIVATED => {
                    c.status = code_status::ACTIVATED.into();
                    c.funds = funds.clone();
                    c.activate_info = info.clone();
                    (result_code::SUCCESS, "成功", Some("p004.activate"), None)
                }
                code_status::ACTIVATED => (
                    result_code::CODE_ALREADY_ACTIVE,
                    "券码已激活",
                    None,
                    Some("p004.activate"),
                ),
                _ => (result_code::CODE_INVALID, "券码已作废", None, None),
            },
            Change::UnActivate => match c.status.as_str() {
                code_status::ACTIVATED => {
                    c.status = code_status::UNACTIVATED.into();
                    (result_code::SUCCESS, "成功", Some("p004.unactivate"), None)
                }
                code_status::UNACTIVATED => (
                    result_code::CODE_NOT_ACTIVE,
                    "券码未激活",
                    None,
                    Some("p004.unactivate"),
                ),
                _ => (result_code::CODE_INVALID, "券码已作废", None, None),
            },
            Change::SetStatus(target) => {
                if ![
                    code_status::UNACTIVATED,
                    code_status::ACTIVATED,
                    code_status::USED,
                    code_status::INVALID,
                ]
                .contains(&target.as_str())
                {
                    (result_code::BAD_STATUS, "未知的券码状态", None, None)
                } else if c.status == *target {
                    (
                        result_code::SUCCESS,
                        "成功",
                        None,
                        Some("p004.update_status"),
                    )
                } else {
                    c.status = target.clone();
                    if c.status == code_status::USED {
                        c.use_times += 1;
                    }
                    (
                        result_code::SUCCESS,
                        "成功",
                        Some("p004.update_status"),
                        None,
                    )
                }
            }
        }
    };
    let detail = ActiveCodeDetail {
        code_secret: code.to_string(),
        code_search: c.code_search.clone(),
        result_code: result.into(),
        result_message: message.into(),
        code_status: c.status.clone(),
        code_status_desc: code_status::desc(&c.status).into(),
        use_times: c.use_times.to_string(),
        ticket_id: c.ticket_id.clone(),
        ticket_name: c.ticket_name.clone(),
        outer_order_id: c.outer_order_id.clone(),
    };
    if let Some(op) = applied_op {
        inner.applied(op, code);
    }
    if let Some(op) = repeat_op {
        inner.repeat(op, code);
    }
    detail
}
