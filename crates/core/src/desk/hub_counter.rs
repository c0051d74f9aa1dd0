//! The counter in chain mode (docs/chain-mode.md, "Redemption across desks"): a
//! redemption first claims the code at the hub, then commits locally; when the hub does
//! not answer within its deadline the desk decides by the template's offline policy and
//! uploads the redemption later (`hub_push`).
//!
//! What must stay true:
//! - the claim is asked under the local write lock, after the desk's own rules passed
//!   (`store::redemptions::redeem_gated`), so a code refused here never reaches the hub
//!   and two windows of one desk cannot both claim;
//! - a claim the hub granted for a redemption that then failed to commit locally is
//!   released (at once, or queued): the code must not stay blocked at the hub;
//! - every offline redemption is in the hub outbox from the moment it commits.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::hub_session::Linked;
use super::{Desk, DeskError, DeskResult};
use crate::domain::offline::{OfflinePolicy, OfflineRefusal};
use crate::domain::redeem::{RedeemCheck, RedeemOutcome, RedeemRequest, Refusal};
use crate::domain::staff::Permission;
use crate::hub::claims::{self, ClaimAnswer, ClaimRequest, Holder};
use crate::hub::disables::{self, DisableAnswer};
use crate::hub::voucher_claims;
use crate::hub::{Hub, HubError};
use crate::store::hub_claims::{self, HubConflict, HubMark, KeptClaim, Outbound};
use crate::store::hub_disables;
use crate::store::redemptions::{self, GateFacts, GateOutcome};
use crate::store::templates::{self, TemplateError};

/// What one push of the hub outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubPushReport {
    pub uploaded: u32,
    pub conflicts: u32,
    pub released: u32,
    /// Claims a crash had left at the hub without a redemption here, now released.
    pub orphans_released: u32,
    /// Codes leased to this terminal now (refreshed from the hub by each push).
    pub leased: u32,
    /// Codes disabled here, now disabled at the hub too.
    pub disabled: u32,
    /// Codes disabled here that a claim at the hub already held (redeemed at some desk):
    /// the hub keeps the redemption, this desk its disable.
    pub disabled_too_late: u32,
    /// Rows left queued (offline, or codes the hub does not know yet).
    pub left: u32,
    /// Why the push stopped early, when it did (the hub stopped answering).
    pub stopped: Option<String>,
    /// The platform desk's exchange (desk/hub_relay.rs): records relayed, taken, routed.
    pub relay: super::hub_relay::RelayReport,
}

impl Desk {
    /// A redemption at a desk joined to a hub.
    /// `linked` is None when the desk is joined but its hub cannot even be opened (its
    /// password unreadable, its URL broken): the counter then decides as if the hub did
    /// not answer, rather than stop.
    pub(super) fn redeem_chained(
        &self,
        linked: Option<&Linked>,
        req: &RedeemRequest,
    ) -> DeskResult<RedeemOutcome> {
        let now = Utc::now();
        let mut claimed: Option<String> = None;
        let mut gate = |f: &GateFacts<'_>| gate(linked, f, now, &mut claimed);
        let out = self.recording(|c| redemptions::redeem_gated(c, req, now, Some(&mut gate)));
        if let (Err(_), Some(claim_id), Some(linked)) = (&out, &claimed, linked) {
            // Claimed at the hub, not written here: give the code back, now or later.
            if claims::release(&linked.hub, claim_id).is_err() {
                let _ = hub_claims::queue_release(&self.conn(), claim_id, now);
            }
        }
        let mut out = out?;
        if let Some(linked) = linked {
            used_where(linked, &mut out.check);
        }
        Ok(out)
    }

    /// A check at a joined desk: the desk's own rules, then the hub's word: for a code
    /// the desk knows as used elsewhere (a pull brought the hub's status), who used it,
    /// where and when; for a code the desk would redeem, whether the hub has it used,
    /// leased or disabled since the last pull (`free_at_hub`).
    pub(super) fn redeem_check_chained(
        &self,
        linked: &Linked,
        mut check: RedeemCheck,
    ) -> RedeemCheck {
        used_where(linked, &mut check);
        free_at_hub(linked, &mut check);
        check
    }

    /// Sends the hub outbox, oldest first: offline redemptions to upload, undone claims
    /// to release. Stops at the first call the hub does not answer; what is left stays
    /// queued for the next push.
    pub fn hub_push(&self) -> DeskResult<HubPushReport> {
        let _who = self.act(Permission::SyncRun)?;
        let Some(linked) = self.linked_hub()? else {
            return Err(crate::hub::HubError::NotJoined.into());
        };
        self.push_to(&linked.hub)
    }

    /// The window's periodic push (`sync_background`): the desk's own work, as the
    /// platforms' sync is; nothing when the desk is not joined to a hub.
    pub(super) fn hub_push_background(&self) -> DeskResult<Option<HubPushReport>> {
        match self.linked_hub()? {
            Some(linked) => Ok(Some(self.push_to(&linked.hub)?)),
            None => Ok(None),
        }
    }

    fn push_to(&self, hub: &Hub) -> DeskResult<HubPushReport> {
        let mut report = HubPushReport::default();
        if let Err(e) = self.sweep_orphans(hub, &mut report) {
            report.stopped = Some(e.to_string());
            report.left = u32::try_from(self.hub_queued()?).unwrap_or(u32::MAX);
            return Ok(report);
        }
        let mut after = 0;
        'pages: loop {
            let rows = hub_claims::outgoing(&self.conn(), after, 200)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in &rows {
                let sent = match &row.op {
                    Outbound::Upload(up) => claims::claim(
                        hub,
                        &ClaimRequest {
                            code: &up.code,
                            claim_id: &row.claim_id,
                            staff: &up.operator,
                            at: up.at,
                            order_fen: up.order_fen,
                            reduction_fen: up.reduction_fen,
                            online: false,
                        },
                    )
                    .map(Some),
                    Outbound::Release => claims::release(hub, &row.claim_id).map(|_| None),
                    Outbound::VoucherRelease { at } => {
                        // Used here again since (the hub's claim, this terminal's, is
                        // that use now): the release must not go.
                        if hub_claims::voucher_used_here(&self.conn(), &row.claim_id)? {
                            hub_claims::released(&self.conn(), row)?;
                            continue;
                        }
                        voucher_claims::release(hub, &row.claim_id, *at).map(|_| None)
                    }
                };
                let conn = self.conn();
                match (sent, &row.op) {
                    (Ok(None), _) => {
                        hub_claims::released(&conn, row)?;
                        report.released += 1;
                    }
                    (Ok(Some(ClaimAnswer::Claimed)), Outbound::Upload(up)) => {
                        hub_claims::uploaded(&conn, row, up.redemption)?;
                        report.uploaded += 1;
                    }
                    (Ok(Some(ClaimAnswer::Conflict { reason, holder })), Outbound::Upload(up)) => {
                        hub_claims::conflicted(&conn, row, up, &reason, &kept(holder), Utc::now())?;
                        report.conflicts += 1;
                    }
                    (Ok(Some(ClaimAnswer::Unknown)), _) => {
                        hub_claims::failed(
                            &conn,
                            row.id,
                            "the hub has no such code yet: its batch has not reached the hub",
                        )?;
                    }
                    (Ok(Some(other)), _) => {
                        hub_claims::failed(&conn, row.id, &format!("unexpected answer {other:?}"))?;
                    }
                    (Err(e), _) => {
                        hub_claims::failed(&conn, row.id, &e.to_string())?;
                        report.stopped = Some(e.to_string());
                        break 'pages;
                    }
                }
            }
        }
        if report.stopped.is_none() {
            if let Err(e) = self.push_disables(hub, &mut report) {
                report.stopped = Some(e.to_string());
            }
        }
        // Last, so the codes just uploaded are no longer listed as leased and usable.
        if report.stopped.is_none() {
            if let Err(e) = self.refresh_leased(hub, &mut report) {
                report.stopped = Some(e.to_string());
            }
        }
        if report.stopped.is_none() {
            match self.relay_exchange(hub) {
                Ok(relay) => report.relay = relay,
                Err(DeskError::Hub(e)) => report.stopped = Some(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        report.left = u32::try_from(self.hub_queued()?).unwrap_or(u32::MAX);
        Ok(report)
    }

    /// What waits for the hub here: uploads, releases and disables.
    pub(super) fn hub_queued(&self) -> DeskResult<u64> {
        let conn = self.conn();
        Ok(hub_claims::outgoing_count(&conn)? + hub_disables::count(&conn)?)
    }

    /// Sends the disables made here (docs/chain-mode.md, "Disables"), oldest first;
    /// stops at the first the hub does not answer. A code the hub does not know yet stays
    /// queued (its batch goes up with the next pull).
    fn push_disables(&self, hub: &Hub, report: &mut HubPushReport) -> DeskResult<()> {
        let queued = hub_disables::queued(&self.conn(), 10_000)?;
        for d in queued {
            match hub.again_if_dropped(|| disables::disable(hub, &d.code, &d.staff, d.at)) {
                Ok(DisableAnswer::Disabled) | Ok(DisableAnswer::Expired) => {
                    hub_disables::sent(&self.conn(), &d.code)?;
                    report.disabled += 1;
                }
                Ok(DisableAnswer::Redeemed) => {
                    hub_disables::sent(&self.conn(), &d.code)?;
                    report.disabled_too_late += 1;
                }
                Ok(DisableAnswer::Unknown) => hub_disables::failed(
                    &self.conn(),
                    &d.code,
                    "the hub has no such code yet: its batch has not reached the hub",
                )?,
                Err(e) => {
                    hub_disables::failed(&self.conn(), &d.code, &e.to_string())?;
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    /// After a disable at the counter: sends it to the hub at once when the hub answers
    /// (so the other desks' checks refuse the code now, not at the next push); on any
    /// failure it stays queued for the push. Never fails the disable, which is done.
    pub(super) fn hub_disable_now(&self) {
        let Ok(Some(linked)) = self.linked_hub() else {
            return;
        };
        if linked.rest.resting() {
            return;
        }
        let mut report = HubPushReport::default();
        match self.push_disables(&linked.hub, &mut report) {
            Err(DeskError::Hub(HubError::Offline(_))) => linked.rest.missed(),
            Err(_) => {}
            Ok(()) => linked.rest.answered(),
        }
    }

    /// Releases this terminal's claims that no redemption here carries: a process killed
    /// between the hub's commit of a claim and its own commit leaves one, and the code
    /// would stay used at the hub with no redemption anywhere.
    ///
    /// The hub is asked first, outside the local lock, so the counter never waits on it.
    /// The comparison then runs under the local write lock, which every claim holds from
    /// before it is sent until its local commit: each claim the hub listed has committed
    /// here by then, or never will. The releases (rare: one per crash) are sent under the
    /// lock too, so the next scan cannot adopt a claim while it is being released.
    fn sweep_orphans(&self, hub: &Hub, report: &mut HubPushReport) -> DeskResult<()> {
        /// Claims received at the hub shortly before the last sweep's clock reading may
        /// have committed after it.
        const MARGIN_MS: i64 = 60_000;
        let since = (hub_claims::swept_hub_ms(&self.conn())? - MARGIN_MS).max(0);
        let since = DateTime::<Utc>::from_timestamp_millis(since).unwrap_or_default();
        // The push's first call: the one that meets a connection an outage dropped.
        let mine = hub.again_if_dropped(|| claims::my_claims(hub, since))?;
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(crate::store::StoreError::from)?;
        for (claim_id, _code) in mine.claims {
            if !hub_claims::known_claim(&tx, &claim_id)? {
                claims::release(hub, &claim_id)?;
                report.orphans_released += 1;
            }
        }
        hub_claims::set_swept_hub_ms(&tx, mine.hub_now.timestamp_millis())?;
        tx.commit().map_err(crate::store::StoreError::from)?;
        Ok(())
    }

    /// The conflict inbox: offline redemptions the hub found another had first.
    pub fn hub_conflicts(&self) -> DeskResult<Vec<HubConflict>> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(hub_claims::conflicts(&self.conn())?)
    }

    /// A manager records how a conflict was settled (e.g. "customer paid the difference").
    pub fn hub_conflict_settle(&self, id: i64, settlement: &str) -> DeskResult<bool> {
        let _who = self.act(Permission::Conflicts)?;
        Ok(hub_claims::settle(&mut self.conn(), id, settlement.trim())?)
    }

    /// A template's offline policy (reading: no login, like the template itself).
    pub fn template_offline_policy(&self, template: i64) -> DeskResult<OfflinePolicy> {
        let conn = self.conn();
        templates::get(&conn, template)?;
        Ok(hub_claims::offline_policy(&conn, template)?)
    }

    pub fn set_template_offline_policy(
        &self,
        template: i64,
        policy: OfflinePolicy,
    ) -> DeskResult<OfflinePolicy> {
        let _who = self.act(Permission::Templates)?;
        let policy = policy.validated()?;
        if !hub_claims::set_offline_policy(&mut self.conn(), template, policy)? {
            return Err(TemplateError::NotFound(template).into());
        }
        Ok(policy)
    }
}

/// A code the desk refuses as used with no redemption of its own (its status came from
/// the hub's pull) is refused with the hub's who, where and when, as a claim refused at
/// the hub is. Asked within the deadline, and not while the counter rests after a missed
/// one; without an answer the refusal stays as it was.
fn used_where(linked: &Linked, check: &mut RedeemCheck) {
    let elsewhere = matches!(
        &check.refusal,
        Some(Refusal::AlreadyUsed { operator, terminal, .. })
            if operator.is_empty() && terminal.is_empty()
    );
    if !elsewhere || linked.rest.resting() {
        return;
    }
    match linked
        .hub
        .again_if_dropped(|| claims::holder(&linked.hub, &check.code))
    {
        Ok(Some(h)) => {
            if let Some(at) = h.at {
                check.refusal = Some(Refusal::UsedElsewhere {
                    at,
                    operator: h.staff.unwrap_or_default(),
                    terminal: h.terminal.unwrap_or_default(),
                    store: h.store.unwrap_or_default(),
                });
            }
        }
        Ok(None) => {}
        Err(HubError::Offline(_)) => linked.rest.missed(),
        Err(_) => {}
    }
}

/// A code the desk would redeem is checked at the hub too (a read within the deadline),
/// so the check says what the redemption's claim would: used at another counter, leased
/// to another, or disabled there. A code this terminal holds (a claim a crash left, a
/// lease of its own), a code the hub does not know yet, or no answer: the check stands
/// as the desk's rules gave it, and the redemption decides (online claim or policy).
fn free_at_hub(linked: &Linked, check: &mut RedeemCheck) {
    if check.refusal.is_some() || linked.rest.resting() {
        return;
    }
    let standing = match linked
        .hub
        .again_if_dropped(|| claims::standing(&linked.hub, &check.code))
    {
        Ok(Some(s)) => {
            linked.rest.answered();
            s
        }
        Ok(None) => return,
        Err(HubError::Offline(_)) => {
            linked.rest.missed();
            return;
        }
        Err(_) => return,
    };
    let mine = |h: &Holder| {
        h.terminal.as_deref() == Some(linked.terminal.as_str())
            && h.store.as_deref() == Some(linked.store.as_str())
    };
    check.refusal = match (standing.status.as_str(), standing.claim, standing.lease) {
        ("redeemed", Some(h), _) if !mine(&h) => Some(Refusal::UsedElsewhere {
            at: h.at.unwrap_or_else(Utc::now),
            operator: h.staff.unwrap_or_default(),
            terminal: h.terminal.unwrap_or_default(),
            store: h.store.unwrap_or_default(),
        }),
        ("disabled" | "expired", _, _) => Some(Refusal::Disabled),
        ("issued" | "active", _, Some(l)) if !mine(&l) => Some(Refusal::LeasedElsewhere {
            terminal: l.terminal.unwrap_or_default(),
            store: l.store.unwrap_or_default(),
        }),
        _ => None,
    };
}

fn kept(h: Holder) -> KeptClaim {
    KeptClaim {
        staff: h.staff,
        terminal: h.terminal,
        store: h.store,
        at: h.at,
    }
}

/// The hub's word on one redeemable code, asked under the local write lock (not while
/// the counter rests after a missed deadline: then the desk decides alone at once).
fn gate(
    linked: Option<&Linked>,
    f: &GateFacts<'_>,
    now: DateTime<Utc>,
    claimed: &mut Option<String>,
) -> GateOutcome {
    let claim_id = claims::new_claim_id();
    let Some(linked) = linked.filter(|l| !l.rest.resting()) else {
        return offline(f, now, claim_id);
    };
    let request = ClaimRequest {
        code: f.code,
        claim_id: &claim_id,
        staff: f.operator,
        at: now,
        order_fen: f.order_fen,
        reduction_fen: f.reduction_fen,
        online: true,
    };
    let answer = linked
        .hub
        .again_if_dropped(|| claims::claim(&linked.hub, &request));
    match &answer {
        Err(HubError::Offline(_)) => linked.rest.missed(),
        Err(_) => {}
        Ok(_) => linked.rest.answered(),
    }
    match answer {
        Ok(ClaimAnswer::Claimed) => {
            *claimed = Some(claim_id.clone());
            Ok(Ok(HubMark::Claimed { claim_id }))
        }
        // This terminal holds it, yet the desk's own rules found it unused: a claim a
        // crash left behind (or one whose undo has not reached the hub). It is this
        // redemption's.
        Ok(ClaimAnswer::Taken(h))
            if h.terminal.as_deref() == Some(linked.terminal.as_str())
                && h.store.as_deref() == Some(linked.store.as_str())
                && h.claim_id
                    .as_deref()
                    .is_some_and(|id| hub_claims::adoptable(f.conn, id).unwrap_or(false)) =>
        {
            let claim_id = h.claim_id.unwrap_or_default();
            *claimed = Some(claim_id.clone());
            Ok(Ok(HubMark::Claimed { claim_id }))
        }
        Ok(ClaimAnswer::Taken(h)) => Ok(Err(Refusal::UsedElsewhere {
            at: h.at.unwrap_or(now),
            operator: h.staff.unwrap_or_default(),
            terminal: h.terminal.unwrap_or_default(),
            store: h.store.unwrap_or_default(),
        })),
        Ok(ClaimAnswer::Leased(h)) => Ok(Err(Refusal::LeasedElsewhere {
            terminal: h.terminal.unwrap_or_default(),
            store: h.store.unwrap_or_default(),
        })),
        Ok(ClaimAnswer::Refused(_)) => Ok(Err(Refusal::Disabled)),
        // Unknown at the hub (its batch not uploaded yet) or no answer: the desk decides
        // alone, by the template's policy, and uploads later.
        Ok(ClaimAnswer::Unknown) | Ok(ClaimAnswer::Conflict { .. }) | Err(_) => {
            offline(f, now, claim_id)
        }
    }
}

fn offline(f: &GateFacts<'_>, now: DateTime<Utc>, claim_id: String) -> GateOutcome {
    let zone = FixedOffset::east_opt(f.shop_utc_offset_minutes * 60).unwrap_or(Utc.fix());
    let policy = hub_claims::offline_policy(f.conn, f.template_id)?;
    let leased = hub_claims::is_leased(f.conn, f.code_id)?;
    let today = hub_claims::offline_use_today(f.conn, f.template_id, f.terminal, now, zone)?;
    Ok(match policy.admits(leased, today, f.reduction_fen) {
        Ok(()) => Ok(HubMark::Offline { claim_id }),
        Err(OfflineRefusal::NotAllowed) => Err(Refusal::OfflineNotAllowed),
        Err(OfflineRefusal::CountReached { limit }) => Err(Refusal::OfflineLimitReached { limit }),
        Err(OfflineRefusal::ValueReached { max_fen }) => {
            Err(Refusal::OfflineValueReached { max_fen })
        }
    })
}
