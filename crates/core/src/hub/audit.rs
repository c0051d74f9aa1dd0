//! Every desk's audit trail at the hub (`migrations/0010_audit.sql`, hub schema 10): the upload of a page
//! of entries (`put_audit`), and the reads of `hub audit verify` and `hub audit list`.
//!
//! This layer moves rows; it never computes a hash. The chain is checked by the desk's own
//! code (`store::audit`, `store::audit_verify`) in desk/hub_audit.rs, so there is one
//! canonical form.

use serde::Serialize;
use tokio_postgres::GenericClient;
use ts_rs::TS;

use super::HubError;
use crate::domain::audit::AuditEntry;

/// One entry as stored (the desk's text of `detail`, byte for byte), with the hash of the
/// entry before it in the same chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub terminal: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Why the hub refused an entry (`put_audit`'s `reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The hub has an entry of that id from this terminal, and it is not this one.
    Differs,
    /// The id is not the one after the hub's last entry of this terminal.
    NotNext,
    /// Its previous hash is not the hash of the hub's last entry of this terminal.
    PrevHash,
}

/// What `put_audit` did with a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put {
    /// Entries added now.
    pub taken: i64,
    /// Entries the hub had already, identical (sent again after a lost answer).
    pub same: i64,
    /// The last id accepted (taken or same); 0 when none.
    pub upto: i64,
    /// The first entry refused, and why; the entries after it were not looked at.
    pub refused: Option<(i64, Refusal)>,
    /// This terminal's last id at the hub after the call.
    pub hub_last: i64,
}

/// Sends a page of this terminal's entries, in id order (the hub knows the terminal by
/// the login role).
pub async fn put(c: &impl GenericClient, entries: &[HubEntry]) -> Result<Put, HubError> {
    let col = |f: fn(&HubEntry) -> String| entries.iter().map(f).collect::<Vec<String>>();
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let ats: Vec<i64> = entries.iter().map(|e| e.at).collect();
    let (actor, terminal, action) = (
        col(|e| e.actor.clone()),
        col(|e| e.terminal.clone()),
        col(|e| e.action.clone()),
    );
    let (subject, detail, prev, hash) = (
        col(|e| e.subject.clone()),
        col(|e| e.detail.clone()),
        col(|e| e.prev_hash.clone()),
        col(|e| e.hash.clone()),
    );
    let row = c
        .query_one(
            "SELECT taken, same, upto, refused, reason, hub_last
               FROM coupondesk.put_audit($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &ids, &ats, &actor, &terminal, &action, &subject, &detail, &prev, &hash,
            ],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
    let refused: Option<i64> = row.try_get(3).map_err(pg)?;
    let reason: Option<String> = row.try_get(4).map_err(pg)?;
    let refused = match (refused, reason.as_deref()) {
        (None, _) => None,
        (Some(id), Some("differs")) => Some((id, Refusal::Differs)),
        (Some(id), Some("not_next")) => Some((id, Refusal::NotNext)),
        (Some(id), Some("prev_hash")) => Some((id, Refusal::PrevHash)),
        (Some(id), other) => {
            return Err(HubError::Failed(format!(
                "the hub refused audit entry {id} for a reason this desk does not know: {other:?}"
            )))
        }
    };
    Ok(Put {
        taken: row.try_get(0).map_err(pg)?,
        same: row.try_get(1).map_err(pg)?,
        upto: row.try_get(2).map_err(pg)?,
        refused,
        hub_last: row.try_get(5).map_err(pg)?,
    })
}

/// This terminal's last entry id at the hub (0: none).
pub async fn my_last(c: &impl GenericClient) -> Result<i64, HubError> {
    let row = c
        .query_one("SELECT coupondesk.my_audit_last()", &[])
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    row.try_get(0).map_err(|e| HubError::from_pg(&e))
}

/// A terminal of the hub, by id, with its store's name and its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubTerminal {
    pub id: i64,
    pub store: String,
    pub name: String,
}

pub async fn terminals(c: &impl GenericClient) -> Result<Vec<HubTerminal>, HubError> {
    let rows = c
        .query(
            "SELECT t.id, s.name, t.name FROM coupondesk.terminals t
               JOIN coupondesk.stores s ON s.id = t.store_id ORDER BY t.id",
            &[],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    Ok(rows
        .iter()
        .map(|r| HubTerminal {
            id: r.get(0),
            store: r.get(1),
            name: r.get(2),
        })
        .collect())
}

/// Up to `limit` entries after `(terminal, id)`, in (terminal, id) order: the verify's
/// walk, a page at a time so no chain sits in memory whole.
pub async fn walk_page(
    c: &impl GenericClient,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<(i64, HubEntry)>, HubError> {
    let rows = c
        .query(
            "SELECT terminal_id, id, at, actor, terminal, action, subject, detail, prev_hash, hash
               FROM coupondesk.audit WHERE (terminal_id, id) > ($1, $2)
              ORDER BY terminal_id, id LIMIT $3",
            &[&after.0, &after.1, &limit],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                HubEntry {
                    id: r.get(1),
                    at: r.get(2),
                    actor: r.get(3),
                    terminal: r.get(4),
                    action: r.get(5),
                    subject: r.get(6),
                    detail: r.get(7),
                    prev_hash: r.get(8),
                    hash: r.get(9),
                },
            )
        })
        .collect())
}

/// The hub list's filters, already trimmed (empty: None) by the desk. Times in ms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub subject: Option<String>,
    pub exact_subject: bool,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub store: Option<String>,
    pub terminal: Option<String>,
}

/// One entry of the hub's list: the desk's entry, and the hub's terminal and store it
/// came from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubAuditEntry {
    #[ts(type = "number")]
    pub terminal_id: i64,
    pub store: String,
    pub terminal_name: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

const LIST_FROM: &str = "FROM coupondesk.audit a
      JOIN coupondesk.terminals t ON t.id = a.terminal_id
      JOIN coupondesk.stores s ON s.id = t.store_id
     WHERE ($1::text IS NULL OR a.actor = $1)
       AND ($2::text IS NULL OR a.action = $2)
       AND ($3::text IS NULL OR (CASE WHEN $4 THEN a.subject = $3
                                      ELSE strpos(a.subject, $3) > 0 END))
       AND ($5::bigint IS NULL OR a.at >= $5)
       AND ($6::bigint IS NULL OR a.at < $6)
       AND ($7::text IS NULL OR s.name = $7)
       AND ($8::text IS NULL OR t.name = $8)";

/// Where a keyset read of the list stands: the last row's `(at, terminal_id, id)`.
pub type ListKey = (i64, i64, i64);

/// Up to `limit` entries the filter matches that come after `after` in the list's order
/// (newest first by `at`, ties by terminal ascending and id descending; `None`: from the
/// start): the export's read, a page at a time, by key rather than offset so an entry
/// arriving while it reads cannot shift a page and repeat or skip a row.
pub async fn list_after(
    c: &impl GenericClient,
    f: &ListFilter,
    after: Option<ListKey>,
    limit: i64,
) -> Result<Vec<(i64, String, String, HubEntry)>, HubError> {
    let (at, tid, id) = (after.map(|k| k.0), after.map(|k| k.1), after.map(|k| k.2));
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 12] = [
        &f.actor,
        &f.action,
        &f.subject,
        &f.exact_subject,
        &f.since_ms,
        &f.until_ms,
        &f.store,
        &f.terminal,
        &at,
        &tid,
        &id,
        &limit,
    ];
    // `a.at <= $9` alone lets the planner walk `audit_by_at`; the OR picks the exact key.
    let rows = c
        .query(
            &format!(
                "SELECT a.terminal_id, s.name, t.name, a.id, a.at, a.actor, a.terminal,
                        a.action, a.subject, a.detail, a.prev_hash, a.hash {LIST_FROM}
                    AND ($9::bigint IS NULL OR (a.at <= $9 AND (a.at < $9
                         OR a.terminal_id > $10::bigint
                         OR (a.terminal_id = $10::bigint AND a.id < $11::bigint))))
                  ORDER BY a.at DESC, a.terminal_id, a.id DESC LIMIT $12"
            ),
            &params,
        )
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    Ok(rows.iter().map(list_row).collect())
}

/// A row of the list's SELECT: terminal id, store, terminal name, the entry.
fn list_row(r: &tokio_postgres::Row) -> (i64, String, String, HubEntry) {
    (
        r.get(0),
        r.get(1),
        r.get(2),
        HubEntry {
            id: r.get(3),
            at: r.get(4),
            actor: r.get(5),
            terminal: r.get(6),
            action: r.get(7),
            subject: r.get(8),
            detail: r.get(9),
            prev_hash: r.get(10),
            hash: r.get(11),
        },
    )
}

/// The total the filter matches, and one page of it, newest first (by the desks' own
/// clocks; ties by terminal and id).
pub async fn list(
    c: &impl GenericClient,
    f: &ListFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<(i64, String, String, HubEntry)>), HubError> {
    let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 8] = [
        &f.actor,
        &f.action,
        &f.subject,
        &f.exact_subject,
        &f.since_ms,
        &f.until_ms,
        &f.store,
        &f.terminal,
    ];
    let total: i64 = c
        .query_one(&format!("SELECT count(*) {LIST_FROM}"), &params)
        .await
        .map_err(pg)?
        .get(0);
    let mut paged = params.to_vec();
    paged.push(&limit);
    paged.push(&offset);
    let rows = c
        .query(
            &format!(
                "SELECT a.terminal_id, s.name, t.name, a.id, a.at, a.actor, a.terminal,
                        a.action, a.subject, a.detail, a.prev_hash, a.hash {LIST_FROM}
                  ORDER BY a.at DESC, a.terminal_id, a.id DESC LIMIT $9 OFFSET $10"
            ),
            &paged,
        )
        .await
        .map_err(pg)?;
    Ok((total, rows.iter().map(list_row).collect()))
}
