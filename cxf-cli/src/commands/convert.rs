//! `cxf convert`: read an export, write it in another format, atomically.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;

use crate::output::{Invalid, Output, read_input, write_atomic};

/// Identity written into a Header that the input did not have (a bare Account).
const FALLBACK_EXPORTER_RP_ID: &str = "localhost";
const FALLBACK_EXPORTER_NAME: &str = "cxf command-line tool";

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf convert old-draft.json --to cxf -o export.cxf.json\n  cxf convert bare-account.json --to cxf --pretty -o export.cxf.json --report report.json"
)]
pub(crate) struct ConvertArgs {
    /// Input file (`-` for stdin).
    input: PathBuf,
    /// Format of the input; detected when absent.
    #[arg(long, value_name = "FORMAT")]
    from: Option<String>,
    /// Format to write.
    #[arg(long, value_name = "FORMAT")]
    to: String,
    /// Output file (`-` or absent: stdout, refused on a terminal).
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Write a JSON report of what was normalised or could not be carried.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Replace OUTPUT (and the report) if they exist.
    #[arg(long)]
    overwrite: bool,
    /// Indent the output (CXF).
    #[arg(long)]
    pretty: bool,
}

pub(crate) fn run(args: ConvertArgs) -> Result<ExitCode> {
    for (flag, format) in [
        ("--from", args.from.as_deref()),
        ("--to", Some(args.to.as_str())),
    ] {
        if let Some(f) = format {
            if f != "cxf" {
                anyhow::bail!("{flag} {f}: unknown format; supported today: cxf");
            }
        }
    }
    let output = Output::from_arg(args.output.as_deref());
    output.check(true, args.overwrite)?;
    let limits = cxf::Limits::default();
    let bytes = read_input(&args.input, limits.max_document_bytes)?;
    let mut parsed = cxf::Document::parse(&bytes, &limits).map_err(|e| {
        Invalid(format!(
            "{} is not a readable CXF document: {e}",
            args.input.display()
        ))
    })?;
    drop(bytes);
    let doc = &mut parsed.document;
    if parsed.shape == cxf::Shape::BareAccount {
        doc.exporter_rp_id = FALLBACK_EXPORTER_RP_ID.into();
        doc.exporter_display_name = FALLBACK_EXPORTER_NAME.into();
        doc.timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
    }
    let out = if args.pretty {
        doc.to_json_vec_pretty()
    } else {
        doc.to_json_vec()
    };
    output.write(&out, args.overwrite)?;
    let summary = cxf::Summary::of(doc);
    if let Some(path) = &args.report {
        let report = json!({
            "input": args.input.display().to_string(),
            "from": "cxf",
            "to": "cxf",
            "itemsRead": summary.items,
            "itemsWritten": summary.items,
            "lost": [],
            "notes": parsed.notes.iter().map(|n| json!({
                "code": n.code, "pointer": n.pointer, "message": n.message,
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_vec_pretty(&report)?;
        write_atomic(path, &text, args.overwrite).context("cannot write the report")?;
    }
    let wrapped = if parsed.shape == cxf::Shape::BareAccount {
        format!("; bare Account wrapped in a Header (exporter \"{FALLBACK_EXPORTER_RP_ID}\")")
    } else {
        String::new()
    };
    eprintln!(
        "converted {} items ({} credentials) from cxf to cxf: 0 fields lost, {} normalisations{wrapped}",
        summary.items,
        summary.credentials,
        parsed.notes.len()
    );
    Ok(ExitCode::SUCCESS)
}
