//! The `bonuses` table (spec 002): create many at once, list by computed status, grant,
//! disable, check and redeem at the counter.
//!
//! What must stay true:
//! - every code is 11 capital letters, unique among bonuses (UNIQUE) and never equal to a
//!   coupon code in `codes` (checked in the creating transaction);
//! - `status` holds the lifecycle status (active, redeemed, disabled); expiry is computed
//!   from `expired_at` at read time, so N03 is never stale;
//! - a redemption is one IMMEDIATE transaction (read, decide, update guarded by
//!   `status = active`, audit), and the `bonuses_final` trigger refuses any change to a
//!   used or disabled bonus, so a bonus is never redeemed twice;
//! - a grant is once (`bonuses_grant_once`).

use std::time::Instant;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::customers::{self, describe};
use super::redemptions::counter_of;
use super::{actor, changes, from_ms, settings, StoreError};
use crate::api_error::FieldError;
use crate::domain::bonus::{
    self, decide, Bonus, BonusCheck, BonusCreation, BonusDraft, BonusOutcome, BonusQuery,
    BonusRedeemRequest, BonusRefusal, BonusRunDisabled, BonusStatus,
};
use crate::domain::change::Change;
use crate::domain::customer::Phone;
use crate::domain::lifecycle::{CodeStatus, IllegalTransition};
use crate::domain::Page;

#[derive(Debug, thiserror::Error)]
pub enum BonusError {
    #[error("some fields need attention: {}", describe(.0))]
    InvalidFields(Vec<FieldError>),
    #[error("no bonus has the id or code {0}; check it or reload the list")]
    NotFound(String),
    #[error("bonus {code} was already granted to {customer}; a bonus is granted once")]
    AlreadyGranted { code: String, customer: String },
    #[error("bonus {code} is {status} and cannot be granted; grant an unused one")]
    NotGrantable { code: String, status: BonusStatus },
    #[error("no bonus was created in run {0}; check the run number on the bonus list")]
    RunNotFound(i64),
    #[error("bonus {code} is {status} already and cannot be disabled")]
    NotDisableable { code: String, status: BonusStatus },
    #[error(transparent)]
    Transition(#[from] IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for BonusError {
    fn from(e: rusqlite::Error) -> Self {
        BonusError::Store(e.into())
    }
}

crate::error_codes::impl_error_code! {
    BonusError {
        codes {
            BonusError::InvalidFields(_) => "invalid_fields",
            BonusError::NotFound(_) => "bonus_not_found",
            BonusError::RunNotFound(_) => "bonus_run_not_found",
            BonusError::AlreadyGranted { .. } => "bonus_already_granted",
            BonusError::NotGrantable { .. } => "bonus_not_grantable",
            BonusError::NotDisableable { .. } => "bonus_not_disableable",
        }
        wraps {
            Transition(crate::domain::lifecycle::IllegalTransition),
            Store(StoreError),
        }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                BonusError::InvalidFields(f) => f.clone(),
                _ => Vec::new(),
            }
        }
    }
}

/// A bonus named by its row id or its code.
#[derive(Debug, Clone, Copy)]
pub enum BonusRef<'a> {
    Id(i64),
    Code(&'a str),
}

impl<'a> BonusRef<'a> {
    /// Digits are an id; anything else is a code (codes are letters only).
    pub fn parse(s: &'a str) -> BonusRef<'a> {
        match s.trim().parse::<i64>() {
            Ok(id) => BonusRef::Id(id),
            Err(_) => BonusRef::Code(s),
        }
    }
}

const SELECT_BONUS: &str = "SELECT b.id, b.code, b.amount_fen, b.min_amount_fen, b.expired_at,
    b.xname, b.product_sku, b.status, c.phone, c.name, b.granted_at, b.used_at,
    b.used_order_fen, b.used_product_sku, b.used_by, b.used_terminal, b.created_at,
    b.updated_at, b.create_run
  FROM bonuses b LEFT JOIN customers c ON c.id = b.customer_id";

fn bonus_from_row(r: &Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<Bonus> {
    let expired_at = r.get::<_, Option<i64>>(4)?.map(from_ms);
    let stored = CodeStatus::from_db(r.get(7)?).unwrap_or(CodeStatus::Disabled);
    Ok(Bonus {
        id: r.get(0)?,
        code: r.get(1)?,
        amount_fen: r.get(2)?,
        min_amount_fen: r.get(3)?,
        expired_at,
        xname: r.get(5)?,
        product_sku: r.get(6)?,
        status: BonusStatus::of(stored, expired_at, now),
        customer: r.get(8)?,
        customer_name: r.get(9)?,
        granted_at: r.get::<_, Option<i64>>(10)?.map(from_ms),
        used_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
        used_order_fen: r.get(12)?,
        used_product_sku: r.get(13)?,
        used_by: r.get(14)?,
        used_terminal: r.get(15)?,
        created_at: from_ms(r.get(16)?),
        updated_at: from_ms(r.get(17)?),
        // Never NULL since version 9 (its backfill, then every creation sets it).
        create_run: r.get::<_, Option<i64>>(18)?.unwrap_or_default(),
    })
}

fn find(
    conn: &Connection,
    target: BonusRef<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Bonus>, StoreError> {
    let found = match target {
        BonusRef::Id(id) => conn
            .prepare_cached(&format!("{SELECT_BONUS} WHERE b.id = ?1"))?
            .query_row([id], |r| bonus_from_row(r, now))
            .optional()?,
        BonusRef::Code(code) => conn
            .prepare_cached(&format!("{SELECT_BONUS} WHERE b.code = ?1"))?
            .query_row([bonus::normalise_code(code)], |r| bonus_from_row(r, now))
            .optional()?,
    };
    Ok(found)
}

/// Whether a bonus has this exact code (imports and generation skip such codes: a code is
/// unique across the database, bonus codes included).
pub fn code_exists(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM bonuses WHERE code = ?1")?
        .query_row([code], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn get(
    conn: &Connection,
    target: BonusRef<'_>,
    now: DateTime<Utc>,
) -> Result<Bonus, BonusError> {
    find(conn, target, now)?.ok_or_else(|| {
        BonusError::NotFound(match target {
            BonusRef::Id(id) => id.to_string(),
            BonusRef::Code(c) => c.trim().to_owned(),
        })
    })
}

/// Creates `draft.quantity` bonuses in one transaction, each with a fresh code.
pub fn create(
    conn: &mut Connection,
    mut draft: BonusDraft,
    now: DateTime<Utc>,
) -> Result<BonusCreation, BonusError> {
    let started = Instant::now();
    draft
        .normalise_and_validate()
        .map_err(BonusError::InvalidFields)?;
    let stored = if draft.enabled {
        CodeStatus::Active
    } else {
        CodeStatus::Disabled
    };
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut codes = Vec::with_capacity(draft.quantity as usize);
    let mut first_id = 0;
    // Run numbers only grow (inside this IMMEDIATE transaction no other run starts).
    let run: i64 = tx.query_row(
        "SELECT coalesce(max(create_run), 0) + 1 FROM bonuses",
        [],
        |r| r.get(0),
    )?;
    {
        let mut coupon_code = tx.prepare_cached("SELECT 1 FROM codes WHERE code = ?1")?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO bonuses (code, amount_fen, min_amount_fen, expired_at, xname,
               product_sku, status, created_at, updated_at, create_run)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
             ON CONFLICT (code) DO NOTHING",
        )?;
        while codes.len() < draft.quantity as usize {
            let code = bonus::random_code(&mut rng);
            if coupon_code.exists([&code])? {
                continue;
            }
            let added = insert.execute(params![
                code,
                draft.amount_fen,
                draft.min_amount_fen,
                draft.expired_at.map(|e| e.timestamp_millis()),
                draft.xname,
                draft.product_sku,
                stored.to_db(),
                now.timestamp_millis(),
                run
            ])?;
            // 0: the code is taken by another bonus; draw again.
            if added == 1 {
                if codes.is_empty() {
                    first_id = tx.last_insert_rowid();
                }
                // Each bonus is a change record, in this same transaction.
                changes::append(
                    &tx,
                    &actor(),
                    &Change::BonusCreated {
                        code: code.clone(),
                        amount_fen: draft.amount_fen,
                        min_amount_fen: draft.min_amount_fen,
                        expired_at: draft.expired_at,
                        xname: draft.xname.clone(),
                        product_sku: draft.product_sku.clone(),
                        enabled: draft.enabled,
                    },
                )?;
                codes.push(code);
            }
        }
    }
    super::audit::record(
        &tx,
        "bonus.create",
        &first_id.to_string(),
        &serde_json::json!({
            "quantity": draft.quantity,
            "run": run,
            "first_id": first_id,
            "last_id": tx.last_insert_rowid(),
            "amount_fen": draft.amount_fen,
            "min_amount_fen": draft.min_amount_fen,
            "expired_at": draft.expired_at,
            "xname": draft.xname,
            "product_sku": draft.product_sku,
            "enabled": draft.enabled,
        }),
    )?;
    tx.commit()?;
    Ok(BonusCreation {
        created: draft.quantity,
        run,
        codes,
        first_id,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// The WHERE clause of a status filter; `?1` is now (ms).
fn status_clause(status: Option<BonusStatus>) -> &'static str {
    match status {
        None => "1",
        Some(BonusStatus::Unused) => {
            "b.status = 1 AND (b.expired_at IS NULL OR b.expired_at >= ?1)"
        }
        Some(BonusStatus::Used) => "b.status = 2",
        Some(BonusStatus::Expired) => "b.status = 1 AND b.expired_at < ?1",
        Some(BonusStatus::Disabled) => "b.status = 3",
    }
}

/// Newest first; expired ones most recently expired first, which is also the order of
/// the `bonuses_by_expiry` index, so a page never sorts a million rows.
fn order(status: Option<BonusStatus>) -> &'static str {
    match status {
        Some(BonusStatus::Expired) => "ORDER BY b.expired_at DESC, b.id DESC",
        _ => "ORDER BY b.id DESC",
    }
}

/// The filter of a query, and the customer's id when it names a customer. None: the
/// customer is not in the register, so nothing can match.
fn filter(conn: &Connection, q: &BonusQuery) -> Result<Option<(String, Option<i64>)>, BonusError> {
    let mut clause = format!("WHERE {}", status_clause(q.status));
    let customer = match q
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => {
            let phone = Phone::parse(text)
                .map_err(|e| BonusError::InvalidFields(vec![Phone::field_error("customer", e)]))?;
            match customers::find(conn, &phone)? {
                Some(c) => Some(c.id),
                None => return Ok(None),
            }
        }
    };
    if customer.is_some() {
        clause.push_str(" AND b.customer_id = ?2");
    } else {
        clause.push_str(" AND ?2 IS NULL");
    }
    // An integer, written into the text: the statements keep their four parameters.
    if let Some(run) = q.run {
        clause.push_str(&format!(" AND b.create_run = {run}"));
    }
    Ok(Some((clause, customer)))
}

/// Newest first (N03: most recently expired first).
pub fn list(
    conn: &Connection,
    q: &BonusQuery,
    now: DateTime<Utc>,
) -> Result<Page<Bonus>, BonusError> {
    let Some((clause, customer)) = filter(conn, q)? else {
        return Ok(Page::new(Vec::new(), q.page, 0));
    };
    let now_ms = now.timestamp_millis();
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM bonuses b {clause}"))?
        .query_row(params![now_ms, customer], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "{SELECT_BONUS} {clause} {} LIMIT ?3 OFFSET ?4",
            order(q.status)
        ))?
        .query_map(
            params![now_ms, customer, q.page.per_page, q.page.offset() as i64],
            |r| bonus_from_row(r, now),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, q.page, total.max(0) as u64))
}

/// Every bonus the query matches (its page ignored), in the list's order, for exports.
pub fn for_each<E: From<BonusError>>(
    conn: &Connection,
    q: &BonusQuery,
    now: DateTime<Utc>,
    f: &mut dyn FnMut(&Bonus) -> Result<(), E>,
) -> Result<(), E> {
    let Some((clause, customer)) = filter(conn, q)? else {
        return Ok(());
    };
    let mut stmt = conn
        .prepare(&format!("{SELECT_BONUS} {clause} {}", order(q.status)))
        .map_err(BonusError::from)?;
    let mut rows = stmt
        .query(params![now.timestamp_millis(), customer])
        .map_err(BonusError::from)?;
    while let Some(r) = rows.next().map_err(BonusError::from)? {
        f(&bonus_from_row(r, now).map_err(BonusError::from)?)?;
    }
    Ok(())
}

/// Grants an unused bonus to a customer, once; an unknown phone joins the register.
pub fn grant(
    conn: &mut Connection,
    target: BonusRef<'_>,
    customer: &str,
    customer_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Bonus, BonusError> {
    let phone = Phone::parse(customer)
        .map_err(|e| BonusError::InvalidFields(vec![Phone::field_error("customer", e)]))?;
    let name = crate::domain::customer::clean_name(customer_name.unwrap_or(""), "customerName")
        .map_err(|f| BonusError::InvalidFields(vec![f]))?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let b = get(&tx, target, now)?;
    if let Some(owner) = b.customer {
        return Err(BonusError::AlreadyGranted {
            code: b.code,
            customer: owner,
        });
    }
    if b.status != BonusStatus::Unused {
        return Err(BonusError::NotGrantable {
            code: b.code,
            status: b.status,
        });
    }
    let customer_id = customers::ensure(&tx, &phone, &name)?;
    tx.execute(
        "UPDATE bonuses SET customer_id = ?2, granted_at = ?3, updated_at = ?3
          WHERE id = ?1 AND customer_id IS NULL",
        params![b.id, customer_id, now.timestamp_millis()],
    )?;
    super::audit::record(
        &tx,
        "bonus.grant",
        &b.code,
        &serde_json::json!({ "id": b.id, "customer": phone.as_str() }),
    )?;
    changes::append(
        &tx,
        &actor(),
        &Change::BonusGranted {
            code: b.code.clone(),
            customer: phone.as_str().to_owned(),
        },
    )?;
    let b = get(&tx, BonusRef::Id(b.id), now)?;
    tx.commit()?;
    Ok(b)
}

/// Disables a bonus for good (expired ones too); used and disabled ones refuse
/// (`bonus_not_disableable`).
pub fn disable(
    conn: &mut Connection,
    target: BonusRef<'_>,
    now: DateTime<Utc>,
) -> Result<Bonus, BonusError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let b = get(&tx, target, now)?;
    let from = stored(b.status);
    // The lifecycle decides: used and disabled are final.
    let to = from
        .transition(CodeStatus::Disabled)
        .map_err(|_| BonusError::NotDisableable {
            code: b.code.clone(),
            status: b.status,
        })?;
    tx.execute(
        "UPDATE bonuses SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
        params![b.id, from.to_db(), to.to_db(), now.timestamp_millis()],
    )?;
    super::audit::record_at(
        &tx,
        &counter,
        "bonus.disable",
        &b.code,
        &serde_json::json!({ "id": b.id, "from": b.status, "terminal": counter.terminal }),
    )?;
    changes::append(
        &tx,
        &counter.operator,
        &Change::BonusDisabled {
            code: b.code.clone(),
        },
    )?;
    let b = get(&tx, BonusRef::Id(b.id), now)?;
    tx.commit()?;
    Ok(b)
}

/// Disables every bonus of create run `run` that can still be disabled (unused and
/// expired ones), in one transaction: each is queued to the platform as its own disable
/// (a change record, like `disable`), and one audit entry names the run and the count.
/// Used and disabled bonuses stay as they are (`left`); a run with no bonus is
/// `bonus_run_not_found`.
pub fn disable_run(
    conn: &mut Connection,
    run: i64,
    now: DateTime<Utc>,
) -> Result<BonusRunDisabled, BonusError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let counter = counter_of(&settings::get(&tx)?);
    let active = CodeStatus::Active.to_db();
    let mut codes = Vec::new();
    let mut left = 0u32;
    {
        let mut stmt = tx
            .prepare_cached("SELECT code, status FROM bonuses WHERE create_run = ?1 ORDER BY id")?;
        let mut rows = stmt.query([run])?;
        while let Some(r) = rows.next()? {
            if r.get::<_, i64>(1)? == active {
                codes.push(r.get::<_, String>(0)?);
            } else {
                left += 1;
            }
        }
    }
    if codes.is_empty() && left == 0 {
        return Err(BonusError::RunNotFound(run));
    }
    let disabled = CodeStatus::Active.transition(CodeStatus::Disabled)?;
    tx.execute(
        "UPDATE bonuses SET status = ?3, updated_at = ?4 WHERE create_run = ?1 AND status = ?2",
        params![run, active, disabled.to_db(), now.timestamp_millis()],
    )?;
    for code in &codes {
        changes::append(
            &tx,
            &counter.operator,
            &Change::BonusDisabled { code: code.clone() },
        )?;
    }
    super::audit::record_at(
        &tx,
        &counter,
        "bonus.disable_run",
        &run.to_string(),
        &serde_json::json!({
            "run": run,
            "disabled": codes.len(),
            "left": left,
            "first": codes.first(),
            "last": codes.last(),
            "terminal": counter.terminal,
        }),
    )?;
    tx.commit()?;
    Ok(BonusRunDisabled {
        run,
        disabled: codes.len() as u32,
        left,
    })
}

fn stored(s: BonusStatus) -> CodeStatus {
    match s {
        BonusStatus::Used => CodeStatus::Redeemed,
        BonusStatus::Disabled => CodeStatus::Disabled,
        BonusStatus::Unused | BonusStatus::Expired => CodeStatus::Active,
    }
}

/// Checks a bonus inside the caller's transaction (or plain connection); the answer and,
/// when redeemable, the bonus's id.
fn check_in(
    conn: &Connection,
    req: &BonusRedeemRequest,
    now: DateTime<Utc>,
) -> Result<(BonusCheck, Option<i64>), BonusError> {
    let code = bonus::normalise_code(&req.code);
    let customer = match req
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => Some(
            Phone::parse(c)
                .map_err(|e| BonusError::InvalidFields(vec![Phone::field_error("customer", e)]))?,
        ),
        None => None,
    };
    let mut check = BonusCheck {
        code: code.clone(),
        refusal: None,
        bonus: None,
        order_fen: req.order_fen,
        reduction_fen: None,
    };
    if !bonus::is_code(&code) {
        check.refusal = Some(BonusRefusal::Malformed);
        return Ok((check, None));
    }
    let Some(b) = find(conn, BonusRef::Code(&code), now)? else {
        check.refusal = Some(BonusRefusal::Unknown);
        return Ok((check, None));
    };
    let verdict = decide(
        &b,
        customer.as_ref().map(Phone::as_str),
        req.order_fen,
        req.product_sku.as_deref(),
        now,
    );
    let id = b.id;
    check.bonus = Some(b);
    match verdict {
        Ok(reduction) => {
            check.reduction_fen = Some(reduction);
            Ok((check, Some(id)))
        }
        Err(r) => {
            check.refusal = Some(r);
            Ok((check, None))
        }
    }
}

pub fn check(
    conn: &Connection,
    req: &BonusRedeemRequest,
    now: DateTime<Utc>,
) -> Result<BonusCheck, BonusError> {
    Ok(check_in(conn, req, now)?.0)
}

/// Checks and, when the bonus is redeemable, redeems it: one write transaction.
pub fn redeem(
    conn: &mut Connection,
    req: &BonusRedeemRequest,
    now: DateTime<Utc>,
) -> Result<BonusOutcome, BonusError> {
    crate::test_hooks::watch_write_lock(conn);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let (check, id) = check_in(&tx, req, now)?;
    // Test-only (debug builds): between the decision and the write, under the lock.
    crate::test_hooks::pause("bonus", id.is_some());
    let Some(id) = id else {
        return Ok(BonusOutcome {
            check,
            redeemed: None,
        });
    };
    let to = CodeStatus::Active.transition(CodeStatus::Redeemed)?;
    let sku = req
        .product_sku
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let moved = tx
        .prepare_cached(
            "UPDATE bonuses SET status = ?3, used_at = ?4, used_order_fen = ?5,
               used_product_sku = ?6, used_by = ?7, used_terminal = ?8, updated_at = ?4
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![
            id,
            CodeStatus::Active.to_db(),
            to.to_db(),
            now.timestamp_millis(),
            req.order_fen,
            sku,
            counter.operator,
            counter.terminal
        ])?;
    if moved != 1 {
        // Cannot happen under the write lock; refuse rather than redeem twice.
        return Err(BonusError::Transition(IllegalTransition {
            from: CodeStatus::Redeemed,
            to: CodeStatus::Redeemed,
        }));
    }
    // The log's row, with its undo window (see `bonus_undo`).
    let undo_until = now + chrono::Duration::minutes(i64::from(s.undo_window_minutes));
    tx.prepare_cached(
        "INSERT INTO bonus_redemptions (bonus_id, order_fen, reduction_fen, customer, operator,
           terminal, staff_id, redeemed_at, undo_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id,
        req.order_fen,
        check.reduction_fen.unwrap_or(0),
        check.bonus.as_ref().and_then(|b| b.customer.clone()),
        counter.operator,
        counter.terminal,
        super::acting::staff_id(),
        now.timestamp_millis(),
        undo_until.timestamp_millis()
    ])?;
    let redemption = tx.last_insert_rowid();
    super::audit::record_at(
        &tx,
        &counter,
        "bonus.redeem",
        &check.code,
        &serde_json::json!({
            "id": id,
            "redemption": redemption,
            "terminal": counter.terminal,
            "order_fen": req.order_fen,
            "reduction_fen": check.reduction_fen,
            "product_sku": sku,
            "customer": check.bonus.as_ref().and_then(|b| b.customer.clone()),
        }),
    )?;
    let redeemed = get(&tx, BonusRef::Id(id), now)?;
    tx.commit()?;
    Ok(BonusOutcome {
        check,
        redeemed: Some(redeemed),
    })
}

/// Marks the local bonus that `platform` knows as `remote_code` used, because the platform
/// says a customer used it there (`used_by` = the platform, `used_terminal` `platform`).
/// Only an active bonus moves (the lifecycle's active -> redeemed); `Ok(false)`
/// otherwise. The move and its audit entry are one transaction of their own (the pull
/// holds none across requests).
pub fn mark_used_on_platform(
    conn: &Connection,
    platform: &str,
    remote_code: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let (from, to) = (CodeStatus::Active, CodeStatus::Redeemed);
    // A constant move, legal by the table; checked so the rule has one home.
    if from.transition(to).is_err() {
        return Ok(false);
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let moved: Option<(i64, String)> = tx
        .prepare_cached(
            "UPDATE bonuses SET status = ?4, used_at = ?3, used_by = ?1,
                    used_terminal = 'platform', updated_at = ?3
              WHERE status = ?5 AND code = (SELECT local_id FROM remote_refs
                                            WHERE platform = ?1 AND kind = 'bonus' AND remote_id = ?2)
             RETURNING id, code",
        )?
        .query_row(
            params![platform, remote_code, at_ms, to.to_db(), from.to_db()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, code)) = moved else {
        return Ok(false);
    };
    super::audit::record_as(
        &tx,
        platform,
        "bonus.use_on_platform",
        &code,
        &serde_json::json!({ "id": id, "usedAt": from_ms(at_ms) }),
    )?;
    tx.commit()?;
    Ok(true)
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::domain::lifecycle::{CodeStatus, IllegalTransition};
    use crate::error_codes::assert_codes;

    #[test]
    fn every_variant_has_its_code() {
        let code = || "B1".to_owned();
        let illegal = IllegalTransition {
            from: CodeStatus::Redeemed,
            to: CodeStatus::Active,
        };
        let granted = BonusError::AlreadyGranted {
            code: code(),
            customer: "138".into(),
        };
        let used = BonusStatus::Used;
        assert_codes(vec![
            (BonusError::InvalidFields(Vec::new()), "invalid_fields"),
            (BonusError::NotFound(code()), "bonus_not_found"),
            (granted, "bonus_already_granted"),
            (
                BonusError::NotGrantable {
                    code: code(),
                    status: used,
                },
                "bonus_not_grantable",
            ),
            (
                BonusError::NotDisableable {
                    code: code(),
                    status: used,
                },
                "bonus_not_disableable",
            ),
            (BonusError::Transition(illegal), "illegal_transition"),
            (
                BonusError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
