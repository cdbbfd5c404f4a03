//! `cxf receive`: the importer side of a live transfer over the local secure channel.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use cxp::channel::{Listener, ListenerOptions, Transport};
use cxp::messages::{ErrorResponse, Message, ResponseMode};
use cxp::roles::{ImportError, Importer, ImporterConfig};

use super::live::channel_error;
use super::source::format_arg;
use super::transfer::DEFAULT_RP_ID;
use crate::output::{Invalid, Output, safe};
use crate::progress::ProgressLine;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf receive -o vault.cxf.json\n      (then, in the exporting tool: cxf send export.json, and type the code when asked)\n\nstderr always carries two lines in this stable form, for scripts:\n  Pairing code: CODE\n  Listening on: ADDRESS\nThe receiver accepts one connection: a wrong code closes it. Nothing is written unless the\nwhole vault arrived, decrypted and parsed."
)]
pub(crate) struct ReceiveArgs {
    /// Where to write the received vault (`-` or absent: stdout, refused on a terminal).
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Format to write (`cxf formats` lists the writable ones).
    #[arg(long, value_name = "FORMAT", default_value = "cxf")]
    format: String,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    overwrite: bool,
    /// The importer's RP id sent in the export request.
    #[arg(long, value_name = "RPID", default_value = DEFAULT_RP_ID)]
    importer: String,
    /// Listen on loopback TCP instead of a Unix socket (for systems without Unix sockets).
    #[arg(long)]
    tcp: bool,
    /// Seconds to wait for the sender to connect.
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    timeout: u64,
    /// Refuse a response whose packaging profile does not bind the request (e.g.
    /// bitwarden-2024).
    #[arg(long)]
    require_binding: bool,
    /// Seconds any single read or write may take once connected.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    io_timeout: u64,
}

pub(crate) fn run(args: ReceiveArgs) -> Result<ExitCode> {
    let format = format_arg("--format", &args.format)?;
    if !format.can_write() {
        anyhow::bail!(
            "--format {format}: this format can be read but not written (see `cxf formats`)"
        );
    }
    if args.timeout == 0 || args.io_timeout == 0 {
        anyhow::bail!("--timeout and --io-timeout must be at least 1 second");
    }
    let output = Output::from_arg(args.output.as_deref());
    output.check(true, args.overwrite)?;

    let mut options = ListenerOptions::default();
    options.transport = if args.tcp {
        Transport::LoopbackTcp
    } else {
        Transport::Unix
    };
    options.accept_timeout = Duration::from_secs(args.timeout);
    options.io_timeout = Duration::from_secs(args.io_timeout);
    let listener = Listener::bind(options)
        .map_err(channel_error)
        .context("cannot start listening")?;
    {
        let code = listener.pairing_code().expose();
        errln!("Pairing code: {}", code.as_str());
        errln!("Listening on: {}", listener.address());
        // The suggested command never carries the code: a command line is readable by every
        // process, and one that watches for it could pair first.
        errln!("Waiting for the sender: run `cxf send FILE` and type this code when asked");
    }
    let mut channel = listener.accept().map_err(channel_error)?;
    errln!("Paired; sending the export request");

    let mut config = ImporterConfig::new(args.importer);
    config.mode = Some(ResponseMode::Direct);
    let (mut pending, _request) = Importer::new(config);
    if args.require_binding {
        pending = pending.require_binding();
    }
    channel
        .send(pending.request_bytes())
        .map_err(channel_error)?;

    let mut progress = ProgressLine::new("receiving");
    let received = channel.recv_with_progress(|p| progress.update(p));
    progress.finish();
    let received = received.map_err(channel_error)?;
    let response = match Message::from_json(&received) {
        Ok(Message::Response(r)) => r,
        Ok(Message::Error(ErrorResponse { error, .. })) => {
            return Err(Invalid(format!(
                "the sender refused the request with \"{}\"; nothing was written",
                safe(error.as_str())
            ))
            .into());
        }
        Ok(Message::Request(_)) => {
            return Err(
                Invalid("the sender answered with a request, not a response".into()).into(),
            );
        }
        Err(e) => {
            return Err(Invalid(format!("the sender's answer is not a CXP response: {e}")).into());
        }
    };
    let parsed = pending.open_document(&response, &cxf::Limits::default()).map_err(|e| {
        let hint = match e {
            ImportError::DecryptionFailed => {
                "; the response was not made for this request (a replayed or tampered response?)"
            }
            _ => "",
        };
        Invalid(format!("cannot open the sender's response: {e}{hint}; nothing was written"))
    })?;
    channel.close();

    let doc = &parsed.document;
    let (out, loss) = cxf::formats::write(format, doc)
        .map_err(|e| anyhow::anyhow!("cannot write {format}: {e}; nothing was written"))?;
    output.write(&out, args.overwrite)?;
    if !loss.is_empty() {
        errln!("not carried by {format} ({}):", loss.len());
        for line in loss.to_string().lines().take(50) {
            errln!("  {}", safe(line));
        }
    }
    let summary = cxf::Summary::of(doc);
    errln!(
        "received {} items ({} credentials) from {}{}",
        summary.items,
        summary.credentials,
        safe(&doc.exporter_display_name),
        match &args.output {
            Some(p) => format!("; written to {}", safe(&p.display().to_string())),
            None => String::new(),
        }
    );
    Ok(ExitCode::SUCCESS)
}
