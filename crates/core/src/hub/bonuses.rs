//! Red-packet bonuses at the hub (hub schema 6, `migrations/0006_bonuses.sql`,
//! docs/chain-mode.md, "Bonuses"): known by their code; made, granted, disabled and used
//! through SECURITY DEFINER functions, each logging one `bonus` change when it changed
//! the row.
//!
//! What must stay true: the hub never moves a bonus's status back (every write is
//! conditional on `status = 'active'`) except `release_bonus`, which gives back the
//! calling terminal's own use only; a grant is once.

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use super::HubError;

/// The hub schema that has bonuses.
pub const BONUS_SCHEMA: i64 = 6;

/// Whether the hub has bonuses (a hub of an older schema, not yet migrated by a newer
/// build's `hub init`, keeps them waiting at the desks).
pub async fn available(c: &impl GenericClient) -> Result<bool, HubError> {
    Ok(super::schema::version(c).await?.unwrap_or(0) >= BONUS_SCHEMA)
}

fn pg(e: tokio_postgres::Error) -> HubError {
    HubError::from_pg(&e)
}

/// A bonus as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubBonus {
    pub code: String,
    pub amount_fen: i64,
    pub min_amount_fen: i64,
    pub expired_at: Option<DateTime<Utc>>,
    pub xname: String,
    pub product_sku: Option<String>,
    pub created_at: DateTime<Utc>,
    /// "active", "redeemed" or "disabled".
    pub status: String,
    /// Granted to this phone, when.
    pub granted: Option<(String, DateTime<Utc>)>,
    /// When used: the use (at the hub's word).
    pub used: Option<HubBonusUse>,
}

/// A bonus's use as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubBonusUse {
    pub at: DateTime<Utc>,
    pub order_fen: Option<i64>,
    pub product_sku: Option<String>,
    pub by: String,
    /// The terminal's name, and its store's.
    pub terminal: String,
    pub store: String,
}

/// Sends bonuses made at a desk (one call: the caller chunks); how many were new.
pub async fn put_bonuses(c: &impl GenericClient, rows: &[HubBonus]) -> Result<u64, HubError> {
    let codes: Vec<&str> = rows.iter().map(|b| b.code.as_str()).collect();
    let amounts: Vec<i64> = rows.iter().map(|b| b.amount_fen).collect();
    let mins: Vec<i64> = rows.iter().map(|b| b.min_amount_fen).collect();
    let expired: Vec<Option<DateTime<Utc>>> = rows.iter().map(|b| b.expired_at).collect();
    let xnames: Vec<&str> = rows.iter().map(|b| b.xname.as_str()).collect();
    let skus: Vec<Option<&str>> = rows.iter().map(|b| b.product_sku.as_deref()).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|b| b.created_at).collect();
    let n: i32 = c
        .query_one(
            "SELECT coupondesk.put_bonuses($1, $2, $3, $4, $5, $6, $7)",
            &[&codes, &amounts, &mins, &expired, &xnames, &skus, &created],
        )
        .await
        .map_err(pg)?
        .get(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Grants bonus `code` to `phone` (once); the phone it is granted to after the call.
pub async fn grant_bonus(
    c: &impl GenericClient,
    code: &str,
    phone: &str,
    at: DateTime<Utc>,
) -> Result<Option<String>, HubError> {
    Ok(c.query_one(
        "SELECT coupondesk.grant_bonus($1, $2, $3)",
        &[&code, &phone, &at],
    )
    .await
    .map_err(pg)?
    .get(0))
}

/// Disables bonus `code`; its status after the call ("unknown": the hub lacks it).
pub async fn disable_bonus(c: &impl GenericClient, code: &str) -> Result<String, HubError> {
    Ok(c.query_one("SELECT coupondesk.disable_bonus($1)", &[&code])
        .await
        .map_err(pg)?
        .get(0))
}

/// Gives back this terminal's own use of bonus `code`; true when released.
pub async fn release_bonus(c: &impl GenericClient, code: &str) -> Result<bool, HubError> {
    Ok(c.query_one("SELECT coupondesk.release_bonus($1)", &[&code])
        .await
        .map_err(pg)?
        .get(0))
}

/// What the hub said of a bonus's use by this terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BonusUse {
    /// The hub took it (or had it from this terminal already).
    Taken,
    /// Another terminal used it first: who, when, which terminal and store.
    UsedElsewhere {
        by: String,
        at: DateTime<Utc>,
        terminal: String,
        store: String,
    },
    /// Disabled at the hub.
    Disabled,
    /// The hub has no such bonus.
    Unknown,
}

/// This terminal's use of bonus `code`: one conditional UPDATE at the hub.
pub async fn use_bonus(
    c: &impl GenericClient,
    code: &str,
    at: DateTime<Utc>,
    order_fen: Option<i64>,
    sku: Option<&str>,
    by: &str,
) -> Result<BonusUse, HubError> {
    let rows = c
        .query(
            "SELECT outcome, kept_by, kept_at, kept_terminal, kept_store
               FROM coupondesk.use_bonus($1, $2, $3, $4, $5)",
            &[&code, &at, &order_fen, &sku, &by],
        )
        .await
        .map_err(pg)?;
    let Some(r) = rows.first() else {
        return Ok(BonusUse::Unknown);
    };
    let outcome: String = r.get(0);
    Ok(match outcome.as_str() {
        "used" | "same" => BonusUse::Taken,
        "refused" => BonusUse::UsedElsewhere {
            by: r.get::<_, Option<String>>(1).unwrap_or_default(),
            at: r.get::<_, Option<DateTime<Utc>>>(2).unwrap_or_default(),
            terminal: r.get::<_, Option<String>>(3).unwrap_or_default(),
            store: r.get::<_, Option<String>>(4).unwrap_or_default(),
        },
        "disabled" => BonusUse::Disabled,
        _ => BonusUse::Unknown,
    })
}

const SELECT_BONUS: &str = "SELECT b.code, b.amount_fen, b.min_amount_fen, b.expired_at,
        b.xname, b.product_sku, b.created_at, b.status, b.customer_phone, b.granted_at,
        b.used_at, b.used_order_fen, b.used_product_sku, b.used_by, t.name, s.name
   FROM coupondesk.bonuses b
   LEFT JOIN coupondesk.terminals t ON t.id = b.used_terminal
   LEFT JOIN coupondesk.stores s ON s.id = t.store_id";

fn bonus_of(r: &tokio_postgres::Row) -> HubBonus {
    let phone: Option<String> = r.get(8);
    let granted_at: Option<DateTime<Utc>> = r.get(9);
    let used_at: Option<DateTime<Utc>> = r.get(10);
    HubBonus {
        code: r.get(0),
        amount_fen: r.get(1),
        min_amount_fen: r.get(2),
        expired_at: r.get(3),
        xname: r.get(4),
        product_sku: r.get(5),
        created_at: r.get(6),
        status: r.get(7),
        granted: phone.zip(granted_at),
        used: used_at.map(|at| HubBonusUse {
            at,
            order_fen: r.get(11),
            product_sku: r.get(12),
            by: r.get::<_, Option<String>>(13).unwrap_or_default(),
            terminal: r.get::<_, Option<String>>(14).unwrap_or_default(),
            store: r.get::<_, Option<String>>(15).unwrap_or_default(),
        }),
    }
}

/// The bonuses of these codes the hub has (a pull page's `bonus` changes, in one query).
pub async fn bonuses_of(
    c: &impl GenericClient,
    codes: &[String],
) -> Result<Vec<HubBonus>, HubError> {
    Ok(c.query(
        &format!("{SELECT_BONUS} WHERE b.code = ANY($1) ORDER BY b.code"),
        &[&codes],
    )
    .await
    .map_err(pg)?
    .iter()
    .map(bonus_of)
    .collect())
}

/// Every bonus of the hub (the join's download).
pub async fn bonuses(c: &impl GenericClient) -> Result<Vec<HubBonus>, HubError> {
    Ok(c.query(&format!("{SELECT_BONUS} ORDER BY b.code"), &[])
        .await
        .map_err(pg)?
        .iter()
        .map(bonus_of)
        .collect())
}
