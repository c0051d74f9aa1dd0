//! The `customers` table: the register bonuses and vouchers share.
//!
//! What must stay true:
//! - one row per phone, the phone being 11 validated digits (`domain::customer::Phone`);
//! - a customer is created by staff (`save`) or on the way, inside the transaction of a
//!   grant or a sale (`ensure`), and either way audited in that transaction.

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::{from_ms, now_ms, StoreError};
use crate::api_error::FieldError;
use crate::domain::customer::{clean_name, Customer, CustomerDraft, Phone};
use crate::domain::{Page, PageRequest};

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("some fields need attention: {}", describe(.0))]
    InvalidFields(Vec<FieldError>),
    #[error("no customer has the phone {0}; add the customer first")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn describe(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<rusqlite::Error> for CustomerError {
    fn from(e: rusqlite::Error) -> Self {
        CustomerError::Store(e.into())
    }
}

crate::error_codes::impl_error_code! {
    CustomerError {
        codes {
            CustomerError::InvalidFields(_) => "invalid_fields",
            CustomerError::NotFound(_) => "customer_not_found",
        }
        wraps { Store(StoreError) }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                CustomerError::InvalidFields(f) => f.clone(),
                _ => Vec::new(),
            }
        }
    }
}

const SELECT_CUSTOMER: &str = "SELECT id, phone, name, created_at, updated_at FROM customers";

fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        phone: r.get(1)?,
        name: r.get(2)?,
        created_at: from_ms(r.get(3)?),
        updated_at: from_ms(r.get(4)?),
    })
}

pub fn find(conn: &Connection, phone: &Phone) -> Result<Option<Customer>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{SELECT_CUSTOMER} WHERE phone = ?1"))?
        .query_row([phone.as_str()], customer_from_row)
        .optional()?)
}

/// The customer's id, creating the customer (named `name`) when the phone is new. Runs
/// inside the caller's transaction.
pub fn ensure(conn: &Connection, phone: &Phone, name: &str) -> Result<i64, StoreError> {
    if let Some(c) = find(conn, phone)? {
        return Ok(c.id);
    }
    let now = now_ms();
    conn.prepare_cached(
        "INSERT INTO customers (phone, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute(params![phone.as_str(), name, now])?;
    let id = conn.last_insert_rowid();
    super::audit::record(
        conn,
        "customer.create",
        phone.as_str(),
        &serde_json::json!({ "id": id, "name": name }),
    )?;
    Ok(id)
}

/// Adds a customer, or renames the one with this phone (an empty name keeps the old one).
pub fn save(conn: &mut Connection, draft: &CustomerDraft) -> Result<Customer, CustomerError> {
    let mut e = Vec::new();
    let phone = Phone::parse(&draft.phone)
        .map_err(|err| e.push(Phone::field_error("phone", err)))
        .ok();
    let name = clean_name(&draft.name, "name").map_err(|f| e.push(f)).ok();
    let (Some(phone), Some(name), true) = (phone, name, e.is_empty()) else {
        return Err(CustomerError::InvalidFields(e));
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    match find(&tx, &phone)? {
        None => {
            ensure(&tx, &phone, &name)?;
        }
        Some(c) if !name.is_empty() && c.name != name => {
            tx.execute(
                "UPDATE customers SET name = ?2, updated_at = ?3 WHERE id = ?1",
                params![c.id, name, now_ms()],
            )?;
            super::audit::record(
                &tx,
                "customer.rename",
                phone.as_str(),
                &serde_json::json!({ "before": c.name, "after": name }),
            )?;
        }
        Some(_) => {}
    }
    let c = find(&tx, &phone)?.ok_or_else(|| CustomerError::NotFound(phone.to_string()))?;
    tx.commit()?;
    Ok(c)
}

pub fn get(conn: &Connection, phone: &str) -> Result<Customer, CustomerError> {
    let p = Phone::parse(phone)
        .map_err(|e| CustomerError::InvalidFields(vec![Phone::field_error("phone", e)]))?;
    find(conn, &p)?.ok_or_else(|| CustomerError::NotFound(p.to_string()))
}

/// The customer with this register id (the profile page's address: a cashier sees
/// phones masked, so a page cannot be named by the phone).
pub fn get_by_id(conn: &Connection, id: i64) -> Result<Customer, CustomerError> {
    conn.prepare_cached(&format!("{SELECT_CUSTOMER} WHERE id = ?1"))?
        .query_row([id], customer_from_row)
        .optional()?
        .ok_or_else(|| CustomerError::NotFound(format!("#{id}")))
}

/// Newest first; `search` matches a substring of the phone or of the name.
pub fn list(
    conn: &Connection,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<Customer>, StoreError> {
    let pattern = search.map(str::trim).filter(|s| !s.is_empty()).map(|s| {
        // "138 1234" finds 13812345678: the phone column has no separators.
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits
        } else {
            s.to_owned()
        };
        (
            super::batches::like_pattern(&digits),
            super::batches::like_pattern(s),
        )
    });
    let (phone_like, name_like) = match &pattern {
        Some((p, n)) => (Some(p.as_str()), Some(n.as_str())),
        None => (None, None),
    };
    let filter = "WHERE ?1 IS NULL OR phone LIKE ?1 ESCAPE '\\' OR name LIKE ?2 ESCAPE '\\'";
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM customers {filter}"),
        params![phone_like, name_like],
        |r| r.get(0),
    )?;
    let items = conn
        .prepare_cached(&format!(
            "{SELECT_CUSTOMER} {filter} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![phone_like, name_like, page.per_page, page.offset() as i64],
            customer_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, page, total.max(0) as u64))
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (CustomerError::InvalidFields(Vec::new()), "invalid_fields"),
            (CustomerError::NotFound("138".into()), "customer_not_found"),
            (
                CustomerError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
