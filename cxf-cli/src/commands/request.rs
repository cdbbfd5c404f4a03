//! `cxf request`: start a file-based (indirect) CXP import: write an export request and keep
//! the private keys in a key file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use cxp::roles::{Importer, ImporterConfig};

use super::transfer::DEFAULT_RP_ID;
use crate::output::{Output, write_atomic};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf request -o request.json --key-out importer.key --importer vault.example\n\nGive request.json to the exporting password manager (`cxf respond`); keep importer.key\nprivate: it opens the response (`cxf open`) and is deleted after use."
)]
pub(crate) struct RequestArgs {
    /// Where to write the export request (`-` or absent: stdout).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Where to write the private importer key (mode 0600). Required.
    #[arg(long, value_name = "FILE")]
    key_out: PathBuf,
    /// The importer's RP id, shown to the exporter (self-asserted).
    #[arg(long, value_name = "RPID", default_value = DEFAULT_RP_ID)]
    importer: String,
    /// Replace existing output files.
    #[arg(long)]
    overwrite: bool,
}

pub(crate) fn run(args: RequestArgs) -> Result<ExitCode> {
    if args.key_out.as_os_str() == "-" {
        bail!("--key-out -: the private key is never written to stdout; give a file name");
    }
    let output = Output::from_arg(args.output.as_deref());
    output.check(false, args.overwrite)?;
    if !args.overwrite && args.key_out.exists() {
        bail!(
            "{} already exists: choose another name or pass --overwrite",
            args.key_out.display()
        );
    }
    let (pending, request) = Importer::new(ImporterConfig::new(args.importer));
    // Key first: a request without its key would be useless.
    write_atomic(&args.key_out, &pending.to_key_file(), args.overwrite)
        .context("cannot write the importer key")?;
    let mut bytes = request.binding_bytes().into_owned();
    bytes.push(b'\n');
    // Readers leave surrounding whitespace out of the request binding, so the newline is safe.
    output.write(&bytes, args.overwrite)?;
    errln!(
        "wrote an export request offering {} suites; private key in {} (keep it secret)",
        request.hpke.len(),
        args.key_out.display()
    );
    Ok(ExitCode::SUCCESS)
}
