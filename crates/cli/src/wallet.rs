//! `coupondesk bonus|voucher|customer ...`: red-packet bonuses (spec 002), exchange
//! vouchers (spec 003) and the customer register, headless. Each command is one call into
//! `Desk`. Amounts are typed in yuan ("2.50") and printed in yuan with two decimals.
//!
//! `bonus check` and `bonus redeem` exit 0 when the bonus can be (or was) redeemed and 3
//! when it is refused, with the reason printed (and in --json, the whole answer on stdout).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use coupondesk_core::domain::bonus::{
    Bonus, BonusCheck, BonusDraft, BonusQuery, BonusRedeemRequest, BonusStatus,
};
use coupondesk_core::domain::customer::{Customer, CustomerDraft};
use coupondesk_core::domain::money::{format_yuan, parse_yuan};
use coupondesk_core::domain::voucher::{Voucher, VoucherDraft, VoucherQuery};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::export::ExportReport;
use coupondesk_core::store::bonuses::BonusRef;
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::{ApiError, Desk};

use crate::export_args::ExportArgs;
use crate::print::{page_line, Out};

/// Refused at the counter: distinct from errors (1) and bad command lines (2).
const REFUSED: u8 = 3;

#[derive(clap::Args)]
pub struct Paging {
    #[arg(long, default_value_t = 1)]
    page: u32,
    #[arg(long, default_value_t = 20)]
    per_page: u32,
}

#[derive(clap::Args)]
pub struct BonusFilter {
    /// N01 (unused, the default), N02 (used), N03 (expired), disabled, or all.
    #[arg(long, default_value = "N01", value_parser = parse_status)]
    status: StatusArg,
    /// Only this customer's bonuses (spec 002's user_bonus).
    #[arg(long, value_name = "PHONE")]
    customer: Option<String>,
    /// Only what create run RUN made (printed by `bonus create`).
    #[arg(long)]
    run: Option<i64>,
}

#[derive(Clone, Copy)]
pub enum StatusArg {
    All,
    One(BonusStatus),
}

#[derive(Subcommand)]
pub enum BonusCommand {
    /// Create QUANTITY bonuses, each with its own 11-letter code.
    Create {
        /// Yuan, e.g. 2.50.
        #[arg(long, value_name = "YUAN")]
        amount: String,
        /// At most 100000; above 100 only with --yes.
        #[arg(long, default_value_t = 1)]
        quantity: u32,
        /// RFC 3339 time, or YYYY-MM-DD (valid through that day in the shop's zone).
        /// Default: never expires.
        #[arg(long, value_name = "WHEN")]
        expires: Option<String>,
        /// The order must come to at least this many yuan.
        #[arg(long, value_name = "YUAN")]
        min_amount: Option<String>,
        /// A note for staff (spec 002's xname).
        #[arg(long)]
        note: Option<String>,
        /// Only for this product SKU (spec 002's product_rid).
        #[arg(long)]
        sku: Option<String>,
        /// Create them disabled (spec 002's status false); they can never be redeemed.
        #[arg(long)]
        disabled: bool,
        /// Go ahead with more than 100 bonuses.
        #[arg(long)]
        yes: bool,
    },
    /// Bonuses by status, newest first.
    List {
        #[command(flatten)]
        filter: BonusFilter,
        #[command(flatten)]
        page: Paging,
    },
    Show {
        /// The bonus's id or code.
        bonus: String,
    },
    /// Grant an unused bonus to a customer (once).
    Grant {
        bonus: String,
        #[arg(long, value_name = "PHONE")]
        customer: String,
        /// The customer's name, when the phone is new to the register.
        #[arg(long)]
        name: Option<String>,
    },
    /// Disable a bonus for good.
    Disable {
        bonus: String,
        #[command(flatten)]
        who: crate::counter::CounterArgs,
    },
    /// Disable every still-usable bonus of create run RUN (printed by `bonus create`, and
    /// on each bonus as its run): for a creation made by mistake.
    DisableRun {
        run: i64,
        #[command(flatten)]
        who: crate::counter::CounterArgs,
    },
    /// Say whether CODE can be redeemed on this order; changes nothing.
    Check {
        code: String,
        /// The order's amount in yuan.
        #[arg(long, value_name = "YUAN")]
        amount: String,
        /// The product bought, for bonuses limited to one SKU.
        #[arg(long)]
        sku: Option<String>,
        #[arg(long, value_name = "PHONE")]
        customer: Option<String>,
    },
    /// Redeem CODE on this order if it can be redeemed.
    Redeem {
        code: String,
        #[arg(long, value_name = "YUAN")]
        amount: String,
        #[arg(long)]
        sku: Option<String>,
        #[arg(long, value_name = "PHONE")]
        customer: Option<String>,
        #[command(flatten)]
        who: crate::counter::CounterArgs,
    },
    /// Undo the bonus CODE's redemption, within the same undo window as a coupon's (a
    /// cashier only their own).
    Undo {
        code: String,
        #[command(flatten)]
        who: crate::counter::CounterArgs,
    },
    /// Write the bonuses a list would show (all pages) to CSV (UTF-8 with BOM).
    Export {
        #[command(flatten)]
        filter: BonusFilter,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        export: ExportArgs,
    },
}

#[derive(clap::Args)]
pub struct VoucherFilter {
    /// Substring of the service's name.
    #[arg(long)]
    name: Option<String>,
    /// Only vouchers outside a package.
    #[arg(long)]
    nopkg: bool,
    #[arg(long, value_name = "PHONE")]
    customer: Option<String>,
    /// Only unused vouchers.
    #[arg(long, conflicts_with = "used")]
    valid: bool,
    /// Only used vouchers.
    #[arg(long)]
    used: bool,
}

impl VoucherFilter {
    fn query(self, page: PageRequest) -> VoucherQuery {
        VoucherQuery {
            name: self.name,
            nopkg: self.nopkg,
            customer: self.customer,
            valid: match (self.valid, self.used) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            page,
        }
    }
}

#[derive(Subcommand)]
pub enum VoucherCommand {
    /// Sell a voucher for a service to a customer.
    Sell {
        #[arg(long, value_name = "PHONE")]
        customer: String,
        /// The customer's name, when the phone is new to the register.
        #[arg(long)]
        customer_name: Option<String>,
        /// The service's name.
        #[arg(long)]
        name: String,
        /// Yuan, e.g. 288 or 288.00.
        #[arg(long, value_name = "YUAN")]
        price: String,
        /// The package it belongs to.
        #[arg(long)]
        pkg: Option<i64>,
        #[arg(long, default_value = "")]
        introduction: String,
        /// Not paid yet (spec 003's paid defaults to true).
        #[arg(long)]
        unpaid: bool,
        #[command(flatten)]
        who: crate::counter::CounterArgs,
    },
    List {
        #[command(flatten)]
        filter: VoucherFilter,
        #[command(flatten)]
        page: Paging,
    },
    Show {
        id: i64,
    },
    /// Mark a voucher used now; a used voucher is refused.
    Use {
        id: i64,
        #[command(flatten)]
        who: crate::counter::CounterArgs,
    },
    /// Write the vouchers a list would show (all pages) to CSV (UTF-8 with BOM).
    Export {
        #[command(flatten)]
        filter: VoucherFilter,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        export: ExportArgs,
    },
}

#[derive(Subcommand)]
pub enum CustomerCommand {
    /// Add a customer by mobile number, or rename one.
    Add {
        phone: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Customers, newest first.
    List {
        /// Substring of the phone or the name.
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        page: Paging,
    },
}

fn parse_status(s: &str) -> Result<StatusArg, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(StatusArg::All);
    }
    BonusStatus::parse(s)
        .map(StatusArg::One)
        .ok_or_else(|| format!("unknown status {s:?}; use N01, N02, N03, disabled or all"))
}

fn yuan(field: &str, text: &str) -> Result<i64, ApiError> {
    parse_yuan(text).map_err(|e| ApiError::new("invalid_amount", format!("--{field}: {e}")))
}

/// `--expires`: an RFC 3339 instant, or a date (the core ends it with that day in the
/// shop's zone).
fn expiry(text: &str) -> Result<(Option<DateTime<Utc>>, Option<NaiveDate>), ApiError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok((Some(t.with_timezone(&Utc)), None));
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => Ok((None, Some(day))),
        Err(_) => Err(ApiError::new(
            "invalid_expiry",
            format!("--expires {text:?}: write a date (2026-12-31) or an RFC 3339 time"),
        )),
    }
}

fn bonus_query(f: BonusFilter, page: PageRequest) -> BonusQuery {
    BonusQuery {
        status: match f.status {
            StatusArg::All => None,
            StatusArg::One(s) => Some(s),
        },
        customer: f.customer,
        run: f.run,
        page,
    }
}

fn bonus_line(b: &Bonus) -> String {
    let mut s = format!(
        "{:>8}  {}  {:<8}  {} off",
        b.id,
        b.code,
        b.status.as_str(),
        format_yuan(b.amount_fen)
    );
    if b.min_amount_fen > 0 {
        s.push_str(&format!(" from {}", format_yuan(b.min_amount_fen)));
    }
    if let Some(sku) = &b.product_sku {
        s.push_str(&format!("  sku {sku}"));
    }
    s.push_str(&match b.expired_at {
        Some(e) => format!("  expires {}", e.to_rfc3339()),
        None => "  never expires".to_owned(),
    });
    if let Some(c) = &b.customer {
        s.push_str(&format!("  to {c}"));
    }
    if let Some(u) = b.used_at {
        s.push_str(&format!("  used {}", u.to_rfc3339()));
    }
    if !b.xname.is_empty() {
        s.push_str(&format!("  ({})", b.xname));
    }
    s.push_str(&format!("  run {}", b.create_run));
    s
}

/// A bonus check in words; `label` follows the code (" (bonus)" on the counter's one box).
pub(crate) fn check_text(c: &BonusCheck, label: &str) -> String {
    check_sentence(&c.code, label, c.refusal.as_ref(), c.reduction_fen)
}

/// The one sentence of a check, coupon or bonus, so the counter and the bonus commands
/// word a verdict alike: "<code><label>: refused: <why>" or "... can be redeemed, X off".
pub(crate) fn check_sentence(
    code: &str,
    label: &str,
    refusal: Option<&impl std::fmt::Display>,
    reduction_fen: Option<i64>,
) -> String {
    match refusal {
        Some(r) => format!("{code}{label}: refused: {r}"),
        None => format!(
            "{code}{label}: can be redeemed, {} off",
            format_yuan(reduction_fen.unwrap_or(0))
        ),
    }
}

fn voucher_line(v: &Voucher) -> String {
    format!(
        "{:>6}  {}  {}  {}  {}{}  {}",
        v.id,
        v.customer,
        v.name,
        format_yuan(v.price_fen),
        v.pkg.map(|p| format!("pkg {p}  ")).unwrap_or_default(),
        if v.paid { "paid" } else { "unpaid" },
        match v.used_at {
            Some(u) => format!("used {}", u.to_rfc3339()),
            None => "valid".to_owned(),
        }
    )
}

fn customer_line(c: &Customer) -> String {
    format!("{:>6}  {}  {}", c.id, c.phone, c.name)
}

pub fn export_text(r: &ExportReport) -> String {
    format!(
        "{} rows written to {} ({} ms)",
        r.rows, r.path, r.elapsed_ms
    )
}

pub fn bonus(desk: &Desk, cmd: BonusCommand, out: &Out) -> Result<ExitCode, ApiError> {
    let b = match cmd {
        BonusCommand::Create {
            amount,
            quantity,
            expires,
            min_amount,
            note,
            sku,
            disabled,
            yes,
        } => {
            crate::large_count::confirmed(
                u64::from(quantity),
                crate::large_count::BONUSES,
                "bonuses",
                yes,
            )?;
            let (expired_at, expires_on) = match expires.as_deref() {
                Some(e) => expiry(e)?,
                None => (None, None),
            };
            let draft = BonusDraft {
                amount_fen: yuan("amount", &amount)?,
                quantity,
                expired_at,
                expires_on,
                min_amount_fen: min_amount
                    .as_deref()
                    .map(|m| yuan("min-amount", m))
                    .transpose()?
                    .unwrap_or(0),
                xname: note.unwrap_or_default(),
                product_sku: sku,
                enabled: !disabled,
            };
            let c = desk.create_bonuses(draft)?;
            let mut text = vec![format!(
                "created {} bonuses in run {} ({} ms):",
                c.created, c.run, c.elapsed_ms
            )];
            text.extend(c.codes.iter().cloned());
            out.value(&c, &text.join("\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
        BonusCommand::List { filter, page } => {
            let q = bonus_query(
                filter,
                PageRequest {
                    page: page.page,
                    per_page: page.per_page,
                },
            );
            let p = desk.list_bonuses(&q)?;
            let mut text: Vec<String> = p.items.iter().map(bonus_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
        BonusCommand::Export {
            filter,
            out: file,
            export,
        } => {
            let q = bonus_query(filter, PageRequest::default());
            let r = desk.export_bonuses(&q, &file, &export.options())?;
            out.value(&r, &export_text(&r))?;
            return Ok(ExitCode::SUCCESS);
        }
        BonusCommand::Check {
            code,
            amount,
            sku,
            customer,
        } => {
            let req = BonusRedeemRequest {
                code,
                order_fen: yuan("amount", &amount)?,
                product_sku: sku,
                customer,
            };
            let c = desk.check_bonus(&req)?;
            out.value(&c, &check_text(&c, ""))?;
            return Ok(if c.refusal.is_some() {
                ExitCode::from(REFUSED)
            } else {
                ExitCode::SUCCESS
            });
        }
        BonusCommand::Redeem {
            code,
            amount,
            sku,
            customer,
            who: w,
        } => {
            let req = BonusRedeemRequest {
                code,
                order_fen: yuan("amount", &amount)?,
                product_sku: sku,
                customer,
            };
            w.apply(desk);
            let o = desk.redeem_bonus(&req)?;
            let text = match &o.redeemed {
                Some(b) => format!(
                    "redeemed: {} off; {}",
                    format_yuan(o.check.reduction_fen.unwrap_or(0)),
                    bonus_line(b)
                ),
                None => check_text(&o.check, ""),
            };
            out.value(&o, &text)?;
            return Ok(if o.redeemed.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(REFUSED)
            });
        }
        BonusCommand::Undo { code, who: w } => {
            w.apply(desk);
            let r = desk.bonus_redeem_undo(UndoTarget::Code(&code))?;
            let text = format!("undone: {}", crate::counter::redemption_line(&r));
            out.value(&r, &text)?;
            return Ok(ExitCode::SUCCESS);
        }
        BonusCommand::Show { bonus } => desk.get_bonus(BonusRef::parse(&bonus)),
        BonusCommand::Grant {
            bonus,
            customer,
            name,
        } => desk.grant_bonus(BonusRef::parse(&bonus), &customer, name.as_deref()),
        BonusCommand::Disable { bonus, who: w } => {
            w.apply(desk);
            desk.disable_bonus(BonusRef::parse(&bonus))
        }
        BonusCommand::DisableRun { run, who: w } => {
            w.apply(desk);
            let r = desk.disable_bonus_run(run)?;
            let text = format!(
                "run {}: {} bonuses disabled, {} already used or disabled",
                r.run, r.disabled, r.left
            );
            out.value(&r, &text)?;
            return Ok(ExitCode::SUCCESS);
        }
    }?;
    out.value(&b, &bonus_line(&b))?;
    Ok(ExitCode::SUCCESS)
}

pub fn voucher(desk: &Desk, cmd: VoucherCommand, out: &Out) -> Result<ExitCode, ApiError> {
    let v = match cmd {
        VoucherCommand::Sell {
            customer,
            customer_name,
            name,
            price,
            pkg,
            introduction,
            unpaid,
            who: w,
        } => {
            let draft = VoucherDraft {
                customer,
                customer_name: customer_name.unwrap_or_default(),
                name,
                price_fen: yuan("price", &price)?,
                pkg,
                introduction,
                paid: !unpaid,
            };
            w.apply(desk);
            desk.sell_voucher(draft)
        }
        VoucherCommand::List { filter, page } => {
            let q = filter.query(PageRequest {
                page: page.page,
                per_page: page.per_page,
            });
            let p = desk.list_vouchers(&q)?;
            let mut text: Vec<String> = p.items.iter().map(voucher_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
        VoucherCommand::Export {
            filter,
            out: file,
            export,
        } => {
            let q = filter.query(PageRequest::default());
            let r = desk.export_vouchers(&q, &file, &export.options())?;
            out.value(&r, &export_text(&r))?;
            return Ok(ExitCode::SUCCESS);
        }
        VoucherCommand::Show { id } => desk.get_voucher(id),
        VoucherCommand::Use { id, who: w } => {
            w.apply(desk);
            desk.use_voucher(id)
        }
    }?;
    out.value(&v, &voucher_line(&v))?;
    Ok(ExitCode::SUCCESS)
}

pub fn customer(desk: &Desk, cmd: CustomerCommand, out: &Out) -> Result<ExitCode, ApiError> {
    match cmd {
        CustomerCommand::Add { phone, name } => {
            let c = desk.add_customer(&CustomerDraft { phone, name })?;
            out.value(&c, &customer_line(&c))?;
        }
        CustomerCommand::List { search, page } => {
            let p = desk.list_customers(
                search.as_deref(),
                PageRequest {
                    page: page.page,
                    per_page: page.per_page,
                },
            )?;
            let mut text: Vec<String> = p.items.iter().map(customer_line).collect();
            text.push(page_line(p.page, p.total_pages, p.total));
            out.value(&p, &text.join("\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
