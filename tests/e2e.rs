//! End-to-end tests of the real window: tauri-driver + WebKitWebDriver under Xvfb, clicking
//! through the app as staff would. Run by `scripts/e2e.sh` (part of `make test`); ignored
//! by a plain `cargo test` because they need the built app and a display.
//! Screenshots of each step are kept in target/e2e-artifacts/.

use std::path::Path;
use std::time::Duration;

use acceptance::app::{artifacts, Driver};
use acceptance::i18n::{Lang, Table};
use acceptance::staff;
use acceptance::webdriver::{Session, WdResult};

#[path = "e2e/counts.rs"]
mod counts;
#[path = "e2e/hub.rs"]
mod hub;
#[path = "e2e/renewal.rs"]
mod renewal;
#[path = "e2e/repaint.rs"]
mod repaint;
#[path = "e2e/reports.rs"]
mod reports;
#[path = "e2e/screens.rs"]
mod screens;
#[path = "e2e/staff.rs"]
mod staff_e2e;
#[path = "e2e/sync.rs"]
mod sync;
#[path = "e2e/wallet.rs"]
mod wallet;

const WAIT: Duration = Duration::from_secs(20);

fn shot(s: &Session, test: &str, step: &str) {
    let _ = s.screenshot(&artifacts().join(format!("{test}-{step}.png")));
}

/// Opens the app on `db` and completes the first start's owner setup (every test's
/// database starts without staff accounts), as `staff::OWNER`.
fn open_as_owner(driver: &Driver, db: &Path) -> Session {
    let s = driver.open_app(db).expect("app");
    if let Err(e) = staff::setup_test_owner(&s) {
        shot(&s, "owner-setup", "failed");
        panic!("owner setup: {e}");
    }
    s
}

/// The database as the owner the window set up sees it: logged in, so changes are allowed
/// and customers' phones are shown in full.
fn desk_as_owner(db: &Path) -> coupondesk_core::Desk {
    let desk = coupondesk_core::Desk::open(db).expect("open");
    let (name, pin) = staff::OWNER;
    desk.login(name, pin).expect("the owner logs in");
    desk
}

fn set(s: &Session, id: &str, text: &str) -> WdResult<()> {
    let e = s.testid(id)?;
    s.clear(&e)?;
    s.type_text(&e, text)
}

fn text_of(s: &Session, id: &str) -> WdResult<String> {
    let e = s.testid(id)?;
    s.text(&e)
}

/// The message `key` of the Chinese table (the language a fresh profile starts in).
fn zh(key: &str, params: &[(&str, &str)]) -> WdResult<String> {
    Table::load(Lang::Zh)?.text(key, params)
}

/// The texts of each `td` of each row matching `css`.
fn table_cells(s: &Session, css: &str) -> WdResult<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for row in s.find_all(css)? {
        let cells = s.find_all_in(&row, "td")?;
        rows.push(cells.iter().map(|c| s.text(c)).collect::<WdResult<_>>()?);
    }
    Ok(rows)
}

/// Waits until the element's text, digits only, equals `want`.
fn wait_number(s: &Session, id: &str, want: u64) -> WdResult<()> {
    s.wait_until(&format!("{id} = {want}"), WAIT, |s| {
        let t = text_of(s, id)?;
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        Ok((digits == want.to_string()).then_some(()))
    })
}

fn create_batch(s: &Session, ticket_type: &str, name: &str) -> WdResult<()> {
    s.click(&s.testid("batch-create-open")?)?;
    set(s, "batch-create-type", ticket_type)?;
    set(s, "batch-create-name", name)?;
    s.click(&s.testid("batch-create-submit")?)
}

fn write_csv(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("code,note\n");
    for i in 0..20 {
        text.push_str(&format!("E2E{i:05},ok\n"));
    }
    text.push_str("E2E00003,again\n"); // line 22: duplicate
    text.push_str("bad code,x\n"); // line 23: invalid
    text.push_str("E2E00007,again\n"); // line 24: duplicate
    text.push_str("ab,short\n"); // line 25: invalid
    let path = dir.join("e2e-codes.csv");
    std::fs::write(&path, text).expect("write csv");
    path
}

/// `outside`: a copy of the CSV outside Documents, which no dialog chose: the window
/// refuses its typed path (issue 12) before `csv`, under Documents, is imported.
fn import_flow(s: &Session, outside: &Path, csv: &Path) -> WdResult<()> {
    const T: &str = "import";
    s.testid("batch-row")?;
    shot(s, T, "1-batches");
    let row = s.wait_for(
        "[data-testid=\"batch-row\"][data-ticket-type=\"E2E1\"]",
        WAIT,
    )?;
    // A table row has no box of its own for WebKit's driver: click its name cell.
    s.click(&s.find_in(&row, "[data-testid=\"batch-row-name\"]")?)?;
    s.testid("batch-detail-title")?;
    s.click(&s.testid("import-open")?)?;
    set(s, "import-path", &outside.display().to_string())?;
    s.click(&s.testid("import-preview-load")?)?;
    let banner = s.wait_for("[data-testid=\"error-banner\"]", WAIT)?;
    let said = s.text(&banner)?;
    if !said.contains(&zh("error.path_not_allowed", &[])?) {
        return Err(format!(
            "a path outside Documents was answered with {said:?}"
        ));
    }
    shot(s, T, "2-refused-outside-documents");
    set(s, "import-path", &csv.display().to_string())?;
    s.click(&s.testid("import-preview-load")?)?;
    s.testid("import-preview-table")?;
    let encoding = text_of(s, "import-encoding")?;
    if encoding != zh("encoding.utf-8", &[])? {
        return Err(format!("detected encoding shown as {encoding:?}"));
    }
    shot(s, T, "2-preview");
    s.click(&s.testid("import-start")?)?;
    s.testid("import-result")?;
    wait_number(s, "import-result-imported", 20)?;
    wait_number(s, "import-result-duplicate", 2)?;
    wait_number(s, "import-result-invalid", 2)?;
    // Line, translated reason, value: exactly the two invalid rows of the file.
    let shown = table_cells(s, "[data-testid=\"import-error-row\"]")?;
    let want = vec![
        vec![
            "23".to_owned(),
            zh("issue.bad_character", &[])?,
            "bad code".to_owned(),
        ],
        vec![
            "25".to_owned(),
            zh("issue.too_short", &[])?,
            "ab".to_owned(),
        ],
    ];
    if shown != want {
        return Err(format!(
            "invalid rows shown as {shown:?}, expected {want:?}"
        ));
    }
    shot(s, T, "3-result");
    s.click(&s.testid("import-close")?)?;
    wait_number(s, "batch-detail-total", 20)?;
    s.wait_until("20 code rows", WAIT, |s| {
        Ok((s.find_all("[data-testid=\"code-row\"]")?.len() == 20).then_some(()))
    })?;
    set(s, "code-search", "00013")?;
    let found = s.wait_until("one search hit", WAIT, |s| {
        let rows = s.find_all("[data-testid=\"code-row\"]")?;
        if rows.len() != 1 {
            return Ok(None);
        }
        s.attribute(&rows[0], "data-code")
    })?;
    if found != "E2E00013" {
        return Err(format!("search found {found}"));
    }
    shot(s, T, "4-search");
    Ok(())
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn create_a_batch_import_a_csv_and_search_a_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start().expect("tauri-driver");
    let s = open_as_owner(&driver, &dir.path().join("e2e.sqlite3"));
    let result = create_batch(&s, "E2E1", "端到端测试")
        .and_then(|_| import_flow(&s, &write_csv(dir.path()), &write_csv(driver.documents())));
    if let Err(e) = result {
        shot(&s, "import", "failed");
        panic!("{e}");
    }
}

/// A batch E2E2 of `n` generated codes, put in the database before the app opens (the
/// import through the window has its own test); returns its codes.
fn seed_batch(db: &Path, n: u64) -> Vec<String> {
    use coupondesk_core::domain::PageRequest;
    use coupondesk_core::generate::GenerateRequest;
    use coupondesk_core::progress::CancelToken;
    use coupondesk_core::store::codes::CodeQuery;
    let desk = coupondesk_core::Desk::open(db).expect("open");
    desk.create_batch("E2E2", "核销测试").expect("batch");
    desk.generate_codes(
        &GenerateRequest {
            ticket_type: "E2E2".into(),
            count: n,
            length: None,
            prefix: Some("RD".into()),
        },
        &CancelToken::new(),
        &mut |_| {},
    )
    .expect("generate");
    desk.list_codes(&CodeQuery {
        ticket_type: "E2E2".into(),
        status: None,
        search: None,
        page: PageRequest {
            page: 1,
            per_page: 100,
        },
    })
    .expect("codes")
    .items
    .into_iter()
    .map(|c| c.code)
    .collect()
}

const ENTER: &str = "\u{E007}";

fn verdict(s: &Session, want: &str) -> WdResult<()> {
    s.wait_until(&format!("verdict {want}"), WAIT, |s| {
        let v = s.find_all("[data-testid=\"redeem-verdict\"]")?;
        match v.first() {
            Some(e) => Ok((s.attribute(e, "data-reason")?.as_deref() == Some(want)).then_some(())),
            None => Ok(None),
        }
    })
}

fn template_and_redeem_flow(s: &Session, code: &str) -> WdResult<()> {
    const T: &str = "redeem";
    s.click(&s.testid("nav-templates")?)?;
    s.click(&s.testid("template-new")?)?;
    s.click(&s.testid("template-kind-cash")?)?;
    set(s, "template-reduce", "20")?;
    set(s, "template-least", "100")?;
    set(s, "template-title", "满100减20")?;
    set(s, "template-brand", "海底捞")?;
    set(s, "template-logo", "https://example.com/logo.png")?;
    set(s, "template-notice", "使用时出示此券")?;
    set(s, "template-description", "不可与其他优惠同享")?;
    set(s, "template-quantity", "100")?;
    shot(s, T, "1-form");
    s.click(&s.testid("template-save")?)?;
    s.testid("template-detail-title")?;
    // The picker: search by ticket type, pick the batch, link it.
    set(s, "link-batch-search", "E2E2")?;
    s.click(&s.wait_for(
        "[data-testid=\"link-batch-option\"][data-ticket-type=\"E2E2\"]",
        WAIT,
    )?)?;
    s.click(&s.testid("link-batch-submit")?)?;
    s.wait_for(
        "[data-testid=\"linked-batch\"][data-ticket-type=\"E2E2\"]",
        WAIT,
    )?;
    wait_number(s, "template-detail-codes", 10)?;
    shot(s, T, "2-linked");

    s.click(&s.testid("nav-redeem")?)?;
    set(s, "redeem-amount", "150")?;
    set(s, "redeem-code", &format!("{code}{ENTER}"))?;
    verdict(s, "ok")?;
    let off = text_of(s, "redeem-reduction")?;
    if off != "¥20.00" {
        return Err(format!("reduction shown as {off:?}"));
    }
    shot(s, T, "3-checked");
    // The second Enter redeems; the page then waits for the next customer.
    s.type_text(&s.testid("redeem-code")?, ENTER)?;
    verdict(s, "redeemed")?;
    s.wait_for(
        &format!("[data-testid=\"redemption-row\"][data-code=\"{code}\"]"),
        WAIT,
    )?;
    shot(s, T, "4-redeemed");
    set(s, "redeem-amount", "150")?;
    set(s, "redeem-code", &format!("{code}{ENTER}"))?;
    verdict(s, "already_used")?;
    shot(s, T, "5-refused");
    Ok(())
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn create_a_cash_template_link_a_batch_and_redeem_a_code_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.sqlite3");
    let codes = seed_batch(&db, 10);
    let driver = Driver::start().expect("tauri-driver");
    let s = open_as_owner(&driver, &db);
    if let Err(e) = template_and_redeem_flow(&s, &codes[3]) {
        shot(&s, "redeem", "failed");
        panic!("{e}");
    }
    // The window's redemption is the database's: the code is used, once.
    let desk = coupondesk_core::Desk::open(&db).expect("open");
    let b = desk.get_batch("E2E2").expect("batch");
    assert_eq!((b.total_codes, b.used_codes), (10, 1));
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn switch_to_english_and_see_a_field_error_for_a_taken_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start().expect("tauri-driver");
    let s = open_as_owner(&driver, &dir.path().join("e2e.sqlite3"));
    let result = (|| -> WdResult<()> {
        let (zh, en) = (Table::load(Lang::Zh)?, Table::load(Lang::En)?);
        let label = |t: &Table| t.text("batches.create", &[]);
        // A fresh profile: the app starts in Chinese.
        let (want_zh, want_en) = (label(&zh)?, label(&en)?);
        s.wait_until(&format!("the label {want_zh:?}"), WAIT, |s| {
            Ok((text_of(s, "batch-create-open")? == want_zh).then_some(()))
        })?;
        s.select(&s.testid("lang-switch")?, "en")?;
        s.wait_until(&format!("the label {want_en:?}"), WAIT, |s| {
            Ok((text_of(s, "batch-create-open")? == want_en).then_some(()))
        })?;
        create_batch(&s, "LANG1", "Spring sale")?;
        s.wait_for(
            "[data-testid=\"batch-row\"][data-ticket-type=\"LANG1\"]",
            WAIT,
        )?;
        create_batch(&s, "LANG2", "Spring sale")?;
        let err = s.wait_until("a field error", WAIT, |s| {
            let errs = s.find_all("[data-testid=\"field-error\"]")?;
            match errs.first() {
                Some(e) => Ok(Some(s.text(e)?)),
                None => Ok(None),
            }
        })?;
        shot(&s, "language", "field-error");
        let want = en.text("error.batch_name_taken", &[])?;
        if err != want {
            return Err(format!("field error {err:?}, expected {want:?}"));
        }
        Ok(())
    })();
    if let Err(e) = result {
        shot(&s, "language", "failed");
        panic!("{e}");
    }
}

/// The README's screenshot: the batches page with a few batches, in Chinese.
#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn readme_screenshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shot.sqlite3");
    {
        let desk = coupondesk_core::Desk::open(&db).expect("db");
        for (t, name) in [
            ("AVD1KYBW8001", "919送乐2"),
            ("AVD1KYBW8002", "乐次元撩妹送礼包"),
            ("SPRING2026", "春节满100减20"),
        ] {
            desk.create_batch(t, name).expect("batch");
        }
        let req = coupondesk_core::generate::GenerateRequest {
            ticket_type: "SPRING2026".into(),
            count: 2000,
            length: None,
            prefix: Some("CNY".into()),
        };
        desk.generate_codes(&req, &Default::default(), &mut |_| {})
            .expect("generate");
    }
    let driver = Driver::start().expect("tauri-driver");
    let s = open_as_owner(&driver, &db);
    // A fresh profile, so the default language: Chinese.
    s.wait_until("three batches", WAIT, |s| {
        Ok((s.find_all("[data-testid=\"batch-row\"]")?.len() == 3).then_some(()))
    })
    .expect("batches");
    // The README shows the window as on the shop PCs the app is made for: 1366×768.
    s.set_window_rect(0, 0, 1366, 768).expect("window size");
    std::thread::sleep(Duration::from_millis(300));
    s.screenshot(&artifacts().join("readme-batches.png"))
        .expect("screenshot");
}

/// The README's second screenshot: the first start of a new database, which asks for
/// the owner's account (in Chinese, the default language), with the form filled in.
#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn readme_owner_setup_screenshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start().expect("tauri-driver");
    let s = driver
        .open_app(&dir.path().join("first-start.sqlite3"))
        .expect("app");
    let filled = (|| -> WdResult<()> {
        set(&s, "owner-name", staff::OWNER.0)?;
        set(&s, "owner-pin", staff::OWNER.1)?;
        set(&s, "owner-pin-again", staff::OWNER.1)
    })();
    filled.expect("the owner setup form");
    s.set_window_rect(0, 0, 1366, 768).expect("window size");
    std::thread::sleep(Duration::from_millis(300));
    s.screenshot(&artifacts().join("readme-owner-setup.png"))
        .expect("screenshot");
}
