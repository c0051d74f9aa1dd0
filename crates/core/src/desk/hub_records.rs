//! Templates (with their offline policies), batch links, customers and vouchers between
//! desks (docs/chain-mode.md, "Changes between desks"): the upload of what this desk changed
//! (`store::hub_records`' queue), and the apply of another desk's `template` and `link`
//! changes.
//!
//! What must stay true:
//! - templates go up before links (a link names a template the hub must have);
//! - a queue row is deleted only after the hub committed it (`hub_records::sent`), so a
//!   pull cut mid-upload sends it again (the hub's upsert makes a repeat harmless);
//! - a change is applied with the hub's current row, not the change's body: a pull that
//!   reads an older change still writes the newest version;
//! - a local edit still queued is never overwritten (`hub_records::apply_*`).

use super::{Desk, DeskResult};
use chrono::DateTime;

use crate::hub::records::{self, HubTemplate, HubVoucher, VoucherUse};
use crate::hub::Hub;
use crate::store::hub_keys::{self, Keyed};
use crate::store::hub_records::{
    self, LinkApplied, Queued, TemplateApplied, TemplateIn, VoucherApplied, VoucherRow,
};

/// Why nothing of the queue went up: the hub's schema predates them. The queue stays.
const OLD_HUB: &str = "templates, customers and vouchers wait here: the hub's schema is older \
    than version 3; run `coupondesk hub init` with an administrator's URL to update it";

/// Customers sent to the hub in one call.
const CUSTOMER_CHUNK: usize = 1000;

/// What templates, links and customers moved, each way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RecordsMoved {
    /// Templates the hub took (new or changed there).
    pub templates_up: u64,
    /// Batch links the hub took.
    pub links_up: u64,
    /// Local templates created or changed by the hub's version.
    pub templates_down: u64,
    /// Local batches linked (or unlinked) by the hub's word.
    pub links_down: u64,
    /// Customers the hub took (new or renamed there), and customers added or renamed
    /// here by the hub's word.
    pub customers_up: u64,
    pub customers_down: u64,
    /// Vouchers sold here and uses made here, now at the hub; uses the hub refused
    /// because another desk's came first (each now in the use conflicts,
    /// `hub_use_conflicts`).
    pub vouchers_up: u64,
    pub voucher_uses_up: u64,
    pub voucher_conflicts: u64,
    /// Vouchers of other desks now here, or now used by another desk's use.
    pub vouchers_down: u64,
    /// What was not applied, each with why, and local edits kept over the hub's.
    pub notes: Vec<String>,
}

impl Desk {
    /// Uploads the queue. `join`: a batch the hub has linked already keeps its template
    /// (the first desk's link stands); otherwise the last upload wins.
    pub(super) fn push_records(&self, hub: &Hub, join: bool) -> DeskResult<RecordsMoved> {
        let mut moved = RecordsMoved::default();
        if !hub.call(async |c| records::available(c).await)? {
            moved.notes.push(OLD_HUB.to_owned());
            return Ok(moved);
        }
        if join {
            hub_records::queue_all(&self.conn())?;
        }
        let pending = hub_records::pending(&self.conn())?;
        let mut customers = Vec::new();
        for p in pending {
            match &p.what {
                Queued::Customer(_) => {
                    customers.push(p);
                    continue;
                }
                Queued::Voucher(id) => {
                    let out = hub_records::voucher_out(&self.conn(), *id)?;
                    if let Some(v) = out {
                        let v = hub_voucher(v);
                        if hub.call(async |c| records::put_voucher(c, &v).await)? {
                            moved.vouchers_up += 1;
                        }
                    }
                }
                Queued::VoucherUse(id) => self.push_voucher_use(hub, *id, &mut moved)?,
                Queued::Template(id) => {
                    let out = hub_records::template_out(&self.conn(), *id)?;
                    if let Some(t) = out {
                        let t = HubTemplate {
                            uid: t.uid,
                            title: t.title,
                            draft: t.draft,
                            offline_policy: t.offline_policy,
                        };
                        if hub.call(async |c| records::put_template(c, &t).await)? {
                            moved.templates_up += 1;
                        }
                    }
                }
                Queued::Link(ticket_type) => {
                    let out = hub_records::link_out(&self.conn(), ticket_type)?;
                    if let Some(link) = out {
                        if let Some((id, uid)) = &link {
                            if self.ensure_at_hub(hub, *id, uid)? {
                                moved.templates_up += 1;
                            }
                        }
                        let uid = link.as_ref().map(|(_, u)| u.as_str());
                        let after = hub
                            .call(async |c| records::link_batch(c, ticket_type, uid, join).await)?;
                        if after.as_deref() == uid {
                            moved.links_up += 1;
                        } else if join {
                            moved.notes.push(format!(
                                "batch {ticket_type}: the hub links it to another desk's \
                                 template; that link is applied here"
                            ));
                        }
                    }
                }
            }
            hub_records::sent(&self.conn(), &p)?;
        }
        // Customers in chunks: one hub call each, not one per customer.
        for chunk in customers.chunks(CUSTOMER_CHUNK) {
            let mut rows = Vec::with_capacity(chunk.len());
            for p in chunk {
                if let Queued::Customer(phone) = &p.what {
                    if let Some(name) = hub_records::customer_out(&self.conn(), phone)? {
                        rows.push((phone.clone(), name));
                    }
                }
            }
            moved.customers_up += hub.call(async |c| records::put_customers(c, &rows).await)?;
            let conn = self.conn();
            for p in chunk {
                hub_records::sent(&conn, p)?;
            }
        }
        Ok(moved)
    }

    /// Sends a use made here (the sale first: a repeat is harmless); a use the hub
    /// refuses because another desk's came first is kept in the use conflicts
    /// (`hub_use_conflicts`, kind voucher).
    fn push_voucher_use(&self, hub: &Hub, id: i64, moved: &mut RecordsMoved) -> DeskResult<()> {
        let Some(v) = hub_records::voucher_out(&self.conn(), id)? else {
            return Ok(());
        };
        let Some((at_ms, by, _)) = v.used.clone() else {
            return Ok(());
        };
        let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        let v = hub_voucher(v);
        let answer = hub.call(async |c| {
            records::put_voucher(c, &v).await?;
            records::use_voucher(c, &v.uid, at, &by).await
        })?;
        match answer {
            VoucherUse::Taken => moved.voucher_uses_up += 1,
            VoucherUse::Conflict {
                by,
                at,
                terminal,
                store,
            } => {
                let new = hub_records::record_voucher_conflict(
                    &self.conn(),
                    id,
                    (&by, &terminal, &store, at.timestamp_millis()),
                )?;
                if new {
                    moved.voucher_conflicts += 1;
                    moved.notes.push(format!(
                        "voucher \"{}\" was used here and at {terminal} ({store}) before: the \
                         hub keeps that use; this one is in the voucher conflicts",
                        v.name
                    ));
                }
            }
            VoucherUse::Unknown => {}
        }
        Ok(())
    }

    /// Applies the hub's voucher `uid` here.
    pub(super) fn pull_voucher(
        &self,
        hub: &Hub,
        uid: &str,
        moved: &mut RecordsMoved,
    ) -> DeskResult<()> {
        let Some(v) = hub.call(async |c| records::voucher(c, uid).await)? else {
            return Ok(());
        };
        self.apply_hub_voucher(v, moved)
    }

    fn apply_hub_voucher(&self, v: HubVoucher, moved: &mut RecordsMoved) -> DeskResult<()> {
        let row = VoucherRow {
            uid: v.uid,
            phone: v.customer_phone,
            pkg: v.pkg,
            name: v.name,
            price_fen: v.price_fen,
            introduction: v.introduction,
            paid: v.paid,
            sold_at_ms: v.sold_at.timestamp_millis(),
            used: v
                .used
                .map(|(at, by, terminal)| (at.timestamp_millis(), by, terminal)),
        };
        match hub_records::apply_voucher(&mut self.conn(), &row)? {
            VoucherApplied::Created | VoucherApplied::Used => moved.vouchers_down += 1,
            VoucherApplied::Refused => moved.notes.push(format!(
                "voucher \"{}\" not added: its customer's phone {:?} is not an 11-digit mobile \
                 number",
                row.name, row.phone
            )),
            VoucherApplied::Same => {}
        }
        Ok(())
    }

    /// Applies customers as the hub says (phone, name).
    pub(super) fn apply_hub_customers(
        &self,
        rows: &[(String, String)],
        moved: &mut RecordsMoved,
    ) -> DeskResult<()> {
        let done = hub_records::apply_customers(&mut self.conn(), rows)?;
        moved.customers_down += done.applied;
        moved.notes.extend(done.refused);
        Ok(())
    }

    /// A template a link names goes up first when the hub lacks it. Only this desk can
    /// have a uid the hub lacks (other desks learn uids from the hub), so "lacks" cannot
    /// race with another desk's upload of it. True when it went up now.
    fn ensure_at_hub(&self, hub: &Hub, id: i64, uid: &str) -> DeskResult<bool> {
        if hub
            .call(async |c| records::template(c, uid).await)?
            .is_some()
        {
            return Ok(false);
        }
        if let Some(t) = hub_records::template_out(&self.conn(), id)? {
            let t = HubTemplate {
                uid: t.uid,
                title: t.title,
                draft: t.draft,
                offline_policy: t.offline_policy,
            };
            return Ok(hub.call(async |c| records::put_template(c, &t).await)?);
        }
        Ok(false)
    }

    /// Applies the hub's current version of template `uid`; the local id, when there is
    /// one.
    pub(super) fn pull_template(
        &self,
        hub: &Hub,
        uid: &str,
        moved: &mut RecordsMoved,
    ) -> DeskResult<Option<i64>> {
        let Some(t) = hub.call(async |c| records::template(c, uid).await)? else {
            return Ok(None);
        };
        self.apply_hub_template(t, moved)
    }

    fn apply_hub_template(
        &self,
        t: HubTemplate,
        moved: &mut RecordsMoved,
    ) -> DeskResult<Option<i64>> {
        let applied = hub_records::apply_template(
            &mut self.conn(),
            &TemplateIn {
                uid: t.uid.clone(),
                draft: t.draft,
                offline_policy: t.offline_policy,
            },
        )?;
        match &applied {
            TemplateApplied::Created(_) | TemplateApplied::Updated(_) => moved.templates_down += 1,
            TemplateApplied::KeptLocal(_) => moved.notes.push(format!(
                "template \"{}\": this desk's edit is kept and sent next (the last upload wins)",
                t.title
            )),
            TemplateApplied::Refused(why) => moved.notes.push(why.clone()),
            TemplateApplied::Same(_) => {}
        }
        Ok(applied.id())
    }

    /// Links local batch `ticket_type` as the hub says (the template downloaded first
    /// when this desk lacks it).
    pub(super) fn pull_link(
        &self,
        hub: &Hub,
        ticket_type: &str,
        uid: Option<&str>,
        moved: &mut RecordsMoved,
    ) -> DeskResult<()> {
        let template = match uid {
            None => None,
            Some(uid) => {
                let known = hub_keys::id_of(&self.conn(), Keyed::Template, uid)?;
                match known {
                    Some(id) => Some(id),
                    None => match self.pull_template(hub, uid, moved)? {
                        Some(id) => Some(id),
                        None => return Ok(()),
                    },
                }
            }
        };
        match hub_records::apply_link(&mut self.conn(), ticket_type, template)? {
            LinkApplied::Linked => moved.links_down += 1,
            LinkApplied::KeptLocal => moved.notes.push(format!(
                "batch {ticket_type}: this desk's link is kept and sent next (the last upload wins)"
            )),
            LinkApplied::Refused(why) => moved.notes.push(why),
            LinkApplied::Same | LinkApplied::NoBatch => {}
        }
        Ok(())
    }

    /// The join's download: every hub template, then every hub batch's link.
    pub(super) fn pull_all_records(&self, hub: &Hub, moved: &mut RecordsMoved) -> DeskResult<()> {
        if !hub.call(async |c| records::available(c).await)? {
            return Ok(());
        }
        for t in hub.call(async |c| records::templates(c).await)? {
            self.apply_hub_template(t, moved)?;
        }
        for (ticket_type, uid) in hub.call(async |c| records::batch_links(c).await)? {
            self.pull_link(hub, &ticket_type, Some(&uid), moved)?;
        }
        let customers = hub.call(async |c| records::customers(c).await)?;
        self.apply_hub_customers(&customers, moved)?;
        for v in hub.call(async |c| records::vouchers(c).await)? {
            self.apply_hub_voucher(v, moved)?;
        }
        Ok(())
    }
}

pub(super) fn hub_voucher(v: VoucherRow) -> HubVoucher {
    HubVoucher {
        uid: v.uid,
        customer_phone: v.phone,
        pkg: v.pkg,
        name: v.name,
        price_fen: v.price_fen,
        introduction: v.introduction,
        paid: v.paid,
        sold_at: DateTime::from_timestamp_millis(v.sold_at_ms).unwrap_or_default(),
        used: None,
    }
}
