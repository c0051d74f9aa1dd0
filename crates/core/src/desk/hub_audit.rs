//! Every desk's audit trail at the hub (docs/chain-mode.md, "The audit trail at the hub"):
//! the upload at each pull's push and at the join, `hub audit verify` and `hub audit list`.
//!
//! What must stay true:
//! - an entry is sent only when its stored hash follows from its content and the entry
//!   before it, checked with the local verify's own check
//!   (`store::audit_verify::break_reason`): an entry changed at this desk never reaches
//!   the hub, nor anything after it;
//! - the cursor (`store::hub_audit`) moves only to the id the hub answered it holds, after
//!   the answer: a crash before the move sends the same entries again, which the hub
//!   accepts as the same (nothing twice, nothing lost);
//! - the hub's verify walks every chain with the same check and the same canonical form
//!   (`store::audit`), never a second copy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Desk, DeskResult};
use crate::domain::audit::{AuditEntry, AuditQuery};
use crate::domain::customer::MaskPhones;
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::hub::audit::{self, HubAuditEntry, HubEntry, ListFilter, Refusal};
use crate::hub::{Hub, HubError};
use crate::store::audit::{parse_detail, ChainFields, GENESIS};
use crate::store::audit_verify::break_reason;
use crate::store::{from_ms, hub_audit};

/// Entries sent per call of `put_audit`.
pub const AUDIT_PAGE: i64 = 500;

/// How long one page of the hub's trail may take (the list's page, the verify's walk,
/// the export's page). A page of up to 5,000 rows is about a megabyte: far less than this
/// on any line a shop has; a hub that stops answering fails the page within this time
/// rather than the transfer deadline's 10 minutes, while the window waits on it.
pub const PAGE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// Entries read per call by the hub's verify.
const WALK_PAGE: i64 = 5000;

/// What one upload of the trail did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSent {
    /// Entries the hub took now.
    pub sent: u64,
    /// Entries sent again that the hub had already, identical (after a crash or a lost
    /// answer).
    pub same: u64,
    /// The cursor after the upload: the last id the hub holds from this desk.
    pub sent_up_to: i64,
    /// Why the upload stopped before the end of the trail, naming the entry; the cursor
    /// stays before it and each push tries again.
    pub refused: Option<String>,
}

impl Desk {
    /// Sends the entries above the cursor in pages (module doc). A refusal ends the upload
    /// and is reported, not raised: the rest of the push goes on. `HubError` only when the
    /// hub does not answer. The answer's refusal (or none) is kept for the window
    /// (`hub_link.audit_refusal`); an upload the hub did not answer leaves the last one.
    pub(super) fn push_audit(&self, hub: &Hub) -> DeskResult<AuditSent> {
        let (out, refusal) = self.push_audit_pages(hub)?;
        // Numbers, an enum and strings: serialising cannot fail.
        let json = refusal.as_ref().and_then(|r| serde_json::to_string(r).ok());
        hub_audit::set_refusal(&self.conn(), json.as_deref())?;
        Ok(out)
    }

    fn push_audit_pages(&self, hub: &Hub) -> DeskResult<(AuditSent, Option<AuditRefusal>)> {
        let mut refusal: Option<AuditRefusal> = None;
        let mut out = AuditSent {
            sent_up_to: hub_audit::cursor(&self.conn())?,
            ..AuditSent::default()
        };
        loop {
            let cursor = out.sent_up_to;
            let rows = hub_audit::after(&self.conn(), cursor, AUDIT_PAGE)?;
            let full = rows.len() as i64 == AUDIT_PAGE;
            let mut broken: Option<(i64, String)> = None;
            let mut page = Vec::with_capacity(rows.len());
            let mut prev_id = cursor;
            for r in rows {
                let detail = parse_detail(&r.detail);
                let fields = ChainFields {
                    id: r.id,
                    at: r.at,
                    actor: &r.actor,
                    terminal: &r.terminal,
                    action: &r.action,
                    subject: &r.subject,
                    detail: &detail,
                };
                if let Some(why) = break_reason(prev_id, &r.prev_hash, &fields, &r.hash) {
                    // Worded after the entries before it went up (below).
                    broken = Some((r.id, why));
                    break;
                }
                prev_id = r.id;
                page.push(HubEntry {
                    id: r.id,
                    at: r.at,
                    actor: r.actor,
                    terminal: r.terminal,
                    action: r.action,
                    subject: r.subject,
                    detail: r.detail,
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                });
            }
            if let (Some(first), Some(last)) = (page.first(), page.last()) {
                let span = (first.id, last.id);
                let put = match hub.call(async |c| audit::put(c, &page).await) {
                    Ok(put) => put,
                    Err(e @ HubError::Offline(_)) => return Err(e.into()),
                    // Anything else the server says (a hub not migrated to the audit
                    // schema yet, text it cannot store) is reported, not raised: the rest
                    // of the pull goes on, and the entries wait here.
                    Err(e) => {
                        let message = format!(
                            "the hub did not take audit entries {}-{}: {e}. They stay here \
                             and are offered again at each pull; a hub older than this \
                             build needs `coupondesk hub init` with this build",
                            span.0, span.1
                        );
                        out.refused = Some(message.clone());
                        let refusal = AuditRefusal {
                            entry_id: span.0,
                            last_id: Some(span.1),
                            reason: RefusalReason::HubError,
                            hub_up_to: cursor,
                            detail: Some(e.to_string()),
                            message,
                            at_ms: crate::store::now_ms(),
                        };
                        return Ok((out, Some(refusal)));
                    }
                };
                // Only forward, and only to what the hub holds.
                if put.upto > cursor {
                    hub_audit::advance_cursor(&self.conn(), put.upto)?;
                    out.sent_up_to = put.upto;
                }
                out.sent += put.taken.max(0) as u64;
                out.same += put.same.max(0) as u64;
                if let Some((id, why)) = put.refused {
                    let message = refusal_words(id, why, put.hub_last);
                    out.refused = Some(message.clone());
                    refusal = Some(AuditRefusal {
                        entry_id: id,
                        last_id: None,
                        reason: match why {
                            Refusal::Differs => RefusalReason::Differs,
                            Refusal::NotNext => RefusalReason::NotNext,
                            Refusal::PrevHash => RefusalReason::PrevHash,
                        },
                        hub_up_to: put.hub_last,
                        detail: None,
                        message,
                        at_ms: crate::store::now_ms(),
                    });
                }
            }
            if let (Some((id, why)), None) = (broken, &refusal) {
                let up_to = out.sent_up_to;
                let message = format!(
                    "audit entry {id} at this desk is broken ({why}); it and the entries \
                     after it are not sent to the hub, which holds this desk's trail up to \
                     entry {up_to}. Run `coupondesk audit verify` and keep this file for \
                     the investigation"
                );
                out.refused = Some(message.clone());
                refusal = Some(AuditRefusal {
                    entry_id: id,
                    last_id: None,
                    reason: RefusalReason::BrokenHere,
                    hub_up_to: up_to,
                    detail: Some(why),
                    message,
                    at_ms: crate::store::now_ms(),
                });
            }
            if out.refused.is_some() || !full {
                return Ok((out, refusal));
            }
        }
    }

    /// The join's start of the cursor: this terminal's last entry at the hub (0 for a new
    /// terminal; a rejoin goes on where the hub is).
    pub(super) fn start_audit_cursor(&self, hub: &Hub) -> DeskResult<()> {
        let last = hub.call(async |c| audit::my_last(c).await)?;
        hub_audit::set_cursor(&self.conn(), last)?;
        Ok(())
    }

    /// Walks every terminal's chain at the hub (a manager's right, `reports`).
    pub fn hub_audit_verify(&self) -> DeskResult<HubAuditReport> {
        let _who = self.act(Permission::Reports)?;
        let linked = self.linked_hub()?.ok_or(HubError::NotJoined)?;
        let hub = &linked.hub;
        let terminals = hub.call(async |c| audit::terminals(c).await)?;
        let mut chains: Vec<TerminalChain> = terminals
            .into_iter()
            .map(|t| TerminalChain {
                terminal_id: t.id,
                store: t.store,
                terminal: t.name,
                ..TerminalChain::default()
            })
            .collect();
        let mut walk = Walk::default();
        let mut after = (i64::MIN, i64::MIN);
        loop {
            let rows = hub.call_within(PAGE_DEADLINE, async |c| {
                audit::walk_page(c, after, WALK_PAGE).await
            })?;
            for (tid, e) in &rows {
                walk.step(&mut chains, *tid, e);
            }
            match rows.last() {
                Some((tid, e)) if rows.len() as i64 == WALK_PAGE => after = (*tid, e.id),
                _ => break,
            }
        }
        let conn = self.conn();
        Ok(HubAuditReport {
            intact: chains.iter().all(|c| c.broken_id.is_none()),
            this_terminal_id: crate::store::hub_link::get(&conn)?.map_or(0, |l| l.terminal_id),
            unsent_here: hub_audit::unsent(&conn)?,
            refusal_here: last_refusal(&conn)?,
            terminals: chains,
        })
    }

    /// One page of every desk's trail at the hub, newest first by the desks' clocks
    /// (a manager's right, `reports`).
    pub fn hub_audit_list(&self, q: &HubAuditQuery) -> DeskResult<Page<HubAuditEntry>> {
        let _who = self.act(Permission::Reports)?;
        let linked = self.linked_hub()?.ok_or(HubError::NotJoined)?;
        let req = q.query.page.validated()?;
        let f = filter(q);
        let (limit, offset) = (i64::from(req.per_page), req.offset() as i64);
        let (total, rows) = linked.hub.call_within(PAGE_DEADLINE, async |c| {
            audit::list(c, &f, limit, offset).await
        })?;
        let items = rows
            .into_iter()
            .map(|(tid, store, name, e)| HubAuditEntry {
                terminal_id: tid,
                store,
                terminal_name: name,
                entry: audit_entry(e),
            })
            .collect();
        self.for_viewer(Page::new(items, req, total.max(0) as u64))
    }
}

/// A hub row as the local trail's entry (its time from ms, its detail parsed), as the
/// list shows it and the export writes it.
pub(super) fn audit_entry(e: HubEntry) -> AuditEntry {
    AuditEntry {
        id: e.id,
        at: from_ms(e.at),
        actor: e.actor,
        terminal: e.terminal,
        action: e.action,
        subject: e.subject,
        detail: parse_detail(&e.detail),
        hash: e.hash,
    }
}

/// The last upload's refusal as kept (`hub_link.audit_refusal`); None when that upload went
/// to the end, or when the text is not one this build reads (then the next upload's answer
/// replaces it).
pub(super) fn last_refusal(conn: &rusqlite::Connection) -> DeskResult<Option<AuditRefusal>> {
    Ok(hub_audit::refusal(conn)?.and_then(|j| serde_json::from_str(&j).ok()))
}

fn refusal_words(id: i64, why: Refusal, hub_last: i64) -> String {
    let what = match why {
        Refusal::Differs => format!(
            "the hub holds a different entry {id} from this terminal: this desk's trail is not \
             the one it sent before (a restored backup, or entries changed here)"
        ),
        Refusal::NotNext => format!(
            "entry {id} is not the next of this terminal's trail at the hub, which ends at \
             entry {hub_last}"
        ),
        Refusal::PrevHash => format!(
            "entry {id} does not follow the hub's entry {hub_last} of this terminal (its \
             previous hash differs)"
        ),
    };
    format!(
        "the hub refused audit entry {id}: {what}. Nothing is lost: the entries stay here and \
         are offered again at each push; run `coupondesk audit verify` here and \
         `coupondesk hub audit verify`"
    )
}

pub(super) fn filter(q: &HubAuditQuery) -> ListFilter {
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let subject = nonempty(&q.query.subject);
    ListFilter {
        actor: nonempty(&q.query.actor),
        action: nonempty(&q.query.action),
        exact_subject: q.query.exact_subject && subject.is_some(),
        subject,
        since_ms: q.query.since.map(|t| t.timestamp_millis()),
        until_ms: q.query.until.map(|t| t.timestamp_millis()),
        store: nonempty(&q.store),
        terminal: nonempty(&q.terminal),
    }
}

/// The hub list's filters: the local list's, and the store and terminal (hub names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubAuditQuery {
    #[serde(flatten)]
    pub query: AuditQuery,
    #[serde(default)]
    pub store: Option<String>,
    #[serde(default)]
    pub terminal: Option<String>,
}

impl MaskPhones for HubAuditEntry {
    fn mask_phones(&mut self) {
        self.entry.mask_phones();
    }
}

/// One terminal's chain at the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TerminalChain {
    #[ts(type = "number")]
    pub terminal_id: i64,
    pub store: String,
    pub terminal: String,
    /// Entries the hub holds from it.
    #[ts(type = "number")]
    pub entries: u64,
    #[ts(type = "number | null")]
    pub first_id: Option<i64>,
    #[ts(type = "number | null")]
    pub last_id: Option<i64>,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    /// The first entry whose hash does not follow, and why; None: intact.
    #[ts(type = "number | null")]
    pub broken_id: Option<i64>,
    pub broken_reason: Option<String>,
}

/// Why the last upload of this desk's trail stopped before its end, kept for the window
/// (`hub_status`, `hub_audit_verify`): which entry, why, how far the hub holds the trail.
/// The window words it by `reason`; `message` is the CLI's words (English), with what to
/// do.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditRefusal {
    /// The first entry that did not go.
    #[ts(type = "number")]
    pub entry_id: i64,
    /// With `hubError`: the last entry of the page the hub did not take.
    #[ts(type = "number | null")]
    pub last_id: Option<i64>,
    pub reason: RefusalReason,
    /// The hub holds this desk's trail up to this entry.
    #[ts(type = "number")]
    pub hub_up_to: i64,
    /// `brokenHere`: why the entry does not follow (the local verify's words);
    /// `hubError`: the hub's error.
    pub detail: Option<String>,
    pub message: String,
    /// When the upload that met it ran (ms).
    #[ts(type = "number")]
    pub at_ms: i64,
}

/// Why an upload stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RefusalReason {
    /// The entry at this desk does not follow from its content and the one before: the
    /// desk does not send it (changed here).
    BrokenHere,
    /// The hub holds a different entry of that id from this terminal.
    Differs,
    /// The id is not the next of this terminal's trail at the hub.
    NotNext,
    /// Its previous hash is not the hash of the hub's last entry of this terminal.
    PrevHash,
    /// The hub answered with an error rather than a refusal (an older hub schema).
    HubError,
}

/// What `hub audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubAuditReport {
    /// Every chain intact.
    pub intact: bool,
    pub terminals: Vec<TerminalChain>,
    /// This desk's terminal at the hub, and its entries not at the hub yet.
    #[ts(type = "number")]
    pub this_terminal_id: i64,
    #[ts(type = "number")]
    pub unsent_here: i64,
    /// Why the last upload from this desk stopped before its end; None: it went to the end.
    pub refusal_here: Option<AuditRefusal>,
}

/// The walk's state: the chain being read and the entry before.
#[derive(Default)]
struct Walk {
    terminal: Option<i64>,
    prev_id: i64,
    prev_hash: String,
}

impl Walk {
    fn step(&mut self, chains: &mut Vec<TerminalChain>, tid: i64, e: &HubEntry) {
        if self.terminal != Some(tid) {
            self.terminal = Some(tid);
            self.prev_id = 0;
            self.prev_hash = GENESIS.to_owned();
        }
        let i = match chains.iter().position(|c| c.terminal_id == tid) {
            Some(i) => i,
            None => {
                // A terminal added while the walk ran.
                chains.push(TerminalChain {
                    terminal_id: tid,
                    ..TerminalChain::default()
                });
                chains.len() - 1
            }
        };
        let chain = &mut chains[i];
        chain.entries += 1;
        chain.first_id.get_or_insert(e.id);
        chain.first_at.get_or_insert(from_ms(e.at));
        chain.last_id = Some(e.id);
        chain.last_at = Some(from_ms(e.at));
        if chain.broken_id.is_some() {
            return;
        }
        let detail = parse_detail(&e.detail);
        let fields = ChainFields {
            id: e.id,
            at: e.at,
            actor: &e.actor,
            terminal: &e.terminal,
            action: &e.action,
            subject: &e.subject,
            detail: &detail,
        };
        let why = break_reason(self.prev_id, &self.prev_hash, &fields, &e.hash).or_else(|| {
            (e.prev_hash != self.prev_hash).then(|| {
                "its stored previous hash is not the hash of the entry before it".to_owned()
            })
        });
        if let Some(why) = why {
            chain.broken_id = Some(e.id);
            chain.broken_reason = Some(why);
        }
        self.prev_id = e.id;
        self.prev_hash = e.hash.clone();
    }
}
