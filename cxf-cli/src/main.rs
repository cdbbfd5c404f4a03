//! `cxf`: inspect, validate and convert credential exports; run CXP transfers.
//!
//! The binary is thin: it parses arguments, calls the `cxf`/`cxp` libraries and prints.
//! Exit codes: 0 success; 1 invalid input or a refused operation; 2 usage or I/O error.

// `output` first: its printing macros are used by the commands.
#[macro_use]
mod output;
mod commands;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Move passwords, passkeys, TOTP seeds, cards and notes between password managers with the
/// FIDO Credential Exchange Format (CXF).
#[derive(Debug, Parser)]
#[command(name = "cxf", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  cxf inspect export.json\n  cxf validate export.json\n  cxf convert bare-account.json --to cxf -o export.cxf.json\n  cxf schema > cxf-1.0.schema.json\n\nExit codes: 0 success, 1 invalid input or refused, 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Summarise a CXF file (or another manager's export, read as CXF): exporter, accounts,
    /// items and credentials by type, passkeys by relying party, normalisations. Never prints a
    /// secret.
    Inspect(commands::inspect::InspectArgs),
    /// Check CXF files against the CXF 1.0 rules; exit 1 when one has an error (or, with
    /// --strict, a warning).
    Validate(commands::validate::ValidateArgs),
    /// Convert a password manager's export to another format, with CXF as the hub.
    Convert(commands::convert::ConvertArgs),
    /// List the export formats that can be read and written.
    Formats(commands::formats::FormatsArgs),
    /// CXP importer, file-based: write an export request and keep the private key.
    Request(commands::request::RequestArgs),
    /// CXP exporter, file-based: encrypt a CXF export to an export request.
    Respond(commands::respond::RespondArgs),
    /// CXP importer, file-based: decrypt an export response with the key from `request`.
    Open(commands::open::OpenArgs),
    /// Re-encrypt an export response to another request without writing plaintext.
    Reencrypt(commands::reencrypt::ReencryptArgs),
    /// CXP importer, live: show a pairing code, wait for `cxf send`, write what arrives.
    Receive(commands::receive::ReceiveArgs),
    /// CXP exporter, live: send a vault to a waiting `cxf receive` over the local secure channel.
    Send(commands::send::SendArgs),
    /// Print the JSON Schema (2020-12) of CXF 1.0: the structural rules, for other tools.
    Schema(commands::schema::SchemaArgs),
    /// Run the CXF conformance suite (fixtures/manifest.json) against an implementation's
    /// adapter command, or against this toolkit's library; print pass/fail/lossy per kind.
    Conformance(commands::conformance::ConformanceArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::install_interrupt_cleanup();
    let result = match cli.command {
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Convert(args) => commands::convert::run(args),
        Command::Formats(args) => commands::formats::run(args),
        Command::Request(args) => commands::request::run(args),
        Command::Respond(args) => commands::respond::run(args),
        Command::Open(args) => commands::open::run(args),
        Command::Reencrypt(args) => commands::reencrypt::run(args),
        Command::Receive(args) => commands::receive::run(args),
        Command::Send(args) => commands::send::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Conformance(args) => commands::conformance::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => output::report_error(&err),
    }
}
