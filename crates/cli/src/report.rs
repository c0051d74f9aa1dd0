//! `coupondesk report redemptions`: the manager's redemption report, headless; `report
//! reconcile`: reconciliation (对账) with the platforms' last pulls; `report close`: the
//! daily close as PDF. One call into `Desk` each. `--staff S` filters the report by S
//! (the global option, as for `audit list`) and logs nobody in: reports are reads.
//!
//! With --json it prints exactly `{"groups": [{"key", "label", "count", "discount_fen",
//! "order_fen"}], "total": {"count", "discount_fen", "order_fen"}}` (issue 15's contract).

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use coupondesk_core::domain::close::CloseQuery;
use coupondesk_core::domain::page::MAX_PER_PAGE;
use coupondesk_core::domain::print::PrintLang;
use coupondesk_core::domain::reconcile::{ReconItemsQuery, SideCounts};
use coupondesk_core::domain::report::{Figures, GroupBy, ReportGroup, ReportQuery, UseKind};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::sync::Platform;
use coupondesk_core::{ApiError, Desk};
use serde::Serialize;

use crate::print::Out;

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Redemptions (coupon codes, bonuses, vouchers) over the shop's days FROM..=TO (in
    /// the shop's zone), grouped, with totals. Money in fen.
    Redemptions {
        /// The first day, e.g. 2026-12-01.
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        from: NaiveDate,
        /// The last day, included.
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        to: NaiveDate,
        #[arg(long, value_enum, default_value_t = Group::Day)]
        group_by: Group,
        /// Only this template (its id).
        #[arg(long, value_name = "ID")]
        template: Option<i64>,
        /// Only this batch (its ticket type).
        #[arg(long, value_name = "T")]
        batch: Option<String>,
        /// Only this counter.
        #[arg(long, value_name = "NAME")]
        terminal: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<Kind>,
    },
    /// Reconciliation (对账): per platform (000, 002, 003) and group, the local counts
    /// (issued, active, used) beside the counts the last pull saw. Run `sync now` first
    /// for fresh figures. With --items PLATFORM: that platform's differing items.
    Reconcile {
        /// List the items that differ on this platform (p002 or p003) instead.
        #[arg(long, value_name = "PLATFORM", value_parser = parse_platform)]
        items: Option<Platform>,
        /// With --items: only this group (a service name on p003).
        #[arg(long, value_name = "KEY", requires = "items")]
        group: Option<String>,
    },
    /// The daily close (日结) of one shop day as a PDF: one page per terminal (or only
    /// TERMINAL's), uses and money by template, staff member and kind, with totals.
    Close {
        /// The shop's day, e.g. 2026-12-07.
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        date: NaiveDate,
        /// Only this counter.
        #[arg(long, value_name = "NAME")]
        terminal: Option<String>,
        #[arg(long, value_name = "FILE.pdf")]
        out: std::path::PathBuf,
        /// The language of the printed words.
        #[arg(long, value_enum, default_value_t = Lang::ZhCn)]
        lang: Lang,
    },
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::ALL
        .into_iter()
        .find(|p| p.id() == text.trim())
        .ok_or_else(|| format!("{text:?} is not a platform; write p000, p001, p002, p003 or p004"))
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Lang {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en")]
    En,
}

impl Lang {
    pub fn core(self) -> PrintLang {
        match self {
            Lang::ZhCn => PrintLang::ZhCn,
            Lang::En => PrintLang::En,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Group {
    Day,
    Template,
    Batch,
    Staff,
    Terminal,
    Kind,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Coupon,
    Bonus,
    Voucher,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a day; write it as YYYY-MM-DD, e.g. 2026-12-07"))
}

#[derive(Serialize)]
struct Printed<'a> {
    groups: &'a [ReportGroup],
    total: Figures,
}

/// `staff`: the global `--staff`, the report's staff filter.
pub fn report(
    desk: &Desk,
    cmd: ReportCommand,
    staff: Option<String>,
    out: &Out,
) -> Result<ExitCode, ApiError> {
    let (from, to, group_by, template, batch, terminal, kind) = match cmd {
        ReportCommand::Redemptions {
            from,
            to,
            group_by,
            template,
            batch,
            terminal,
            kind,
        } => (from, to, group_by, template, batch, terminal, kind),
        ReportCommand::Reconcile { items, group } => return reconcile(desk, items, group, out),
        ReportCommand::Close {
            date,
            terminal,
            out: file,
            lang,
        } => return close(desk, date, terminal, &file, lang, out),
    };
    let q = ReportQuery {
        from,
        to,
        group_by: match group_by {
            Group::Day => GroupBy::Day,
            Group::Template => GroupBy::Template,
            Group::Batch => GroupBy::Batch,
            Group::Staff => GroupBy::Staff,
            Group::Terminal => GroupBy::Terminal,
            Group::Kind => GroupBy::Kind,
        },
        staff,
        terminal,
        template_id: template,
        batch,
        kind: kind.map(|k| match k {
            Kind::Coupon => UseKind::Coupon,
            Kind::Bonus => UseKind::Bonus,
            Kind::Voucher => UseKind::Voucher,
        }),
    };
    let r = desk.report_redemptions(&q)?;
    let mut text: Vec<String> = r
        .groups
        .iter()
        .map(|g| line(&g.label, &g.figures))
        .collect();
    text.push(line("total", &r.total));
    out.value(
        &Printed {
            groups: &r.groups,
            total: r.total,
        },
        &text.join("\n"),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn reconcile(
    desk: &Desk,
    items: Option<Platform>,
    group: Option<String>,
    out: &Out,
) -> Result<ExitCode, ApiError> {
    let Some(platform) = items else {
        let r = desk.reconciliation()?;
        let mut text = vec![format!(
            "{:<6} {:<24} {:>26}   {:>26}  {:>9}",
            "", "group", "here: issued/active/used", "there: issued/active/used", "differing"
        )];
        for row in &r.rows {
            let there = row.remote.map_or("not pulled".into(), |c| sides(&c));
            let differing = if row.items_known {
                row.differing.to_string()
            } else {
                "-".into()
            };
            let mark = if row.differs { "≠" } else { "=" };
            text.push(format!(
                "{:<6} {:<24} {:>26} {mark} {there:>26}  {differing:>9}",
                row.platform.id(),
                if row.label.is_empty() {
                    "(all)"
                } else {
                    &row.label
                },
                sides(&row.local)
            ));
        }
        out.value(&r, &text.join("\n"))?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut all = Vec::new();
    for page in 1.. {
        let got = desk.reconciliation_items(&ReconItemsQuery {
            platform,
            key: group.clone(),
            page: PageRequest {
                page,
                per_page: MAX_PER_PAGE,
            },
        })?;
        let last = u64::from(page) >= got.total_pages;
        all.extend(got.items);
        if last {
            break;
        }
    }
    let text: Vec<String> = all
        .iter()
        .map(|i| {
            format!(
                "{:<16} {:<16} here {:<9} there {}",
                i.item,
                i.key,
                i.local.as_str(),
                i.remote.as_str()
            )
        })
        .collect();
    out.value(&all, &text.join("\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn sides(c: &SideCounts) -> String {
    format!("{}/{}/{}", c.issued, c.active, c.used)
}

/// `report close`: the PDF, then where it went and how many pages it has.
fn close(
    desk: &Desk,
    day: NaiveDate,
    terminal: Option<String>,
    file: &std::path::Path,
    lang: Lang,
    out: &Out,
) -> Result<ExitCode, ApiError> {
    let pages = desk.print_close(&CloseQuery { day, terminal }, lang.core(), file)?;
    out.value(
        &serde_json::json!({ "path": file.display().to_string(), "pages": pages }),
        &format!(
            "daily close of {day}: {pages} pages written to {}",
            file.display()
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn line(label: &str, f: &Figures) -> String {
    format!(
        "{label:<24} {:>8} uses  discount {:>12}  orders {:>12}",
        f.count,
        yuan(f.discount_fen),
        yuan(f.order_fen)
    )
}

fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", fen / 100, fen % 100)
}
