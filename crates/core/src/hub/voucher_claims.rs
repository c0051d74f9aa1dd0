//! A voucher's use claimed at the hub before the desk writes it (hub schema 7,
//! docs/chain-mode.md, "Vouchers"), as a code's redemption is (`claims`).
//!
//! What must stay true: the claim is the use (the hub's `vouchers.used_*`), so the upload
//! at the next pull (`records::use_voucher`) finds it this terminal's and answers `same`,
//! never a conflict with itself; a refused claim leaves no `voucher_conflicts` row (the
//! refused desk does not give the service).

use chrono::{DateTime, Utc};

use super::records::{self, HubVoucher};
use super::{Hub, HubError};

/// The hub schema that has `claim_voucher` and `release_voucher`.
pub const VOUCHER_CLAIMS_SCHEMA: i64 = 7;

/// What the hub said of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoucherClaim {
    /// This use is the hub's now (or was this terminal's already: a retry, a claim a crash
    /// left behind).
    Claimed,
    /// Another terminal used it first: who, when, which terminal and store.
    Taken {
        by: String,
        at: DateTime<Utc>,
        terminal: String,
        store: String,
    },
    /// The hub is older than schema 7: it takes no claim; the desk decides as before and
    /// uploads the use at the pull.
    OldHub,
}

/// Sends the voucher (its sale: a repeat changes nothing, and a voucher sold here and not
/// pushed yet is known to the hub from then on), then claims its use by `by` at `at`,
/// in one call within the deadline.
pub fn claim(
    hub: &Hub,
    v: &HubVoucher,
    at: DateTime<Utc>,
    by: &str,
) -> Result<VoucherClaim, HubError> {
    hub.call(async |c| {
        if super::schema::version(c).await?.unwrap_or(0) < VOUCHER_CLAIMS_SCHEMA {
            return Ok(VoucherClaim::OldHub);
        }
        records::put_voucher(c, v).await?;
        let rows = c
            .query(
                "SELECT outcome, kept_by, kept_at, kept_terminal, kept_store
                   FROM coupondesk.claim_voucher($1, $2, $3)",
                &[&v.uid, &at, &by],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let Some(r) = rows.first() else {
            // put_voucher has just made sure the hub has it.
            return Ok(VoucherClaim::OldHub);
        };
        let outcome: String = r.try_get(0).map_err(|e| HubError::from_pg(&e))?;
        let text = |i: usize| -> Result<String, HubError> {
            Ok(r.try_get::<_, Option<String>>(i)
                .map_err(|e| HubError::from_pg(&e))?
                .unwrap_or_default())
        };
        Ok(match outcome.as_str() {
            "taken" => VoucherClaim::Taken {
                by: text(1)?,
                at: r
                    .try_get::<_, Option<DateTime<Utc>>>(2)
                    .map_err(|e| HubError::from_pg(&e))?
                    .unwrap_or(at),
                terminal: text(3)?,
                store: text(4)?,
            },
            _ => VoucherClaim::Claimed,
        })
    })
}

/// Gives back this terminal's claim of voucher `uid` made at `at` (the desk could not
/// write the use). True when released; a claim of another time or terminal is left.
pub fn release(hub: &Hub, uid: &str, at: DateTime<Utc>) -> Result<bool, HubError> {
    hub.call(async |c| {
        let row = c
            .query_one("SELECT coupondesk.release_voucher($1, $2)", &[&uid, &at])
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        row.try_get(0).map_err(|e| HubError::from_pg(&e))
    })
}
