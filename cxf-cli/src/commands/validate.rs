//! `cxf validate`: check CXF files against the CXF 1.0 rules (`cxf::validate`).
//!
//! Only CXF documents are validated. A file the CXF parser refuses is then identified
//! (`cxf::formats::detect`): another manager's export gets one `input.not-cxf` finding with the
//! `cxf convert` command that turns it into CXF, not a parse error about members it was never
//! meant to have. Detection runs only on that failure path, so valid CXF is parsed once.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use cxf::formats::{self, Detection, Format};
use serde_json::json;

use super::source::{convert_command, describe, open_age, password};
use crate::output::{EXIT_INVALID, parse_hint, read_input, safe};

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ValidateFormat {
    /// One line per finding, on stderr.
    Human,
    /// `{"files":[{"path","valid","diagnostics":[...]}]}` on stdout.
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf validate export.cxf.json\n  cxf validate --strict --format json a.json b.json | jq '.files[] | select(.valid | not)'\n  cxf validate bitwarden_export.json   # not CXF: says so, and how to convert it\n  cxf validate vault.cxf.age --password-file pw.txt   # an encrypted CXF file\n\nA file is valid when it parses and has no error (with --strict: no warning either).\nAnother password manager's export is not a CXF document: it fails with the finding\ninput.not-cxf, whose hint is the `cxf convert` command that turns it into CXF.\nRules: see the `cxf::validate` documentation (docs/validation-rules.md)."
)]
pub(crate) struct ValidateArgs {
    /// CXF files to check (full Headers or bare Accounts; `-` for stdin).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ValidateFormat,
    /// Treat warnings as failures too.
    #[arg(long)]
    strict: bool,
    /// File holding the passphrase (first line) of age-encrypted files (`cxf convert
    /// --encrypt`). Without it you are asked on the terminal.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

/// One finding, for output (parse failures become a `parse.KIND` finding).
struct Finding {
    rule: String,
    severity: &'static str,
    pointer: String,
    message: String,
    hint: Option<String>,
}

fn check(path: &Path, bytes: &[u8], limits: &cxf::Limits) -> Vec<Finding> {
    match cxf::Document::parse(bytes, limits) {
        Err(e) => vec![not_parsed(path, bytes, &e)],
        Ok(parsed) => findings(cxf::validate::validate_parsed(&parsed)),
    }
}

fn findings(report: cxf::validate::Report) -> Vec<Finding> {
    report
        .diagnostics
        .into_iter()
        .map(|d| Finding {
            rule: d.rule.to_owned(),
            severity: d.severity.as_str(),
            pointer: d.pointer,
            message: d.message,
            hint: d.hint,
        })
        .collect()
}

/// Validates the file at `path` a chunk of items at a time (`None`: it is an age file, read
/// it whole).
fn check_streamed(path: &Path, limits: &cxf::Limits) -> Result<Option<Vec<Finding>>> {
    use std::io::{Read, Seek};
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut start = Vec::with_capacity(64);
    (&mut file).take(64).read_to_end(&mut start)?;
    if formats::is_age(&start) {
        return Ok(None);
    }
    file.rewind()?;
    // A progress bar on a terminal for a large file (a small one is done before it shows).
    let bar = (std::io::stderr().is_terminal() && file.metadata().map_or(0, |m| m.len()) > 8 << 20)
        .then(|| crate::progress::items("checked"));
    let result = cxf::validate::validate_stream_with_progress(
        &mut file,
        limits,
        None,
        &mut |done, total| {
            if let Some(bar) = &bar {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
        },
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok((report, _)) => Ok(Some(findings(report))),
        Err(cxf::validate::StreamError::Parse(e)) => {
            // What the file is, for the message: a sample of it (see `formats::detect`).
            file.rewind()?;
            let sample = formats::stream::sample(&mut file, limits)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            Ok(Some(vec![not_parsed(path, &sample, &e)]))
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// The finding of a file the CXF parser refused: another manager's export (named, with the
/// command that converts it), or the parse error.
fn not_parsed(path: &Path, bytes: &[u8], e: &cxf::ParseError) -> Finding {
    let parse_error = |prefix: &str| Finding {
        rule: format!("parse.{}", e.kind().code()),
        severity: "error",
        pointer: e.pointer().to_owned(),
        message: format!("{prefix}{e}"),
        hint: Some(parse_hint(e)),
    };
    match formats::detect(bytes) {
        // A CXF document with a structural error: the parser says where.
        Detection::Certain(Format::Cxf) => parse_error(""),
        Detection::Certain(format) => {
            let name = if path == Path::new("-") {
                "the standard input".to_owned()
            } else {
                path.display().to_string()
            };
            Finding {
                rule: "input.not-cxf".to_owned(),
                severity: "error",
                pointer: String::new(),
                message: format!("{name} is {}, not a CXF document", describe(format)),
                hint: Some(format!("convert it first: {}", convert_command(path, ""))),
            }
        }
        Detection::Unsupported { name } => Finding {
            rule: "input.not-cxf".to_owned(),
            severity: "error",
            pointer: String::new(),
            message: format!("this looks like {}, not a CXF document", with_article(name)),
            hint: Some(
                "cxf cannot read this format yet; export from that manager in another format (`cxf formats` lists them)"
                    .to_owned(),
            ),
        },
        // The parser already says "not a CXF document".
        _ if matches!(e.kind(), cxf::ParseErrorKind::NotCxf(_)) => parse_error(""),
        // Unknown or ambiguous (or recognised and not readable): not CXF that anyone can read.
        _ => parse_error("not a readable CXF document: "),
    }
}

pub(crate) fn run(args: ValidateArgs) -> Result<ExitCode> {
    let limits = cxf::Limits::default();
    let mut results = Vec::with_capacity(args.files.len());
    let mut passphrase = password(args.password_file.as_deref())?;
    for path in &args.files {
        let failing =
            |f: &&Finding| f.severity == "error" || (args.strict && f.severity == "warning");
        // A file is validated a chunk of items at a time; stdin and age files whole.
        if path != Path::new("-") && path.is_file() {
            if let Some(findings) = check_streamed(path, &limits)? {
                let valid = !findings.iter().any(|f| failing(&f));
                results.push((path, valid, findings));
                continue;
            }
        }
        let mut bytes = read_input(path, limits.max_document_bytes)?;
        if formats::is_age(&bytes) {
            bytes = open_age(path, &bytes, &mut passphrase, &limits)?;
        }
        let findings = check(path, &bytes, &limits);
        let valid = !findings.iter().any(|f| failing(&f));
        results.push((path, valid, findings));
    }
    match args.format {
        ValidateFormat::Json => {
            let files: Vec<_> = results
                .iter()
                .map(|(path, valid, findings)| {
                    json!({
                        "path": path.display().to_string(),
                        "valid": valid,
                        "diagnostics": findings.iter().map(|f| {
                            let mut d = json!({
                                "rule": f.rule, "severity": f.severity,
                                "pointer": f.pointer, "message": f.message,
                            });
                            if let Some(h) = &f.hint {
                                d["hint"] = h.as_str().into();
                            }
                            d
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({ "files": files }))?
            )?;
        }
        ValidateFormat::Human => {
            // Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let paint = |code: &str, text: &str| {
                if colour {
                    format!("\x1b[{code}m{text}\x1b[0m")
                } else {
                    text.to_owned()
                }
            };
            let severity = |s: &str| {
                let code = match s {
                    "error" => "1;31",
                    "warning" => "33",
                    _ => "36",
                };
                paint(code, &format!("{s:7}"))
            };
            for (path, valid, findings) in &results {
                let count = |s: &str, noun: &str| {
                    let n = findings.iter().filter(|f| f.severity == s).count();
                    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
                };
                errln!(
                    "{}: {} ({}, {}, {})",
                    safe(&path.display().to_string()),
                    if *valid {
                        paint("32", "valid")
                    } else {
                        paint("1;31", "INVALID")
                    },
                    count("error", "error"),
                    count("warning", "warning"),
                    count("info", "note"),
                );
                for f in findings {
                    let at = if f.pointer.is_empty() {
                        "/"
                    } else {
                        &f.pointer
                    };
                    errln!(
                        "  {} {} at {}: {}",
                        severity(f.severity),
                        f.rule,
                        safe(at),
                        safe(&f.message)
                    );
                    if let Some(h) = &f.hint {
                        errln!("          hint: {}", safe(h));
                    }
                }
            }
        }
    }
    Ok(if results.iter().all(|(_, valid, _)| *valid) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    })
}

/// `a NAME` or `an NAME`.
fn with_article(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {name}", if vowel { "an" } else { "a" })
}
