//! Staff: who may do what. The roles, the permissions each role has (THE matrix; the docs'
//! table in docs/staff-and-audit.md is this one written out, and `tests/permissions.rs`
//! runs every command against it), a staff member as the UI sees it, and the rules for a
//! name and a PIN. No I/O: hashing and lockout are in `store/staff.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// 店员, 店长, 老板. Ordered: each role has every permission of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Role {
    Cashier,
    Manager,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Cashier, Role::Manager, Role::Owner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The least role that has `p`. The one place the matrix is written.
    pub fn least_for(p: Permission) -> Role {
        use Permission::*;
        match p {
            // The counter: what a cashier does all day.
            Redeem | UndoOwn | SellVoucher | UseVoucher | GrantBonus | AddCustomer | CancelJob
            | SyncRun => Role::Cashier,
            // Running the shop's stock and its platforms.
            UndoAny | DisableCodes | CreateBatches | Import | Generate | Export | Templates
            | CreateBonuses | DisableBonuses | Conflicts | BulkActivation | SeePhones | Backup
            | Reports | HubSettings => Role::Manager,
            // Who works here, the platforms' secrets and the shop's settings.
            StaffAccounts | Credentials | Settings | Restore => Role::Owner,
        }
    }

    pub fn may(self, p: Permission) -> bool {
        self >= Role::least_for(p)
    }
}

/// One thing a use case needs the right to do. Read-only use cases need none (staff see
/// customers' phone numbers masked unless they have `SeePhones`). The window gets the
/// logged-in staff member's list (`Session::may`) and hides what the core would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Permission {
    Redeem,
    /// Undo a redemption this staff member made, within the undo window.
    UndoOwn,
    SellVoucher,
    UseVoucher,
    GrantBonus,
    AddCustomer,
    /// Stop long work (an import, an export) this desk is running.
    CancelJob,
    /// Send what is queued and pull the platforms' changes ("Sync now").
    SyncRun,
    /// Undo anyone's redemption (still within the undo window).
    UndoAny,
    DisableCodes,
    CreateBatches,
    Import,
    Generate,
    /// Write codes, bonuses, vouchers or the audit trail to a file.
    Export,
    Templates,
    CreateBonuses,
    DisableBonuses,
    Conflicts,
    BulkActivation,
    SeePhones,
    /// Copy the whole database to a file (it holds every customer's data).
    Backup,
    StaffAccounts,
    Credentials,
    Settings,
    /// Replace the whole database with a backup.
    Restore,
    /// See the dashboard, the redemption report and the daily close (the shop's takings).
    Reports,
    /// Change this desk's chain-mode settings (the hub claim's deadline).
    HubSettings,
}

impl Permission {
    /// What it allows, for the refusal's message ("a cashier may not {what}").
    pub fn what(self) -> &'static str {
        use Permission::*;
        match self {
            Redeem => "redeem codes",
            UndoOwn => "undo redemptions",
            SellVoucher => "sell vouchers",
            UseVoucher => "use vouchers",
            GrantBonus => "grant bonuses",
            AddCustomer => "add customers",
            CancelJob => "cancel running work",
            SyncRun => "sync with the platforms",
            UndoAny => "undo another staff member's redemption",
            DisableCodes => "disable codes",
            CreateBatches => "create batches",
            Import => "import codes",
            Generate => "generate codes",
            Export => "export to files",
            Templates => "change coupon templates",
            CreateBonuses => "create bonuses",
            DisableBonuses => "disable bonuses",
            Conflicts => "resolve sync conflicts",
            BulkActivation => "activate codes in bulk",
            SeePhones => "see customers' full phone numbers",
            Backup => "back up the database",
            StaffAccounts => "manage staff accounts",
            Credentials => "change the platforms' credentials",
            Settings => "change the settings",
            Restore => "restore a backup",
            Reports => "see the reports and the dashboard",
            HubSettings => "change the hub settings",
        }
    }

    pub const ALL: [Permission; 27] = [
        Permission::Redeem,
        Permission::UndoOwn,
        Permission::SellVoucher,
        Permission::UseVoucher,
        Permission::GrantBonus,
        Permission::AddCustomer,
        Permission::CancelJob,
        Permission::SyncRun,
        Permission::UndoAny,
        Permission::DisableCodes,
        Permission::CreateBatches,
        Permission::Import,
        Permission::Generate,
        Permission::Export,
        Permission::Templates,
        Permission::CreateBonuses,
        Permission::DisableBonuses,
        Permission::Conflicts,
        Permission::BulkActivation,
        Permission::SeePhones,
        Permission::Backup,
        Permission::StaffAccounts,
        Permission::Credentials,
        Permission::Settings,
        Permission::Restore,
        Permission::Reports,
        Permission::HubSettings,
    ];
}

/// A staff account as lists and the session show it: never the PIN's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaffMember {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// Disabled staff cannot log in; their name stays on what they did.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// Who is logged in at this desk, and what the window may offer them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Session {
    /// No staff account exists yet: the first start asks for the owner.
    pub needs_owner: bool,
    /// The logged-in staff member; none when locked or logged out.
    pub staff: Option<StaffMember>,
    /// Idle minutes before the desk locks itself (the settings' `autoLockMinutes`).
    pub auto_lock_minutes: u32,
    /// What the one at the desk may do: the logged-in staff member's role's permissions;
    /// every permission on a database without staff accounts; none when locked.
    pub may: Vec<Permission>,
}

/// The permissions of `role`, or all of them when there is no staff account at all.
pub fn permissions_of(role: Option<Role>) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|p| role.is_none_or(|r| r.may(*p)))
        .collect()
}

/// A new account (the first owner, or one the owner adds).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaffDraft {
    pub name: String,
    pub role: Role,
    pub pin: String,
}

/// What is wrong with a name or a PIN; `field` is the draft's field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffFieldError {
    #[error("the name is required")]
    NameRequired,
    #[error("a name has at most 32 characters")]
    NameTooLong,
    #[error("a PIN is 4 to 8 digits (0-9)")]
    PinShape,
}

impl StaffFieldError {
    pub fn field(&self) -> &'static str {
        match self {
            StaffFieldError::NameRequired | StaffFieldError::NameTooLong => "name",
            StaffFieldError::PinShape => "pin",
        }
    }
}

/// A name is trimmed, 1-32 characters; compared without case (two accounts cannot be
/// "Ann" and "ann": staff pick their name on the login screen).
pub fn parse_name(name: &str) -> Result<String, StaffFieldError> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err(StaffFieldError::NameRequired),
        n if n > 32 => Err(StaffFieldError::NameTooLong),
        _ => Ok(name.to_owned()),
    }
}

/// 4 to 8 ASCII digits, nothing else (no spaces: the PIN pad cannot type them).
pub fn check_pin(pin: &str) -> Result<(), StaffFieldError> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(StaffFieldError::PinShape)
    }
}

/// How many wrong PINs in a row lock an account, and for how long.
pub const MAX_WRONG_PINS: u32 = 5;
pub const LOCKOUT_SECONDS: i64 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_cumulative_and_the_matrix_has_each_role_first_somewhere() {
        for p in Permission::ALL {
            let least = Role::least_for(p);
            for r in Role::ALL {
                assert_eq!(r.may(p), r >= least, "{r:?} {p:?}");
            }
        }
        assert!(Role::Cashier.may(Permission::Redeem));
        assert!(!Role::Cashier.may(Permission::UndoAny));
        assert!(!Role::Cashier.may(Permission::Settings));
        assert!(Role::Manager.may(Permission::Import));
        assert!(!Role::Manager.may(Permission::Credentials));
        assert!(Role::Owner.may(Permission::StaffAccounts));
    }

    #[test]
    fn pins_are_four_to_eight_digits() {
        for ok in ["0000", "12345678", "9081"] {
            assert_eq!(check_pin(ok), Ok(()), "{ok}");
        }
        for bad in ["", "123", "123456789", "12a4", " 1234", "１２３４"] {
            assert_eq!(check_pin(bad), Err(StaffFieldError::PinShape), "{bad:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Ann "), Ok("Ann".to_owned()));
        assert_eq!(parse_name(" "), Err(StaffFieldError::NameRequired));
        assert_eq!(
            parse_name(&"x".repeat(33)),
            Err(StaffFieldError::NameTooLong)
        );
        assert_eq!(parse_name(&"店".repeat(32)), Ok("店".repeat(32)));
    }
}
