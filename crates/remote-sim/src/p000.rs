//! Spec 000: Sense ticket API under `/p000`.

use crate::http::{Req, Resp};
use crate::util::{int_param, now_ms};
use crate::{Fail, Inner, SimError};
use coupondesk_wire::sense::{
    ret, BatchUploadRequest, BatchUploaded, Envelope, ImportRequest, Ticket, TicketList,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Default, Serialize)]
pub(crate) struct State {
    tickets: Vec<StoredTicket>,
    batches: BTreeMap<String, Batch>,
    next_type: u64,
}

#[derive(Debug, Serialize)]
struct StoredTicket {
    ticket_type: String,
    ticket_name: String,
    codes: Vec<String>,
    used: u64,
    create_ms: i64,
    update_ms: i64,
}

#[derive(Debug, Serialize)]
struct Batch {
    codes: Vec<String>,
    /// The ticket type whose import consumed this batch.
    consumed_by: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Test,
    List,
    Create,
    Supplement,
    UploadBatch,
}

/// `literal`: only the spec's paths; `/ext/batches` is the non-literal sim's extension.
pub(crate) fn route(method: &str, path: &str, literal: bool) -> Option<(&'static str, Op)> {
    Some(match (method, path) {
        ("POST", "/ext/batches") if literal => return None,
        ("GET", "/test") => ("/test", Op::Test),
        ("GET", "/tickets") => ("/tickets", Op::List),
        ("POST", "/tickets") => ("/tickets", Op::Create),
        ("PUT", "/tickets") => ("/tickets", Op::Supplement),
        ("POST", "/ext/batches") => ("/ext/batches", Op::UploadBatch),
        _ => return None,
    })
}

fn head(r: i64, msg: &str) -> Resp {
    Resp::json(200, &Envelope::<Value>::head_only(r, msg))
}

pub(crate) fn fail(f: Fail) -> Resp {
    match f {
        Fail::RateLimited(_) => head(ret::RATE_LIMITED, "调用次数达到上限"),
        Fail::Injected(status) => Resp::json(
            status,
            &Envelope::<Value>::head_only(ret::SERVER_ERROR, "服务器错误"),
        ),
        Fail::BadToken => head(ret::TOKEN_INVALID, "授权错误, 访问授权 Token 无效"),
        Fail::Expired => head(ret::TOKEN_INVALID, "授权错误, 访问授权 Token 已过期"),
        Fail::NotFound => Resp::json(
            404,
            &Envelope::<Value>::head_only(ret::BAD_PARAMETER, "no such API"),
        ),
    }
}

pub(crate) fn handle(inner: &mut Inner, op: Op, req: &Req) -> Resp {
    match op {
        Op::Test => Resp::json(200, &serde_json::json!({"ok": true})),
        Op::List => list(&inner.s000, inner.literal, req),
        Op::Create | Op::Supplement => {
            let body: ImportRequest = match serde_json::from_slice(&req.body) {
                Ok(b) => b,
                Err(e) => return head(ret::BAD_PARAMETER, &format!("请求参数错误: {e}")),
            };
            if body.ticket_name.trim().is_empty() {
                return head(ret::BAD_PARAMETER, "请求参数错误: ticket_name");
            }
            if matches!(op, Op::Create) {
                create(inner, body)
            } else {
                supplement(inner, body)
            }
        }
        Op::UploadBatch => upload(inner, req),
    }
}

fn list(s: &State, literal: bool, req: &Req) -> Resp {
    let page = match int_param(req.q("to_page"), 1, u64::from(u32::MAX)) {
        Ok(n) => n,
        Err(e) => return head(ret::BAD_PARAMETER, &format!("请求参数错误: to_page {e}")),
    };
    let per_page = match int_param(req.q("per_page"), 10, 100) {
        Ok(n) => n,
        Err(e) => return head(ret::BAD_PARAMETER, &format!("请求参数错误: per_page {e}")),
    };
    let ticket_type = req.q("ticket_type").filter(|t| !t.is_empty());
    if let Some(t) = ticket_type {
        if !s.tickets.iter().any(|x| x.ticket_type == t) {
            return head(ret::TICKET_TYPE_NOT_FOUND, "券码类型不存在");
        }
    }
    let name = req.q("ticket_name").unwrap_or("");
    let tickets: Vec<Ticket> = s
        .tickets
        .iter()
        .filter(|t| ticket_type.is_none_or(|ty| t.ticket_type == ty))
        .filter(|t| t.ticket_name.contains(name))
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|t| Ticket {
            ticket_type: t.ticket_type.clone(),
            ticket_name: t.ticket_name.clone(),
            ticket_total: t.codes.len() as u64,
            ticket_used: t.used,
            // the spec lists create_time but its example has none: literal mode leaves it out
            create_time: (!literal).then(|| t.create_ms.to_string()),
            update_time: t.update_ms.to_string(),
        })
        .collect();
    Resp::json(200, &Envelope::ok(TicketList { tickets }))
}

fn take_batch(s: &mut State, batch_no: &str, ticket_type: &str) -> Option<Vec<String>> {
    let b = s.batches.get_mut(batch_no)?;
    if b.consumed_by.is_some() {
        return None;
    }
    b.consumed_by = Some(ticket_type.to_string());
    Some(b.codes.clone())
}

fn batch_usable(s: &State, batch_no: &str) -> bool {
    s.batches
        .get(batch_no)
        .is_some_and(|b| b.consumed_by.is_none())
}

/// An import of this batch was applied before (a repeat, not an unknown batch).
fn batch_consumed(s: &State, batch_no: &str) -> bool {
    s.batches
        .get(batch_no)
        .is_some_and(|b| b.consumed_by.is_some())
}

fn create(inner: &mut Inner, body: ImportRequest) -> Resp {
    let s = &mut inner.s000;
    if s.tickets.iter().any(|t| t.ticket_name == body.ticket_name) {
        inner.repeat("p000.create_ticket", &body.ticket_name);
        return head(ret::DUPLICATE_NAME, "券码名称重复");
    }
    if let Some(b) = &body.batch_no {
        if !batch_usable(s, b) {
            if batch_consumed(s, b) {
                inner.repeat("p000.import_batch", b);
            }
            return head(ret::BATCH_NOT_FOUND, "导入批次号不存在");
        }
    }
    s.next_type += 1;
    let ticket_type = format!("SIMT{:08}", s.next_type);
    let codes = match &body.batch_no {
        Some(b) => take_batch(s, b, &ticket_type).unwrap_or_default(),
        None => Vec::new(),
    };
    let now = now_ms();
    s.tickets.push(StoredTicket {
        ticket_type,
        ticket_name: body.ticket_name.clone(),
        codes,
        used: 0,
        create_ms: now,
        update_ms: now,
    });
    inner.applied("p000.create_ticket", &body.ticket_name);
    if let Some(b) = &body.batch_no {
        inner.applied("p000.import_batch", b);
    }
    head(ret::OK, "OK")
}

fn supplement(inner: &mut Inner, body: ImportRequest) -> Resp {
    let s = &mut inner.s000;
    let Some(idx) = s
        .tickets
        .iter()
        .position(|t| t.ticket_name == body.ticket_name)
    else {
        return head(ret::TICKET_TYPE_NOT_FOUND, "券码类型不存在");
    };
    let Some(batch_no) = body.batch_no.clone() else {
        return head(ret::BAD_PARAMETER, "请求参数错误: batch_no");
    };
    let ticket_type = s.tickets[idx].ticket_type.clone();
    let Some(codes) = take_batch(s, &batch_no, &ticket_type) else {
        if batch_consumed(s, &batch_no) {
            inner.repeat("p000.import_batch", &batch_no);
        }
        return head(ret::BATCH_NOT_FOUND, "导入批次号不存在");
    };
    let t = &mut s.tickets[idx];
    t.codes.extend(codes);
    t.update_ms = now_ms();
    inner.applied("p000.import_batch", &batch_no);
    head(ret::OK, "OK")
}

fn upload(inner: &mut Inner, req: &Req) -> Resp {
    let body: BatchUploadRequest = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return head(ret::BAD_PARAMETER, &format!("请求参数错误: {e}")),
    };
    if body.batch_no.trim().is_empty() || body.codes.is_empty() {
        return head(ret::BAD_PARAMETER, "请求参数错误: batch_no, codes");
    }
    let answer = BatchUploaded {
        batch_no: body.batch_no.clone(),
        code_count: body.codes.len() as u64,
    };
    match store_batch(inner, &body.batch_no, body.codes) {
        Ok(()) => Resp::json(200, &Envelope::ok(answer)),
        Err(_) => head(
            ret::BAD_PARAMETER,
            "请求参数错误: batch_no 已存在且券码不同",
        ),
    }
}

/// Stores the codes behind `batch_no`, as the extension endpoint (non-literal mode) or the
/// platform's console (`SimHandle::sense_console_upload`, both modes) does. The same batch
/// with the same codes again changes nothing; with other codes it is refused.
pub(crate) fn store_batch(
    inner: &mut Inner,
    batch_no: &str,
    codes: Vec<String>,
) -> Result<(), SimError> {
    if batch_no.trim().is_empty() || codes.is_empty() {
        return Err(SimError::BadInput(
            "a batch needs a batch_no and at least one code".into(),
        ));
    }
    if let Some(existing) = inner.s000.batches.get(batch_no) {
        return if existing.codes == codes {
            inner.repeat("p000.upload_batch", batch_no);
            Ok(())
        } else {
            Err(SimError::BatchConflict(batch_no.to_string()))
        };
    }
    inner.s000.batches.insert(
        batch_no.to_string(),
        Batch {
            codes,
            consumed_by: None,
        },
    );
    inner.applied("p000.upload_batch", batch_no);
    Ok(())
}
