//! `cxf inspect`: what a CXF file holds, without printing a secret.
//!
//! Another manager's export is read through its format reader (the same path as `cxf convert`,
//! password prompt included) and the resulting CXF document is inspected, saying so first,
//! with how many values reading could not carry.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use cxf::formats::{self, Detection, Format};
use serde_json::json;

use super::source::{
    column_map, convert_command, describe, format_arg, open_age, password, read_source_bytes,
};
use crate::output::{not_readable_cxf, parse_cxf, read_input, rfc3339, safe};

/// Output format of `inspect`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum InspectFormat {
    /// Aligned text for people.
    Human,
    /// One JSON object for scripts.
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf inspect export.cxf.json\n  cxf inspect --format json export.cxf.json | jq .credentialsByType\n  cxf inspect --format json export.cxf.json | jq '.passkeys[] | {rpId, algorithm, publicKeyCose}'\n  cxf inspect bitwarden_export.json\n  cxf inspect encrypted_export.json --password-file pw.txt\n  cxf inspect passwords.csv --from chrome-csv\n  cxf inspect other.csv --from generic-csv --columns title=Name,username=Login,password=Pass\n\nFor each passkey: RP ID, user, credential id and the public key as a COSE_Key (hex and\nbase64url), derived from the private key, to compare with what the relying party stored.\nAnother manager's export (`cxf formats` lists them) is read as CXF first, as `cxf convert`\nwould, and the output says so and how many values could not be carried.\nNo secret is ever printed."
)]
pub(crate) struct InspectArgs {
    /// File to inspect: CXF (a full Header or a bare Account) or another manager's export
    /// (`-` for stdin).
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: InspectFormat,
    /// Format of the file; detected from the content when absent.
    #[arg(long, value_name = "FORMAT")]
    from: Option<String>,
    /// File holding the password of a password-protected export (first line). Without it you
    /// are asked on the terminal.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// With `--from generic-csv`: which column holds what (ROLE=COLUMN pairs, as in
    /// `cxf convert --columns`).
    #[arg(long, value_name = "ROLE=COLUMN,...")]
    columns: Option<String>,
}

/// A file that is not CXF, read as CXF for inspection.
struct Foreign {
    format: Format,
    /// How many values reading could not carry into CXF (the read loss report's length).
    not_carried: usize,
}

impl Foreign {
    /// "a Bitwarden JSON export, read as CXF for inspection".
    fn what(&self) -> String {
        format!("{}, read as CXF for inspection", describe(self.format))
    }

    /// Where to see what was not carried, when something was not.
    fn hint(&self, path: &Path) -> Option<String> {
        (self.not_carried > 0).then(|| {
            format!(
                "to list them: {}",
                convert_command(path, "--report not-carried.json")
            )
        })
    }
}

/// Reads the file as CXF or, when it is another manager's export, through its format reader.
fn read(args: &InspectArgs, bytes: &[u8]) -> Result<(cxf::Parsed, Option<Foreign>)> {
    let limits = cxf::Limits::default();
    // An age file is a container: open it, then read what it holds as any other input (a CXF
    // document inside is inspected as CXF, not as another manager's export).
    if formats::is_age(bytes) {
        let mut passphrase = password(args.password_file.as_deref())?;
        let plain = open_age(&args.file, bytes, &mut passphrase, &limits)?;
        return read(args, &plain);
    }
    let from = args
        .from
        .as_deref()
        .map(|f| format_arg("--from", f))
        .transpose()?;
    let columns = column_map(from, args.columns.as_deref())?;
    let from = match from {
        Some(Format::Cxf) => return Ok((parse_cxf(&args.file, bytes, &limits)?, None)),
        Some(format) => Some(format),
        // CXF parses once; only a file it refuses is identified.
        None => match cxf::Document::parse(bytes, &limits) {
            Ok(parsed) => return Ok((parsed, None)),
            Err(e) => match formats::detect(bytes) {
                Detection::Certain(Format::Cxf) | Detection::Unknown => {
                    return Err(not_readable_cxf(&args.file, &e));
                }
                Detection::Certain(format) => Some(format),
                // Ambiguous (or recognised and not readable): the reader explains.
                _ => None,
            },
        },
    };
    let source = read_source_bytes(
        &args.file,
        bytes,
        from,
        args.password_file.as_deref(),
        columns,
    )?;
    let foreign = Foreign {
        format: source.format,
        not_carried: source.loss.len(),
    };
    let parsed = cxf::Parsed {
        document: source.document,
        notes: source.notes,
        shape: cxf::Shape::Header,
    };
    Ok((parsed, Some(foreign)))
}

/// What `inspect` shows of one passkey: public data only (the private key never leaves).
struct PasskeyInfo {
    rp_id: String,
    username: String,
    user_display_name: String,
    credential_id: String,
    /// The COSE public key, or why it could not be derived.
    public_key: Result<cxf::cose::CosePublicKey, cxf::cose::CoseError>,
}

fn passkeys(doc: &cxf::Document) -> Vec<PasskeyInfo> {
    let mut out = Vec::new();
    for account in &doc.accounts {
        for item in account.items.iter() {
            for c in item.credentials.iter() {
                if let cxf::Credential::Passkey(p) = c {
                    out.push(PasskeyInfo {
                        rp_id: p.rp_id.to_string(),
                        username: p.username.to_string(),
                        user_display_name: p.user_display_name.to_string(),
                        credential_id: p.credential_id.to_string(),
                        public_key: p.public_key_cose(),
                    });
                }
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn b64url(bytes: &[u8]) -> String {
    cxf::B64::encode(bytes).to_string()
}

fn passkey_json(p: &PasskeyInfo) -> serde_json::Value {
    let mut v = json!({
        "rpId": p.rp_id,
        "username": p.username,
        "userDisplayName": p.user_display_name,
        "credentialId": p.credential_id,
    });
    match &p.public_key {
        Ok(k) => {
            v["algorithm"] = json!(k.algorithm.name());
            v["coseAlgorithm"] = json!(k.algorithm.id());
            v["publicKeyCose"] = json!({"hex": hex(&k.cose_key), "base64url": b64url(&k.cose_key)});
        }
        Err(e) => v["publicKeyError"] = json!(e.to_string()),
    }
    v
}

pub(crate) fn run(args: InspectArgs) -> Result<ExitCode> {
    let limits = cxf::Limits::default();
    let bytes = read_input(&args.file, limits.max_document_bytes)?;
    let (parsed, foreign) = read(&args, &bytes)?;
    drop(bytes);
    let doc = &parsed.document;
    let summary = cxf::Summary::of(doc);
    match args.format {
        InspectFormat::Json => {
            let mut value = json!({
                "path": args.file.display().to_string(),
                "format": Format::Cxf.name(),
                "shape": match parsed.shape { cxf::Shape::Header => "header", _ => "bare-account" },
                "version": {"major": doc.version.major, "minor": doc.version.minor},
                "exporterRpId": doc.exporter_rp_id.as_str(),
                "exporterDisplayName": doc.exporter_display_name.as_str(),
                "timestamp": doc.timestamp,
                "accounts": summary.accounts.iter().map(|a| json!({
                    "username": a.username, "email": a.email,
                    "items": a.items, "collections": a.collections,
                })).collect::<Vec<_>>(),
                "items": summary.items,
                "credentials": summary.credentials,
                "credentialsByType": summary.credentials_by_type,
                "passkeysByRpId": summary.passkeys_by_rp_id,
                "unknownCredentialTypes": summary.unknown_credential_types,
                "passkeys": passkeys(doc).iter().map(passkey_json).collect::<Vec<_>>(),
                "notes": parsed.notes.iter().map(|n| json!({
                    "code": n.code, "pointer": n.pointer, "message": n.message,
                })).collect::<Vec<_>>(),
            });
            if let Some(f) = &foreign {
                // The Header a reader makes up (converter identity, time of reading) is not the
                // file's: leave it out rather than pass it off as the export's.
                value["format"] = json!(f.format.name());
                value["formatName"] = json!(f.format.display_name());
                value["readAsCxf"] = json!(f.what());
                value["notCarried"] = json!(f.not_carried);
                if let Some(hint) = f.hint(&args.file) {
                    value["notCarriedHint"] = json!(hint);
                }
                for key in ["shape", "exporterRpId", "exporterDisplayName", "timestamp"] {
                    value[key] = serde_json::Value::Null;
                }
            } else {
                value["notCarried"] = json!(0);
            }
            outln!("{}", serde_json::to_string_pretty(&value)?)?;
        }
        InspectFormat::Human => print_human(&args, &parsed, foreign.as_ref(), &summary)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(
    args: &InspectArgs,
    parsed: &cxf::Parsed,
    foreign: Option<&Foreign>,
    summary: &cxf::Summary,
) -> std::io::Result<()> {
    let doc = &parsed.document;
    outln!("file:        {}", safe(&args.file.display().to_string()))?;
    match (foreign, parsed.shape) {
        (Some(f), _) => {
            outln!("format:      {}", f.what())?;
            match f.not_carried {
                0 => outln!("not carried: nothing: every value read has a place in CXF")?,
                1 => outln!("not carried: 1 value could not be carried into CXF")?,
                n => outln!("not carried: {n} values could not be carried into CXF")?,
            }
            if let Some(hint) = f.hint(&args.file) {
                outln!("  {}", safe(&hint))?;
            }
        }
        (None, cxf::Shape::Header) => {
            outln!(
                "format:      CXF {}.{}",
                doc.version.major,
                doc.version.minor
            )?;
            outln!(
                "exporter:    {} ({})",
                safe(&doc.exporter_display_name),
                safe(&doc.exporter_rp_id)
            )?;
            outln!("exported:    {}", rfc3339(doc.timestamp))?;
        }
        _ => outln!("format:      bare CXF Account (no Header: exporter and export time unknown)")?,
    }
    outln!("accounts:    {}", summary.accounts.len())?;
    for a in &summary.accounts {
        let who = match (a.username.is_empty(), a.email.is_empty()) {
            (false, false) => format!("{} <{}>", safe(&a.username), safe(&a.email)),
            (true, false) => format!("<{}>", safe(&a.email)),
            (false, true) => safe(&a.username),
            (true, true) => "(no name)".to_owned(),
        };
        outln!("  {who}: {} items, {} collections", a.items, a.collections)?;
    }
    outln!("items:       {}", summary.items)?;
    outln!("credentials: {}", summary.credentials)?;
    let width = summary
        .credentials_by_type
        .keys()
        .map(|k| k.len())
        .max()
        .unwrap_or(0);
    for (ty, n) in &summary.credentials_by_type {
        let unknown = if summary.unknown_credential_types.contains_key(ty) {
            "  (unknown type, kept as is)"
        } else {
            ""
        };
        outln!("  {:width$}  {n}{unknown}", safe(ty))?;
    }
    if !summary.passkeys_by_rp_id.is_empty() {
        outln!("passkeys by relying party:")?;
        let width = summary
            .passkeys_by_rp_id
            .keys()
            .map(|k| k.len())
            .max()
            .unwrap_or(0);
        for (rp, n) in &summary.passkeys_by_rp_id {
            outln!("  {:width$}  {n}", safe(rp))?;
        }
    }
    let keys = passkeys(doc);
    if !keys.is_empty() {
        outln!(
            "passkeys ({}; public keys derived from the private keys, which are not shown):",
            keys.len()
        )?;
        for p in &keys {
            let name = if p.user_display_name.is_empty() || p.user_display_name == p.username {
                safe(&p.username)
            } else {
                format!("{} ({})", safe(&p.username), safe(&p.user_display_name))
            };
            outln!("  {}  user {name}", safe(&p.rp_id))?;
            outln!("    credential id:   {}", safe(&p.credential_id))?;
            match &p.public_key {
                Ok(k) => {
                    outln!("    algorithm:       {}", k.algorithm)?;
                    outln!("    COSE key (hex):  {}", hex(&k.cose_key))?;
                    outln!("    COSE key (b64u): {}", b64url(&k.cose_key))?;
                }
                Err(e) => outln!("    public key:      unavailable: {e}")?,
            }
        }
    }
    if !parsed.notes.is_empty() {
        outln!("normalised while reading ({}):", parsed.notes.len())?;
        for n in &parsed.notes {
            let at = if n.pointer.is_empty() {
                "(document)"
            } else {
                &n.pointer
            };
            outln!("  {}: {} at {}", n.code, n.message, safe(at))?;
        }
    }
    Ok(())
}
