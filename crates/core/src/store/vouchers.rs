//! The `vouchers` table (spec 003): sell, list by name (and "outside a package"), show,
//! and use once at the counter.
//!
//! What must stay true:
//! - a voucher belongs to a customer in the register, created on the way when new;
//! - `used_at` is set once, in one IMMEDIATE transaction with its audit entry, guarded
//!   by `used_at IS NULL`; the `vouchers_used_once` trigger refuses any change after.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::customers::{self, describe};
use super::redemptions::counter_of;
use super::{changes, from_ms, settings, StoreError};
use crate::api_error::FieldError;
use crate::domain::change::Change;
use crate::domain::customer::Phone;
use crate::domain::lifecycle::{CodeStatus, IllegalTransition};
use crate::domain::voucher::{Voucher, VoucherDraft, VoucherQuery};
use crate::domain::Page;

#[derive(Debug, thiserror::Error)]
pub enum VoucherError {
    #[error("some fields need attention: {}", describe(.0))]
    InvalidFields(Vec<FieldError>),
    #[error("no voucher has the id {0}; check it or reload the list")]
    NotFound(i64),
    #[error(
        "voucher {id} ({name}) was already used at {}; a voucher is used once",
        at.to_rfc3339()
    )]
    AlreadyUsed {
        id: i64,
        name: String,
        at: DateTime<Utc>,
    },
    /// Chain mode: the hub has this voucher used at another desk (its claim came first).
    #[error(
        "voucher {id} ({name}) was already used at {} by {by} on {terminal} in {store}; a \
         voucher is used once",
        at.to_rfc3339()
    )]
    UsedElsewhere {
        id: i64,
        name: String,
        at: DateTime<Utc>,
        by: String,
        terminal: String,
        store: String,
    },
    /// Chain mode: the hub did not answer, and this desk's setting keeps vouchers for it.
    #[error(
        "the hub did not answer and vouchers may not be used offline: try again when the hub \
         is back, or ask a manager to allow offline voucher use in the hub settings"
    )]
    OfflineNotAllowed { id: i64 },
    #[error(transparent)]
    Transition(#[from] IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for VoucherError {
    fn from(e: rusqlite::Error) -> Self {
        VoucherError::Store(e.into())
    }
}

crate::error_codes::impl_error_code! {
    VoucherError {
        codes {
            VoucherError::InvalidFields(_) => "invalid_fields",
            VoucherError::NotFound(_) => "voucher_not_found",
            VoucherError::AlreadyUsed { .. } => "voucher_already_used",
            VoucherError::UsedElsewhere { .. } => "voucher_used_elsewhere",
            VoucherError::OfflineNotAllowed { .. } => "voucher_offline_not_allowed",
        }
        wraps {
            Transition(crate::domain::lifecycle::IllegalTransition),
            Store(StoreError),
        }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                VoucherError::InvalidFields(f) => f.clone(),
                _ => Vec::new(),
            }
        }
    }
}

const SELECT_VOUCHER: &str = "SELECT v.id, c.phone, c.name, v.pkg, v.name, v.created_at,
    v.updated_at, v.used_at, v.price_fen, v.introduction, v.paid, v.used_by, v.used_terminal
  FROM vouchers v JOIN customers c ON c.id = v.customer_id";

fn voucher_from_row(r: &Row<'_>) -> rusqlite::Result<Voucher> {
    let used_at = r.get::<_, Option<i64>>(7)?.map(from_ms);
    Ok(Voucher {
        id: r.get(0)?,
        customer: r.get(1)?,
        customer_name: r.get(2)?,
        pkg: r.get(3)?,
        name: r.get(4)?,
        created_at: from_ms(r.get(5)?),
        updated_at: from_ms(r.get(6)?),
        used_at,
        price_fen: r.get(8)?,
        introduction: r.get(9)?,
        valid: used_at.is_none(),
        paid: r.get(10)?,
        used_by: r.get(11)?,
        used_terminal: r.get(12)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Voucher, VoucherError> {
    conn.prepare_cached(&format!("{SELECT_VOUCHER} WHERE v.id = ?1"))?
        .query_row([id], voucher_from_row)
        .optional()?
        .ok_or(VoucherError::NotFound(id))
}

/// Sells one voucher; an unknown phone joins the register.
pub fn sell(
    conn: &mut Connection,
    mut draft: VoucherDraft,
    now: DateTime<Utc>,
) -> Result<Voucher, VoucherError> {
    let phone = draft
        .normalise_and_validate()
        .map_err(VoucherError::InvalidFields)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let customer_id = customers::ensure(&tx, &phone, &draft.customer_name)?;
    tx.prepare_cached(
        "INSERT INTO vouchers (customer_id, pkg, name, price_fen, introduction, paid,
           created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        customer_id,
        draft.pkg,
        draft.name,
        draft.price_fen,
        draft.introduction,
        draft.paid,
        now.timestamp_millis()
    ])?;
    let id = tx.last_insert_rowid();
    super::audit::record_at(
        &tx,
        &counter,
        "voucher.sell",
        &id.to_string(),
        &serde_json::json!({
            "customer": phone.as_str(),
            "name": draft.name,
            "price_fen": draft.price_fen,
            "pkg": draft.pkg,
            "paid": draft.paid,
            "terminal": counter.terminal,
        }),
    )?;
    changes::append(
        &tx,
        &counter.operator,
        &Change::VoucherSold {
            id,
            name: draft.name.clone(),
            price_fen: draft.price_fen,
        },
    )?;
    let v = get(&tx, id)?;
    tx.commit()?;
    Ok(v)
}

/// Marks a voucher used; a used one is refused (`voucher_already_used`).
pub fn use_voucher(
    conn: &mut Connection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Voucher, VoucherError> {
    crate::test_hooks::watch_write_lock(conn);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let v = get(&tx, id)?;
    // Test-only (debug builds): between the decision and the write, under the lock.
    crate::test_hooks::pause("voucher", v.used_at.is_none());
    if let Some(at) = v.used_at {
        return Err(VoucherError::AlreadyUsed {
            id,
            name: v.name,
            at,
        });
    }
    CodeStatus::Active.transition(CodeStatus::Redeemed)?;
    let moved = tx.execute(
        "UPDATE vouchers SET used_at = ?2, used_by = ?3, used_terminal = ?4, updated_at = ?2
          WHERE id = ?1 AND used_at IS NULL",
        params![
            id,
            now.timestamp_millis(),
            counter.operator,
            counter.terminal
        ],
    )?;
    if moved != 1 {
        return Err(VoucherError::AlreadyUsed {
            id,
            name: v.name,
            at: now,
        });
    }
    super::audit::record_at(
        &tx,
        &counter,
        "voucher.use",
        &id.to_string(),
        &serde_json::json!({
            "customer": v.customer,
            "name": v.name,
            "terminal": counter.terminal,
        }),
    )?;
    let v = get(&tx, id)?;
    tx.commit()?;
    Ok(v)
}

/// The WHERE clause and its arguments (?1 name pattern, ?2 customer id, ?3 valid).
/// None: the customer is not in the register, so nothing can match.
type Filter = (String, Option<String>, Option<i64>, Option<bool>);

fn filter(conn: &Connection, q: &VoucherQuery) -> Result<Option<Filter>, VoucherError> {
    let name = q
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(super::batches::like_pattern);
    let customer = match q
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => {
            let phone = Phone::parse(text).map_err(|e| {
                VoucherError::InvalidFields(vec![Phone::field_error("customer", e)])
            })?;
            match customers::find(conn, &phone)? {
                Some(c) => Some(c.id),
                None => return Ok(None),
            }
        }
    };
    let mut clause = String::from(
        "WHERE (?1 IS NULL OR v.name LIKE ?1 ESCAPE '\\')
           AND (?3 IS NULL OR (v.used_at IS NULL) = ?3)",
    );
    if customer.is_some() {
        clause.push_str(" AND v.customer_id = ?2");
    } else {
        clause.push_str(" AND ?2 IS NULL");
    }
    if q.nopkg {
        clause.push_str(" AND v.pkg IS NULL");
    }
    Ok(Some((clause, name, customer, q.valid)))
}

/// Newest first.
pub fn list(conn: &Connection, q: &VoucherQuery) -> Result<Page<Voucher>, VoucherError> {
    let Some((clause, name, customer, valid)) = filter(conn, q)? else {
        return Ok(Page::new(Vec::new(), q.page, 0));
    };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM vouchers v {clause}"))?
        .query_row(params![name, customer, valid], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "{SELECT_VOUCHER} {clause} ORDER BY v.id DESC LIMIT ?4 OFFSET ?5"
        ))?
        .query_map(
            params![
                name,
                customer,
                valid,
                q.page.per_page,
                q.page.offset() as i64
            ],
            voucher_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, q.page, total.max(0) as u64))
}

/// Every voucher the query matches (its page ignored), newest first, for exports.
pub fn for_each<E: From<VoucherError>>(
    conn: &Connection,
    q: &VoucherQuery,
    f: &mut dyn FnMut(&Voucher) -> Result<(), E>,
) -> Result<(), E> {
    let Some((clause, name, customer, valid)) = filter(conn, q)? else {
        return Ok(());
    };
    let mut stmt = conn
        .prepare(&format!("{SELECT_VOUCHER} {clause} ORDER BY v.id DESC"))
        .map_err(VoucherError::from)?;
    let mut rows = stmt
        .query(params![name, customer, valid])
        .map_err(VoucherError::from)?;
    while let Some(r) = rows.next().map_err(VoucherError::from)? {
        f(&voucher_from_row(r).map_err(VoucherError::from)?)?;
    }
    Ok(())
}

/// Marks a voucher used because its platform says it was used there (`used_by` = the
/// platform, `used_terminal` `platform`). A voucher already used here is left alone (used
/// is final); `Ok(false)` then. The move (the lifecycle's active -> redeemed) and its
/// audit entry are one transaction of their own (the pull holds none across requests).
pub fn mark_used_on_platform(
    conn: &Connection,
    id: i64,
    platform: &str,
    used_at_ms: i64,
) -> Result<bool, StoreError> {
    // A constant move, legal by the table; checked so the rule has one home.
    if CodeStatus::Active.transition(CodeStatus::Redeemed).is_err() {
        return Ok(false);
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let moved = tx
        .prepare_cached(
            "UPDATE vouchers SET used_at = ?2, used_by = ?3, used_terminal = 'platform',
                    updated_at = ?4
              WHERE id = ?1 AND used_at IS NULL",
        )?
        .execute(params![id, used_at_ms, platform, crate::store::now_ms()])?;
    if moved != 1 {
        return Ok(false);
    }
    super::audit::record_as(
        &tx,
        platform,
        "voucher.use_on_platform",
        &id.to_string(),
        &serde_json::json!({ "usedAt": from_ms(used_at_ms) }),
    )?;
    tx.commit()?;
    Ok(true)
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let used = VoucherError::AlreadyUsed {
            id: 1,
            name: "v".into(),
            at: Utc::now(),
        };
        let illegal = IllegalTransition {
            from: CodeStatus::Redeemed,
            to: CodeStatus::Active,
        };
        assert_codes(vec![
            (VoucherError::InvalidFields(Vec::new()), "invalid_fields"),
            (VoucherError::NotFound(1), "voucher_not_found"),
            (used, "voucher_already_used"),
            (VoucherError::Transition(illegal), "illegal_transition"),
            (
                VoucherError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
