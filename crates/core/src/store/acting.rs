//! Who is acting in the use case running on this thread: the staff member `Desk` let in
//! (after checking the PIN's session and the permission), and the terminal. Every audit
//! entry, outbox row and redemption the store writes during the use case names them.
//!
//! Why a scoped thread-local and not one more argument on every store function: the store
//! writes audit entries from some twenty functions, several levels down (an import's run
//! record, a sync pull's status move); `Desk` sets this once per use case, on the thread
//! that runs it (jobs run their whole use case on one thread). What must stay true: a
//! mutating `Desk` use case enters `acting` before it touches the store (the permission
//! matrix test checks that each entry it makes names the logged-in staff member), and the
//! guard restores what was there before, so nothing leaks to the next use case.

use std::cell::RefCell;

/// Who and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// The staff member's name; the OS user on a database without staff accounts.
    pub name: String,
    /// The staff account; none on a database without staff accounts.
    pub staff_id: Option<i64>,
    /// This terminal, when it overrides the settings' (the CLI's `--terminal`).
    pub terminal: Option<String>,
}

thread_local! {
    static ACTING: RefCell<Option<Acting>> = const { RefCell::new(None) };
}

/// Restores the previous acting person when dropped.
#[must_use = "the acting person is reset when the guard drops"]
pub struct ActingGuard(Option<Acting>);

impl Drop for ActingGuard {
    fn drop(&mut self) {
        let prev = self.0.take();
        ACTING.with(|a| *a.borrow_mut() = prev);
    }
}

pub fn enter(who: Acting) -> ActingGuard {
    ActingGuard(ACTING.with(|a| a.borrow_mut().replace(who)))
}

/// The acting person, if a use case entered one on this thread.
pub fn current() -> Option<Acting> {
    ACTING.with(|a| a.borrow().clone())
}

/// The name to record: the acting staff member, else the operating-system user (work a
/// person did not start from a use case, e.g. recovery at open).
pub fn name() -> String {
    current().map(|a| a.name).unwrap_or_else(os_user)
}

pub fn staff_id() -> Option<i64> {
    current().and_then(|a| a.staff_id)
}

/// The terminal to record, given the settings' terminal.
pub fn terminal(settings_terminal: &str) -> String {
    current()
        .and_then(|a| a.terminal)
        .unwrap_or_else(|| settings_terminal.to_owned())
}

/// The operating-system user.
pub fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "staff".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_nest_and_restore() {
        assert_eq!(current(), None);
        let ann = Acting {
            name: "Ann".into(),
            staff_id: Some(1),
            terminal: None,
        };
        let g1 = enter(ann.clone());
        {
            let _g2 = enter(Acting {
                name: "Bo".into(),
                staff_id: Some(2),
                terminal: Some("t2".into()),
            });
            assert_eq!(name(), "Bo");
            assert_eq!(terminal("t1"), "t2");
        }
        assert_eq!(current(), Some(ann));
        assert_eq!(terminal("t1"), "t1");
        drop(g1);
        assert_eq!(current(), None);
        assert_eq!(name(), os_user());
    }
}
