//! `cxf convert`: read an export, write it in another format, atomically, saying what was lost.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use cxf::formats::{self, Format};
use serde_json::json;

use std::io::{Read, Seek, Write};

use cxf::formats::stream::{Event, StreamOptions, convert_stream};
use cxf::formats::{ConvertError, ReadError};

use super::source::{
    column_map, columns_needed, detected, format_arg, key_file, open_age, password, read_failure,
};
use crate::output::{Output, Staged, StreamedOutput, read_input, safe};

/// Loss entries shown on stderr (all of them go to `--report FILE`).
const SHOWN: usize = 50;

/// The input: a file streamed from disk, or bytes (stdin, an opened age file).
enum Input {
    File(std::fs::File),
    Memory(std::io::Cursor<zeroize::Zeroizing<Vec<u8>>>),
}

impl Input {
    fn reader(&mut self) -> &mut (dyn ReadSeek + Send) {
        match self {
            Input::File(f) => f,
            Input::Memory(c) => c,
        }
    }

    fn rewind(&mut self) -> Result<()> {
        self.reader().seek(std::io::SeekFrom::Start(0))?;
        Ok(())
    }

    /// What detection looks at ([`cxf::formats::stream::sample`]).
    fn sample(&mut self, limits: &cxf::Limits) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        cxf::formats::stream::sample(&mut self.reader(), limits).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Opens `path` (`-`: stdin): an age file is decrypted first, with the password from the file
/// or typed (then kept in `password` for an encrypted content).
fn open_input(
    path: &std::path::Path,
    password: &mut Option<cxf::Secret>,
    limits: &cxf::Limits,
) -> Result<Input> {
    let mut input = if path == std::path::Path::new("-") {
        Input::Memory(std::io::Cursor::new(read_input(
            path,
            limits.max_document_bytes,
        )?))
    } else {
        Input::File(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )
    };
    let mut start = Vec::with_capacity(64);
    input.reader().take(64).read_to_end(&mut start)?;
    input.rewind()?;
    if formats::is_age(&start) {
        let bytes = read_input(path, limits.max_document_bytes)?;
        let plain = open_age(path, &bytes, password, limits)?;
        return Ok(Input::Memory(std::io::Cursor::new(plain)));
    }
    Ok(input)
}

/// Identity written into a Header the input did not have (a bare Account): the converter has
/// no RP id of its own.
const FALLBACK_EXPORTER_RP_ID: &str = "cxf.invalid";
const FALLBACK_EXPORTER_NAME: &str = "cxf command-line tool";

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf convert bitwarden_export.json --to cxf -o vault.cxf.json\n  cxf convert vault.cxf.json --to keepass-xml -o vault.xml --report lost.json\n  cxf convert passwords.csv --from chrome-csv --to bitwarden-json -o bitwarden.json\n  cxf convert encrypted_export.json --to cxf -o vault.cxf.json --password-file pw.txt\n  cxf convert vault.cxf.json --to kdbx -o vault.kdbx --password-file pw.txt\n  cxf convert vault.kdbx --to cxf -o vault.cxf.json --key-file vault.keyx\n  cxf convert export.json --to cxf --encrypt -o vault.cxf.age      # age file, passphrase\n  cxf convert vault.cxf.age --to bitwarden-json --encrypt -o bitwarden.json\n  cxf convert other.csv --from generic-csv --to cxf -o vault.cxf.json \\\n      --columns 'title=Name,username=Login,password=Pass,url=Site,notes=Comment'\n\nA KeePass database (--to kdbx) and an --encrypt output are protected by the password from\n--password-file or, without it, typed twice on the terminal (and by --key-file FILE if given,\nkdbx only). --encrypt writes CXF inside an age file (`age -d` opens it; cxf reads it back\nwith its passphrase) and Bitwarden JSON as Bitwarden's password-protected export.\n`cxf formats` lists the formats. What the target cannot hold is listed on stderr (and in\n--report FILE as JSON); nothing is dropped silently. A file is read and written a chunk of\nitems at a time (CXF and Bitwarden JSON in; CXF, Bitwarden JSON and CSV out), so a vault of\nany size converts in little memory, with a progress bar on a terminal (--quiet: none).\nAny other CSV is read with --from generic-csv and a --columns map; the columns the map\ndoes not name are listed as not carried."
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
    /// Indent the output (CXF; it is always indented, the flag is kept for scripts).
    #[arg(long)]
    pretty: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
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
    // Read once: `--password-file -` is stdin, and the password may serve both sides.
    let mut file_password = password(args.password_file.as_deref())?;
    let key = key_file(args.key_file.as_deref())?;
    let limits = cxf::Limits::default();
    // A file is streamed from disk; stdin and age files (opened first) are held in memory.
    let mut input = open_input(&args.input, &mut file_password, &limits)?;
    let from = match from {
        Some(f) => f,
        None => detected(&args.input, &input.sample(&limits)?)?,
    };
    if !from.can_read() {
        anyhow::bail!("{from} cannot be read (see `cxf formats`)");
    }
    if from == Format::GenericCsv && columns.is_none() {
        return Err(columns_needed(&args.input, &input.sample(&limits)?));
    }
    let mut write_options = formats::WriteOptions::default();
    if encrypted {
        write_options.password = Some(output_password(file_password.clone(), to)?);
        write_options.encrypt = args.encrypt;
        if to == Format::Kdbx {
            write_options.key_file = key.clone();
        }
    }
    let mut options = formats::ReadOptions::default().with_limits(limits);
    options.password = file_password;
    options.key_file = key;
    options.columns = columns;
    let mut stream_options = StreamOptions::default()
        .with_fallback_exporter(FALLBACK_EXPORTER_RP_ID, FALLBACK_EXPORTER_NAME);
    // The report file holds every entry; without one, only counts and the first lines are kept.
    stream_options.keep_loss = args.report.is_some();
    let quiet = args.quiet || !std::io::stderr().is_terminal();
    if !quiet {
        errln!(
            "converting {} ({from}) to {to}...",
            safe(&args.input.display().to_string())
        );
    }
    let (streamed, staged_output, shown) = loop {
        let staged = match &output {
            Output::File(path) => Some(Staged::create(path)?),
            Output::Stdout => None,
        };
        let bar = (!quiet).then(|| crate::progress::items("converted"));
        let mut shown = formats::LossReport::new();
        let mut on_event = |event: Event<'_>| match event {
            Event::Progress(p) => {
                if let Some(bar) = &bar {
                    if let Some(total) = p.total_items {
                        bar.set_length(total as u64);
                    }
                    bar.set_position(p.items as u64);
                }
            }
            Event::Loss(entries) => {
                for e in entries.iter().take(SHOWN.saturating_sub(shown.len())) {
                    shown.push(e.clone());
                }
            }
            _ => {}
        };
        let mut output_failed = false;
        let result = {
            let mut out = StreamedOutput::new(staged.as_ref(), &mut output_failed);
            let result = convert_stream(
                input.reader(),
                Some(from),
                to,
                &options,
                &write_options,
                &stream_options,
                &mut out,
                &mut on_event,
            );
            result.and_then(|r| out.flush().map(|()| r).map_err(ConvertError::Io))
        };
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(streamed) => break (streamed, staged, shown),
            Err(ConvertError::Read(ReadError::PasswordRequired))
                if options.password.is_none() && std::io::stdin().is_terminal() =>
            {
                let typed = zeroize::Zeroizing::new(
                    rpassword::prompt_password(format!("Password of {}: ", args.input.display()))
                        .context("cannot read the password")?,
                );
                options.password = Some(cxf::Secret::new(typed.as_str()));
                input.rewind()?;
            }
            Err(ConvertError::Read(e)) => return Err(read_failure(&args.input, from, e)),
            Err(ConvertError::Write(e)) => anyhow::bail!("cannot write {to}: {e}"),
            Err(ConvertError::Io(e)) if output_failed => {
                let target = match &output {
                    Output::File(path) => path.display().to_string(),
                    Output::Stdout => "stdout".to_owned(),
                };
                return Err(e).context(format!("cannot write {target}"));
            }
            Err(ConvertError::Io(e)) => {
                return Err(e).context(format!("cannot read {}", args.input.display()));
            }
            Err(e) => {
                return Err(read_failure(
                    &args.input,
                    from,
                    ReadError::Unsupported {
                        format: from,
                        message: e.to_string(),
                    },
                ));
            }
        }
    };
    // Stage the report before committing the output, so that a report that cannot be written
    // leaves no output behind.
    let written = streamed.items - streamed.lost_items.min(streamed.items);
    let mut staged_report = None;
    if let Some(path) = &args.report {
        let loss = &streamed.loss;
        let report = json!({
            "input": args.input.display().to_string(),
            "from": streamed.from.name(),
            "to": to.name(),
            "itemsRead": streamed.items,
            "itemsWritten": written,
            "summary": { "lost": streamed.lost, "changed": streamed.changed },
            "lost": loss.to_json()["lost"],
            "changed": loss.to_json()["changed"],
            "notes": streamed.notes.iter().map(|n| json!({
                "code": n.code, "pointer": n.pointer, "message": n.message,
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_vec_pretty(&report)?;
        staged_report = Some(Staged::new(path, &text).context("cannot write the report")?);
    }
    if let Some(staged) = staged_output {
        staged
            .file()
            .sync_all()
            .context("cannot write the output")?;
        staged.commit(args.overwrite)?;
    }
    if let Some(staged) = staged_report {
        staged
            .commit(args.overwrite)
            .context("cannot write the report")?;
    }
    let total = streamed.lost + streamed.changed;
    let summary = format!(
        "{} value{} lost, {} changed",
        streamed.lost,
        if streamed.lost == 1 { "" } else { "s" },
        streamed.changed
    );
    if total > 0 {
        errln!("not carried as it was ({summary}):");
        for line in shown.to_string().lines() {
            errln!("  {}", safe(line));
        }
        if total > shown.len() {
            errln!("  ... and {} more (see --report FILE)", total - shown.len());
        }
    }
    errln!(
        "converted {} items ({} credentials) from {} to {}: {} items written, {summary}, {} normalisations",
        streamed.items,
        streamed.credentials,
        streamed.from,
        to,
        written,
        streamed.notes.len()
    );
    Ok(ExitCode::SUCCESS)
}
