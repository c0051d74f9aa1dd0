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
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    adopted, bearer_call, body, enc, one_by_one, readback_rule, wrong_address, Cost, Found, Next,
};
use crate::domain::reconcile::SideCounts;
use crate::store::reconcile::{replace_seen, SeenGroup, SeenItem};
use crate::sync::connector::{Connector, Op, OpResult, Refs, RemoteRef};
use crate::sync::http::{Answer, CallError, CallErrorKind, Http};
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

/// A spec-literal Coupon has no id: it is known by `name|price_fen|createdAt`. Several
/// vouchers of one name and price bought in the same minute share it; the local vouchers
/// that claim them are told apart by an ordinal suffix (`…#2`, `…#3`).
pub fn fingerprint(c: &Coupon) -> String {
    format!("{}|{}|{}", c.name, c.price.fen(), c.created_at.trim())
}

/// The remote ref of the `n`-th local voucher (from 0) claiming a fingerprint.
fn claim(fp: &str, n: u64) -> String {
    if n == 0 {
        fp.to_owned()
    } else {
        format!("{fp}#{}", n + 1)
    }
}

/// A platform id, when the remote ref is one (not a fingerprint).
fn numeric(remote: &str) -> Option<i64> {
    remote.parse().ok()
}

/// How far a coupon's `createdAt` (minute precision, the platform's clock) may lie from
/// our send and still be ours.
const SKEW_MS: i64 = 2 * 60_000;

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

    /// `GET /api/v1/coupons/<ID>`: `Ok(None)` when the platform answers 404 (gone).
    fn detail(&self, http: &mut Http, id: i64) -> Result<Option<Coupon>, CallError> {
        let a = bearer_call(http, &self.e, "GET", &format!("/api/v1/coupons/{id}"), None)?;
        match a.status {
            200 => Ok(Some(a.json::<DataEnvelope<Coupon>>()?.data)),
            404 => match serde_json::from_slice::<ErrorBody>(&a.body) {
                Ok(b) if b.code == coupondesk_wire::voucher::error_code::ENTITY_NOT_FOUND => {
                    Ok(None)
                }
                _ => Err(wrong_address(Platform::Voucher)),
            },
            s => Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform would not show voucher {id} (HTTP {s}: {}); trying again later",
                    said(&a)
                ),
            )),
        }
    }

    /// Looks for our buy among the platform's vouchers of that name: same price, created
    /// within [sent_at − 2 min, sent_at + settle + 2 min], not claimed by another local
    /// voucher. A coupon with an id is claimed when the id is mapped; a coupon without one
    /// by counting the local vouchers that claim its fingerprint.
    fn read_back(
        &self,
        http: &mut Http,
        op: &Op,
        p: &BuyPayload,
        refs: &Refs<'_>,
    ) -> Result<Found<String>, CallError> {
        let sent_at = op.sent_at.unwrap_or(0);
        let (from, to) = (
            sent_at - SKEW_MS,
            sent_at.saturating_add(refs.settle_ms) + SKEW_MS,
        );
        let mut by_fp: std::collections::BTreeMap<String, u64> = Default::default();
        let mut unclaimed: Vec<String> = Vec::new();
        for c in self.list(http, Some(&p.name))? {
            let near = platform_time_ms(&c.created_at).is_some_and(|t| t >= from && t <= to);
            if c.name != p.name || c.price.fen() != p.price_fen || !near {
                continue;
            }
            match c.id {
                Some(id) => {
                    if !refs.is_mapped(KIND, &id.to_string())? {
                        unclaimed.push(id.to_string());
                    }
                }
                None => *by_fp.entry(fingerprint(&c)).or_default() += 1,
            }
        }
        for (fp, on_platform) in by_fp {
            let claimed = refs.count_claimed(KIND, &fp)?;
            for n in claimed..on_platform {
                unclaimed.push(claim(&fp, n));
            }
        }
        Ok(match unclaimed.len() {
            0 => Found::Nothing,
            1 => Found::One(unclaimed.remove(0)),
            n => Found::Many(n),
        })
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
        let mapped = |remote: String, how: &str| OpResult::Done {
            code: "BOUGHT".into(),
            message: format!("{how} on the platform as voucher {remote}"),
            remote: Some(RemoteRef {
                kind: KIND,
                local_id: op.subject.clone(),
                remote_id: remote,
            }),
        };
        if let Some(id) = refs.remote_id(KIND, &op.subject)? {
            return Ok(OpResult::done(
                "BOUGHT",
                format!("already on the platform as voucher {id}"),
            ));
        }
        let what = format!(
            "vouchers named \"{}\" at {} yuan",
            p.name,
            coupondesk_wire::money::fen_to_yuan_number(p.price_fen)
        );
        match readback_rule(op, refs, Cost::Paid, &what, || {
            self.read_back(http, op, &p, refs)
        })? {
            Next::Send => {}
            Next::Adopt(remote) => {
                return Ok(adopted(mapped(remote, "found (bought by an earlier try)")))
            }
            Next::Stop(r) => return Ok(r),
        }
        let req = BuyRequest {
            name: p.name.clone(),
            price: Yuan(p.price_fen),
        };
        let a = bearer_call(http, &self.e, "POST", "/api/v1/coupons", Some(body(&req)?))?;
        match a.status {
            // A spec-literal Coupon has no id: the buy is done all the same (sending it
            // again would buy a second voucher); it is known by its fingerprint.
            200 | 201 => {
                let c = a.json::<DataEnvelope<Coupon>>()?.data;
                let remote = match c.id {
                    Some(id) => id.to_string(),
                    None => {
                        let fp = fingerprint(&c);
                        claim(&fp, refs.count_claimed(KIND, &fp)?)
                    }
                };
                Ok(mapped(remote, "bought"))
            }
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

fn local(e: impl std::fmt::Display) -> CallError {
    CallError::new(CallErrorKind::BadAnswer, format!("local database: {e}"))
}

/// What reconciliation sets beside the vouchers here (store/reconcile.rs): the list's
/// counts per service name, and each voucher the platform gives an id, used or not.
fn seen_by_name(conn: &Connection, all: &[Coupon], now: i64) -> Result<(), CallError> {
    let mut groups: std::collections::BTreeMap<&str, SideCounts> = Default::default();
    let mut items = Vec::new();
    for c in all {
        let used = c.used_at.is_some();
        let g = groups.entry(c.name.as_str()).or_default();
        g.issued += 1;
        g.used += i64::from(used);
        g.active += i64::from(!used);
        if let Some(id) = c.id {
            items.push(SeenItem {
                key: c.name.clone(),
                item: id.to_string(),
                used,
            });
        }
    }
    let groups: Vec<SeenGroup> = groups
        .into_iter()
        .map(|(name, counts)| SeenGroup {
            key: name.to_owned(),
            label: name.to_owned(),
            counts,
        })
        .collect();
    replace_seen(conn, Platform::Voucher, &groups, Some(&items), now).map_err(local)
}

/// Local vouchers known on the platform and still unused here: (voucher id, remote ref).
fn unused_mapped(conn: &Connection) -> Result<Vec<(i64, String)>, CallError> {
    let mut st = conn
        .prepare_cached(
            "SELECT v.id, r.remote_id FROM remote_refs r
               JOIN vouchers v ON v.id = CAST(r.local_id AS INTEGER)
              WHERE r.platform = 'p003' AND r.kind = 'voucher' AND v.used_at IS NULL
              ORDER BY r.remote_id",
        )
        .map_err(local)?;
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(local)?;
    rows.collect::<Result<_, _>>().map_err(local)
}

/// Local vouchers claiming a fingerprint that are already used here.
fn used_claiming(conn: &Connection, fp: &str) -> Result<u64, CallError> {
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM remote_refs r JOIN vouchers v ON v.id = CAST(r.local_id AS INTEGER)
              WHERE r.platform = 'p003' AND r.kind = 'voucher' AND v.used_at IS NOT NULL
                AND (r.remote_id = ?1 OR substr(r.remote_id, 1, length(?1) + 1) = ?1 || '#')",
            [fp],
            |r| r.get(0),
        )
        .map_err(local)?;
    Ok(n.max(0) as u64)
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
    /// counter refuses them: from the list (one request), and for each local unused
    /// voucher mapped to a platform id that the list did not show, from its detail
    /// (`GET /api/v1/coupons/<ID>`); a 404 there means gone: a conflict for staff.
    /// Vouchers known only by fingerprint: as many of the local ones claiming a
    /// fingerprint are marked used as the platform shows used (they cannot be told apart).
    fn pull(&mut self, http: &mut Http, conn: &Connection) -> Result<RemoteSummary, CallError> {
        let all = self.list(http, None)?;
        let now = crate::store::now_ms();
        let used_at = |c: &Coupon| {
            c.used_at
                .as_deref()
                .and_then(platform_time_ms)
                .unwrap_or(now)
        };
        let mut shown = std::collections::HashSet::new();
        let mut used_ids = std::collections::HashMap::new();
        let mut used_fps: std::collections::BTreeMap<String, (u64, i64)> = Default::default();
        for c in &all {
            match c.id {
                Some(id) => {
                    shown.insert(id);
                    if c.used_at.is_some() {
                        used_ids.insert(id, used_at(c));
                    }
                }
                None if c.used_at.is_some() => {
                    let e = used_fps.entry(fingerprint(c)).or_insert((0, used_at(c)));
                    e.0 += 1;
                }
                None => {}
            }
        }
        let mut refreshed = 0;
        let mut marked_fp: std::collections::HashMap<String, u64> = Default::default();
        for (voucher, remote) in unused_mapped(conn)? {
            let used = match numeric(&remote) {
                Some(id) if shown.contains(&id) => used_ids.get(&id).copied(),
                Some(id) => match self.detail(http, id)? {
                    Some(c) => c.used_at.is_some().then(|| used_at(&c)),
                    None => {
                        let tx = conn.unchecked_transaction().map_err(local)?;
                        crate::sync::outbox::forget_remote_ref(
                            &tx,
                            Platform::Voucher,
                            KIND,
                            &voucher.to_string(),
                        )
                        .map_err(local)?;
                        let payload = tx
                            .query_row(
                                "SELECT name, price_fen FROM vouchers WHERE id = ?1",
                                [voucher],
                                |r| Ok(serde_json::json!({"name": r.get::<_, String>(0)?, "priceFen": r.get::<_, i64>(1)?})),
                            )
                            .map_err(local)?;
                        crate::sync::outbox::record_conflict(
                            &tx,
                            Platform::Voucher,
                            BUY,
                            &voucher.to_string(),
                            payload,
                            coupondesk_wire::voucher::error_code::ENTITY_NOT_FOUND,
                            &format!(
                                "the platform no longer has voucher {id} (sold here as voucher \
                                 {voucher}); Retry buys it again, Discard keeps it only here"
                            ),
                        )
                        .map_err(local)?;
                        tx.commit().map_err(local)?;
                        continue;
                    }
                },
                None => {
                    let fp = remote.split_once('#').map_or(remote.as_str(), |(f, _)| f);
                    match used_fps.get(fp) {
                        Some(&(on_platform, at)) => {
                            let done = marked_fp.entry(fp.to_owned()).or_insert(0);
                            let already = used_claiming(conn, fp)?;
                            (already + *done < on_platform).then(|| {
                                *done += 1;
                                at
                            })
                        }
                        None => None,
                    }
                }
            };
            if let Some(at) = used {
                if crate::store::vouchers::mark_used_on_platform(conn, voucher, "p003", at)
                    .map_err(local)?
                {
                    refreshed += 1;
                }
            }
        }
        seen_by_name(conn, &all, now)?;
        Ok(RemoteSummary {
            items: all.len() as u64,
            used: all.iter().filter(|c| c.used_at.is_some()).count() as u64,
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

    #[test]
    fn a_fingerprint_is_name_price_and_minute_and_later_claims_carry_an_ordinal() {
        let c: Coupon = serde_json::from_value(serde_json::json!({
            "customer": "xxxxx", "name": "全屋打扫", "createdAt": "2019-10-1 3:00",
            "updatedAt": "2019-10-1 3:00", "usedAt": null, "price": 288.0, "valid": true
        }))
        .unwrap();
        let fp = fingerprint(&c);
        assert_eq!(fp, "全屋打扫|28800|2019-10-1 3:00");
        assert_eq!(claim(&fp, 0), fp);
        assert_eq!(claim(&fp, 1), "全屋打扫|28800|2019-10-1 3:00#2");
        assert_eq!(numeric("42"), Some(42));
        assert_eq!(numeric(&fp), None);
    }
}
