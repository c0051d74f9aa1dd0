//! Getting past the staff screens of the real window: the first start's owner setup on a
//! database without accounts, and the PIN pad's login (the name from the <select>, each
//! digit clicked on the pad, then OK), as staff do it.

use std::time::Duration;

use crate::webdriver::{Session, WdResult};

const WAIT: Duration = Duration::from_secs(20);

/// The owner the end-to-end tests set up on a fresh database.
pub const OWNER: (&str, &str) = ("王老板", "246810");

/// Fills the first start's owner form and waits until the shell is there (the staff
/// badge names the owner).
pub fn setup_owner(s: &Session, name: &str, pin: &str) -> WdResult<()> {
    s.testid("owner-setup")?;
    for (id, text) in [
        ("owner-name", name),
        ("owner-pin", pin),
        ("owner-pin-again", pin),
    ] {
        let e = s.testid(id)?;
        s.clear(&e)?;
        s.type_text(&e, text)?;
    }
    s.click(&s.testid("owner-submit")?)?;
    wait_logged_in(s, name)
}

/// `setup_owner` with the tests' owner (`OWNER`).
pub fn setup_test_owner(s: &Session) -> WdResult<()> {
    setup_owner(s, OWNER.0, OWNER.1)
}

/// Enters a name and PIN on the login screen, without waiting for the outcome.
pub fn enter_pin(s: &Session, name: &str, pin: &str) -> WdResult<()> {
    s.testid("login-screen")?;
    let select = s.testid("login-name")?;
    // The list of staff loads after the screen appears: wait for the name's option.
    s.wait_until(&format!("{name} on the login screen"), WAIT, |s| {
        let options = s.find_all_in(&select, "option")?;
        for o in options {
            if s.attribute(&o, "value")?.as_deref() == Some(name) {
                return Ok(Some(()));
            }
        }
        Ok(None)
    })?;
    s.select(&select, name)?;
    for d in pin.chars() {
        s.click(&s.testid(&format!("pin-key-{d}"))?)?;
    }
    // The display shows one dot per digit typed, never the digits.
    let dots = s.find_all("[data-testid=\"pin-display\"] .dot.on")?.len();
    if dots != pin.chars().count() {
        return Err(format!("{dots} dots for a PIN of {} digits", pin.len()));
    }
    s.click(&s.testid("pin-key-ok")?)
}

/// Logs `name` in on the login screen and waits for the shell.
pub fn log_in(s: &Session, name: &str, pin: &str) -> WdResult<()> {
    enter_pin(s, name, pin)?;
    wait_logged_in(s, name)
}

/// Waits until the login screen and the owner setup are gone and the staff badge names
/// `name`; a login error on the way is the failure.
pub fn wait_logged_in(s: &Session, name: &str) -> WdResult<()> {
    s.wait_until(&format!("{name} logged in"), WAIT, |s| {
        if let Some(e) = s.find_all("[data-testid=\"login-error\"]")?.first() {
            return Err(format!("login refused: {}", s.text(e)?));
        }
        let covered = !s.find_all("[data-testid=\"login-screen\"]")?.is_empty()
            || !s.find_all("[data-testid=\"owner-setup\"]")?.is_empty();
        let badge = s.find_all("[data-testid=\"staff-badge\"]")?;
        match badge.first() {
            Some(b) if !covered && s.text(b)?.contains(name) => Ok(Some(())),
            _ => Ok(None),
        }
    })
}

/// Waits for the login screen (after "switch staff", or the auto-lock).
pub fn wait_locked(s: &Session, timeout: Duration) -> WdResult<()> {
    s.wait_for("[data-testid=\"login-screen\"]", timeout)
        .map(|_| ())
}
