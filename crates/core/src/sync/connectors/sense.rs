//! 000 "Sense" ticket API (券码管理): a batch linked to a template becomes codes of the
//! platform's ticket type named after the template's title.
//!
//! One `sense.import` op per link. Spec 000 has no way to upload codes: staff upload the
//! batch's file in the Sense console and get the platform's own batch number, which the
//! link carries (`platformBatchNo`); the connector then only imports it: `POST /tickets`
//! (new type) or `PUT /tickets` (supplement), both documented. A server that accepts code
//! uploads (our simulator's `POST /ext/batches`) is a per-platform option
//! (`upload_path`, off by default): the batch's codes are uploaded there under the op's
//! own `batchNo` first. Without either, nothing is sent: the op waits in the inbox with
//! the instruction.
//!
//! `ret 104` (导入批次号不存在) is never success: the batch number is unknown. Only after
//! our own possibly-applied import (which consumed the number) is it checked by reading
//! the type back. Every import is verified by read-back: the type's `ticket_total` must
//! have grown by the codes imported. A 404 on any path is a conflict with an instruction.
//!
//! Batches larger than [`CHUNK`] codes are uploaded as several platform batches
//! (`<batchNo>`, `<batchNo>.1`, `<batchNo>.2`, …), each imported on its own.

use coupondesk_wire::sense::{
    ret, BatchUploadRequest, Envelope, ImportRequest, Ticket, TicketList, AUTH_HEADER,
};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{adopted, body, enc, http_failure, local_db, one_by_one, wrong_address};
use crate::domain::reconcile::SideCounts;
use crate::store::reconcile::{replace_seen, SeenGroup};
use crate::sync::connector::{Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::{Answer, CallError, CallErrorKind, Http};
use crate::sync::settings::Endpoint;
use crate::sync::types::{Platform, RemoteSummary};

pub const IMPORT: &str = "sense.import";
const KIND: &str = "ticket";
/// Codes per uploaded platform batch (one request body stays a few MB).
pub const CHUNK: usize = 50_000;
/// The list's page size (the platform's maximum).
const PER_PAGE: usize = 100;

/// What linking a batch to a template asks the platform for. `codeCount` fixes which
/// codes travel (the batch's first `codeCount`, in order), so every re-send uploads
/// exactly the same codes under the same `batchNo`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPayload {
    pub ticket_name: String,
    pub batch_no: String,
    pub code_count: u64,
    /// The platform's own batch number, from uploading the batch's file in the Sense
    /// console (spec 000 has no upload endpoint). Used when no upload path is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_batch_no: Option<String>,
}

impl ImportPayload {
    /// The payload of a new link: a `batchNo` unique to this link.
    pub fn new(
        ticket_type: &str,
        ticket_name: &str,
        code_count: u64,
        platform_batch_no: Option<&str>,
    ) -> ImportPayload {
        let key = crate::sync::outbox::new_key();
        ImportPayload {
            ticket_name: ticket_name.trim().to_owned(),
            batch_no: format!("{ticket_type}-{}", &key[..8]),
            code_count,
            platform_batch_no: platform_batch_no
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }
    }
}

pub fn check_payload(op: &str, payload: &Value) -> Result<(), String> {
    match op {
        IMPORT => {
            let p = ImportPayload::deserialize(payload).map_err(|e| e.to_string())?;
            if p.ticket_name.trim().is_empty() {
                return Err("ticketName cannot be empty".into());
            }
            if p.batch_no.trim().is_empty() {
                return Err("batchNo cannot be empty".into());
            }
            if p.platform_batch_no
                .as_deref()
                .is_some_and(|n| n.trim().is_empty())
            {
                return Err("platformBatchNo cannot be empty (leave it out instead)".into());
            }
            Ok(())
        }
        _ => Err(format!("unknown operation {op}")),
    }
}

pub struct Sense {
    e: Endpoint,
}

/// An answer's `head.ret` and `head.msg`, with the body when there is one.
struct Said<B> {
    ret: i64,
    msg: String,
    body: Option<B>,
}

/// Why an op's requests stop: a whole-call failure (retried) or a final word for the op.
enum Fail {
    Call(CallError),
    Op(OpResult),
}

impl From<CallError> for Fail {
    fn from(e: CallError) -> Fail {
        Fail::Call(e)
    }
}

fn local(e: rusqlite::Error) -> CallError {
    CallError::new(
        CallErrorKind::BadAnswer,
        format!("could not read the local database ({e}); trying again later"),
    )
}

/// The upload path as set in Settings (`ext/batches` → `/ext/batches`); `None`: off.
fn upload_path(setting: &str) -> Option<String> {
    let p = setting.trim();
    if p.is_empty() {
        None
    } else if p.starts_with('/') {
        Some(p.to_owned())
    } else {
        Some(format!("/{p}"))
    }
}

impl Sense {
    pub fn new(e: Endpoint) -> Sense {
        Sense { e }
    }

    /// Sends one request; turns the transport-level and `head.ret` whole-call failures
    /// (1 server, 2 token, 4 rate limit, 5 permission) into a `CallError`, and a 404 into
    /// a conflict with an instruction (a retry would meet the same 404 forever).
    fn call<B: serde::de::DeserializeOwned>(
        &self,
        http: &mut Http,
        method: &str,
        path: &str,
        b: Option<Vec<u8>>,
    ) -> Result<Said<B>, Fail> {
        let url = format!("{}{}", self.e.base_url, path);
        let token = self.e.secret.expose();
        let a: Answer = http.call(method, &url, &[(AUTH_HEADER, token)], b.as_deref())?;
        if a.status == 404 {
            let bare = path.split('?').next().unwrap_or(path);
            let upload = upload_path(&self.e.upload_path);
            let message = if upload.as_deref() == Some(bare) {
                format!(
                    "Sense answered 404 to the code upload at {bare}: this server has no such \
                     endpoint (spec 000 has none). Turn off the code upload in Settings, upload \
                     the batch's codes in the Sense console, then edit this item's \
                     platformBatchNo and retry"
                )
            } else {
                format!(
                    "Sense answered 404 to {method} {bare}: the address in Settings does not \
                     lead to its API. Fix the address, then retry"
                )
            };
            return Err(Fail::Op(OpResult::conflict("HTTP_404", message)));
        }
        if let Some(e) = http_failure(Platform::Sense, &a) {
            return Err(e.into());
        }
        let env: Envelope<B> = a.json()?;
        let msg = env.head.msg;
        match env.head.ret {
            ret::SERVER_ERROR => Err(CallError::server(a.status, &msg).into()),
            ret::TOKEN_INVALID => Err(CallError::auth(Platform::Sense, &msg).into()),
            ret::RATE_LIMITED => Err(CallError::rate_limited(a.retry_after).into()),
            ret::NO_PERMISSION => Err(CallError::auth(
                Platform::Sense,
                &format!("no permission for this call: {msg}"),
            )
            .into()),
            r => Ok(Said {
                ret: r,
                msg,
                body: env.body,
            }),
        }
    }

    /// The batch's id, when it still exists.
    fn batch_id(conn: &Connection, ticket_type: &str) -> Result<Option<i64>, CallError> {
        conn.query_row(
            "SELECT id FROM batches WHERE ticket_type = ?1",
            [ticket_type],
            |r| r.get(0),
        )
        .optional()
        .map_err(local)
    }

    /// Up to `limit` codes of the batch after the code id `after`, in order, with the
    /// last one's id.
    fn codes_after(
        conn: &Connection,
        batch: i64,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<String>, i64), CallError> {
        let mut st = conn
            .prepare_cached(
                "SELECT id, code FROM codes WHERE id > ?1 AND id < ?2 ORDER BY id LIMIT ?3",
            )
            .map_err(local)?;
        // Up to the batch's next_seq: codes above it are a run's being undone.
        let next_seq: i64 = conn
            .query_row("SELECT next_seq FROM batches WHERE id = ?1", [batch], |r| {
                r.get(0)
            })
            .optional()
            .map_err(local)?
            .unwrap_or(1);
        let rows = st
            .query_map(
                rusqlite::params![after, crate::store::code_id(batch, next_seq), limit as i64],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .map_err(local)?;
        let mut last = after;
        let mut codes = Vec::new();
        for row in rows {
            let (id, code) = row.map_err(local)?;
            last = id;
            codes.push(code);
        }
        Ok((codes, last))
    }

    /// One page of the list, filtered by a name substring or a ticket type.
    fn page(
        &self,
        http: &mut Http,
        filter: Option<(&str, &str)>,
        page: usize,
    ) -> Result<Vec<Ticket>, Fail> {
        let mut path = format!("/tickets?to_page={page}&per_page={PER_PAGE}");
        if let Some((k, v)) = filter {
            path.push_str(&format!("&{k}={}", enc(v)));
        }
        let said: Said<TicketList> = self.call(http, "GET", &path, None)?;
        if said.ret != ret::OK {
            return Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform would not list its ticket types (ret {}: {}); trying again later",
                    said.ret, said.msg
                ),
            )
            .into());
        }
        Ok(said.body.map(|b| b.tickets).unwrap_or_default())
    }

    /// Every ticket type (matching the filter, when given).
    fn all(&self, http: &mut Http, filter: Option<(&str, &str)>) -> Result<Vec<Ticket>, Fail> {
        let mut out = Vec::new();
        for page in 1.. {
            let items = self.page(http, filter, page)?;
            let n = items.len();
            out.extend(items);
            if n < PER_PAGE {
                break;
            }
        }
        Ok(out)
    }

    /// The platform's ticket type of exactly this name (by its `ticket_type` when known:
    /// one request).
    fn find(
        &self,
        http: &mut Http,
        name: &str,
        known: Option<&str>,
    ) -> Result<Option<Ticket>, Fail> {
        if let Some(t) = known {
            let hit = self
                .all(http, Some(("ticket_type", t)))?
                .into_iter()
                .find(|x| x.ticket_type == t && x.ticket_name == name);
            if hit.is_some() {
                return Ok(hit);
            }
        }
        Ok(self
            .all(http, Some(("ticket_name", name)))?
            .into_iter()
            .find(|t| t.ticket_name == name))
    }

    /// Uploads one platform batch at the configured upload path.
    fn upload(
        &self,
        http: &mut Http,
        path: &str,
        batch_no: &str,
        codes: &[String],
    ) -> Result<(), Fail> {
        let req = BatchUploadRequest {
            batch_no: batch_no.to_owned(),
            codes: codes.to_vec(),
        };
        let said: Said<Value> = self.call(http, "POST", path, Some(body(&req)?))?;
        match said.ret {
            ret::OK => Ok(()),
            r => Err(Fail::Op(OpResult::conflict(
                format!("RET_{r}"),
                format!(
                    "the platform refused the codes of batch number {batch_no} ({}); if it \
                     already has that number with other codes, edit the batchNo and retry",
                    said.msg
                ),
            ))),
        }
    }

    /// Imports one platform batch into the named ticket type: creates the type when
    /// `create`, otherwise supplements it; switches once to the other when the platform
    /// says the name exists (103) or does not (105). `Ok(true)`: imported now;
    /// `Ok(false)`: 104 after our own possibly-applied import (to be checked by read-back).
    fn import(
        &self,
        http: &mut Http,
        name: &str,
        batch_no: &str,
        mut create: bool,
        maybe_applied: bool,
    ) -> Result<bool, Fail> {
        let req = ImportRequest {
            batch_no: Some(batch_no.to_owned()),
            ticket_name: name.to_owned(),
        };
        let mut switched = false;
        loop {
            let method = if create { "POST" } else { "PUT" };
            let said: Said<Value> = self.call(http, method, "/tickets", Some(body(&req)?))?;
            match said.ret {
                ret::OK => return Ok(true),
                // Our own earlier import may have consumed the number: the read-back of
                // the type's total decides, never the 104 itself.
                ret::BATCH_NOT_FOUND if maybe_applied => return Ok(false),
                ret::BATCH_NOT_FOUND => {
                    return Err(Fail::Op(OpResult::conflict(
                        "RET_104",
                        format!(
                            "the platform does not know batch number {batch_no} ({}); check it \
                             in the Sense console, edit this item's platformBatchNo, then retry",
                            said.msg
                        ),
                    )))
                }
                ret::DUPLICATE_NAME if create && !switched => {
                    create = false;
                    switched = true;
                }
                ret::TICKET_TYPE_NOT_FOUND if !create && !switched => {
                    create = true;
                    switched = true;
                }
                r => {
                    return Err(Fail::Op(OpResult::conflict(
                        format!("RET_{r}"),
                        format!(
                            "the platform refused to import batch number {batch_no} into the \
                             ticket type \"{name}\" ({}); check the ticket name, then retry",
                            said.msg
                        ),
                    )))
                }
            }
        }
    }

    /// The platform batches this op imports: (batch number, codes to upload first).
    /// `Err`: nothing can be sent (no upload path and no platform batch number).
    fn plan(
        &self,
        op: &Op,
        p: &ImportPayload,
        refs: &Refs<'_>,
    ) -> Result<Vec<(String, Vec<String>, u64)>, Fail> {
        let Some(_) = upload_path(&self.e.upload_path) else {
            return match p.platform_batch_no.as_deref().map(str::trim) {
                Some(no) if !no.is_empty() => Ok(vec![(no.to_owned(), Vec::new(), p.code_count)]),
                _ => Err(Fail::Op(OpResult::conflict(
                    "NEEDS_PLATFORM_BATCH",
                    format!(
                        "Sense has no code upload in its API: upload the codes of batch {} in \
                         the Sense console, then edit this item's platformBatchNo (the batch \
                         number the console gave) and retry",
                        op.subject
                    ),
                ))),
            };
        };
        let Some(batch) = Self::batch_id(refs.conn, &op.subject)? else {
            return Err(Fail::Op(OpResult::conflict(
                "NO_BATCH",
                format!(
                    "batch {} no longer exists here, so its codes cannot be sent; discard this",
                    op.subject
                ),
            )));
        };
        let mut out = Vec::new();
        let mut sent = 0u64;
        let mut after = batch << 32;
        while sent < p.code_count {
            let want = (p.code_count - sent).min(CHUNK as u64) as usize;
            let (codes, last) = Self::codes_after(refs.conn, batch, after, want)?;
            if codes.is_empty() {
                break;
            }
            let batch_no = if out.is_empty() {
                p.batch_no.clone()
            } else {
                format!("{}.{}", p.batch_no, out.len())
            };
            sent += codes.len() as u64;
            after = last;
            let n = codes.len() as u64;
            out.push((batch_no, codes, n));
        }
        Ok(out)
    }

    /// A send of this op may have been applied (a kill mid-request, a lost answer, a late
    /// apply): after the settle time, the type's total, against the total noted before
    /// that send, says whether it was. Applied → done without importing again (a re-sent
    /// import would only meet 104); not applied → `None`, the import goes again; anything
    /// else → a conflict showing the numbers. Without a note (the send never got as far
    /// as the import) → `None`.
    fn read_back_first(
        &self,
        http: &mut Http,
        op: &Op,
        refs: &Refs<'_>,
        name: &str,
        known: Option<&str>,
        planned: u64,
    ) -> Result<Option<OpResult>, Fail> {
        let noted = op
            .send_note
            .as_deref()
            .and_then(|n| serde_json::from_str::<Value>(n).ok())
            .and_then(|v| v["beforeTotal"].as_u64());
        let (true, Some(noted)) = (op.maybe_applied, noted) else {
            return Ok(None);
        };
        let settled = op.sent_at.unwrap_or(0).saturating_add(refs.settle_ms);
        if crate::store::now_ms() < settled {
            return Ok(Some(OpResult::Wait {
                code: "SETTLING".into(),
                message:
                    "the last import may have been applied; reading the ticket type back first"
                        .into(),
                until_ms: settled,
                empty_readback: false,
            }));
        }
        let now = self.find(http, name, known)?;
        let total = now.as_ref().map_or(0, |t| t.ticket_total);
        if total == noted {
            return Ok(None);
        }
        if let (Some(t), true) = (now, total == noted + planned) {
            return Ok(Some(adopted(OpResult::Done {
                code: "IMPORTED".into(),
                message: format!(
                    "{planned} codes were imported by an earlier request into the ticket type                      \"{name}\" (it holds {total}); {}",
                    t.ticket_type
                ),
                remote: Some(RemoteRef {
                    kind: KIND,
                    local_id: name.to_owned(),
                    remote_id: t.ticket_type,
                }),
            })));
        }
        Ok(Some(OpResult::conflict(
            "TOTAL_MISMATCH",
            format!(
                "the ticket type \"{name}\" holds {total} codes; before our import it held                  {noted}, so {} were expected if it went through, {noted} if not. Check the                  type in the Sense console: Discard this if it is right, or edit and retry",
                noted + planned
            ),
        )))
    }

    fn send_one(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, Fail> {
        let p = match ImportPayload::deserialize(&op.payload) {
            Ok(p) => p,
            Err(e) => {
                return Ok(OpResult::conflict(
                    "BAD_DATA",
                    format!("the queued data is unreadable ({e}); edit it, then retry"),
                ))
            }
        };
        let name = p.ticket_name.trim();
        if name.is_empty() || p.batch_no.trim().is_empty() {
            return Ok(OpResult::conflict(
                "BAD_DATA",
                "the ticket name or the batch number is empty; edit them, then retry",
            ));
        }
        let plan = self.plan(op, &p, refs)?;
        let known = refs.remote_id(KIND, name)?;
        let planned: u64 = plan.iter().map(|(_, _, n)| n).sum();
        if let Some(r) = self.read_back_first(http, op, refs, name, known.as_deref(), planned)? {
            return Ok(r);
        }
        // What the type holds before: the read-back after must show it grown by exactly
        // the codes imported.
        let before = self.find(http, name, known.as_deref())?;
        let before_total = before.as_ref().map_or(0, |t| t.ticket_total);
        // Noted (committed) before the import leaves, for the read-back above after a
        // kill or a lost answer.
        refs.note_send(
            op,
            &serde_json::json!({ "beforeTotal": before_total }).to_string(),
        )?;
        refs.mark_leaving(op, false)?;
        let mut create = before.is_none();
        let (mut imported, mut unsure) = (0u64, 0u64);
        let upload = upload_path(&self.e.upload_path);
        for (batch_no, codes, n) in &plan {
            if let Some(path) = &upload {
                self.upload(http, path, batch_no, codes)?;
            }
            if self.import(http, name, batch_no, create, op.maybe_applied)? {
                imported += n;
            } else {
                unsure += n;
            }
            create = false;
        }
        if plan.is_empty() && create {
            // No codes to import: make sure the ticket type exists.
            let req = ImportRequest {
                batch_no: None,
                ticket_name: name.to_owned(),
            };
            let said: Said<Value> = self.call(http, "POST", "/tickets", Some(body(&req)?))?;
            if said.ret != ret::OK && said.ret != ret::DUPLICATE_NAME {
                return Ok(OpResult::conflict(
                    format!("RET_{}", said.ret),
                    format!(
                        "the platform refused to create the ticket type \"{name}\" ({}); \
                         check the name, then retry",
                        said.msg
                    ),
                ));
            }
        }
        let after = self.find(http, name, known.as_deref())?;
        let after_total = after.as_ref().map_or(0, |t| t.ticket_total);
        let expected = before_total + imported;
        // A batch answered 104 after our own possibly-applied import was consumed by that
        // import, before ours or (a late apply) between our two reads.
        let fits = after.is_some()
            && (after_total == expected || (unsure > 0 && after_total == expected + unsure))
            && (unsure == 0 || after_total >= unsure);
        if !fits {
            let numbers = if unsure > 0 {
                format!(
                    "{after_total} codes on the platform; expected {expected} ({before_total} \
                     before + {imported} imported now), or {} if our earlier request imported \
                     the other {unsure}",
                    expected + unsure
                )
            } else {
                format!(
                    "{after_total} codes on the platform; expected {expected} ({before_total} \
                     before + {imported} imported)"
                )
            };
            return Ok(OpResult::conflict(
                "TOTAL_MISMATCH",
                format!(
                    "after the import the ticket type \"{name}\" holds {numbers}. Check the type \
                     in the Sense console: Discard this if it is right, or edit and retry"
                ),
            ));
        }
        let remote = after.map(|t| t.ticket_type);
        let message = format!(
            "{} codes imported into the ticket type \"{name}\" (it holds {after_total})",
            imported + unsure
        );
        Ok(OpResult::Done {
            code: "IMPORTED".into(),
            message: match &remote {
                Some(t) => format!("{message}; {t}"),
                None => message,
            },
            remote: remote.map(|t| RemoteRef {
                kind: KIND,
                local_id: name.to_owned(),
                remote_id: t,
            }),
        })
    }
}

impl Connector for Sense {
    fn send(
        &mut self,
        http: &mut Http,
        ops: &[Op],
        refs: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError> {
        one_by_one(ops, |op| match op.op.as_str() {
            IMPORT => Some(match self.send_one(http, op, refs) {
                Ok(r) | Err(Fail::Op(r)) => Ok(r),
                Err(Fail::Call(e)) => Err(e),
            }),
            _ => None,
        })
    }

    /// Counts the platform's ticket types and their used codes.
    fn pull(&mut self, http: &mut Http, conn: &Connection) -> Result<RemoteSummary, CallError> {
        let all = match self.all(http, None) {
            Ok(all) => all,
            Err(Fail::Call(e)) => return Err(e),
            Err(Fail::Op(_)) => return Err(wrong_address(Platform::Sense)),
        };
        // What reconciliation sets beside the codes sent (store/reconcile.rs): spec 000
        // lists counts per ticket type, not its codes.
        let groups: Vec<SeenGroup> = all
            .iter()
            .map(|t| SeenGroup {
                key: t.ticket_type.clone(),
                label: t.ticket_name.clone(),
                counts: SideCounts {
                    issued: t.ticket_total as i64,
                    active: t.ticket_total.saturating_sub(t.ticket_used) as i64,
                    used: t.ticket_used as i64,
                },
            })
            .collect();
        replace_seen(conn, Platform::Sense, &groups, None, crate::store::now_ms())
            .map_err(|e| local_db(&e))?;
        Ok(RemoteSummary {
            items: all.len() as u64,
            used: all.iter().map(|t| t.ticket_used).sum(),
            refreshed: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_path_is_off_when_empty_and_always_absolute() {
        assert_eq!(upload_path(""), None);
        assert_eq!(upload_path("   "), None);
        assert_eq!(upload_path("ext/batches").as_deref(), Some("/ext/batches"));
        assert_eq!(
            upload_path(" /ext/batches ").as_deref(),
            Some("/ext/batches")
        );
    }

    #[test]
    fn an_edit_may_add_the_platform_batch_number_but_not_an_empty_one() {
        let base = serde_json::json!({"ticketName": "T", "batchNo": "S1-1", "codeCount": 5});
        assert_eq!(check_payload(IMPORT, &base), Ok(()));
        let mut with = base.clone();
        with["platformBatchNo"] = "PB-1".into();
        assert_eq!(check_payload(IMPORT, &with), Ok(()));
        with["platformBatchNo"] = " ".into();
        assert_eq!(
            check_payload(IMPORT, &with),
            Err("platformBatchNo cannot be empty (leave it out instead)".into())
        );
    }
}
