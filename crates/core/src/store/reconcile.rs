//! Reconciliation's two sides: what each platform's last pull saw (`remote_seen`,
//! `remote_seen_items`, migration 15: written by the connectors' pulls through
//! `replace_seen`) and the local counts and items to set beside it.
//!
//! What must stay true: a pull's view is replaced as a whole, in one transaction, so a
//! reconciliation never mixes two pulls; and an item is "differing" by exactly one rule
//! per platform (`DIFFERING_BONUS`, `DIFFERING_VOUCHER`), which both counts and lists it.

use chrono::{DateTime, Utc};
use coupondesk_wire::Platform;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{code_id, from_ms, StoreError};
use crate::domain::reconcile::{ItemState, ReconItem, SideCounts};
use crate::domain::{CodeStatus, PageRequest};

/// One group as a pull saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenGroup {
    pub key: String,
    pub label: String,
    pub counts: SideCounts,
}

/// One item as a pull saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenItem {
    pub key: String,
    pub item: String,
    pub used: bool,
}

/// Replaces what `platform`'s last pull saw; `items` none leaves the items as they are
/// (a platform whose lists name none).
pub fn replace_seen(
    conn: &Connection,
    platform: Platform,
    groups: &[SeenGroup],
    items: Option<&[SeenItem]>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let p = platform.id();
    tx.execute("DELETE FROM remote_seen WHERE platform = ?1", [p])?;
    {
        let mut put = tx.prepare_cached(
            "INSERT OR REPLACE INTO remote_seen
               (platform, remote_key, label, issued, active, used, seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for g in groups {
            let c = g.counts;
            put.execute(params![
                p,
                g.key,
                g.label,
                c.issued.max(0),
                c.active.max(0),
                c.used.max(0),
                now_ms
            ])?;
        }
    }
    if let Some(items) = items {
        tx.execute("DELETE FROM remote_seen_items WHERE platform = ?1", [p])?;
        let mut put = tx.prepare_cached(
            "INSERT OR REPLACE INTO remote_seen_items (platform, item, remote_key, used)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for i in items {
            put.execute(params![p, i.item, i.key, i.used])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The groups `platform`'s last pull saw, by key.
pub fn seen(
    conn: &Connection,
    platform: Platform,
) -> Result<Vec<(SeenGroup, DateTime<Utc>)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT remote_key, label, issued, active, used, seen_at FROM remote_seen
          WHERE platform = ?1 ORDER BY remote_key",
    )?;
    let rows = stmt.query_map([platform.id()], |r| {
        Ok((
            SeenGroup {
                key: r.get(0)?,
                label: r.get(1)?,
                counts: SideCounts {
                    issued: r.get(2)?,
                    active: r.get(3)?,
                    used: r.get(4)?,
                },
            },
            from_ms(r.get(5)?),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When `platform` was last read successfully; none: never.
pub fn last_pull(
    conn: &Connection,
    platform: Platform,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at: Option<Option<i64>> = conn
        .query_row(
            "SELECT last_pull_at FROM sync_platforms WHERE platform = ?1",
            [platform.id()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(at.flatten().map(from_ms))
}

/// 000: the codes this desk sent to each ticket type (the done `import_op`s), and how
/// they stand here. Key: the platform's ticket_type when known, else the ticket name.
pub fn sense_local(conn: &Connection, import_op: &str) -> Result<Vec<SeenGroup>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT json_extract(o.payload, '$.ticketName') AS name, o.batch_id,
                SUM(json_extract(o.payload, '$.codeCount')),
                (SELECT remote_id FROM remote_refs
                  WHERE platform = 'p000' AND kind = 'ticket'
                    AND local_id = json_extract(o.payload, '$.ticketName'))
           FROM outbox o
          WHERE o.platform = 'p000' AND o.op = ?1 AND o.state = 'done' AND o.batch_id IS NOT NULL
          GROUP BY name, o.batch_id ORDER BY name",
    )?;
    let sent: Vec<(String, i64, i64, Option<String>)> = stmt
        .query_map([import_op], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get(1)?,
                r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                r.get(3)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut out: Vec<SeenGroup> = Vec::new();
    for (name, batch_id, count, remote) in sent {
        let c = sent_codes(conn, batch_id, count)?;
        let key = remote.unwrap_or_else(|| name.clone());
        match out.iter_mut().find(|g| g.key == key) {
            Some(g) => {
                g.counts.issued += c.issued;
                g.counts.active += c.active;
                g.counts.used += c.used;
            }
            None => out.push(SeenGroup {
                key,
                label: name,
                counts: c,
            }),
        }
    }
    Ok(out)
}

/// How the first `count` codes of a batch (the ones that travel) stand: from the batch's
/// counts when that is the whole batch, else by scanning that range of ids.
fn sent_codes(conn: &Connection, batch_id: i64, count: i64) -> Result<SideCounts, StoreError> {
    let next_seq: Option<i64> = conn
        .query_row(
            "SELECT next_seq FROM batches WHERE id = ?1",
            [batch_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(next_seq) = next_seq else {
        return Ok(SideCounts::default());
    };
    let count = count.clamp(0, next_seq - 1);
    let by_status: Vec<(i64, i64)> = if count == next_seq - 1 {
        conn.prepare_cached("SELECT status, n FROM batch_counts WHERE batch_id = ?1")?
            .query_map([batch_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    } else {
        conn.prepare_cached(
            "SELECT status, COUNT(*) FROM codes WHERE id BETWEEN ?1 AND ?2 GROUP BY status",
        )?
        .query_map([code_id(batch_id, 1), code_id(batch_id, count)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?
    };
    let n = |s: CodeStatus| {
        by_status
            .iter()
            .filter(|(st, _)| *st == s.to_db())
            .map(|(_, n)| n)
            .sum::<i64>()
    };
    Ok(SideCounts {
        issued: count,
        active: n(CodeStatus::Issued) + n(CodeStatus::Active),
        used: n(CodeStatus::Redeemed),
    })
}

/// 002: the bonuses the platform has been told of (a remote ref), as they stand here;
/// active excludes the expired ones.
pub fn bonus_local(conn: &Connection, now_ms: i64) -> Result<SideCounts, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*),
                COALESCE(SUM(b.status = 1 AND (b.expired_at IS NULL OR b.expired_at > ?1)), 0),
                COALESCE(SUM(b.status = 2), 0)
           FROM bonuses b JOIN remote_refs r
             ON r.platform = 'p002' AND r.kind = 'bonus' AND r.local_id = b.code",
        [now_ms],
        |r| {
            Ok(SideCounts {
                issued: r.get(0)?,
                active: r.get(1)?,
                used: r.get(2)?,
            })
        },
    )?)
}

/// 003: the vouchers bought on the platform (a remote ref), by name, as they stand here.
pub fn voucher_local(conn: &Connection) -> Result<Vec<SeenGroup>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.name, COUNT(*), COALESCE(SUM(v.used_at IS NOT NULL), 0)
           FROM vouchers v JOIN remote_refs r
             ON r.platform = 'p003' AND r.kind = 'voucher' AND r.local_id = CAST(v.id AS TEXT)
          GROUP BY v.name ORDER BY v.name",
    )?;
    let rows = stmt.query_map([], |r| {
        let (issued, used): (i64, i64) = (r.get(1)?, r.get(2)?);
        let name: String = r.get(0)?;
        Ok(SeenGroup {
            key: name.clone(),
            label: name,
            counts: SideCounts {
                issued,
                active: issued - used,
                used,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// 002's differing items, as (item, local id, local status, used there; the pull lists
/// the used ones only, so one it does not list is unused there): a bonus used here that
/// the platform does not list as used, one the platform lists as used that is not
/// used here, and one it lists as used that this desk does not know.
const DIFFERING_BONUS: &str = "
    SELECT r.remote_id AS item, '' AS grp, b.id AS local_id, b.status AS local,
           COALESCE(s.used, 0) AS there
      FROM bonuses b
      JOIN remote_refs r ON r.platform = 'p002' AND r.kind = 'bonus' AND r.local_id = b.code
      LEFT JOIN remote_seen_items s ON s.platform = 'p002' AND s.item = r.remote_id
     WHERE (b.status = 2 AND s.item IS NULL) OR (s.used = 1 AND b.status <> 2)
    UNION ALL
    SELECT s.item, '', NULL, NULL, s.used FROM remote_seen_items s
     WHERE s.platform = 'p002' AND NOT EXISTS (
       SELECT 1 FROM remote_refs r
        WHERE r.platform = 'p002' AND r.kind = 'bonus' AND r.remote_id = s.item)";

/// 003's differing items: a voucher used on one side only, one bought here that the
/// platform no longer lists, one the platform lists that this desk does not know.
const DIFFERING_VOUCHER: &str = "
    SELECT r.remote_id AS item, v.name AS grp, v.id AS local_id,
           CASE WHEN v.used_at IS NULL THEN 1 ELSE 2 END AS local, s.used AS there
      FROM vouchers v
      JOIN remote_refs r ON r.platform = 'p003' AND r.kind = 'voucher' AND r.local_id = CAST(v.id AS TEXT)
      LEFT JOIN remote_seen_items s ON s.platform = 'p003' AND s.item = r.remote_id
     WHERE s.item IS NULL OR s.used <> (v.used_at IS NOT NULL)
    UNION ALL
    SELECT s.item, s.remote_key, NULL, NULL, s.used FROM remote_seen_items s
     WHERE s.platform = 'p003' AND NOT EXISTS (
       SELECT 1 FROM remote_refs r
        WHERE r.platform = 'p003' AND r.kind = 'voucher' AND r.remote_id = s.item)";

fn differing_sql(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::Bonus => Some(DIFFERING_BONUS),
        Platform::Voucher => Some(DIFFERING_VOUCHER),
        _ => None,
    }
}

/// Whether `platform`'s pulls name items (002, 003), so its differing items can be listed.
pub fn lists_items(platform: Platform) -> bool {
    differing_sql(platform).is_some()
}

/// How many items of `platform` (of group `key`, when given) differ. None: the
/// platform's lists name no items.
pub fn differing_count(
    conn: &Connection,
    platform: Platform,
    key: Option<&str>,
) -> Result<Option<i64>, StoreError> {
    let Some(sql) = differing_sql(platform) else {
        return Ok(None);
    };
    let n = conn.query_row(
        &format!("SELECT COUNT(*) FROM ({sql}) WHERE ?1 IS NULL OR grp = ?1"),
        [key],
        |r| r.get(0),
    )?;
    Ok(Some(n))
}

/// One page of the differing items, by item; and how many there are in all.
pub fn differing(
    conn: &Connection,
    platform: Platform,
    key: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<ReconItem>, u64), StoreError> {
    let Some(sql) = differing_sql(platform) else {
        return Ok((Vec::new(), 0));
    };
    let total = differing_count(conn, platform, key)?.unwrap_or(0).max(0) as u64;
    let mut stmt = conn.prepare(&format!(
        "SELECT item, grp, local_id, local, there FROM ({sql})
          WHERE ?1 IS NULL OR grp = ?1 ORDER BY item LIMIT ?2 OFFSET ?3"
    ))?;
    let items = stmt
        .query_map(params![key, page.per_page, page.offset() as i64], |r| {
            let local = match r.get::<_, Option<i64>>(3)? {
                None => ItemState::Absent,
                Some(2) => ItemState::Used,
                Some(3) => ItemState::Disabled,
                Some(_) => ItemState::Unused,
            };
            let remote = match r.get::<_, Option<bool>>(4)? {
                None => ItemState::Absent,
                Some(true) => ItemState::Used,
                Some(false) => ItemState::Unused,
            };
            Ok(ReconItem {
                platform,
                key: r.get(1)?,
                item: r.get(0)?,
                local_id: r.get(2)?,
                local,
                remote,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}
