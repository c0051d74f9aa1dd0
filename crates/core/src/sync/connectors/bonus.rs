//! 002 bonus (红包): create, grant, disable, and the N01/N02/N03 lists.
//!
//! The platform has no idempotency key, so a create carries ours in `xname` (the
//! remark: `<staff's remark> [<key>]`), and a create that may have been applied before
//! is looked for by that `xname` before it is sent again. A local bonus maps to the
//! platform's own code (`rid`) through remote_refs (kind `bonus`).

use coupondesk_wire::bonus::{Bonus, CreateBonusRequest, Envelope, GrantBonusRequest};
use coupondesk_wire::Yuan;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use super::{
    adopted, bearer_call, body, enc, local_db, one_by_one, readback_rule, wrong_address, Cost,
    Found, Next,
};
use crate::domain::reconcile::SideCounts;
use crate::store::reconcile::{replace_seen, SeenGroup, SeenItem};
use crate::sync::connector::{Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::{CallError, CallErrorKind, Http};
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

/// A bonus's `status` in answers: 0 normal, 1 disabled (docs/remote-apis.md).
const DISABLED: i64 = 1;

fn not_found() -> OpResult {
    OpResult::conflict(
        "NOT_FOUND",
        "the platform does not know this bonus (deleted there?); discard this",
    )
}

pub struct BonusApi {
    e: Endpoint,
}

impl BonusApi {
    pub fn new(e: Endpoint) -> BonusApi {
        BonusApi { e }
    }

    /// One page of the shop's list: (bonuses, total pages).
    fn page(
        &self,
        http: &mut Http,
        status: &str,
        page: u64,
    ) -> Result<(Vec<Bonus>, u64), CallError> {
        self.page_of(http, "/market/bonus", status, page)
    }

    /// One page of a list (`/market/bonus` or `/market/user_bonus`): (bonuses, pages).
    fn page_of(
        &self,
        http: &mut Http,
        list: &str,
        status: &str,
        page: u64,
    ) -> Result<(Vec<Bonus>, u64), CallError> {
        let a = bearer_call(
            http,
            &self.e,
            "GET",
            &format!("{list}?status={status}&page={page}&per_page=100"),
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

    /// Whether the bonus `rid` was granted to a customer. The detail's `user_id` says so
    /// where a platform sends it; spec 002's detail example has no such field, so
    /// otherwise the documented `GET /market/user_bonus` lists (the bonuses customers
    /// hold, every status) are searched for it.
    fn is_granted(
        &self,
        http: &mut Http,
        rid: &str,
        detail: Option<&Bonus>,
    ) -> Result<bool, CallError> {
        if detail.is_some_and(|b| b.user_id.is_some()) {
            return Ok(true);
        }
        for status in ["N01", "N02", "N03"] {
            let mut page = 1;
            loop {
                let (items, pages) = self.page_of(http, "/market/user_bonus", status, page)?;
                if items.iter().any(|b| b.code == rid) {
                    return Ok(true);
                }
                if page >= pages {
                    break;
                }
                page += 1;
            }
        }
        Ok(false)
    }

    /// The bonuses created with this xname (any status): ours, when there is one.
    fn find(&self, http: &mut Http, xname: &str) -> Result<Found<String>, CallError> {
        let mut codes = Vec::new();
        for status in ["N01", "N02", "N03"] {
            codes.extend(
                self.all(http, status)?
                    .into_iter()
                    .filter(|b| b.xname == xname)
                    .map(|b| b.code),
            );
        }
        codes.sort();
        codes.dedup();
        Ok(match codes.len() {
            0 => Found::Nothing,
            1 => Found::One(codes.remove(0)),
            n => Found::Many(n),
        })
    }

    /// `GET /market/bonus/<rid>`: one bonus; `None` when the platform does not know it.
    fn detail(&self, http: &mut Http, rid: &str) -> Result<Option<Bonus>, CallError> {
        let a = bearer_call(
            http,
            &self.e,
            "GET",
            &format!("/market/bonus/{}", enc(rid)),
            None,
        )?;
        if a.status == 404 {
            return Ok(None);
        }
        let env: Envelope<Bonus> = a.json()?;
        match (a.status, env.data) {
            (200, Some(b)) => Ok(Some(b)),
            (s, _) => Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform would not show bonus {rid} (HTTP {s}: {}); trying again later",
                    env.status.message
                ),
            )),
        }
    }

    /// Before a grant or a disable that may have been applied is sent again: wait out
    /// the settle time, then read the bonus. `Ok(Err(result))`: no request needed.
    fn settle_then_detail(
        &self,
        http: &mut Http,
        op: &Op,
        refs: &Refs<'_>,
        rid: &str,
    ) -> Result<Result<Option<Bonus>, OpResult>, CallError> {
        if !op.maybe_applied {
            return Ok(Ok(None));
        }
        let settled = op.sent_at.unwrap_or(0).saturating_add(refs.settle_ms);
        if crate::store::now_ms() < settled {
            return Ok(Err(OpResult::Wait {
                code: "SETTLING".into(),
                message: "the last request may have been applied; reading the bonus back first"
                    .into(),
                until_ms: settled,
                empty_readback: false,
            }));
        }
        match self.detail(http, rid)? {
            Some(b) => {
                refs.mark_leaving(op, false)?;
                Ok(Ok(Some(b)))
            }
            None => Ok(Err(not_found())),
        }
    }

    fn create(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
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
        let what = format!("bonuses with the remark \"{xname}\"");
        match readback_rule(op, refs, Cost::Free, &what, || self.find(http, &xname))? {
            Next::Send => {}
            Next::Adopt(code) => return Ok(adopted(mapped(code))),
            Next::Stop(r) => return Ok(r),
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
        match self.settle_then_detail(http, op, refs, &rid)? {
            Err(r) => return Ok(r),
            Ok(Some(b)) if self.is_granted(http, &rid, Some(&b))? => {
                return Ok(OpResult::done(
                    "GRANTED",
                    "was already granted on the platform",
                ))
            }
            Ok(_) => {}
        }
        let req = GrantBonusRequest {
            rid: Some(rid.clone()),
        };
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
            // A refusal after a possibly-applied grant (ours, applied late): the bonus's
            // detail says, not the refusal's words.
            400 if op.maybe_applied && {
                let detail = self.detail(http, &rid)?;
                self.is_granted(http, &rid, detail.as_ref())?
            } =>
            {
                OpResult::done("GRANTED", "was already granted on the platform")
            }
            404 => not_found(),
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
        match self.settle_then_detail(http, op, refs, &rid)? {
            Err(r) => return Ok(r),
            Ok(Some(b)) if b.status == DISABLED => {
                return Ok(OpResult::done(
                    "DISABLED",
                    "was already disabled on the platform",
                ))
            }
            Ok(_) => {}
        }
        let a = bearer_call(
            http,
            &self.e,
            "POST",
            &format!("/market/bonus/{}/disabled", enc(&rid)),
            None,
        )?;
        Ok(match a.status {
            200 => OpResult::done("DISABLED", "disabled on the platform"),
            404 => not_found(),
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
            CREATE => Some(self.create(http, op, refs)),
            GRANT => Some(self.grant(http, op, refs)),
            DISABLE => Some(self.disable(http, op, refs)),
            _ => None,
        })
    }

    /// Counts the platform's bonuses and marks local ones used there as redeemed, so
    /// the counter refuses them.
    fn pull(&mut self, http: &mut Http, conn: &Connection) -> Result<RemoteSummary, CallError> {
        // Used bonuses: the shop's list (N02) and the customers' granted ones
        // (`GET /market/user_bonus`, N02), each bonus once.
        let mut used = self.all(http, "N02")?;
        let mut page = 1;
        loop {
            let (items, pages) = self.page_of(http, "/market/user_bonus", "N02", page)?;
            used.extend(items);
            if page >= pages {
                break;
            }
            page += 1;
        }
        used.sort_by(|a, b| a.code.cmp(&b.code));
        used.dedup_by(|a, b| a.code == b.code);
        let mut others = [0u64; 2];
        for (n, status) in others.iter_mut().zip(["N01", "N03"]) {
            let a = bearer_call(
                http,
                &self.e,
                "GET",
                &format!("/market/bonus?status={status}&page=1&per_page=1"),
                None,
            )?;
            let env: Envelope<Vec<Bonus>> = a.json()?;
            *n = env.meta.map(|m| m.pagination.total).unwrap_or(0);
        }
        let [unused, expired] = others;
        let items = used.len() as u64 + unused + expired;
        let now = crate::store::now_ms();
        let mut refreshed = 0;
        for b in &used {
            let moved = crate::store::bonuses::mark_used_on_platform(conn, "p002", &b.code, now)
                .map_err(|e| local_db(&e))?;
            refreshed += u64::from(moved);
        }
        // What reconciliation sets beside the bonuses here (store/reconcile.rs): the
        // counts, and the used ones by code (the unused are only counted).
        let seen = SeenGroup {
            key: String::new(),
            label: String::new(),
            counts: SideCounts {
                issued: items as i64,
                active: unused as i64,
                used: used.len() as i64,
            },
        };
        let used_items: Vec<SeenItem> = used
            .iter()
            .map(|b| SeenItem {
                key: String::new(),
                item: b.code.clone(),
                used: true,
            })
            .collect();
        replace_seen(conn, Platform::Bonus, &[seen], Some(&used_items), now)
            .map_err(|e| local_db(&e))?;
        Ok(RemoteSummary {
            items,
            used: used.len() as u64,
            refreshed,
        })
    }
}
