//! Every terminal of the hub with its last contact and progress (hub schema 8,
//! `touch_terminal`): what `hub status` lists, so a manager at any desk sees which
//! counter has not reached the hub for a while and how far behind it is.

use tokio_postgres::GenericClient;

use super::HubError;

/// The hub schema that has `touch_terminal`.
pub const SINCE_SCHEMA: i64 = 8;

/// One terminal as the hub knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalContact {
    pub id: i64,
    pub store: String,
    pub terminal: String,
    /// Milliseconds since the epoch; None before its first contact.
    pub last_contact_ms: Option<i64>,
    /// The last change it applied (its pulls' high mark).
    pub pulled_seq: i64,
}

/// Records this terminal's contact now, and that it has applied the log up to `pulled`
/// (never moved back). The calling role decides which terminal.
pub async fn touch(c: &impl GenericClient, pulled: i64) -> Result<(), HubError> {
    c.execute("SELECT coupondesk.touch_terminal($1)", &[&pulled])
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    Ok(())
}

/// All terminals, by store then terminal name.
pub async fn list(c: &impl GenericClient) -> Result<Vec<TerminalContact>, HubError> {
    let rows = c
        .query(
            "SELECT t.id, s.name, t.name,
                    (extract(epoch FROM t.last_contact) * 1000)::bigint, t.pulled_seq
               FROM coupondesk.terminals t JOIN coupondesk.stores s ON s.id = t.store_id
              ORDER BY s.name, t.name, t.id",
            &[],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    Ok(rows
        .iter()
        .map(|r| TerminalContact {
            id: r.get(0),
            store: r.get(1),
            terminal: r.get(2),
            last_contact_ms: r.get(3),
            pulled_seq: r.get(4),
        })
        .collect())
}
