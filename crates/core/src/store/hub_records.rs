//! Templates, batch links, customers and vouchers between this desk and its hub (local
//! migration 20, docs/chain-mode.md, "Changes between desks"): what waits to be uploaded
//! (`hub_records_out`, filled by triggers while the desk is joined), and the writes a
//! pull makes with another desk's version.
//!
//! What must stay true:
//! - a queued row is deleted after the hub's commit only when its `n` is still the one
//!   read (`sent`): an edit made meanwhile is sent next time;
//! - a local edit not yet uploaded wins over the hub's version: `apply_template`,
//!   `apply_link` and `apply_customers` leave a row that is queued untouched (it is uploaded at the next pull,
//!   where the last upload wins, and the other desks get it);
//! - an apply deletes, in its own transaction, the queue row its write caused, so the
//!   hub's version is never sent back as this desk's;
//! - a download records no platform change (`TemplateSaved`, `BatchLinked`): the desk
//!   that made the template or the link announced it to the platforms once, by its own
//!   record.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::hub_keys::{self, Keyed};
use super::templates::{self, TemplateError};
use super::{now_ms, StoreError};
use crate::domain::customer::Phone;
use crate::domain::offline::OfflinePolicy;
use crate::domain::template::{TemplateDraft, TemplateKind};

/// What is queued for the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queued {
    /// The local template id.
    Template(i64),
    /// The batch's ticket type.
    Link(String),
    /// The customer's phone.
    Customer(String),
    /// A voucher sold here (its local id).
    Voucher(i64),
    /// A voucher used here (its local id).
    VoucherUse(i64),
}

/// A queued row and the `n` it had when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub what: Queued,
    pub n: i64,
}

fn kind_key(q: &Queued) -> (&'static str, String) {
    match q {
        Queued::Template(id) => ("template", id.to_string()),
        Queued::Link(t) => ("link", t.clone()),
        Queued::Customer(p) => ("customer", p.clone()),
        Queued::Voucher(id) => ("voucher", id.to_string()),
        Queued::VoucherUse(id) => ("voucher_use", id.to_string()),
    }
}

/// The queue, templates first (a link may name a template queued with it).
pub fn pending(conn: &Connection) -> Result<Vec<Pending>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT kind, key, n FROM hub_records_out
          ORDER BY CASE kind WHEN 'template' THEN 0 WHEN 'link' THEN 1 WHEN 'customer' THEN 2
                             WHEN 'voucher' THEN 3 ELSE 4 END, key",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, key, n) = row?;
        let what = match kind.as_str() {
            "template" => match key.parse() {
                Ok(id) => Queued::Template(id),
                Err(_) => continue,
            },
            "customer" => Queued::Customer(key),
            "voucher" | "voucher_use" => match key.parse() {
                Ok(id) if kind == "voucher" => Queued::Voucher(id),
                Ok(id) => Queued::VoucherUse(id),
                Err(_) => continue,
            },
            _ => Queued::Link(key),
        };
        out.push(Pending { what, n });
    }
    Ok(out)
}

/// Whether `q` waits to be uploaded.
pub fn is_queued(conn: &Connection, q: &Queued) -> Result<bool, StoreError> {
    let (kind, key) = kind_key(q);
    Ok(conn
        .prepare_cached("SELECT 1 FROM hub_records_out WHERE kind = ?1 AND key = ?2")?
        .query_row(params![kind, key], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The row reached the hub: deleted unless it was queued again since it was read.
pub fn sent(conn: &Connection, p: &Pending) -> Result<(), StoreError> {
    let (kind, key) = kind_key(&p.what);
    conn.prepare_cached("DELETE FROM hub_records_out WHERE kind = ?1 AND key = ?2 AND n = ?3")?
        .execute(params![kind, key, p.n])?;
    Ok(())
}

/// Queues every template, every linked batch and every customer (the join sends all it
/// has).
pub fn queue_all(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "INSERT INTO hub_records_out (kind, key)
           SELECT 'template', CAST(id AS TEXT) FROM templates WHERE true
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
         INSERT INTO hub_records_out (kind, key)
           SELECT 'link', ticket_type FROM batches WHERE template_id IS NOT NULL
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
         INSERT INTO hub_records_out (kind, key)
           SELECT 'customer', phone FROM customers WHERE true
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
         INSERT INTO hub_records_out (kind, key)
           SELECT 'voucher', CAST(id AS TEXT) FROM vouchers WHERE hub_uid IS NULL
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
         INSERT INTO hub_records_out (kind, key)
           SELECT 'voucher_use', CAST(id AS TEXT) FROM vouchers
            WHERE used_at IS NOT NULL AND used_elsewhere = 0
         ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;",
    )?;
    Ok(())
}

/// A template as it travels: its uid and the values the hub keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateOut {
    pub uid: String,
    pub title: String,
    pub draft: serde_json::Value,
    pub offline_policy: Option<serde_json::Value>,
}

/// Template `id` as it is sent (given its uid now if it has none); None when there is no
/// such template.
pub fn template_out(conn: &Connection, id: i64) -> Result<Option<TemplateOut>, StoreError> {
    let Some(uid) = hub_keys::uid_of(conn, Keyed::Template, id)? else {
        return Ok(None);
    };
    let row: Option<(String, String, Option<String>)> = conn
        .prepare_cached("SELECT title, draft, offline_policy FROM templates WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((title, draft, policy)) = row else {
        return Ok(None);
    };
    let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).map_err(bad_json);
    Ok(Some(TemplateOut {
        uid,
        title,
        draft: json(&draft)?,
        offline_policy: policy.as_deref().map(json).transpose()?,
    }))
}

/// Batch `ticket_type`'s template uid as it is sent (the template given its uid now):
/// None when there is no such batch, Some(None) when it has no template.
pub fn link_out(
    conn: &Connection,
    ticket_type: &str,
) -> Result<Option<Option<(i64, String)>>, StoreError> {
    let found: Option<Option<i64>> = conn
        .prepare_cached("SELECT template_id FROM batches WHERE ticket_type = ?1")?
        .query_row([ticket_type], |r| r.get(0))
        .optional()?;
    let Some(template) = found else {
        return Ok(None);
    };
    let Some(id) = template else {
        return Ok(Some(None));
    };
    Ok(Some(
        hub_keys::uid_of(conn, Keyed::Template, id)?.map(|uid| (id, uid)),
    ))
}

fn bad_json(e: serde_json::Error) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// A template another desk made or changed, as the hub has it.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateIn {
    pub uid: String,
    pub draft: serde_json::Value,
    pub offline_policy: Option<serde_json::Value>,
}

/// What `apply_template` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateApplied {
    Created(i64),
    Updated(i64),
    /// This desk has it with these values already.
    Same(i64),
    /// This desk's own edit waits to be uploaded; it wins (module doc).
    KeptLocal(i64),
    /// Not applied, with why (a draft this build cannot read, a stock below the codes
    /// linked here).
    Refused(String),
}

impl TemplateApplied {
    /// The local template, when there is one.
    pub fn id(&self) -> Option<i64> {
        match self {
            TemplateApplied::Created(id)
            | TemplateApplied::Updated(id)
            | TemplateApplied::Same(id)
            | TemplateApplied::KeptLocal(id) => Some(*id),
            TemplateApplied::Refused(_) => None,
        }
    }
}

/// Creates or updates the local template known by `t.uid` with the hub's values, in one
/// transaction, audited (`template.hub_pull`), with no platform change record.
pub fn apply_template(
    conn: &mut Connection,
    t: &TemplateIn,
) -> Result<TemplateApplied, TemplateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let known = hub_keys::id_of(&tx, Keyed::Template, &t.uid)?;
    if let Some(id) = known {
        if is_queued(&tx, &Queued::Template(id))? {
            return Ok(TemplateApplied::KeptLocal(id));
        }
    }
    let mut draft: TemplateDraft = match serde_json::from_value(t.draft.clone()) {
        Ok(d) => d,
        Err(e) => {
            return Ok(TemplateApplied::Refused(format!(
                "template {} not applied: its fields cannot be read by this version ({e}); \
                 update CouponDesk",
                t.uid
            )))
        }
    };
    // Logo files do not travel: a logo this desk does not keep is left out (the logo
    // URL stays).
    if let Some(logo) = &draft.logo_image {
        if !super::logos::exists(&tx, logo)? {
            draft.logo_image = None;
        }
    }
    if let Err(fields) = draft.normalise_and_validate() {
        return Ok(TemplateApplied::Refused(format!(
            "template {} \"{}\" not applied: {}",
            t.uid,
            draft.title,
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let policy: Option<OfflinePolicy> = match &t.offline_policy {
        None => None,
        Some(v) => match serde_json::from_value::<OfflinePolicy>(v.clone()) {
            Ok(p) => Some(p),
            Err(e) => {
                return Ok(TemplateApplied::Refused(format!(
                    "template {} not applied: its offline policy cannot be read by this \
                     version ({e}); update CouponDesk",
                    t.uid
                )))
            }
        },
    };
    let draft_text = serde_json::to_string(&draft).map_err(bad_json)?;
    let policy_text = policy
        .map(|p| serde_json::to_string(&p))
        .transpose()
        .map_err(bad_json)?;
    let kind = TemplateKind::of(&draft.offer).as_str();
    let now = now_ms();
    let applied = match known {
        None => {
            tx.execute(
                "INSERT INTO templates (kind, title, draft, quantity, begin_at, end_at,
                                        created_at, updated_at, offline_policy)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                params![
                    kind,
                    draft.title,
                    draft_text,
                    draft.quantity,
                    draft.begin_at.timestamp_millis(),
                    draft.end_at.timestamp_millis(),
                    now,
                    policy_text
                ],
            )?;
            let id = tx.last_insert_rowid();
            // A new row has no uid, and no other row has this one (`id_of` above): the
            // adoption cannot be refused.
            hub_keys::adopt_uid(&tx, Keyed::Template, id, &t.uid)?;
            super::audit::record(
                &tx,
                "template.hub_pull",
                &id.to_string(),
                &serde_json::json!({ "uid": t.uid, "title": draft.title, "created": true }),
            )?;
            TemplateApplied::Created(id)
        }
        Some(id) => {
            let before = templates::get(&tx, id)?;
            let before_policy = super::hub_claims::offline_policy(&tx, id)?;
            if before.fields == draft && before_policy == policy.unwrap_or_default() {
                return Ok(TemplateApplied::Same(id));
            }
            if draft.quantity < before.code_count {
                return Ok(TemplateApplied::Refused(format!(
                    "template \"{}\" not updated: its new stock {} is below the {} codes \
                     linked to it here; raise the stock at the desk that changed it",
                    draft.title, draft.quantity, before.code_count
                )));
            }
            tx.execute(
                "UPDATE templates SET kind = ?2, title = ?3, draft = ?4, quantity = ?5,
                   begin_at = ?6, end_at = ?7, updated_at = ?8, offline_policy = ?9
                 WHERE id = ?1",
                params![
                    id,
                    kind,
                    draft.title,
                    draft_text,
                    draft.quantity,
                    draft.begin_at.timestamp_millis(),
                    draft.end_at.timestamp_millis(),
                    now,
                    policy_text
                ],
            )?;
            super::audit::record(
                &tx,
                "template.hub_pull",
                &id.to_string(),
                &serde_json::json!({
                    "uid": t.uid,
                    "before": { "fields": before.fields, "offlinePolicy": before_policy },
                    "after": { "fields": draft, "offlinePolicy": policy.unwrap_or_default() },
                }),
            )?;
            TemplateApplied::Updated(id)
        }
    };
    if let Some(id) = applied.id() {
        // The row the triggers queued for this write: the hub's version is not ours to
        // send back.
        tx.execute(
            "DELETE FROM hub_records_out WHERE kind = 'template' AND key = ?1",
            [id.to_string()],
        )?;
    }
    tx.commit()?;
    Ok(applied)
}

/// What `apply_link` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkApplied {
    Linked,
    Same,
    /// This desk's own link of the batch waits to be uploaded; it wins.
    KeptLocal,
    /// This desk has no such batch (yet): it is linked when it is downloaded.
    NoBatch,
    /// Not applied, with why.
    Refused(String),
}

/// Links local batch `ticket_type` to local template `template` (None: unlinks), as the
/// hub says, audited (`template.hub_link`), with no platform change record. A batch
/// with redemptions under its current template keeps it (as `unlink_batch` refuses), and
/// the template's stock is respected (as `link_batch`).
pub fn apply_link(
    conn: &mut Connection,
    ticket_type: &str,
    template: Option<i64>,
) -> Result<LinkApplied, TemplateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<(i64, Option<i64>)> = tx
        .prepare_cached("SELECT id, template_id FROM batches WHERE ticket_type = ?1")?
        .query_row([ticket_type], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((batch_id, current)) = found else {
        return Ok(LinkApplied::NoBatch);
    };
    if current == template {
        return Ok(LinkApplied::Same);
    }
    if is_queued(&tx, &Queued::Link(ticket_type.to_owned()))? {
        return Ok(LinkApplied::KeptLocal);
    }
    if let Some(old) = current {
        let used = tx
            .query_row(
                "SELECT 1 FROM redemptions WHERE template_id = ?1 AND code_id >> 32 = ?2 LIMIT 1",
                params![old, batch_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if used {
            return Ok(LinkApplied::Refused(format!(
                "batch {ticket_type} keeps its template here: codes of it were redeemed under \
                 it; undo those redemptions or link it again at the other desk"
            )));
        }
    }
    if let Some(t) = template {
        let tpl = templates::get(&tx, t)?;
        let codes: i64 = tx.query_row(
            "SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = ?1",
            [batch_id],
            |r| r.get(0),
        )?;
        if tpl.code_count + codes > tpl.fields.quantity {
            return Ok(LinkApplied::Refused(format!(
                "batch {ticket_type} not linked to \"{}\": it would have {} codes, its stock \
                 is {}",
                tpl.fields.title,
                tpl.code_count + codes,
                tpl.fields.quantity
            )));
        }
    }
    tx.execute(
        "UPDATE batches SET template_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![batch_id, template, now_ms()],
    )?;
    super::audit::record(
        &tx,
        "template.hub_link",
        &template.map_or_else(String::new, |t| t.to_string()),
        &serde_json::json!({ "ticket_type": ticket_type, "before": current }),
    )?;
    tx.execute(
        "DELETE FROM hub_records_out WHERE kind = 'link' AND key = ?1",
        [ticket_type],
    )?;
    tx.commit()?;
    Ok(LinkApplied::Linked)
}

/// Customer `phone`'s name as it is sent; None when there is no such customer.
pub fn customer_out(conn: &Connection, phone: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name FROM customers WHERE phone = ?1")?
        .query_row([phone], |r| r.get(0))
        .optional()?)
}

/// What `apply_customers` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomersApplied {
    /// Customers added or renamed here.
    pub applied: u64,
    /// Customers whose own edit here waits to be uploaded (it wins).
    pub kept: u64,
    /// Phones this build does not take (not 11 digits), each with why.
    pub refused: Vec<String>,
}

/// Adds or renames customers as the hub says (phone, name), in one transaction, each
/// audited (`customer.hub_pull`). The hub's empty name never replaces a name; a customer
/// still queued here keeps its own name (module doc).
pub fn apply_customers(
    conn: &mut Connection,
    rows: &[(String, String)],
) -> Result<CustomersApplied, StoreError> {
    let mut out = CustomersApplied::default();
    if rows.is_empty() {
        return Ok(out);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for (phone, name) in rows {
        let Ok(valid) = Phone::parse(phone) else {
            out.refused.push(format!(
                "customer {phone:?} not added: not an 11-digit mobile number"
            ));
            continue;
        };
        if is_queued(&tx, &Queued::Customer(phone.clone()))? {
            out.kept += 1;
            continue;
        }
        let changed = match super::customers::find(&tx, &valid)? {
            None => {
                super::customers::ensure(&tx, &valid, name)?;
                true
            }
            Some(c) if !name.is_empty() && c.name != *name => {
                tx.prepare_cached("UPDATE customers SET name = ?2, updated_at = ?3 WHERE id = ?1")?
                    .execute(params![c.id, name, now_ms()])?;
                super::audit::record(
                    &tx,
                    "customer.hub_pull",
                    phone,
                    &serde_json::json!({ "before": c.name, "after": name }),
                )?;
                true
            }
            Some(_) => false,
        };
        if changed {
            out.applied += 1;
            tx.prepare_cached("DELETE FROM hub_records_out WHERE kind = 'customer' AND key = ?1")?
                .execute([phone])?;
        }
    }
    tx.commit()?;
    Ok(out)
}

/// A voucher as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRow {
    pub uid: String,
    pub phone: String,
    pub pkg: Option<i64>,
    pub name: String,
    pub price_fen: i64,
    pub introduction: String,
    pub paid: bool,
    pub sold_at_ms: i64,
    /// When used: when (ms), by whom, at which terminal.
    pub used: Option<(i64, String, String)>,
}

/// Voucher `id` as it is sent (given its uid now if it has none); None when there is no
/// such voucher.
pub fn voucher_out(conn: &Connection, id: i64) -> Result<Option<VoucherRow>, StoreError> {
    let Some(uid) = hub_keys::uid_of(conn, Keyed::Voucher, id)? else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached(
            "SELECT c.phone, v.pkg, v.name, v.price_fen, v.introduction, v.paid, v.created_at,
                    v.used_at, coalesce(v.used_by, ''), coalesce(v.used_terminal, '')
               FROM vouchers v JOIN customers c ON c.id = v.customer_id WHERE v.id = ?1",
        )?
        .query_row([id], |r| {
            let used_at: Option<i64> = r.get(7)?;
            Ok(VoucherRow {
                uid: uid.clone(),
                phone: r.get(0)?,
                pkg: r.get(1)?,
                name: r.get(2)?,
                price_fen: r.get(3)?,
                introduction: r.get(4)?,
                paid: r.get(5)?,
                sold_at_ms: r.get(6)?,
                used: match used_at {
                    Some(at) => Some((at, r.get(8)?, r.get(9)?)),
                    None => None,
                },
            })
        })
        .optional()?)
}

/// What `apply_voucher` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoucherApplied {
    /// A voucher sold at another desk, now here (used or not).
    Created,
    /// A voucher this desk has, now used by another desk's use.
    Used,
    /// Nothing to change (already here; a local use is final and its own).
    Same,
    /// The customer's phone is not one this build takes.
    Refused,
}

/// Writes the hub's voucher here, audited (`voucher.hub_pull`), with no platform change
/// record (the selling desk recorded the sale). A use from the hub is marked
/// `used_elsewhere`: not queued back, not counted as this counter's work. A voucher used
/// here keeps its own use (used is final).
pub fn apply_voucher(conn: &mut Connection, v: &VoucherRow) -> Result<VoucherApplied, StoreError> {
    let Ok(phone) = Phone::parse(&v.phone) else {
        return Ok(VoucherApplied::Refused);
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let known = hub_keys::id_of(&tx, Keyed::Voucher, &v.uid)?;
    let applied = match known {
        None => {
            let customer = super::customers::ensure(&tx, &phone, "")?;
            let (used_at, used_by, used_terminal) = match &v.used {
                Some((at, by, t)) => (Some(*at), Some(by.as_str()), Some(t.as_str())),
                None => (None, None, None),
            };
            tx.prepare_cached(
                "INSERT INTO vouchers (customer_id, pkg, name, price_fen, introduction, paid,
                   used_at, used_by, used_terminal, used_elsewhere, hub_uid, created_at,
                   updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                customer,
                v.pkg,
                v.name,
                v.price_fen,
                v.introduction,
                v.paid,
                used_at,
                used_by,
                used_terminal,
                used_at.is_some(),
                v.uid,
                v.sold_at_ms,
                now_ms()
            ])?;
            VoucherApplied::Created
        }
        Some(id) => match &v.used {
            Some((at, by, t)) => {
                let n = tx
                    .prepare_cached(
                        "UPDATE vouchers SET used_at = ?2, used_by = ?3, used_terminal = ?4,
                                used_elsewhere = 1, updated_at = ?5
                          WHERE id = ?1 AND used_at IS NULL",
                    )?
                    .execute(params![id, at, by, t, now_ms()])?;
                if n == 1 {
                    VoucherApplied::Used
                } else {
                    VoucherApplied::Same
                }
            }
            None => VoucherApplied::Same,
        },
    };
    if applied != VoucherApplied::Same {
        super::audit::record(
            &tx,
            "voucher.hub_pull",
            &v.uid,
            &serde_json::json!({
                "name": v.name,
                "customer": v.phone,
                "created": applied == VoucherApplied::Created,
                "usedAt": v.used.as_ref().map(|u| u.0),
                "usedTerminal": v.used.as_ref().map(|u| u.2.clone()),
            }),
        )?;
    }
    tx.commit()?;
    Ok(applied)
}

/// The hub kept another desk's use of voucher `id`, used here too: kept for a manager
/// (`hub_use_conflicts`, one list with the bonuses').
pub fn record_voucher_conflict(
    conn: &Connection,
    id: i64,
    (by, terminal, store, at_ms): (&str, &str, &str, i64),
) -> Result<bool, StoreError> {
    super::hub_use_conflicts::record(
        conn,
        super::hub_offline_uses::HubUseKind::Voucher,
        id,
        &super::hub_use_conflicts::KeptUse {
            by,
            terminal,
            store,
            at_ms,
            amount_fen: None,
        },
    )
}
