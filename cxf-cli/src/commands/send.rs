//! `cxf send`: the exporter side of a live transfer over the local secure channel.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use cxp::channel::{Address, Channel, ConnectOptions, PairingCode, connect};
use cxp::messages::ExportRequest;
use cxp::roles::Exporter;
use zeroize::Zeroizing;

use super::live::channel_error;
use super::source::{Source, column_map, format_arg, read_source};
use super::transfer::{DEFAULT_RP_ID, profile};
use crate::output::{Invalid, safe};
use crate::progress::ProgressLine;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf send export.cxf.json                 (asks for the code the receiver shows)\n  cxf send export.cxf.json --code-file code.txt\n  printf '%s\\n' \"$CODE\" | cxf send export.cxf.json --code-file -\n  cxf send export.cxf.json --to unix:/run/user/1000/cxf/r-1/socket\n\nWithout --to, the single receiver waiting for this user is found automatically.\nKeep the code off the command line: every process can read a command line\n(/proc/PID/cmdline), and one that watches for it could pair first. `--code CODE` still works\nbut warns. Without a terminal, use --code-file."
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
    /// With `--from generic-csv`: which column holds what (ROLE=COLUMN pairs, as in
    /// `cxf convert --columns`).
    #[arg(long, value_name = "ROLE=COLUMN,...")]
    columns: Option<String>,
    /// File holding the pairing code the receiver shows (`-`: read it from stdin). Without it,
    /// the code is asked for on the terminal.
    #[arg(long, value_name = "FILE", conflicts_with = "code")]
    code_file: Option<PathBuf>,
    /// The pairing code on the command line. Discouraged: other processes can read it (use the
    /// prompt or --code-file).
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

/// The warning printed when the code comes from the command line.
const CODE_ARG_WARNING: &str = "warning: --code puts the pairing code on the command line, where \
     any process on this machine can read it (/proc/PID/cmdline) and pair first; type it at the \
     prompt or use --code-file FILE instead";

/// Where the pairing code comes from.
enum CodeSource {
    /// `--code CODE` (warned about).
    Argument(Zeroizing<String>),
    /// `--code-file FILE` (`-`: stdin).
    File(PathBuf),
    /// The terminal (stdin is one).
    Prompt,
}

impl CodeSource {
    /// Chooses the source; without a terminal and without `--code-file`/`--code`, a usage
    /// error (exit 2).
    fn from_args(code: Option<String>, code_file: Option<PathBuf>) -> Result<CodeSource> {
        if let Some(code) = code {
            errln!("{CODE_ARG_WARNING}");
            return Ok(CodeSource::Argument(Zeroizing::new(code)));
        }
        if let Some(file) = code_file {
            return Ok(CodeSource::File(file));
        }
        if std::io::stdin().is_terminal() {
            return Ok(CodeSource::Prompt);
        }
        anyhow::bail!(
            "no pairing code: stdin is not a terminal to ask for it; pass --code-file FILE \
             (or --code-file - to read it from stdin)"
        )
    }

    fn reads_stdin(&self) -> bool {
        match self {
            CodeSource::Argument(_) => false,
            CodeSource::File(f) => f.as_os_str() == "-",
            CodeSource::Prompt => true,
        }
    }

    /// Reads the code. It is never logged; its text is wiped once parsed.
    fn read(self) -> Result<PairingCode> {
        let text = match self {
            CodeSource::Argument(code) => code,
            CodeSource::File(path) if path.as_os_str() == "-" => read_line_stdin()?,
            CodeSource::File(path) => {
                let bytes = Zeroizing::new(std::fs::read(&path).with_context(|| {
                    format!("cannot read the pairing code from {}", path.display())
                })?);
                let text = std::str::from_utf8(&bytes).map_err(|_| {
                    anyhow::anyhow!("{} does not hold a pairing code (not text)", path.display())
                })?;
                Zeroizing::new(text.to_owned())
            }
            CodeSource::Prompt => {
                crate::output::print_err(format_args!("Pairing code: "));
                read_line_stdin()?
            }
        };
        text.trim().parse::<PairingCode>().map_err(|e| {
            anyhow::anyhow!(
                "{e}: type the code exactly as the receiver shows it (e.g. 7KD-4QX-9MZ)"
            )
        })
    }
}

fn read_line_stdin() -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::with_capacity(64));
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the pairing code")?;
    Ok(line)
}

/// Reads the vault and reports what reading it could not carry into CXF.
fn read_vault(
    input: &Path,
    from: Option<cxf::formats::Format>,
    password_file: Option<&Path>,
    columns: Option<cxf::formats::ColumnMap>,
) -> Result<Source> {
    let source = read_source(input, from, password_file, columns)?;
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
    Ok(source)
}

pub(crate) fn run(args: SendArgs) -> Result<ExitCode> {
    let from = args
        .from
        .as_deref()
        .map(|f| format_arg("--from", f))
        .transpose()?;
    let columns = column_map(from, args.columns.as_deref())?;
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
    let code_source = CodeSource::from_args(args.code, args.code_file)?;
    if args.input.as_os_str() == "-" && code_source.reads_stdin() {
        anyhow::bail!(
            "reading the vault from stdin needs the code from --code-file FILE (stdin cannot \
             carry both)"
        );
    }
    let mut options = ConnectOptions::default();
    options.io_timeout = Duration::from_secs(args.io_timeout);
    let connect_with = |code: PairingCode| -> Result<Channel> {
        let channel = connect(address.as_ref(), &code, &options).map_err(channel_error)?;
        drop(code);
        Ok(channel)
    };
    // A code from the command line is visible from the moment the process starts: pair at once
    // (before the vault is read, which may take seconds) to shorten the window in which another
    // process could use it. Otherwise read the vault first, so that a bad input never uses up
    // the receiver's single pairing attempt.
    let (source, mut channel) = if matches!(code_source, CodeSource::Argument(_)) {
        let channel = connect_with(code_source.read()?)?;
        (
            read_vault(&args.input, from, args.password_file.as_deref(), columns)?,
            channel,
        )
    } else {
        let source = read_vault(&args.input, from, args.password_file.as_deref(), columns)?;
        let channel = connect_with(code_source.read()?)?;
        (source, channel)
    };
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
