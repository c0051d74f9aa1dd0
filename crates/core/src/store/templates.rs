//! The `templates` table and the link from batches to templates.
//!
//! What must stay true:
//! - `draft` holds a TemplateDraft that passed validation; `kind`, `title`, `quantity`,
//!   `begin_at` and `end_at` are copies of it, written in the same statement;
//! - a batch is linked to at most one template, and linking never takes a template's codes
//!   past its stock (`quantity`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{actor, changes, from_ms, now_ms, StoreError};
use crate::api_error::FieldError;
use crate::domain::change::Change;
use crate::domain::template::{Template, TemplateDraft, TemplateKind, TemplateStatus};
use crate::domain::{Page, PageRequest};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("some fields need attention: {}", describe(.0))]
    InvalidFields(Vec<FieldError>),
    #[error("no coupon template has the id {0}; it may have been deleted, reload the list")]
    NotFound(i64),
    #[error(
        "batch {ticket_type} is already linked to the template \"{title}\"; unlink it there first"
    )]
    LinkedElsewhere { ticket_type: String, title: String },
    #[error(
        "linking would give this template {would_have} codes but its stock is {quantity}; \
         raise the stock or link a smaller batch"
    )]
    OverStock { quantity: i64, would_have: i64 },
    #[error(
        "codes of batch {0} have been redeemed under this template, so the link must stay; \
         undo those redemptions first"
    )]
    BatchHasRedemptions(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<rusqlite::Error> for TemplateError {
    fn from(e: rusqlite::Error) -> Self {
        TemplateError::Store(e.into())
    }
}

crate::error_codes::impl_error_code! {
    TemplateError {
        codes {
            TemplateError::InvalidFields(_) => "invalid_fields",
            TemplateError::NotFound(_) => "template_not_found",
            TemplateError::LinkedElsewhere { .. } => "batch_linked_elsewhere",
            TemplateError::OverStock { .. } => "template_over_stock",
            TemplateError::BatchHasRedemptions(_) => "batch_has_redemptions",
        }
        wraps { Store(StoreError) }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                TemplateError::InvalidFields(f) => f.clone(),
                // The numbers, on the field staff would change (the stock).
                TemplateError::OverStock { quantity, would_have } => vec![FieldError::new(
                    "quantity",
                    "over_stock",
                    format!("the stock is {quantity}; linking would give {would_have} codes"),
                )],
                _ => Vec::new(),
            }
        }
    }
}

/// The list's filters: spec 001's `search=ticket_type,=;begin_at,>=;end_at,<`, plus a
/// substring of the title.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TemplateQuery {
    /// `ticket_type,=`
    #[serde(default)]
    pub kind: Option<TemplateKind>,
    /// `begin_at,>=`
    #[serde(default)]
    pub begin_from: Option<DateTime<Utc>>,
    /// `end_at,<`
    #[serde(default)]
    pub end_before: Option<DateTime<Utc>>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub page: PageRequest,
}

impl TemplateQuery {
    /// The query in spec 001's wire syntax: the `search` parameter and the values of the
    /// fields it names, in order (the spec passes values separately).
    pub fn spec_search(&self) -> (String, Vec<(&'static str, String)>) {
        let mut search = String::new();
        let mut values = Vec::new();
        if let Some(k) = self.kind {
            search.push_str("ticket_type,=;");
            values.push(("ticket_type", k.as_str().to_owned()));
        }
        if let Some(b) = self.begin_from {
            search.push_str("begin_at,>=;");
            values.push(("begin_at", b.format("%Y-%m-%d %H:%M:%S").to_string()));
        }
        if let Some(e) = self.end_before {
            search.push_str("end_at,<;");
            values.push(("end_at", e.format("%Y-%m-%d %H:%M:%S").to_string()));
        }
        (search, values)
    }
}

const SELECT_TEMPLATE: &str = "SELECT t.id, t.draft, t.created_at, t.updated_at,
    (SELECT coalesce(sum(n), 0) FROM batch_counts c JOIN batches b ON b.id = c.batch_id
      WHERE b.template_id = t.id),
    (SELECT count(*) FROM redemptions r WHERE r.template_id = t.id AND r.undone_at IS NULL),
    (SELECT coalesce(group_concat(ticket_type, char(10)), '') FROM
      (SELECT ticket_type FROM batches WHERE template_id = t.id ORDER BY ticket_type))
  FROM templates t";

fn template_from_row(r: &Row<'_>) -> rusqlite::Result<Template> {
    let draft: String = r.get(1)?;
    let fields: TemplateDraft = serde_json::from_str(&draft).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let batches: String = r.get(6)?;
    let status = TemplateStatus::at(fields.begin_at, fields.end_at, from_ms(now_ms()));
    Ok(Template {
        id: r.get(0)?,
        kind: TemplateKind::of(&fields.offer),
        status,
        fields,
        created_at: from_ms(r.get(2)?),
        updated_at: from_ms(r.get(3)?),
        code_count: r.get(4)?,
        redeemed_count: r.get(5)?,
        batches: batches
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Template, TemplateError> {
    conn.query_row(
        &format!("{SELECT_TEMPLATE} WHERE t.id = ?1"),
        [id],
        template_from_row,
    )
    .optional()?
    .ok_or(TemplateError::NotFound(id))
}

/// Just the draft, for the counter's hot path.
pub fn draft(conn: &Connection, id: i64) -> Result<TemplateDraft, TemplateError> {
    let json: String = conn
        .prepare_cached("SELECT draft FROM templates WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(TemplateError::NotFound(id))?;
    serde_json::from_str(&json).map_err(|e| {
        TemplateError::Store(StoreError::Sqlite(
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)),
        ))
    })
}

fn validated(mut draft: TemplateDraft) -> Result<TemplateDraft, TemplateError> {
    draft
        .normalise_and_validate()
        .map_err(TemplateError::InvalidFields)?;
    Ok(draft)
}

/// A logo picked from a file must be one kept here (`template_logo_add`), read in the
/// saving transaction.
fn logo_known(tx: &Connection, d: &TemplateDraft) -> Result<(), TemplateError> {
    match &d.logo_image {
        Some(id) if !super::logos::exists(tx, id)? => {
            Err(TemplateError::InvalidFields(vec![FieldError::new(
                "logoImage",
                "not_found",
                "this logo file is not kept here; choose the logo file again",
            )]))
        }
        _ => Ok(()),
    }
}

fn to_json(d: &TemplateDraft) -> String {
    // A TemplateDraft is plain data: serialising it cannot fail.
    serde_json::to_string(d).unwrap_or_default()
}

pub fn create(conn: &mut Connection, draft: TemplateDraft) -> Result<Template, TemplateError> {
    let d = validated(draft)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    logo_known(&tx, &d)?;
    let now = now_ms();
    tx.execute(
        "INSERT INTO templates (kind, title, draft, quantity, begin_at, end_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            TemplateKind::of(&d.offer).as_str(),
            d.title,
            to_json(&d),
            d.quantity,
            d.begin_at.timestamp_millis(),
            d.end_at.timestamp_millis(),
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    super::audit::record(
        &tx,
        "template.create",
        &id.to_string(),
        &serde_json::json!({ "title": d.title }),
    )?;
    record_saved(&tx, id, &d)?;
    let t = get(&tx, id)?;
    tx.commit()?;
    Ok(t)
}

pub fn update(
    conn: &mut Connection,
    id: i64,
    draft: TemplateDraft,
) -> Result<Template, TemplateError> {
    let d = validated(draft)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    logo_known(&tx, &d)?;
    let before = get(&tx, id)?;
    if d.quantity < before.code_count {
        return Err(TemplateError::InvalidFields(vec![FieldError::new(
            "quantity",
            "out_of_range",
            format!(
                "the stock cannot be lower than the {} codes already linked",
                before.code_count
            ),
        )]));
    }
    tx.execute(
        "UPDATE templates SET kind = ?2, title = ?3, draft = ?4, quantity = ?5, begin_at = ?6,
           end_at = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            id,
            TemplateKind::of(&d.offer).as_str(),
            d.title,
            to_json(&d),
            d.quantity,
            d.begin_at.timestamp_millis(),
            d.end_at.timestamp_millis(),
            now_ms()
        ],
    )?;
    super::audit::record(
        &tx,
        "template.update",
        &id.to_string(),
        &serde_json::json!({ "before": before.fields, "after": d }),
    )?;
    record_saved(&tx, id, &d)?;
    let t = get(&tx, id)?;
    tx.commit()?;
    Ok(t)
}

/// Records a template's new state for the platforms (a change record in the caller's
/// transaction); which platform hears of it, and as a create or an update, is the sync
/// router's business.
fn record_saved(tx: &Transaction<'_>, id: i64, d: &TemplateDraft) -> Result<(), StoreError> {
    changes::append(
        tx,
        &actor(),
        &Change::TemplateSaved {
            template: id,
            draft: Box::new(d.clone()),
        },
    )?;
    Ok(())
}

/// Newest first.
pub fn list(conn: &Connection, q: &TemplateQuery) -> Result<Page<Template>, TemplateError> {
    let page = q.page;
    let title = q
        .title
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(super::batches::like_pattern);
    let args = params![
        q.kind.map(TemplateKind::as_str),
        q.begin_from.map(|d| d.timestamp_millis()),
        q.end_before.map(|d| d.timestamp_millis()),
        title,
    ];
    let filter = "WHERE (?1 IS NULL OR t.kind = ?1) AND (?2 IS NULL OR t.begin_at >= ?2)
                    AND (?3 IS NULL OR t.end_at < ?3) AND (?4 IS NULL OR t.title LIKE ?4 ESCAPE '\\')";
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM templates t {filter}"),
        args,
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_TEMPLATE} {filter} ORDER BY t.id DESC LIMIT {} OFFSET {}",
        page.per_page,
        page.offset()
    ))?;
    let items = stmt
        .query_map(args, template_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, page, total.max(0) as u64))
}

fn batch_link(tx: &Transaction<'_>, ticket_type: &str) -> Result<(i64, Option<i64>), StoreError> {
    tx.query_row(
        "SELECT id, template_id FROM batches WHERE ticket_type = ?1",
        [ticket_type],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::BatchNotFound(ticket_type.to_owned()))
}

/// Links a batch's codes to a template. Linking the batch to the template it already
/// belongs to changes nothing. `platform_batch`: the batch number Sense (000) gave when
/// staff uploaded the batch's file in its console; it travels with the batch's first
/// link (spec 000 has no upload endpoint; without it or an upload path in Settings, the
/// op waits in the inbox for it).
pub fn link_batch(
    conn: &mut Connection,
    id: i64,
    ticket_type: &str,
    platform_batch: Option<&str>,
) -> Result<Template, TemplateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let t = get(&tx, id)?;
    let (batch_id, linked) = batch_link(&tx, ticket_type.trim())?;
    match linked {
        Some(other) if other == id => return Ok(t),
        Some(other) => {
            return Err(TemplateError::LinkedElsewhere {
                ticket_type: ticket_type.trim().to_owned(),
                title: get(&tx, other)?.fields.title,
            })
        }
        None => {}
    }
    let codes: i64 = tx.query_row(
        "SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = ?1",
        [batch_id],
        |r| r.get(0),
    )?;
    if t.code_count + codes > t.fields.quantity {
        return Err(TemplateError::OverStock {
            quantity: t.fields.quantity,
            would_have: t.code_count + codes,
        });
    }
    tx.execute(
        "UPDATE batches SET template_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![batch_id, id, now_ms()],
    )?;
    super::audit::record(
        &tx,
        "template.link_batch",
        &id.to_string(),
        &serde_json::json!({ "ticket_type": ticket_type.trim() }),
    )?;
    // The platforms hear of the link; whether the codes still need sending (only at a
    // batch's first link) is the sync router's business.
    changes::append(
        &tx,
        &actor(),
        &Change::BatchLinked {
            template: id,
            batch: batch_id,
            ticket_type: ticket_type.trim().to_owned(),
            title: t.fields.title.clone(),
            codes: codes.max(0) as u64,
            platform_batch: platform_batch
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        },
    )?;
    let t = get(&tx, id)?;
    tx.commit()?;
    Ok(t)
}

/// Unlinks a batch whose codes were never redeemed under the template.
pub fn unlink_batch(
    conn: &mut Connection,
    id: i64,
    ticket_type: &str,
) -> Result<Template, TemplateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    get(&tx, id)?;
    let ticket_type = ticket_type.trim();
    let (batch_id, linked) = batch_link(&tx, ticket_type)?;
    if linked != Some(id) {
        return get(&tx, id);
    }
    let used: bool = tx
        .query_row(
            "SELECT 1 FROM redemptions WHERE template_id = ?1 AND code_id >> 32 = ?2 LIMIT 1",
            params![id, batch_id],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if used {
        return Err(TemplateError::BatchHasRedemptions(ticket_type.to_owned()));
    }
    tx.execute(
        "UPDATE batches SET template_id = NULL, updated_at = ?2 WHERE id = ?1",
        params![batch_id, now_ms()],
    )?;
    super::audit::record(
        &tx,
        "template.unlink_batch",
        &id.to_string(),
        &serde_json::json!({ "ticket_type": ticket_type }),
    )?;
    let t = get(&tx, id)?;
    tx.commit()?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spec_search_syntax() {
        let q = TemplateQuery {
            kind: Some(TemplateKind::Cash),
            begin_from: Utc.with_ymd_and_hms(2018, 1, 10, 0, 0, 0).single(),
            end_before: Utc.with_ymd_and_hms(2019, 12, 10, 0, 0, 0).single(),
            ..TemplateQuery::default()
        };
        let (search, values) = q.spec_search();
        assert_eq!(search, "ticket_type,=;begin_at,>=;end_at,<;");
        assert_eq!(
            values,
            vec![
                ("ticket_type", "cash".to_owned()),
                ("begin_at", "2018-01-10 00:00:00".to_owned()),
                ("end_at", "2019-12-10 00:00:00".to_owned())
            ]
        );
        assert_eq!(TemplateQuery::default().spec_search().0, "");
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let linked = TemplateError::LinkedElsewhere {
            ticket_type: "T1".into(),
            title: "t".into(),
        };
        assert_codes(vec![
            (TemplateError::InvalidFields(Vec::new()), "invalid_fields"),
            (TemplateError::NotFound(1), "template_not_found"),
            (linked, "batch_linked_elsewhere"),
            (
                TemplateError::OverStock {
                    quantity: 1,
                    would_have: 2,
                },
                "template_over_stock",
            ),
            (
                TemplateError::BatchHasRedemptions("T1".into()),
                "batch_has_redemptions",
            ),
            (
                TemplateError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
