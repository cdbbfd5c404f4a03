//! `cxf convert`: read an export, write it in another format, atomically, saying what was lost.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use cxf::formats::{self, Format};
use serde_json::json;

use super::source::{column_map, format_arg, key_file, password, read_source_with_key};
use crate::output::{Output, Staged, safe};

/// Identity written into a Header the input did not have (a bare Account): the converter has
/// no RP id of its own.
const FALLBACK_EXPORTER_RP_ID: &str = "cxf.invalid";
const FALLBACK_EXPORTER_NAME: &str = "cxf command-line tool";

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf convert bitwarden_export.json --to cxf -o vault.cxf.json\n  cxf convert vault.cxf.json --to keepass-xml -o vault.xml --report lost.json\n  cxf convert passwords.csv --from chrome-csv --to bitwarden-json -o bitwarden.json\n  cxf convert encrypted_export.json --to cxf -o vault.cxf.json --password-file pw.txt\n  cxf convert vault.cxf.json --to kdbx -o vault.kdbx --password-file pw.txt\n  cxf convert vault.kdbx --to cxf -o vault.cxf.json --key-file vault.keyx\n  cxf convert export.json --to cxf --encrypt -o vault.cxf.age      # age file, passphrase\n  cxf convert vault.cxf.age --to bitwarden-json --encrypt -o bitwarden.json\n  cxf convert other.csv --from generic-csv --to cxf -o vault.cxf.json \\\n      --columns 'title=Name,username=Login,password=Pass,url=Site,notes=Comment'\n\nA KeePass database (--to kdbx) and an --encrypt output are protected by the password from\n--password-file or, without it, typed twice on the terminal (and by --key-file FILE if given,\nkdbx only). --encrypt writes CXF inside an age file (`age -d` opens it; cxf reads it back\nwith its passphrase) and Bitwarden JSON as Bitwarden's password-protected export.\n`cxf formats` lists the formats. What the target cannot hold is listed on stderr (and in\n--report FILE as JSON); nothing is dropped silently.\nAny other CSV is read with --from generic-csv and a --columns map; the columns the map\ndoes not name are listed as not carried."
)]
pub(crate) struct ConvertArgs {
    /// Input file (`-` for stdin).
    input: PathBuf,
    /// Format of the input; detected from the content when absent.
    #[arg(long, value_name = "FORMAT")]
    from: Option<String>,
    /// Format to write.
    #[arg(long, value_name = "FORMAT")]
    to: String,
    /// Output file (`-` or absent: stdout, refused on a terminal).
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Write a JSON report of what could not be carried (and what was normalised).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Replace OUTPUT (and the report) if they exist.
    #[arg(long)]
    overwrite: bool,
    /// Indent the output (CXF).
    #[arg(long)]
    pretty: bool,
    /// Protect the output with a password: `--to cxf` writes an age file (scrypt passphrase),
    /// `--to bitwarden-json` Bitwarden's password-protected export; `kdbx` is always protected.
    #[arg(long)]
    encrypt: bool,
    /// File holding the password (first line) of a password-protected input, and of the
    /// output with `--to kdbx` or `--encrypt`. Without it you are asked on the terminal.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// KeePass key file of a `.kdbx` input, and of the output with `--to kdbx`.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// With `--from generic-csv`: which column holds what, as ROLE=COLUMN pairs separated by
    /// commas (roles: title, username, password, url, notes, totp, folder, tags, created,
    /// modified). Columns it does not name are listed as not carried.
    #[arg(long, value_name = "ROLE=COLUMN,...")]
    columns: Option<String>,
}

/// The password that protects an encrypted output: from `--password-file`, else typed twice
/// on the terminal.
fn output_password(from_file: Option<cxf::Secret>, to: Format) -> Result<cxf::Secret> {
    if let Some(p) = from_file {
        return Ok(p);
    }
    let typed = zeroize::Zeroizing::new(
        rpassword::prompt_password(format!("Password to protect the {to} output: "))
            .context("cannot read the password")?,
    );
    let again = zeroize::Zeroizing::new(
        rpassword::prompt_password("Repeat the password: ").context("cannot read the password")?,
    );
    if typed != again {
        anyhow::bail!("the passwords do not match; nothing was written");
    }
    if typed.is_empty() {
        anyhow::bail!("an empty password protects nothing; nothing was written");
    }
    Ok(cxf::Secret::new(typed.as_str()))
}

pub(crate) fn run(args: ConvertArgs) -> Result<ExitCode> {
    let from = args
        .from
        .as_deref()
        .map(|f| format_arg("--from", f))
        .transpose()?;
    let to = format_arg("--to", &args.to)?;
    let columns = column_map(from, args.columns.as_deref())?;
    if !to.can_write() {
        let writable: Vec<&str> = Format::ALL
            .iter()
            .filter(|f| f.can_write())
            .map(|f| f.name())
            .collect();
        anyhow::bail!(
            "--to {to}: this format can be read but not written; writable: {}",
            writable.join(", ")
        );
    }
    if args.encrypt && !to.can_encrypt() {
        anyhow::bail!("--encrypt: {}", formats::WriteError::NotEncryptable(to));
    }
    // Encrypted outputs need a password: from a file, or typed on a terminal.
    let encrypted = to == Format::Kdbx || args.encrypt;
    if encrypted && args.password_file.is_none() && !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "--to {to}{} writes an encrypted file and needs a password: pass --password-file FILE (or run on a terminal to be asked); a password is never taken on the command line",
            if args.encrypt { " --encrypt" } else { "" }
        );
    }
    let output = Output::from_arg(args.output.as_deref());
    output.check(true, args.overwrite)?;
    if let Some(report) = &args.report {
        Output::File(report.clone()).check(false, args.overwrite)?;
    }
    let chatty = std::io::stderr().is_terminal();
    if chatty {
        errln!("reading {}...", safe(&args.input.display().to_string()));
    }
    // Read once: `--password-file -` is stdin, and the password may serve both sides.
    let file_password = password(args.password_file.as_deref())?;
    let key = key_file(args.key_file.as_deref())?;
    let mut source = read_source_with_key(
        &args.input,
        from,
        file_password.clone(),
        key.clone(),
        columns,
    )?;
    let doc = &mut source.document;
    if doc.exporter_rp_id.is_empty() && doc.exporter_display_name.is_empty() {
        doc.exporter_rp_id = FALLBACK_EXPORTER_RP_ID.into();
        doc.exporter_display_name = FALLBACK_EXPORTER_NAME.into();
    }
    if doc.timestamp == 0 {
        doc.timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
    }
    if chatty {
        errln!("writing {to}...");
    }
    let mut write_options = formats::WriteOptions::default();
    if encrypted {
        write_options.password = Some(output_password(file_password, to)?);
        write_options.encrypt = args.encrypt;
        if to == Format::Kdbx {
            write_options.key_file = key;
        }
    }
    let (out, write_loss) = if to == Format::Cxf && args.pretty && !args.encrypt {
        (doc.to_json_vec_pretty(), formats::LossReport::new())
    } else {
        formats::write_with(to, doc, &write_options)
            .map_err(|e| anyhow::anyhow!("cannot write {to}: {e}"))?
    };
    let summary = cxf::Summary::of(doc);
    // Items the target did not get: skipped, refused by its importer, or found missing.
    let skipped = write_loss.lost_items();
    let mut loss = std::mem::take(&mut source.loss);
    loss.extend(write_loss);
    // Stage the output and the report before committing either, so that a report that cannot
    // be written leaves no output behind.
    let staged_output = match &output {
        Output::File(path) => Some(Staged::new(path, &out)?),
        Output::Stdout => None,
    };
    let mut staged_report = None;
    if let Some(path) = &args.report {
        let report = json!({
            "input": args.input.display().to_string(),
            "from": source.format.name(),
            "to": to.name(),
            "itemsRead": summary.items,
            "itemsWritten": summary.items - skipped.min(summary.items),
            "summary": { "lost": loss.lost().count(), "changed": loss.changed().count() },
            "lost": loss.to_json()["lost"],
            "changed": loss.to_json()["changed"],
            "notes": source.notes.iter().map(|n| json!({
                "code": n.code, "pointer": n.pointer, "message": n.message,
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_vec_pretty(&report)?;
        staged_report = Some(Staged::new(path, &text).context("cannot write the report")?);
    }
    match staged_output {
        Some(staged) => staged.commit(args.overwrite)?,
        None => output.write(&out, args.overwrite)?,
    }
    if let Some(staged) = staged_report {
        staged
            .commit(args.overwrite)
            .context("cannot write the report")?;
    }
    if !loss.is_empty() {
        errln!("not carried as it was ({}):", loss.summary());
        for line in loss.to_string().lines().take(50) {
            errln!("  {}", safe(line));
        }
        if loss.len() > 50 {
            errln!("  ... and {} more (see --report FILE)", loss.len() - 50);
        }
    }
    errln!(
        "converted {} items ({} credentials) from {} to {}: {} items written, {}, {} normalisations",
        summary.items,
        summary.credentials,
        source.format,
        to,
        summary.items - skipped.min(summary.items),
        loss.summary(),
        source.notes.len()
    );
    Ok(ExitCode::SUCCESS)
}
