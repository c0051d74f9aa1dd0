//! Templates, batch links and customers at the hub (hub schema 3, docs/chain-mode.md, "Changes
//! between desks"): the uploads go through SECURITY DEFINER functions (`put_template`,
//! `link_batch`), each logging one change when it changed something; the downloads read
//! the tables.
//!
//! What must stay true: a template is known by its uid (`store::hub_keys`) at every desk
//! and at the hub; the hub keeps the last upload of a template's values.

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use super::HubError;

/// The hub schema that has these functions.
pub const RECORDS_SCHEMA: i64 = 3;

/// Whether the hub has these functions: a hub of an older schema (not yet migrated by a
/// newer build's `hub init`) still takes claims and batches, not records.
pub async fn available(c: &impl GenericClient) -> Result<bool, HubError> {
    Ok(super::schema::version(c).await?.unwrap_or(0) >= RECORDS_SCHEMA)
}

fn pg(e: tokio_postgres::Error) -> HubError {
    HubError::from_pg(&e)
}

/// A template as the hub keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct HubTemplate {
    pub uid: String,
    pub title: String,
    /// The desk's `TemplateDraft` as JSON.
    pub draft: serde_json::Value,
    /// The desk's `OfflinePolicy` as JSON; None: the default.
    pub offline_policy: Option<serde_json::Value>,
}

/// Creates or replaces the template; true when the hub's row changed (and a `template`
/// change was logged).
pub async fn put_template(c: &impl GenericClient, t: &HubTemplate) -> Result<bool, HubError> {
    let seq: i64 = c
        .query_one(
            "SELECT coupondesk.put_template($1, $2, $3, $4)",
            &[&t.uid, &t.title, &t.draft, &t.offline_policy],
        )
        .await
        .map_err(pg)?
        .get(0);
    Ok(seq > 0)
}

/// Links the hub's batch to the template `uid` (None: unlinks); `if_unlinked`: only
/// when the hub's batch has none (the join). Returns the batch's template uid after.
pub async fn link_batch(
    c: &impl GenericClient,
    ticket_type: &str,
    uid: Option<&str>,
    if_unlinked: bool,
) -> Result<Option<String>, HubError> {
    Ok(c.query_one(
        "SELECT coupondesk.link_batch($1, $2, $3)",
        &[&ticket_type, &uid, &if_unlinked],
    )
    .await
    .map_err(pg)?
    .get(0))
}

fn template_of(r: &tokio_postgres::Row) -> HubTemplate {
    HubTemplate {
        uid: r.get(0),
        title: r.get(1),
        draft: r.get(2),
        offline_policy: r.get(3),
    }
}

/// The template `uid`, when the hub has it.
pub async fn template(c: &impl GenericClient, uid: &str) -> Result<Option<HubTemplate>, HubError> {
    Ok(c.query_opt(
        "SELECT uid, title, draft, offline_policy FROM coupondesk.templates WHERE uid = $1",
        &[&uid],
    )
    .await
    .map_err(pg)?
    .as_ref()
    .map(template_of))
}

/// Every template of the hub (the join's download).
pub async fn templates(c: &impl GenericClient) -> Result<Vec<HubTemplate>, HubError> {
    Ok(c.query(
        "SELECT uid, title, draft, offline_policy FROM coupondesk.templates ORDER BY uid",
        &[],
    )
    .await
    .map_err(pg)?
    .iter()
    .map(template_of)
    .collect())
}

/// The template uid of each hub batch that has one: (ticket_type, uid).
pub async fn batch_links(c: &impl GenericClient) -> Result<Vec<(String, String)>, HubError> {
    Ok(c.query(
        "SELECT ticket_type, template_uid FROM coupondesk.batches
          WHERE template_uid IS NOT NULL ORDER BY ticket_type",
        &[],
    )
    .await
    .map_err(pg)?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

/// Uploads customers (phone, name); how many changed at the hub (each logged as a
/// `customer` change).
pub async fn put_customers(
    c: &impl GenericClient,
    rows: &[(String, String)],
) -> Result<u64, HubError> {
    let phones: Vec<&str> = rows.iter().map(|(p, _)| p.as_str()).collect();
    let names: Vec<&str> = rows.iter().map(|(_, n)| n.as_str()).collect();
    let n: i32 = c
        .query_one(
            "SELECT coupondesk.put_customers($1, $2)",
            &[&phones, &names],
        )
        .await
        .map_err(pg)?
        .get(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every customer of the hub (the join's download): (phone, name).
pub async fn customers(c: &impl GenericClient) -> Result<Vec<(String, String)>, HubError> {
    Ok(c.query(
        "SELECT phone, name FROM coupondesk.customers ORDER BY phone",
        &[],
    )
    .await
    .map_err(pg)?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

/// A voucher as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubVoucher {
    pub uid: String,
    pub customer_phone: String,
    pub pkg: Option<i64>,
    pub name: String,
    pub price_fen: i64,
    pub introduction: String,
    pub paid: bool,
    pub sold_at: DateTime<Utc>,
    /// When used: when, by whom, at which terminal (its name).
    pub used: Option<(DateTime<Utc>, String, String)>,
}

/// Sends a voucher sold here; true when the hub did not have it.
pub async fn put_voucher(c: &impl GenericClient, v: &HubVoucher) -> Result<bool, HubError> {
    Ok(c.query_one(
        "SELECT coupondesk.put_voucher($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &v.uid,
            &v.customer_phone,
            &v.pkg,
            &v.name,
            &v.price_fen,
            &v.introduction,
            &v.paid,
            &v.sold_at,
        ],
    )
    .await
    .map_err(pg)?
    .get(0))
}

/// What the hub said of a voucher's use sent by this terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoucherUse {
    /// The hub took it (or had it from this terminal already).
    Taken,
    /// Another terminal's use came first: who, when, which terminal and store.
    Conflict {
        by: String,
        at: DateTime<Utc>,
        terminal: String,
        store: String,
    },
    /// The hub has no such voucher.
    Unknown,
}

/// Sends this terminal's use of voucher `uid`.
pub async fn use_voucher(
    c: &impl GenericClient,
    uid: &str,
    at: DateTime<Utc>,
    by: &str,
) -> Result<VoucherUse, HubError> {
    let rows = c
        .query(
            "SELECT outcome, kept_by, kept_at, kept_terminal, kept_store
               FROM coupondesk.use_voucher($1, $2, $3)",
            &[&uid, &at, &by],
        )
        .await
        .map_err(pg)?;
    let Some(r) = rows.first() else {
        return Ok(VoucherUse::Unknown);
    };
    let outcome: String = r.get(0);
    Ok(match outcome.as_str() {
        "used" | "same" => VoucherUse::Taken,
        "conflict" => VoucherUse::Conflict {
            by: r.get::<_, Option<String>>(1).unwrap_or_default(),
            at: r.get::<_, Option<DateTime<Utc>>>(2).unwrap_or_default(),
            terminal: r.get::<_, Option<String>>(3).unwrap_or_default(),
            store: r.get::<_, Option<String>>(4).unwrap_or_default(),
        },
        _ => VoucherUse::Unknown,
    })
}

const SELECT_VOUCHER: &str = "SELECT v.uid, v.customer_phone, v.pkg, v.name, v.price_fen,
        v.introduction, v.paid, v.sold_at, v.used_at, v.used_by, t.name
   FROM coupondesk.vouchers v
   LEFT JOIN coupondesk.terminals t ON t.id = v.used_terminal";

/// The voucher `uid`, when the hub has it.
pub async fn voucher(c: &impl GenericClient, uid: &str) -> Result<Option<HubVoucher>, HubError> {
    let row = c
        .query_opt(&format!("{SELECT_VOUCHER} WHERE v.uid = $1"), &[&uid])
        .await
        .map_err(pg)?;
    Ok(row.as_ref().map(voucher_of))
}

/// Every voucher of the hub (the join's download).
pub async fn vouchers(c: &impl GenericClient) -> Result<Vec<HubVoucher>, HubError> {
    Ok(c.query(&format!("{SELECT_VOUCHER} ORDER BY v.uid"), &[])
        .await
        .map_err(pg)?
        .iter()
        .map(voucher_of)
        .collect())
}

fn voucher_of(r: &tokio_postgres::Row) -> HubVoucher {
    {
        let used_at: Option<DateTime<Utc>> = r.get(8);
        HubVoucher {
            uid: r.get(0),
            customer_phone: r.get(1),
            pkg: r.get(2),
            name: r.get(3),
            price_fen: r.get(4),
            introduction: r.get(5),
            paid: r.get(6),
            sold_at: r.get(7),
            used: used_at.map(|at| {
                (
                    at,
                    r.get::<_, Option<String>>(9).unwrap_or_default(),
                    r.get::<_, Option<String>>(10).unwrap_or_default(),
                )
            }),
        }
    }
}
