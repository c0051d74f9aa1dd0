//! End-to-end tests of the real window: tauri-driver + WebKitWebDriver under Xvfb, clicking
//! through the app as staff would. Run by `scripts/e2e.sh` (part of `make test`); ignored
//! by a plain `cargo test` because they need the built app and a display.
//! Screenshots of each step are kept in target/e2e-artifacts/.

use std::path::Path;
use std::time::Duration;

use acceptance::app::{artifacts, Driver};
use acceptance::webdriver::{Session, WdResult};

const WAIT: Duration = Duration::from_secs(20);

fn shot(s: &Session, test: &str, step: &str) {
    let _ = s.screenshot(&artifacts().join(format!("{test}-{step}.png")));
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

fn import_flow(s: &Session, csv: &Path) -> WdResult<()> {
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
    set(s, "import-path", &csv.display().to_string())?;
    s.click(&s.testid("import-preview-load")?)?;
    s.testid("import-preview-table")?;
    let encoding = text_of(s, "import-encoding")?;
    if !encoding.to_lowercase().contains("utf") {
        return Err(format!("detected encoding shown as {encoding:?}"));
    }
    shot(s, T, "2-preview");
    s.click(&s.testid("import-start")?)?;
    s.testid("import-result")?;
    wait_number(s, "import-result-imported", 20)?;
    wait_number(s, "import-result-duplicate", 2)?;
    wait_number(s, "import-result-invalid", 2)?;
    let rows = s.find_all("[data-testid=\"import-error-row\"]")?;
    let texts: Vec<String> = rows.iter().map(|r| s.text(r)).collect::<WdResult<_>>()?;
    if rows.len() != 2 || !texts[0].contains("23") || !texts[1].contains("25") {
        return Err(format!("invalid rows shown as {texts:?}"));
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
    let s = driver
        .open_app(&dir.path().join("e2e.sqlite3"))
        .expect("app");
    let result = create_batch(&s, "E2E1", "端到端测试")
        .and_then(|_| import_flow(&s, &write_csv(dir.path())));
    if let Err(e) = result {
        shot(&s, "import", "failed");
        panic!("{e}");
    }
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn switch_to_english_and_see_a_field_error_for_a_taken_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start().expect("tauri-driver");
    let s = driver
        .open_app(&dir.path().join("e2e.sqlite3"))
        .expect("app");
    let result = (|| -> WdResult<()> {
        // A fresh profile: the app starts in Chinese.
        let zh = s.wait_until("a Chinese label", WAIT, |s| {
            let t = text_of(s, "batch-create-open")?;
            Ok((!t.is_ascii()).then_some(t))
        })?;
        s.select(&s.testid("lang-switch")?, "en")?;
        let en = s.wait_until("an English label", WAIT, |s| {
            let t = text_of(s, "batch-create-open")?;
            Ok((t != zh && t.is_ascii()).then_some(t))
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
        if !err.to_lowercase().contains("name") {
            return Err(format!("field error {err:?} (label was {en:?})"));
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
    let s = driver.open_app(&db).expect("app");
    // A fresh profile, so the default language: Chinese.
    s.wait_until("three batches", WAIT, |s| {
        Ok((s.find_all("[data-testid=\"batch-row\"]")?.len() == 3).then_some(()))
    })
    .expect("batches");
    std::thread::sleep(Duration::from_millis(300));
    s.screenshot(&artifacts().join("readme-batches.png"))
        .expect("screenshot");
}
