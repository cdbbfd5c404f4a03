//! `cxf respond`: answer an export request with an encrypted CXF export (exporter side).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use cxp::roles::Exporter;

use super::transfer::{DEFAULT_RP_ID, profile, read_request};
use crate::output::{Invalid, Output, parse_cxf, read_input, safe};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf respond --request request.json export.cxf.json -o response.json --exporter vault.example\n  cxf respond --request request.json export.cxf.json -o response.json --profile bitwarden-2024\n\nThe response is encrypted to the request's first supported suite. If the request cannot be\nanswered, a CXP error response is written instead and the exit code is 1."
)]
pub(crate) struct RespondArgs {
    /// The importer's export request.
    #[arg(long, value_name = "FILE")]
    request: PathBuf,
    /// The CXF export to send (`-` for stdin).
    input: PathBuf,
    /// Where to write the response (`-` or absent: stdout).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The exporter's RP id, shown to the importer (self-asserted).
    #[arg(long, value_name = "RPID", default_value = DEFAULT_RP_ID)]
    exporter: String,
    /// Packaging profile: cxf-toolkit-v1 (default), bitwarden-2024, raw-deflate.
    #[arg(long, value_name = "NAME", default_value = "cxf-toolkit-v1")]
    profile: String,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    overwrite: bool,
}

pub(crate) fn run(args: RespondArgs) -> Result<ExitCode> {
    let profile = profile(&args.profile)?;
    let output = Output::from_arg(args.output.as_deref());
    output.check(false, args.overwrite)?;
    let request = read_request(&args.request)?;
    let limits = cxf::Limits::default();
    let bytes = read_input(&args.input, limits.max_document_bytes)?;
    let parsed = parse_cxf(&args.input, &bytes, &limits)?;
    drop(bytes);
    let exporter = Exporter::new(args.exporter).with_profile(profile);
    match exporter.respond_document(&request, &parsed.document) {
        Ok(response) => {
            let mut out = response.to_json_vec();
            out.push(b'\n');
            output.write(&out, args.overwrite)?;
            let suite = response.hpke.as_ref().and_then(|h| h.suite());
            errln!(
                "encrypted {} accounts for {} with {} ({})",
                parsed.document.accounts.len(),
                safe(&request.importer.rp_id),
                suite.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                profile
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            let mut out = refusal.to_json_vec();
            out.push(b'\n');
            output.write(&out, args.overwrite)?;
            Err(Invalid(format!(
                "the request cannot be answered: {} (an error response was written instead)",
                refusal.error
            ))
            .into())
        }
    }
}
