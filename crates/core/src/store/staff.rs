//! Staff accounts: adding, listing, disabling, new PINs, and the PIN check with its
//! lockout. PINs are hashed with Argon2id (the `argon2` crate's defaults: 19 MiB, 2
//! passes, 1 lane, a random 16-byte salt per hash), stored in PHC form; a PIN is never
//! stored, logged or put in an error.
//!
//! What must stay true: every failed PIN check and every lockout is in the audit trail
//! and committed even though the caller gets an error; the lockout lives in the database
//! (every terminal and the CLI share it, and a restart does not clear it); at least one
//! active owner remains once one exists.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::json;

use super::{from_ms, StoreError};
use crate::api_error::FieldError;
use crate::domain::staff::{
    check_pin, parse_name, Role, StaffDraft, StaffFieldError, StaffMember, LOCKOUT_SECONDS,
    MAX_WRONG_PINS,
};

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("log in with your name and PIN first")]
    Unauthenticated,
    #[error("no active staff member is called \"{0}\"; check the name, or ask the owner")]
    UnknownName(String),
    #[error(
        "wrong PIN for {name}; {left} more wrong PIN(s) lock the account for {LOCKOUT_SECONDS} s"
    )]
    WrongPin { name: String, left: u32 },
    #[error("the desk locked after {0} idle minutes; enter your PIN again")]
    IdleLocked(u32),
    #[error("{name} is locked after {MAX_WRONG_PINS} wrong PINs; try again in {seconds} s")]
    LockedOut { name: String, seconds: i64 },
    #[error("a {role} may not {what}; ask a {needs} to do it")]
    Forbidden {
        role: &'static str,
        needs: &'static str,
        what: &'static str,
    },
    #[error("{0}")]
    Field(#[from] StaffFieldError),
    #[error("a staff member called \"{0}\" already exists; choose another name")]
    NameTaken(String),
    #[error("no staff member is called \"{0}\"; reload the list")]
    NotFound(String),
    #[error("the shop must keep at least one active owner; add another owner first")]
    LastOwner,
    #[error("the owner is already set up; log in instead")]
    OwnerExists,
    #[error("the first account must be the owner (老板)")]
    FirstMustBeOwner,
    #[error("could not hash the PIN ({0}); try again")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for StaffError {
    fn from(e: rusqlite::Error) -> Self {
        StaffError::Store(e.into())
    }
}

crate::error_codes::impl_error_code! {
    StaffError {
        codes {
            StaffError::Unauthenticated
            | StaffError::UnknownName(_)
            | StaffError::WrongPin { .. }
            | StaffError::IdleLocked(_) => "unauthenticated",
            StaffError::LockedOut { .. } => "locked_out",
            StaffError::Forbidden { .. } => "forbidden",
            StaffError::Field(_) => "invalid_staff",
            StaffError::NameTaken(_) => "staff_name_taken",
            StaffError::NotFound(_) => "staff_not_found",
            StaffError::LastOwner => "last_owner",
            StaffError::OwnerExists => "owner_exists",
            StaffError::FirstMustBeOwner => "first_must_be_owner",
            StaffError::Hash(_) => "pin_hash_failed",
        }
        wraps { Store(StoreError) }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                StaffError::Field(e) => vec![FieldError::new(e.field(), "invalid", e.to_string())],
                StaffError::NameTaken(_) => {
                    vec![FieldError::new("name", "taken", "this name is taken")]
                }
                _ => Vec::new(),
            }
        }
    }
}

const SELECT: &str = "SELECT id, name, role, disabled_at, created_at FROM staff";

fn member(r: &Row<'_>) -> rusqlite::Result<StaffMember> {
    let role: String = r.get(2)?;
    Ok(StaffMember {
        id: r.get(0)?,
        name: r.get(1)?,
        // The CHECK constraint admits only the three; a hand-edited row reads as a cashier,
        // the role with the fewest rights.
        role: Role::parse(&role).unwrap_or(Role::Cashier),
        disabled: r.get::<_, Option<i64>>(3)?.is_some(),
        created_at: from_ms(r.get(4)?),
    })
}

/// True once any account exists (disabled ones too): from then on every change needs a
/// logged-in staff member.
pub fn any(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM staff)")?
        .query_row([], |r| r.get(0))?)
}

/// Every account, active ones first, then by name.
pub fn list(conn: &Connection) -> Result<Vec<StaffMember>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT} ORDER BY disabled_at IS NOT NULL, name COLLATE NOCASE"
    ))?;
    let rows = st.query_map([], member)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, name: &str) -> Result<StaffMember, StaffError> {
    conn.prepare_cached(&format!("{SELECT} WHERE name = ?1"))?
        .query_row([name.trim()], member)
        .optional()?
        .ok_or_else(|| StaffError::NotFound(name.trim().to_owned()))
}

/// The Argon2id hash of a PIN that passed `check_pin`. Slow on purpose (tens of ms): call
/// it outside any write transaction.
fn hash_pin(pin: &str) -> Result<String, StaffError> {
    let mut bytes = [0u8; 16];
    StdRng::from_os_rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| StaffError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Only an impossible parameter set fails; say so without the PIN.
        .map_err(|e| StaffError::Hash(e.to_string()))
}

fn pin_matches(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

/// Adds an account. `first_owner`: the first start's owner setup, allowed only while no
/// account exists (checked in the same transaction as the insert).
pub fn add(
    conn: &mut Connection,
    draft: &StaffDraft,
    first_owner: bool,
    now: DateTime<Utc>,
) -> Result<StaffMember, StaffError> {
    let name = parse_name(&draft.name)?;
    check_pin(&draft.pin)?;
    if first_owner && draft.role != Role::Owner {
        return Err(StaffError::FirstMustBeOwner);
    }
    let hash = hash_pin(&draft.pin)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if first_owner && any(&tx)? {
        return Err(StaffError::OwnerExists);
    }
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE name = ?1)",
        [&name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StaffError::NameTaken(name));
    }
    tx.execute(
        "INSERT INTO staff (name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, draft.role.as_str(), hash, now.timestamp_millis()],
    )?;
    let id = tx.last_insert_rowid();
    // The first owner records themself: nobody else is there yet.
    let who = if first_owner {
        name.clone()
    } else {
        super::actor()
    };
    let detail = json!({ "role": draft.role.as_str(), "firstOwner": first_owner });
    super::audit::record_as(&tx, &who, "staff.add", &name, &detail)?;
    let m = tx.query_row(&format!("{SELECT} WHERE id = ?1"), [id], member)?;
    tx.commit()?;
    Ok(m)
}

/// Disables an account (it can no longer log in; what it did keeps its name). Refused for
/// the last active owner.
pub fn disable(conn: &mut Connection, name: &str) -> Result<StaffMember, StaffError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let m = get(&tx, name)?;
    if m.disabled {
        return Ok(m);
    }
    if m.role == Role::Owner {
        let owners: i64 = tx.query_row(
            "SELECT count(*) FROM staff WHERE role = 'owner' AND disabled_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        if owners <= 1 {
            return Err(StaffError::LastOwner);
        }
    }
    tx.execute(
        "UPDATE staff SET disabled_at = ?2 WHERE id = ?1",
        params![m.id, super::now_ms()],
    )?;
    super::audit::record(&tx, "staff.disable", &m.name, &json!({}))?;
    let m = get(&tx, &m.name)?;
    tx.commit()?;
    Ok(m)
}

/// A new PIN; it also ends a lockout (the owner vouches for the person).
pub fn reset_pin(conn: &mut Connection, name: &str, pin: &str) -> Result<StaffMember, StaffError> {
    check_pin(pin)?;
    let hash = hash_pin(pin)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let m = get(&tx, name)?;
    tx.execute(
        "UPDATE staff SET pin_hash = ?2, wrong_pins = 0, locked_until = NULL WHERE id = ?1",
        params![m.id, hash],
    )?;
    super::audit::record(&tx, "staff.reset_pin", &m.name, &json!({}))?;
    tx.commit()?;
    Ok(m)
}

/// Enables a disabled account (an account set aside by a chain's name clash stays
/// disabled until the owner does this, docs/chain-mode.md, "Staff"), audited
/// `staff.enable`. An active account is returned as it is.
pub fn enable(conn: &mut Connection, name: &str) -> Result<StaffMember, StaffError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let m = get(&tx, name)?;
    if !m.disabled {
        return Ok(m);
    }
    tx.execute("UPDATE staff SET disabled_at = NULL WHERE id = ?1", [m.id])?;
    super::audit::record(&tx, "staff.enable", &m.name, &json!({}))?;
    let m = get(&tx, &m.name)?;
    tx.commit()?;
    Ok(m)
}

/// A new role, audited `staff.role` (before and after). Demoting the last active owner
/// is refused (`LastOwner`).
pub fn set_role(conn: &mut Connection, name: &str, role: Role) -> Result<StaffMember, StaffError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let m = get(&tx, name)?;
    if m.role == role {
        return Ok(m);
    }
    if m.role == Role::Owner && !m.disabled {
        let owners: i64 = tx.query_row(
            "SELECT count(*) FROM staff WHERE role = 'owner' AND disabled_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        if owners <= 1 {
            return Err(StaffError::LastOwner);
        }
    }
    tx.execute(
        "UPDATE staff SET role = ?2 WHERE id = ?1",
        params![m.id, role.as_str()],
    )?;
    super::audit::record(
        &tx,
        "staff.role",
        &m.name,
        &json!({ "before": m.role.as_str(), "after": role.as_str() }),
    )?;
    let m = get(&tx, &m.name)?;
    tx.commit()?;
    Ok(m)
}

/// Checks a PIN. Right: the wrong-PIN count starts again. Wrong: counted and audited; the
/// fifth in a row locks the account for `LOCKOUT_SECONDS` (audited too). While locked, no
/// PIN is checked at all (a guess during the lockout learns nothing) and the attempt is
/// audited.
pub fn login(
    conn: &mut Connection,
    name: &str,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<StaffMember, StaffError> {
    let name = name.trim();
    let found: Option<(StaffMember, String, u32, Option<i64>)> = conn
        .prepare_cached(
            "SELECT id, name, role, disabled_at, created_at, pin_hash, wrong_pins, locked_until
               FROM staff WHERE name = ?1",
        )?
        .query_row([name], |r| {
            Ok((member(r)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .optional()?;
    let Some((m, hash, _, _)) = found.filter(|(m, ..)| !m.disabled) else {
        return Err(StaffError::UnknownName(name.to_owned()));
    };
    // The slow hash runs before the write lock is taken; the count is re-read under it.
    let right = pin_matches(pin, &hash);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (wrong, locked_until): (u32, Option<i64>) = tx.query_row(
        "SELECT wrong_pins, locked_until FROM staff WHERE id = ?1",
        [m.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let now_ms = now.timestamp_millis();
    if let Some(until) = locked_until.filter(|u| *u > now_ms) {
        let seconds = (until - now_ms + 999) / 1000;
        super::audit::record_as(
            &tx,
            &m.name,
            "staff.login_locked",
            &m.name,
            &json!({ "secondsLeft": seconds }),
        )?;
        tx.commit()?;
        return Err(StaffError::LockedOut {
            name: m.name,
            seconds,
        });
    }
    if right {
        tx.execute(
            "UPDATE staff SET wrong_pins = 0, locked_until = NULL WHERE id = ?1",
            [m.id],
        )?;
        super::audit::record_as(&tx, &m.name, "staff.login", &m.name, &json!({}))?;
        tx.commit()?;
        return Ok(m);
    }
    let wrong = wrong + 1;
    super::audit::record_as(
        &tx,
        &m.name,
        "staff.login_failed",
        &m.name,
        &json!({ "wrongPins": wrong }),
    )?;
    let err = if wrong >= MAX_WRONG_PINS {
        let until = now_ms + LOCKOUT_SECONDS * 1000;
        tx.execute(
            "UPDATE staff SET wrong_pins = 0, locked_until = ?2 WHERE id = ?1",
            params![m.id, until],
        )?;
        super::audit::record_as(
            &tx,
            &m.name,
            "staff.locked_out",
            &m.name,
            &json!({ "seconds": LOCKOUT_SECONDS }),
        )?;
        StaffError::LockedOut {
            name: m.name,
            seconds: LOCKOUT_SECONDS,
        }
    } else {
        tx.execute(
            "UPDATE staff SET wrong_pins = ?2 WHERE id = ?1",
            params![m.id, wrong],
        )?;
        StaffError::WrongPin {
            name: m.name,
            left: MAX_WRONG_PINS - wrong,
        }
    };
    tx.commit()?;
    Err(err)
}

/// The account as it is now (a session re-checks that it was not disabled meanwhile).
pub fn active_by_id(conn: &Connection, id: i64) -> Result<Option<StaffMember>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1 AND disabled_at IS NULL"))?
        .query_row([id], member)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn draft(name: &str, role: Role, pin: &str) -> StaffDraft {
        StaffDraft {
            name: name.into(),
            role,
            pin: pin.into(),
        }
    }

    fn open() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = crate::store::open(&dir.path().join("d.sqlite3")).expect("open");
        (dir, conn)
    }

    fn actions(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT action FROM audit_log ORDER BY id")
            .expect("prepare");
        let rows = st.query_map([], |r| r.get(0)).expect("query");
        rows.collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn five_wrong_pins_lock_for_a_minute_and_each_is_audited() {
        let (_d, mut conn) = open();
        let t0 = Utc::now();
        add(&mut conn, &draft("Ann", Role::Owner, "4821"), true, t0).expect("owner");
        for left in (1..=4).rev() {
            match login(&mut conn, "ann", "0000", t0) {
                Err(StaffError::WrongPin { left: l, .. }) => assert_eq!(l, left),
                other => panic!("expected a wrong PIN, got {other:?}"),
            }
        }
        assert!(matches!(
            login(&mut conn, "Ann", "0000", t0),
            Err(StaffError::LockedOut { seconds: 60, .. })
        ));
        // Even the right PIN is refused during the lockout...
        assert!(matches!(
            login(&mut conn, "Ann", "4821", t0 + Duration::seconds(59)),
            Err(StaffError::LockedOut { seconds: 1, .. })
        ));
        // ...and accepted after it.
        let m = login(&mut conn, "Ann", "4821", t0 + Duration::seconds(61)).expect("after");
        assert_eq!(m.name, "Ann");
        let a = actions(&conn);
        assert_eq!(a.iter().filter(|x| *x == "staff.login_failed").count(), 5);
        assert_eq!(a.iter().filter(|x| *x == "staff.locked_out").count(), 1);
        assert_eq!(a.iter().filter(|x| *x == "staff.login_locked").count(), 1);
        assert_eq!(a.last().map(String::as_str), Some("staff.login"));
        // No PIN in the database but its hash, in PHC form.
        let hash: String = conn
            .query_row("SELECT pin_hash FROM staff", [], |r| r.get(0))
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("4821"));
    }

    #[test]
    fn the_first_account_is_the_owner_once_and_the_last_owner_stays() {
        let (_d, mut conn) = open();
        let t = Utc::now();
        assert!(matches!(
            add(&mut conn, &draft("Bo", Role::Cashier, "1234"), true, t),
            Err(StaffError::FirstMustBeOwner)
        ));
        add(&mut conn, &draft("Ann", Role::Owner, "1234"), true, t).expect("owner");
        assert!(matches!(
            add(&mut conn, &draft("Cy", Role::Owner, "1234"), true, t),
            Err(StaffError::OwnerExists)
        ));
        assert!(matches!(
            add(&mut conn, &draft("ANN", Role::Cashier, "1234"), false, t),
            Err(StaffError::NameTaken(_))
        ));
        assert!(matches!(
            add(&mut conn, &draft("Bo", Role::Cashier, "12"), false, t),
            Err(StaffError::Field(StaffFieldError::PinShape))
        ));
        assert!(matches!(
            disable(&mut conn, "Ann"),
            Err(StaffError::LastOwner)
        ));
        add(&mut conn, &draft("Bo", Role::Cashier, "5555"), false, t).expect("bo");
        assert!(disable(&mut conn, "bo").expect("disable").disabled);
        assert!(matches!(
            login(&mut conn, "Bo", "5555", t),
            Err(StaffError::UnknownName(_))
        ));
        reset_pin(&mut conn, "Ann", "9999").expect("reset");
        assert!(login(&mut conn, "Ann", "9999", t).is_ok());
        assert!(matches!(
            login(&mut conn, "Ann", "1234", t),
            Err(StaffError::WrongPin { .. })
        ));
    }
}
