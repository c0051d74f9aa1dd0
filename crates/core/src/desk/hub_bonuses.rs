//! Bonuses between desks (docs/chain-mode.md, "Bonuses"): the upload of what this desk
//! made or changed (`store::hub_bonuses`' queue) and the apply of the hub's `bonus`
//! changes.
//!
//! What must stay true:
//! - made bonuses go up before states (a state names a bonus the hub must have), in
//!   chunks of `BONUS_CHUNK` (a bonus run makes thousands);
//! - a queue row is deleted only after the hub committed it, so a pull cut mid-upload
//!   sends it again (every hub call is a harmless repeat);
//! - a change is applied with the hub's current row, not the change's body.

use chrono::{DateTime, Utc};

use super::hub_session::Linked;
use super::{Desk, DeskResult};
use crate::domain::bonus::{BonusCheck, BonusOutcome, BonusRedeemRequest, BonusRefusal};
use crate::hub::bonuses::{self, BonusUse, HubBonus};
use crate::hub::{Hub, HubError};
use crate::store::bonuses as store_bonuses;
use crate::store::hub_bonuses::{self, BonusRow, BonusUseRow, Pending};
use crate::store::hub_offline_uses::{self, HubUseKind};
use crate::store::hub_use_conflicts::{self, KeptUse};

/// Bonuses sent to the hub in one call.
const BONUS_CHUNK: usize = 1000;

/// Why no bonus went up: the hub's schema predates them. The queue stays.
const OLD_HUB: &str = "bonuses wait here: the hub's schema is older than version 6; run \
    `coupondesk hub init` with an administrator's URL to update it";

/// What bonuses moved, each way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct BonusesMoved {
    /// Bonuses made here, new at the hub; grants, uses and disables made here the hub took.
    pub up: u64,
    pub states_up: u64,
    /// Uses made here the hub refused because another desk's came first (now in the use
    /// conflicts).
    pub conflicts: u64,
    /// Bonuses of other desks now here, and bonuses here changed by another desk's word.
    pub down: u64,
    /// What was not applied or was refused, each with why.
    pub notes: Vec<String>,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn to_hub(b: &BonusRow) -> HubBonus {
    HubBonus {
        code: b.code.clone(),
        amount_fen: b.amount_fen,
        min_amount_fen: b.min_amount_fen,
        expired_at: b.expired_at_ms.map(at),
        xname: b.xname.clone(),
        product_sku: b.product_sku.clone(),
        created_at: at(b.created_at_ms),
        status: String::new(),
        granted: None,
        used: None,
    }
}

fn from_hub(b: HubBonus) -> BonusRow {
    BonusRow {
        status: match b.status.as_str() {
            "redeemed" => 2,
            "disabled" => 3,
            _ => 1,
        },
        code: b.code,
        amount_fen: b.amount_fen,
        min_amount_fen: b.min_amount_fen,
        expired_at_ms: b.expired_at.map(ms),
        xname: b.xname,
        product_sku: b.product_sku,
        created_at_ms: ms(b.created_at),
        granted: b.granted.map(|(p, t)| (p, ms(t))),
        used_elsewhere: b.used.is_some(),
        used: b.used.map(|u| BonusUseRow {
            at_ms: ms(u.at),
            order_fen: u.order_fen,
            product_sku: u.product_sku,
            by: u.by,
            terminal: u.terminal,
        }),
    }
}

impl Desk {
    /// Uploads the queue (`join`: everything this desk has).
    pub(super) fn push_bonuses(&self, hub: &Hub, join: bool) -> DeskResult<BonusesMoved> {
        let mut moved = BonusesMoved::default();
        if !hub.call(async |c| bonuses::available(c).await)? {
            if join || !hub_bonuses::pending(&self.conn())?.is_empty() {
                moved.notes.push(OLD_HUB.to_owned());
            }
            return Ok(moved);
        }
        if join {
            hub_bonuses::queue_all(&self.conn())?;
        }
        let pending = hub_bonuses::pending(&self.conn())?;
        let (made, states): (Vec<Pending>, Vec<Pending>) =
            pending.into_iter().partition(|p| !p.state);
        for chunk in made.chunks(BONUS_CHUNK) {
            let mut rows = Vec::with_capacity(chunk.len());
            for p in chunk {
                if let Some(b) = hub_bonuses::bonus_out(&self.conn(), p.id)? {
                    rows.push(to_hub(&b));
                }
            }
            moved.up += hub.call(async |c| bonuses::put_bonuses(c, &rows).await)?;
            let conn = self.conn();
            for p in chunk {
                hub_bonuses::sent(&conn, p)?;
            }
        }
        for p in states {
            let out = hub_bonuses::bonus_out(&self.conn(), p.id)?;
            if let Some(b) = out {
                self.push_bonus_state(hub, p.id, &b, &mut moved)?;
            }
            hub_bonuses::sent(&self.conn(), &p)?;
        }
        Ok(moved)
    }

    /// Sends this desk's grant, use or disable of one bonus (the bonus first: a repeat
    /// is harmless). A use the hub refuses because another desk used it first (possible
    /// when a manager allowed offline use) is a use conflict, with the kept use's order
    /// read from the hub's row in the same call.
    fn push_bonus_state(
        &self,
        hub: &Hub,
        id: i64,
        b: &BonusRow,
        moved: &mut BonusesMoved,
    ) -> DeskResult<()> {
        let made = to_hub(b);
        let code = b.code.as_str();
        let took = hub.call(async |c| {
            bonuses::put_bonuses(c, std::slice::from_ref(&made)).await?;
            let mut took = false;
            let mut released = false;
            if let Some((phone, t)) = &b.granted {
                let now = bonuses::grant_bonus(c, code, phone, at(*t)).await?;
                took |= now.as_deref() == Some(phone.as_str());
            }
            let answer = match (&b.used, b.status, b.used_elsewhere) {
                (Some(u), 2, false) => {
                    let answer = bonuses::use_bonus(
                        c,
                        code,
                        at(u.at_ms),
                        u.order_fen,
                        u.product_sku.as_deref(),
                        &u.by,
                    )
                    .await?;
                    let kept_order = match answer {
                        BonusUse::UsedElsewhere { .. } => {
                            bonuses::bonuses_of(c, &[code.to_owned()])
                                .await?
                                .into_iter()
                                .next()
                                .and_then(|h| h.used)
                                .and_then(|u| u.order_fen)
                        }
                        _ => None,
                    };
                    Some((answer, kept_order))
                }
                (_, 3, _) => {
                    bonuses::disable_bonus(c, code).await?;
                    None
                }
                // Active here after a use went up (undone, or a local commit that
                // failed): this terminal's use at the hub is given back.
                (None, 1, _) => {
                    if bonuses::release_bonus(c, code).await? {
                        released = true;
                    }
                    None
                }
                _ => None,
            };
            Ok::<_, crate::hub::HubError>((took || released, answer))
        })?;
        let (granted, answer) = took;
        match answer {
            Some((
                BonusUse::UsedElsewhere {
                    by,
                    at,
                    terminal,
                    store,
                },
                kept_order,
            )) => {
                let kept = KeptUse {
                    by: &by,
                    terminal: &terminal,
                    store: &store,
                    at_ms: ms(at),
                    amount_fen: kept_order,
                };
                if hub_use_conflicts::record(&self.conn(), HubUseKind::Bonus, id, &kept)? {
                    moved.conflicts += 1;
                    moved.notes.push(format!(
                        "bonus {code} was used here and at {terminal} ({store}) by {by} at \
                         {at}: the hub keeps that use; this one is in the use conflicts"
                    ));
                }
            }
            Some((BonusUse::Disabled, _)) => moved.notes.push(format!(
                "bonus {code} was used here but is disabled at the hub"
            )),
            Some((BonusUse::Taken, _)) | None if granted || b.status != 1 => moved.states_up += 1,
            _ => {}
        }
        Ok(())
    }

    /// Applies the hub's current rows of these bonus codes (one pull page's `bonus`
    /// changes): one hub query, one local transaction.
    pub(super) fn pull_bonuses(
        &self,
        hub: &Hub,
        codes: &[String],
        moved: &mut BonusesMoved,
    ) -> DeskResult<()> {
        if codes.is_empty() {
            return Ok(());
        }
        let rows = hub.call(async |c| bonuses::bonuses_of(c, codes).await)?;
        self.apply_hub_bonuses(rows, moved)
    }

    fn apply_hub_bonuses(&self, rows: Vec<HubBonus>, moved: &mut BonusesMoved) -> DeskResult<()> {
        let rows: Vec<BonusRow> = rows.into_iter().map(from_hub).collect();
        let done = hub_bonuses::apply_bonuses(&mut self.conn(), &rows)?;
        moved.down += done.created + done.changed;
        moved.notes.extend(done.refused);
        Ok(())
    }

    /// The join's download: every hub bonus.
    pub(super) fn pull_all_bonuses(&self, hub: &Hub, moved: &mut BonusesMoved) -> DeskResult<()> {
        if !hub.call(async |c| bonuses::available(c).await)? {
            return Ok(());
        }
        let rows = hub.call(async |c| bonuses::bonuses(c).await)?;
        for chunk in rows.chunks(BONUS_CHUNK) {
            self.apply_hub_bonuses(chunk.to_vec(), moved)?;
        }
        Ok(())
    }
}

impl Desk {
    /// After an undo here: this terminal's use of bonus `code` is given back at the hub
    /// now. The undo queued its state (migration 23's trigger), so a hub that does not
    /// answer gets the release with the next pull; when this one lands, the queued one
    /// finds nothing to release. Nothing when the desk is not joined.
    pub(super) fn release_bonus_now(&self, code: &str) -> DeskResult<()> {
        let Some(linked) = self.linked_hub()? else {
            return Ok(());
        };
        if linked.rest.resting() {
            return Ok(());
        }
        let _ = linked
            .hub
            .call(async |c| bonuses::release_bonus(c, code).await);
        Ok(())
    }

    /// A check at a joined desk: the desk's own rules, then, for a bonus it would take,
    /// the hub's row (one read within the deadline): used at another desk (who, where,
    /// when) or disabled there since the last pull. No answer leaves the desk's word (the
    /// use itself is refused offline).
    pub(super) fn check_bonus_chained(&self, linked: &Linked, mut check: BonusCheck) -> BonusCheck {
        if check.refusal.is_some() || linked.rest.resting() {
            return check;
        }
        let Some(code) = check.bonus.as_ref().map(|b| b.code.clone()) else {
            return check;
        };
        let codes = [code];
        let Ok(rows) = linked
            .hub
            .call(async |c| bonuses::bonuses_of(c, &codes).await)
        else {
            return check;
        };
        let Some(row) = rows.into_iter().next() else {
            return check;
        };
        let refusal = match (row.status.as_str(), row.used) {
            ("redeemed", Some(u))
                if !(u.terminal == linked.terminal && u.store == linked.store) =>
            {
                Some(BonusRefusal::UsedElsewhere {
                    at: u.at,
                    operator: u.by,
                    terminal: u.terminal,
                    store: u.store,
                })
            }
            ("disabled", _) => Some(BonusRefusal::Disabled),
            _ => None,
        };
        if refusal.is_some() {
            check.refusal = refusal;
            check.reduction_fen = None;
        }
        check
    }

    /// A bonus's use at a joined desk (docs/chain-mode.md, "Bonuses"): the desk's own
    /// rules first, then one conditional UPDATE at the hub (`use_bonus`; a repeat by this
    /// terminal is the same use, so `again_if_dropped` may send it twice), then the local
    /// commit. What must stay true:
    /// - another desk's use (or a disable) at the hub refuses it, with who, where, when;
    /// - no answer within the deadline refuses it (a bonus is money) unless a manager
    ///   has allowed offline bonus use (`store::hub_offline_uses`): then it is decided
    ///   here, and the push sends it (`use_bonus`; its double a use conflict);
    /// - a use the hub took whose local commit fails is given back (`release_bonus`),
    ///   now, or queued (`hub_bonuses_out`) for the next pull when the hub is gone.
    pub(super) fn redeem_bonus_chained(
        &self,
        linked: Option<&Linked>,
        req: &BonusRedeemRequest,
    ) -> DeskResult<BonusOutcome> {
        let now = Utc::now();
        let mut check = store_bonuses::check(&self.conn(), req, now)?;
        let Some(bonus) = check.bonus.clone().filter(|_| check.refusal.is_none()) else {
            return Ok(BonusOutcome {
                check,
                redeemed: None,
            });
        };
        let operator = crate::store::acting::name();
        let sku = req
            .product_sku
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let answer = match linked {
            None => Err(HubError::Offline("the hub cannot be opened here".into())),
            Some(l) if l.rest.resting() => {
                Err(HubError::Offline("the hub missed its last deadline".into()))
            }
            Some(l) => l.hub.again_if_dropped(|| {
                l.hub.call(async |c| {
                    bonuses::use_bonus(c, &bonus.code, now, Some(req.order_fen), sku, &operator)
                        .await
                })
            }),
        };
        if let Some(l) = linked {
            match &answer {
                Err(HubError::Offline(_)) => l.rest.missed(),
                Err(_) => {}
                Ok(_) => l.rest.answered(),
            }
        }
        let taken_at_hub = matches!(answer, Ok(BonusUse::Taken));
        let refusal = match answer {
            // Taken at the hub; or not there yet (made here since the last push: no
            // other desk can know it), decided here and sent with the next push.
            Ok(BonusUse::Taken) | Ok(BonusUse::Unknown) => None,
            Ok(BonusUse::UsedElsewhere {
                by,
                at,
                terminal,
                store,
            }) => Some(BonusRefusal::UsedElsewhere {
                at,
                operator: by,
                terminal,
                store,
            }),
            Ok(BonusUse::Disabled) => Some(BonusRefusal::Disabled),
            // No answer: decided here when a manager allows it; the use is queued by the
            // local trigger (`hub_bonuses_out`) and goes up with the next push.
            Err(_) if hub_offline_uses::allowed(&self.conn(), HubUseKind::Bonus)? => None,
            Err(_) => Some(BonusRefusal::OfflineNotAllowed),
        };
        if let Some(r) = refusal {
            check.refusal = Some(r);
            check.reduction_fen = None;
            return Ok(BonusOutcome {
                check,
                redeemed: None,
            });
        }
        let out = {
            let _turn = crate::store::counter_lane::CounterTurn::take(&self.path);
            store_bonuses::redeem(&mut self.conn(), req, now)
        };
        let written = matches!(&out, Ok(o) if o.redeemed.is_some());
        if let (false, true, Some(l)) = (written, taken_at_hub, linked) {
            // Taken at the hub, not written here: give it back, now or with the next pull.
            let released = l
                .hub
                .call(async |c| bonuses::release_bonus(c, &bonus.code).await);
            if released.is_err() {
                let _ = hub_bonuses::queue_state(&self.conn(), bonus.id);
            }
        }
        Ok(out?)
    }
}
