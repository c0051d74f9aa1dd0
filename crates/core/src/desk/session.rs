//! Who is logged in at this desk, and the one gate every mutating use case passes:
//! `Desk::act(permission)` checks the session (logged in, not idle past the auto-lock, the
//! account still active) and the role, then names the staff member for everything the
//! use case writes (`store::acting`).
//!
//! A `Desk` is one terminal: the window's process, one `coupondesk serve`, or one CLI
//! command (which logs in with `--staff` and the PIN). On a database without any staff
//! account (before the first start's owner setup, or an old database before its owner is
//! set up) nothing is refused and the OS user is recorded: the window shows the owner
//! setup and nothing else, and the CLI keeps working for scripts until the shop creates
//! its first account (docs/staff-and-audit.md).

use std::sync::MutexGuard;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{Desk, DeskResult};
use crate::domain::customer::MaskPhones;
use crate::domain::staff::{permissions_of, Permission, Role, Session, StaffDraft, StaffMember};
use crate::store::acting::{self, Acting, ActingGuard};
use crate::store::settings;
use crate::store::staff::{self as staff_store, StaffError};

#[derive(Default)]
pub struct SessionState {
    staff: Option<LoggedIn>,
    /// This terminal's name when it overrides the settings' (the CLI's `--terminal`).
    terminal: Option<String>,
}

struct LoggedIn {
    member: StaffMember,
    last_activity: Instant,
}

/// The acting staff member for the rest of a use case (see `store::acting`).
pub struct Acts {
    _guard: ActingGuard,
    /// None on a database without staff accounts (everything allowed).
    pub role: Option<Role>,
    pub staff_id: Option<i64>,
}

impl Acts {
    pub fn may(&self, p: Permission) -> bool {
        self.role.is_none_or(|r| r.may(p))
    }

    /// Whose redemptions this staff member may undo: only their own (a cashier), or
    /// anyone's (None: `UndoAny`, or a database without staff accounts).
    pub fn undo_limited_to(&self) -> Option<i64> {
        if self.may(Permission::UndoAny) {
            None
        } else {
            self.staff_id
        }
    }
}

impl Desk {
    fn session_state(&self) -> MutexGuard<'_, SessionState> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The terminal name recorded with this desk's actions instead of the settings' one.
    pub fn set_terminal(&self, terminal: Option<String>) {
        self.session_state().terminal = terminal
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }

    /// The gate of every mutating use case: see the module doc.
    pub(super) fn act(&self, p: Permission) -> DeskResult<Acts> {
        let conn = self.conn();
        let mut s = self.session_state();
        let terminal = s.terminal.clone();
        if !staff_store::any(&conn)? {
            return Ok(Acts {
                _guard: acting::enter(Acting {
                    name: acting::os_user(),
                    staff_id: None,
                    terminal,
                }),
                role: None,
                staff_id: None,
            });
        }
        let auto_lock = settings::get(&conn)?.auto_lock_minutes;
        let Some(li) = s.staff.as_mut() else {
            return Err(StaffError::Unauthenticated.into());
        };
        if li.last_activity.elapsed() > idle_limit(auto_lock) {
            s.staff = None;
            return Err(StaffError::IdleLocked(auto_lock).into());
        }
        // Disabled (or demoted) since the login: the account as it is now decides.
        let Some(member) = staff_store::active_by_id(&conn, li.member.id)? else {
            s.staff = None;
            return Err(StaffError::Unauthenticated.into());
        };
        if !member.role.may(p) {
            return Err(StaffError::Forbidden {
                role: member.role.as_str(),
                needs: Role::least_for(p).as_str(),
                what: p.what(),
            }
            .into());
        }
        li.last_activity = Instant::now();
        li.member = member.clone();
        Ok(Acts {
            _guard: acting::enter(Acting {
                name: member.name,
                staff_id: Some(member.id),
                terminal,
            }),
            role: Some(member.role),
            staff_id: Some(member.id),
        })
    }

    /// True when the one looking (the session, or anyone on a database without staff
    /// accounts) may see `p`'s data, e.g. full phone numbers. Reads need no login.
    fn viewer_may(&self, p: Permission) -> DeskResult<bool> {
        let conn = self.conn();
        if !staff_store::any(&conn)? {
            return Ok(true);
        }
        let auto_lock = settings::get(&conn)?.auto_lock_minutes;
        let s = self.session_state();
        Ok(s.staff.as_ref().is_some_and(|li| {
            li.last_activity.elapsed() <= idle_limit(auto_lock) && li.member.role.may(p)
        }))
    }

    /// Refuses a read of `p`'s data to a logged-in staff member whose role lacks it.
    /// With nobody logged in it is allowed, as every read is: the window shows its lock
    /// screen then, and the CLI reads as the OS user who holds the database file anyway.
    pub(super) fn read_as_viewer(&self, p: Permission) -> DeskResult<()> {
        let conn = self.conn();
        if !staff_store::any(&conn)? {
            return Ok(());
        }
        let auto_lock = settings::get(&conn)?.auto_lock_minutes;
        let s = self.session_state();
        match s.staff.as_ref() {
            Some(li)
                if li.last_activity.elapsed() <= idle_limit(auto_lock)
                    && !li.member.role.may(p) =>
            {
                Err(StaffError::Forbidden {
                    role: li.member.role.as_str(),
                    needs: Role::least_for(p).as_str(),
                    what: p.what(),
                }
                .into())
            }
            _ => Ok(()),
        }
    }

    /// `answer` as the one looking may see it: customers' phone numbers masked unless they
    /// may see them (`Permission::SeePhones`).
    pub(super) fn for_viewer<T: MaskPhones>(&self, mut answer: T) -> DeskResult<T> {
        if !self.viewer_may(Permission::SeePhones)? {
            answer.mask_phones();
        }
        Ok(answer)
    }

    /// Who is logged in (none once the auto-lock's idle time has passed), and whether the
    /// first start's owner setup is still to do.
    pub fn session(&self) -> DeskResult<Session> {
        let conn = self.conn();
        let needs_owner = !staff_store::any(&conn)?;
        let auto_lock_minutes = settings::get(&conn)?.auto_lock_minutes;
        let mut s = self.session_state();
        if s.staff
            .as_ref()
            .is_some_and(|li| li.last_activity.elapsed() > idle_limit(auto_lock_minutes))
        {
            s.staff = None;
        }
        let staff = s.staff.as_ref().map(|li| li.member.clone());
        let may = match (&staff, needs_owner) {
            (_, true) => permissions_of(None),
            (Some(m), false) => permissions_of(Some(m.role)),
            (None, false) => Vec::new(),
        };
        Ok(Session {
            needs_owner,
            staff,
            auto_lock_minutes,
            may,
        })
    }

    /// The staff member is still at the desk (the window saw keys or the mouse): the
    /// idle time starts again. A session already past its idle time stays locked.
    pub fn keep_alive(&self) -> DeskResult<Session> {
        let s = self.session()?;
        if let Some(li) = self.session_state().staff.as_mut() {
            li.last_activity = Instant::now();
        }
        Ok(s)
    }

    /// Checks the name and PIN (with the lockout, `store::staff::login`) and logs the
    /// staff member in at this desk, replacing whoever was ("switch staff"); a wrong PIN
    /// leaves nobody logged in.
    pub fn login(&self, name: &str, pin: &str) -> DeskResult<Session> {
        // Whoever was logged in has left the desk, whether or not this PIN is right.
        self.session_state().staff = None;
        let member = {
            let _terminal = self.terminal_only();
            staff_store::login(&mut self.conn(), name, pin, Utc::now())?
        };
        self.start_session(member);
        self.session()
    }

    /// Locks the desk: nobody is logged in until the next PIN.
    pub fn lock(&self) -> DeskResult<Session> {
        let was = self.session_state().staff.take();
        if let Some(li) = was {
            let _who = acting::enter(Acting {
                name: li.member.name.clone(),
                staff_id: Some(li.member.id),
                terminal: self.session_state().terminal.clone(),
            });
            crate::store::audit::record_alone(
                &mut self.conn(),
                "staff.logout",
                &li.member.name,
                &serde_json::json!({}),
            )?;
        }
        self.session()
    }

    /// The first start: creates the owner (only while no account exists) and logs them in.
    pub fn setup_owner(&self, draft: &StaffDraft) -> DeskResult<Session> {
        let member = {
            let _terminal = self.terminal_only();
            staff_store::add(&mut self.conn(), draft, true, Utc::now())?
        };
        self.start_session(member);
        self.session()
    }

    fn start_session(&self, member: StaffMember) {
        self.session_state().staff = Some(LoggedIn {
            member,
            last_activity: Instant::now(),
        });
    }

    /// Records this desk's terminal for entries written before anyone is logged in (a
    /// login, a failed PIN).
    fn terminal_only(&self) -> Option<ActingGuard> {
        let terminal = self.session_state().terminal.clone()?;
        Some(acting::enter(Acting {
            name: acting::os_user(),
            staff_id: None,
            terminal: Some(terminal),
        }))
    }
}

fn idle_limit(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::staff::Role;

    fn desk_with_owner() -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().expect("tempdir");
        let desk = Desk::open(&dir.path().join("d.sqlite3")).expect("open");
        let s = desk
            .setup_owner(&StaffDraft {
                name: "Ann".into(),
                role: Role::Owner,
                pin: "4821".into(),
            })
            .expect("owner");
        assert_eq!(s.staff.map(|m| m.name), Some("Ann".to_owned()));
        (dir, desk)
    }

    /// Moves the session's last activity `secs` into the past.
    fn idle_for(desk: &Desk, secs: u64) {
        if let Some(li) = desk.session_state().staff.as_mut() {
            li.last_activity = Instant::now() - Duration::from_secs(secs);
        }
    }

    #[test]
    fn the_session_locks_after_the_idle_minutes_and_keep_alive_holds_it() {
        let (_d, desk) = desk_with_owner();
        let mut s = desk.settings().expect("settings");
        s.auto_lock_minutes = 1;
        desk.save_settings(s).expect("save");
        idle_for(&desk, 50);
        desk.keep_alive().expect("alive");
        idle_for(&desk, 59);
        assert!(
            desk.act(Permission::Settings).is_ok(),
            "59 s idle is not 1 min"
        );
        idle_for(&desk, 61);
        let e = desk.act(Permission::Settings).err().expect("locked");
        assert_eq!(crate::ErrorCode::code(&e), "unauthenticated");
        assert!(e.to_string().contains("1 idle minutes"), "{e}");
        // Locked for good: the next call does not get the session back.
        assert!(desk.session().expect("session").staff.is_none());
        assert_eq!(desk.session().expect("session").may, Vec::new());
    }

    #[test]
    fn a_wrong_pin_logs_the_previous_staff_member_out() {
        let (_d, desk) = desk_with_owner();
        assert!(desk.login("Ann", "0000").is_err());
        assert!(desk.session().expect("session").staff.is_none());
        let e = desk.act(Permission::Redeem).err().expect("nobody");
        assert_eq!(crate::ErrorCode::code(&e), "unauthenticated");
    }
}
