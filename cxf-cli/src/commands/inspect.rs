//! `cxf inspect`: what a CXF file holds, without printing a secret.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::output::{parse_cxf, read_input, rfc3339, safe};

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
    after_help = "Examples:\n  cxf inspect export.cxf.json\n  cxf inspect --format json export.cxf.json | jq .credentialsByType\n  cxf inspect --format json export.cxf.json | jq '.passkeys[] | {rpId, algorithm, publicKeyCose}'\n\nFor each passkey: RP ID, user, credential id and the public key as a COSE_Key (hex and\nbase64url), derived from the private key, to compare with what the relying party stored.\nNo secret is ever printed."
)]
pub(crate) struct InspectArgs {
    /// CXF file to inspect (a full Header or a bare Account; `-` for stdin).
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: InspectFormat,
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
    let parsed = parse_cxf(&args.file, &bytes, &limits)?;
    let doc = &parsed.document;
    let summary = cxf::Summary::of(doc);
    match args.format {
        InspectFormat::Json => {
            let value = json!({
                "path": args.file.display().to_string(),
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
            outln!("{}", serde_json::to_string_pretty(&value)?)?;
        }
        InspectFormat::Human => print_human(&args, &parsed, &summary)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(
    args: &InspectArgs,
    parsed: &cxf::Parsed,
    summary: &cxf::Summary,
) -> std::io::Result<()> {
    let doc = &parsed.document;
    outln!("file:        {}", safe(&args.file.display().to_string()))?;
    match parsed.shape {
        cxf::Shape::Header => {
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
