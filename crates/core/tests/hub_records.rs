//! Templates, their offline policies and batch links travelling between desks through a
//! real PostgreSQL hub (docs/chain-mode.md, "Changes between desks"): a template made
//! at one desk rules the other desk's offline redemptions after its pull; an edit reaches
//! the others; a local edit not yet sent is never overwritten by an older one; the join
//! sends and brings templates too.

mod common;

use common::hub::{redeem, Chain, ChainDesk, CODES};
use common::{cash, fixture, Fixture};
use coupondesk_core::domain::customer::CustomerDraft;
use coupondesk_core::domain::offline::OfflinePolicy;
use coupondesk_core::domain::redeem::Refusal;
use coupondesk_core::domain::voucher::VoucherDraft;
use coupondesk_core::hub::HubUrl;
use coupondesk_core::store::hub_records::{self, TemplateApplied, TemplateIn};

const LIMITED: OfflinePolicy = OfflinePolicy::Limited {
    per_terminal_per_day: 1,
    max_value_fen: 100_000,
};

fn sql_i64(f: &Fixture, sql: &str, arg: &str) -> i64 {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row(sql, [arg], |r| r.get(0)).expect(sql)
}

fn uid(f: &Fixture, template: i64) -> String {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row(
        "SELECT hub_uid FROM templates WHERE id = ?1",
        [template],
        |r| r.get(0),
    )
    .expect("uid")
}

/// The local template known by `uid`.
fn by_uid(f: &Fixture, uid: &str) -> i64 {
    sql_i64(f, "SELECT id FROM templates WHERE hub_uid = ?1", uid)
}

fn linked_to(f: &Fixture, ticket_type: &str) -> i64 {
    sql_i64(
        f,
        "SELECT coalesce(template_id, 0) FROM batches WHERE ticket_type = ?1",
        ticket_type,
    )
}

/// Platform change records of templates saved at this desk.
fn template_saved_records(f: &Fixture) -> i64 {
    sql_i64(
        f,
        "SELECT count(*) FROM changes WHERE change LIKE ?1",
        "%\"kind\":\"template_saved\"%",
    )
}

/// At `d`, after its join: batch `TT2` of 6 codes linked to a new template with
/// `policy`; the template's id and the codes.
fn a_linked_batch(d: &ChainDesk, policy: OfflinePolicy) -> (i64, Vec<String>) {
    d.f.generated("TT2", 6);
    let codes = d.f.codes("TT2", None);
    let t = d.f.desk.create_template(cash("店庆券")).expect("template");
    d.f.desk
        .set_template_offline_policy(t.id, policy)
        .expect("policy");
    d.f.desk.link_batch(t.id, "TT2").expect("link");
    (t.id, codes)
}

#[test]
fn a_template_made_at_one_desk_rules_the_others_offline_redemptions_and_its_edits_follow() {
    let chain = Chain::new("recpolicy", CODES);
    // The pull's reads share the claim deadline: 1 s, not less, so a loaded machine does
    // not stop a pull (the cut relay below is offline either way).
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let (ta, codes) = a_linked_batch(&a, LIMITED);

    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.stopped, None);
    assert_eq!(
        (
            pa.batches_uploaded,
            pa.templates_uploaded,
            pa.links_uploaded
        ),
        (1, 1, 1),
        "{pa:?}"
    );
    assert_eq!(chain.scalar("SELECT count(*) FROM coupondesk.templates"), 1);
    let uid_a = uid(&a.f, ta);
    assert_eq!(
        chain.scalar(
            "SELECT count(*) FROM coupondesk.batches b JOIN coupondesk.templates t
               ON t.uid = b.template_uid WHERE b.ticket_type = 'TT2'"
        ),
        1
    );

    let saved_before = template_saved_records(&b.f);
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.stopped, None);
    assert_eq!(
        (
            pb.batches_downloaded,
            pb.templates_downloaded,
            pb.links_applied
        ),
        (1, 1, 1),
        "{pb:?}"
    );
    assert!(pb.skipped.is_empty(), "{pb:?}");
    let tb = by_uid(&b.f, &uid_a);
    assert_eq!(linked_to(&b.f, "TT2"), tb);
    assert_eq!(
        b.f.desk.template_offline_policy(tb).expect("policy"),
        LIMITED
    );
    assert_eq!(
        b.f.desk.get_template(tb).expect("template").fields,
        a.f.desk.get_template(ta).expect("template").fields
    );
    assert_eq!(
        template_saved_records(&b.f),
        saved_before,
        "A announced it to the platforms; B's download records nothing for them"
    );

    // B offline: A's policy decides, one a day at this counter.
    b.proxy.cut();
    assert!(redeem(&b, &codes[0]).redemption.is_some(), "one offline");
    assert_eq!(
        redeem(&b, &codes[1]).check.refusal,
        Some(Refusal::OfflineLimitReached { limit: 1 })
    );
    b.proxy.restore();

    // A allows any number; B gets it at its next pull.
    a.f.desk
        .set_template_offline_policy(ta, OfflinePolicy::Allowed)
        .expect("policy");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.templates_uploaded, 1, "{pa:?}");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.templates_downloaded, 1, "{pb:?}");
    assert_eq!(
        b.f.desk.template_offline_policy(tb).expect("policy"),
        OfflinePolicy::Allowed
    );
    b.proxy.cut();
    assert!(redeem(&b, &codes[1]).redemption.is_some(), "allowed now");
    b.proxy.restore();

    // Nothing bounces: B does not send A's version back, A finds its own unchanged.
    let pb = b.f.desk.hub_pull().expect("pull b again");
    assert_eq!((pb.templates_uploaded, pb.links_uploaded), (0, 0), "{pb:?}");
    let pa = a.f.desk.hub_pull().expect("pull a again");
    assert_eq!(
        (
            pa.templates_uploaded,
            pa.templates_downloaded,
            pa.links_applied
        ),
        (0, 0, 0),
        "{pa:?}"
    );
    assert_eq!(
        sql_i64(
            &b.f,
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            "template.hub_pull"
        ),
        2,
        "created, then the policy"
    );
    assert_eq!(template_saved_records(&b.f), saved_before);
}

#[test]
fn a_local_edit_not_yet_sent_is_not_overwritten_by_an_older_one() {
    let chain = Chain::new("reckeep", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let (ta, _) = a_linked_batch(&a, LIMITED);
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");
    let uid_a = uid(&a.f, ta);
    let tb = by_uid(&b.f, &uid_a);

    // B forbids offline use (not sent yet); then A changes the limit and sends it.
    b.f.desk
        .set_template_offline_policy(tb, OfflinePolicy::NotAllowed)
        .expect("policy b");
    let three = OfflinePolicy::Limited {
        per_terminal_per_day: 3,
        max_value_fen: 100_000,
    };
    a.f.desk
        .set_template_offline_policy(ta, three)
        .expect("policy a");
    a.f.desk.hub_pull().expect("pull a");

    // A's version, applied straight at B while B's edit waits: B's edit is kept.
    let a_version = TemplateIn {
        uid: uid_a.clone(),
        draft: serde_json::to_value(&a.f.desk.get_template(ta).expect("t").fields).expect("json"),
        offline_policy: Some(serde_json::to_value(three).expect("json")),
    };
    let mut conn = rusqlite::Connection::open(&b.f.db).expect("open");
    assert_eq!(
        hub_records::apply_template(&mut conn, &a_version).expect("apply"),
        TemplateApplied::KeptLocal(tb)
    );
    drop(conn);
    assert_eq!(
        b.f.desk.template_offline_policy(tb).expect("policy"),
        OfflinePolicy::NotAllowed
    );

    // B's pull sends its edit first (the last upload wins) and keeps it; A gets it.
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.templates_uploaded, 1, "{pb:?}");
    assert_eq!(
        b.f.desk.template_offline_policy(tb).expect("policy"),
        OfflinePolicy::NotAllowed
    );
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.templates_downloaded, 1, "{pa:?}");
    assert_eq!(
        a.f.desk.template_offline_policy(ta).expect("policy"),
        OfflinePolicy::NotAllowed
    );
    // With nothing queued, the hub's version is applied again.
    let mut conn = rusqlite::Connection::open(&b.f.db).expect("open");
    assert_eq!(
        hub_records::apply_template(&mut conn, &a_version).expect("apply"),
        TemplateApplied::Updated(tb)
    );
    assert_eq!(
        hub_records::pending(&conn).expect("queue"),
        Vec::new(),
        "the apply's own write is not queued to go back"
    );
}

#[test]
fn the_join_sends_this_desks_templates_and_brings_the_hubs() {
    let cluster = pgtest::shared().expect("cluster");
    let url = cluster.fresh_db("recjoin").expect("db");
    let name = HubUrl::parse(&url).expect("url").database().to_owned();

    let a = fixture();
    a.generated("A1", 20);
    let ta = a.desk.create_template(cash("会员券")).expect("template");
    a.desk
        .set_template_offline_policy(ta.id, LIMITED)
        .expect("policy");
    a.desk.link_batch(ta.id, "A1").expect("link");
    a.desk
        .add_customer(&CustomerDraft {
            phone: "13900139000".into(),
            name: "李四".into(),
        })
        .expect("customer");
    a.desk.hub_init(&url, None).expect("init");
    let ja = a
        .desk
        .hub_join(&url, "Shop 1", "counter 1")
        .expect("join a");
    assert_eq!(
        (
            ja.moved.templates_uploaded,
            ja.moved.links_uploaded,
            ja.moved.customers_uploaded
        ),
        (1, 1, 1),
        "{ja:?}"
    );
    assert_eq!(
        cluster
            .psql(
                &name,
                "SELECT offline_policy->>'mode' FROM coupondesk.templates"
            )
            .expect("psql"),
        "limited"
    );

    // B has A1 too (the same codes), linked to a template of its own with no
    // redemption: the hub's link (A's, the first) is applied at B.
    let b = fixture();
    let codes = a.codes("A1", None);
    let file = b.file("a1.csv", format!("code\n{}\n", codes.join("\n")).as_bytes());
    b.desk.create_batch("A1", "batch A1").expect("batch");
    b.import("A1", &file, &Default::default());
    let own = b.desk.create_template(cash("B 自己的")).expect("template");
    b.desk.link_batch(own.id, "A1").expect("link");
    let jb = b
        .desk
        .hub_join(&url, "Shop 2", "counter 1")
        .expect("join b");
    assert_eq!(
        (jb.moved.templates_uploaded, jb.moved.links_uploaded),
        (1, 0),
        "B's template goes up, its link does not: {jb:?}"
    );
    assert_eq!(
        (jb.moved.templates_downloaded, jb.moved.links_applied),
        (1, 1),
        "{jb:?}"
    );
    assert_eq!(jb.moved.customers_downloaded, 1, "{jb:?}");
    assert_eq!(customer_name(&b, "13900139000"), "李四");
    let tb = by_uid(&b, &uid(&a, ta.id));
    assert_eq!(linked_to(&b, "A1"), tb);
    assert_eq!(b.desk.template_offline_policy(tb).expect("policy"), LIMITED);
    // A pulls B's template (unlinked at the hub).
    let pa = a.desk.hub_pull().expect("pull a");
    assert_eq!(pa.templates_downloaded, 1, "{pa:?}");
    assert!(by_uid(&a, &uid(&b, own.id)) > 0);
}

fn customer_name(f: &Fixture, phone: &str) -> String {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row(
        "SELECT name FROM customers WHERE phone = ?1",
        [phone],
        |r| r.get(0),
    )
    .expect(phone)
}

fn save_customer(d: &ChainDesk, phone: &str, name: &str) {
    d.f.desk
        .add_customer(&CustomerDraft {
            phone: phone.into(),
            name: name.into(),
        })
        .expect("customer");
}

#[test]
fn customers_travel_by_phone_and_the_last_name_sent_wins() {
    let chain = Chain::new("reccust", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let phone = "13800138000";
    save_customer(&a, phone, "张三");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.customers_uploaded, 1, "{pa:?}");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.customers_downloaded, 1, "{pb:?}");
    assert_eq!(customer_name(&b.f, phone), "张三");

    // Both rename it; A sends first, B last: B's name is the hub's and everyone's.
    save_customer(&b, phone, "张三丰");
    save_customer(&a, phone, "张老三");
    a.f.desk.hub_pull().expect("pull a");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.customers_uploaded, 1, "{pb:?}");
    assert_eq!(customer_name(&b.f, phone), "张三丰");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(customer_name(&a.f, phone), "张三丰", "{pa:?}");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.customers"),
        1,
        "one row per phone"
    );

    // Saving with no name keeps the name, here and at the hub; and nothing bounces.
    save_customer(&a, phone, "");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.customers_uploaded, 0, "{pa:?}");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.customers_uploaded, pb.customers_downloaded),
        (0, 0),
        "{pb:?}"
    );
    assert_eq!(customer_name(&b.f, phone), "张三丰");
}

#[test]
fn a_batch_redeemed_under_this_desks_template_keeps_it_and_the_pull_says_why() {
    let chain = Chain::new("reckeeplink", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    // B redeems a code of TT1 under its own template.
    assert!(redeem(&b, CODES[0]).redemption.is_some());
    // A links TT1 to its template again while joined: the link goes up.
    a.f.desk.unlink_batch(a.template, "TT1").expect("unlink");
    a.f.desk.link_batch(a.template, "TT1").expect("link");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!((pa.templates_uploaded, pa.links_uploaded), (1, 1), "{pa:?}");

    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.templates_downloaded, pb.links_applied),
        (1, 0),
        "{pb:?}"
    );
    assert!(
        pb.skipped
            .iter()
            .any(|s| s.contains("TT1") && s.contains("redeemed")),
        "{pb:?}"
    );
    assert_eq!(linked_to(&b.f, "TT1"), b.template, "B keeps its own");
    // A third desk with no redemption of TT1 takes the hub's link.
    let c = chain.join(3, CODES, 1000);
    let pc = c.f.desk.hub_pull().expect("pull c");
    assert_eq!(pc.links_applied, 1, "{pc:?}");
    assert_eq!(linked_to(&c.f, "TT1"), by_uid(&c.f, &uid(&a.f, a.template)));
}

fn sell(d: &ChainDesk, phone: &str, name: &str) -> i64 {
    d.f.desk
        .sell_voucher(VoucherDraft {
            customer: phone.into(),
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

fn voucher_uid(f: &Fixture, id: i64) -> String {
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    conn.query_row("SELECT hub_uid FROM vouchers WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .expect("voucher uid")
}

fn voucher_by_uid(f: &Fixture, uid: &str) -> i64 {
    sql_i64(f, "SELECT id FROM vouchers WHERE hub_uid = ?1", uid)
}

#[test]
fn a_voucher_sold_at_one_desk_is_used_once_and_a_second_use_elsewhere_is_reported() {
    let chain = Chain::new("recvoucher", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let phone = "13700137000";
    let sold = sell(&a, phone, "全屋打扫");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.vouchers_uploaded, 1, "{pa:?}");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.vouchers_downloaded, 1, "{pb:?}");
    let uid = voucher_uid(&a.f, sold);
    let at_b = voucher_by_uid(&b.f, &uid);
    let v = b.f.desk.get_voucher(at_b).expect("voucher at b");
    assert!(v.valid);
    assert_eq!((v.name.as_str(), v.price_fen), ("全屋打扫", 28_800));

    // Used at B: the use reaches the seller's desk.
    b.f.desk.use_voucher(at_b).expect("use at b");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.voucher_uses_uploaded, 1, "{pb:?}");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.vouchers_downloaded, 1, "{pa:?}");
    let v = a.f.desk.get_voucher(sold).expect("voucher at a");
    assert!(!v.valid, "used elsewhere");
    assert_eq!(v.used_terminal.as_deref(), Some("前台2"));
    assert!(a.f.desk.use_voucher(sold).is_err(), "used is final");
    // Not A's counter's work: A's report does not count it, nothing goes back.
    assert_eq!(
        sql_i64(
            &a.f,
            "SELECT count(*) FROM redemption_days WHERE kind = 3 AND ?1 <> ''",
            "x"
        ),
        0
    );
    let pa = a.f.desk.hub_pull().expect("pull a again");
    assert_eq!(
        (pa.voucher_uses_uploaded, pa.voucher_conflicts),
        (0, 0),
        "B's use is not sent back as A's: {pa:?}"
    );

    // A second voucher: A's use claims it at the hub; B, not knowing, is refused online
    // (two offline uses making one conflict: tests/hub_vouchers.rs).
    let second = sell(&a, phone, "洗车");
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");
    let second_at_b = voucher_by_uid(&b.f, &voucher_uid(&a.f, second));
    a.f.desk.use_voucher(second).expect("use at a");
    assert!(
        b.f.desk.use_voucher(second_at_b).is_err(),
        "refused at b: the hub has A's use"
    );
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(
        (pa.voucher_uses_uploaded, pa.voucher_conflicts),
        (1, 0),
        "{pa:?}"
    );
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.voucher_uses_uploaded, pb.voucher_conflicts),
        (0, 0),
        "{pb:?}"
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.voucher_conflicts"),
        0
    );
}

#[test]
fn a_hub_of_schema_2_still_pulls_statuses_and_the_queue_waits_for_its_update() {
    let chain = Chain::new("recoldhub", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let set_version = |v: &'static str| {
        chain
            .admin
            .call(async move |c| {
                c.execute(
                    "UPDATE coupondesk.meta SET value = $1 WHERE key = 'schema_version'",
                    &[&v],
                )
                .await
                .map_err(|e| coupondesk_core::hub::HubError::from_pg(&e))
            })
            .expect("version");
    };
    // As a hub a build before schema 3 made and nobody has updated yet.
    set_version("2");
    save_customer(&a, "13600136000", "赵六");
    assert!(redeem(&a, CODES[0]).redemption.is_some());
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!((&pa.stopped, pa.customers_uploaded), (&None, 0), "{pa:?}");
    assert!(pa.skipped.iter().any(|s| s.contains("hub init")), "{pa:?}");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!((&pb.stopped, pb.statuses_applied), (&None, 1), "{pb:?}");
    // Updated: the queue goes up at the next pull.
    set_version("3");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.customers_uploaded, 1, "{pa:?}");
}
