//! `cxf reencrypt`: hand an encrypted export to another importer without writing it in
//! plaintext anywhere.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use cxp::roles::{Exporter, ReencryptError};

use super::transfer::{DEFAULT_RP_ID, profile, read_key, read_request, read_response};
use crate::output::{Invalid, Output};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf reencrypt --response response.json --key importer.key --request other-request.json -o new-response.json\n\nThe plaintext only exists in memory (wiped after use). The key is deleted after success\nunless --keep-key is given."
)]
pub(crate) struct ReencryptArgs {
    /// The response to re-encrypt.
    #[arg(long, value_name = "FILE")]
    response: PathBuf,
    /// The importer key that opens it.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The other importer's export request.
    #[arg(long, value_name = "FILE")]
    request: PathBuf,
    /// Where to write the new response (`-` or absent: stdout).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The RP id to put in the new response.
    #[arg(long, value_name = "RPID", default_value = DEFAULT_RP_ID)]
    exporter: String,
    /// Packaging profile of the new response.
    #[arg(long, value_name = "NAME", default_value = "cxf-toolkit-v1")]
    profile: String,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    overwrite: bool,
    /// Do not delete the key file after success.
    #[arg(long)]
    keep_key: bool,
}

pub(crate) fn run(args: ReencryptArgs) -> Result<ExitCode> {
    let profile = profile(&args.profile)?;
    let output = Output::from_arg(args.output.as_deref());
    output.check(false, args.overwrite)?;
    let response = read_response(&args.response)?;
    let pending = read_key(&args.key)?;
    let other = read_request(&args.request)?;
    let exporter = Exporter::new(args.exporter).with_profile(profile);
    let new_response = pending
        .reencrypt(&response, &other, &exporter)
        .map_err(|e| match e {
            ReencryptError::Open(e) => Invalid(format!(
                "cannot open {}: {e}; check that it answers the request made with this key",
                args.response.display()
            )),
            ReencryptError::Refused(r) => Invalid(format!(
                "{} cannot be answered: {}",
                args.request.display(),
                r.error
            )),
            _ => Invalid("re-encryption failed".into()),
        })?;
    let mut out = new_response.to_json_vec();
    out.push(b'\n');
    output.write(&out, args.overwrite)?;
    if !args.keep_key {
        if let Err(e) = std::fs::remove_file(&args.key) {
            errln!(
                "warning: cannot delete {}: {e}; delete it by hand",
                args.key.display()
            );
        }
    }
    errln!("re-encrypted the export for the other request ({profile})");
    Ok(ExitCode::SUCCESS)
}
