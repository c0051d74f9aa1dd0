//! Reading the audit trail: the filtered, paged list (newest first) and the same rows one
//! by one for the CSV export.

use rusqlite::{params, Connection, Row, ToSql};

use super::audit::{lossy_int, lossy_text, parse_detail};
use super::{from_ms, StoreError};
use crate::domain::audit::{AuditEntry, AuditQuery};
use crate::domain::Page;

const SELECT_ENTRY: &str =
    "SELECT id, at, actor, terminal, action, subject, detail, hash FROM audit_log";

/// Every filter is bound (NULL = no filter), so two statement texts serve every query.
/// `instr` rather than LIKE: a subject holding % or _ is matched as typed. ?6 is the
/// exact-subject flag, true only with `WHERE_EXACT` (bound in both so the parameters are
/// the same).
const WHERE: &str = "WHERE (?1 IS NULL OR actor = ?1)
    AND (?2 IS NULL OR action = ?2)
    AND (?3 IS NULL OR instr(subject, ?3) > 0) AND NOT ?6
    AND (?4 IS NULL OR at >= ?4)
    AND (?5 IS NULL OR at < ?5)";

/// A code's history: the subject equal to ?3, a plain AND term so that SQLite seeks
/// `audit_log_by_subject` (migration 8) instead of scanning the trail.
const WHERE_EXACT: &str = "WHERE subject = ?3 AND ?6
    AND (?1 IS NULL OR actor = ?1)
    AND (?2 IS NULL OR action = ?2)
    AND (?4 IS NULL OR at >= ?4)
    AND (?5 IS NULL OR at < ?5)";

fn where_for(exact: bool) -> &'static str {
    if exact {
        WHERE_EXACT
    } else {
        WHERE
    }
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: from_ms(lossy_int(r, 1)?),
        actor: lossy_text(r, 2)?,
        terminal: lossy_text(r, 3)?,
        action: lossy_text(r, 4)?,
        subject: lossy_text(r, 5)?,
        detail: parse_detail(&lossy_text(r, 6)?),
        hash: lossy_text(r, 7)?,
    })
}

type Filters = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
);

fn filters(q: &AuditQuery) -> Filters {
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let subject = nonempty(&q.subject);
    // Exact without a subject: no subject filter at all.
    let exact = q.exact_subject && subject.is_some();
    (
        nonempty(&q.actor),
        nonempty(&q.action),
        subject,
        q.since.map(|t| t.timestamp_millis()),
        q.until.map(|t| t.timestamp_millis()),
        exact,
    )
}

/// One page of the entries the query matches, newest first (`q.page` validated by Desk).
pub fn list(conn: &Connection, q: &AuditQuery) -> Result<Page<AuditEntry>, StoreError> {
    let (actor, action, subject, since, until, exact) = filters(q);
    let filter = params![actor, action, subject, since, until, exact];
    let wh = where_for(exact);
    let count = format!("SELECT count(*) FROM audit_log {wh}");
    let total: i64 = conn
        .prepare_cached(&count)?
        .query_row(filter, |r| r.get(0))?;
    let (limit, offset) = (i64::from(q.page.per_page), q.page.offset() as i64);
    let mut paged: Vec<&dyn ToSql> = filter.to_vec();
    paged.extend([&limit as &dyn ToSql, &offset]);
    let page = format!("{SELECT_ENTRY} {wh} ORDER BY id DESC LIMIT ?7 OFFSET ?8");
    let items = conn
        .prepare_cached(&page)?
        .query_map(paged.as_slice(), entry_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::new(items, q.page, total.max(0) as u64))
}

/// Every entry the query matches (its page ignored), newest first, streamed.
pub fn for_each<E: From<StoreError>>(
    conn: &Connection,
    q: &AuditQuery,
    f: &mut dyn FnMut(&AuditEntry) -> Result<(), E>,
) -> Result<(), E> {
    let (actor, action, subject, since, until, exact) = filters(q);
    let mut stmt = conn
        .prepare(&format!(
            "{SELECT_ENTRY} {} ORDER BY id DESC",
            where_for(exact)
        ))
        .map_err(StoreError::from)?;
    let mut rows = stmt
        .query(params![actor, action, subject, since, until, exact])
        .map_err(StoreError::from)?;
    while let Some(r) = rows.next().map_err(StoreError::from)? {
        f(&entry_from_row(r).map_err(StoreError::from)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_history_seeks_the_subject_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = crate::store::open(&dir.path().join("d.sqlite3")).expect("open");
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {SELECT_ENTRY} {WHERE_EXACT} ORDER BY id DESC"
            ))
            .expect("prepare")
            .query_map(
                params![
                    None::<String>,
                    None::<String>,
                    "C1",
                    None::<i64>,
                    None::<i64>,
                    true
                ],
                |r| r.get::<_, String>(3),
            )
            .expect("plan")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(
            plan.iter().any(|p| p.contains("audit_log_by_subject")),
            "{plan:?}"
        );
    }
    use crate::domain::PageRequest;
    use serde_json::json;

    fn subjects(conn: &Connection, subject: &str, exact: bool) -> Vec<String> {
        let q = AuditQuery {
            subject: Some(subject.into()),
            exact_subject: exact,
            page: PageRequest {
                page: 1,
                per_page: 50,
            },
            ..AuditQuery::default()
        };
        let listed: Vec<String> = list(conn, &q)
            .expect("list")
            .items
            .into_iter()
            .map(|e| e.subject)
            .collect();
        let mut streamed = Vec::new();
        for_each::<StoreError>(conn, &q, &mut |e| {
            streamed.push(e.subject.clone());
            Ok(())
        })
        .expect("stream");
        assert_eq!(listed, streamed, "the list and the export agree");
        listed
    }

    #[test]
    fn an_exact_subject_is_one_code_and_a_substring_is_many() {
        let mut conn = Connection::open_in_memory().expect("open");
        super::super::migrations::migrate(&mut conn).expect("migrate");
        for s in ["ABC", "ABCD", "xABC", "abc", "ABC"] {
            super::super::audit::record(&conn, "code.redeem", s, &json!({})).expect("record");
        }
        assert_eq!(
            subjects(&conn, "ABC", false),
            ["ABC", "xABC", "ABCD", "ABC"]
        );
        assert_eq!(subjects(&conn, "ABC", true), ["ABC", "ABC"]);
        // Trimmed like the other filters; case-sensitive like codes.
        assert_eq!(subjects(&conn, " abc ", true), ["abc"]);
        assert!(subjects(&conn, "AB", true).is_empty());
    }
}
