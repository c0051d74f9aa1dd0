//! `coupondesk template|redeem|settings ...`: coupon templates and the counter, headless.
//! Each command is one call into `Desk`.
//!
//! `redeem check` and `redeem use` exit 0 when the code can be (or was) redeemed and 3
//! when it is refused, with the reason printed (and in --json, the whole answer on stdout).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use coupondesk_core::desk::counter_any::{self, CounterCheck, CounterOutcome, CounterRequest};
use coupondesk_core::domain::money::format_yuan;
use coupondesk_core::domain::offline::OfflinePolicy;
use coupondesk_core::domain::redeem::{RedeemCheck, Redemption, RedemptionKind};
use coupondesk_core::domain::template::{Template, TemplateDraft, TemplateKind};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::store::templates::TemplateQuery;
use coupondesk_core::{ApiError, Desk};

use crate::print::{page_line, Out};

/// Refused at the counter: distinct from errors (1) and bad command lines (2).
const REFUSED: u8 = 3;

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// Create a template from a JSON file holding a TemplateDraft (camelCase keys, as
    /// docs/templates-and-redemption.md shows).
    Create {
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Replace a template's fields with a TemplateDraft from a JSON file.
    Update {
        id: i64,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    Show {
        id: i64,
    },
    /// Chain mode: what a counter may do with the template's codes when the hub does not
    /// answer. Without --mode, shows it.
    OfflinePolicy {
        id: i64,
        /// not-allowed (the default: codes wait for the hub), allowed, or limited
        /// (needs --per-day and --max-value-fen).
        #[arg(long, value_parser = ["not-allowed", "allowed", "limited"])]
        mode: Option<String>,
        /// limited: offline redemptions per counter per shop day.
        #[arg(long, value_name = "N")]
        per_day: Option<u32>,
        /// limited: the most the day's offline redemptions may take off orders, in fen.
        #[arg(long, value_name = "FEN")]
        max_value_fen: Option<i64>,
    },
    /// Spec 001's search: --kind (ticket_type,=), --begin-from (begin_at,>=),
    /// --end-before (end_at,<), plus a title substring.
    List {
        #[arg(long, value_parser = parse_kind)]
        kind: Option<TemplateKind>,
        /// RFC 3339, e.g. 2026-01-01T00:00:00+08:00
        #[arg(long)]
        begin_from: Option<DateTime<Utc>>,
        #[arg(long)]
        end_before: Option<DateTime<Utc>>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 15)]
        per_page: u32,
    },
    /// Link a batch's codes to the template.
    Link {
        id: i64,
        #[arg(long, value_name = "T")]
        batch: String,
        /// The batch number Sense (000) gave when the batch's codes were uploaded in its
        /// console (needed when no upload path is set for p000).
        #[arg(long = "platform-batch", value_name = "NO")]
        platform_batch: Option<String>,
    },
    Unlink {
        id: i64,
        #[arg(long, value_name = "T")]
        batch: String,
    },
}

#[derive(clap::Args)]
pub struct CounterArgs {
    /// Counter recorded with the action (default: the settings' terminal). Who did it is
    /// the logged-in staff member (`--staff`).
    #[arg(long)]
    terminal: Option<String>,
}

impl CounterArgs {
    /// Records this command's actions at `--terminal`, when given.
    pub fn apply(self, desk: &Desk) {
        if self.terminal.is_some() {
            desk.set_terminal(self.terminal);
        }
    }
}

#[derive(Subcommand)]
pub enum RedeemCommand {
    /// Say whether CODE (a coupon code or a bonus code) can be redeemed now and what it
    /// is worth; changes nothing.
    Check {
        code: String,
        /// Order amount in fen (cents): 12345 is 123.45 yuan.
        #[arg(long, value_name = "FEN")]
        amount: Option<i64>,
        #[arg(long)]
        customer: Option<String>,
        /// The product bought, for bonuses limited to one SKU.
        #[arg(long)]
        sku: Option<String>,
    },
    /// Redeem CODE (a coupon code or a bonus code) if it can be redeemed.
    Use {
        code: String,
        #[arg(long, value_name = "FEN")]
        amount: Option<i64>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        sku: Option<String>,
        #[command(flatten)]
        counter: CounterArgs,
    },
    /// A scanner's pipe: redeem each code read from stdin (one per line, as a barcode
    /// scanner types them) and answer each on its own line as soon as it is done (with
    /// --json: {code, redeemed, reason}). Ends at the end of stdin; exit 0, or 1 when a
    /// code could not be tried (an error, not a refusal).
    Scan {
        /// Order amount in fen for every code.
        #[arg(long, value_name = "FEN")]
        amount: Option<i64>,
        #[command(flatten)]
        counter: CounterArgs,
    },
    /// Undo CODE's redemption, within the undo window.
    Undo {
        code: String,
        #[command(flatten)]
        counter: CounterArgs,
    },
    /// Redemptions, newest first.
    List {
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        per_page: u32,
    },
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    Show,
    /// Change some settings; the others keep their values.
    Set {
        /// The shop's zone, e.g. +08:00.
        #[arg(long, value_parser = parse_zone, allow_hyphen_values = true)]
        zone: Option<i32>,
        #[arg(long)]
        terminal: Option<String>,
        #[arg(long)]
        undo_minutes: Option<u32>,
        /// Idle minutes before the window locks and asks for a PIN (1-240).
        #[arg(long)]
        lock_minutes: Option<u32>,
        /// Holiday dates, YYYY-MM-DD, comma-separated; replaces the list.
        #[arg(long, value_delimiter = ',')]
        holidays: Option<Vec<NaiveDate>>,
        /// The window's counter sounds a short tone on a redemption (on|off).
        #[arg(long, value_parser = parse_on_off)]
        sound_on_success: Option<bool>,
        /// The window's counter sounds a low tone on a refusal (on|off).
        #[arg(long, value_parser = parse_on_off)]
        sound_on_refusal: Option<bool>,
        /// The window's counter redeems on the first scan when the check passes (on|off).
        #[arg(long, value_parser = parse_on_off)]
        redeem_on_first_scan: Option<bool>,
        /// The shop's name, printed at the head of the daily close ("" clears it).
        #[arg(long, value_name = "NAME")]
        shop_name: Option<String>,
    },
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("{s:?}: write on or off")),
    }
}

fn parse_kind(s: &str) -> Result<TemplateKind, String> {
    TemplateKind::parse(s)
        .ok_or_else(|| format!("unknown kind {s:?}; use discount, cash, groupon, gift or general"))
}

fn parse_zone(s: &str) -> Result<i32, String> {
    let bad = || format!("{s:?} is not a zone; write it like +08:00 or -05:30");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    Ok(sign * (h * 60 + m))
}

fn read_draft(file: &PathBuf) -> Result<TemplateDraft, ApiError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        ApiError::new(
            "file_unreadable",
            format!("could not read {}: {e}", file.display()),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        ApiError::new(
            "invalid_template_json",
            format!(
                "{} is not a template draft: {e}; see docs/templates-and-redemption.md",
                file.display()
            ),
        )
    })
}

fn template_line(t: &Template) -> String {
    format!(
        "{:>6}  {:<8}  {}  {}..{}  codes {}/{}  redeemed {}  batches {}",
        t.id,
        t.kind.as_str(),
        t.fields.title,
        t.fields.begin_at.format("%Y-%m-%d %H:%M"),
        t.fields.end_at.format("%Y-%m-%d %H:%M"),
        t.code_count,
        t.fields.quantity,
        t.redeemed_count,
        t.batches.join(",")
    )
}

fn check_text(c: &RedeemCheck) -> String {
    let what = c
        .template
        .as_ref()
        .map(|t| format!(" ({}, template {})", t.title, t.id))
        .unwrap_or_default();
    crate::wallet::check_sentence(&c.code, &what, c.refusal.as_ref(), c.reduction_fen)
}

pub(crate) fn redemption_line(r: &Redemption) -> String {
    format!(
        "{:>6}  {}  {}  {} off  by {} on {}  at {}{}",
        r.id,
        r.code,
        match r.kind {
            RedemptionKind::Bonus => format!("bonus {}", r.template_title),
            RedemptionKind::Coupon => r.template_title.clone(),
        },
        format_yuan(r.reduction_fen),
        r.operator,
        r.terminal,
        r.redeemed_at.to_rfc3339(),
        r.undone_at
            .map(|u| format!("  (undone {})", u.to_rfc3339()))
            .unwrap_or_default()
    )
}

pub fn template(desk: &Desk, cmd: TemplateCommand, out: &Out) -> Result<ExitCode, ApiError> {
    let t = match cmd {
        TemplateCommand::OfflinePolicy {
            id,
            mode,
            per_day,
            max_value_fen,
        } => {
            let policy = match mode.as_deref() {
                None => desk.template_offline_policy(id)?,
                Some(mode) => desk.set_template_offline_policy(
                    id,
                    offline_policy(mode, per_day, max_value_fen)?,
                )?,
            };
            out.value(&policy, &offline_policy_line(id, &policy))?;
            return Ok(ExitCode::SUCCESS);
        }
        TemplateCommand::Create { file } => desk.create_template(read_draft(&file)?),
        TemplateCommand::Update { id, file } => desk.update_template(id, read_draft(&file)?),
        TemplateCommand::Show { id } => desk.get_template(id),
        TemplateCommand::Link {
            id,
            batch,
            platform_batch,
        } => desk.link_batch_with(id, &batch, platform_batch.as_deref()),
        TemplateCommand::Unlink { id, batch } => desk.unlink_batch(id, &batch),
        TemplateCommand::List {
            kind,
            begin_from,
            end_before,
            title,
            page,
            per_page,
        } => {
            let q = TemplateQuery {
                kind,
                begin_from,
                end_before,
                title,
                page: PageRequest { page, per_page },
            };
            let p = desk.list_templates(&q)?;
            let mut text: Vec<String> = p.items.iter().map(template_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
    }?;
    out.value(&t, &template_line(&t))?;
    Ok(ExitCode::SUCCESS)
}

pub fn redeem(desk: &Desk, cmd: RedeemCommand, out: &Out) -> Result<ExitCode, ApiError> {
    match cmd {
        RedeemCommand::Check {
            code,
            amount,
            customer,
            sku,
        } => {
            let req = CounterRequest {
                code,
                order_fen: amount,
                customer,
                product_sku: sku,
            };
            let c = desk.counter_check(&req)?;
            let text = match &c {
                CounterCheck::Coupon(c) => check_text(c),
                CounterCheck::Bonus(b) => crate::wallet::check_text(b, " (bonus)"),
            };
            out.value(&c, &text)?;
            Ok(if c.refusal_reason().is_some() {
                ExitCode::from(REFUSED)
            } else {
                ExitCode::SUCCESS
            })
        }
        RedeemCommand::Use {
            code,
            amount,
            customer,
            sku,
            counter: who,
        } => {
            let req = CounterRequest {
                code,
                order_fen: amount,
                customer,
                product_sku: sku,
            };
            who.apply(desk);
            let o = desk.counter_use(&req)?;
            let (text, done) = match &o {
                CounterOutcome::Coupon(o) => match &o.redemption {
                    Some(r) => (format!("redeemed: {}", redemption_line(r)), true),
                    None => (check_text(&o.check), false),
                },
                CounterOutcome::Bonus(o) => match &o.redeemed {
                    Some(_) => (
                        format!(
                            "redeemed: {}",
                            crate::wallet::check_text(&o.check, " (bonus)")
                        ),
                        true,
                    ),
                    None => (crate::wallet::check_text(&o.check, " (bonus)"), false),
                },
            };
            out.value(&o, &text)?;
            Ok(if done {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(REFUSED)
            })
        }
        RedeemCommand::Scan {
            amount,
            counter: who,
        } => {
            who.apply(desk);
            scan(desk, amount, out)
        }
        RedeemCommand::Undo { code, counter: who } => {
            who.apply(desk);
            let r = desk.redeem_undo(UndoTarget::Code(&code))?;
            out.value(&r, &format!("undone: {}", redemption_line(&r)))?;
            Ok(ExitCode::SUCCESS)
        }
        RedeemCommand::List { page, per_page } => {
            let p = desk.list_redemptions(PageRequest { page, per_page })?;
            let mut text: Vec<String> = p.items.iter().map(redemption_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn settings(desk: &Desk, cmd: SettingsCommand, out: &Out) -> Result<ExitCode, ApiError> {
    let s = match cmd {
        SettingsCommand::Show => desk.settings()?,
        SettingsCommand::Set {
            zone,
            terminal,
            undo_minutes,
            lock_minutes,
            holidays,
            sound_on_success,
            sound_on_refusal,
            redeem_on_first_scan,
            shop_name,
        } => {
            let mut s = desk.settings()?;
            if let Some(z) = zone {
                s.shop_utc_offset_minutes = z;
            }
            if let Some(t) = terminal {
                s.terminal = t;
            }
            if let Some(u) = undo_minutes {
                s.undo_window_minutes = u;
            }
            if let Some(m) = lock_minutes {
                s.auto_lock_minutes = m;
            }
            if let Some(h) = holidays {
                s.holidays = h;
            }
            if let Some(v) = sound_on_success {
                s.sound_on_success = v;
            }
            if let Some(v) = sound_on_refusal {
                s.sound_on_refusal = v;
            }
            if let Some(v) = redeem_on_first_scan {
                s.redeem_on_first_scan = v;
            }
            if let Some(v) = shop_name {
                s.shop_name = v;
            }
            desk.save_settings(s)?
        }
    };
    let z = s.shop_utc_offset_minutes;
    let on = |b: bool| if b { "on" } else { "off" };
    let text = format!(
        "zone UTC{}{:02}:{:02}, terminal {}, undo within {} min, locks after {} idle min, {} holidays, \
         sound on success {}, sound on refusal {}, redeem on first scan {}",
        if z < 0 { '-' } else { '+' },
        z.abs() / 60,
        z.abs() % 60,
        s.terminal,
        s.undo_window_minutes,
        s.auto_lock_minutes,
        s.holidays.len(),
        on(s.sound_on_success),
        on(s.sound_on_refusal),
        on(s.redeem_on_first_scan)
    );
    out.value(&s, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn offline_policy(
    mode: &str,
    per_day: Option<u32>,
    max_value_fen: Option<i64>,
) -> Result<OfflinePolicy, ApiError> {
    Ok(match (mode, per_day, max_value_fen) {
        ("allowed", None, None) => OfflinePolicy::Allowed,
        ("not-allowed", None, None) => OfflinePolicy::NotAllowed,
        ("limited", Some(per_terminal_per_day), Some(max_value_fen)) => OfflinePolicy::Limited {
            per_terminal_per_day,
            max_value_fen,
        },
        ("limited", _, _) => {
            return Err(ApiError::new(
                "invalid_offline_policy",
                "--mode limited needs --per-day N and --max-value-fen FEN",
            ))
        }
        _ => {
            return Err(ApiError::new(
                "invalid_offline_policy",
                "--per-day and --max-value-fen go only with --mode limited",
            ))
        }
    })
}

fn offline_policy_line(id: i64, p: &OfflinePolicy) -> String {
    match p {
        OfflinePolicy::NotAllowed => format!("template {id}: not redeemable offline"),
        OfflinePolicy::Allowed => format!("template {id}: redeemable offline"),
        OfflinePolicy::Limited {
            per_terminal_per_day,
            max_value_fen,
        } => format!(
            "template {id}: offline at most {per_terminal_per_day} a counter a day, taking at most {} off orders",
            format_yuan(*max_value_fen)
        ),
    }
}

/// `redeem scan`: each line of stdin is one code, answered before the next is read, so a
/// scanner's operator (or a script) sees each answer at once.
fn scan(desk: &Desk, amount: Option<i64>, out: &Out) -> Result<ExitCode, ApiError> {
    let mut failed = false;
    for line in std::io::stdin().lines() {
        let line = line
            .map_err(|e| ApiError::new("invalid_request", format!("could not read stdin: {e}")))?;
        let code = line.trim();
        if code.is_empty() {
            continue;
        }
        let req = CounterRequest {
            code: code.to_owned(),
            order_fen: amount,
            customer: None,
            product_sku: None,
        };
        let (redeemed, reason) = match desk.counter_use(&req) {
            Ok(CounterOutcome::Coupon(o)) => (
                o.redemption.is_some(),
                o.check.refusal.map(|r| r.reason().to_owned()),
            ),
            Ok(CounterOutcome::Bonus(o)) => (
                o.redeemed.is_some(),
                o.check.refusal.as_ref().map(counter_any::bonus_reason),
            ),
            Err(e) => {
                failed = true;
                (false, Some(ApiError::from(&e).code))
            }
        };
        let text = match &reason {
            None => format!("{code}: redeemed"),
            Some(r) => format!("{code}: {r}"),
        };
        out.value(
            &serde_json::json!({ "code": code, "redeemed": redeemed, "reason": reason }),
            &text,
        )?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
