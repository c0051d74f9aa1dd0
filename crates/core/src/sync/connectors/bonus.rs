//! 002 bonus (红包): create, grant, disable, and the N01/N02/N03 lists.
//!
//! The platform has no idempotency key, so a create carries ours in `xname` (the
//! remark: `<staff's remark> [<key>]`), and a create that may have been applied before
//! is looked for by that `xname` before it is sent again. A local bonus maps to the
//! platform's own code (`rid`) through remote_refs (kind `bonus`).

use coupondesk_wire::bonus::{Bonus, CreateBonusRequest, Envelope, GrantBonusRequest};
use coupondesk_wire::Yuan;
use rusqlite::{params, Connection};
use serde::Deserialize;
use serde_json::Value;

use super::{bearer_call, body, enc, one_by_one, wrong_address};
use crate::sync::connector::{CallError, CallErrorKind, Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::Http;
use crate::sync::settings::Endpoint;
use crate::sync::types::{Platform, RemoteSummary};

pub const CREATE: &str = "bonus.create";
pub const GRANT: &str = "bonus.grant";
pub const DISABLE: &str = "bonus.disable";
const KIND: &str = "bonus";

/// What a local bonus creation asks for (fen; the connector sends yuan).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePayload {
    pub amount_fen: i64,
    #[serde(default)]
    pub min_amount_fen: i64,
    /// Unix seconds; absent: never expires.
    #[serde(default)]
    pub expired_at: Option<i64>,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub product_sku: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

pub fn check_payload(op: &str, payload: &Value) -> Result<(), String> {
    match op {
        CREATE => {
            let p = CreatePayload::deserialize(payload).map_err(|e| e.to_string())?;
            if p.amount_fen <= 0 {
                return Err("amountFen must be more than 0".into());
            }
            if p.min_amount_fen < 0 {
                return Err("minAmountFen cannot be negative".into());
            }
            Ok(())
        }
        GRANT | DISABLE => Ok(()),
        _ => Err(format!("unknown operation {op}")),
    }
}

/// The remark the platform stores: the staff's words and our idempotency key.
pub fn xname(remark: &str, key: &str) -> String {
    let remark = remark.trim();
    if remark.is_empty() {
        format!("[{key}]")
    } else {
        format!("{remark} [{key}]")
    }
}

pub struct BonusApi {
    e: Endpoint,
}

impl BonusApi {
    pub fn new(e: Endpoint) -> BonusApi {
        BonusApi { e }
    }

    /// One page of a list: (bonuses, total pages).
    fn page(
        &self,
        http: &mut Http,
        status: &str,
        page: u64,
    ) -> Result<(Vec<Bonus>, u64), CallError> {
        let a = bearer_call(
            http,
            &self.e,
            "GET",
            &format!("/market/bonus?status={status}&page={page}&per_page=100"),
            None,
        )?;
        if a.status == 404 {
            return Err(wrong_address(Platform::Bonus));
        }
        let env: Envelope<Vec<Bonus>> = a.json()?;
        let pages = env.meta.map(|m| m.pagination.total_pages).unwrap_or(1);
        Ok((env.data.unwrap_or_default(), pages))
    }

    /// Every bonus of one status list.
    fn all(&self, http: &mut Http, status: &str) -> Result<Vec<Bonus>, CallError> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let (items, pages) = self.page(http, status, page)?;
            out.extend(items);
            if page >= pages {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// Looks for a bonus created with this xname (any status).
    fn find(&self, http: &mut Http, xname: &str) -> Result<Option<Bonus>, CallError> {
        for status in ["N01", "N02", "N03"] {
            if let Some(b) = self
                .all(http, status)?
                .into_iter()
                .find(|b| b.xname == xname)
            {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    fn create(&self, http: &mut Http, op: &Op) -> Result<OpResult, CallError> {
        let p = match CreatePayload::deserialize(&op.payload) {
            Ok(p) => p,
            Err(e) => {
                return Ok(OpResult::conflict(
                    "BAD_DATA",
                    format!("the queued data is unreadable: {e}"),
                ))
            }
        };
        let xname = xname(&p.remark, &op.idem_key);
        let mapped = |code: String| OpResult::Done {
            code: "CREATED".into(),
            message: format!("created on the platform as {code}"),
            remote: Some(RemoteRef {
                kind: KIND,
                local_id: op.subject.clone(),
                remote_id: code,
            }),
        };
        if op.sent_before {
            if let Some(b) = self.find(http, &xname)? {
                return Ok(mapped(b.code));
            }
        }
        let req = CreateBonusRequest {
            amount: Yuan(p.amount_fen),
            quantity: 1,
            expired_at: p.expired_at,
            min_amount: (p.min_amount_fen > 0).then_some(Yuan(p.min_amount_fen)),
            xname: Some(xname),
            product_rid: p.product_sku.filter(|s| !s.is_empty()),
            status: Some(p.enabled),
        };
        let a = bearer_call(
            http,
            &self.e,
            "POST",
            "/market/bonus/create",
            Some(body(&req)?),
        )?;
        let env: Envelope<Bonus> = a.json()?;
        match (a.status, env.data) {
            (200 | 201, Some(b)) => Ok(mapped(b.code)),
            (200 | 201, None) => Err(CallError::new(
                CallErrorKind::BadAnswer,
                "the platform said created but did not say which bonus; looking it up next time",
            )),
            (404, _) => Err(wrong_address(Platform::Bonus)),
            (s, _) => Ok(OpResult::conflict(
                format!("HTTP_{s}"),
                format!("the platform refused the bonus: {}", env.status.message),
            )),
        }
    }

    /// The platform's code of the op's bonus; `Err(conflict)` when it never got there.
    fn rid(&self, op: &Op, refs: &Refs<'_>) -> Result<Result<String, OpResult>, CallError> {
        Ok(refs.remote_id(KIND, &op.subject)?.ok_or_else(|| {
            OpResult::conflict(
                "NOT_ON_PLATFORM",
                "this bonus never reached the platform (its creation was refused or discarded)",
            )
        }))
    }

    fn grant(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
        let rid = match self.rid(op, refs)? {
            Ok(r) => r,
            Err(r) => return Ok(r),
        };
        let req = GrantBonusRequest { rid: Some(rid) };
        let a = bearer_call(
            http,
            &self.e,
            "POST",
            "/market/bonus/grant",
            Some(body(&req)?),
        )?;
        let env: Envelope<Value> = a.json()?;
        Ok(match a.status {
            200 => OpResult::done("GRANTED", "granted on the platform"),
            // Our own earlier grant, whose answer was lost.
            400 if op.sent_before && env.status.message.contains("already granted") => {
                OpResult::done("GRANTED", "was already granted on the platform")
            }
            404 => OpResult::conflict("NOT_FOUND", "the platform does not know this bonus"),
            s => OpResult::conflict(
                format!("HTTP_{s}"),
                format!("the platform refused the grant: {}", env.status.message),
            ),
        })
    }

    fn disable(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
        let rid = match self.rid(op, refs)? {
            Ok(r) => r,
            Err(r) => return Ok(r),
        };
        let a = bearer_call(
            http,
            &self.e,
            "POST",
            &format!("/market/bonus/{}/disabled", enc(&rid)),
            None,
        )?;
        Ok(match a.status {
            200 => OpResult::done("DISABLED", "disabled on the platform"),
            404 => OpResult::conflict("NOT_FOUND", "the platform does not know this bonus"),
            s => {
                let env: Envelope<Value> = a.json()?;
                OpResult::conflict(
                    format!("HTTP_{s}"),
                    format!("the platform refused: {}", env.status.message),
                )
            }
        })
    }
}

impl Connector for BonusApi {
    fn send(
        &mut self,
        http: &mut Http,
        ops: &[Op],
        refs: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError> {
        one_by_one(ops, |op| match op.op.as_str() {
            CREATE => Some(self.create(http, op)),
            GRANT => Some(self.grant(http, op, refs)),
            DISABLE => Some(self.disable(http, op, refs)),
            _ => None,
        })
    }

    /// Counts the platform's bonuses and marks local ones used there as redeemed, so
    /// the counter refuses them.
    fn pull(&mut self, http: &mut Http, conn: &Connection) -> Result<RemoteSummary, CallError> {
        let used = self.all(http, "N02")?;
        let mut items = used.len() as u64;
        for status in ["N01", "N03"] {
            let a = bearer_call(
                http,
                &self.e,
                "GET",
                &format!("/market/bonus?status={status}&page=1&per_page=1"),
                None,
            )?;
            let env: Envelope<Vec<Bonus>> = a.json()?;
            items += env.meta.map(|m| m.pagination.total).unwrap_or(0);
        }
        let local = |e: rusqlite::Error| {
            CallError::new(CallErrorKind::BadAnswer, format!("local database: {e}"))
        };
        let now = crate::store::now_ms();
        let mut refreshed = 0;
        let mut st = conn
            .prepare_cached(
                "UPDATE bonuses SET status = 2, used_at = ?2, used_by = 'p002', used_terminal = 'platform',
                        updated_at = ?2
                 WHERE status = 1 AND code = (SELECT local_id FROM remote_refs
                                               WHERE platform = 'p002' AND kind = 'bonus' AND remote_id = ?1)",
            )
            .map_err(local)?;
        for b in &used {
            refreshed += st.execute(params![b.code, now]).map_err(local)? as u64;
        }
        Ok(RemoteSummary {
            items,
            used: used.len() as u64,
            refreshed,
        })
    }
}
