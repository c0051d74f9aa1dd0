//! Undoing a bonus redemption at the counter, within the same undo window and under the
//! same rules as a coupon's (`redemptions::may_undo`): a cashier only their own.
//!
//! What must stay true:
//! - one IMMEDIATE transaction: the redemption row is marked undone, then the bonus goes
//!   back to unused (its `used_*` facts cleared, `updated_at` = the row's `undone_at`, which
//!   the trigger `bonuses_final` checks), and `bonus.redeem_undo` is audited;
//! - nothing is queued for a platform. Spec 002 (bonuses) has no call that marks a bonus
//!   used or unused, and a local redemption is never sent, so the platform never heard of
//!   it; a bonus a platform reported used has no local redemption row and cannot be undone
//!   here (docs/bonuses-and-vouchers.md).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::redemptions::{
    counter_of, may_undo, redemption_from_row, RedeemError, UndoTarget, SELECT_BONUS_REDEMPTION,
};
use super::settings;
use crate::domain::bonus::normalise_code;
use crate::domain::lifecycle::CodeStatus;
use crate::domain::redeem::Redemption;

/// Undoes a bonus redemption: `Id` names the redemption row (the window's 最近核销),
/// `Code` the bonus whose live redemption it is (the CLI's `bonus undo CODE`). `only_by`:
/// the staff account that must have made it (a cashier's undo); none for staff who may
/// undo anyone's.
pub fn undo(
    conn: &mut Connection,
    target: UndoTarget<'_>,
    only_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Redemption, RedeemError> {
    crate::test_hooks::watch_write_lock(conn);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let counter = counter_of(&settings::get(&tx)?);
    let one = format!("{SELECT_BONUS_REDEMPTION} WHERE r.id = ?1");
    let r = match target {
        UndoTarget::Id(id) => tx
            .prepare_cached(&one)?
            .query_row([id], redemption_from_row)
            .optional()?
            .ok_or(RedeemError::NotFound(id))?,
        UndoTarget::Code(typed) => {
            let code = normalise_code(typed);
            let bonus: Option<i64> = tx
                .prepare_cached("SELECT id FROM bonuses WHERE code = ?1")?
                .query_row([&code], |r| r.get(0))
                .optional()?;
            let bonus = bonus.ok_or_else(|| RedeemError::BonusNotFound(code.clone()))?;
            tx.prepare_cached(&format!(
                "{SELECT_BONUS_REDEMPTION} WHERE r.bonus_id = ?1 AND r.undone_at IS NULL"
            ))?
            .query_row([bonus], redemption_from_row)
            .optional()?
            .ok_or(RedeemError::NotRedeemed(code))?
        }
    };
    let id = r.id;
    may_undo(&tx, "bonus_redemptions", &r, only_by, now)?;
    // The row first: the trigger `bonuses_final` lets a used bonus back to unused only
    // beside a redemption undone at the very instant of the change (migration 10).
    tx.execute(
        "UPDATE bonus_redemptions SET undone_at = ?2, undone_by = ?3 WHERE id = ?1",
        params![id, now.timestamp_millis(), counter.operator],
    )?;
    let moved = tx.execute(
        "UPDATE bonuses SET status = ?2, used_at = NULL, used_order_fen = NULL,
                used_product_sku = NULL, used_by = NULL, used_terminal = NULL, updated_at = ?3
          WHERE id = (SELECT bonus_id FROM bonus_redemptions WHERE id = ?1) AND status = ?4",
        params![
            id,
            CodeStatus::Active.to_db(),
            now.timestamp_millis(),
            CodeStatus::Redeemed.to_db()
        ],
    )?;
    if moved != 1 {
        return Err(RedeemError::NotRedeemed(r.code.clone()));
    }
    super::audit::record_at(
        &tx,
        &counter,
        "bonus.redeem_undo",
        &r.code,
        &serde_json::json!({
            "redemption": id,
            "terminal": counter.terminal,
            "reduction_fen": r.reduction_fen,
        }),
    )?;
    let r = tx
        .prepare_cached(&one)?
        .query_row([id], redemption_from_row)?;
    tx.commit()?;
    Ok(r)
}
