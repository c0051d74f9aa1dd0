//! The manager's figures, read from `redemption_days` and `redemption_hours` (kept by
//! triggers, migration 14: one row per shop day and combination of kind, template, batch,
//! staff and terminal; per day, hour and kind), and the uses behind them from the
//! redemption tables.
//!
//! What must stay true: a figure and the rows behind it come from the same filter
//! (`Filter`), so a group's count is exactly the number of rows its list pages through.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::{batches, StoreError};
use crate::domain::report::{
    self, day_of_number, Figures, GroupBy, ReportGroup, ReportQuery, ReportRow, UseKind,
};
use crate::domain::{CodeStatus, PageRequest};

/// One report's filter, resolved: day numbers and instants, and the ids behind names.
pub struct Filter {
    /// Day numbers `[lo, hi)`.
    lo: i64,
    hi: i64,
    /// The same days as instants (ms) `[from, to)`, for the redemption tables.
    from_ms: i64,
    to_ms: i64,
    kind: Option<UseKind>,
    template_id: Option<i64>,
    batch_id: Option<i64>,
    staff: Option<String>,
    terminal: Option<String>,
}

impl Filter {
    /// `days` from `report::days` for the query's days; `zone` the shop's.
    pub fn new(
        conn: &Connection,
        q: &ReportQuery,
        (lo, hi): (i64, i64),
        zone: FixedOffset,
    ) -> Result<Filter, StoreError> {
        let (from_ms, to_ms) = report::instants(q.from, q.to, zone);
        let batch_id = match q.batch.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => Some(batches::key(conn, t)?.id),
            _ => None,
        };
        let text = |s: &Option<String>| s.as_deref().map(|s| s.trim().to_owned());
        Ok(Filter {
            lo,
            hi,
            from_ms,
            to_ms,
            kind: q.kind,
            template_id: q.template_id,
            batch_id,
            staff: text(&q.staff),
            terminal: text(&q.terminal),
        })
    }

    /// Only coupons have a template or a batch: asking for one rules the others out.
    fn kinds(&self) -> Vec<UseKind> {
        let coupon_only = self.template_id.is_some() || self.batch_id.is_some();
        UseKind::ALL
            .into_iter()
            .filter(|k| self.kind.is_none_or(|want| want == *k))
            .filter(|k| !coupon_only || *k == UseKind::Coupon)
            .collect()
    }

    /// The day table's WHERE clause and its parameters.
    fn days_where(&self) -> (String, Vec<Value>) {
        let mut sql = String::from("day >= ? AND day < ?");
        let mut p = vec![Value::Integer(self.lo), Value::Integer(self.hi)];
        sql.push_str(&format!(" AND {}", self.kinds_sql()));
        self.common(
            &mut sql,
            &mut p,
            ("template_id", "batch_id", "operator", "terminal"),
        );
        (sql, p)
    }

    /// The filters every source shares, on its own column names.
    fn common(
        &self,
        sql: &mut String,
        p: &mut Vec<Value>,
        (template, batch, staff, terminal): (&str, &str, &str, &str),
    ) {
        if let Some(t) = self.template_id {
            sql.push_str(&format!(" AND {template} = ?"));
            p.push(Value::Integer(t));
        }
        if let Some(b) = self.batch_id {
            sql.push_str(&format!(" AND {batch} = ?"));
            p.push(Value::Integer(b));
        }
        if let Some(s) = &self.staff {
            sql.push_str(&format!(" AND {staff} = ? COLLATE NOCASE"));
            p.push(Value::Text(s.clone()));
        }
        if let Some(t) = &self.terminal {
            sql.push_str(&format!(" AND {terminal} = ?"));
            p.push(Value::Text(t.clone()));
        }
    }

    fn kinds_sql(&self) -> String {
        let kinds: Vec<String> = self.kinds().iter().map(|k| k.to_db().to_string()).collect();
        if kinds.is_empty() {
            "0".into()
        } else {
            format!("kind IN ({})", kinds.join(","))
        }
    }
}

/// The day table's grouping expression for `by` (its first column).
fn group_sql(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Day => "day",
        GroupBy::Template => {
            "CASE kind WHEN 1 THEN CAST(template_id AS TEXT) ELSE 'kind:' || kind END"
        }
        GroupBy::Batch => "CASE kind WHEN 1 THEN CAST(batch_id AS TEXT) ELSE 'kind:' || kind END",
        GroupBy::Staff => "operator",
        GroupBy::Terminal => "terminal",
        GroupBy::Kind => "kind",
    }
}

/// The figures of `f`, grouped by `by`, as raw keys (a day number, an id, a name).
fn grouped(
    conn: &Connection,
    f: &Filter,
    by: GroupBy,
) -> Result<Vec<(Value, Figures)>, StoreError> {
    let (cond, p) = f.days_where();
    let sql = format!(
        "SELECT {}, sum(uses), sum(discount_fen), sum(order_fen) FROM redemption_days
          WHERE {cond} GROUP BY 1",
        group_sql(by)
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(p), |r| {
        Ok((
            r.get::<_, Value>(0)?,
            Figures {
                count: r.get(1)?,
                discount_fen: r.get(2)?,
                order_fen: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The report's groups, with keys and labels for people, and their total.
pub fn report(
    conn: &Connection,
    f: &Filter,
    by: GroupBy,
) -> Result<(Vec<ReportGroup>, Figures), StoreError> {
    let raw = grouped(conn, f, by)?;
    let mut total = Figures::default();
    let mut groups = Vec::with_capacity(raw.len());
    let names = Names::load(conn, by)?;
    for (key, figures) in raw {
        if figures.count == 0 {
            continue;
        }
        total.add(figures);
        let (key, label) = names.key_and_label(by, key);
        groups.push(ReportGroup {
            key,
            label,
            figures,
        });
    }
    if by == GroupBy::Day {
        groups.sort_by(|a, b| a.key.cmp(&b.key));
    } else {
        groups.sort_by(|a, b| {
            b.figures
                .count
                .cmp(&a.figures.count)
                .then(a.key.cmp(&b.key))
        });
    }
    Ok((groups, total))
}

/// Titles of templates and names of batches, for labels.
struct Names {
    templates: HashMap<i64, String>,
    batches: HashMap<i64, (String, String)>,
}

impl Names {
    fn load(conn: &Connection, by: GroupBy) -> Result<Names, StoreError> {
        let mut n = Names {
            templates: HashMap::new(),
            batches: HashMap::new(),
        };
        if by == GroupBy::Template {
            let mut st = conn.prepare_cached("SELECT id, title FROM templates")?;
            for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
                let (id, title) = r?;
                n.templates.insert(id, title);
            }
        }
        if by == GroupBy::Batch {
            let mut st = conn.prepare_cached("SELECT id, ticket_type, name FROM batches")?;
            for r in st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))? {
                let (id, names) = r?;
                n.batches.insert(id, names);
            }
        }
        Ok(n)
    }

    fn key_and_label(&self, by: GroupBy, key: Value) -> (String, String) {
        let text = match &key {
            Value::Integer(i) => i.to_string(),
            Value::Text(t) => t.clone(),
            _ => String::new(),
        };
        if let Some(kind) = text.strip_prefix("kind:") {
            let kind = kind.parse().ok().and_then(UseKind::from_db);
            let name = kind.map(UseKind::as_str).unwrap_or("unknown");
            return (format!("kind:{name}"), kind_label(name));
        }
        match (by, key) {
            (GroupBy::Day, Value::Integer(day)) => {
                let d = day_of_number(day).to_string();
                (d.clone(), d)
            }
            (GroupBy::Template, Value::Text(id)) => {
                let title = id
                    .parse()
                    .ok()
                    .and_then(|id: i64| self.templates.get(&id).cloned())
                    .unwrap_or_else(|| format!("#{id}"));
                (id, title)
            }
            (GroupBy::Batch, Value::Text(id)) => {
                match id.parse().ok().and_then(|id: i64| self.batches.get(&id)) {
                    Some((ticket_type, name)) => (ticket_type.clone(), name.clone()),
                    // A batch deleted since: its uses still count.
                    None => (format!("#{id}"), format!("#{id}")),
                }
            }
            (GroupBy::Kind, Value::Integer(k)) => {
                let name = UseKind::from_db(k)
                    .map(UseKind::as_str)
                    .unwrap_or("unknown");
                (name.to_owned(), kind_label(name))
            }
            _ => (text.clone(), text),
        }
    }
}

fn kind_label(kind: &str) -> String {
    match kind {
        "coupon" => "coupons",
        "bonus" => "bonuses",
        "voucher" => "vouchers",
        _ => "unknown",
    }
    .to_owned()
}

/// Uses per hour of the shop's day (24 entries) over `f`'s days and kinds (the hours are
/// counted per day and kind only: other filters do not apply to them).
pub fn by_hour(conn: &Connection, f: &Filter) -> Result<Vec<i64>, StoreError> {
    let sql = format!(
        "SELECT hour, sum(uses) FROM redemption_hours
          WHERE day >= ?1 AND day < ?2 AND {} GROUP BY 1",
        f.kinds_sql()
    );
    let mut hours = vec![0; 24];
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([f.lo, f.hi], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for r in rows {
        let (h, n) = r?;
        if let Some(slot) = hours.get_mut(h.rem_euclid(24) as usize) {
            *slot += n;
        }
    }
    Ok(hours)
}

/// Figures per shop day and kind.
pub fn by_day_and_kind(
    conn: &Connection,
    f: &Filter,
) -> Result<Vec<(NaiveDate, UseKind, Figures)>, StoreError> {
    let (cond, p) = f.days_where();
    let sql = format!(
        "SELECT day, kind, sum(uses), sum(discount_fen), sum(order_fen)
           FROM redemption_days WHERE {cond} GROUP BY 1, 2"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(p), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            Figures {
                count: r.get(2)?,
                discount_fen: r.get(3)?,
                order_fen: r.get(4)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (day, kind, figures) = r?;
        if let Some(kind) = UseKind::from_db(kind) {
            out.push((day_of_number(day), kind, figures));
        }
    }
    Ok(out)
}

/// One page of the uses `f` counts, newest first, and how many there are in all.
pub fn rows(
    conn: &Connection,
    f: &Filter,
    page: PageRequest,
) -> Result<(Vec<ReportRow>, u64), StoreError> {
    let (_, total) = report(conn, f, GroupBy::Kind)?;
    let total = total.count.max(0) as u64;
    // Each source gives the ids of at most the page's end, newest first through its time
    // index; the newest of those are the page. Only then are the page's rows read in
    // full, so a deep page costs index entries, not joins.
    let want = i64::from(page.page) * i64::from(page.per_page);
    let mut arms = Vec::new();
    let mut p: Vec<Value> = Vec::new();
    for kind in f.kinds() {
        let (base, cols, time) = match kind {
            UseKind::Coupon => (
                "SELECT 1 AS kind, r.id AS id, r.redeemed_at AS at FROM redemptions r
                  WHERE r.undone_at IS NULL AND r.redeemed_at >= ? AND r.redeemed_at < ?",
                (
                    "r.template_id",
                    "r.code_id >> 32",
                    "r.operator",
                    "r.terminal",
                ),
                "r.redeemed_at",
            ),
            UseKind::Bonus => (
                "SELECT 2, r.id, r.redeemed_at FROM bonus_redemptions r
                  WHERE r.undone_at IS NULL AND r.redeemed_at >= ? AND r.redeemed_at < ?",
                ("NULL", "NULL", "r.operator", "r.terminal"),
                "r.redeemed_at",
            ),
            UseKind::Voucher => (
                "SELECT 3, v.id, v.used_at FROM vouchers v
                  WHERE v.used_at IS NOT NULL AND coalesce(v.used_terminal, '') <> 'platform'
                    AND v.used_at >= ? AND v.used_at < ?",
                (
                    "NULL",
                    "NULL",
                    "coalesce(v.used_by, '')",
                    "coalesce(v.used_terminal, '')",
                ),
                "v.used_at",
            ),
        };
        let mut sql = base.to_owned();
        p.push(Value::Integer(f.from_ms));
        p.push(Value::Integer(f.to_ms));
        f.common(&mut sql, &mut p, cols);
        sql.push_str(&format!(" ORDER BY {time} DESC LIMIT ?"));
        p.push(Value::Integer(want));
        arms.push(format!("SELECT * FROM ({sql})"));
    }
    if arms.is_empty() {
        return Ok((Vec::new(), total));
    }
    let sql = format!(
        "SELECT * FROM ({}) ORDER BY 3 DESC, 1, 2 DESC LIMIT ? OFFSET ?",
        arms.join(" UNION ALL ")
    );
    p.push(Value::Integer(i64::from(page.per_page)));
    p.push(Value::Integer(page.offset() as i64));
    let ids: Vec<(i64, i64)> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(p), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut items = Vec::with_capacity(ids.len());
    for (kind, id) in ids {
        if let Some(row) = row(conn, kind, id)? {
            items.push(row);
        }
    }
    Ok((items, total))
}

/// One use in full: kind (`UseKind::to_db`) and its row's id.
fn row(conn: &Connection, kind: i64, id: i64) -> Result<Option<ReportRow>, StoreError> {
    let sql = match UseKind::from_db(kind) {
        Some(UseKind::Coupon) => {
            "SELECT r.redeemed_at, c.code, r.template_id, t.title, b.ticket_type, r.operator,
                    r.terminal, r.reduction_fen, r.order_fen
               FROM redemptions r
               LEFT JOIN codes c ON c.id = r.code_id
               LEFT JOIN templates t ON t.id = r.template_id
               LEFT JOIN batches b ON b.id = r.code_id >> 32
              WHERE r.id = ?1"
        }
        Some(UseKind::Bonus) => {
            "SELECT r.redeemed_at, b.code, NULL, NULL, NULL, r.operator, r.terminal,
                    r.reduction_fen, r.order_fen
               FROM bonus_redemptions r JOIN bonuses b ON b.id = r.bonus_id WHERE r.id = ?1"
        }
        Some(UseKind::Voucher) => {
            "SELECT used_at, name, NULL, NULL, NULL, coalesce(used_by, ''),
                    coalesce(used_terminal, ''), 0, price_fen
               FROM vouchers WHERE id = ?1"
        }
        None => return Ok(None),
    };
    let kind = UseKind::from_db(kind).unwrap_or(UseKind::Coupon);
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id], |r| {
            Ok(ReportRow {
                kind,
                id,
                at: DateTime::<Utc>::from_timestamp_millis(r.get(0)?).unwrap_or_default(),
                what: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                template_id: r.get(2)?,
                template_title: r.get(3)?,
                ticket_type: r.get(4)?,
                staff: r.get(5)?,
                terminal: r.get(6)?,
                discount_fen: r.get(7)?,
                order_fen: r.get(8)?,
            })
        })
        .optional()?)
}

/// Running templates with a tenth of their stock or less left to redeem: (id, title,
/// left, quantity).
pub fn stock_low(
    conn: &Connection,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, String, i64, i64)>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT t.id, t.title, t.quantity - coalesce((
                  SELECT sum(n) FROM batch_counts c JOIN batches b ON b.id = c.batch_id
                   WHERE b.template_id = t.id AND c.status = ?2), 0) AS left, t.quantity
           FROM templates t
          WHERE t.begin_at <= ?1 AND t.end_at > ?1
            AND left * 10 <= t.quantity
          ORDER BY left, t.id",
    )?;
    let rows = st.query_map(
        (now.timestamp_millis(), CodeStatus::Redeemed.to_db()),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Templates that end after `now` and before `until`: (id, title, end).
pub fn ending(
    conn: &Connection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(i64, String, DateTime<Utc>)>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT id, title, end_at FROM templates WHERE end_at > ?1 AND end_at <= ?2
          ORDER BY end_at, id",
    )?;
    let rows = st.query_map((now.timestamp_millis(), until.timestamp_millis()), |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            DateTime::<Utc>::from_timestamp_millis(r.get(2)?).unwrap_or_default(),
        ))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Sync conflicts waiting in the inbox.
pub fn conflicts_waiting(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM outbox WHERE state = 'conflict'")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Counts every live use again in the shop's zone `zone`, replacing what the day and hour
/// tables held: the migration's count of what came before them, and a change of the
/// shop's zone (in the settings' own transaction, so figures and zone never disagree).
pub fn rebuild(conn: &Connection, zone: FixedOffset) -> Result<(), StoreError> {
    let off = i64::from(zone.local_minus_utc()) * 1000;
    conn.execute("UPDATE report_zone SET offset_ms = ?1 WHERE id = 1", [off])?;
    conn.execute_batch("DELETE FROM redemption_days; DELETE FROM redemption_hours;")?;
    conn.execute(
        "INSERT INTO redemption_days
         SELECT (redeemed_at + ?1) / 86400000, 1, template_id, code_id >> 32, operator,
                terminal, count(*), sum(reduction_fen), sum(coalesce(order_fen, 0))
           FROM redemptions WHERE undone_at IS NULL
          GROUP BY 1, 3, 4, 5, 6",
        [off],
    )?;
    conn.execute(
        "INSERT INTO redemption_days
         SELECT (redeemed_at + ?1) / 86400000, 2, 0, 0, operator, terminal, count(*),
                sum(reduction_fen), sum(coalesce(order_fen, 0))
           FROM bonus_redemptions WHERE undone_at IS NULL
          GROUP BY 1, 5, 6",
        [off],
    )?;
    conn.execute(
        "INSERT INTO redemption_days
         SELECT (used_at + ?1) / 86400000, 3, 0, 0, coalesce(used_by, ''),
                coalesce(used_terminal, ''), count(*), 0, sum(price_fen)
           FROM vouchers
          WHERE used_at IS NOT NULL AND coalesce(used_terminal, '') <> 'platform'
          GROUP BY 1, 5, 6",
        [off],
    )?;
    conn.execute(
        "INSERT INTO redemption_hours
         SELECT (at + ?1) / 86400000, ((at + ?1) % 86400000) / 3600000, kind, count(*)
           FROM (SELECT redeemed_at AS at, 1 AS kind FROM redemptions
                  WHERE undone_at IS NULL
                 UNION ALL
                 SELECT redeemed_at, 2 FROM bonus_redemptions WHERE undone_at IS NULL
                 UNION ALL
                 SELECT used_at, 3 FROM vouchers
                  WHERE used_at IS NOT NULL AND coalesce(used_terminal, '') <> 'platform')
          GROUP BY 1, 2, 3",
        [off],
    )?;
    Ok(())
}

/// The migration's step: count what came before, in the zone the settings have.
pub fn rebuild_in_settings_zone(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let zone = super::settings::clock(&super::settings::get(tx)?).offset;
    rebuild(tx, zone)
}
