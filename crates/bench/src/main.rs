//! `coupondesk-bench`: benchmarks that print a rate beside a baseline measured in the same
//! run (docs/benchmarks.md). A crate of its own so the shipped `coupondesk` CLI does not
//! link the simulator the `sync` benchmark talks to.
//!
//! Exit status 0 on success; 1 with a one-line error on stderr otherwise (with --json that
//! line is the `{code, message, fields}` object); 2 for a malformed command line.

mod bench;
mod excel;
mod hub;
mod hub_batch_add;
mod hub_claims;
mod out;
mod print;
mod redeem;
mod redeem_load;
mod report;
mod soak;
mod startup;
mod startup_db;
mod sync;
mod undo;

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "coupondesk-bench",
    version,
    about = "CouponDesk benchmarks, each beside a baseline measured in the same run"
)]
struct Cli {
    /// Print the result (and errors) as one JSON object.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: bench::BenchCommand,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = out::Out { json: cli.json };
    match bench::run(cli.command, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if cli.json {
                let body = serde_json::to_string(&e).unwrap_or_else(|_| e.message.clone());
                eprintln!("{body}");
            } else {
                eprintln!("error: {}", e.message);
            }
            ExitCode::FAILURE
        }
    }
}
