//! The platform desk's exchange at the hub (docs/chain-mode.md, "The platform desk";
//! `migrations/0004_platform.sql`): which desk sends the five platforms' operations for
//! the whole hub, the change records the other desks relay to it, and its take and
//! confirm of them. Each call is one hub function call, as the claims are.
//!
//! What must stay true: a relayed record is keyed (origin terminal, local change id) at
//! the hub, so sending it again is harmless; a row is taken once and stays its taker's
//! until that taker confirms it. The origin and the taker are the session's terminal.

use chrono::{DateTime, Utc};

use super::{Hub, HubError};

/// Which desk is the platform desk, and the records between the desks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlatformState {
    /// The platform desk's terminal id, store and terminal name; None: none chosen yet.
    pub desk: Option<(i64, String, String)>,
    /// Relayed records nobody has taken yet.
    pub untaken: i64,
    /// Taken by this desk and not confirmed (routed or waiting for a row here).
    pub taken_by_me: i64,
    /// Taken by other desks (a platform desk before a switch) and not confirmed.
    pub taken_by_others: i64,
}

/// A record to relay: the origin's change id, the record with shared keys, who made it
/// and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outgoing {
    pub local_id: i64,
    pub change: serde_json::Value,
    pub actor: String,
    pub made_at: DateTime<Utc>,
}

/// A relayed record this desk has taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub seq: i64,
    pub origin: i64,
    pub local_id: i64,
    pub change: serde_json::Value,
    pub actor: String,
    pub made_at: DateTime<Utc>,
}

fn pg(e: tokio_postgres::Error) -> HubError {
    HubError::from_pg(&e)
}

/// Which desk is the platform desk, and the counts of records between the desks; None
/// when the hub's schema is older than 4 (it has no platform desk: `hub init` migrates
/// it).
pub fn state(hub: &Hub) -> Result<Option<PlatformState>, HubError> {
    hub.call(async move |c| {
        let r = match c
            .query_one(
                "SELECT terminal_id, store, terminal, untaken, taken_by_me, taken_by_others
                   FROM coupondesk.platform_state()",
                &[],
            )
            .await
        {
            Ok(r) => r,
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_FUNCTION) => {
                return Ok(None)
            }
            Err(e) => return Err(pg(e)),
        };
        let id: Option<i64> = r.try_get(0).map_err(pg)?;
        let store: Option<String> = r.try_get(1).map_err(pg)?;
        let terminal: Option<String> = r.try_get(2).map_err(pg)?;
        Ok(Some(PlatformState {
            desk: match (id, store, terminal) {
                (Some(id), Some(s), Some(t)) => Some((id, s, t)),
                _ => None,
            },
            untaken: r.try_get(3).map_err(pg)?,
            taken_by_me: r.try_get(4).map_err(pg)?,
            taken_by_others: r.try_get(5).map_err(pg)?,
        }))
    })
}

/// Makes the terminal named (store, terminal) the platform desk; returns its id.
pub fn set_platform_desk(
    hub: &Hub,
    store: &str,
    terminal: &str,
    by: &str,
) -> Result<i64, HubError> {
    let args = (store.to_owned(), terminal.to_owned(), by.to_owned());
    hub.call(async move |c| {
        let r = c
            .query_one(
                "SELECT coupondesk.set_platform_desk($1, $2, $3)",
                &[&args.0, &args.1, &args.2],
            )
            .await
            .map_err(pg)?;
        r.try_get(0).map_err(pg)
    })
}

/// Relays records (one call, one hub transaction); how many the hub did not have.
pub fn relay(hub: &Hub, rows: &[Outgoing]) -> Result<i64, HubError> {
    let body = serde_json::to_value(rows)
        .map_err(|e| HubError::Failed(format!("a record could not be written: {e}")))?;
    hub.call(async move |c| {
        let r = c
            .query_one("SELECT coupondesk.relay_changes($1)", &[&body])
            .await
            .map_err(pg)?;
        r.try_get(0).map_err(pg)
    })
}

/// Takes up to `limit` new rows (only when this desk is the platform desk) and returns
/// every row this desk has taken and not confirmed, oldest first.
pub fn take(hub: &Hub, limit: i32) -> Result<Vec<Taken>, HubError> {
    hub.call(async move |c| {
        let rows = c
            .query(
                "SELECT seq, origin, local_id, change, actor, made_at
                   FROM coupondesk.take_relayed($1)",
                &[&limit],
            )
            .await
            .map_err(pg)?;
        rows.iter()
            .map(|r| {
                Ok(Taken {
                    seq: r.try_get(0).map_err(pg)?,
                    origin: r.try_get(1).map_err(pg)?,
                    local_id: r.try_get(2).map_err(pg)?,
                    change: r.try_get(3).map_err(pg)?,
                    actor: r.try_get(4).map_err(pg)?,
                    made_at: r.try_get(5).map_err(pg)?,
                })
            })
            .collect()
    })
}

/// Confirms rows this desk routed; how many were confirmed now.
pub fn confirm(hub: &Hub, seqs: &[i64]) -> Result<i64, HubError> {
    let seqs = seqs.to_vec();
    hub.call(async move |c| {
        let r = c
            .query_one("SELECT coupondesk.confirm_relayed($1)", &[&seqs])
            .await
            .map_err(pg)?;
        r.try_get(0).map_err(pg)
    })
}
