//! Templates (with their offline policies), batch links and customers between desks
//! (docs/chain-mode.md, "Changes between desks"): the upload of what this desk changed
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
use crate::hub::records::{self, HubTemplate};
use crate::hub::Hub;
use crate::store::hub_keys::{self, Keyed};
use crate::store::hub_records::{self, LinkApplied, Queued, TemplateApplied, TemplateIn};

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
    /// What was not applied, each with why, and local edits kept over the hub's.
    pub notes: Vec<String>,
}

impl Desk {
    /// Uploads the queue. `join`: a batch the hub has linked already keeps its template
    /// (the first desk's link stands); otherwise the last upload wins.
    pub(super) fn push_records(&self, hub: &Hub, join: bool) -> DeskResult<RecordsMoved> {
        let mut moved = RecordsMoved::default();
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
        for t in hub.call(async |c| records::templates(c).await)? {
            self.apply_hub_template(t, moved)?;
        }
        for (ticket_type, uid) in hub.call(async |c| records::batch_links(c).await)? {
            self.pull_link(hub, &ticket_type, Some(&uid), moved)?;
        }
        let customers = hub.call(async |c| records::customers(c).await)?;
        self.apply_hub_customers(&customers, moved)?;
        Ok(())
    }
}
