//! `remote-sim [--port N] [--seed N] [--faults JSON] [--spec-literal] [--tls [--ca-out FILE]]`:
//! serves the five simulated
//! platforms on 127.0.0.1 until killed, after printing its base URL and credentials.
//! Port 8765 unless told (0 picks a free one), so demos and manual tests find it at a
//! fixed URL. This is the only way to run the simulator as a process: the shipped
//! `coupondesk` CLI does not link it.

use coupondesk_remote_sim::{Faults, Sim, SimConfig};
use std::io::Write;

fn usage() -> ! {
    eprintln!(
        "usage: remote-sim [--port N] [--seed N] [--faults JSON] [--spec-literal] [--tls [--ca-out FILE]]"
    );
    std::process::exit(2);
}

fn main() {
    let mut cfg = SimConfig {
        port: 8765,
        ..SimConfig::default()
    };
    let mut ca_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--port" => cfg.port = val().parse().unwrap_or_else(|_| usage()),
            "--seed" => cfg.seed = val().parse().unwrap_or_else(|_| usage()),
            "--faults" => {
                cfg.faults = serde_json::from_str::<Faults>(&val()).unwrap_or_else(|e| {
                    eprintln!("--faults: {e}");
                    std::process::exit(2)
                })
            }
            "--spec-literal" => cfg.spec_literal = true,
            "--tls" => cfg.tls = true,
            "--ca-out" => ca_out = Some(val()),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if ca_out.is_some() && !cfg.tls {
        eprintln!("remote-sim: --ca-out needs --tls");
        std::process::exit(2);
    }
    let port = cfg.port;
    let sim = match Sim::start(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("remote-sim: cannot listen on port {port}: {e}; try --port 0");
            std::process::exit(1);
        }
    };
    println!("{}", sim.describe());
    if let (Some(path), Some(pem)) = (ca_out, sim.ca_pem()) {
        if let Err(e) = std::fs::write(&path, pem) {
            eprintln!("remote-sim: cannot write the CA to {path}: {e}");
            std::process::exit(1);
        }
        println!("CA certificate (PEM) written to {path}");
    }
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
