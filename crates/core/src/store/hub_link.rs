//! The desk's link to its chain-mode hub: one row (`hub_link`, migration 16), absent
//! until `hub join`. The terminal role's password is not here (sync/credentials.rs).

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubLink {
    /// Without a password.
    pub url: String,
    pub hub_database: String,
    pub store: String,
    pub terminal: String,
    pub terminal_id: i64,
    pub role: String,
    pub pulled_seq: i64,
    pub last_contact_ms: Option<i64>,
    pub last_error: Option<String>,
    pub deadline_ms: i64,
    pub platform_desk: bool,
}

pub fn get(conn: &Connection) -> Result<Option<HubLink>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT url, hub_database, store, terminal, terminal_id, role, pulled_seq,
                    last_contact_ms, last_error, deadline_ms, platform_desk
             FROM hub_link WHERE id = 1",
            [],
            |r| {
                Ok(HubLink {
                    url: r.get(0)?,
                    hub_database: r.get(1)?,
                    store: r.get(2)?,
                    terminal: r.get(3)?,
                    terminal_id: r.get(4)?,
                    role: r.get(5)?,
                    pulled_seq: r.get(6)?,
                    last_contact_ms: r.get(7)?,
                    last_error: r.get(8)?,
                    deadline_ms: r.get(9)?,
                    platform_desk: r.get(10)?,
                })
            },
        )
        .optional()?)
}

/// Writes the link of a (re)join; the local settings (deadline, platform desk) of an
/// earlier link to the same hub stay.
pub fn set(conn: &Connection, l: &HubLink) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO hub_link (id, url, hub_database, store, terminal, terminal_id, role,
                               pulled_seq, last_contact_ms, last_error, deadline_ms, platform_desk)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, hub_database = excluded.hub_database,
           store = excluded.store, terminal = excluded.terminal,
           terminal_id = excluded.terminal_id, role = excluded.role,
           pulled_seq = excluded.pulled_seq, last_contact_ms = excluded.last_contact_ms,
           last_error = excluded.last_error",
        params![
            l.url,
            l.hub_database,
            l.store,
            l.terminal,
            l.terminal_id,
            l.role,
            l.pulled_seq,
            l.last_contact_ms,
            l.last_error,
            l.deadline_ms,
            l.platform_desk
        ],
    )?;
    Ok(())
}

/// Records a call's outcome: the time of a successful contact, or the error of a failed
/// one (the last contact stays).
pub fn record_contact(conn: &Connection, at_ms: i64, error: Option<&str>) -> Result<(), StoreError> {
    match error {
        None => conn.execute(
            "UPDATE hub_link SET last_contact_ms = ?1, last_error = NULL WHERE id = 1",
            [at_ms],
        )?,
        Some(e) => conn.execute("UPDATE hub_link SET last_error = ?1 WHERE id = 1", [e])?,
    };
    Ok(())
}
