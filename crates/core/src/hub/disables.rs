//! A code disabled at a desk, disabled at the hub (`migrations/0005_disables.sql`).

use chrono::{DateTime, Utc};

use super::{Hub, HubError};

/// What the hub did with a disable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisableAnswer {
    /// Disabled now, or it already was.
    Disabled,
    /// A claim holds it (redeemed at some desk): the hub keeps the redemption.
    Redeemed,
    /// Expired at the hub: nothing to do.
    Expired,
    /// The hub has no such code yet (its batch has not reached the hub).
    Unknown,
}

pub fn disable(
    hub: &Hub,
    code: &str,
    staff: &str,
    at: DateTime<Utc>,
) -> Result<DisableAnswer, HubError> {
    let (code, staff) = (code.to_owned(), staff.to_owned());
    hub.call(async move |c| {
        let row = c
            .query_one(
                "SELECT coupondesk.disable_code($1, $2, $3)",
                &[&code, &staff, &at],
            )
            .await
            .map_err(|e| HubError::from_pg(&e))?;
        let answer: String = row.try_get(0).map_err(|e| HubError::from_pg(&e))?;
        match answer.as_str() {
            "disabled" => Ok(DisableAnswer::Disabled),
            "redeemed" => Ok(DisableAnswer::Redeemed),
            "expired" => Ok(DisableAnswer::Expired),
            "unknown" => Ok(DisableAnswer::Unknown),
            other => Err(HubError::Failed(format!(
                "the hub answered {other:?} to a disable"
            ))),
        }
    })
}
