//! `cxf send`: the exporter side of a live transfer over the local secure channel.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use cxp::channel::{Address, ConnectOptions, PairingCode, connect};
use cxp::messages::ExportRequest;
use cxp::roles::Exporter;

use super::live::{ProgressLine, channel_error};
use super::source::{format_arg, read_source};
use super::transfer::{DEFAULT_RP_ID, profile};
use crate::output::{Invalid, safe};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf send export.cxf.json --code 7KD-4QX-9MZ\n  cxf send export.cxf.json                 (asks for the code)\n  cxf send export.cxf.json --code 7KD-4QX-9MZ --to unix:/run/user/1000/cxf/r-1/socket\n\nWithout --to, the single receiver waiting for this user is found automatically. Typing the\ncode at the prompt keeps it out of the process list."
)]
pub(crate) struct SendArgs {
    /// The vault to send (any readable format; `-` for stdin).
    input: PathBuf,
    /// Format of the input; detected from the content when absent.
    #[arg(long, value_name = "FORMAT")]
    from: Option<String>,
    /// File holding the password of a password-protected export.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// The pairing code the receiver shows; asked for on the terminal when absent.
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
    /// The receiver's address (`unix:PATH` or `tcp:127.0.0.1:PORT`); found automatically when
    /// absent.
    #[arg(long, value_name = "ADDRESS")]
    to: Option<String>,
    /// The exporter's RP id written in the response.
    #[arg(long, value_name = "RPID", default_value = DEFAULT_RP_ID)]
    exporter: String,
    /// Packaging profile of the encrypted payload.
    #[arg(long, value_name = "NAME", default_value = "cxf-toolkit-v1")]
    profile: String,
    /// Seconds any single read or write may take.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    io_timeout: u64,
}

fn read_code(arg: Option<String>) -> Result<PairingCode> {
    let text = match arg {
        Some(code) => code,
        None => {
            if std::io::stdin().is_terminal() {
                crate::output::print_err(format_args!("Pairing code: "));
            }
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the pairing code")?;
            line
        }
    };
    text.trim().parse::<PairingCode>().map_err(|e| {
        anyhow::anyhow!("{e}: type the code exactly as the receiver shows it (e.g. 7KD-4QX-9MZ)")
    })
}

pub(crate) fn run(args: SendArgs) -> Result<ExitCode> {
    let from = args
        .from
        .as_deref()
        .map(|f| format_arg("--from", f))
        .transpose()?;
    if args.io_timeout == 0 {
        anyhow::bail!("--io-timeout must be at least 1 second");
    }
    let profile = profile(&args.profile)?;
    let address = match &args.to {
        Some(a) => Some(
            a.parse::<Address>()
                .map_err(|e| anyhow::anyhow!("--to {a}: {e}"))?,
        ),
        None => None,
    };
    if args.input.as_os_str() == "-" && args.code.is_none() {
        anyhow::bail!(
            "reading the vault from stdin needs --code (stdin cannot also carry the code)"
        );
    }
    let source = read_source(&args.input, from, args.password_file.as_deref())?;
    if !source.loss.is_empty() {
        errln!(
            "not carried from {} into CXF ({}):",
            source.format,
            source.loss.len()
        );
        for line in source.loss.to_string().lines().take(50) {
            errln!("  {}", safe(line));
        }
    }
    let code = read_code(args.code)?;

    let mut options = ConnectOptions::default();
    options.io_timeout = Duration::from_secs(args.io_timeout);
    let mut channel = connect(address.as_ref(), &code, &options).map_err(channel_error)?;
    drop(code);
    errln!("Paired; waiting for the export request");
    let request_bytes = channel.recv().map_err(channel_error)?;
    let request = ExportRequest::from_json(&request_bytes).map_err(|e| {
        Invalid(format!(
            "the receiver's export request is not readable: {e}"
        ))
    })?;

    let exporter = Exporter::new(args.exporter).with_profile(profile);
    let (message, refused) = match exporter.respond_document(&request, &source.document) {
        Ok(response) => (response.to_json_vec(), None),
        Err(refusal) => (refusal.to_json_vec(), Some(refusal.error)),
    };
    let mut progress = ProgressLine::new("sending");
    let sent = channel.send_with_progress(&message, |p| progress.update(p));
    progress.finish();
    sent.map_err(channel_error)?;
    channel.close();
    if let Some(error) = refused {
        return Err(Invalid(format!(
            "the receiver's request cannot be answered ({error}); it was told so and wrote nothing"
        ))
        .into());
    }
    let summary = cxf::Summary::of(&source.document);
    errln!(
        "sent {} items ({} credentials) to {}",
        summary.items,
        summary.credentials,
        safe(&request.importer.rp_id)
    );
    Ok(ExitCode::SUCCESS)
}
