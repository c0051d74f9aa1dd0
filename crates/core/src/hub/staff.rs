//! Staff accounts at the hub (hub schema 9, docs/chain-mode.md, "Staff"): the upload goes
//! through the SECURITY DEFINER function `put_staff`, which logs one `staff` change when it
//! changed something; the downloads read the table.
//!
//! What must stay true: an account is known by its uid at every desk and at the hub; a
//! name belongs to one uid (without regard to case) and is never merged into another
//! uid's account; the PIN never travels, only its Argon2id PHC string.

use tokio_postgres::GenericClient;

use super::HubError;

/// The hub schema that has staff accounts.
pub const STAFF_SCHEMA: i64 = 9;

/// Whether the hub has them: a hub of an older schema (not yet migrated by a newer
/// build's `hub init`) takes everything else, not staff.
pub async fn available(c: &impl GenericClient) -> Result<bool, HubError> {
    Ok(super::schema::version(c).await?.unwrap_or(0) >= STAFF_SCHEMA)
}

fn pg(e: tokio_postgres::Error) -> HubError {
    HubError::from_pg(&e)
}

/// A staff account as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubStaff {
    pub uid: String,
    pub name: String,
    /// `cashier`, `manager` or `owner`.
    pub role: String,
    /// The PIN's Argon2id hash in PHC form (never the PIN).
    pub pin_hash: String,
    pub disabled: bool,
}

/// What the hub said of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffPut {
    /// Created or changed (a `staff` change was logged).
    Changed,
    /// The hub had these values already.
    Same,
    /// Another account (its uid) holds the name: nothing was written.
    Taken(String),
}

/// Creates or changes the account (`put_staff`).
pub async fn put_staff(c: &impl GenericClient, s: &HubStaff) -> Result<StaffPut, HubError> {
    let row = c
        .query_one(
            "SELECT outcome, holder FROM coupondesk.put_staff($1, $2, $3, $4, $5)",
            &[&s.uid, &s.name, &s.role, &s.pin_hash, &s.disabled],
        )
        .await
        .map_err(pg)?;
    let outcome: String = row.get(0);
    Ok(match outcome.as_str() {
        "changed" => StaffPut::Changed,
        "taken" => StaffPut::Taken(row.get::<_, Option<String>>(1).unwrap_or_default()),
        _ => StaffPut::Same,
    })
}

const SELECT: &str = "SELECT uid, name, role, pin_hash, disabled FROM coupondesk.staff";

fn staff_of(r: &tokio_postgres::Row) -> HubStaff {
    HubStaff {
        uid: r.get(0),
        name: r.get(1),
        role: r.get(2),
        pin_hash: r.get(3),
        disabled: r.get(4),
    }
}

/// The accounts with these uids (a pull page's `staff` changes, one query).
pub async fn by_uids(c: &impl GenericClient, uids: &[String]) -> Result<Vec<HubStaff>, HubError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(c.query(
        &format!("{SELECT} WHERE uid = ANY($1) ORDER BY uid"),
        &[&uids],
    )
    .await
    .map_err(pg)?
    .iter()
    .map(staff_of)
    .collect())
}

/// Every account of the hub (the join's download).
pub async fn all(c: &impl GenericClient) -> Result<Vec<HubStaff>, HubError> {
    Ok(c.query(&format!("{SELECT} ORDER BY uid"), &[])
        .await
        .map_err(pg)?
        .iter()
        .map(staff_of)
        .collect())
}
