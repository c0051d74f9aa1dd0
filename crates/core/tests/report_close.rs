//! The daily close (日结) as data: per terminal and day, by template, staff and kind, on a
//! real SQLite file; the figures are the report's for the same day and terminal.

mod common;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use common::{cash, fixture, Fixture};
use coupondesk_core::domain::close::CloseQuery;
use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::domain::report::Figures;
use coupondesk_core::store;
use coupondesk_core::store::acting::{self, Acting};
use coupondesk_core::store::redemptions;

/// UTC+08:00, the shops' zone.
fn at(d: &str, h: u32, m: u32) -> DateTime<Utc> {
    let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("day");
    FixedOffset::east_opt(8 * 3600)
        .expect("zone")
        .from_local_datetime(&day.and_hms_opt(h, m, 0).expect("time"))
        .single()
        .expect("instant")
        .with_timezone(&Utc)
}

/// Redeems `code` for `order_fen` at `when`, as `who` at `terminal`.
fn redeem(f: &Fixture, code: &str, order_fen: i64, when: DateTime<Utc>, who: &str, terminal: &str) {
    let _g = acting::enter(Acting {
        name: who.into(),
        staff_id: None,
        terminal: Some(terminal.into()),
    });
    let mut conn = store::open(&f.db).expect("open");
    let req = RedeemRequest {
        code: code.into(),
        order_fen: Some(order_fen),
        customer: None,
    };
    redemptions::redeem(&mut conn, &req, when)
        .expect("redeem")
        .redemption
        .expect("redeemed");
}

fn close(
    f: &Fixture,
    day: &str,
    terminal: Option<&str>,
) -> coupondesk_core::domain::close::DailyClose {
    f.desk
        .report_close(&CloseQuery {
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("day"),
            terminal: terminal.map(str::to_owned),
        })
        .expect("close")
}

#[test]
fn the_close_has_a_page_per_terminal_with_templates_staff_and_totals_of_that_day_only() {
    let f = fixture();
    let mut s = f.desk.settings().expect("settings");
    s.shop_name = "  望京店  ".into();
    s.terminal = "收银台3".into();
    f.desk.save_settings(s).expect("save");
    f.generated("TA", 6);
    let tpl = f.desk.create_template(cash("满100减20")).expect("template");
    f.desk.link_batch(tpl.id, "TA").expect("link");
    let c = f.codes("TA", None);
    redeem(&f, &c[0], 10_000, at("2026-12-07", 9, 0), "王芳", "收银台1");
    redeem(
        &f,
        &c[1],
        12_000,
        at("2026-12-07", 23, 59),
        "李雷",
        "收银台1",
    );
    redeem(&f, &c[2], 15_000, at("2026-12-07", 0, 1), "王芳", "收银台2");
    // The next shop day (16:00 UTC on the 7th): not on the 7th's close.
    redeem(&f, &c[3], 30_000, at("2026-12-08", 0, 0), "王芳", "收银台2");

    let all = close(&f, "2026-12-07", None);
    assert_eq!(all.shop_name, "望京店");
    assert_eq!(all.zone, "UTC+08:00");
    let names: Vec<&str> = all.terminals.iter().map(|t| t.terminal.as_str()).collect();
    assert_eq!(names, ["收银台1", "收银台2"]);
    let one = &all.terminals[0];
    let reduction = one.by_template[0].figures.discount_fen / 2;
    assert!(reduction > 0, "the cash template takes something off");
    assert_eq!(
        one.total,
        Figures {
            count: 2,
            discount_fen: 2 * reduction,
            order_fen: 22_000
        }
    );
    assert_eq!(one.by_template.len(), 1);
    assert_eq!(one.by_template[0].label, "满100减20");
    let staff: Vec<(&str, i64)> = one
        .by_staff
        .iter()
        .map(|g| (g.label.as_str(), g.figures.count))
        .collect();
    assert!(
        staff.contains(&("王芳", 1)) && staff.contains(&("李雷", 1)),
        "{staff:?}"
    );
    assert_eq!(one.by_kind.len(), 1);
    assert_eq!(one.by_kind[0].key, "coupon");
    assert_eq!(all.terminals[1].total.count, 1);
    assert_eq!(all.terminals[1].total.order_fen, 15_000);
    assert_eq!(all.total.count, 3);
    assert_eq!(all.total.order_fen, 37_000);

    // One terminal asked: only its page, even on a day it had none.
    let two = close(&f, "2026-12-08", Some(" 收银台2 "));
    assert_eq!(two.terminals.len(), 1);
    assert_eq!(two.terminals[0].terminal, "收银台2");
    assert_eq!(two.terminals[0].total.count, 1);
    let quiet = close(&f, "2026-12-08", Some("收银台1"));
    assert_eq!(quiet.terminals[0].total, Figures::default());

    // A day without any use: this desk's own terminal, all zero, so the close has a page.
    let none = close(&f, "2026-12-01", None);
    assert_eq!(none.terminals.len(), 1);
    assert_eq!(none.terminals[0].terminal, "收银台3");
    assert_eq!(none.total, Figures::default());
}

#[test]
fn a_shop_name_longer_than_64_characters_is_refused() {
    let f = fixture();
    let mut s = f.desk.settings().expect("settings");
    s.shop_name = "店".repeat(65);
    let err = f.desk.save_settings(s).expect_err("too long");
    assert!(format!("{err}").contains("shopName"), "{err}");
}

fn pdf_pages(pdf: &std::path::Path) -> usize {
    let out = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn pdf_text(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args([pdf.as_os_str(), "-layout".as_ref(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_close_pdf_has_a_page_per_terminal_with_its_figures_in_words_of_the_language() {
    use coupondesk_core::domain::print::PrintLang;
    let f = fixture();
    let mut s = f.desk.settings().expect("settings");
    s.shop_name = "望京店".into();
    f.desk.save_settings(s).expect("save");
    f.generated("TA", 4);
    let tpl = f.desk.create_template(cash("满100减20")).expect("template");
    f.desk.link_batch(tpl.id, "TA").expect("link");
    let c = f.codes("TA", None);
    redeem(&f, &c[0], 10_000, at("2026-12-07", 9, 0), "王芳", "收银台1");
    redeem(
        &f,
        &c[1],
        12_345,
        at("2026-12-07", 12, 0),
        "李雷",
        "收银台1",
    );
    redeem(
        &f,
        &c[2],
        15_000,
        at("2026-12-07", 18, 0),
        "王芳",
        "收银台2",
    );
    let day = NaiveDate::parse_from_str("2026-12-07", "%Y-%m-%d").expect("day");
    let all = CloseQuery {
        day,
        terminal: None,
    };
    let out = f.dir.path().join("close.pdf");
    let pages = f
        .desk
        .print_close(&all, PrintLang::ZhCn, &out)
        .expect("print");
    assert_eq!(pages, 2);
    assert_eq!(pdf_pages(&out), 2, "one page per terminal");
    let text = pdf_text(&out);
    for want in [
        "望京店 日结",
        "日期 2026-12-07",
        "时区 UTC+08:00",
        "终端 收银台1",
        "终端 收银台2",
        "按模板",
        "按员工",
        "满100减20",
        "王芳",
        "李雷",
        "优惠券",
        // 收银台1: 2 uses, 40.00 off, 223.45 of orders.
        "223.45",
        "40.00",
        "150.00",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    // The first page is 收银台1's only.
    let first = text.split('\u{c}').next().expect("page 1");
    assert!(
        first.contains("收银台1") && !first.contains("收银台2"),
        "{first}"
    );

    let one = CloseQuery {
        day,
        terminal: Some("收银台2".into()),
    };
    let pages = f
        .desk
        .print_close(&one, PrintLang::En, &out)
        .expect("print");
    assert_eq!((pages, pdf_pages(&out)), (1, 1));
    let text = pdf_text(&out);
    for want in [
        "望京店 Daily close",
        "Terminal 收银台2",
        "By staff member",
        "Total",
        "150.00",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
}
