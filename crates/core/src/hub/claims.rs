//! Claims at the hub (docs/chain-mode.md, "Redemption across desks"): the counter's
//! online claim, an offline redemption's upload, and the release of an undone claim.
//! Each is one call of a hub function (`migrations/0002_claims.sql`), whose single
//! conditional UPDATE decides who has a code.
//!
//! What must stay true: a claim is named by its claim id, made by the desk before the
//! first send. Sending the same claim again (after a missed deadline, from the outbox)
//! answers `Claimed` when it was this desk's; it is never a second claim or a conflict
//! with itself.

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::{Hub, HubError};

/// A claim, or an upload of a redemption made offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRequest<'a> {
    pub code: &'a str,
    pub claim_id: &'a str,
    pub staff: &'a str,
    pub at: DateTime<Utc>,
    pub order_fen: Option<i64>,
    pub reduction_fen: i64,
    /// false: an upload of a redemption decided offline (a double becomes a conflict).
    pub online: bool,
}

/// Who holds a code at the hub.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holder {
    /// The claim that holds it (none for a lease).
    pub claim_id: Option<String>,
    pub staff: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub terminal: Option<String>,
    pub store: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimAnswer {
    /// The code is this claim's.
    Claimed,
    /// Online: another claim has it.
    Taken(Holder),
    /// Online: it is leased to another terminal (`holder`'s terminal and store).
    Leased(Holder),
    /// Online: the hub has it disabled or expired (the status).
    Refused(String),
    /// Upload: another claim, a lease or the code's status came first; the hub kept the
    /// redemption as a conflict. `reason`: redeemed, leased, disabled, expired.
    Conflict { reason: String, holder: Holder },
    /// The hub has no such code: its batch has not reached the hub.
    Unknown,
}

/// A new claim id: a random (version 4) UUID, as text.
pub fn new_claim_id() -> String {
    let mut b = [0u8; 16];
    StdRng::from_os_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Claims (or uploads) within the hub's deadline.
pub fn claim(hub: &Hub, req: &ClaimRequest<'_>) -> Result<ClaimAnswer, HubError> {
    let req = req.clone();
    hub.call(async move |c| {
        let row = c
            .query_one(
                "SELECT outcome, reason, staff, at, terminal, store, claim_id::text
                   FROM coupondesk.claim_code($1, $2::text::uuid, $3, $4, $5, $6, $7)",
                &[
                    &req.code,
                    &req.claim_id,
                    &req.staff,
                    &req.at,
                    &req.order_fen,
                    &req.reduction_fen,
                    &req.online,
                ],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let outcome: String = row.try_get(0).map_err(|e| HubError::from_pg(&e))?;
        let reason: Option<String> = row.try_get(1).map_err(|e| HubError::from_pg(&e))?;
        let holder = Holder {
            claim_id: row.try_get(6).map_err(|e| HubError::from_pg(&e))?,
            staff: row.try_get(2).map_err(|e| HubError::from_pg(&e))?,
            at: row.try_get(3).map_err(|e| HubError::from_pg(&e))?,
            terminal: row.try_get(4).map_err(|e| HubError::from_pg(&e))?,
            store: row.try_get(5).map_err(|e| HubError::from_pg(&e))?,
        };
        Ok(match outcome.as_str() {
            "claimed" => ClaimAnswer::Claimed,
            "taken" => ClaimAnswer::Taken(holder),
            "leased" => ClaimAnswer::Leased(holder),
            "conflict" => ClaimAnswer::Conflict {
                reason: reason.unwrap_or_else(|| "redeemed".into()),
                holder,
            },
            "refused" => ClaimAnswer::Refused(reason.unwrap_or_default()),
            "unknown" => ClaimAnswer::Unknown,
            other => {
                return Err(HubError::Failed(format!(
                    "the hub answered a claim with '{other}', which this version does not know; \
                     update CouponDesk"
                )))
            }
        })
    })
}

/// A code as the hub has it: its status, who holds it (a claim), and the lease on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Standing {
    /// issued, active, redeemed, disabled or expired.
    pub status: String,
    /// The claim's holder when a claim holds it.
    pub claim: Option<Holder>,
    /// The terminal and store the code is leased to, when it is.
    pub lease: Option<Holder>,
}

/// The hub's word on one code (a read, within the hub's deadline); None when the hub
/// has no such code (its batch has not reached the hub).
pub fn standing(hub: &Hub, code: &str) -> Result<Option<Standing>, HubError> {
    let code = code.to_owned();
    hub.call(async move |c| {
        let row = c
            .query_opt(
                "SELECT status, claim_id::text, staff, at, terminal, store, lease_terminal,
                        lease_store
                   FROM coupondesk.holder($1)",
                &[&code],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let Some(r) = row else { return Ok(None) };
        let get = |i: usize| -> Result<Option<String>, HubError> {
            r.try_get(i).map_err(|e| HubError::from_pg(&e))
        };
        let claim_id = get(1)?;
        let lease_terminal = get(6)?;
        Ok(Some(Standing {
            status: get(0)?.unwrap_or_default(),
            claim: match claim_id {
                None => None,
                Some(id) => Some(Holder {
                    claim_id: Some(id),
                    staff: get(2)?,
                    at: r.try_get(3).map_err(|e| HubError::from_pg(&e))?,
                    terminal: get(4)?,
                    store: get(5)?,
                }),
            },
            lease: match lease_terminal {
                None => None,
                Some(t) => Some(Holder {
                    terminal: Some(t),
                    store: get(7)?,
                    ..Holder::default()
                }),
            },
        }))
    })
}

/// Who redeemed a code at the hub, when a claim holds it redeemed.
pub fn holder(hub: &Hub, code: &str) -> Result<Option<Holder>, HubError> {
    Ok(standing(hub, code)?
        .filter(|s| s.status == "redeemed")
        .and_then(|s| s.claim))
}

/// Releases an undone claim. Ok(true) when the hub no longer holds it for this desk
/// (released now, before, or never known); Ok(false) when the claim is another
/// terminal's (left alone).
pub fn release(hub: &Hub, claim_id: &str) -> Result<bool, HubError> {
    let claim_id = claim_id.to_owned();
    hub.call(async move |c| {
        let row = c
            .query_one(
                "SELECT coupondesk.release_claim($1::text::uuid)",
                &[&claim_id],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let answer: String = row.try_get(0).map_err(|e| HubError::from_pg(&e))?;
        Ok(answer != "not_yours")
    })
}

/// This terminal's live online claims at the hub, and the hub's clock when they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyClaims {
    /// (claim id, code)
    pub claims: Vec<(String, String)>,
    /// The next sweep's `since`.
    pub hub_now: DateTime<Utc>,
}

/// This terminal's live online claims received at the hub since `since`.
pub fn my_claims(hub: &Hub, since: DateTime<Utc>) -> Result<MyClaims, HubError> {
    hub.call(async move |c| {
        let rows = c
            .query(
                "SELECT claim_id::text, code, hub_now FROM coupondesk.my_claims($1)",
                &[&since],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let mut claims = Vec::new();
        let mut now = since;
        for r in rows {
            let id: Option<String> = r.try_get(0).map_err(|e| HubError::from_pg(&e))?;
            let code: Option<String> = r.try_get(1).map_err(|e| HubError::from_pg(&e))?;
            now = r.try_get(2).map_err(|e| HubError::from_pg(&e))?;
            if let (Some(id), Some(code)) = (id, code) {
                claims.push((id, code));
            }
        }
        Ok(MyClaims {
            claims,
            hub_now: now,
        })
    })
}

/// A lease made: its id and the codes it hands over, in code order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lease {
    pub id: i64,
    pub codes: Vec<String>,
}

/// Leases `count` free codes of a batch to a terminal (by its store's and its own name).
pub fn lease(
    hub: &Hub,
    ticket_type: &str,
    store: &str,
    terminal: &str,
    count: i64,
    by: &str,
    note: &str,
) -> Result<Lease, HubError> {
    let args = (
        ticket_type.to_owned(),
        store.to_owned(),
        terminal.to_owned(),
        by.to_owned(),
        note.to_owned(),
    );
    hub.call(async move |c| {
        let rows = c
            .query(
                "SELECT lease_id, code FROM coupondesk.lease_codes($1, $2, $3, $4, $5, $6)",
                &[&args.0, &args.1, &args.2, &count, &args.3, &args.4],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let mut lease = Lease {
            id: 0,
            codes: Vec::with_capacity(rows.len()),
        };
        for r in rows {
            lease.id = r.try_get(0).map_err(|e| HubError::from_pg(&e))?;
            lease
                .codes
                .push(r.try_get(1).map_err(|e| HubError::from_pg(&e))?);
        }
        Ok(lease)
    })
}

/// Ends a lease; how many of its codes became free (0 when it had ended already).
pub fn return_lease(hub: &Hub, id: i64, by: &str) -> Result<i64, HubError> {
    let by = by.to_owned();
    hub.call(async move |c| {
        let row = c
            .query_one("SELECT coupondesk.return_lease($1, $2)", &[&id, &by])
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        row.try_get(0).map_err(|e| HubError::from_pg(&e))
    })
}

/// This terminal's leased codes still usable, as (lease id, code).
pub fn my_leased_codes(hub: &Hub) -> Result<Vec<(i64, String)>, HubError> {
    hub.call(async move |c| {
        let rows = c
            .query(
                "SELECT lease_id, code FROM coupondesk.my_leased_codes()",
                &[],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(|e| HubError::from_pg(&e))?,
                    r.try_get(1).map_err(|e| HubError::from_pg(&e))?,
                ))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_ids_are_version_4_uuids_and_differ() {
        let a = new_claim_id();
        let b = new_claim_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{a}");
        assert!("89ab".contains(&parts[3][..1]), "{a}");
    }
}
