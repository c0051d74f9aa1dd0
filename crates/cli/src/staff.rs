//! `coupondesk staff add|list|disable|enable|role|reset-pin`, and the login every mutating command
//! needs once staff accounts exist: `--staff NAME` with the PIN in `COUPONDESK_PIN` or on
//! stdin (`--pin-stdin`). A PIN is never an argument (it would sit in the shell's history
//! and in `ps`) and never printed.

use std::collections::VecDeque;
use std::io::Read;
use std::process::ExitCode;

use clap::Subcommand;
use coupondesk_core::domain::staff::{Role, StaffDraft, StaffMember};
use coupondesk_core::{ApiError, Desk};

use crate::print::Out;

/// The environment variable that carries the acting staff member's PIN.
pub const PIN_ENV: &str = "COUPONDESK_PIN";

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add an account; its PIN (4-8 digits) is read from stdin (--pin-stdin). On a
    /// database without accounts, the first must be the owner and needs no --staff.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Every account: name, role, active or disabled.
    List,
    /// The account can no longer log in; what it did keeps its name.
    Disable { name: String },
    /// A new PIN for the account, read from stdin (--pin-stdin); ends a lockout.
    ResetPin { name: String },
    /// The account can log in again (one set aside by a chain's name clash too).
    Enable { name: String },
    /// Another role for the account (the last active owner stays an owner).
    Role {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role {s:?}; use cashier, manager or owner"))
}

/// The PINs this run was given: the acting one from the environment, and the lines of
/// stdin in order when `--pin-stdin` is set (the acting PIN first when the environment
/// has none, then a new account's PIN).
pub struct Pins {
    env: Option<String>,
    lines: VecDeque<String>,
}

impl Pins {
    pub fn read(pin_stdin: bool) -> Result<Pins, ApiError> {
        let mut lines = VecDeque::new();
        if pin_stdin {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                ApiError::new(
                    "unauthenticated",
                    format!("could not read the PIN from stdin: {e}"),
                )
            })?;
            lines.extend(text.lines().map(|l| l.trim().to_owned()));
        }
        let env = std::env::var(PIN_ENV).ok().filter(|p| !p.is_empty());
        Ok(Pins { env, lines })
    }

    /// The acting staff member's PIN, if one was given.
    pub fn acting(&mut self) -> Option<String> {
        self.env.clone().or_else(|| self.lines.pop_front())
    }

    /// A new account's PIN: the next line of stdin.
    fn new_pin(&mut self) -> Result<String, ApiError> {
        self.lines.pop_front().ok_or_else(|| {
            ApiError::new(
                "invalid_staff",
                "give the new PIN on stdin with --pin-stdin, e.g. `read -s PIN; echo \"$PIN\" | \
                 coupondesk staff add ... --pin-stdin`",
            )
        })
    }
}

/// Logs `--staff NAME` in with the PIN given to this run. Without a PIN the command goes
/// on unauthenticated: read-only commands need none, and the core refuses the others.
pub fn login(desk: &Desk, name: &str, pins: &mut Pins) -> Result<bool, ApiError> {
    let Some(pin) = pins.acting() else {
        return Ok(false);
    };
    desk.login(name, &pin)?;
    Ok(true)
}

/// The core's "log in first", said the CLI's way (for a command that ran without a login;
/// a wrong PIN's own message is left as it is).
pub fn explain_unauthenticated(e: ApiError, staff_given: bool) -> ApiError {
    if e.code != "unauthenticated" {
        return e;
    }
    let how = if staff_given {
        format!("give the PIN of --staff in {PIN_ENV} or on stdin with --pin-stdin")
    } else {
        format!(
            "this command changes data: pass --staff NAME, with the PIN in {PIN_ENV} or on \
             stdin with --pin-stdin"
        )
    };
    ApiError::new("unauthenticated", format!("{}; {how}", e.message))
}

pub fn staff(
    desk: &Desk,
    cmd: StaffCommand,
    pins: &mut Pins,
    out: &Out,
) -> Result<ExitCode, ApiError> {
    match cmd {
        StaffCommand::Add { name, role } => {
            let draft = StaffDraft {
                name,
                role,
                pin: pins.new_pin()?,
            };
            let m = if desk.session()?.needs_owner {
                desk.setup_owner(&draft)?
                    .staff
                    .ok_or_else(|| ApiError::new("internal", "the owner was not created"))?
            } else {
                desk.staff_add(&draft)?
            };
            out.value(&m, &format!("added {}", line(&m)))?;
        }
        StaffCommand::List => {
            let all = desk.staff_list()?;
            let text: Vec<String> = all.iter().map(line).collect();
            out.value(&all, &text.join("\n"))?;
        }
        StaffCommand::Disable { name } => {
            let m = desk.staff_disable(&name)?;
            out.value(&m, &format!("disabled {}", line(&m)))?;
        }
        StaffCommand::ResetPin { name } => {
            let pin = pins.new_pin()?;
            let m = desk.staff_reset_pin(&name, &pin)?;
            out.value(&m, &format!("new PIN set for {}", line(&m)))?;
        }
        StaffCommand::Enable { name } => {
            let m = desk.staff_enable(&name)?;
            out.value(&m, &format!("enabled {}", line(&m)))?;
        }
        StaffCommand::Role { name, role } => {
            let m = desk.staff_set_role(&name, role)?;
            out.value(&m, &format!("role set: {}", line(&m)))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn line(m: &StaffMember) -> String {
    format!(
        "{}  {}{}",
        m.name,
        m.role.as_str(),
        if m.disabled { "  (disabled)" } else { "" }
    )
}
