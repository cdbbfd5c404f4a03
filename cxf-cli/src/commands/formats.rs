//! `cxf formats`: which export formats can be read and written.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use cxf::formats::Format;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf formats\n  cxf convert export.csv --from chrome-csv --to cxf -o vault.cxf.json"
)]
pub(crate) struct FormatsArgs {}

pub(crate) fn run(_args: FormatsArgs) -> Result<ExitCode> {
    let width = Format::ALL
        .iter()
        .map(|f| f.name().len())
        .max()
        .unwrap_or(0);
    outln!("{:width$}  read  write  description", "name")?;
    for f in Format::ALL {
        outln!(
            "{:width$}  {:4}  {:5}  {}",
            f.name(),
            if f.can_read() { "yes" } else { "-" },
            if f.can_write() { "yes" } else { "-" },
            f.display_name()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
