//! Redemption at the counter: check, redeem, undo, and disabling a code. All of it works
//! on the local file alone.
//!
//! What must stay true:
//! - a redemption is one IMMEDIATE transaction: the facts are read, the rules decided
//!   (`domain::redeem::decide`), the code's status moved, the batch counts changed, the
//!   redemption row and the audit entry written, all under SQLite's write lock, so two
//!   windows or two processes can never both redeem a code; the partial unique index
//!   `redemptions_one_live` would refuse the second even if that were not so;
//! - a check runs the very same code as a redemption, without writing;
//! - an undo restores the status the code had before, within the window that was in force
//!   when it was redeemed, and is audited like the redemption.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::batches::add_count;
use super::hub_claims::{self, HubMark};
use super::{from_ms, settings, StoreError};
use crate::domain::change::Change;
use crate::domain::code::{normalise_typed, Code};
use crate::domain::lifecycle::{CodeStatus, IllegalTransition};
use crate::domain::redeem::{
    decide, RedeemCheck, RedeemFacts, RedeemOutcome, RedeemRequest, Redemption, RedemptionKind,
    Refusal, Settings, TemplateBrief,
};
use crate::domain::template::TemplateKind;
use crate::domain::{Page, PageRequest};
use crate::store::templates::{self, TemplateError};

#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    #[error("no redemption {0} exists; reload the list")]
    NotFound(i64),
    #[error("the code {0} has no redemption to undo")]
    NotRedeemed(String),
    #[error("this redemption was already undone at {0}")]
    AlreadyUndone(DateTime<Utc>),
    #[error(
        "the time to undo this redemption ended at {0}; ask a manager to correct it another way"
    )]
    UndoWindowPassed(DateTime<Utc>),
    #[error("no coupon has the code {0}; check the code")]
    CodeNotFound(String),
    #[error("no bonus has the code {0}; check the code")]
    BonusNotFound(String),
    #[error(
        "this redemption was made by another staff member; a cashier may undo only their own \
         redemptions: ask a manager to undo it"
    )]
    NotYours,
    #[error(transparent)]
    Transition(#[from] IllegalTransition),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for RedeemError {
    fn from(e: rusqlite::Error) -> Self {
        RedeemError::Store(e.into())
    }
}

crate::error_codes::impl_error_code! {
    RedeemError {
        codes {
            RedeemError::NotFound(_) => "redemption_not_found",
            RedeemError::NotRedeemed(_) => "code_not_redeemed",
            RedeemError::AlreadyUndone(_) => "redemption_already_undone",
            RedeemError::UndoWindowPassed(_) => "undo_window_passed",
            RedeemError::CodeNotFound(_) => "code_not_found",
            RedeemError::BonusNotFound(_) => "bonus_not_found",
            RedeemError::NotYours => "forbidden",
        }
        wraps {
            Transition(crate::domain::lifecycle::IllegalTransition),
            Template(crate::store::templates::TemplateError),
            Store(StoreError),
        }
    }
}

/// Who acts, where: the use case's acting staff member at this terminal (`counter_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub operator: String,
    pub terminal: String,
}

const SELECT_REDEMPTION: &str =
    "SELECT 'coupon', r.id, c.code, b.ticket_type, r.template_id, t.title,
    r.order_fen, r.reduction_fen, r.customer, r.operator, r.terminal, r.redeemed_at,
    r.undo_until, r.undone_at, r.undone_by
  FROM redemptions r JOIN codes c ON c.id = r.code_id
  JOIN batches b ON b.id = (r.code_id >> 32) JOIN templates t ON t.id = r.template_id";

/// A bonus redemption in the same columns as `SELECT_REDEMPTION` (see `Redemption`).
pub(super) const SELECT_BONUS_REDEMPTION: &str = "SELECT 'bonus', r.id, o.code, '', 0, o.xname,
    r.order_fen, r.reduction_fen, r.customer, r.operator, r.terminal, r.redeemed_at,
    r.undo_until, r.undone_at, r.undone_by
  FROM bonus_redemptions r JOIN bonuses o ON o.id = r.bonus_id";

pub(super) fn redemption_from_row(r: &Row<'_>) -> rusqlite::Result<Redemption> {
    let kind = match r.get::<_, String>(0)?.as_str() {
        "bonus" => RedemptionKind::Bonus,
        _ => RedemptionKind::Coupon,
    };
    Ok(Redemption {
        kind,
        id: r.get(1)?,
        code: r.get(2)?,
        ticket_type: r.get(3)?,
        template_id: r.get(4)?,
        template_title: r.get(5)?,
        order_fen: r.get(6)?,
        reduction_fen: r.get(7)?,
        customer: r.get(8)?,
        operator: r.get(9)?,
        terminal: r.get(10)?,
        redeemed_at: from_ms(r.get(11)?),
        undo_until: from_ms(r.get(12)?),
        undone_at: r.get::<_, Option<i64>>(13)?.map(from_ms),
        undone_by: r.get(14)?,
    })
}

fn live_redemption(conn: &Connection, code_id: i64) -> Result<Option<Redemption>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT_REDEMPTION} WHERE r.code_id = ?1 AND r.undone_at IS NULL"
        ))?
        .query_row([code_id], redemption_from_row)
        .optional()?)
}

/// The code row and what the decision needs about it.
struct Found {
    code_id: i64,
    status: CodeStatus,
    ticket_type: String,
    template_id: Option<i64>,
    issued_at: DateTime<Utc>,
    importing: bool,
}

fn find(conn: &Connection, code: &str) -> Result<Option<Found>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT c.id, c.status, b.ticket_type, b.template_id,
                    coalesce(r.started_at, b.created_at), r.state = 'running'
               FROM codes c JOIN batches b ON b.id = (c.id >> 32)
               LEFT JOIN code_runs r ON r.id = c.run_id
              WHERE c.code = ?1 AND (c.id & 0xFFFFFFFF) < b.next_seq",
        )?
        .query_row([code], |r| {
            Ok(Found {
                code_id: r.get(0)?,
                status: CodeStatus::from_db(r.get(1)?).unwrap_or(CodeStatus::Disabled),
                ticket_type: r.get(2)?,
                template_id: r.get(3)?,
                issued_at: from_ms(r.get(4)?),
                importing: r.get::<_, Option<bool>>(5)?.unwrap_or(false),
            })
        })
        .optional()?)
}

/// The most lookups `other_case` makes before it gives up (a pathological database).
const CASE_PROBES: usize = 4096;

/// A stored code that equals `code` but for letter case, if any. Walks the code's
/// characters left to right, trying both cases of each letter, and follows only the
/// prefixes some stored code has: each probe is a range scan of the `codes.code` index,
/// so the walk costs a few lookups per character however large the database is.
/// Codes are ASCII below '~', so `prefix..prefix~` holds every code with that prefix.
fn other_case(conn: &Connection, code: &str) -> Result<Option<String>, StoreError> {
    let mut probe = conn.prepare_cached(
        "SELECT code FROM codes WHERE code >= ?1 AND code < ?2 ORDER BY code LIMIT 1",
    )?;
    let chars: Vec<char> = code.chars().collect();
    let mut stack = vec![String::new()];
    let mut probes = 0usize;
    while let Some(prefix) = stack.pop() {
        let at = prefix.chars().count();
        let Some(&c) = chars.get(at) else {
            if prefix != code {
                let exact: Option<String> = probe
                    .query_row(params![prefix, format!("{prefix}\0")], |r| r.get(0))
                    .optional()?;
                if exact.is_some() {
                    return Ok(Some(prefix));
                }
            }
            continue;
        };
        let mut options = vec![c.to_ascii_uppercase(), c.to_ascii_lowercase()];
        options.dedup();
        for o in options {
            probes += 1;
            if probes > CASE_PROBES {
                return Ok(None);
            }
            let next = format!("{prefix}{o}");
            let some: Option<String> = probe
                .query_row(params![next, format!("{next}~")], |r| r.get(0))
                .optional()?;
            if some.is_some() {
                stack.push(next);
            }
        }
    }
    Ok(None)
}

/// What a redemption writes about a redeemable code.
struct Redeemable {
    code_id: i64,
    prev: CodeStatus,
    template_id: i64,
}

/// Checks a code inside the caller's transaction (or plain connection). Returns the
/// answer and, when the code is redeemable, the facts the redemption writes.
fn check_in(
    conn: &Connection,
    req: &RedeemRequest,
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<(RedeemCheck, Option<Redeemable>), RedeemError> {
    let typed = normalise_typed(&req.code);
    let code = typed.as_str();
    let mut check = RedeemCheck {
        code: code.to_owned(),
        refusal: None,
        ticket_type: None,
        status: None,
        template: None,
        order_fen: req.order_fen,
        reduction_fen: None,
        valid_from: None,
        valid_until: None,
        redemption: None,
    };
    let refuse = |mut check: RedeemCheck, r: Refusal| {
        check.refusal = Some(r);
        Ok((check, None))
    };
    if Code::parse(code).is_err() {
        return refuse(check, Refusal::Malformed);
    }
    let Some(found) = find(conn, code)? else {
        let r = match other_case(conn, code)? {
            Some(suggestion) => Refusal::WrongCase { suggestion },
            None => Refusal::Unknown,
        };
        return refuse(check, r);
    };
    check.ticket_type = Some(found.ticket_type.clone());
    check.status = Some(found.status);
    let Some(template_id) = found.template_id else {
        return refuse(
            check,
            Refusal::NotLinked {
                ticket_type: found.ticket_type,
            },
        );
    };
    let t = templates::draft(conn, template_id)?;
    check.template = Some(Box::new(TemplateBrief {
        id: template_id,
        kind: TemplateKind::of(&t.offer),
        title: t.title.clone(),
        brand_name: t.brand_name.clone(),
        offer: t.offer.clone(),
        notice: t.notice.clone(),
        accept_category: t.accept_category.clone(),
        reject_category: t.reject_category.clone(),
        can_use_with_other_discount: t.can_use_with_other_discount,
    }));
    if found.importing {
        return refuse(check, Refusal::StillImporting);
    }
    if found.status == CodeStatus::Redeemed {
        let live = live_redemption(conn, found.code_id)?;
        let r = match &live {
            Some(l) => Refusal::AlreadyUsed {
                at: l.redeemed_at,
                operator: l.operator.clone(),
                terminal: l.terminal.clone(),
            },
            // Redeemed elsewhere (a platform said so): no local row to show.
            None => Refusal::AlreadyUsed {
                at: from_ms(0),
                operator: String::new(),
                terminal: String::new(),
            },
        };
        check.redemption = live;
        return refuse(check, r);
    }
    let customer = req
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let customer_uses = match customer {
        Some(c) => Some(
            conn.prepare_cached(
                "SELECT count(*) FROM redemptions
                  WHERE template_id = ?1 AND customer = ?2 AND undone_at IS NULL",
            )?
            .query_row(params![template_id, c], |r| r.get::<_, i64>(0))?,
        ),
        None => None,
    };
    let facts = RedeemFacts {
        status: found.status,
        template: &t,
        issued_at: found.issued_at,
        customer_uses,
    };
    let d = decide(&facts, req.order_fen, now, &settings::clock(s));
    check.valid_from = d.valid_from;
    check.valid_until = d.valid_until;
    match d.verdict {
        Ok(reduction) => {
            check.reduction_fen = Some(reduction);
            Ok((
                check,
                Some(Redeemable {
                    code_id: found.code_id,
                    prev: found.status,
                    template_id,
                }),
            ))
        }
        Err(r) => refuse(check, r),
    }
}

pub fn check(
    conn: &Connection,
    req: &RedeemRequest,
    now: DateTime<Utc>,
) -> Result<RedeemCheck, RedeemError> {
    let s = settings::get(conn)?;
    Ok(check_in(conn, req, now, &s)?.0)
}

/// Who acts at which counter: the use case's acting staff member (`acting`) at this
/// terminal.
pub fn counter_of(s: &Settings) -> Counter {
    Counter {
        operator: super::acting::name(),
        terminal: super::acting::terminal(&s.terminal),
    }
}

/// Checks and, when the code is redeemable, redeems it: all in one write transaction.
pub fn redeem(
    conn: &mut Connection,
    req: &RedeemRequest,
    now: DateTime<Utc>,
) -> Result<RedeemOutcome, RedeemError> {
    redeem_gated(conn, req, now, None)
}

/// What a gate sees of a redemption about to be written (chain mode: the hub's claim).
pub struct GateFacts<'a> {
    /// The redemption's transaction, to read the desk's own facts (offline use today).
    pub conn: &'a Connection,
    pub code: &'a str,
    pub code_id: i64,
    pub template_id: i64,
    pub order_fen: Option<i64>,
    pub reduction_fen: i64,
    pub operator: &'a str,
    pub terminal: &'a str,
    pub shop_utc_offset_minutes: i32,
}

/// A gate's answer: go ahead with what the hub said, or refuse (the transaction is
/// rolled back and nothing is written).
pub type GateOutcome = Result<Result<HubMark, Refusal>, RedeemError>;

/// A last word before a redeemable code is written.
pub type Gate<'g> = &'g mut dyn FnMut(&GateFacts<'_>) -> GateOutcome;

/// `redeem`, with a gate asked under the write lock once the code is known redeemable
/// here (chain mode asks the hub there, `desk::hub_counter`). What the gate answers is
/// recorded with the redemption in the same transaction.
pub fn redeem_gated(
    conn: &mut Connection,
    req: &RedeemRequest,
    now: DateTime<Utc>,
    gate: Option<Gate<'_>>,
) -> Result<RedeemOutcome, RedeemError> {
    crate::test_hooks::watch_write_lock(conn);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let (check, facts) = check_in(&tx, req, now, &s)?;
    // Test-only (debug builds): between the decision and the write, under the lock.
    crate::test_hooks::pause("redeem", facts.is_some());
    let Some(Redeemable {
        code_id,
        prev,
        template_id,
    }) = facts
    else {
        return Ok(RedeemOutcome {
            check,
            redemption: None,
        });
    };
    let mark = match gate {
        None => None,
        Some(gate) => {
            let facts = GateFacts {
                conn: &tx,
                code: &check.code,
                code_id,
                template_id,
                order_fen: req.order_fen,
                reduction_fen: check.reduction_fen.unwrap_or(0),
                operator: &counter.operator,
                terminal: &counter.terminal,
                shop_utc_offset_minutes: s.shop_utc_offset_minutes,
            };
            match gate(&facts)? {
                Ok(mark) => Some(mark),
                Err(refusal) => {
                    let mut check = check;
                    check.refusal = Some(refusal);
                    return Ok(RedeemOutcome {
                        check,
                        redemption: None,
                    });
                }
            }
        }
    };
    // Offline, an issued code handed to a customer is usable: it passes through active
    // to redeemed in this one transaction, so the lifecycle's rules still hold.
    let through = if prev == CodeStatus::Issued {
        prev.transition(CodeStatus::Active)?
    } else {
        prev
    };
    through.transition(CodeStatus::Redeemed)?;
    let moved = tx
        .prepare_cached(
            "UPDATE codes SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![
            code_id,
            prev.to_db(),
            CodeStatus::Redeemed.to_db(),
            now.timestamp_millis()
        ])?;
    if moved != 1 {
        // Cannot happen under the write lock; refuse rather than double count.
        return Err(RedeemError::Transition(IllegalTransition {
            from: prev,
            to: CodeStatus::Redeemed,
        }));
    }
    let batch_id = code_id >> 32;
    add_count(&tx, batch_id, prev, -1)?;
    add_count(&tx, batch_id, CodeStatus::Redeemed, 1)?;
    let customer = req
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let undo_until = now + Duration::minutes(i64::from(s.undo_window_minutes));
    tx.prepare_cached(
        "INSERT INTO redemptions (code_id, template_id, prev_status, order_fen, reduction_fen,
           customer, operator, terminal, redeemed_at, undo_until, staff_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        code_id,
        template_id,
        prev.to_db(),
        req.order_fen,
        check.reduction_fen.unwrap_or(0),
        customer,
        counter.operator,
        counter.terminal,
        now.timestamp_millis(),
        undo_until.timestamp_millis(),
        super::acting::staff_id()
    ])?;
    let id = tx.last_insert_rowid();
    if let Some(mark) = &mark {
        hub_claims::mark(&tx, id, mark, now)?;
    }
    super::audit::record_at(
        &tx,
        &counter,
        "code.redeem",
        &check.code,
        &serde_json::json!({
            "redemption": id,
            "terminal": counter.terminal,
            "order_fen": req.order_fen,
            "reduction_fen": check.reduction_fen,
            "customer": customer,
            "template": template_id,
        }),
    )?;
    // A code an outside channel activated is now used: that channel must hear of it so
    // it cannot be used there too.
    announce(
        &tx,
        &counter.operator,
        prev,
        &check.code,
        batch_id,
        CodeStatus::Redeemed,
    )?;
    let redemption = tx
        .prepare_cached(&format!("{SELECT_REDEMPTION} WHERE r.id = ?1"))?
        .query_row([id], redemption_from_row)?;
    tx.commit()?;
    Ok(RedeemOutcome {
        check,
        redemption: Some(redemption),
    })
}

/// Undoes a redemption by its id, or the live redemption of a code.
/// `only_by`: the staff account that must have made the redemption (a cashier's undo);
/// none for staff who may undo anyone's.
pub fn undo(
    conn: &mut Connection,
    target: UndoTarget<'_>,
    only_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Redemption, RedeemError> {
    crate::test_hooks::watch_write_lock(conn);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let found = (|| -> Result<Redemption, RedeemError> {
        Ok(match target {
            UndoTarget::Id(id) => tx
                .prepare_cached(&format!("{SELECT_REDEMPTION} WHERE r.id = ?1"))?
                .query_row([id], redemption_from_row)
                .optional()?
                .ok_or(RedeemError::NotFound(id))?,
            UndoTarget::Code(code) => {
                let code = normalise_typed(code);
                let code = code.as_str();
                let found =
                    find(&tx, code)?.ok_or_else(|| RedeemError::CodeNotFound(code.into()))?;
                live_redemption(&tx, found.code_id)?
                    .ok_or_else(|| RedeemError::NotRedeemed(code.to_owned()))?
            }
        })
    })();
    // Test-only (debug builds): between the decision and the write, under the lock.
    crate::test_hooks::pause(
        "undo",
        matches!(&found, Ok(r) if r.undone_at.is_none() && now <= r.undo_until),
    );
    let r = found?;
    may_undo(&tx, "redemptions", &r, only_by, now)?;
    let (code_id, prev): (i64, i64) = tx.query_row(
        "SELECT code_id, prev_status FROM redemptions WHERE id = ?1",
        [r.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let prev = CodeStatus::from_db(prev).unwrap_or(CodeStatus::Issued);
    let moved = tx.execute(
        "UPDATE codes SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
        params![
            code_id,
            CodeStatus::Redeemed.to_db(),
            prev.to_db(),
            now.timestamp_millis()
        ],
    )?;
    if moved != 1 {
        return Err(RedeemError::NotRedeemed(r.code.clone()));
    }
    let batch_id = code_id >> 32;
    add_count(&tx, batch_id, CodeStatus::Redeemed, -1)?;
    add_count(&tx, batch_id, prev, 1)?;
    tx.execute(
        "UPDATE redemptions SET undone_at = ?2, undone_by = ?3 WHERE id = ?1",
        params![r.id, now.timestamp_millis(), counter.operator],
    )?;
    hub_claims::on_undo(&tx, r.id, now)?;
    super::audit::record_at(
        &tx,
        &counter,
        "code.redeem_undo",
        &r.code,
        &serde_json::json!({ "redemption": r.id, "terminal": counter.terminal }),
    )?;
    announce(&tx, &counter.operator, prev, &r.code, batch_id, prev)?;
    let r = tx
        .prepare_cached(&format!("{SELECT_REDEMPTION} WHERE r.id = ?1"))?
        .query_row([r.id], redemption_from_row)?;
    tx.commit()?;
    Ok(r)
}

/// The rules every undo keeps, coupon or bonus: `only_by` (a cashier) must have made it
/// (`table`'s `staff_id`), it is still live, and its undo window is open.
pub(super) fn may_undo(
    tx: &Connection,
    table: &str,
    r: &Redemption,
    only_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), RedeemError> {
    if let Some(staff) = only_by {
        let by: Option<i64> = tx.query_row(
            &format!("SELECT staff_id FROM {table} WHERE id = ?1"),
            [r.id],
            |row| row.get(0),
        )?;
        if by != Some(staff) {
            return Err(RedeemError::NotYours);
        }
    }
    if let Some(at) = r.undone_at {
        return Err(RedeemError::AlreadyUndone(at));
    }
    if now > r.undo_until {
        return Err(RedeemError::UndoWindowPassed(r.undo_until));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum UndoTarget<'a> {
    Id(i64),
    Code(&'a str),
}

/// Coupon and bonus redemptions together, newest first, undone ones included.
pub fn list(conn: &Connection, page: PageRequest) -> Result<Page<Redemption>, StoreError> {
    let total: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM redemptions) + (SELECT count(*) FROM bonus_redemptions)",
        [],
        |r| r.get(0),
    )?;
    let items = conn
        .prepare_cached(&format!(
            "{SELECT_REDEMPTION} UNION ALL {SELECT_BONUS_REDEMPTION}
             ORDER BY 12 DESC, 2 DESC LIMIT ?1 OFFSET ?2"
        ))?
        .query_map(
            params![page.per_page, page.offset() as i64],
            redemption_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, page, total.max(0) as u64))
}

/// One customer's redemptions (`customer` as the register keeps it, 11 digits), newest
/// first, undone ones included.
pub fn list_for_customer(
    conn: &Connection,
    customer: &str,
    page: PageRequest,
) -> Result<Page<Redemption>, StoreError> {
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM redemptions WHERE customer = ?1",
        [customer],
        |r| r.get(0),
    )?;
    let items = conn
        .prepare_cached(&format!(
            "{SELECT_REDEMPTION} WHERE r.customer = ?1 ORDER BY r.id DESC LIMIT ?2 OFFSET ?3"
        ))?
        .query_map(
            params![customer, page.per_page, page.offset() as i64],
            redemption_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, page, total.max(0) as u64))
}

/// Disables an issued or active code for good (lost, leaked, refunded).
pub fn disable(conn: &mut Connection, code: &str) -> Result<CodeStatus, RedeemError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let s = settings::get(&tx)?;
    let counter = counter_of(&s);
    let code = code.trim();
    let found = find(&tx, code)?.ok_or_else(|| RedeemError::CodeNotFound(code.into()))?;
    let to = found.status.transition(CodeStatus::Disabled)?;
    let now = super::now_ms();
    tx.execute(
        "UPDATE codes SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![found.code_id, to.to_db(), now],
    )?;
    // Chain mode: the hub hears of it too (nothing when the desk is not joined).
    super::hub_disables::queue(&tx, code, &counter.operator, now)?;
    add_count(&tx, found.code_id >> 32, found.status, -1)?;
    add_count(&tx, found.code_id >> 32, to, 1)?;
    super::audit::record_at(
        &tx,
        &counter,
        "code.disable",
        code,
        &serde_json::json!({ "from": found.status, "terminal": counter.terminal }),
    )?;
    announce(
        &tx,
        &counter.operator,
        found.status,
        code,
        found.code_id >> 32,
        to,
    )?;
    tx.commit()?;
    Ok(to)
}

/// Records a code's move to `status` when its status `before` the action makes it news
/// for the outside (`Change::announces`: it was activated by an outside channel).
/// For undo, `before` is the status the code returns to (it was that before the
/// redemption).
fn announce(
    tx: &Connection,
    who: &str,
    before: CodeStatus,
    code: &str,
    batch: i64,
    status: CodeStatus,
) -> Result<(), StoreError> {
    if Change::announces(before) {
        super::changes::append(
            tx,
            who,
            &Change::CodeStatusChanged {
                code: code.to_owned(),
                batch,
                status,
            },
        )?;
    }
    Ok(())
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let now = Utc::now();
        let illegal = IllegalTransition {
            from: CodeStatus::Redeemed,
            to: CodeStatus::Active,
        };
        assert_codes(vec![
            (RedeemError::NotFound(1), "redemption_not_found"),
            (RedeemError::NotRedeemed("C1".into()), "code_not_redeemed"),
            (RedeemError::AlreadyUndone(now), "redemption_already_undone"),
            (RedeemError::UndoWindowPassed(now), "undo_window_passed"),
            (RedeemError::CodeNotFound("C1".into()), "code_not_found"),
            (RedeemError::Transition(illegal), "illegal_transition"),
            (
                RedeemError::Template(TemplateError::NotFound(1)),
                "template_not_found",
            ),
            (
                RedeemError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
