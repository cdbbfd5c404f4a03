//! `cxf schema`: print the JSON Schema of CXF 1.0 (the structural rules).

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;

/// `cxf-cli/schema/cxf-1.0.schema.json` (also `schemas/` at the repository root), built into the binary.
pub(crate) const CXF_SCHEMA: &str = include_str!("../../schema/cxf-1.0.schema.json");

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf schema > cxf-1.0.schema.json\n  cxf schema | jq '.\"$defs\" | keys'\n\nThe schema (JSON Schema 2020-12) checks structure only: types, required members, base64url\nalphabet, ranges. `cxf validate` checks these and the semantic rules (keys, dates, ids, ...)."
)]
pub(crate) struct SchemaArgs {}

/// Print the schema on stdout.
pub(crate) fn run(_args: SchemaArgs) -> Result<ExitCode> {
    crate::output::write_stdout(CXF_SCHEMA.as_bytes()).context("writing the schema to stdout")?;
    Ok(ExitCode::SUCCESS)
}
