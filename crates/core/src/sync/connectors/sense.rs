//! 000 "Sense" ticket API (券码管理): a batch linked to a template becomes codes of the
//! platform's ticket type named after the template's title.
//!
//! One `sense.import` op per link. Its steps: upload the batch's codes behind the op's
//! own `batch_no` (`POST /ext/batches`, the simulator's extension; re-uploading the same
//! codes is not applied again), then create the ticket type with that batch
//! (`POST /tickets`) or, when the name already exists there, supplement it (`PUT
//! /tickets`). A batch is consumed by the one import that uses it, so a repeated import
//! answers 104: after our own upload that means our earlier import went through. The
//! platform's `ticket_type` is learnt by reading the list back by name and kept in
//! remote_refs (kind `ticket`, local id = the ticket name).
//!
//! Batches larger than [`CHUNK`] codes travel as several platform batches
//! (`<batchNo>`, `<batchNo>.1`, `<batchNo>.2`, …), each imported on its own.

use coupondesk_wire::sense::{
    ret, BatchUploadRequest, Envelope, ImportRequest, Ticket, TicketList, AUTH_HEADER,
};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{body, enc, http_failure, one_by_one, wrong_address};
use crate::sync::connector::{CallError, CallErrorKind, Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::{Answer, Http};
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
}

impl ImportPayload {
    /// The payload of a new link: a `batchNo` unique to this link.
    pub fn new(ticket_type: &str, ticket_name: &str, code_count: u64) -> ImportPayload {
        let key = crate::sync::outbox::new_key();
        ImportPayload {
            ticket_name: ticket_name.trim().to_owned(),
            batch_no: format!("{ticket_type}-{}", &key[..8]),
            code_count,
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

fn local(e: rusqlite::Error) -> CallError {
    CallError::new(
        CallErrorKind::BadAnswer,
        format!("could not read the local database ({e}); trying again later"),
    )
}

impl Sense {
    pub fn new(e: Endpoint) -> Sense {
        Sense { e }
    }

    /// Sends one request; turns the transport-level and `head.ret` whole-call failures
    /// (1 server, 2 token, 4 rate limit, 5 permission) into a `CallError`.
    fn call<B: serde::de::DeserializeOwned>(
        &self,
        http: &mut Http,
        method: &str,
        path: &str,
        b: Option<Vec<u8>>,
    ) -> Result<Said<B>, CallError> {
        let url = format!("{}{}", self.e.base_url, path);
        let token = self.e.secret.expose();
        let a: Answer = http.call(method, &url, &[(AUTH_HEADER, token)], b.as_deref())?;
        if a.status == 404 {
            return Err(wrong_address(Platform::Sense));
        }
        if let Some(e) = http_failure(Platform::Sense, &a) {
            return Err(e);
        }
        let env: Envelope<B> = a.json()?;
        let msg = env.head.msg;
        match env.head.ret {
            ret::SERVER_ERROR => Err(CallError::server(a.status, &msg)),
            ret::TOKEN_INVALID => Err(CallError::auth(Platform::Sense, &msg)),
            ret::RATE_LIMITED => Err(CallError::rate_limited(a.retry_after)),
            ret::NO_PERMISSION => Err(CallError::auth(
                Platform::Sense,
                &format!("no permission for this call: {msg}"),
            )),
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
        let rows = st
            .query_map(
                rusqlite::params![after, (batch + 1) << 32, limit as i64],
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

    /// One page of the list, optionally filtered by a name substring.
    fn page(
        &self,
        http: &mut Http,
        name: Option<&str>,
        page: usize,
    ) -> Result<Vec<Ticket>, CallError> {
        let mut path = format!("/tickets?to_page={page}&per_page={PER_PAGE}");
        if let Some(n) = name {
            path.push_str(&format!("&ticket_name={}", enc(n)));
        }
        let said: Said<TicketList> = self.call(http, "GET", &path, None)?;
        if said.ret != ret::OK {
            return Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform would not list its ticket types (ret {}: {}); trying again later",
                    said.ret, said.msg
                ),
            ));
        }
        Ok(said.body.map(|b| b.tickets).unwrap_or_default())
    }

    /// Every ticket type (whose name contains `name`, when given).
    fn all(&self, http: &mut Http, name: Option<&str>) -> Result<Vec<Ticket>, CallError> {
        let mut out = Vec::new();
        for page in 1.. {
            let items = self.page(http, name, page)?;
            let n = items.len();
            out.extend(items);
            if n < PER_PAGE {
                break;
            }
        }
        Ok(out)
    }

    /// The platform's ticket type of exactly this name.
    fn find(&self, http: &mut Http, name: &str) -> Result<Option<String>, CallError> {
        Ok(self
            .all(http, Some(name))?
            .into_iter()
            .find(|t| t.ticket_name == name)
            .map(|t| t.ticket_type))
    }

    /// Uploads one platform batch. `Err(result)`: a final "no" for the op.
    fn upload(
        &self,
        http: &mut Http,
        batch_no: &str,
        codes: &[String],
    ) -> Result<Result<(), OpResult>, CallError> {
        let req = BatchUploadRequest {
            batch_no: batch_no.to_owned(),
            codes: codes.to_vec(),
        };
        let said: Said<Value> = self.call(http, "POST", "/ext/batches", Some(body(&req)?))?;
        Ok(match said.ret {
            ret::OK => Ok(()),
            r => Err(OpResult::conflict(
                format!("RET_{r}"),
                format!(
                    "the platform refused the codes of batch number {batch_no} ({}); if it \
                     already has that number with other codes, edit the batchNo and retry",
                    said.msg
                ),
            )),
        })
    }

    /// Imports one uploaded platform batch into the named ticket type: creates the type
    /// when `create`, otherwise supplements it; switches once to the other when the
    /// platform says the name exists (103) or does not (105). `Ok(Ok(created))`: imported,
    /// now or by an earlier request of ours; `created` when this call made the type.
    fn import(
        &self,
        http: &mut Http,
        name: &str,
        batch_no: &str,
        mut create: bool,
    ) -> Result<Result<bool, OpResult>, CallError> {
        let req = ImportRequest {
            batch_no: Some(batch_no.to_owned()),
            ticket_name: name.to_owned(),
        };
        let mut switched = false;
        loop {
            let method = if create { "POST" } else { "PUT" };
            let said: Said<Value> = self.call(http, method, "/tickets", Some(body(&req)?))?;
            match said.ret {
                ret::OK => return Ok(Ok(create)),
                // Our own batch number, uploaded just now, is used up: an earlier request
                // of ours, whose answer was lost, imported it. (Nobody else has that
                // number: it is unique to this link, and the upload accepted our codes.)
                ret::BATCH_NOT_FOUND => return Ok(Ok(false)),
                ret::DUPLICATE_NAME if create && !switched => {
                    create = false;
                    switched = true;
                }
                ret::TICKET_TYPE_NOT_FOUND if !create && !switched => {
                    create = true;
                    switched = true;
                }
                r => {
                    return Ok(Err(OpResult::conflict(
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

    fn send_one(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
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
        let Some(batch) = Self::batch_id(refs.conn, &op.subject)? else {
            return Ok(OpResult::conflict(
                "NO_BATCH",
                format!(
                    "batch {} no longer exists here, so its codes cannot be sent; discard this",
                    op.subject
                ),
            ));
        };
        let known = refs.remote_id(KIND, name)?;
        let mut create = known.is_none();
        let mut created = false;
        let mut sent = 0u64;
        let mut after = batch << 32;
        let mut chunk = 0usize;
        while sent < p.code_count {
            let want = (p.code_count - sent).min(CHUNK as u64) as usize;
            let (codes, last) = Self::codes_after(refs.conn, batch, after, want)?;
            if codes.is_empty() {
                break;
            }
            let batch_no = if chunk == 0 {
                p.batch_no.clone()
            } else {
                format!("{}.{chunk}", p.batch_no)
            };
            if let Err(r) = self.upload(http, &batch_no, &codes)? {
                return Ok(r);
            }
            match self.import(http, name, &batch_no, create)? {
                Ok(c) => created |= c,
                Err(r) => return Ok(r),
            }
            create = false;
            sent += codes.len() as u64;
            after = last;
            chunk += 1;
        }
        if sent == 0 && create {
            // No codes to import: make sure the ticket type exists.
            let req = ImportRequest {
                batch_no: None,
                ticket_name: name.to_owned(),
            };
            let said: Said<Value> = self.call(http, "POST", "/tickets", Some(body(&req)?))?;
            match said.ret {
                ret::OK => created = true,
                ret::DUPLICATE_NAME => {}
                r => {
                    return Ok(OpResult::conflict(
                        format!("RET_{r}"),
                        format!(
                            "the platform refused to create the ticket type \"{name}\" ({}); \
                             check the name, then retry",
                            said.msg
                        ),
                    ))
                }
            }
        }
        // The platform's id of the type: known, or read back by name (a create answers
        // no id, and its answer may have been lost).
        let remote = match known {
            Some(t) if !created => Some(t),
            _ => self.find(http, name)?,
        };
        let message = format!("{sent} codes imported into the ticket type \"{name}\"");
        Ok(OpResult::Done {
            code: "IMPORTED".into(),
            message: match &remote {
                Some(t) => format!("{message} ({t})"),
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
            IMPORT => Some(self.send_one(http, op, refs)),
            _ => None,
        })
    }

    /// Counts the platform's ticket types and their used codes.
    fn pull(&mut self, http: &mut Http, _conn: &Connection) -> Result<RemoteSummary, CallError> {
        let all = self.all(http, None)?;
        Ok(RemoteSummary {
            items: all.len() as u64,
            used: all.iter().map(|t| t.ticket_used).sum(),
            refreshed: 0,
        })
    }
}
