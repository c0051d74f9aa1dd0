//! Chain mode's pull (docs/chain-mode.md, "Changes between desks"): what other desks did
//! reaches this desk's SQLite, by the hub's change log in seq order, a page at a time.
//!
//! A pull, in order (what must stay true):
//! 1. the local batches the hub lacks (created here after the join) are uploaded, as the
//!    join uploads them, so other desks can pull them and claims of their codes are
//!    known at the hub;
//! 2. pages of changes above `hub_link.pulled_seq`, oldest first. For each page: the
//!    batches it names are downloaded first (the join's download of one batch; repeating
//!    one is harmless), then its code statuses are applied and `pulled_seq` moves to the
//!    page's last seq in ONE local transaction (`store::hub_link::apply_pulled_page`), so
//!    a pull stopped anywhere resumes at the first change it has not applied;
//!    Before the pages, the templates, batch links and customers changed here go up
//!    (desk/hub_records.rs), then bonuses and staff accounts; in the pages, `template` and `link` changes are applied with
//!    the hub's current row as they come, a page's `customer` changes in one local
//!    transaction before its statuses;
//! 3. a conflict change does nothing here: the desk that uploaded it has it in its inbox;
//!    a lease change (made or returned, for any counter) reads this terminal's leased
//!    codes again, so a stack handed to this counter is usable offline at once.
//!
//! The rule for a code's status is `store::hub_link::after_pull`: a code this desk holds
//! a live redemption of is never touched; the hub's release gives a code back only when
//! its local status was the hub's word.

use std::time::Duration;

use serde::Serialize;

use super::hub::{Transferred, TRANSFER_DEADLINE};
use super::hub_bonuses::BonusesMoved;
use super::hub_records::RecordsMoved;
use super::hub_staff::StaffMoved;
use super::{Desk, DeskError, DeskResult};
use crate::domain::lifecycle::CodeStatus;
use crate::domain::staff::Permission;
use crate::hub::listen::Listener;
use crate::hub::pull::{self, ChangeKind};
use crate::hub::terminals as hub_terminals;
use crate::hub::{transfer, Hub, HubError, HubUrl};
use crate::store::hub_link;
use crate::store::now_ms;
use crate::sync::credentials;

/// Changes read and applied at a time: one hub query and one local transaction each.
pub const PULL_PAGE: i64 = 1000;

/// What one pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubPullReport {
    /// Local batches the hub lacked, now uploaded, and their codes.
    pub batches_uploaded: u64,
    pub codes_uploaded: u64,
    /// Batches other desks uploaded, now here, and their codes.
    pub batches_downloaded: u64,
    pub codes_downloaded: u64,
    /// Rows the batch downloads read from the hub: the codes added after this desk's
    /// mark of each batch, or whole batches (the join, a batch new here).
    pub codes_read: u64,
    /// Local codes whose status changed by the hub's word.
    pub statuses_applied: u64,
    /// Templates (with their offline policies) and batch links this desk changed, now
    /// at the hub.
    pub templates_uploaded: u64,
    pub links_uploaded: u64,
    /// Templates another desk made or changed, now here (created or updated), and local
    /// batches linked to a template by another desk's word.
    pub templates_downloaded: u64,
    pub links_applied: u64,
    /// Customers added or renamed here, sent to the hub, and added or renamed here by
    /// another desk's word.
    pub customers_uploaded: u64,
    pub customers_downloaded: u64,
    /// Vouchers sold here and uses made here, now at the hub; uses the hub refused
    /// because another desk's use came first (kept in the voucher conflicts); vouchers
    /// of other desks now here, or used by another desk.
    pub vouchers_uploaded: u64,
    pub voucher_uses_uploaded: u64,
    pub voucher_conflicts: u64,
    pub vouchers_downloaded: u64,
    /// Bonuses made here now at the hub, grants/uses/disables made here the hub took,
    /// and bonuses of other desks now here or changed here by another desk's word.
    pub bonuses_uploaded: u64,
    pub bonus_states_uploaded: u64,
    /// Bonus uses made here the hub refused because another desk's came first (kept in
    /// the use conflicts, as vouchers' are).
    pub bonus_conflicts: u64,
    pub bonuses_downloaded: u64,
    /// Staff accounts made or changed here, now at the hub; accounts of other desks now
    /// here or changed here by another desk's word (docs/chain-mode.md, "Staff").
    pub staff_uploaded: u64,
    pub staff_downloaded: u64,
    /// Codes leased to this terminal, when the pull brought a lease made or returned
    /// (and so read the hub's list again).
    pub leased: Option<u64>,
    /// Changes read from the hub's log.
    pub changes: u64,
    pub pages: u64,
    /// Batches left out, each with why (a name the other side uses for another type);
    /// templates and links not applied, and local edits kept over the hub's version.
    pub skipped: Vec<String>,
    /// This desk's audit trail sent to the hub at the pull's start (desk/hub_audit.rs).
    pub audit: super::hub_audit::AuditSent,
    /// The seq applied up to, after this pull.
    pub pulled_seq: i64,
    /// Why the pull stopped early, when it did (the hub stopped answering); what it
    /// applied before stays applied.
    pub stopped: Option<String>,
}

impl HubPullReport {
    /// Counts what one batch download moved. Shared by the pull and the join.
    pub(super) fn count_download(&mut self, t: super::hub::Transferred) {
        self.batches_downloaded += t.batches;
        self.codes_downloaded += t.codes;
        self.codes_read += t.read;
        self.statuses_applied += t.statuses;
    }

    /// Counts what the records' upload or download moved (templates, links, customers,
    /// vouchers), with its notes. Shared by the pull and the join.
    pub(super) fn count_records(&mut self, m: RecordsMoved) {
        self.templates_uploaded += m.templates_up;
        self.links_uploaded += m.links_up;
        self.templates_downloaded += m.templates_down;
        self.links_applied += m.links_down;
        self.customers_uploaded += m.customers_up;
        self.customers_downloaded += m.customers_down;
        self.vouchers_uploaded += m.vouchers_up;
        self.voucher_uses_uploaded += m.voucher_uses_up;
        self.voucher_conflicts += m.voucher_conflicts;
        self.vouchers_downloaded += m.vouchers_down;
        self.skipped.extend(m.notes);
    }

    /// Counts what the bonuses' upload or download moved, with its notes.
    pub(super) fn count_bonuses(&mut self, m: BonusesMoved) {
        self.bonuses_uploaded += m.up;
        self.bonus_states_uploaded += m.states_up;
        self.bonus_conflicts += m.conflicts;
        self.bonuses_downloaded += m.down;
        self.skipped.extend(m.notes);
    }

    /// Counts what the staff accounts' upload or download moved, with its notes.
    pub(super) fn count_staff(&mut self, m: StaffMoved) {
        self.staff_uploaded += m.up;
        self.staff_downloaded += m.down;
        self.skipped.extend(m.notes);
    }
}

impl Desk {
    /// Pulls what other desks did (module doc).
    pub fn hub_pull(&self) -> DeskResult<HubPullReport> {
        let _who = self.act(Permission::SyncRun)?;
        self.hub_pull_pages(PULL_PAGE, None)
    }

    /// A pull in pages of `page` changes, stopping after `max_pages` pages when given
    /// (tests: a pull stopped between pages). No login check: callers check.
    #[doc(hidden)]
    pub fn hub_pull_pages(&self, page: i64, max_pages: Option<u64>) -> DeskResult<HubPullReport> {
        let Some(linked) = self.linked_hub()? else {
            return Err(HubError::NotJoined.into());
        };
        let mut report = HubPullReport::default();
        let mut transfer_hub: Option<Hub> = None;
        let out = self.pull_from(
            &linked.hub,
            &mut transfer_hub,
            (page.max(1), max_pages),
            &mut report,
        );
        report.pulled_seq = hub_link::get(&self.conn())?.map_or(0, |l| l.pulled_seq);
        match out {
            Ok(()) => {
                hub_link::record_contact(&self.conn(), now_ms(), None)?;
                // The hub's own record of this terminal (`hub status` lists every
                // terminal's). Not the pull's failure when it misses: the desk keeps its
                // own record above, and the next pull touches again.
                let pulled = report.pulled_seq;
                let _ = linked
                    .hub
                    .call(async |c| hub_terminals::touch(c, pulled).await);
                Ok(report)
            }
            Err(DeskError::Hub(e)) => {
                hub_link::record_contact(&self.conn(), 0, Some(&e.to_string()))?;
                report.stopped = Some(e.to_string());
                Ok(report)
            }
            Err(e) => Err(e),
        }
    }

    /// The window's pull: after its periodic push (`sync_background`) and when the hub
    /// wakes it (`hub_listener`). The desk's own work, no login. Nothing when the desk is
    /// not joined.
    pub fn hub_pull_background(&self) -> DeskResult<Option<HubPullReport>> {
        // The link read on its own line: a guard in a `match` head would hold the
        // desk's connection through the whole pull (a deadlock).
        let joined = hub_link::get(&self.conn())?.is_some();
        if !joined {
            return Ok(None);
        }
        Ok(Some(self.hub_pull_pages(PULL_PAGE, None)?))
    }

    fn pull_from(
        &self,
        hub: &Hub,
        transfer_hub: &mut Option<Hub>,
        (page, max_pages): (i64, Option<u64>),
        report: &mut HubPullReport,
    ) -> DeskResult<()> {
        let link = hub_link::get(&self.conn())?.ok_or(HubError::NotJoined)?;

        // 1. Batches made here that the hub lacks, and codes added here to batches it has.
        // The pull's first call: the one that meets a connection an outage dropped.
        let hub_batches =
            hub.again_if_dropped(|| hub.call(async |c| transfer::batches(c).await))?;
        if self.unsent_batches(&hub_batches)? {
            let th = self.transfer_hub(transfer_hub)?;
            let t = self.upload_batches(th, link.terminal_id, false, &mut report.skipped)?;
            report.batches_uploaded += t.batches;
            report.codes_uploaded += t.codes;
        }
        // Templates and links changed here, after the batches they name.
        report.count_records(self.push_records(hub, false)?);
        report.count_bonuses(self.push_bonuses(hub, false)?);
        report.count_staff(self.push_staff(hub, false, None)?);
        // The audit trail's new entries (a refusal is reported, the pull goes on).
        report.audit = self.push_audit(hub)?;

        // 2. The change log, a page at a time.
        let mut moved = RecordsMoved::default();
        let out = self.pull_pages(
            hub,
            transfer_hub,
            link.pulled_seq,
            (page, max_pages),
            report,
            &mut moved,
        );
        report.count_records(moved);
        out
    }

    fn pull_pages(
        &self,
        hub: &Hub,
        transfer_hub: &mut Option<Hub>,
        pulled_seq: i64,
        (page, max_pages): (i64, Option<u64>),
        report: &mut HubPullReport,
        moved: &mut RecordsMoved,
    ) -> DeskResult<()> {
        let mut after = pulled_seq;
        loop {
            if max_pages.is_some_and(|m| report.pages >= m) {
                return Ok(());
            }
            let changes = hub.call(async |c| pull::changes_after(c, after, page).await)?;
            let Some(last) = changes.last() else {
                return Ok(());
            };
            let last_seq = last.seq;
            let mut statuses: Vec<(String, CodeStatus)> = Vec::new();
            let mut customers: Vec<(String, String)> = Vec::new();
            let mut leases = false;
            let mut bonus_codes: Vec<String> = Vec::new();
            let mut staff_uids: Vec<String> = Vec::new();
            for ch in &changes {
                match &ch.kind {
                    ChangeKind::Batch { ticket_type, name } => {
                        let th = self.transfer_hub(transfer_hub)?;
                        let t: Transferred =
                            self.download_batch(th, ticket_type, name, false, &mut report.skipped)?;
                        report.count_download(t);
                    }
                    ChangeKind::Code { code, status } => {
                        if let Some(s) = CodeStatus::parse(status) {
                            statuses.push((code.clone(), s));
                        }
                    }
                    ChangeKind::Template { uid } => {
                        self.pull_template(hub, uid, moved)?;
                    }
                    ChangeKind::Link {
                        ticket_type,
                        template_uid,
                    } => {
                        self.pull_link(hub, ticket_type, template_uid.as_deref(), moved)?;
                    }
                    ChangeKind::Voucher { uid } => {
                        self.pull_voucher(hub, uid, moved)?;
                    }
                    ChangeKind::Customer { phone, name } => {
                        customers.push((phone.clone(), name.clone()));
                    }
                    ChangeKind::Bonus { code } => bonus_codes.push(code.clone()),
                    ChangeKind::Staff { uid } => staff_uids.push(uid.clone()),
                    ChangeKind::Other(kind) => leases |= kind == "lease",
                }
            }
            // In seq order, so the last change of a customer in the page is its name.
            self.apply_hub_customers(&customers, moved)?;
            // A grant names a customer: after the page's customers.
            let mut bonuses_moved = BonusesMoved::default();
            self.pull_bonuses(hub, &bonus_codes, &mut bonuses_moved)?;
            report.count_bonuses(bonuses_moved);
            // Accounts: the hub's current rows, one query and one local transaction.
            let mut staff_moved = StaffMoved::default();
            self.pull_staff(hub, &staff_uids, &mut staff_moved)?;
            report.count_staff(staff_moved);
            report.statuses_applied +=
                hub_link::apply_pulled_page(&mut self.conn(), &statuses, last_seq)?;
            if leases {
                report.leased = Some(self.leased_now(hub)?);
            }
            report.changes += changes.len() as u64;
            report.pages += 1;
            after = last_seq;
            if (changes.len() as i64) < page {
                return Ok(());
            }
        }
    }

    /// The hub as this terminal with the transfers' long deadline (a batch of a million
    /// codes takes seconds; the claims' deadline is about one), opened once per pull.
    fn transfer_hub<'a>(&self, slot: &'a mut Option<Hub>) -> DeskResult<&'a Hub> {
        if slot.is_none() {
            let link = hub_link::get(&self.conn())?.ok_or(HubError::NotJoined)?;
            let password = credentials::get_hub(&self.path)?;
            let url = HubUrl::parse(&link.url)?
                .as_user(&link.role, password.as_ref().map(|s| s.expose()));
            *slot = Some(Hub::open(&url, TRANSFER_DEADLINE)?);
        }
        slot.as_ref()
            .ok_or_else(|| HubError::Failed("the hub could not be opened".into()).into())
    }
}

impl Desk {
    /// A LISTEN connection to the hub this desk joined (`hub::listen`), as its terminal;
    /// None when the desk is not joined. The window's wake thread holds it and pulls
    /// (`hub_pull_background`) when it wakes.
    pub fn hub_listener(&self) -> DeskResult<Option<Listener>> {
        let Some(link) = hub_link::get(&self.conn())? else {
            return Ok(None);
        };
        let password = credentials::get_hub(&self.path)?;
        let url =
            HubUrl::parse(&link.url)?.as_user(&link.role, password.as_ref().map(|s| s.expose()));
        let deadline = Duration::from_millis(u64::try_from(link.deadline_ms).unwrap_or(1000));
        Ok(Some(Listener::open(
            &url,
            deadline.max(LISTEN_CONNECT_MIN),
        )?))
    }
}

/// A listener connects at most this slowly (a claim's deadline may be shorter; a
/// listener is opened once, not per scan).
const LISTEN_CONNECT_MIN: Duration = Duration::from_secs(5);
