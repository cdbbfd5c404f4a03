//! `cxf formats`: which export formats can be read and written.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use cxf::formats::Format;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf formats\n  cxf formats --managers   # each manager's export and import: command, what is carried\n  cxf convert export.csv --from chrome-csv --to cxf -o vault.cxf.json"
)]
pub(crate) struct FormatsArgs {
    /// For each password manager: the format of its export and of its import, the command, and
    /// what is carried and what is not (a Markdown table, as in the README).
    #[arg(long)]
    managers: bool,
}

pub(crate) fn run(args: FormatsArgs) -> Result<ExitCode> {
    if args.managers {
        outln!("{}", cxf::formats::managers_markdown().trim_end())?;
        return Ok(ExitCode::SUCCESS);
    }
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
