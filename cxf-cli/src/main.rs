//! `cxf`: inspect, validate and convert credential exports; run CXP transfers.
//!
//! The binary is thin: it parses arguments, calls the `cxf`/`cxp` libraries and prints.
//! Exit codes: 0 success; 1 invalid input or a refused operation; 2 usage or I/O error.

mod commands;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Move passwords, passkeys, TOTP seeds, cards and notes between password managers with the
/// FIDO Credential Exchange Format (CXF).
#[derive(Debug, Parser)]
#[command(name = "cxf", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  cxf inspect export.json\n  cxf validate export.json\n  cxf convert bare-account.json --to cxf -o export.cxf.json\n\nExit codes: 0 success, 1 invalid input or refused, 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Summarise a CXF file: exporter, accounts, items and credentials by type, passkeys by
    /// relying party, normalisations. Never prints a secret.
    Inspect(commands::inspect::InspectArgs),
    /// Check CXF files against the CXF 1.0 rules; exit 1 when one has an error (or, with
    /// --strict, a warning).
    Validate(commands::validate::ValidateArgs),
    /// Convert a credential export to another format (today: any CXF shape to canonical CXF 1.0).
    Convert(commands::convert::ConvertArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Convert(args) => commands::convert::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => output::report_error(&err),
    }
}
