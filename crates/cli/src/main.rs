//! `coupondesk`: CouponDesk without a window. Every command is one call into
//! `coupondesk_core::Desk`; this file only parses arguments and prints results.
//!
//! Exit status 0 on success; 1 with a one-line error on stderr otherwise (with --json
//! that line is the `{code, message, fields}` object); 2 for a malformed command line;
//! 3 when the counter refuses a code (`redeem check|use`); 4 when `sync run` leaves
//! operations queued; 5 when `sync test` finds a platform not reachable and authorised.
//!
//! When stdout cannot be written (a full disk, a closed pipe) nothing panics: the
//! work is not undone, and after it the CLI says so on stderr in one line (code
//! `output_lost`; nothing when stderr cannot be written either). The exit status follows
//! the work: a command whose work succeeded exits 1 (its caller did not get the output);
//! one that already ended non-zero (1, 3, 4, 5) keeps that status.
//!
//! The database must exist, or be creatable in a folder that exists: a `--db` in a
//! missing folder, or a 0-byte file, is refused; `coupondesk init` creates it (and its
//! folder). Without `--db`, the app's own data folder is made when missing, as the app
//! does on first start.

mod audit;
mod counter;
mod demo_seed;
mod export_args;
mod hub;
mod hub_audit;
mod hub_claims;
mod large_count;
mod print;
mod report;
mod serve;
mod staff;
mod sync;
mod wallet;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use coupondesk_core::desk::BatchQuery;
use coupondesk_core::domain::print::{LabelLayout, LabelSymbol, PrintRequest};
use coupondesk_core::domain::{CodeStatus, PageRequest};
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::import::{
    ColumnChoice, EncodingChoice, HeaderChoice, ImportFormat, ImportOptions, ImportTarget,
};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::store::db_file::Creating;
use coupondesk_core::{ApiError, Desk, DeskError};

#[derive(Parser)]
#[command(
    name = "coupondesk",
    version,
    about = "CouponDesk back office, headless"
)]
struct Cli {
    /// The database file; default: the app's database in the OS data folder.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print results (and errors) as one JSON object.
    #[arg(long, global = true)]
    json: bool,
    /// The staff member acting; with the PIN in COUPONDESK_PIN or on stdin (--pin-stdin).
    /// Every command that changes data needs it once staff accounts exist. For `audit
    /// list` and `report redemptions` it is the filter: this staff member's entries or
    /// redemptions (nobody logs in).
    #[arg(long, global = true, value_name = "NAME")]
    staff: Option<String>,
    /// Read PINs from stdin, one per line: the acting staff member's (unless
    /// COUPONDESK_PIN has it), then a new account's (`staff add`, `staff reset-pin`).
    #[arg(long, global = true)]
    pin_stdin: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Code batches (spec 000 "ticket types").
    #[command(subcommand)]
    Batch(BatchCommand),
    /// The codes of a batch.
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Coupon templates (spec 001) and the batches linked to them.
    #[command(subcommand)]
    Template(counter::TemplateCommand),
    /// The counter: check, use and undo coupon codes, offline.
    #[command(subcommand)]
    Redeem(counter::RedeemCommand),
    /// The shop's settings: time zone, holidays, terminal, undo window, auto-lock.
    #[command(subcommand)]
    Settings(counter::SettingsCommand),
    /// Red-packet bonuses (spec 002): create, list by status, grant, disable, redeem.
    #[command(subcommand)]
    Bonus(wallet::BonusCommand),
    /// Exchange vouchers for a service (spec 003): sell, list, use.
    #[command(subcommand)]
    Voucher(wallet::VoucherCommand),
    /// The customer register bonuses and vouchers share.
    #[command(subcommand)]
    Customer(wallet::CustomerCommand),
    /// Sync with the five remote platforms: run, status, config, the outbox and its
    /// conflicts.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// The audit trail: list it, verify its hash chain, export it to CSV.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Staff accounts (the owner's): add, list, disable, reset a PIN.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// Chain mode: a PostgreSQL hub shared by the desks of a merchant (init, join,
    /// status).
    #[command(subcommand)]
    Hub(hub::HubCommand),
    /// The manager's reports: redemptions by day, template, batch, staff or terminal;
    /// reconciliation with the platforms' last pulls.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Bring the substring search index up to date.
    Index,
    /// Where the database is and which schema it has.
    Info,
    /// Create a new database (and its folder) at --db, or at the default place; a 0-byte
    /// file there becomes a database too. An existing database is left as it is.
    Init,
    /// Copy the database to FILE with SQLite's online backup: a consistent copy of what
    /// is committed, also while the app runs or an import writes. FILE is private (0600).
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists (else an existing FILE is refused).
        #[arg(long)]
        overwrite: bool,
    },
    /// Replace the database with the backup FILE, checked first; the database as it was
    /// is kept as <db>.before-restore. Close the app and other commands first.
    Restore { file: PathBuf },
    /// The development HTTP server: the command table over HTTP on 127.0.0.1, for the UI
    /// in a plain browser and its tests (prints its URL and a token; runs until stopped).
    Serve(serve::ServeArgs),
}

#[derive(Subcommand)]
enum BatchCommand {
    Create {
        #[arg(long = "type", value_name = "T")]
        ticket_type: String,
        #[arg(long)]
        name: String,
    },
    List {
        #[arg(long = "type", value_name = "T")]
        ticket_type: Option<String>,
        /// Substring of the name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    Show {
        #[arg(long = "type", value_name = "T")]
        ticket_type: String,
    },
}

#[derive(Args)]
struct PageArgs {
    #[arg(long, default_value_t = 1)]
    page: u32,
    #[arg(long, default_value_t = 10)]
    per_page: u32,
}

#[derive(Subcommand)]
enum CodesCommand {
    /// Import codes from a CSV file into a batch.
    Import {
        #[arg(long, value_name = "T")]
        batch: String,
        file: PathBuf,
        /// Header name, or 1-based column number.
        #[arg(long, value_name = "NAME|INDEX")]
        column: Option<String>,
        #[arg(long, value_enum, default_value = "auto")]
        encoding: EncodingArg,
        /// The first row is data, not a header.
        #[arg(long, conflicts_with = "header")]
        no_header: bool,
        /// The first row is a header (default: detected).
        #[arg(long)]
        header: bool,
        /// Create batch T with this name as part of the import.
        #[arg(long, value_name = "NAME")]
        new_batch_name: Option<String>,
        /// csv, xlsx or xls; default: by the file's extension (.xlsx, .xls; else CSV).
        #[arg(long, value_name = "FORMAT", value_parser = parse_import_format)]
        format: Option<ImportFormat>,
    },
    /// Generate random unique codes into a batch.
    Generate {
        #[arg(long, value_name = "T")]
        batch: String,
        /// At most 1000000; above 100000 only with --yes.
        #[arg(long)]
        count: u64,
        #[arg(long)]
        length: Option<u32>,
        #[arg(long)]
        prefix: Option<String>,
        /// Go ahead with more than 100000 codes.
        #[arg(long)]
        yes: bool,
    },
    List {
        #[arg(long, value_name = "T")]
        batch: String,
        #[arg(long, value_parser = parse_status)]
        status: Option<CodeStatus>,
        /// Case-sensitive substring of the code.
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Export a batch's codes to CSV (UTF-8 with BOM) or XLSX (codes as text cells).
    Export {
        #[arg(long, value_name = "T")]
        batch: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        export: export_args::ExportArgs,
    },
    /// Print a batch's codes (or --codes C1,C2,...) as A4 label sheets, PDF: each label
    /// a QR code or a Code 128 bar code, the code, the template's title and validity.
    Print {
        #[arg(long, value_name = "T")]
        batch: String,
        #[arg(long, value_enum, default_value_t = PrintLayout::L3x8)]
        layout: PrintLayout,
        #[arg(long, value_enum, default_value_t = PrintSymbol::Qr)]
        symbol: PrintSymbol,
        /// Only these codes of the batch, in this order.
        #[arg(long, value_name = "C1,C2,...", value_delimiter = ',')]
        codes: Option<Vec<String>>,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        /// The language of the printed words (the validity).
        #[arg(long, value_enum, default_value_t = report::Lang::ZhCn)]
        lang: report::Lang,
    },
    /// Disable an issued or active code for good (lost, leaked, refunded).
    Disable { code: String },
    /// Activate codes on e-Buy (issued -> active): the named codes, or the whole batch.
    Activate {
        #[arg(long, value_name = "T")]
        batch: String,
        codes: Vec<String>,
        /// e-Buy's makeFundsChannel in fen, e.g. '{"merchantRealAmount":1000}'.
        #[arg(long, value_name = "JSON")]
        funds: Option<String>,
    },
    /// Deactivate codes on e-Buy (active -> issued): the named codes, or the whole batch.
    Deactivate {
        #[arg(long, value_name = "T")]
        batch: String,
        codes: Vec<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PrintLayout {
    #[value(name = "3x8")]
    L3x8,
    #[value(name = "4x10")]
    L4x10,
    Cards,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PrintSymbol {
    Qr,
    Code128,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EncodingArg {
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(alias = "gb18030")]
    Gbk,
}

fn parse_status(s: &str) -> Result<CodeStatus, String> {
    CodeStatus::parse(s).ok_or_else(|| {
        let all: Vec<_> = CodeStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown status {s:?}; use one of {}", all.join(", "))
    })
}

fn parse_import_format(s: &str) -> Result<ImportFormat, String> {
    ImportFormat::parse(s)
        .ok_or_else(|| format!("{s:?} is not an import format; write csv, xlsx or xls"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            report(json, &e);
            return ExitCode::FAILURE;
        }
    };
    match print::output_lost() {
        None => code,
        Some(why) => {
            let e = ApiError::new(
                "output_lost",
                format!(
                    "could not write the output: {why}. The command itself finished and what \
                     it did stands (an import stays imported); free space or write the output \
                     elsewhere, and check the result with a read command before running it \
                     again"
                ),
            );
            report(json, &e);
            if code == ExitCode::SUCCESS {
                ExitCode::FAILURE
            } else {
                code
            }
        }
    }
}

/// The one error line on stderr; when stderr cannot be written either, the exit status
/// is all that is left to say it.
fn report(json: bool, e: &ApiError) {
    let line = if json {
        serde_json::to_string(e).unwrap_or_else(|_| e.message.clone())
    } else {
        format!("error: {}", e.message)
    };
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn api(e: DeskError) -> ApiError {
    ApiError::from(&e)
}

/// The database: a named one must exist or be creatable in a folder that exists, unless
/// this is `init`; the default one's folder is the app's own and is made when missing.
fn open(db: Option<PathBuf>, init: bool) -> Result<Desk, ApiError> {
    let (path, creating) = match db {
        Some(p) => (p, Creating::InExistingFolder),
        None => (
            Desk::default_db_path().map_err(api)?,
            Creating::OwnDataFolder,
        ),
    };
    let creating = if init { Creating::Init } else { creating };
    Desk::open_creating(&path, creating).map_err(api)
}

fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    let staff_given = cli.staff.is_some();
    let desk = open(cli.db.clone(), matches!(cli.command, Command::Init))?;
    // The dev server's staff log in through its commands (`staff_login`), like the window's.
    if let Command::Serve(args) = cli.command {
        serve::serve(desk, args, cli.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut pins = staff::Pins::read(cli.pin_stdin)?;
    // `audit list --staff S` and `report redemptions --staff S` filter by S and read
    // only: nobody logs in.
    let is_audit_list = matches!(
        cli.command,
        Command::Audit(audit::AuditCommand::List { .. }) | Command::Report(_)
    );
    let logged_in = match &cli.staff {
        Some(name) if !is_audit_list => staff::login(&desk, name, &mut pins)?,
        _ => false,
    };
    let explain = |e| {
        if logged_in {
            e
        } else {
            staff::explain_unauthenticated(e, staff_given)
        }
    };
    // Restore takes the Desk: its connections must close before the file is replaced.
    if let Command::Restore { file } = &cli.command {
        let report = desk.restore(file).map_err(api).map_err(explain)?;
        let text = format!(
            "restored {} into {} (the database before is kept as {})",
            report.from,
            report.db,
            report.before_restore.as_deref().unwrap_or("-")
        );
        print::Out { json: cli.json }.value(&report, &text)?;
        return Ok(ExitCode::SUCCESS);
    }
    run_command(cli.json, cli.staff, cli.command, &desk, &mut pins).map_err(explain)
}

fn run_command(
    json: bool,
    audit_staff: Option<String>,
    command: Command,
    desk: &Desk,
    pins: &mut staff::Pins,
) -> Result<ExitCode, ApiError> {
    let out = print::Out { json };
    match command {
        Command::Template(cmd) => return counter::template(desk, cmd, &out),
        Command::Redeem(cmd) => return counter::redeem(desk, cmd, &out),
        Command::Settings(cmd) => return counter::settings(desk, cmd, &out),
        Command::Bonus(cmd) => return wallet::bonus(desk, cmd, &out),
        Command::Voucher(cmd) => return wallet::voucher(desk, cmd, &out),
        Command::Customer(cmd) => return wallet::customer(desk, cmd, &out),
        Command::Sync(cmd) => return sync::sync(desk, cmd, &out),
        Command::Audit(cmd) => return audit::audit(desk, cmd, audit_staff, &out),
        Command::Staff(cmd) => return staff::staff(desk, cmd, pins, &out),
        Command::Hub(cmd) => return hub::hub(desk, cmd, &out),
        Command::Report(cmd) => return report::report(desk, cmd, audit_staff, &out),
        Command::Codes(CodesCommand::Activate {
            batch,
            codes,
            funds,
        }) => return sync::activate(desk, batch, codes, Some(funds), &out),
        Command::Codes(CodesCommand::Deactivate { batch, codes }) => {
            return sync::activate(desk, batch, codes, None, &out)
        }
        Command::Codes(CodesCommand::Disable { code }) => {
            let status = desk.disable_code(&code)?;
            out.value(
                &serde_json::json!({ "code": code.trim(), "status": status }),
                &format!("{} is now {status}", code.trim()),
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    match command {
        Command::Batch(BatchCommand::Create { ticket_type, name }) => {
            out.batch(&desk.create_batch(&ticket_type, &name)?)
        }
        Command::Batch(BatchCommand::List {
            ticket_type,
            name,
            page,
        }) => {
            let q = BatchQuery {
                ticket_type,
                name,
                page: PageRequest {
                    page: page.page,
                    per_page: page.per_page,
                },
            };
            out.batches(&desk.list_batches(&q)?)
        }
        Command::Batch(BatchCommand::Show { ticket_type }) => {
            out.batch(&desk.get_batch(&ticket_type)?)
        }
        Command::Codes(CodesCommand::Import {
            batch,
            file,
            column,
            encoding,
            no_header,
            header,
            new_batch_name,
            format,
        }) => {
            let options = ImportOptions {
                format,
                encoding: match encoding {
                    EncodingArg::Auto => EncodingChoice::Auto,
                    EncodingArg::Utf8 => EncodingChoice::Utf8,
                    EncodingArg::Gbk => EncodingChoice::Gbk,
                },
                header: match (header, no_header) {
                    (true, _) => HeaderChoice::Present,
                    (_, true) => HeaderChoice::Absent,
                    _ => HeaderChoice::Auto,
                },
                column: column.as_deref().map(ColumnChoice::from_arg),
            };
            let target = match new_batch_name {
                Some(name) => ImportTarget::New {
                    ticket_type: batch,
                    name,
                },
                None => ImportTarget::Existing(batch),
            };
            let tty = std::io::stderr().is_terminal();
            let mut progress = |p: coupondesk_core::import::ImportProgress| {
                // Progress is a courtesy: a stderr that cannot be written loses it, nothing more.
                if tty {
                    let _ = write!(
                        std::io::stderr(),
                        "\r{} rows read, {} imported ({}%)",
                        p.rows_read,
                        p.imported,
                        (p.bytes_read * 100).checked_div(p.bytes_total).unwrap_or(0)
                    );
                }
            };
            let report =
                desk.import_codes(&file, &target, &options, &CancelToken::new(), &mut progress)?;
            if tty {
                let _ = writeln!(std::io::stderr());
            }
            out.import(&report)
        }
        Command::Codes(CodesCommand::Generate {
            batch,
            count,
            length,
            prefix,
            yes,
        }) => {
            large_count::confirmed(count, large_count::CODES, "codes", yes)?;
            let req = GenerateRequest {
                ticket_type: batch,
                count,
                length,
                prefix,
            };
            let report = desk.generate_codes(&req, &CancelToken::new(), &mut |_| {})?;
            out.generate(&report)
        }
        Command::Codes(CodesCommand::List {
            batch,
            status,
            search,
            page,
        }) => {
            let q = CodeQuery {
                ticket_type: batch,
                status,
                search,
                page: PageRequest {
                    page: page.page,
                    per_page: page.per_page,
                },
            };
            out.codes(&desk.list_codes(&q)?)
        }
        Command::Codes(CodesCommand::Export {
            batch,
            out: file,
            export,
        }) => {
            let opts = export.options();
            let report =
                desk.export_codes(&batch, &file, &opts, &CancelToken::new(), &mut |_| {})?;
            out.export(&report)
        }
        Command::Codes(CodesCommand::Print {
            batch,
            layout,
            symbol,
            codes,
            out: file,
            lang,
        }) => {
            let request = PrintRequest {
                ticket_type: batch,
                layout: match layout {
                    PrintLayout::L3x8 => LabelLayout::L3x8,
                    PrintLayout::L4x10 => LabelLayout::L4x10,
                    PrintLayout::Cards => LabelLayout::Cards,
                },
                symbol: match symbol {
                    PrintSymbol::Qr => LabelSymbol::Qr,
                    PrintSymbol::Code128 => LabelSymbol::Code128,
                },
                codes,
                lang: lang.core(),
            };
            let report = desk.print_codes(&request, &file, &CancelToken::new(), &mut |_| {})?;
            let text = format!(
                "{} codes printed to {} ({} ms)",
                report.rows, report.path, report.elapsed_ms
            );
            out.value(&report, &text)
        }
        Command::Index => {
            let n = desk.build_search_index(&CancelToken::new())?;
            out.value(
                &serde_json::json!({ "indexed": n }),
                &format!("indexed {n} codes"),
            )
        }
        // `init` made the database when it opened it; both say where it is.
        Command::Info | Command::Init => {
            let info = desk.info()?;
            let text = format!(
                "database {} (schema {}), CouponDesk {}",
                info.db_path, info.schema_version, info.version
            );
            out.value(&info, &text)
        }
        Command::Backup {
            out: file,
            overwrite,
        } => {
            let report = desk.backup_to(&file, overwrite)?;
            let text = format!("backed up to {} ({} bytes)", report.path, report.bytes);
            out.value(&report, &text)
        }
        Command::Template(_)
        | Command::Restore { .. }
        | Command::Redeem(_)
        | Command::Settings(_)
        | Command::Bonus(_)
        | Command::Voucher(_)
        | Command::Customer(_)
        | Command::Sync(_)
        | Command::Audit(_)
        | Command::Staff(_)
        | Command::Hub(_)
        | Command::Report(_)
        | Command::Codes(CodesCommand::Activate { .. })
        | Command::Codes(CodesCommand::Deactivate { .. })
        | Command::Codes(CodesCommand::Disable { .. })
        | Command::Serve(_) => Ok(()),
    }
    .map(|()| ExitCode::SUCCESS)
}
