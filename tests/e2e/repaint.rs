//! End-to-end: the window repaints after a resize, a maximise and a language switch, seen
//! from the X server (what the person at the screen sees), with compositing off: the
//! app's default since issue 14 (src-tauri/src/memory.rs). Two checks on each picture:
//! - at points spread over the window, the colour on screen is the background colour the
//!   DOM says is there now (the element under the point and its ancestors), so a part left
//!   unpainted or showing the layout of the previous size fails;
//! - going back to an earlier size and language gives the earlier picture again.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use acceptance::xshot::Shot;

use super::{open_as_owner, seed_batch, Driver, Session, WdResult, WAIT};

/// For a grid of points over the viewport: [x, y, [r, g, b]] of the first opaque
/// background at the point (the element there, then its ancestors; the page's white at
/// the end). Points over text, an image, an input, a border or a shadow are left out:
/// their pixels are not the background's.
const EXPECTED_COLOURS: &str = "const [cols, rows] = arguments; \
  const out = []; \
  const plain = (el, x, y) => { \
    if (['INPUT','SELECT','TEXTAREA','IMG','SVG','BUTTON','svg','path'].includes(el.tagName)) return false; \
    for (const n of el.childNodes) { \
      if (n.nodeType === 3 && n.textContent.trim() !== '') { \
        const r = document.createRange(); r.selectNodeContents(n); \
        for (const b of r.getClientRects()) \
          if (x >= b.left - 3 && x <= b.right + 3 && y >= b.top - 3 && y <= b.bottom + 3) return false; \
      } \
    } \
    const b = el.getBoundingClientRect(); \
    return x - b.left > 4 && b.right - x > 4 && y - b.top > 4 && b.bottom - y > 4; \
  }; \
  for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) { \
    const x = Math.round((i + 0.5) * innerWidth / cols), y = Math.round((j + 0.5) * innerHeight / rows); \
    let el = document.elementFromPoint(x, y); \
    if (!el || !plain(el, x, y)) continue; \
    let rgb = [255, 255, 255]; \
    for (let e = el; e; e = e.parentElement) { \
      const m = getComputedStyle(e).backgroundColor.match(/[\\d.]+/g); \
      if (m && (m.length < 4 || Number(m[3]) === 1)) { rgb = m.slice(0, 3).map(Number); break; } \
      if (m && Number(m[3]) > 0) { rgb = null; break; } \
    } \
    if (rgb) out.push([x, y, rgb]); \
  } \
  return {points: out, width: innerWidth, height: innerHeight};";

/// The window's picture once it has settled, checked against the DOM's colours.
fn painted(s: &Session, step: &str) -> WdResult<Shot> {
    std::thread::sleep(Duration::from_millis(500));
    let shot = s.window_shot()?;
    let _ = shot.save_png(&super::artifacts().join(format!("repaint-{step}.png")));
    let want = s.execute(EXPECTED_COLOURS, json!([24, 16]))?;
    let (w, h) = (want["width"].as_u64(), want["height"].as_u64());
    if (w, h) != (Some(shot.width.into()), Some(shot.height.into())) {
        return Err(format!(
            "{step}: the page is {w:?}×{h:?} but the window on screen {}×{}",
            shot.width, shot.height
        ));
    }
    let points = want["points"].as_array().cloned().unwrap_or_default();
    let wrong: Vec<String> = points.iter().filter_map(|p| off_colour(&shot, p)).collect();
    // Anti-aliased edges of rounded corners and the like may differ at a few points; a
    // part left unpainted differs at whole rows and columns of them.
    if points.len() < 100 || wrong.len() * 50 > points.len() {
        return Err(format!(
            "{step}: {} of {} points are not the colour the page has there: {:?}",
            wrong.len(),
            points.len(),
            &wrong[..wrong.len().min(10)]
        ));
    }
    eprintln!(
        "{step}: {}×{}, {} of {} points off",
        shot.width,
        shot.height,
        wrong.len(),
        points.len()
    );
    Ok(shot)
}

/// A description of the point [x, y, [r, g, b]] if the picture has another colour there.
fn off_colour(shot: &Shot, p: &Value) -> Option<String> {
    let n = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
    let (x, y) = (n(&p[0]) as u32, n(&p[1]) as u32);
    let want: Vec<u64> = (0..3).map(|i| n(&p[2][i])).collect();
    let got = shot.pixel(x, y)?;
    let close = got
        .iter()
        .zip(&want)
        .all(|(g, w)| (u64::from(*g)).abs_diff(*w) <= 6);
    (!close).then(|| format!("({x},{y}) {got:?} not {want:?}"))
}

fn same(step: &str, now: &Shot, before: &Shot) -> WdResult<()> {
    let d = now.difference(before, 6);
    if d > 0.002 {
        return Err(format!(
            "{step}: {:.2}% of the pixels differ from the same size and language before",
            d * 100.0
        ));
    }
    Ok(())
}

fn set_lang(s: &Session, lang: &str) -> WdResult<()> {
    s.select(&s.testid("lang-switch")?, lang)?;
    s.wait_until(&format!("the page in {lang}"), WAIT, |s| {
        let v = s.execute("return document.documentElement.lang;", json!([]))?;
        Ok((v.as_str() == Some(lang)).then_some(()))
    })
}

/// Openbox on the test's display, for as long as this lives: under a bare Xvfb nobody
/// maximises a window. Without decorations or border (its config below), so a window's
/// rectangle on screen is its page's, maximised or not.
struct WindowManager {
    child: Child,
    _config: tempfile::TempDir,
}

const OPENBOX_RC: &str = r#"<?xml version="1.0"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <theme><keepBorder>no</keepBorder></theme>
  <applications><application class="*"><decor>no</decor></application></applications>
</openbox_config>
"#;

impl WindowManager {
    fn start() -> WdResult<WindowManager> {
        let config = tempfile::tempdir().map_err(|e| format!("no temp dir: {e}"))?;
        let rc = config.path().join("rc.xml");
        std::fs::write(&rc, OPENBOX_RC).map_err(|e| e.to_string())?;
        let child = Command::new("openbox")
            .arg("--config-file")
            .arg(&rc)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start openbox ({e}): run scripts/setup.sh"))?;
        // It takes over the screen's windows when it has started; nothing to poll for.
        std::thread::sleep(Duration::from_secs(1));
        Ok(WindowManager {
            child,
            _config: config,
        })
    }
}

impl Drop for WindowManager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Maximised by the window manager: the whole screen, painted.
fn maximised(s: &Session) -> WdResult<Shot> {
    s.maximize()?;
    let rect = s.wait_until("the window maximised", WAIT, |s| {
        let r = s.window_rect()?;
        Ok((r.2 >= 1366 && r.3 >= 768).then_some(r))
    })?;
    if (rect.0, rect.1) != (0, 0) {
        return Err(format!("maximised, the window is at {rect:?}"));
    }
    painted(s, "maximised")
}

#[test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run scripts/e2e.sh"]
fn the_window_repaints_after_resize_maximise_and_language_switch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("repaint.sqlite3");
    seed_batch(&db, 30);
    let driver = Driver::start().expect("tauri-driver");
    // Declared before the session, so it stops after the window has closed: an app whose
    // window manager was stopped under it stays running when its session ends.
    let mut wm = None;
    let s = open_as_owner(&driver, &db);
    let result = (|| -> WdResult<()> {
        s.wait_for("[data-testid=\"batch-row\"]", WAIT)?;
        s.set_window_rect(0, 0, 1000, 640)?;
        let small = painted(&s, "1000x640")?;
        s.set_window_rect(0, 0, 1366, 728)?;
        let large = painted(&s, "1366x728")?;
        if (large.width, large.height) != (1366, 728) {
            return Err(format!(
                "resized to 1366×728, the window shows {}×{}",
                large.width, large.height
            ));
        }
        s.set_window_rect(0, 0, 1000, 640)?;
        same("back to 1000x640", &painted(&s, "1000x640-again")?, &small)?;
        wm = Some(WindowManager::start()?);
        maximised(&s)?;
        s.set_window_rect(0, 0, 1000, 640)?;
        same(
            "after the maximise",
            &painted(&s, "1000x640-unmax")?,
            &small,
        )?;
        set_lang(&s, "en")?;
        let english = painted(&s, "english")?;
        if english.difference(&small, 6) < 0.001 {
            return Err("switched to English, the window still shows the Chinese page".into());
        }
        set_lang(&s, "zh-CN")?;
        same("back in Chinese", &painted(&s, "chinese-again")?, &small)
    })();
    if let Err(e) = result {
        let _ = s.screenshot(&super::artifacts().join("repaint-failed.png"));
        panic!("{e}");
    }
}
