//! 003 exchange voucher (兑换券): a voucher sold at the desk is bought on the platform;
//! vouchers used there are marked used here.
//!
//! The platform has no idempotency key; its natural key is the voucher's name. A buy that
//! may have reached it before is looked for first (`GET /api/v1/coupons?name=`): a
//! voucher of that name and price that no local voucher claims yet is adopted. A local
//! voucher maps to the platform's id through remote_refs (kind `voucher`).

use chrono::{NaiveDateTime, TimeZone};
use coupondesk_wire::voucher::{BuyRequest, Coupon, DataEnvelope, ErrorBody};
use coupondesk_wire::Yuan;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{bearer_call, body, enc, one_by_one, wrong_address};
use crate::sync::connector::{CallError, CallErrorKind, Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::{Answer, Http};
use crate::sync::settings::Endpoint;
use crate::sync::types::{Platform, RemoteSummary};

pub const BUY: &str = "voucher.buy";
const KIND: &str = "voucher";

/// What selling a voucher asks the platform for (fen; the connector sends yuan).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuyPayload {
    /// The service's name (spec 003's request `name`, as the simulator reads it).
    pub name: String,
    pub price_fen: i64,
}

pub fn check_payload(op: &str, payload: &Value) -> Result<(), String> {
    match op {
        BUY => {
            let p = BuyPayload::deserialize(payload).map_err(|e| e.to_string())?;
            if p.name.trim().is_empty() {
                return Err("name cannot be empty".into());
            }
            if p.price_fen < 0 {
                return Err("priceFen cannot be negative".into());
            }
            Ok(())
        }
        _ => Err(format!("unknown operation {op}")),
    }
}

/// The platform's words in an error answer.
fn said(a: &Answer) -> String {
    match serde_json::from_slice::<ErrorBody>(&a.body) {
        Ok(b) => b.message,
        Err(_) => String::from_utf8_lossy(&a.body).chars().take(200).collect(),
    }
}

/// `2019-10-1 3:00` (Beijing time) in ms since the epoch.
fn platform_time_ms(s: &str) -> Option<i64> {
    let t = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M").ok()?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600)?;
    beijing
        .from_local_datetime(&t)
        .single()
        .map(|t| t.timestamp_millis())
}

pub struct VoucherApi {
    e: Endpoint,
}

impl VoucherApi {
    pub fn new(e: Endpoint) -> VoucherApi {
        VoucherApi { e }
    }

    /// The logged-in customer's vouchers (of one name, when given).
    fn list(&self, http: &mut Http, name: Option<&str>) -> Result<Vec<Coupon>, CallError> {
        let path = match name {
            Some(n) => format!("/api/v1/coupons?name={}", enc(n)),
            None => "/api/v1/coupons".to_owned(),
        };
        let a = bearer_call(http, &self.e, "GET", &path, None)?;
        match a.status {
            200 => Ok(a.json::<DataEnvelope<Vec<Coupon>>>()?.data),
            404 => Err(wrong_address(Platform::Voucher)),
            s => Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform would not list its vouchers (HTTP {s}: {}); trying again later",
                    said(&a)
                ),
            )),
        }
    }

    fn buy(&self, http: &mut Http, op: &Op, refs: &Refs<'_>) -> Result<OpResult, CallError> {
        let p = match BuyPayload::deserialize(&op.payload) {
            Ok(p) => p,
            Err(e) => {
                return Ok(OpResult::conflict(
                    "BAD_DATA",
                    format!("the queued data is unreadable ({e}); edit it, then retry"),
                ))
            }
        };
        let mapped = |id: i64, how: &str| OpResult::Done {
            code: "BOUGHT".into(),
            message: format!("{how} on the platform as voucher {id}"),
            remote: Some(RemoteRef {
                kind: KIND,
                local_id: op.subject.clone(),
                remote_id: id.to_string(),
            }),
        };
        if let Some(id) = refs.remote_id(KIND, &op.subject)? {
            return Ok(OpResult::done(
                "BOUGHT",
                format!("already on the platform as voucher {id}"),
            ));
        }
        if op.sent_before {
            let mut found = None;
            for c in self.list(http, Some(&p.name))? {
                let Some(id) =
                    c.id.filter(|_| c.name == p.name && c.price.fen() == p.price_fen)
                else {
                    continue;
                };
                if !refs.is_mapped(KIND, &id.to_string())? {
                    found = Some(id);
                    break;
                }
            }
            if let Some(id) = found {
                return Ok(mapped(id, "found (bought by an earlier try)"));
            }
        }
        let req = BuyRequest {
            name: p.name.clone(),
            price: Yuan(p.price_fen),
        };
        let a = bearer_call(http, &self.e, "POST", "/api/v1/coupons", Some(body(&req)?))?;
        match a.status {
            200 | 201 => match a.json::<DataEnvelope<Coupon>>()?.data.id {
                Some(id) => Ok(mapped(id, "bought")),
                None => Err(CallError::new(
                    CallErrorKind::BadAnswer,
                    "the platform said bought but gave no voucher id; looking it up next time",
                )),
            },
            404 => Err(wrong_address(Platform::Voucher)),
            400 => Ok(OpResult::conflict(
                "HTTP_400",
                format!(
                    "the platform refused the voucher \"{}\": {}; edit it, then retry",
                    p.name,
                    said(&a)
                ),
            )),
            s => Ok(OpResult::conflict(
                format!("HTTP_{s}"),
                format!(
                    "the platform refused the voucher \"{}\": {}",
                    p.name,
                    said(&a)
                ),
            )),
        }
    }
}

impl Connector for VoucherApi {
    fn send(
        &mut self,
        http: &mut Http,
        ops: &[Op],
        refs: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError> {
        one_by_one(ops, |op| match op.op.as_str() {
            BUY => Some(self.buy(http, op, refs)),
            _ => None,
        })
    }

    /// Counts the platform's vouchers and marks local ones used there as used, so the
    /// counter refuses them. A used voucher is final here (the `vouchers_used_once`
    /// trigger), so only unused ones are touched.
    fn pull(&mut self, http: &mut Http, conn: &Connection) -> Result<RemoteSummary, CallError> {
        let all = self.list(http, None)?;
        let used: Vec<&Coupon> = all.iter().filter(|c| c.used_at.is_some()).collect();
        let local = |e: rusqlite::Error| {
            CallError::new(CallErrorKind::BadAnswer, format!("local database: {e}"))
        };
        let now = crate::store::now_ms();
        let mut refreshed = 0;
        let mut st = conn
            .prepare_cached(
                "UPDATE vouchers SET used_at = ?2, used_by = 'p003', used_terminal = 'platform',
                        updated_at = ?3
                 WHERE used_at IS NULL AND id = (SELECT CAST(local_id AS INTEGER) FROM remote_refs
                                                  WHERE platform = 'p003' AND kind = 'voucher'
                                                    AND remote_id = ?1)",
            )
            .map_err(local)?;
        for c in &used {
            let Some(id) = c.id else { continue };
            let at = c
                .used_at
                .as_deref()
                .and_then(platform_time_ms)
                .unwrap_or(now);
            refreshed += st
                .execute(params![id.to_string(), at, now])
                .map_err(local)? as u64;
        }
        Ok(RemoteSummary {
            items: all.len() as u64,
            used: used.len() as u64,
            refreshed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_times_are_beijing_without_padding() {
        // 2019-10-01 03:00 +08:00 = 2019-09-30 19:00 UTC
        assert_eq!(platform_time_ms("2019-10-1 3:00"), Some(1_569_870_000_000));
        assert_eq!(
            platform_time_ms("2019-10-01 03:00"),
            Some(1_569_870_000_000)
        );
        assert_eq!(platform_time_ms("yesterday"), None);
    }
}
