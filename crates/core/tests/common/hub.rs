//! Chain mode's test hub: a database of the shared throwaway cluster migrated to the
//! hub schema, two stores, three terminals (each its own login role) and one batch
//! `TT1`; and desks (a real SQLite file each) linked to it through a relay the test can
//! cut.

use std::time::Duration;

use coupondesk_core::domain::staff::{Role, StaffDraft};
use coupondesk_core::hub::{roles, schema, Hub, HubError, HubUrl};
use coupondesk_core::store::hub_link::{self, HubLink};

use super::{cash, Fixture};

pub const LONG: Duration = Duration::from_secs(30);

pub struct Chain {
    pub cluster: std::sync::Arc<pgtest::PgCluster>,
    pub admin: Hub,
    pub url: HubUrl,
    pub db: String,
}

impl Chain {
    /// A hub with 2 stores, a terminal in each, and one batch of `codes` codes.
    pub fn new(prefix: &str, codes: &[&str]) -> Chain {
        Self::at_schema(prefix, codes, None)
    }

    /// `new`, on a hub an older build left at schema `upto` (None: this build's latest).
    pub fn at_schema(prefix: &str, codes: &[&str], upto: Option<i64>) -> Chain {
        let c = pgtest::shared().expect("cluster");
        let raw = c.fresh_db(prefix).expect("db");
        let url = HubUrl::parse(&raw).expect("url");
        let admin = Hub::open(&url, LONG).expect("open");
        admin
            .call(async |c| {
                schema::migrate_up_to(c, None, upto.unwrap_or(schema::SCHEMA_VERSION)).await
            })
            .expect("init");
        let db = url.database().to_owned();
        let codes: Vec<String> = codes.iter().map(|s| s.to_string()).collect();
        let db2 = db.clone();
        admin
            .call(async move |c| {
                let pg = |e: coupondesk_core::hub::tokio_postgres::Error| HubError::from_pg(&e);
                c.batch_execute(
                    "INSERT INTO coupondesk.stores (name) VALUES ('南京路店'), ('淮海路店');
                     INSERT INTO coupondesk.batches (ticket_type, name) VALUES ('TT1', 'Spring');",
                )
                .await
                .map_err(pg)?;
                for (id, store, name) in [(1i64, 1i64, "前台1"), (2, 2, "前台2"), (3, 2, "前台3")]
                {
                    let role = roles::terminal_role(&db2, id);
                    c.execute(
                        "INSERT INTO coupondesk.terminals (id, store_id, name, role_name)
                         VALUES ($1, $2, $3, $4)",
                        &[&id, &store, &name, &role],
                    )
                    .await
                    .map_err(pg)?;
                    roles::create_terminal_role(c, &db2, &role, "pw").await?;
                }
                for code in &codes {
                    c.execute(
                        "INSERT INTO coupondesk.codes (code, ticket_type) VALUES ($1, 'TT1')",
                        &[code],
                    )
                    .await
                    .map_err(pg)?;
                }
                Ok(())
            })
            .expect("seed");
        Chain {
            cluster: c,
            admin,
            url,
            db,
        }
    }

    /// Terminal `id`'s own connection (its login role; the test cluster trusts it).
    pub fn desk(&self, id: i64) -> Hub {
        let url = self
            .url
            .as_user(&roles::terminal_role(&self.db, id), Some("pw"));
        Hub::open(&url, LONG).expect("open desk")
    }

    pub fn scalar(&self, sql: &'static str) -> i64 {
        self.admin
            .call(async move |c| {
                let row = c
                    .query_one(sql, &[])
                    .await
                    .map_err(|e| HubError::from_pg(&e))?;
                Ok(row.get::<_, i64>(0))
            })
            .expect("scalar")
    }
}

/// A desk joined to the chain's hub as terminal `terminal` (1: 前台1 in 南京路店; 2 and 3
/// in 淮海路店), reaching it through its own relay.
pub struct ChainDesk {
    pub f: Fixture,
    pub proxy: pgtest::proxy::Proxy,
    pub template: i64,
}

impl Chain {
    /// A desk holding the same batch `TT1` (`codes`) linked to a cash template (20 off
    /// 100), joined as `terminal` with the given claim deadline.
    pub fn join(&self, terminal: i64, codes: &[&str], deadline_ms: i64) -> ChainDesk {
        let f = super::fixture();
        let file = f.file(
            "codes.csv",
            format!("code\n{}\n", codes.join("\n")).as_bytes(),
        );
        f.desk.create_batch("TT1", "Spring").expect("batch");
        f.import("TT1", &file, &Default::default());
        let tpl = f.desk.create_template(cash("满100减20")).expect("template");
        f.desk.link_batch(tpl.id, "TT1").expect("link");
        let proxy = pgtest::proxy::Proxy::start(self.cluster.port()).expect("proxy");
        let (store, name) = match terminal {
            1 => ("南京路店", "前台1"),
            2 => ("淮海路店", "前台2"),
            _ => ("淮海路店", "前台3"),
        };
        let conn = rusqlite::Connection::open(&f.db).expect("open");
        hub_link::set(
            &conn,
            &HubLink {
                url: format!(
                    "postgres://{}@127.0.0.1:{}/{}?sslmode=disable",
                    roles::terminal_role(&self.db, terminal),
                    proxy.port(),
                    self.db
                ),
                hub_database: self.db.clone(),
                store: store.into(),
                terminal: name.into(),
                terminal_id: terminal,
                role: roles::terminal_role(&self.db, terminal),
                pulled_seq: 0,
                last_contact_ms: None,
                last_error: None,
                deadline_ms,
                platform_desk: false,
            },
        )
        .expect("link");
        coupondesk_core::sync::credentials::set_hub(&f.db, Some("pw")).expect("secret");
        ChainDesk {
            f,
            proxy,
            template: tpl.id,
        }
    }
}

/// Six codes of 12 A-Z0-9 characters: the batch `TT1` of the desk tests.
pub const CODES: &[&str] = &[
    "K7Q2M9X4B1ZD",
    "P3W8R6T2Y5UA",
    "H4J9L2N7C3VE",
    "Z8X1C5V3B7NM",
    "Q9W2E7R4T1YU",
    "A5S8D2F6G3HJ",
];

/// An order of 100.00 for `code` (the template takes 20.00 off orders of 100.00).
pub fn order(code: &str) -> coupondesk_core::domain::redeem::RedeemRequest {
    coupondesk_core::domain::redeem::RedeemRequest {
        code: code.into(),
        order_fen: Some(10_000),
        customer: None,
    }
}

/// Redeems `code` at the desk (the counter's use case, the hub's claim included).
pub fn redeem(d: &ChainDesk, code: &str) -> coupondesk_core::domain::redeem::RedeemOutcome {
    d.f.desk.redeem_use(&order(code)).expect("redeem")
}

/// The desk's own pull (the window's background one: no login needed), which must have
/// reached the hub.
pub fn pull(d: &ChainDesk) -> coupondesk_core::desk::hub_pull::HubPullReport {
    let r =
        d.f.desk
            .hub_pull_background()
            .expect("pull")
            .expect("joined");
    assert_eq!(r.stopped, None, "{r:?}");
    r
}

/// The desk's owner 王老板 (PIN 11112222), then 李店长 (manager, 2222) and 小张 (cashier,
/// 3333) added by the owner, who stays logged in.
pub fn owner_manager_cashier(desk: &coupondesk_core::Desk) {
    desk.setup_owner(&staff_draft("王老板", Role::Owner, "11112222"))
        .expect("owner");
    desk.staff_add(&staff_draft("李店长", Role::Manager, "2222"))
        .expect("manager");
    desk.staff_add(&staff_draft("小张", Role::Cashier, "3333"))
        .expect("cashier");
}

/// Changes the detail of this desk's audit entry `id` behind the store's back (the
/// append-only trigger dropped, as an attacker with the file would), so its hash no
/// longer follows from its content.
pub fn tamper_audit_entry(f: &Fixture, id: i64) {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.execute_batch("DROP TRIGGER audit_log_no_update;")
        .expect("drop trigger");
    conn.execute(
        "UPDATE audit_log SET detail = '{\"orderFen\":1}' WHERE id = ?1",
        [id],
    )
    .expect("tamper");
}

/// A staff account `(name, role, pin)` as the first start's owner, or added by whoever
/// is logged in at the desk.
pub fn staff_draft(name: &str, role: Role, pin: &str) -> StaffDraft {
    StaffDraft {
        name: name.into(),
        role,
        pin: pin.into(),
    }
}

/// Account `name` at desk file `db`: (local id, role, disabled, hub uid).
pub fn staff_row(db: &std::path::Path, name: &str) -> (i64, String, bool, Option<String>) {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(
        "SELECT id, role, disabled_at IS NOT NULL, hub_uid FROM staff WHERE name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .expect("staff row")
}

/// The error code of a desk call's refusal.
pub fn code_of<T: std::fmt::Debug>(r: coupondesk_core::desk::DeskResult<T>) -> String {
    use coupondesk_core::ErrorCode;
    match r {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => e.code().to_owned(),
    }
}

/// One value of the desk's SQLite file (`sql` takes one text argument).
pub fn sql_i64(f: &Fixture, sql: &str, arg: &str) -> i64 {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row(sql, [arg], |r| r.get(0)).expect(sql)
}

/// Sells a voucher of 288.00 named `name` to 王五 at desk `d`; its id there.
pub fn sell(d: &ChainDesk, name: &str) -> i64 {
    d.f.desk
        .sell_voucher(coupondesk_core::domain::voucher::VoucherDraft {
            customer: "13700137000".into(),
            customer_name: "王五".into(),
            name: name.into(),
            price_fen: 28_800,
            pkg: None,
            introduction: String::new(),
            paid: true,
        })
        .expect("sell")
        .id
}

/// The id at `to` of voucher `id` of `from` (by its hub uid).
pub fn same_voucher(from: &ChainDesk, id: i64, to: &ChainDesk) -> i64 {
    let conn = rusqlite::Connection::open(&from.f.db).expect("open");
    let uid: String = conn
        .query_row("SELECT hub_uid FROM vouchers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("voucher uid");
    sql_i64(&to.f, "SELECT id FROM vouchers WHERE hub_uid = ?1", &uid)
}

/// Makes `quantity` bonuses of 5.00 at desk `d`; their codes.
pub fn make_bonuses(d: &ChainDesk, quantity: u32) -> Vec<String> {
    d.f.desk
        .create_bonuses(coupondesk_core::domain::bonus::BonusDraft {
            amount_fen: 500,
            quantity,
            expired_at: None,
            expires_on: None,
            min_amount_fen: 0,
            xname: "新春红包".into(),
            product_sku: None,
            enabled: true,
        })
        .expect("create bonuses")
        .codes
}

/// Bonus `code`'s status at this desk.
pub fn bonus_status(f: &Fixture, code: &str) -> coupondesk_core::domain::bonus::BonusStatus {
    f.desk
        .get_bonus(coupondesk_core::store::bonuses::BonusRef::Code(code))
        .expect("bonus here")
        .status
}

/// Uses bonus `code` at desk `d` on an order of `order_fen`: the counter's outcome.
pub fn use_bonus_for(
    d: &ChainDesk,
    code: &str,
    order_fen: i64,
) -> coupondesk_core::domain::bonus::BonusOutcome {
    d.f.desk
        .redeem_bonus(&coupondesk_core::domain::bonus::BonusRedeemRequest {
            code: code.into(),
            order_fen,
            product_sku: None,
            customer: None,
        })
        .expect("redeem")
}

/// Uses bonus `code` at desk `d` on an order of 100.00; whether it was used.
pub fn use_bonus_at(d: &ChainDesk, code: &str) -> bool {
    use_bonus_for(d, code, 10_000).redeemed.is_some()
}

/// Why desk `d` refuses bonus `code` on an order of 100.00 (None: it used it).
pub fn refusal_at(
    d: &ChainDesk,
    code: &str,
) -> Option<coupondesk_core::domain::bonus::BonusRefusal> {
    use_bonus_for(d, code, 10_000).check.refusal
}

/// One audit entry as stored: id, at, actor, terminal, action, subject, detail, hash.
pub type AuditRow = (i64, i64, String, String, String, String, String, String);

/// The desk's own audit trail, in id order.
pub fn local_audit(f: &Fixture) -> Vec<AuditRow> {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    let mut st = conn
        .prepare(
            "SELECT id, at, actor, terminal, action, subject, detail, hash
               FROM audit_log ORDER BY id",
        )
        .expect("prepare");
    st.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

/// The desk's audit cursor: the last id the hub took (`hub_link.audit_sent_id`).
pub fn audit_cursor(f: &Fixture) -> i64 {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row("SELECT audit_sent_id FROM hub_link", [], |r| r.get(0))
        .expect("cursor")
}

impl Chain {
    /// Terminal `terminal`'s audit trail at the hub, in id order (read as the admin).
    pub fn hub_audit(&self, terminal: i64) -> Vec<AuditRow> {
        self.admin
            .call(async move |c| {
                let rows = c
                    .query(
                        "SELECT id, at, actor, terminal, action, subject, detail, hash
                           FROM coupondesk.audit WHERE terminal_id = $1 ORDER BY id",
                        &[&terminal],
                    )
                    .await
                    .map_err(|e| HubError::from_pg(&e))?;
                Ok(rows
                    .iter()
                    .map(|r| {
                        (
                            r.get(0),
                            r.get(1),
                            r.get(2),
                            r.get(3),
                            r.get(4),
                            r.get(5),
                            r.get(6),
                            r.get(7),
                        )
                    })
                    .collect())
            })
            .expect("hub audit")
    }

    /// Runs `sql` as the admin (the test's superuser), e.g. an edit behind the desks' back.
    pub fn admin_exec(&self, sql: &'static str) {
        self.admin
            .call(async move |c| {
                c.batch_execute(sql)
                    .await
                    .map_err(|e| HubError::from_pg(&e))
            })
            .expect(sql);
    }
}

impl Chain {
    /// Adds `n` entries (ids `first..first + n`) to terminal `terminal`'s trail at the hub
    /// as the admin, seven to a millisecond from `at0` (ties in the list's order). Not a
    /// valid chain: for the reads (list, export), not for verify or an upload after it.
    pub fn seed_hub_audit(&self, terminal: i64, first: i64, n: i64, at0: i64) {
        self.admin
            .call(async move |c| {
                c.execute(
                    "INSERT INTO coupondesk.audit
                       (terminal_id, id, at, actor, terminal, action, subject, detail,
                        prev_hash, hash)
                     SELECT $1, $2 + g, $4 + g / 7, '小陈', 'seed', 'test.entry', 'S' || g,
                            '{\"i\":' || g || '}', md5(g::text), md5((g + 1)::text)
                       FROM generate_series(0::bigint, $3::bigint - 1) g",
                    &[&terminal, &first, &n, &at0],
                )
                .await
                .map_err(|e| HubError::from_pg(&e))?;
                Ok(())
            })
            .expect("seed the hub's audit");
    }
}

/// Every row of the hub's list for `q` (all its pages, 100 a page), in the list's order.
pub fn hub_audit_list_all(
    d: &ChainDesk,
    q: &coupondesk_core::desk::hub_audit::HubAuditQuery,
) -> Vec<coupondesk_core::hub::audit::HubAuditEntry> {
    let mut q = q.clone();
    q.query.page = coupondesk_core::domain::PageRequest {
        page: 1,
        per_page: 100,
    };
    let mut out = Vec::new();
    loop {
        let p = d.f.desk.hub_audit_list(&q).expect("hub audit list");
        out.extend(p.items);
        if u64::from(q.query.page.page) >= p.total_pages {
            return out;
        }
        q.query.page.page += 1;
    }
}

/// The rows of an exported CSV (UTF-8 with a BOM), the header row first.
pub fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("read the export");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}
