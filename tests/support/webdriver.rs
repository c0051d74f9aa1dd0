//! A minimal blocking W3C WebDriver client over HTTP (ureq): enough to click through the
//! real window that tauri-driver + WebKitWebDriver drive. Every call has a timeout, and
//! waits poll with a deadline, so a test can fail but never hang.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::xshot::Shot;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub type WdResult<T> = Result<T, String>;

pub struct Session {
    agent: ureq::Agent,
    base: String,
    id: String,
}

#[derive(Clone, Debug)]
pub struct Element(String);

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into()
}

fn answer(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> WdResult<Value> {
    let mut resp = resp.map_err(|e| format!("webdriver request failed: {e}"))?;
    let status = resp.status();
    let body: Value = resp
        .body_mut()
        .read_json()
        .map_err(|e| format!("webdriver answer is not JSON ({status}): {e}"))?;
    let value = body.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        Err(format!("webdriver {status}: {value}"))
    }
}

/// The elements of a "find elements" answer.
fn elements(v: &Value) -> Vec<Element> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

impl Session {
    /// Starts the app through tauri-driver listening on `port`.
    pub fn start(port: u16, application: &Path, args: &[String]) -> WdResult<Session> {
        let agent = agent();
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application, "args": args }
                }
            }
        });
        let v = answer(agent.post(format!("{base}/session")).send_json(&caps))?;
        let id = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?
            .to_owned();
        Ok(Session { agent, base, id })
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/session/{}{}", self.base, self.id, tail)
    }

    fn post(&self, tail: &str, body: Value) -> WdResult<Value> {
        answer(self.agent.post(self.url(tail)).send_json(&body))
    }

    fn get(&self, tail: &str) -> WdResult<Value> {
        answer(self.agent.get(self.url(tail)).call())
    }

    pub fn find_all(&self, css: &str) -> WdResult<Vec<Element>> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css}))?;
        Ok(elements(&v))
    }

    /// The first element matching `css`, waiting up to `timeout` for it to appear.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> WdResult<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.find_all(css)?.into_iter().next() {
                return Ok(e);
            }
            if Instant::now() > deadline {
                return Err(format!("no element {css} after {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls `check` until it returns Some, or fails with the last state after `timeout`.
    /// An element that the page replaced between finding and reading it (a "stale element
    /// reference") is a page still changing: polled again, not a failure.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Session) -> WdResult<Option<T>>,
    ) -> WdResult<T> {
        let deadline = Instant::now() + timeout;
        loop {
            match check(self) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) if e.contains("stale element reference") => {}
                Err(e) => return Err(e),
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The first element matching `css` inside `parent`.
    pub fn find_in(&self, parent: &Element, css: &str) -> WdResult<Element> {
        let v = self.post(
            &format!("/element/{}/element", parent.0),
            json!({"using": "css selector", "value": css}),
        )?;
        v[ELEMENT_KEY]
            .as_str()
            .map(|s| Element(s.to_owned()))
            .ok_or_else(|| format!("no {css} inside the element"))
    }

    /// Every element matching `css` inside `parent`, in document order.
    pub fn find_all_in(&self, parent: &Element, css: &str) -> WdResult<Vec<Element>> {
        let v = self.post(
            &format!("/element/{}/elements", parent.0),
            json!({"using": "css selector", "value": css}),
        )?;
        Ok(elements(&v))
    }

    pub fn testid(&self, id: &str) -> WdResult<Element> {
        self.wait_for(&format!("[data-testid=\"{id}\"]"), Duration::from_secs(15))
    }

    pub fn click(&self, e: &Element) -> WdResult<()> {
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .map(|_| ())
    }

    pub fn clear(&self, e: &Element) -> WdResult<()> {
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .map(|_| ())
    }

    pub fn type_text(&self, e: &Element, text: &str) -> WdResult<()> {
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text }))
            .map(|_| ())
    }

    /// Types `text` on the keyboard into whatever has the focus (WebDriver actions), as a
    /// person would. Unlike `type_text` it neither focuses an element nor moves its caret
    /// to the end first, so what the page selected on focus is what the keys replace.
    pub fn keys(&self, text: &str) -> WdResult<()> {
        let mut actions = Vec::new();
        for c in text.chars() {
            actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
        }
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .map(|_| ())
    }

    pub fn text(&self, e: &Element) -> WdResult<String> {
        let v = self.get(&format!("/element/{}/text", e.0))?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    pub fn attribute(&self, e: &Element, name: &str) -> WdResult<Option<String>> {
        let v = self.get(&format!("/element/{}/attribute/{name}", e.0))?;
        Ok(v.as_str().map(str::to_owned))
    }

    pub fn execute(&self, script: &str, args: Value) -> WdResult<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Sets a <select>'s value the way a person choosing an option would.
    pub fn select(&self, e: &Element, value: &str) -> WdResult<()> {
        self.execute(
            "const [el, v] = arguments; el.value = v; \
             el.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([{ ELEMENT_KEY: e.0 }, value]),
        )
        .map(|_| ())
    }

    /// Runs `script` asynchronously: it ends by calling its last argument.
    pub fn execute_async(&self, script: &str, args: Value) -> WdResult<Value> {
        self.post("/execute/async", json!({ "script": script, "args": args }))
    }

    /// The window's outer size and position: (x, y, width, height).
    pub fn window_rect(&self) -> WdResult<(i64, i64, i64, i64)> {
        let v = self.get("/window/rect")?;
        let n = |k: &str| {
            v[k].as_f64()
                .map(|f| f.round() as i64)
                .ok_or_else(|| format!("window rect without {k}: {v}"))
        };
        Ok((n("x")?, n("y")?, n("width")?, n("height")?))
    }

    /// Resizes the window, as a person dragging its corner would.
    pub fn set_window_size(&self, width: u32, height: u32) -> WdResult<()> {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .map(|_| ())
    }

    /// Moves and resizes the window: at (0, 0) on the screen, all of it is in the X
    /// server's pictures (`window_shot`), which hold only what is on screen.
    pub fn set_window_rect(&self, x: i32, y: i32, width: u32, height: u32) -> WdResult<()> {
        self.post(
            "/window/rect",
            json!({ "x": x, "y": y, "width": width, "height": height }),
        )
        .map(|_| ())
    }

    /// Maximises the window (the title bar's button; under Xvfb without a window manager
    /// GTK may leave the size as it is: read `window_rect` after).
    pub fn maximize(&self) -> WdResult<()> {
        self.post("/window/maximize", json!({})).map(|_| ())
    }

    /// Saves a PNG of the window as the X server shows it (`window_shot`).
    pub fn screenshot(&self, path: &Path) -> WdResult<()> {
        self.window_shot()?.save_png(path)
    }

    /// The window's pixels as the X server shows them, once two frames have passed so
    /// the picture shows what the DOM holds now. Taken from the screen, not through
    /// WebDriver's screenshot (see `xshot`): that one times out after a resize when
    /// compositing is off, and could not show a window left unpainted.
    pub fn window_shot(&self) -> WdResult<Shot> {
        self.execute_async(
            "const done = arguments[arguments.length - 1]; \
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
            json!([]),
        )?;
        let (x, y, width, height) = self.window_rect()?;
        Shot::grab(x, y, width, height)
    }

    pub fn close(&self) {
        let _ = self.agent.delete(self.url("")).call();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}
