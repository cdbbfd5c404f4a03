//! `cxf open`: decrypt an export response with the key from `cxf request` (importer side).

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;
use cxf::formats::stream::{StreamOptions, convert_stream};
use cxf::formats::{ConvertError, Format, ReadOptions, WriteOptions};
use cxp::roles::ImportError;

use super::transfer::{read_key, read_response};
use crate::output::{Invalid, Output, Staged, StreamedOutput, safe};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf open --response response.json --key importer.key -o export.cxf.json\n  cxf open --response response.json --key importer.key -o export.cxf.json --require-binding\n\nThe key is single use: it is deleted after a successful open unless --keep-key is given.\nThe decrypted export holds credentials in plaintext: it is never printed to a terminal."
)]
pub(crate) struct OpenArgs {
    /// The exporter's response.
    #[arg(long, value_name = "FILE")]
    response: PathBuf,
    /// The importer key written by `cxf request`.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Where to write the decrypted CXF (`-` or absent: stdout, refused on a terminal).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    overwrite: bool,
    /// Do not delete the key file after a successful open.
    #[arg(long)]
    keep_key: bool,
    /// Indent the output.
    #[arg(long)]
    pretty: bool,
    /// Refuse a response whose packaging profile does not bind this request (e.g.
    /// bitwarden-2024): only then does a request changed on the way fail to open.
    #[arg(long)]
    require_binding: bool,
}

pub(crate) fn run(args: OpenArgs) -> Result<ExitCode> {
    let output = Output::from_arg(args.output.as_deref());
    output.check(true, args.overwrite)?;
    let response = read_response(&args.response)?;
    let mut pending = read_key(&args.key)?;
    if args.require_binding {
        pending = pending.require_binding();
    }
    // The response is handed over: its payload is decrypted in place and dropped before the
    // plaintext is inflated; the plaintext is then written out a chunk of items at a time
    // (never a whole document beside it), so a large export is in memory about once.
    let exporter = response.exporter.rp_id.clone();
    let cannot_open = |e: ImportError| {
        let hint = match e {
            ImportError::UnboundProfile => {
                "; ask the exporter for the cxf-toolkit-v1 profile, or open without \
                 --require-binding if you trust the way the request travelled"
            }
            _ => "; check that it answers the request made with this key",
        };
        Invalid(format!(
            "cannot open {}: {e}{hint}",
            args.response.display()
        ))
    };
    let plaintext = pending.open_owned(response).map_err(cannot_open)?;
    let staged = match &output {
        Output::File(path) => Some(Staged::create(path)?),
        Output::Stdout => None,
    };
    let mut options = StreamOptions::default().without_keeping_loss();
    options.compact = !args.pretty;
    let mut output_failed = false;
    let written = {
        let mut out = StreamedOutput::new(staged.as_ref(), &mut output_failed);
        let result = convert_stream(
            std::io::Cursor::new(&plaintext[..]),
            Some(Format::Cxf),
            Format::Cxf,
            &ReadOptions::default(),
            &WriteOptions::default(),
            &options,
            &mut out,
            &mut |_| {},
        );
        result.and_then(|r| out.flush().map(|()| r).map_err(ConvertError::Io))
    };
    drop(plaintext);
    let streamed = match written {
        Ok(streamed) => streamed,
        Err(ConvertError::Io(e)) => return Err(e).context("cannot write the export"),
        // A payload that decrypts but is not CXF is told as any failure to open (opaque).
        Err(_) => return Err(cannot_open(ImportError::DecryptionFailed).into()),
    };
    if let Some(staged) = staged {
        staged
            .file()
            .sync_all()
            .context("cannot write the export")?;
        staged.commit(args.overwrite)?;
    }
    if !args.keep_key {
        if let Err(e) = std::fs::remove_file(&args.key) {
            errln!(
                "warning: cannot delete {}: {e}; delete it by hand",
                args.key.display()
            );
        }
    }
    errln!(
        "decrypted {} items ({} credentials) from {} (self-asserted, not authenticated)",
        streamed.items,
        streamed.credentials,
        safe(&exporter)
    );
    Ok(ExitCode::SUCCESS)
}
